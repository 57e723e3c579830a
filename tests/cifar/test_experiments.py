"""Experiments end to end at the tiny scale, on data the tests write: records, summary, resume."""

import csv
import json
from dataclasses import replace

import pytest

from snippets.cifar import TrainConfig
from snippets.cifar.cli import main
from snippets.cifar.experiments import SCALES, STUDIES, Run, Study, load_study, study
from snippets.cifar.experiments.figures import render
from snippets.cifar.experiments.runner import run_study
from snippets.cifar.rundir import PROVENANCE


def experiment(data, out, *more: str) -> int:
    args = ["experiment", *more, "--scale", "tiny", "--data-dir", str(data)]
    return main([*args, "--out", str(out), "--device", "cpu"])


def test_activations_study_end_to_end(tiny, tmp_path, capsys):
    out = tmp_path / "runs"
    assert experiment(tiny, out, "activations", "--seeds", "0", "1") == 0
    folder = out / "activations"
    runs = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert runs == [f"{a}-s{s}" for a in ("leaky_relu", "none", "relu") for s in (0, 1)]
    for name in runs:
        info = json.loads((folder / name / "run.json").read_text())
        assert set(PROVENANCE) <= set(info) and info["status"] == "completed"
        assert info["argv"][3:5] == ["experiment", "activations"]  # the command that made it
        assert info["config"]["model"] == "boringnet" and info["config"]["epochs"] == 2
        assert len((folder / name / "metrics.jsonl").read_text().splitlines()) == 2
        assert not (folder / name / "checkpoint.pt").exists()  # records only, no weights
    # The two seeds of a setting really are different runs.
    a, b = ((folder / f"relu-s{s}" / "metrics.jsonl").read_text() for s in (0, 1))
    assert a != b
    with (folder / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["run"] for r in rows] == [r.name for r in study("activations", "tiny").runs]
    assert {r["label"] for r in rows} == {"none", "ReLU", "leaky ReLU"}
    assert "mean (min-max)" in (folder / "summary.md").read_text()
    assert "<svg" in render(load_study(folder))


def test_finished_runs_are_kept_when_the_command_runs_again(tiny, tmp_path, capsys):
    out = tmp_path / "runs"
    assert experiment(tiny, out, "augmentation", "--seeds", "3") == 0
    first = (out / "augmentation" / "plain-s3" / "run.json").read_text()
    capsys.readouterr()
    assert experiment(tiny, out, "augmentation", "--seeds", "3") == 0
    assert "plain-s3: kept (completed)" in capsys.readouterr().out
    assert (out / "augmentation" / "plain-s3" / "run.json").read_text() == first


def test_a_diverging_run_is_recorded_not_crashed(tiny, tmp_path):
    # The learning-rate study's own grid with its top rate raised until the loss overflows.
    base = study("learning-rate", "tiny")
    huge = replace(base.runs[0].config, lr=1e30, loss="mse")
    grid = replace(base, runs=(Run("lr-huge-s0", "lr 1e30", 0, huge), *base.runs[1:2]))
    recorded = run_study(grid, "tiny", tmp_path / "runs", str(tiny), "cpu")
    diverged = recorded.runs[0]
    assert diverged.status == "diverged" and diverged.info["epochs_done"] == 0
    assert "non-finite at epoch 1, step" in diverged.info["message"]
    assert recorded.runs[1].status == "completed"  # the grid went on after it
    summary = (tmp_path / "runs" / "learning-rate" / "summary.md").read_text()
    assert "| lr 1e30 | 1 | diverged |" in summary and "loss non-finite at epoch 1" in summary
    assert "lr 1e30 (diverged: epoch 1, step" in render(recorded)


def test_every_study_builds_a_valid_grid_at_every_scale():
    for scale in SCALES:
        for name in STUDIES:
            grid = study(name, scale)
            assert grid.runs and grid.question.endswith("?")
            assert len({r.name for r in grid.runs}) == len(grid.runs), (name, scale)
            for run in grid.runs:
                assert isinstance(run.config, TrainConfig) and run.config.seed == run.seed


def test_full_scale_is_the_homework_setting():
    full = {r.label: r.config for r in study("learning-rate", "full").runs}
    assert set(full) == {"lr 10", "lr 0.1", "lr 0.01", "lr 0.0001"}
    config = full["lr 0.01"]
    assert (config.batch_size, config.epochs, config.schedule) == (4, 50, "constant")
    assert not config.augment and config.optimizer == "sgd"
    mse = next(r.config for r in study("loss", "full").runs if r.config.loss == "mse")
    assert (mse.epochs, mse.augment, mse.lr) == (200, True, 0.01)


@pytest.mark.parametrize(
    "args, message",
    [
        (["experiment", "nonsense"], "unknown experiment 'nonsense'"),
        (["experiment", "loss", "--scale", "huge"], "--scale 'huge' is unknown"),
        (["experiment", "loss", "--seeds", "1", "1"], "--seeds must be distinct"),
        (["experiment", "loss", "--data-dir", "/no/such/folder"], "does not exist"),
        (["experiment", "loss", "--threads", "0"], "--threads must be positive"),
    ],
)
def test_bad_input_says_what_and_exits_2(args, message, capsys, tmp_path):
    assert main([*args, "--out", str(tmp_path / "runs")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()  # nothing written


def test_study_type_holds_its_runs():
    grid = study("overfit-first", "small")
    assert isinstance(grid, Study)
    assert all(r.config.overfit in (10, 100) for r in grid.runs)
