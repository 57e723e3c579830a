"""The GPU code paths, exercised on the CPU: host reads, timing, shards, precision, device honesty.

No GPU is needed: where a test stands in for the GPU it says which seam it uses (a device that
takes time to finish, a monkeypatched torch.cuda), and the part that runs is the real one.
"""

import importlib
import json
import time
from dataclasses import replace

import pytest
import torch
import torch.distributed as dist

from snippets.cifar import CifarError, TrainConfig, load_checkpoint, train
from snippets.cifar import device as cifar_device
from snippets.cifar.augment import plan_epoch
from snippets.cifar.distributed import Processes, my_slice, per_process, start

from .conftest import run_module

train_module = importlib.import_module("snippets.cifar.train")  # the package exports train()

# Everything that makes the host wait for the device: reading values, or a hidden nonzero().
READS = ("item", "tolist", "__bool__", "__float__", "__int__", "__index__", "nonzero", "numpy")


def count_host_reads(monkeypatch) -> list[str]:
    """Interpose on every host read of a tensor; the returned list grows with each one."""
    seen: list[str] = []
    for name in READS:
        original = getattr(torch.Tensor, name)

        def read(self, *args, _original=original, _name=name, **kwargs):
            seen.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, read)
    getitem = torch.Tensor.__getitem__

    def index(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        if any(isinstance(k, torch.Tensor) and k.dtype == torch.bool for k in keys):
            seen.append("boolean mask")  # indexing by a mask needs the count of True on the host
        return getitem(self, key)

    monkeypatch.setattr(torch.Tensor, "__getitem__", index)
    return seen


def run(tiny, **changes) -> TrainConfig:
    base = TrainConfig(
        model="coolnet", epochs=1, batch_size=20, data_dir=str(tiny), device="cpu", progress=False
    )
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("model", "recipe"), [("coolnet", "plain"), ("speednet", "plain"), ("speednet", "record")]
)
def test_the_steady_state_loop_never_waits_for_the_device(tiny, monkeypatch, model, recipe):
    # 200 images: batch 20 is 10 steps an epoch, batch 10 is 20. Reads at the epoch's end and
    # at set-up are the same for both; any read inside a step shows up as a difference. The
    # record recipe adds per-group learning rates and lookahead to every step.
    width = {"width": 0.125} if model == "speednet" else {}
    counts = {}
    for batch in (20, 10):
        seen = count_host_reads(monkeypatch)
        train(run(tiny, model=model, batch_size=batch, recipe=recipe, **width))
        monkeypatch.undo()
        counts[batch] = list(seen)
    assert counts[20], "the interposer saw no read at all: it is not counting"
    per_step = (len(counts[10]) - len(counts[20])) / 10
    assert per_step == 0, f"{per_step} host reads per step: {counts[10]}"


def test_divergence_is_read_every_k_steps_and_rolled_back(tiny, tmp_path):
    # lr 1e30 with MSE: step 1's loss is finite, its update overflows, step 2's loss is not.
    # Checks every 3 steps find it at the first check and name step 2.
    config = run(tiny, model="lazynet", lr=1e30, loss="mse", schedule="constant", check_every=3)
    result = train(replace(config, out=str(tmp_path / "run")))
    assert result.status == "diverged"
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["diverged"] == {"epoch": 1, "step": 2, "lr": 1e30}  # structured, not parsed
    weights = torch.cat([p.flatten() for p in result.model.parameters()])
    assert torch.isfinite(weights).all(), "not rolled back to the last good state"


def test_epoch_time_waits_for_the_device_to_finish(tiny, monkeypatch):
    # A device that needs 0.3 s to finish what was queued: the epoch's clock must include it.
    def finishing(device):
        time.sleep(0.3)

    monkeypatch.setattr(train_module, "synchronize", finishing)
    row = train(run(tiny, model="lazynet", batch_size=100)).history[0]
    assert row["seconds"] >= 0.3, row
    assert row["images_per_second"] == pytest.approx(200 / row["seconds"])


