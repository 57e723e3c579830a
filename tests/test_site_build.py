"""The strict build, what it produces, and proof that it fails on the mistakes it guards against."""

import json
import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import POSTS, ROOT, build_site
from site_rules import external_references, fetched_urls_in_html, missing_local_references

POST_FILES = sorted(POSTS.glob("*.md"))


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


def post_html(site, path):
    meta = front_matter(path)
    return site / "blog" / meta["date"].strftime("%Y/%m/%d") / meta["slug"] / "index.html"


def test_no_page_fetches_from_another_host(built_site):
    assert external_references(built_site) == []


def test_every_local_asset_a_page_fetches_exists(built_site):
    assert missing_local_references(built_site) == []


@pytest.mark.parametrize("post", POST_FILES, ids=lambda p: p.stem)
def test_post_is_built_with_vendored_katex(built_site, post):
    html = post_html(built_site, post)
    assert html.is_file(), f"{post.name} was not built at {html.relative_to(built_site)}"
    urls = fetched_urls_in_html(html.read_text(encoding="utf-8"))
    for asset in ("katex.min.js", "katex.min.css", "katex-render.js"):
        assert any(url.endswith(asset) for url in urls), f"{post.name}: {asset} not loaded"


def test_posts_with_math_keep_it_for_katex(built_site):
    """arithmatex must hand formulas over intact, delimited by \\( \\) or \\[ \\]."""
    with_math = 0
    for post in POST_FILES:
        soup = BeautifulSoup(post_html(built_site, post).read_text(encoding="utf-8"), "html.parser")
        formulas = [e.get_text().strip() for e in soup.select(".arithmatex")]
        with_math += bool(formulas)
        for tex in formulas:
            assert tex[:2] in ("\\(", "\\[") and tex[-2:] in ("\\)", "\\]"), (post.name, tex)
    assert with_math >= 3


def test_assumed_dates_are_shown(built_site):
    for post in POST_FILES:
        text = post_html(built_site, post).read_text(encoding="utf-8")
        assert ("Date assumed" in text) == front_matter(post).get("date_assumed", False), post


def test_blog_index_archive_and_tags_list_every_post(built_site):
    pages = {
        "index": built_site / "blog" / "index.html",
        "archive": built_site / "blog" / "archive" / "2020" / "index.html",
        "tags": built_site / "tags" / "index.html",
    }
    for name, page in pages.items():
        text = page.read_text(encoding="utf-8")
        for post in POST_FILES:
            assert front_matter(post)["slug"] in text, f"{name} page does not link {post.name}"


# The build must fail on each mistake below. Each case copies the project, breaks one thing
# and builds it; the error must name the thing that was broken.

BREAKS = {
    "missing snippet section": (
        "docs/blog/posts/2020-06-07-first-steps-and-loss-functions.md",
        '--8<-- "snippets/device.py:pick_device"',
        '--8<-- "snippets/device.py:no_such_section"',
        "no_such_section",
    ),
    "broken Markdown link": (
        "docs/index.md",
        "[the log](blog/index.md)",
        "[the log](blog/missing-page.md)",
        "missing-page.md",
    ),
    "broken raw HTML link": (
        "docs/about.md",
        "# How this site works",
        '# How this site works\n\n<a href="../nowhere/">nowhere</a>',
        "nowhere",
    ),
}


@pytest.mark.parametrize("case", BREAKS, ids=list(BREAKS))
def test_strict_build_fails_on(case, tmp_path):
    relative, old, new, named = BREAKS[case]
    project = tmp_path / "project"
    # Everything the build reads, whatever folder a page includes from; not the venv or outputs.
    skip = shutil.ignore_patterns(
        ".venv", ".git", "site", ".cache", "test-artifacts", ".*_cache", "__pycache__"
    )
    shutil.copytree(ROOT, project, ignore=skip)
    page = project / relative
    text = page.read_text(encoding="utf-8")
    assert old in text, f"the {case} case no longer matches {relative}"
    # The notebook is not under test here; dropping it keeps each failing build fast.
    shutil.rmtree(project / "docs" / "notebooks")
    config = project / "mkdocs.yml"
    nav = [
        line
        for line in config.read_text().splitlines()
        if not re.search(r"notebooks/.*\.ipynb|- Notebooks:", line)
    ]
    config.write_text("\n".join(nav) + "\n")
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0, f"the build passed despite a {case}"
    assert named in result.stdout + result.stderr


def test_search_index_holds_prose_but_not_code_blocks(built_site):
    """Code blocks are left out of the index every page downloads; prose still finds them."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    # Markdown pages only: a notebook's printed outputs stay searchable.
    pages = [doc for doc in index["docs"] if not doc["location"].startswith("notebooks/")]
    text = " ".join(doc["text"] for doc in pages)
    assert "<pre" not in text, "a code block reached the search index"
    # The trainer guide shows `cifar train ...` in code blocks and explains --recipe in prose.
    assert "--recipe" in text
    # Not vacuous: the pages do show code blocks, and the marker is gone from the HTML.
    trainer = (built_site / "guides" / "trainer" / "index.html").read_text(encoding="utf-8")
    assert trainer.count("highlight") > 5
    assert "data-search-exclude" not in trainer
