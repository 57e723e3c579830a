"""The training loop: outputs, reproducibility, exact resume, divergence guard, overfit check."""

import json
import math
import os
import signal
import sys
import types
from dataclasses import replace

import pytest
import torch

from snippets.cifar import TrainConfig, evaluate_checkpoint, load_cifar10, predict, train
from snippets.cifar import models as cifar_models
from snippets.cifar.progress import Progress
from snippets.cifar.rundir import load_checkpoint, read_metrics

METRIC_KEYS = {
    "epoch",
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "lr",
    "seconds",
    "images_per_second",
}


def config(tiny, tmp_path, **changes) -> TrainConfig:
    base = TrainConfig(
        model="lazynet",
        epochs=2,
        batch_size=32,
        data_dir=str(tiny),
        out=str(tmp_path / "run"),
        progress=False,
        device="cpu",
    )
    return replace(base, **changes)


def without_time(history):
    return [
        {k: v for k, v in row.items() if k not in ("seconds", "images_per_second")}
        for row in history
    ]


def test_a_run_writes_metrics_and_provenance(tiny, tmp_path):
    result = train(config(tiny, tmp_path), argv=["train", "--model", "lazynet"])
    out = tmp_path / "run"
    rows = read_metrics(out / "metrics.jsonl")
    assert [r["epoch"] for r in rows] == [1, 2]
    assert all(set(r) >= METRIC_KEYS for r in rows)
    assert rows == result.history
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "completed" and run["argv"] == ["train", "--model", "lazynet"]
    assert run["versions"]["torch"] == torch.__version__.split("+")[0]
    assert run["data"]["train_images"] == 200 and run["data"]["test_images"] == 100
    assert run["final"] == rows[-1] and run["wall_seconds"] > 0
    assert run["git_commit"] and run["device_name"].startswith("cpu")
    assert abs(run["initial_loss"] - math.log(10)) < 0.5
    assert not list(out.glob(".*.tmp")), "a temporary file was left behind"


def test_same_seed_same_run_other_seed_other_run(tiny, tmp_path):
    a = train(config(tiny, tmp_path, out=None))
    b = train(config(tiny, tmp_path, out=None))
    c = train(config(tiny, tmp_path, out=None, seed=1))
    assert without_time(a.history) == without_time(b.history)
    assert without_time(a.history) != without_time(c.history)


def test_coolnet_learns_real_cifar_well_above_chance(subset, tmp_path):
    result = train(
        TrainConfig(
            model="coolnet",
            epochs=2,
            batch_size=64,
            data_dir=str(subset),
            progress=False,
            device="cpu",
        )
    )
    assert result.status == "completed"
    assert result.final["test_acc"] > 0.25, result.history  # chance is 0.10


def interrupt_at(monkeypatch, epoch, step):
    """Press Ctrl-C (a real SIGINT) when the loop reports `step` of `epoch`."""
    original = Progress.step

    def step_then_maybe_interrupt(self, e, s, *args):
        original(self, e, s, *args)
        if (e, s) == (epoch, step):
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(Progress, "step", step_then_maybe_interrupt)


