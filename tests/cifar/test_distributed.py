"""torchrun with two CPU processes (gloo), each holding half the data, matches one process."""

import torch

from snippets.cifar import TrainConfig, build_model, train
from snippets.cifar.rundir import load_checkpoint, read_metrics

from .conftest import run_module


def test_two_gloo_processes_match_one_process(tiny, tmp_path):
    args = [
        "--model",
        "coolnet",
        "--epochs",
        "2",
        "--batch-size",
        "40",
        "--data-dir",
        str(tiny),
        "--device",
        "cpu",
        "--quiet",
        "--seed",
        "3",
    ]
    two = run_module(
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "snippets.cifar",
        "train",
        *args,
        "--out",
        str(tmp_path / "two"),
        OMP_NUM_THREADS="1",
    )
    assert two.returncode == 0, two.stderr[-3000:]
    one = train(
        TrainConfig(
            model="coolnet",
            epochs=2,
            batch_size=40,
            data_dir=str(tiny),
            device="cpu",
            progress=False,
            seed=3,
            out=str(tmp_path / "one"),
        )
    )
    rows_two, rows_one = read_metrics(tmp_path / "two" / "metrics.jsonl"), one.history
    assert len(rows_two) == len(rows_one) == 2
    for a, b in zip(rows_one, rows_two, strict=True):
        for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
            assert abs(a[key] - b[key]) < 1e-4, (key, a[key], b[key])
    weights_two = load_checkpoint(tmp_path / "two")["model"]
    for name, w in one.model.state_dict().items():
        assert (w - weights_two[name]).abs().max() < 1e-4, name
    # Not vacuous: training moved the weights much further than the tolerance.
    torch.manual_seed(3)
    fresh = build_model("coolnet").state_dict()
    assert max((w - fresh[k]).abs().max() for k, w in one.model.state_dict().items()) > 1e-2
