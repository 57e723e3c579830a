"""The vendored KaTeX is exactly what the npm registry served, complete and self-consistent."""

import hashlib
import json

from conftest import DOCS
from site_rules import fetched_urls_in_css

KATEX = DOCS / "assets" / "katex"
RECORD = json.loads((KATEX / "VENDOR.json").read_text())


def test_record_names_package_version_and_how_it_was_fetched():
    assert RECORD["package"] == "katex"
    assert RECORD["fetched_with"] == f"npm pack katex@{RECORD['version']}"
    assert RECORD["integrity"].startswith("sha512-")


def test_files_match_the_record_one_for_one():
    on_disk = {p.relative_to(KATEX).as_posix() for p in KATEX.rglob("*") if p.is_file()} - {
        "VENDOR.json"
    }
    assert on_disk == set(RECORD["files"])
    for name, digest in RECORD["files"].items():
        assert hashlib.sha256((KATEX / name).read_bytes()).hexdigest() == digest, name


def test_every_font_the_stylesheet_names_is_vendored():
    urls = fetched_urls_in_css((KATEX / "katex.min.css").read_text())
    assert urls, "katex.min.css names no fonts: the check would pass vacuously"
    missing = [u for u in urls if not (KATEX / u).is_file()]
    assert not missing