@pytest.mark.parametrize("recipe", ["plain", "record"])  # record: lookahead's average resumes
def test_ctrl_c_keeps_a_checkpoint_and_resume_continues_exactly(
    tiny, tmp_path, monkeypatch, recipe
):
    whole = train(
        config(tiny, tmp_path, out=str(tmp_path / "whole"), epochs=3, augment=True, recipe=recipe)
    )
    interrupt_at(monkeypatch, epoch=2, step=3)  # mid-epoch
    first = train(config(tiny, tmp_path, epochs=3, recipe=recipe))
    assert first.status == "interrupted" and "--resume" in first.message
    assert json.loads((tmp_path / "run" / "run.json").read_text())["status"] == "interrupted"
    state = load_checkpoint(tmp_path / "run")
    # Ctrl-C after step 3 of epoch 2 is seen after the next step (one process): 4 steps done.
    assert (state["epoch"], state["step"]) == (1, 4)
    monkeypatch.undo()
    resumed = train(config(tiny, tmp_path, epochs=3, resume=True))
    assert resumed.status == "completed"
    if recipe == "record":
        assert any(
            "lookahead" in s
            for s in load_checkpoint(tmp_path / "run")["optimizer"]["state"].values()
        )
    assert without_time(resumed.history) == without_time(whole.history)
    for (name, a), b in zip(
        whole.model.state_dict().items(), resumed.model.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name


def test_a_folder_with_a_run_is_not_overwritten(tiny, tmp_path):
    train(config(tiny, tmp_path, epochs=1))
    with pytest.raises(Exception, match="already holds a run; pass --resume"):
        train(config(tiny, tmp_path, epochs=1))


def test_divergence_stops_at_once_and_says_what_to_try(tiny, tmp_path):
    result = train(config(tiny, tmp_path, epochs=3, lr=1e30, schedule="constant", loss="mse"))
    assert result.status == "diverged"
    assert (
        "non-finite at epoch 1, step" in result.message and "learning rate 1e+30" in result.message
    )
    assert "smaller --lr" in result.message
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["status"] == "diverged" and run["message"] == result.message
    assert result.history == []  # stopped within the first epoch, no later epoch ran


def test_overfit_reaches_100_percent_on_a_few_images(tiny, tmp_path):
    result = train(
        config(
            tiny,
            tmp_path,
            model="coolnet",
            overfit=10,
            epochs=300,
            optimizer="adamw",
            schedule="constant",
            lr=3e-3,
        )
    )
    assert "overfit 10 images: reached 100 %" in result.message
    assert result.final["overfit_acc"] == 1.0 and len(result.history) < 300  # it stopped early
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["overfit"]["reached_100"] is True


def test_a_confidently_wrong_fresh_model_is_flagged(tiny, tmp_path, monkeypatch, capsys):
    def loud_lazynet():
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3072, 10))
        torch.nn.init.normal_(net[1].weight, std=1.0)  # logits in the tens
        return net

    monkeypatch.setattr(cifar_models, "lazynet", loud_lazynet)
    train(config(tiny, tmp_path, out=None, epochs=1, progress=True))
    assert "far from ln 10" in capsys.readouterr().out


def test_tensorboard_gets_every_metric_when_installed(tiny, tmp_path, monkeypatch):
    scalars = []

    class Writer:
        def __init__(self, folder):
            self.folder = folder

        def add_scalar(self, tag, value, step):
            scalars.append((tag, step))

        def close(self):
            scalars.append(("closed", 0))

    fake = types.ModuleType("torch.utils.tensorboard")
    fake.SummaryWriter = Writer
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", fake)
    train(config(tiny, tmp_path))
    assert ("test_acc", 2) in scalars and ("train_loss", 1) in scalars
    assert scalars[-1] == ("closed", 0)


def test_evaluate_and_predict_use_the_checkpoint(tiny, tmp_path):
    from PIL import Image

    result = train(config(tiny, tmp_path, model="coolnet", epochs=3))
    report = evaluate_checkpoint(tmp_path / "run", device="cpu")
    assert report["test_acc"] == pytest.approx(result.final["test_acc"])
    assert set(report["per_class_acc"]) == set(load_cifar10(tiny).classes)
    data = load_cifar10(tiny)
    paths = []
    for i in range(4):
        path = tmp_path / f"img{i}.png"
        Image.fromarray(data.test_images[i].permute(1, 2, 0).numpy()).save(path)
        paths.append(path)
    rows = predict(tmp_path / "run" / "checkpoint.pt", paths, device="cpu", top=3)
    state = load_checkpoint(tmp_path / "run")
    x = (data.test_images[:4].float() / 255 - state["mean"][:, None, None]) / state["std"][
        :, None, None
    ]
    expected = result.model(x).argmax(1).tolist()
    assert [row["top"][0][0] for row in rows] == [data.classes[k] for k in expected]
    assert all(len(row["top"]) == 3 and row["top"][0][1] >= row["top"][1][1] for row in rows)
