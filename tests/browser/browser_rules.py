"""What a reader's browser sees, as plain functions: serve a folder on 127.0.0.1, open a page in
Chromium recording its console and network, and check one rule at a time. The browser tests
apply them to every page of the built site; test_browser_rules.py proves, on deliberately
broken pages served the same way, that each one catches what it names."""

import functools
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, Request, Response

HOST = "127.0.0.1"
# Debian's Chromium; browser downloads (`playwright install`) do not work on these machines.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any other host fails at once instead of reaching the network; the request is still
    # recorded, so a page that asks for one fails the tests either way.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}",
]
TIMEOUT_MS = 20_000
# Page weight: bytes a first visit transfers (cold cache, fonts included, served without
# compression, so an upper bound on what a reader downloads). Documented in docs/about.md.
PAGE_BUDGET = 1_000_000
# mkdocs-jupyter inlines about 600 kB of JupyterLab CSS into every notebook page.
NOTEBOOK_BUDGET = 1_500_000
# Impacts axe-core rates; these fail the tests, "minor" and "moderate" are reported only.
BLOCKING_IMPACTS = ("serious", "critical")


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve `directory` over HTTP on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def site_pages(site: Path) -> list[str]:
    """URL paths of every HTML page in a built site, as a reader would type them."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        pages.append(relative.removesuffix("index.html"))
    return pages


@dataclass
class PageLoad:
    """What one page load did: every request, what failed, what the console said, the bytes."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    finished: list[Request] = field(default_factory=list)

    def bytes_transferred(self) -> int:
        """Headers and bodies of every finished response, as they came over the wire."""
        total = 0
        for request in self.finished:
            sizes = request.sizes()
            total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        return total


def open_page(context: BrowserContext, url: str) -> tuple[Page, PageLoad]:
    """Open `url` in a new tab of `context` and wait until the network is idle and the fonts
    and math are done; return the tab and what the load did."""
    page, record = start_page(context, url)
    settle(page)
    return page, record


def settle(page: Page) -> None:
    """Wait until a page started by start_page has loaded: network idle, fonts ready."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


def start_page(context: BrowserContext, url: str) -> tuple[Page, PageLoad]:
    """Start loading `url` in a new tab of `context`, recording from the first request on;
    return at once, so several pages can load side by side (then call settle)."""
    record = PageLoad(url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("request", lambda r: record.requests.append(r.url))
    page.on("requestfinished", lambda r: record.finished.append(r))
    page.on("requestfailed", lambda r: record.failed.append(f"{r.url}: {r.failure}"))

    def on_response(response: Response) -> None:
        if response.status >= 400:
            record.failed.append(f"{response.url}: HTTP {response.status}")

    page.on("response", on_response)
    page.on("console", lambda m: m.type == "error" and record.console_errors.append(m.text))
    page.on("pageerror", lambda e: record.console_errors.append(f"uncaught: {e}"))
    page.goto(url, wait_until="commit")
    return page, record


def foreign_requests(load: PageLoad) -> list[str]:
    """Requests that went anywhere but http(s)://127.0.0.1 (data: URLs stay in the page)."""
    foreign = []
    for url in load.requests:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.scheme not in ("http", "https") or parts.hostname != HOST:
            foreign.append(url)
    return foreign


# Raw TeX left in the text a reader sees: outside code, scripts and KaTeX's own output.
_MATH_JS = r"""
() => {
  const skip = "pre, code, script, style, textarea, .katex";
  const raw = /\\\(|\\\[|\$\$/;
  const dollars = /\$[^$\s][^$]*\$/;  // an inline $...$ pair in notebook Markdown
  const rawText = (root, pattern) => {
    const found = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (node.parentElement.closest(skip)) continue;
      if (pattern.test(node.textContent)) found.push(node.textContent.trim().slice(0, 80));
    }
    return found;
  };
  const formulas = [...document.querySelectorAll(".arithmatex")];
  const notebook = [...document.querySelectorAll(".jp-MarkdownOutput")];
  return {
    formulas: formulas.length,
    notebookFormulas: notebook.reduce((n, e) => n + e.querySelectorAll(".katex").length, 0),
    untypeset: formulas.filter(e => !e.querySelector(".katex"))
                       .map(e => e.textContent.trim().slice(0, 80)),
    errors: [...document.querySelectorAll(".katex-error")]
              .map(e => (e.title || e.textContent).slice(0, 120)),
    raw: rawText(document.body, raw).concat(notebook.flatMap(e => rawText(e, dollars))),
  };
}
"""


@dataclass
class MathReport:
    """How many formulas a page has, and every one that did not typeset."""

    formulas: int
    notebook_formulas: int
    problems: list[str]


