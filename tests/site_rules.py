"""The site's design rules as plain functions, so tests can apply them to the real site and
prove, on deliberately broken input, that each rule catches what it names."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+-]*)")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
MARKER = re.compile(r"--8<--\s+\[(?P<kind>start|end):(?P<name>[\w-]+)\]")
PYTHON_LANGS = {"python", "py", "python3", "pycon"}


def fenced_blocks(markdown: str) -> list[tuple[int, str, list[str]]]:
    """Every fenced code block as (line number of the opening fence, language, body lines)."""
    blocks, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        mark, start, body = opening["mark"], i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(mark):
            body.append(lines[i])
            i += 1
        blocks.append((start, opening["lang"].lower(), body))
        i += 1
    return blocks


def inline_python_blocks(markdown: str) -> list[int]:
    """Line numbers of Python blocks that are not made only of snippet includes."""
    return [
        line
        for line, lang, body in fenced_blocks(markdown)
        if lang in PYTHON_LANGS
        and not (any(b.strip() for b in body) and all(INCLUDE.match(b) for b in body if b.strip()))
    ]


def includes(markdown: str) -> list[tuple[str, str | None]]:
    """Every snippet include in a Markdown text as (path, section or None)."""
    return [
        (m["path"], m["section"]) for line in markdown.splitlines() if (m := INCLUDE.match(line))
    ]


def sections(source: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Named sections of a source file as {name: (start line, end line)}, plus every problem:
    an end without a start, a start without an end, a name used twice."""
    found: dict[str, tuple[int, int]] = {}
    open_at: dict[str, int] = {}
    problems = []
    for number, line in enumerate(source.splitlines(), start=1):
        marker = MARKER.search(line)
        if not marker:
            continue
        name = marker["name"]
        if marker["kind"] == "start":
            if name in open_at or name in found:
                problems.append(f"line {number}: section {name!r} starts twice")
            open_at[name] = number
        elif name not in open_at:
            problems.append(f"line {number}: section {name!r} ends but never started")
        else:
            found.setdefault(name, (open_at.pop(name), number))
    problems += [f"line {at}: section {name!r} has no end marker" for name, at in open_at.items()]
    return found, problems


# Tags and attributes that make the browser fetch something when a page opens.
FETCHING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "link": ("href",),
}
# <link> relations that only name a URL and fetch nothing.
NON_FETCHING_RELS = {"canonical", "alternate", "next", "prev", "author", "license", "search"}
CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")\s]+)['"]?\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+['"](?P<url>[^'"]+)['"]""")


def _urls(attribute: str, value: str) -> list[str]:
    if attribute == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value]


def fetched_urls_in_html(html: str) -> list[str]:
    """Every URL a page makes the browser fetch: tags above, inline styles and <style>."""
    soup = BeautifulSoup(html, "html.parser")
    urls = []
    for tag, attributes in FETCHING.items():
        for element in soup.find_all(tag):
            if tag == "link" and NON_FETCHING_RELS & set(element.get("rel") or []):
                continue
            for attribute in attributes:
                if element.get(attribute) is not None:
                    urls += _urls(attribute, element[attribute])
    css = [s.get_text() for s in soup.find_all("style")]
    css += [e["style"] for e in soup.find_all(style=True)]
    for text in css:
        urls += fetched_urls_in_css(text)
    return urls


def fetched_urls_in_css(css: str) -> list[str]:
    return [m["url"] for m in CSS_URL.finditer(css)] + [m["url"] for m in CSS_IMPORT.finditer(css)]


def is_external(url: str) -> bool:
    """True for a URL on another host: an absolute http(s) URL or a protocol-relative one."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


def fetched_urls(site: Path) -> list[tuple[Path, str]]:
    """(file, url) for every fetch that the built site's HTML and CSS files make."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            urls = fetched_urls_in_html(path.read_text(encoding="utf-8"))
        elif path.suffix == ".css":
            urls = fetched_urls_in_css(path.read_text(encoding="utf-8"))
        else:
            continue
        found += [(path, url) for url in urls]
    return found


def external_references(site: Path) -> list[str]:
    """'file: url' for every fetch of another host in the built site."""
    return [f"{p.relative_to(site)}: {url}" for p, url in fetched_urls(site) if is_external(url)]


def missing_local_references(site: Path) -> list[str]:
    """'file: url' for every local fetch in the built site that points at no file."""
    problems = []
    for path, url in fetched_urls(site):
        if is_external(url) or url.startswith(("data:", "#")):
            continue
        target_path = urlsplit(url).path
        base = site if target_path.startswith("/") else path.parent
        target = (base / target_path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target_path or not target.is_file():
            problems.append(f"{path.relative_to(site)}: {url or '(empty URL)'}")
    return problems
