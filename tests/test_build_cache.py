"""The preview's build cache: keyed by content, used only while serving, never under CI."""

import json
import sys

import pytest
from conftest import DOCS, ROOT, SNIPPETS

sys.path.insert(0, str(ROOT / "hooks"))
import build_cache  # a hook helper, imported from hooks/ as MkDocs does


def test_serve_keeps_one_entry_per_content(preview_cache, tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "metrics.jsonl").write_text('{"epoch": 1}\n')
    assert build_cache.lookup("svg", [records, "code v1"]) is None, "nothing stored yet"
    build_cache.store("svg", [records, "code v1"], "<svg>one</svg>")
    assert build_cache.lookup("svg", [records, "code v1"]) == "<svg>one</svg>"
    assert build_cache.lookup("notebook", [records, "code v1"]) is None, "kinds do not mix"
    (records / "metrics.jsonl").write_text('{"epoch": 2}\n')  # new records: a new entry
    assert build_cache.lookup("svg", [records, "code v1"]) is None
    build_cache.store("svg", [records, "code v1"], "<svg>two</svg>")
    build_cache.store("svg", [records, "code v2"], "<svg>three</svg>")  # new drawing code
    assert build_cache.lookup("svg", [records, "code v1"]) == "<svg>two</svg>"
    assert len(list((preview_cache / "svg").iterdir())) == 3


@pytest.mark.parametrize("command", ["build", "gh-deploy"])
def test_builds_never_read_or_write_the_cache(preview_cache, command):
    build_cache.start("serve")
    build_cache.store("svg", ["same key"], "<svg>stale</svg>")
    build_cache.start(command)
    assert build_cache.lookup("svg", ["same key"]) is None, "a build reused a cached figure"
    build_cache.store("svg", ["other key"], "<svg>new</svg>")
    assert len(list((preview_cache / "svg").iterdir())) == 1, "a build wrote to the cache"


def test_ci_never_reads_the_cache_even_while_serving(preview_cache, monkeypatch):
    build_cache.store("svg", ["same key"], "<svg>stale</svg>")
    monkeypatch.setenv("CI", "true")
    assert not build_cache.enabled()
    assert build_cache.lookup("svg", ["same key"]) is None


def test_hash_follows_file_names_and_bytes_not_bytecode(tmp_path):
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    first = build_cache.content_hash([folder])
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0compiled")
    assert build_cache.content_hash([folder]) == first, "bytecode changed the key"
    (folder / "a.py").rename(folder / "b.py")
    renamed = build_cache.content_hash([folder])
    assert renamed != first
    (folder / "b.py").write_text("x = 2\n")
    assert build_cache.content_hash([folder]) not in (first, renamed)
    assert build_cache.content_hash(["ab", "c"]) != build_cache.content_hash(["a", "bc"])


def test_a_missing_input_fails_loudly(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such-records"):
        build_cache.content_hash([tmp_path / "no-such-records"])


def notebook_code(name: str) -> str:
    cells = json.loads((DOCS / "notebooks" / name).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_notebooks_are_keyed_on_the_snippets_they_import():
    epma = build_cache.imported_snippets(notebook_code("epma-walkthrough.ipynb"))
    assert SNIPPETS / "epma" in epma and SNIPPETS / "__init__.py" in epma
    assert SNIPPETS / "losses.py" not in epma and SNIPPETS / "cifar" not in epma
    losses = build_cache.imported_snippets(notebook_code("losses-by-hand.ipynb"))
    assert SNIPPETS / "losses.py" in losses and SNIPPETS / "epma" not in losses


def test_imports_are_followed_through_modules(tmp_path):
    snippets = tmp_path / "snippets"
    (snippets / "pkg").mkdir(parents=True)
    (snippets / "__init__.py").write_text("")
    (snippets / "pkg" / "__init__.py").write_text("from snippets.helper import f\n")
    (snippets / "helper.py").write_text("import snippets.leaf as leaf\n")
    (snippets / "leaf.py").write_text("")
    (snippets / "unused.py").write_text("")
    code = "import os\nfrom snippets.pkg import (\n    g,\n)\nx = 1  # from snippets import unused"
    found = build_cache.imported_snippets(code, snippets)
    assert found == [
        snippets / "__init__.py",
        snippets / "helper.py",
        snippets / "leaf.py",
        snippets / "pkg",
    ]


@pytest.mark.parametrize(
    "code", ["from snippets import pick_device", "import snippets", "from snippets import (a, b)"]
)
def test_names_that_are_not_modules_key_on_all_of_snippets(tmp_path, code):
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    (snippets / "__init__.py").write_text("")
    assert build_cache.imported_snippets(code, snippets) == [snippets]
