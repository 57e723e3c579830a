"""Every `train` option, at least once, in combinations on tiny data: none may break another.

The matrix is checked against the parser itself, so a new option without a run here fails.
"""

import json

import pytest

from snippets.cifar import TrainConfig, train
from snippets.cifar.cli import main, parser

# Each row: the options of one run, on top of --data-dir and --out. Together they use them all.
MATRIX = {
    "sgd-mse-cosine-eval2": [
        "--model", "lazynet", "--epochs", "2", "--batch-size", "50", "--lr", "0.01",
        "--loss", "mse", "--schedule", "cosine", "--weight-decay", "0.01", "--eval-every", "2",
        "--seed", "1", "--device", "cpu", "--precision", "fp32", "--no-download",
        "--check-every", "3",
    ],
    "boringnet-hinge-step": [
        "--model", "boringnet", "--activation", "leaky_relu", "--epochs", "1",
        "--batch-size", "40", "--loss", "hinge", "--schedule", "step", "--momentum", "0.8",
        "--no-augment", "--quiet",
    ],
    "coolnet-smoothing-cutout-bf16": [
        "--model", "coolnet", "--epochs", "1", "--batch-size", "20", "--label-smoothing", "0.1",
        "--augment", "--pad", "2", "--cutout", "8", "--tta", "--precision", "bf16",
    ],
    "speednet-fp16": [
        "--model", "speednet", "--width", "0.125", "--epochs", "1", "--batch-size", "50",
        "--no-tta", "--schedule", "onecycle", "--precision", "fp16", "--optimizer", "sgd",
        "--recipe", "record,-alternate-flip",
    ],
    "mlp-overfit-adamw": [
        "--model", "mlp", "--width", "0.1", "--overfit", "10", "--epochs", "2",
        "--batch-size", "10", "--optimizer", "adamw", "--schedule", "constant", "--precision",
        "auto",
    ],
    "compiled": ["--model", "lazynet", "--epochs", "1", "--batch-size", "100", "--compile"],
}  # fmt: skip


def recorded(args: list[str]) -> dict:
    """The config fields the options `args` set, as the parser reads them."""
    values = vars(parser().parse_args(["train", *args]))
    return {k: v for k, v in values.items() if v is not None and k != "command"}


def test_the_matrix_uses_every_train_option():
    train_parser = parser()._subparsers._group_actions[0].choices["train"]
    options = {o for a in train_parser._actions for o in a.option_strings} - {"-h", "--help"}
    used = {a for args in MATRIX.values() for a in args if a.startswith("--")}
    used |= {"--data-dir", "--out", "--resume"}  # every run below; the resume test
    assert options - used == set(), f"options no matrix run uses: {sorted(options - used)}"


@pytest.mark.parametrize("name", MATRIX)
def test_each_combination_runs_and_is_recorded(name, tiny, tmp_path, capsys):
    out = tmp_path / name
    args = [*MATRIX[name], "--data-dir", str(tiny), "--out", str(out)]
    assert main(["train", *args]) == 0, capsys.readouterr().err
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed"
    for field, value in recorded(args).items():  # every option reached the run's config
        if (field, value) == ("precision", "auto"):
            value = "fp32"  # auto, resolved for the CPU
        assert info["config"][field] == value, (field, info["config"][field], value)
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == info["epochs_done"] >= 1


def test_resume_continues_with_runtime_options(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    common = ["--model", "lazynet", "--batch-size", "50", "--data-dir", str(tiny)]
    assert main(["train", *common, "--epochs", "2", "--out", str(out), "--quiet"]) == 0
    first = (out / "metrics.jsonl").read_text()
    again = ["train", *common, "--out", str(out), "--resume", "--eval-every", "3", "--quiet"]
    assert main(again) == 0, capsys.readouterr().err
    assert (out / "metrics.jsonl").read_text() == first  # nothing left to train: kept as is


def test_resume_with_other_epochs_is_an_error_not_ignored(tiny, tmp_path, capsys):
    out = tmp_path / "run"
    common = ["--model", "lazynet", "--batch-size", "50", "--data-dir", str(tiny), "--quiet"]
    assert main(["train", *common, "--epochs", "1", "--out", str(out)]) == 0
    code = main(["train", *common, "--epochs", "3", "--out", str(out), "--resume"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cifar train: --epochs 3 differs from the run's 1" in err and "--resume" in err


def test_eval_every_2_prints_an_untested_epoch(tiny, capsys):
    config = TrainConfig(
        model="lazynet", epochs=2, batch_size=50, data_dir=str(tiny), device="cpu", eval_every=2
    )
    result = train(config)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch ")]
    assert "test not run" in lines[0] and "test loss" in lines[1]
    assert result.history[0]["test_acc"] is None and result.history[1]["test_acc"] is not None
