"""What a reader does on the site, done in Chromium: search, switch to dark mode, copy code,
browse the archive, categories and tags, read a notebook; plus screenshots for review."""

import json
import textwrap

import pytest
import yaml
from browser_fixtures import new_context
from browser_rules import (
    colour_scheme,
    copy_with_button,
    missing_links,
    open_page,
    search,
    site_pages,
    toggle_palette,
)
from conftest import DOCS, POSTS, ROOT
from site_rules import INCLUDE, fenced_blocks, sections

BATCHNORM_POST = "blog/2020/06/14/colab-epma-batchnorm/"


def front_matter(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def post_path(path) -> str:
    meta = front_matter(path)
    return f"blog/{meta['date']:%Y/%m/%d}/{meta['slug']}/"


POST_FILES = sorted(POSTS.glob("*.md"))


# ---------------------------------------------------------------- search


EPMA_PAGES = ("guides/epma/", "notebooks/epma-walkthrough/", BATCHNORM_POST)


@pytest.mark.parametrize(
    ("query", "first", "section"),
    [
        # The post spells it the British way; the American spelling must find it too.
        ("batch normalization", (BATCHNORM_POST,), BATCHNORM_POST + "#batch-normalisation"),
        ("batch normalisation", (BATCHNORM_POST,), BATCHNORM_POST + "#batch-normalisation"),
        # The converter's guide, its notebook and the post that motivated it all answer this.
        ("atomic percent", EPMA_PAGES, BATCHNORM_POST + "#epma-weight-percent-to-atomic-percent"),
        ("atomic percent", EPMA_PAGES, "guides/epma/#weight-to-atomic-percent"),
    ],
)
def test_search_finds_the_right_page_first(context, site_url, query, first, section):
    tab, _ = open_page(context, site_url)
    results = search(tab, query)
    assert results, f"no results for {query!r}"
    assert results[0] in [site_url + page for page in first], f"{query!r} ranks {results[0]} first"
    assert site_url + section in results, f"{query!r} does not lead to {section}"


def test_search_finds_nothing_for_nonsense(context, site_url):
    """The search really filters: a word on no page finds no page."""
    tab, _ = open_page(context, site_url)
    box = tab.locator("input[data-md-component=search-query]")
    box.click()
    box.fill("xylophonequark")
    box.press("End")
    meta = tab.locator(".md-search-result__meta")
    meta.filter(has_text="No matching documents").wait_for()
    assert tab.locator(".md-search-result__item").count() == 0


# ---------------------------------------------------------------- palette


def test_palette_toggle_switches_and_persists(context, site_url):
    tab, _ = open_page(context, site_url)
    background = "getComputedStyle(document.body).backgroundColor"
    assert colour_scheme(tab) == "default"
    light = tab.evaluate(background)

    toggle_palette(tab)
    assert colour_scheme(tab) == "slate"
    assert tab.evaluate(background) != light, "the scheme changed but the page did not"

    tab.reload(wait_until="networkidle")
    assert colour_scheme(tab) == "slate", "dark mode was forgotten on reload"
    other, _ = open_page(context, site_url + BATCHNORM_POST)
    assert colour_scheme(other) == "slate", "dark mode was forgotten on another page"

    toggle_palette(other)
    other.reload(wait_until="networkidle")
    assert colour_scheme(other) == "default"
    assert other.evaluate(background) == light


# ---------------------------------------------------------------- copy buttons


def expected_code(markdown: str) -> list[str]:
    """The text of each fenced block of a page, snippet includes replaced by their section."""
    blocks = []
    for _, _, body in fenced_blocks(markdown):
        lines = []
        for line in textwrap.dedent("\n".join(body)).splitlines():
            include = INCLUDE.match(line)
            if not include:
                lines.append(line)
                continue
            source = (ROOT / include["path"]).read_text(encoding="utf-8").splitlines()
            start, end = sections("\n".join(source))[0][include["section"]]
            lines += source[start : end - 1]
        # A rendered code block cannot start or end with a blank line: trim only those.
        blocks.append("\n".join(lines).strip("\n"))
    return blocks


COPY_PAGES = [(post_path(p), p) for p in POST_FILES] + [("checks/", DOCS / "checks.md")]


@pytest.mark.parametrize(("page", "source"), COPY_PAGES, ids=[p for p, _ in COPY_PAGES])
def test_copy_button_copies_exactly_the_code(browser, site_url, page, source):
    ctx = new_context(browser)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    tab, _ = open_page(ctx, site_url + page)
    blocks = tab.locator("div.highlight:has(button.md-code__button[data-md-type=copy])")
    expected = expected_code(source.read_text(encoding="utf-8"))
    assert blocks.count() == len(expected), "a code block lost its copy button"
    for index, code in enumerate(expected):
        assert copy_with_button(tab, blocks.nth(index)) == code, f"block {index + 1}"
    ctx.close()


# ---------------------------------------------------------------- listings


def test_blog_index_archive_categories_and_tags_link_every_post(context, built_site, site_url):
    posts = {site_url + post_path(p): front_matter(p) for p in POST_FILES}
    pages = site_pages(built_site)
    listings = {
        "blog index": ["blog/"],
        "archive": [p for p in pages if p.startswith("blog/archive/")],
        "tags": ["tags/"],
    }
    for name, paths in listings.items():
        assert paths, f"the site has no {name} page"
        unlinked = set(posts)
        for path in paths:
            tab, _ = open_page(context, site_url + path)
            unlinked &= set(missing_links(tab, list(posts)))
            tab.close()
        assert unlinked == set(), f"the {name} does not link {sorted(unlinked)}"

    for url, meta in posts.items():
        for category in meta["categories"]:
            tab, _ = open_page(context, site_url + f"blog/category/{category}/")
            assert missing_links(tab, [url]) == [], f"category {category} misses {url}"
            tab.close()


# ---------------------------------------------------------------- notebooks


NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_page_renders_every_cell_with_outputs(context, site_url, notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tab, _ = open_page(context, site_url + f"notebooks/{notebook.stem}/")
    wrapper = tab.locator(".jupyter-wrapper")
    assert wrapper.is_visible()
    assert wrapper.bounding_box()["height"] > 500
    shown = tab.eval_on_selector_all(
        ".jp-Cell[id^='cell-id=']",
        "cells => cells.map(c => [c.id.slice(8), c.classList.contains('jp-CodeCell')])",
    )
    assert shown == [[c["id"], c["cell_type"] == "code"] for c in cells], "cells lost or moved"
    outputs = tab.locator(".jp-OutputArea-output")
    assert outputs.count() >= 1, "no cell output: the notebook was not executed"
    assert tab.locator(".jp-OutputArea-output[data-mime-type*=stderr]").count() == 0
    math_cells = [c for c in cells if c["cell_type"] == "markdown" and "$" in "".join(c["source"])]
    assert tab.locator(".jp-MarkdownOutput .katex").count() >= len(math_cells)


# ---------------------------------------------------------------- screenshots


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "page"), [("home", ""), ("post", BATCHNORM_POST)])
def test_screenshot(browser, site_url, artifacts, name, page, scheme):
    """Home page and a post as a reader sees them, saved to test-artifacts/screenshots/."""
    ctx = new_context(browser, scheme)
    tab, _ = open_page(ctx, site_url + page)
    assert colour_scheme(tab) == {"light": "default", "dark": "slate"}[scheme]
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    shot = folder / f"{name}-{scheme}.png"
    tab.screenshot(path=shot, full_page=True, animations="disabled")
    ctx.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000
