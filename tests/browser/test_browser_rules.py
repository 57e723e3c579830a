"""Each browser rule catches what it names: tiny pages, broken one way each, served and opened
by the same machinery as the real site. A clean page passes every rule, so none of them
fails on everything."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_fixtures import new_context
from browser_rules import (
    COLOUR_RULES,
    PAGE_BUDGET,
    axe_violations,
    budget_for,
    foreign_requests,
    heading_problems,
    images_without_alt,
    math_report,
    missing_links,
    open_page,
    over_budget,
    serve_directory,
    site_pages,
)
from conftest import DOCS

# A 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)
KATEX = (
    '<link rel="stylesheet" href="katex/katex.min.css"><script src="katex/katex.min.js"></script>'
)
# What docs/assets/javascripts/katex-render.js does, without Material's document$.
RENDER = """<script>
for (const el of document.querySelectorAll(".arithmatex")) {
  const text = el.textContent.trim();
  katex.render(text.slice(2, -2), el, {displayMode: text.startsWith("\\\\["),
                                       throwOnError: false});
}
</script>"""


def html(body: str, head: str = "", title: str = "Test page") -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="icon" href="pixel.png">{head}</head>'
        f"<body><main>{body}</main></body></html>"
    )


PAGES = {
    "clean.html": html(
        '<h1>Clean</h1><h2>Part</h2><p>Text and <span class="arithmatex">\\(x^2\\)</span>.</p>'
        '<div class="arithmatex">\\[\\frac{a}{b}\\]</div><img src="pixel.png" alt="A dot">'
        '<p><a href="clean.html">Itself</a></p>',
        KATEX,
    ).replace("</main>", f"</main>{RENDER}"),
    "external.html": html('<h1>External</h1><img src="http://example.com/x.png" alt="remote">'),
    "missing.html": html('<h1>Missing</h1><img src="no-such-file.png" alt="gone">'),
    "console.html": html("<h1>Console</h1><script>console.error('boom')</script>"),
    "throws.html": html("<h1>Throws</h1><script>undefinedFunction()</script>"),
    "math-raw.html": html('<h1>Raw</h1><p><span class="arithmatex">\\(x^2\\)</span></p>'),
    "math-error.html": html(
        '<h1>Error</h1><p><span class="arithmatex">\\(\\frac{1}{\\)</span></p>', KATEX
    ).replace("</main>", f"</main>{RENDER}"),
    "math-text.html": html("<h1>Text</h1><p>Left as typed: \\(x\\) and $$y$$.</p>"),
    "notebook.html": html(
        '<h1>Notebook</h1><div class="jp-MarkdownOutput"><p>With equal scores $1/C$.</p></div>'
    ),
    "axe.html": html(
        '<h1>Axe</h1><button></button><p style="color:#bbb;background:#fff">Faint text</p>'
    ),
    "no-alt.html": html('<h1>No alt</h1><img src="pixel.png"><img src="pixel.png" alt="">'),
    "skip.html": html("<h1>Skip</h1><h3>Too deep</h3>"),
    "no-h1.html": html("<h2>Starts low</h2><h3>Fine</h3>"),
    "two-h1.html": html("<h1>One</h1><h1>Two</h1>"),
    "heavy.html": html('<h1>Heavy</h1><script src="heavy.js"></script>'),
}
HEAVY = PAGE_BUDGET + 100_000


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("broken-site")
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "pixel.png").write_bytes(PIXEL)
    (folder / "heavy.js").write_text("/*" + "x" * HEAVY + "*/\n")
    shutil.copytree(DOCS / "assets" / "katex", folder / "katex")
    return folder


@pytest.fixture(scope="module")
def broken_url(broken_site) -> Iterator[str]:
    with serve_directory(broken_site) as url:
        yield url


@pytest.fixture
def visit(browser, broken_url):
    """Open one of the pages above in a fresh profile; return (tab, PageLoad)."""
    contexts = []

    def _visit(name: str):
        contexts.append(new_context(browser))
        return open_page(contexts[-1], broken_url + name)

    yield _visit
    for ctx in contexts:
        ctx.close()


def test_site_pages_lists_every_html_file(broken_site):
    pages = site_pages(broken_site)
    assert set(pages) == set(PAGES)
    (broken_site / "sub").mkdir()
    (broken_site / "sub" / "index.html").write_text(html("<h1>Sub</h1>"))
    assert "sub/" in site_pages(broken_site)
    (broken_site / "sub" / "index.html").unlink()
    (broken_site / "sub").rmdir()


def test_clean_page_passes_every_rule(visit, axe_source):
    tab, load = visit("clean.html")
    assert load.requests and load.failed == [] and load.console_errors == []
    assert foreign_requests(load) == []
    math = math_report(tab)
    assert (math.formulas, math.problems) == (2, [])
    assert images_without_alt(tab) == []
    assert heading_problems(tab) == []
    assert axe_violations(tab, axe_source) == []


def test_request_to_another_host_is_caught(visit):
    _, load = visit("external.html")
    assert foreign_requests(load) == ["http://example.com/x.png"]
    assert any(f.startswith("http://example.com/x.png") for f in load.failed)


def test_failed_request_is_caught(visit):
    _, load = visit("missing.html")
    assert [f for f in load.failed if "no-such-file.png" in f] == [
        f"{load.url.rsplit('/', 1)[0]}/no-such-file.png: HTTP 404"
    ]


@pytest.mark.parametrize(("name", "said"), [("console.html", "boom"), ("throws.html", "uncaught")])
def test_console_error_is_caught(visit, name, said):
    _, load = visit(name)
    assert len(load.console_errors) == 1 and said in load.console_errors[0]


def test_untypeset_math_is_caught(visit):
    tab, _ = visit("math-raw.html")
    assert math_report(tab).problems == [
        "not typeset: \\(x^2\\)",
        "raw TeX in text: \\(x^2\\)",
    ]


def test_katex_error_is_caught(visit):
    tab, load = visit("math-error.html")
    assert load.console_errors == []
    problems = math_report(tab).problems
    assert problems[0] == "not typeset: \\frac{1}{"  # KaTeX left its source in the error node
    assert problems[1].startswith("KaTeX error: ParseError: ")
    assert len(problems) == 2


def test_raw_tex_in_text_is_caught(visit):
    tab, _ = visit("math-text.html")
    assert math_report(tab).problems == ["raw TeX in text: Left as typed: \\(x\\) and $$y$$."]


def test_raw_dollars_in_notebook_markdown_are_caught(visit):
    tab, _ = visit("notebook.html")
    assert math_report(tab).problems == ["raw TeX in text: With equal scores $1/C$."]


def test_accessibility_violations_are_caught(visit, axe_source):
    tab, _ = visit("axe.html")
    found = axe_violations(tab, axe_source)
    assert any(v.startswith("button-name (critical): button") for v in found), found
    assert any(v.startswith("color-contrast (serious): ") for v in found), found
    colour_only = axe_violations(tab, axe_source, only=COLOUR_RULES)
    assert colour_only and all(v.startswith("color-contrast") for v in colour_only)


def test_images_without_alt_are_caught(visit):
    tab, _ = visit("no-alt.html")
    assert images_without_alt(tab) == ["pixel.png", "pixel.png"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("skip.html", "h1 then h3: 'Too deep'"),
        ("no-h1.html", "0 h1 headings, not one"),
        ("two-h1.html", "2 h1 headings, not one"),
    ],
)
def test_headings_out_of_order_are_caught(visit, name, problem):
    tab, _ = visit(name)
    assert problem in heading_problems(tab)


def test_page_over_its_weight_budget_is_caught(visit):
    _, load = visit("heavy.html")
    weight = load.bytes_transferred()
    # Every byte of the page and the script, headers included, and nothing invented.
    sent = len(PAGES["heavy.html"]) + HEAVY + 5
    assert sent < weight < sent + 2_000
    assert over_budget({"heavy.html": weight}, budget_for) == [
        f"heavy.html: {weight:,} bytes > {PAGE_BUDGET:,}"
    ]
    assert over_budget({"heavy.html": weight}, lambda _: weight) == []


def test_missing_links_are_caught(visit, broken_url):
    tab, _ = visit("clean.html")
    expected = [broken_url + "clean.html", broken_url + "other.html"]
    assert missing_links(tab, expected) == [broken_url + "other.html"]
