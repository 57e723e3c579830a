"""The site hook: figures and tables come from runs/ at build time; bad records fail the build."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from snippets.cifar.experiments import STUDIES

from .conftest import ROOT
from .test_experiments_figures import curve, provenance, write_study

PAGE = """# Results

![The speed study](figures/small/speed.svg)

<!-- runs:table small/speed -->

<!-- runs:wall-time small -->
"""


def project(folder: Path) -> Path:
    """A minimal MkDocs project using the real hook, with one valid study under runs/."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text(PAGE)
    config = folder / "mkdocs.yml"
    hook = ROOT / "hooks" / "run_figures.py"
    config.write_text(f"site_name: test\nstrict: true\nhooks:\n  - {hook}\n")
    write_study(
        folder / "runs" / "small" / "speed",
        {
            "slow-s0": ("slow", 0, provenance(), curve(3, 0.5)),
            "fast-s0": ("fast", 0, provenance(), curve(3, 0.9)),
        },
    )
    return config


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["--config-file", str(config), "--site-dir", str(site)]
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def minimal(tmp_path) -> Path:
    return project(tmp_path / "project")


def test_build_draws_the_figure_and_tables_from_the_records(minimal, tmp_path):
    result = build(minimal, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "site" / "figures" / "small" / "speed.svg").read_text()
    assert "Synthetic CIFAR: 300 train / 100 test images" in svg
    html = (tmp_path / "site" / "index.html").read_text()
    assert "runs:table" not in html and "<table>" in html
    assert "cpu: Test CPU, 2 cores, 2 threads" in html  # the wall-time table's machine


def test_build_fails_on_a_record_without_provenance(minimal, tmp_path):
    run_json = minimal.parent / "runs" / "small" / "speed" / "fast-s0" / "run.json"
    info = json.loads(run_json.read_text())
    del info["git_commit"]
    run_json.write_text(json.dumps(info))
    result = build(minimal, tmp_path / "site")
    assert result.returncode != 0
    assert "fast-s0/run.json: this run record lacks provenance" in result.stderr
    assert "'git_commit' is missing" in result.stderr


def test_build_fails_on_a_table_of_a_study_without_records(minimal, tmp_path):
    index = minimal.parent / "docs" / "index.md"
    index.write_text(PAGE.replace("small/speed -->", "small/nothing -->"))
    result = build(minimal, tmp_path / "site")
    assert result.returncode != 0
    assert "no run records for study 'small/nothing'" in result.stderr


# The committed records: every study has them, and the homework post shows each one.

POST = ROOT / "docs" / "blog" / "posts" / "2020-06-28-homework-lazynet-boringnet-coolnet.md"


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_is_recorded_and_shown_in_the_post(name):
    folder = ROOT / "runs" / "small" / name
    assert (folder / "study.json").is_file(), f"no committed records for {name}"
    text = POST.read_text(encoding="utf-8")
    assert f"(../../figures/small/{name}.svg)" in text
    assert f"<!-- runs:table small/{name} -->" in text
    assert f"experiment {name} --scale full" in text  # how to replay it on all of CIFAR-10


def test_no_checkpoint_or_large_file_is_committed_with_the_records():
    files = [p for p in (ROOT / "runs").rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.name == "checkpoint.pt"]
    assert sum(p.stat().st_size for p in files) < 5_000_000