def test_every_process_gets_an_equal_slice_of_every_batch():
    order = plan_epoch(203, seed=0, epoch=0, pad=4, device=torch.device("cpu")).order
    batch = 40
    for step in range(len(order) // batch):
        numbers = order[step * batch : (step + 1) * batch]
        parts = [my_slice(numbers, Processes(rank, 4)) for rank in range(4)]
        assert [len(p) for p in parts] == [10] * 4  # the same shape on every rank, every step
        assert torch.equal(torch.cat(parts), numbers)  # together: exactly the global batch
    assert per_process(40, Processes(0, 4)) == 10
    with pytest.raises(CifarError, match="--batch-size 42 does not split evenly over 4"):
        per_process(42, Processes(0, 4))


def test_nccl_gets_the_device_id_at_init(monkeypatch):
    # torchrun's environment for rank 1 of 2 on GPU 1; the process group calls are recorded.
    calls = {}
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(torch.cuda, "set_device", lambda d: calls.setdefault("set_device", d))
    monkeypatch.setattr(dist, "init_process_group", lambda *a, **k: calls.update(init=(a, k)))
    monkeypatch.setattr(dist, "get_rank", lambda: 1)
    monkeypatch.setattr(dist, "get_world_size", lambda: 2)
    processes = start(torch.device("cuda", 1))
    assert processes == Processes(1, 2, 1)
    assert calls["init"] == (("nccl",), {"device_id": torch.device("cuda", 1)})


def fake_gpu(monkeypatch, capability: tuple[int, int], name: str = "Test GPU") -> None:
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)


@pytest.mark.parametrize(
    "capability, expected", [((9, 0), "bf16"), ((8, 0), "bf16"), ((7, 5), "fp16"), ((6, 1), "fp16")]
)
def test_auto_precision_follows_the_gpu(monkeypatch, capability, expected):
    fake_gpu(monkeypatch, capability)
    assert cifar_device.resolve_precision("auto", torch.device("cuda")) == expected
    assert cifar_device.resolve_precision("auto", torch.device("cpu")) == "fp32"


def test_bf16_on_a_gpu_without_native_bf16_is_refused(monkeypatch):
    fake_gpu(monkeypatch, (7, 0), "Tesla V100")
    with pytest.raises(CifarError, match=r"Tesla V100 \(compute capability 7.0\) has no native"):
        cifar_device.resolve_precision("bf16", torch.device("cuda"))


@pytest.mark.parametrize("precision", ["auto", "bf16", "fp16"])
def test_precision_is_used_and_recorded(tiny, tmp_path, precision, capsys):
    out = tmp_path / precision
    result = train(run(tiny, model="speednet", width=0.125, precision=precision, out=str(out)))
    assert result.status == "completed" and result.final["train_loss"] < 10
    info = json.loads((out / "run.json").read_text())
    used = "fp32" if precision == "auto" else precision  # auto on a CPU is fp32
    assert info["precision"] == info["config"]["precision"] == used
    scaler = load_checkpoint(out)["scaler"]
    assert bool(scaler) == (used == "fp16")  # loss scaling only for fp16


def test_the_device_line_comes_first(tiny, capsys):
    train(run(tiny, model="lazynet", batch_size=100, progress=True))
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("device: cpu (cpu: ") and first.endswith("precision fp32")


def unusable_gpu(monkeypatch, reason: str | None, cuda: str | None = "12.8") -> None:
    """A machine with an NVIDIA driver that this PyTorch cannot use (`reason` from cuda.init)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(cifar_device, "nvidia_gpu_present", lambda: True)
    monkeypatch.setattr(torch.version, "cuda", cuda)

    def init():
        raise RuntimeError(reason)

    monkeypatch.setattr(torch.cuda, "init", init)


def test_auto_says_why_the_gpu_is_not_used_and_how_to_fix_it(tiny, monkeypatch, capsys):
    too_old = "The NVIDIA driver on your system is too old (found version 11040)."
    unusable_gpu(monkeypatch, too_old)
    device, notice = cifar_device.choose_device("auto")
    assert device.type == "cpu"
    assert too_old in notice and "built for CUDA 12.8" in notice
    assert "pip install torch --index-url https://download.pytorch.org/whl/" in notice
    train(run(tiny, model="lazynet", batch_size=100, device="auto"))  # progress off: still said
    assert too_old in capsys.readouterr().err


def test_a_cpu_only_build_is_named_as_the_reason(monkeypatch):
    unusable_gpu(monkeypatch, None, cuda=None)
    _, notice = cifar_device.choose_device("auto")
    assert "CPU-only build" in notice


def test_no_notice_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(cifar_device, "nvidia_gpu_present", lambda: False)
    assert cifar_device.choose_device("auto")[1] is None


def test_the_gpu_benchmark_refuses_the_cpu_without_a_traceback():
    done = run_module("benchmarks.speednet_gpu")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "none can be used here" in done.stderr and "--tiny" in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout
