"""Every page of the built site, opened in Chromium as a reader opens it: it loads cleanly, asks
nothing of another host, typesets its math, passes axe-core and stays under its weight budget."""

import json

from browser_rules import budget_for, over_budget


def _offenders(every_page, attribute: str) -> dict[str, list[str]]:
    return {
        page: getattr(visit, attribute)
        for page, visit in every_page.items()
        if getattr(visit, attribute)
    }


def test_every_page_is_visited(every_page):
    """The sweep reaches every kind of page, so the rules below cannot pass on an empty site."""
    pages = set(every_page)
    assert {"", "about/", "blog/", "tags/", "notebooks/losses-by-hand/", "404.html"} <= pages
    assert sum(p.startswith("blog/2020/") for p in pages) >= 4
    assert {"blog/archive/2020/", "blog/category/weekly/", "blog/category/homework/"} <= pages


def test_no_console_errors(every_page):
    assert _offenders(every_page, "console_errors") == {}


def test_no_failed_requests(every_page):
    assert _offenders(every_page, "failed") == {}


def test_every_request_goes_to_127_0_0_1(every_page):
    assert all(visit.requests for visit in every_page.values())
    assert _offenders(every_page, "foreign") == {}


def test_all_math_is_typeset(every_page):
    problems = {page: v.math.problems for page, v in every_page.items() if v.math.problems}
    assert problems == {}
    # Not vacuous: the posts and the notebook do have math, and it was found.
    assert sum(v.math.formulas for v in every_page.values()) >= 50
    assert every_page["blog/2020/06/14/colab-epma-batchnorm/"].math.formulas >= 10
    assert every_page["notebooks/losses-by-hand/"].math.notebook_formulas >= 2


def test_no_serious_or_critical_accessibility_violations(every_page):
    violations = {
        f"{page} ({scheme})": found
        for page, visit in every_page.items()
        for scheme, found in visit.axe.items()
        if found
    }
    assert violations == {}
    assert all(set(v.axe) == {"light", "dark"} for v in every_page.values())


def test_images_have_alt_text(every_page):
    assert _offenders(every_page, "images_without_alt") == {}


def test_headings_are_in_order(every_page):
    assert _offenders(every_page, "heading_problems") == {}


def test_page_weight_within_budget(every_page, artifacts):
    weights = {page: visit.bytes for page, visit in every_page.items()}
    lines = [f"{'page':<58} {'bytes':>11} {'budget':>11} requests"]
    for page, weight in sorted(weights.items(), key=lambda kv: -kv[1]):
        count = len(every_page[page].requests)
        lines.append(f"{'/' + page:<58} {weight:>11,} {budget_for(page):>11,} {count:>8}")
    (artifacts / "page-weight.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (artifacts / "page-weight.json").write_text(
        json.dumps({"/" + p: {"bytes": w, "budget": budget_for(p)} for p, w in weights.items()})
    )
    print("\n".join(lines))
    assert over_budget(weights, budget_for) == []
    # Not vacuous: a page with KaTeX and Material's bundle weighs hundreds of kB.
    assert weights[""] > 200_000
