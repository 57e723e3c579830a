"""`make post`: next week's draft, a snippet section it includes, a test that fails until written.

Every case runs in a copy of the project: the generator never writes into the repository.
"""

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POSTS, ROOT
from site_rules import includes, sections
from test_site_build import front_matter

SKIP = shutil.ignore_patterns(
    ".venv", ".git", "site", ".cache", "build", "test-artifacts", ".*_cache", "__pycache__"
)


@pytest.fixture
def project(tmp_path) -> Path:
    """What the generator reads and writes: posts, snippets, tests, mkdocs.yml, the Makefile."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("docs", "snippets", "tests", "scripts"):
        shutil.copytree(ROOT / name, copy / name, ignore=SKIP)
    for name in ("mkdocs.yml", "Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    (copy / "requirements").mkdir()
    shutil.copy2(ROOT / "requirements" / "constraints.txt", copy / "requirements")
    return copy


def make_post(project: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """`make post` in the copy, with this Python and a fresh install stamp (no reinstall)."""
    stamp = project / "installed.stamp"
    stamp.touch()
    assignments = [f"{k}={v}" for k, v in variables.items()]
    command = ["make", "-s", "-C", str(project), "post", f"PY={sys.executable}", f"STAMP={stamp}"]
    return subprocess.run(
        [*command, *assignments, *args], capture_output=True, text=True, check=False
    )


def files_under(project: Path) -> dict[Path, bytes]:
    """Every file of the copy and its bytes, but the install stamp `make_post` touches."""
    files = (p for p in project.rglob("*") if p.is_file() and p.name != "installed.stamp")
    return {p.relative_to(project): p.read_bytes() for p in files}


def newest_date() -> datetime.date:
    return max(front_matter(post)["date"] for post in POSTS.glob("*.md"))


def test_posts_follow_each_other_weekly(project):
    assert make_post(project, TITLE="One").returncode == 0
    assert make_post(project, TITLE="Two").returncode == 0
    week = datetime.timedelta(days=7)
    dates = {p.name[11:-3]: front_matter(p)["date"] for p in project.glob("docs/blog/posts/*.md")}
    assert dates["one"] == newest_date() + week and dates["two"] == newest_date() + 2 * week


def test_make_post_writes_a_draft_for_next_week(project):
    before = files_under(project)
    result = make_post(project, TITLE="Focal loss, by hand!", TAGS="PyTorch, loss functions")
    assert result.returncode == 0, result.stderr
    date = newest_date() + datetime.timedelta(days=7)
    post = project / "docs/blog/posts" / f"{date.isoformat()}-focal-loss-by-hand.md"
    module = project / "snippets/focal_loss_by_hand.py"
    stub = project / "tests/test_focal_loss_by_hand.py"
    new = set(files_under(project)) - set(before)
    assert new == {p.relative_to(project) for p in (post, module, stub)}

    meta = front_matter(post)
    assert meta == {
        "date": date,
        "draft": True,
        "categories": ["weekly"],
        "tags": ["PyTorch", "loss functions"],
        "slug": "focal-loss-by-hand",
    }
    text = post.read_text()
    assert "\n# Focal loss, by hand!\n" in text and "<!-- more -->" in text
    # The post includes the new, empty section; the section's markers pair up.
    assert includes(text) == [("snippets/focal_loss_by_hand.py", "focal_loss_by_hand")]
    found, problems = sections(module.read_text())
    assert "focal_loss_by_hand" in found and not problems


def test_the_stub_test_fails_until_it_is_written(project):
    assert make_post(project, TITLE="Focal loss").returncode == 0
    stub = project / "tests" / "test_focal_loss.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(stub)],
        cwd=project / "tests",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 1, result.stdout
    assert "not written yet: test what snippets/focal_loss.py:focal_loss does" in result.stdout


def test_awkward_titles_and_tags_give_valid_yaml_and_lint_clean_python(project):
    title, tags = 'Focal loss: "by hand" \\ odd', ["PyTorch", "C++", "ratio: 1/2", "#1"]
    assert make_post(project, TITLE=title, TAGS=",".join(tags)).returncode == 0
    post = next((project / "docs/blog/posts").glob("*-focal-loss-by-hand-odd.md"))
    assert front_matter(post)["tags"] == tags
    assert f"\n# {title}\n" in post.read_text()
    paths = [
        project / "snippets/focal_loss_by_hand_odd.py",
        project / "tests/test_focal_loss_by_hand_odd.py",
    ]
    for path in paths:
        compile(path.read_text(), str(path), "exec")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    check = subprocess.run(
        [*ruff, "check", *config, *map(str, paths)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    form = subprocess.run(
        [*ruff, "format", "--check", *config, *map(str, paths)], capture_output=True
    )
    assert form.returncode == 0, form.stdout


def test_a_section_can_join_an_existing_module(project):
    losses = project / "snippets" / "losses.py"
    old_sections, _ = sections(losses.read_text())
    result = make_post(
        project, TITLE="Focal loss", MODULE="snippets/losses.py", CATEGORY="homework"
    )
    assert result.returncode == 0, result.stderr
    found, problems = sections(losses.read_text())
    assert not problems and set(found) == {*old_sections, "focal_loss"}
    assert not (project / "snippets" / "focal_loss.py").exists()
    post = next((project / "docs/blog/posts").glob("*-focal-loss.md"))
    assert front_matter(post)["categories"] == ["homework"]
    assert includes(post.read_text()) == [("snippets/losses.py", "focal_loss")]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TITLE": "Focal loss", "CATEGORY": "weekley"}, "category 'weekley' is not one of"),
        ({"TITLE": "!!!"}, "no letters or digits"),
        ({"TITLE": "Focal loss", "MODULE": "docs/x.py"}, "must be a .py file under snippets/"),
        ({"TITLE": "Focal loss", "MODULE": "snippets/losses.py"}, "already has a section"),
        ({"TITLE": ""}, 'usage: make post TITLE="'),
        ({"TITLE": "Focal loss", "DATE": "2020-7-5"}, "invalid fromisoformat value"),
    ],
    ids=[
        "unknown category",
        "no slug",
        "module outside snippets",
        "section twice",
        "no title",
        "bad date",
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(project, variables, message):
    if "already has" in message:  # a section of that name exists already
        assert make_post(project, TITLE="Focal loss", MODULE="snippets/losses.py").returncode == 0
        for path in project.glob("docs/blog/posts/*focal-loss.md"):
            path.unlink()
        (project / "tests" / "test_focal_loss.py").unlink()
    before = files_under(project)
    result = make_post(project, **variables)
    assert result.returncode != 0
    assert message in result.stderr
    assert files_under(project) == before


def test_an_existing_post_is_never_overwritten(project):
    assert make_post(project, TITLE="Focal loss").returncode == 0
    post = next((project / "docs/blog/posts").glob("*-focal-loss.md"))
    post.write_text(post.read_text() + "\nWritten by hand.\n")
    (project / "tests" / "test_focal_loss.py").unlink()
    date = front_matter(post)["date"].isoformat()
    result = make_post(project, TITLE="Focal loss", MODULE="snippets/losses.py", DATE=date)
    assert result.returncode != 0 and "already exists" in result.stderr
    assert post.read_text().endswith("Written by hand.\n")
