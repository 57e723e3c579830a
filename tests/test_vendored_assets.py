"""Vendored npm packages are exactly what the registry served, complete and self-consistent."""

import hashlib
import importlib.util
import json

import pytest
from conftest import DOCS, ROOT
from site_rules import fetched_urls_in_css

KATEX = DOCS / "assets" / "katex"

_spec = importlib.util.spec_from_file_location("vendor_npm", ROOT / "scripts" / "vendor_npm.py")
vendor_npm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vendor_npm)
PACKAGES = vendor_npm.PACKAGES


def record(name: str) -> dict:
    return json.loads((PACKAGES[name].dest / "VENDOR.json").read_text())


@pytest.mark.parametrize("name", PACKAGES)
def test_record_names_package_version_and_how_it_was_fetched(name):
    entry, rec = PACKAGES[name], record(name)
    assert rec["package"] == name
    assert rec["version"] == entry.version, "the script and the vendored copy disagree"
    assert rec["fetched_with"] == f"npm pack {name}@{rec['version']}"
    assert rec["integrity"].startswith("sha512-")


@pytest.mark.parametrize("name", PACKAGES)
def test_files_match_the_record_one_for_one(name):
    dest, rec = PACKAGES[name].dest, record(name)
    on_disk = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert on_disk - {"VENDOR.json"} == set(rec["files"])
    for file, digest in rec["files"].items():
        assert hashlib.sha256((dest / file).read_bytes()).hexdigest() == digest, file


def test_every_font_the_stylesheet_names_is_vendored():
    assert PACKAGES["katex"].dest == KATEX
    urls = fetched_urls_in_css((KATEX / "katex.min.css").read_text())
    assert urls, "katex.min.css names no fonts: the check would pass vacuously"
    missing = [u for u in urls if not (KATEX / u).is_file()]
    assert not missing
