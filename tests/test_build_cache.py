"""The preview's build cache: keyed by content, used only while serving, never under CI."""

import json
import sys

import pytest
from conftest import DOCS, ROOT, SNIPPETS

sys.path.insert(0, str(ROOT / "hooks"))
import build_cache  # a hook helper, imported from hooks/ as MkDocs does


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The cache in a temporary folder, in `serve` mode outside CI; back to `build` after."""
    monkeypatch.setattr(build_cache, "CACHE", tmp_path / "cache")
    monkeypatch.delenv("CI", raising=False)
    build_cache.start("serve")
    yield tmp_path / "cache"
    build_cache.start("build")


class Drawing:
    """A drawing function that counts its calls."""

    def __init__(self, svg: str = "<svg>one</svg>") -> None:
        self.svg, self.calls = svg, 0

    def __call__(self) -> str:
        self.calls += 1
        return self.svg


def test_serve_draws_once_per_content(cache, tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "metrics.jsonl").write_text('{"epoch": 1}\n')
    draw = Drawing()
    assert build_cache.cached_svg([records, "code v1"], draw) == "<svg>one</svg>"
    assert build_cache.cached_svg([records, "code v1"], draw) == "<svg>one</svg>"
    assert draw.calls == 1
    (records / "metrics.jsonl").write_text('{"epoch": 2}\n')  # new records: drawn again
    build_cache.cached_svg([records, "code v1"], draw)
    build_cache.cached_svg([records, "code v2"], draw)  # new drawing code: drawn again
    assert draw.calls == 3
    assert len(list((cache / "svg").iterdir())) == 3


@pytest.mark.parametrize("command", ["build", "gh-deploy"])
def test_builds_always_draw(cache, command):
    build_cache.start(command)
    draw = Drawing()
    for _ in range(2):
        build_cache.cached_svg(["same key"], draw)
    assert draw.calls == 2
    assert not cache.exists(), "a build wrote to the cache"


def test_ci_always_draws_even_while_serving(cache, monkeypatch):
    monkeypatch.setenv("CI", "true")
    draw = Drawing()
    for _ in range(2):
        build_cache.cached_svg(["same key"], draw)
    assert draw.calls == 2
    assert not build_cache.enabled()


def test_a_failed_drawing_is_raised_and_not_cached(cache):
    def broken() -> str:
        raise ValueError("record without a seed")

    with pytest.raises(ValueError, match="without a seed"):
        build_cache.cached_svg(["key"], broken)
    assert not any(path.is_file() for path in cache.rglob("*"))
    draw = Drawing()
    build_cache.cached_svg(["key"], draw)
    assert draw.calls == 1


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