def math_report(page: Page) -> MathReport:
    """Count the page's formulas; list untypeset ones, KaTeX errors and raw TeX in the text."""
    found = page.evaluate(_MATH_JS)
    problems = [f"not typeset: {t}" for t in found["untypeset"]]
    problems += [f"KaTeX error: {t}" for t in found["errors"]]
    problems += [f"raw TeX in text: {t}" for t in found["raw"]]
    return MathReport(found["formulas"], found["notebookFormulas"], problems)


# The axe rules whose outcome depends on the colour scheme.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def axe_violations(
    page: Page,
    axe_source: str,
    impacts: tuple[str, ...] = BLOCKING_IMPACTS,
    only: tuple[str, ...] = (),
) -> list[str]:
    """Inject axe-core into the page, run its rules (all, or `only` these), and list the
    violations of `impacts` as 'rule (impact): selector'."""
    start_axe(page, axe_source, only)
    return axe_result(page, impacts)


def start_axe(page: Page, axe_source: str, only: tuple[str, ...] = ()) -> None:
    """Inject axe-core and start its run without waiting, so tabs can run side by side."""
    page.add_script_tag(content=axe_source)
    options = {"resultTypes": ["violations"]}
    if only:
        options["runOnly"] = list(only)
    page.evaluate("options => { window.__axeRun = axe.run(document, options); }", options)


def axe_result(page: Page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[str]:
    """Wait for the run start_axe began; list its violations of `impacts`."""
    violations = page.evaluate(
        """async () => (await window.__axeRun).violations
             .map(v => ({id: v.id, impact: v.impact,
                         targets: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {target}"
        for v in violations
        if v["impact"] in impacts
        for target in v["targets"]
    ]


def images_without_alt(page: Page) -> list[str]:
    """Images with no text alternative; an image hidden from assistive technology is exempt."""
    return page.evaluate(
        """() => [...document.querySelectorAll("img")]
             .filter(img => !(img.getAttribute("alt") || "").trim())
             .filter(img => !img.closest('[aria-hidden="true"]'))
             .map(img => img.getAttribute("src") || "(no src)")"""
    )


def heading_problems(page: Page) -> list[str]:
    """The outline's faults: not exactly one h1, an outline that does not start at h1, or a
    heading more than one level below the heading before it."""
    headings = page.evaluate(
        """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
             .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""
    )
    problems = []
    h1_count = sum(level == 1 for level, _ in headings)
    if h1_count != 1:
        problems.append(f"{h1_count} h1 headings, not one")
    if headings and headings[0][0] != 1:
        problems.append(f"first heading is h{headings[0][0]}: {headings[0][1]!r}")
    for (before, _), (level, text) in itertools.pairwise(headings):
        if level > before + 1:
            problems.append(f"h{before} then h{level}: {text!r}")
    return problems


def budget_for(page: str) -> int:
    """The weight budget of a page path: notebooks get their own."""
    return NOTEBOOK_BUDGET if page.startswith("notebooks/") else PAGE_BUDGET


def over_budget(weights: dict[str, int], budget_for: Callable[[str], int]) -> list[str]:
    """'page: bytes > budget' for every page heavier than `budget_for(page)` bytes."""
    return [
        f"{page}: {weight:,} bytes > {budget_for(page):,}"
        for page, weight in weights.items()
        if weight > budget_for(page)
    ]


def missing_links(page: Page, expected: list[str]) -> list[str]:
    """Those of `expected` (absolute URLs) that no link on the page points to."""
    hrefs = set(page.eval_on_selector_all("a[href]", "as => as.map(a => a.href.split('#')[0])"))
    return [url for url in expected if url not in hrefs]


def search(page: Page, query: str) -> list[str]:
    """Type `query` into the site's search box; return the result links in order, as absolute
    URLs without the highlight parameter (`?h=...`)."""
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    # The whole query, then one key: Material searches on keyup, so it runs this query once
    # (typed key by key, results for a prefix could arrive last and be read instead).
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        """() => /matching document/i.test(
             document.querySelector(".md-search-result__meta")?.textContent || "")"""
    )
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item a[href]", "as => as.map(a => a.href)"
    )
    results = []
    for href in hrefs:
        parts = urlsplit(href)
        results.append(parts._replace(query="").geturl())
    return results


def colour_scheme(page: Page) -> str:
    """The palette Material applied to the page: 'default' (light) or 'slate' (dark)."""
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def toggle_palette(page: Page) -> None:
    """Click the header's light/dark toggle, as a reader does."""
    page.locator("form[data-md-component=palette] label:visible").click()


def copy_with_button(page: Page, block: Locator) -> str:
    """Click the copy button of code block `block` (a locator); return the clipboard's text."""
    page.evaluate("navigator.clipboard.writeText('')")
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy]").click()
    return page.evaluate("navigator.clipboard.readText()")
