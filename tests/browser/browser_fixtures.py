"""Fixtures of the browser tests: Chromium, the built site on 127.0.0.1, one visit to every page.

A pytest plugin loaded by tests/conftest.py: a conftest.py in this folder would shadow that one
for the `from conftest import ...` the other tests use.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_rules import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COLOUR_RULES,
    MathReport,
    axe_result,
    foreign_requests,
    heading_problems,
    images_without_alt,
    math_report,
    serve_directory,
    settle,
    site_pages,
    start_axe,
    start_page,
)
from playwright.sync_api import Browser, BrowserContext, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 900}
SESSION_START = time.time()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    assert Path(CHROMIUM).is_file(), (
        f"no browser at {CHROMIUM}: `make test` installs Debian's chromium, "
        "or point the CHROMIUM environment variable at one"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The strict build of the site, served on 127.0.0.1."""
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core as vendored from the npm registry (see its VENDOR.json)."""
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/: screenshots and the page-weight report, uploaded by CI."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def new_context(browser: Browser, scheme: str = "light") -> BrowserContext:
    """A fresh profile: empty cache and storage, the reader's system set to `scheme`."""
    return browser.new_context(color_scheme=scheme, viewport=VIEWPORT)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh light-mode browser profile for one test."""
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@dataclass
class Visit:
    """Everything the per-page rules look at, from one cold-cache visit per colour scheme."""

    requests: list[str]
    foreign: list[str]
    failed: list[str]
    console_errors: list[str]
    bytes: int
    math: MathReport
    images_without_alt: list[str]
    heading_problems: list[str]
    axe: dict[str, list[str]] = field(default_factory=dict)  # scheme -> violations


# Pages loaded side by side in the sweep (each in light and dark): waits overlap, CPUs share.
BATCH = 3


@pytest.fixture(scope="session")
def every_page(
    browser: Browser, built_site: Path, site_url: str, axe_source: str
) -> dict[str, Visit]:
    """Visit every page of the built site, in light and in dark mode, each in a fresh profile
    (so the bytes are those of a first visit); return {page path: Visit}."""
    visits = {}
    pages = site_pages(built_site)
    for first in range(0, len(pages), BATCH):
        batch = pages[first : first + BATCH]
        opened = {}  # (path, scheme) -> (context, tab, load)
        for path in batch:
            for scheme in ("light", "dark"):
                ctx = new_context(browser, scheme)
                opened[path, scheme] = (ctx, *start_page(ctx, site_url + path))
        for _ctx, tab, _ in opened.values():
            settle(tab)
        for path in batch:
            _, tab, load = opened[path, "light"]
            _, _, dark = opened[path, "dark"]
            visits[path] = Visit(
                requests=load.requests,
                foreign=foreign_requests(load) + foreign_requests(dark),
                failed=load.failed + dark.failed,
                console_errors=load.console_errors + dark.console_errors,
                bytes=load.bytes_transferred(),
                math=math_report(tab),
                images_without_alt=images_without_alt(tab),
                heading_problems=heading_problems(tab),
            )
        # Dark mode has its own colours, so its own contrast; the other axe rules do not
        # depend on the colours and run in light mode only.
        for (_path, scheme), (_, tab, _) in opened.items():
            start_axe(tab, axe_source, only=COLOUR_RULES if scheme == "dark" else ())
        for (path, scheme), (ctx, tab, _) in opened.items():
            visits[path].axe[scheme] = axe_result(tab)
            ctx.close()
    return visits


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the page-weight report when this session wrote one."""
    report = ARTIFACTS / "page-weight.txt"
    if report.is_file() and report.stat().st_mtime >= SESSION_START:
        terminalreporter.write_sep("-", "page weight (test-artifacts/page-weight.txt)")
        terminalreporter.write_line(report.read_text(encoding="utf-8").rstrip())
