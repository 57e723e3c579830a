"""The runs:value hook: numbers in the text are read from the run records, or the build fails."""

import importlib.util
import shutil

import pytest
from conftest import ROOT, build_site

spec = importlib.util.spec_from_file_location("run_values", ROOT / "hooks" / "run_values.py")
run_values = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_values)

RUNS = ROOT / "runs"


def summary_row(study: str, label: str) -> list[str]:
    """A row of the summary.md the experiment runner wrote beside the runs, as its cells."""
    for line in (RUNS / study / "summary.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in {study}/summary.md")


def test_accuracy_over_seeds_reads_like_the_summary_table():
    final_test = summary_row("small/lr-decay", "0.01, /10 at 1/2 and 3/4")[4]
    assert run_values.value(RUNS, "small/lr-decay", "step-s*", "test_acc") == final_test
    best_test = summary_row("small/batch-size", "batch 5")[5]
    assert run_values.value(RUNS, "small/batch-size", "batch-5-s?", "best_test_acc") == best_test


def test_run_json_fields_by_dotted_path():
    assert run_values.value(RUNS, "small/architectures", "coolnet-s0", "parameters") == "62,006"
    assert run_values.value(RUNS, "small/overfit-first", "coolnet-10-s0", "overfit.epochs") == "41"
    assert run_values.value(RUNS, "small/batchnorm", "speednet-lr-0.5-s0", "config.lr") == "0.5"
    assert run_values.value(RUNS, "small/batchnorm", "coolnet-lr-0.5-s0", "status") == "diverged"


@pytest.mark.parametrize(
    ("study", "run", "field", "message"),
    [
        ("small/nothing", "x", "test_acc", "no run records for study 'small/nothing'"),
        ("small/lr-decay", "cosine-s*", "test_acc", "no run matching 'cosine-s*'"),
        ("small/lr-decay", "step-s0", "final.top5", "has no field 'final.top5'"),
        ("small/batchnorm", "coolnet-lr-0.5-s0", "test_acc", "has no field 'test_acc'"),
        ("small/batchnorm", "*", "config.lr", "differs between the runs"),
    ],
    ids=["study", "run", "field", "diverged run has no accuracy", "ambiguous"],
)
def test_a_value_the_records_do_not_hold_is_an_error_naming_it(study, run, field, message):
    with pytest.raises(run_values.MarkerError, match=message.replace("*", r"\*")):
        run_values.value(RUNS, study, run, field)


def test_a_marker_in_backticks_is_left_alone_so_a_page_can_show_the_syntax():
    assert not run_values.MARKER.search("`<!-- runs:value small/lr-decay step-s0 test_acc -->`")
    assert run_values.MARKER.search("at <!-- runs:value small/lr-decay step-s0 test_acc -->.")


def project(folder, page: str):
    """A minimal MkDocs project using the real hook and one real study's records."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text(page)
    shutil.copytree(RUNS / "small" / "lr-decay", folder / "runs" / "small" / "lr-decay")
    config = folder / "mkdocs.yml"
    hook = ROOT / "hooks" / "run_values.py"
    config.write_text(f"site_name: test\nstrict: true\nhooks:\n  - {hook}\n")
    return config


def test_build_replaces_markers_and_fails_naming_a_bad_one(tmp_path):
    good = "Decay ends at <!-- runs:value small/lr-decay step-s* test_acc --> test accuracy.\n"
    result = build_site(project(tmp_path / "good", good), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    final_test = summary_row("small/lr-decay", "0.01, /10 at 1/2 and 3/4")[4]
    assert f"Decay ends at {final_test} test accuracy." in html
    assert "runs:value" not in html

    bad = "Decay ends at <!-- runs:value small/lr-decay step-s* tset_acc -->.\n"
    result = build_site(project(tmp_path / "bad", bad), tmp_path / "site2")
    assert result.returncode != 0
    assert "index.md: <!-- runs:value small/lr-decay step-s* tset_acc -->" in result.stderr
    assert "has no field 'tset_acc'" in result.stderr
