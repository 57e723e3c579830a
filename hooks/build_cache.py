"""Build outputs reused while previewing: a figure or notebook is redone when its inputs change.

Used by `mkdocs serve` only. `mkdocs build` (`make build`, `make test`, CI) and any process with
the `CI` environment variable set always draws every figure and executes every notebook, so a
cache never hides a failure there. Entries live in `.cache/build/` (git-ignored), named by the
SHA-256 of what they are made from; `make clean` removes them.

Figures use it through hooks/figure_pool.py:

    svg = build_cache.lookup("svg", [records_folder, drawing_code_folder])  # None: draw it
    build_cache.store("svg", [records_folder, drawing_code_folder], svg)
"""

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from snippets.atomic import atomic_file

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "build"
SNIPPETS = ROOT / "snippets"
_command = "build"


def start(command: str) -> None:
    """Remember which MkDocs command runs (from a hook's `on_startup`)."""
    global _command
    _command = command


def enabled() -> bool:
    """Whether to reuse outputs: while serving, and never under CI."""
    return _command == "serve" and not os.environ.get("CI")


def _files(part: Path) -> list[Path]:
    """A file, or every file under a folder except caches and hidden files, in a stable order."""
    if not part.exists():
        raise FileNotFoundError(f"cache key: no such file or folder {part}")
    if part.is_file():
        return [part]
    return sorted(
        f
        for f in part.rglob("*")
        if f.is_file() and not any(p == "__pycache__" or p.startswith(".") for p in f.parts)
    )


def content_hash(parts: Iterable[Path | str | bytes]) -> str:
    """SHA-256 of the parts: a file's bytes, every file of a folder (with its name), text, bytes."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            for file in _files(part):
                name = file.relative_to(part) if file != part else Path(file.name)
                digest.update(f"file {name.as_posix()} {file.stat().st_size}\n".encode())
                digest.update(file.read_bytes())
        elif isinstance(part, str):
            digest.update(f"text {len(part)}\n{part}".encode())
        elif isinstance(part, bytes):
            digest.update(f"bytes {len(part)}\n".encode() + part)
        else:
            raise TypeError(f"cache key: cannot hash {type(part).__name__} {part!r}")
    return digest.hexdigest()


def _entry(kind: str, key_parts: Iterable[Path | str | bytes]) -> Path:
    return CACHE / kind / content_hash([kind, *key_parts])


def lookup(kind: str, key_parts: Iterable[Path | str | bytes]) -> str | None:
    """While previewing, the text stored for these key parts; otherwise None: make it anew."""
    if not enabled():
        return None
    path = _entry(kind, key_parts)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def store(kind: str, key_parts: Iterable[Path | str | bytes], text: str) -> None:
    """While previewing, keep `text` for these key parts; a build or CI stores nothing."""
    if not enabled():
        return
    path = _entry(kind, key_parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, encoding="utf-8") as entry:  # a crash never leaves half an entry
        entry.write(text)


# Notebooks: mkdocs-jupyter keys its own cache on the notebook; the snippets it imports are
# added by naming the cache folder after them (see hooks/preview.py).

IMPORT = re.compile(
    r"^\s*(?:from\s+snippets(?:\.(?P<sub>\w+))?[\w.]*\s+import[ \t]+(?P<names>\([^)]*\)|[\w \t,]+)"
    r"|import\s+snippets\.(?P<mod>\w+)|(?P<bare>import\s+snippets\b))",
    re.M,
)


def _units(source: str) -> set[str]:
    """Top-level modules or packages of snippets/ that Python source (or a notebook) imports."""
    units = set()
    for match in IMPORT.finditer(source):
        if match["bare"]:
            units.add("")  # the whole package: no single module to name
        elif match["mod"] or match["sub"]:
            units.add(match["mod"] or match["sub"])
        else:  # from snippets import a, b
            units.update(re.findall(r"\w+", re.sub(r"\s+as\s+\w+", "", match["names"])))
    return units


def imported_snippets(source: str, snippets: Path = SNIPPETS) -> list[Path]:
    """The snippets/ files `source` runs: what it imports and what they import, or all of
    snippets/ when an imported name is not a module of its own (`from snippets import f`)."""
    seen: set[str] = set()
    todo = _units(source)
    while todo:
        unit = todo.pop()
        seen.add(unit)
        paths = [p for p in (snippets / unit, snippets / f"{unit}.py") if unit and p.exists()]
        if not paths:
            return [snippets]
        for file in (f for path in paths for f in _files(path) if f.suffix == ".py"):
            todo |= _units(file.read_text(encoding="utf-8")) - seen
    found = [snippets / "__init__.py"]
    for unit in sorted(seen):
        found += [p for p in (snippets / unit, snippets / f"{unit}.py") if p.exists()]
    return found


def module_inputs(module) -> list[Path]:
    """What an imported snippets module computes with: its file and every snippets/ file it
    imports, transitively (a figure is redrawn when any of them changes)."""
    path = Path(module.__file__)
    return [path, *imported_snippets(path.read_text(encoding="utf-8"))]
