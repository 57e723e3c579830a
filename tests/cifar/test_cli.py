"""The command line: each mistake is one clear line, a non-zero exit, and no run folder."""

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snippets.cifar.cli import main

from .conftest import run_module


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_module("snippets.cifar", *args)


def test_train_evaluate_predict_from_the_shell(tiny, tmp_path):
    out = tmp_path / "run"
    done = run_cli(
        "train",
        "--model",
        "lazynet",
        "--epochs",
        "2",
        "--batch-size",
        "50",
        "--data-dir",
        str(tiny),
        "--out",
        str(out),
        "--device",
        "cpu",
    )
    assert done.returncode == 0, done.stderr
    assert "epoch 2/2" in done.stdout and "done: test accuracy" in done.stdout
    assert "\r" not in done.stdout  # not a terminal: plain lines
    assert json.loads((out / "run.json").read_text())["status"] == "completed"
    evaluated = run_cli("evaluate", str(out), "--json", "--device", "cpu")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["test_images"] == 100
    broken = run_cli("predict", str(out), str(tiny / "cifar-10-batches-py" / "test_batch"))
    assert broken.returncode == 2 and "not a readable image" in broken.stderr


def test_bad_input_in_a_shell_exits_2_without_a_traceback(tiny, tmp_path):
    done = run_cli(
        "train", "--model", "resnet9", "--data-dir", str(tiny), "--out", str(tmp_path / "run")
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(
        "cifar train: error: argument --model: invalid choice: 'resnet9' (choose from 'lazynet'"
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "run").exists()


def test_the_cifar_console_script_speaks_like_epma(tiny, tmp_path):
    script = Path(sys.executable).parent / "cifar"
    done = subprocess.run(
        [str(script), "train", "--data-dir", str(tmp_path / "nothing"), "--no-download"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("cifar train: ") and "no CIFAR-10 batch files" in done.stderr
    assert "Traceback" not in done.stderr
    epma = subprocess.run(
        [str(Path(sys.executable).parent / "epma"), "to-atomic", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert epma.returncode == 2 and epma.stderr.startswith("epma to-atomic: ")


def corrupt(tiny):
    (tiny / "cifar-10-batches-py" / "data_batch_2").write_bytes(b"\x80\x04garbage")


def wrong_shape(tiny):
    with (tiny / "cifar-10-batches-py" / "test_batch").open("wb") as f:
        pickle.dump(
            {b"data": torch.zeros(5, 32, 32, 3, dtype=torch.uint8).numpy(), b"labels": [0] * 5}, f
        )


CASES = {
    "missing batch file": (
        lambda t: (t / "cifar-10-batches-py" / "data_batch_5").unlink(),
        [],
        "data_batch_5: missing",
    ),
    "corrupt batch file": (corrupt, [], "data_batch_2: not a readable CIFAR-10 pickle"),
    "wrong shape": (wrong_shape, [], "(n, 3072)"),
    "unknown model": (None, ["--model", "resnet"], "--model: invalid choice: 'resnet'"),
    "unknown loss": (None, ["--loss", "l7"], "--loss: invalid choice: 'l7' (choose from 'ce'"),
    "unknown activation": (None, ["--activation", "tanh"], "invalid choice: 'tanh'"),
    "unknown device": (None, ["--device", "tpu"], "--device 'tpu' is unknown"),
    "batch larger than data": (
        None,
        ["--batch-size", "500"],
        "--batch-size 500 is larger than the 200 training images",
    ),
    "cuda without a GPU": (None, ["--device", "cuda"], "--device cuda: asked for CUDA"),
    "negative epochs": (None, ["--epochs", "-1"], "--epochs must be positive"),
    "resume without a run": (None, ["--resume"], "no checkpoint here"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_mistake_is_a_clear_error_and_no_run_folder(case, tiny, tmp_path, capsys, monkeypatch):
    breaks, args, says = CASES[case]
    if breaks:
        breaks(tiny)
    if case == "cuda without a GPU":
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # true here anyway
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--model",
            "lazynet",
            "--epochs",
            "1",
            "--data-dir",
            str(tiny),
            "--out",
            str(out),
            "--quiet",
            *args,
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("cifar train: ") and says in err, err
    assert not (out / "run.json").exists() and not (out / "metrics.jsonl").exists()


def test_divergence_exits_3_with_the_message_not_a_traceback(tiny, tmp_path, capsys):
    code = main(
        [
            "train",
            "--model",
            "lazynet",
            "--epochs",
            "2",
            "--batch-size",
            "50",
            "--lr",
            "1e30",
            "--loss",
            "mse",
            "--schedule",
            "constant",
            "--data-dir",
            str(tiny),
            "--out",
            str(tmp_path / "r"),
            "--quiet",
            "--device",
            "cpu",
        ]
    )
    assert code == 3
    assert "diverged: the loss became non-finite" in capsys.readouterr().err
