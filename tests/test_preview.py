"""`mkdocs serve` against `mkdocs build`, in a copy of the project holding a draft from `make post`:

- the draft is served, marked as a draft, and is nowhere in the strict build;
- while serving, figures and notebooks come from the build cache: poisoned, it shows;
- the strict build and a serve under CI draw every figure and execute every notebook, so the
  poisoned cache never reaches them.
"""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, build_site

sys.path.insert(0, str(ROOT))  # the benchmark's serving helpers, however pytest was started
from benchmarks.serve_reload import copy_tree, get, serving, wait_for_reload

POISON = "POISONED CACHE"
DRAFT_TITLE = "A draft in progress"
DRAFT_SLUG = "a-draft-in-progress"
NOTEBOOKS = [f"notebooks/{n.stem}/" for n in sorted((ROOT / "docs/notebooks").glob("*.ipynb"))]


def poison_cache(project: Path) -> tuple[int, int]:
    """Overwrite every cached figure and notebook page; return how many of each there were."""
    svgs = list((project / ".cache" / "build" / "svg").iterdir())
    for svg in svgs:
        svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{POISON}</text></svg>')
    notebooks = list((project / ".cache" / "build" / "notebooks").rglob("*.json"))
    for page in notebooks:
        cached = json.loads(page.read_text())
        page.write_text(json.dumps({**cached, "content": f"<p>{POISON}</p>"}))
    return len(svgs), len(notebooks)


def fetch(url: str, paths: list[str]) -> dict[str, str]:
    return {path: get(url + "/" + path) for path in paths}


@pytest.fixture(scope="module")
def previews(tmp_path_factory) -> dict:
    """Pages served before and after the cache is poisoned, served under CI, and built."""
    work = tmp_path_factory.mktemp("preview")
    project = copy_tree(work / "project")
    made = subprocess.run(
        [sys.executable, "scripts/new_post.py", DRAFT_TITLE, "--root", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    draft = next((project / "docs" / "blog" / "posts").glob(f"*-{DRAFT_SLUG}.md"))
    date = draft.name[:10].replace("-", "/")
    figures = [
        f"figures/{study.parent.relative_to(project / 'runs').as_posix()}.svg"
        for study in sorted((project / "runs").rglob("study.json"))
    ]
    draft_page = f"blog/{date}/{DRAFT_SLUG}/"
    result: dict = {"figures": figures, "draft_page": draft_page}

    with serving(project, {}) as (url, *_):
        result["served"] = fetch(url, [draft_page, "blog/", *figures, *NOTEBOOKS])
        result["poisoned entries"] = poison_cache(project)
        epoch = get(f"{url}/livereload/0/0").strip()
        signal: list[float] = []
        poll = f"{url}/livereload/{epoch}/1"
        listener = threading.Thread(target=wait_for_reload, args=(poll, signal), daemon=True)
        listener.start()
        draft.write_text(draft.read_text() + "\nOne more line.\n")  # a rebuild, as on a save
        listener.join(300)
        assert signal, "the server did not rebuild after an edit"
        result["served poisoned"] = fetch(url, [*figures, *NOTEBOOKS])

    with serving(project, {"CI": "1"}) as (url, *_):
        result["served under CI"] = fetch(url, [*figures, *NOTEBOOKS])

    site = work / "site"
    built = build_site(project / "mkdocs.yml", site)
    assert built.returncode == 0, built.stderr
    result["site"] = site
    return result


def test_a_draft_is_served_and_marked(previews):
    page = previews["served"][previews["draft_page"]]
    assert DRAFT_TITLE in page and "This post is a draft" in page
    index = previews["served"]["blog/"]
    assert DRAFT_SLUG in index and 'class="md-draft"' in index


def test_a_draft_is_nowhere_in_the_build(previews):
    site = previews["site"]
    assert (site / "blog" / "index.html").is_file()
    assert not (site / previews["draft_page"]).exists()
    mentions = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.is_file() and DRAFT_SLUG.encode() in path.read_bytes()
    ]
    assert mentions == [], "the draft leaked into the built site"


def test_serve_reuses_figures_and_notebooks(previews):
    svgs, notebooks = previews["poisoned entries"]
    assert svgs >= len(previews["figures"]) and notebooks == len(NOTEBOOKS)
    assert all(POISON not in text for text in previews["served"].values())
    assert all(POISON in text for text in previews["served poisoned"].values())


def test_serve_under_ci_redraws_and_executes(previews):
    served = previews["served under CI"]
    assert all(POISON not in text for text in served.values())
    assert all("jp-OutputArea-output" in served[notebook] for notebook in NOTEBOOKS)


def test_the_strict_build_redraws_and_executes(previews):
    site = previews["site"]
    for figure in previews["figures"]:
        svg = (site / figure).read_text()
        assert POISON not in svg and "<svg" in svg, figure
    for notebook in NOTEBOOKS:
        html = (site / notebook / "index.html").read_text()
        assert POISON not in html and "jp-OutputArea-output" in html, notebook
