"""speednet throughput on a GPU: images/s and seconds per epoch on CIFAR-shaped data, and
time-to-accuracy on the full CIFAR-10 when it is present.

Target: 94 % test accuracy on the full CIFAR-10 in at most 10 epochs with the speed records'
recipe (`record_config`, the same as the CPU benchmark's, at full width and batch 1024); compare
the wall time side by side with airbench94 on the same device (published: 3.83 s on an A100).

Made for a GPU (the device's precision, channels_last, cudnn.benchmark, clocks read after the
device has finished); it refuses to run on a CPU, except with `--tiny`, a few steps of a narrow
net that keep the script itself tested. Run: `python -m benchmarks.speednet_gpu`.
"""

import argparse
import sys
import time
from pathlib import Path

import torch

from snippets.cifar import CifarError, TrainConfig, build_model, train
from snippets.cifar.data import find_batches
from snippets.cifar.device import (
    autocast,
    choose_device,
    describe,
    resolve_precision,
    synchronize,
    why_cuda_is_unusable,
)
from snippets.cifar.optimizers import make_optimizer, record_config


def throughput(device: torch.device, precision: str, width: float, batch: int, steps: int) -> float:
    """Training images/s of speednet on random CIFAR-shaped batches already on the device."""
    model = build_model("speednet", width=width).to(device)
    x = torch.randn(batch, 3, 32, 32, device=device)
    if device.type == "cuda":
        model, x = (
            model.to(memory_format=torch.channels_last),
            x.contiguous(memory_format=torch.channels_last),
        )
        torch.backends.cudnn.benchmark = True
    y = torch.randint(0, 10, (batch,), device=device)
    optimizer = make_optimizer(model, TrainConfig(lr=0.1, weight_decay=5e-4))
    for i in range(steps + 3):  # 3 warm-up steps: cudnn picks its kernels
        if i == 3:
            synchronize(device)
            start = time.perf_counter()
        with autocast(device, precision):
            loss = torch.nn.functional.cross_entropy(model(x).float(), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    synchronize(device)
    return batch * steps / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--data-dir", help="full CIFAR-10: also measure time to accuracy")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--tiny", action="store_true", help="a few CPU steps of a narrow net")
    args = parser.parse_args(argv)
    try:
        device = torch.device("cpu") if args.tiny else choose_device(args.device)[0]
    except CifarError as error:
        print(f"speednet_gpu: {error}", file=sys.stderr)
        return 2
    if device.type != "cuda" and not args.tiny:
        reason = why_cuda_is_unusable() or "no NVIDIA GPU on this machine"
        print(
            f"speednet_gpu: this benchmark measures a GPU, and none can be used here ({reason}); "
            "its figures on a CPU would mean nothing. Run it with --tiny for a CPU smoke test, "
            "or `python -m benchmarks.speednet_cpu` for the CPU benchmark.",
            file=sys.stderr,
        )
        return 2
    precision = resolve_precision("auto", device)
    width, batch, steps = (0.125, 16, 2) if args.tiny else (1.0, 1024, 50)
    rate = throughput(device, precision, width, batch, steps)
    print(describe(device, precision))
    print(
        f"speednet width {width}: {rate:,.0f} training images/s at batch {batch}; "
        f"one 50,000-image epoch = {50_000 / rate:.2f}s"
    )
    if args.data_dir and not args.tiny:
        if find_batches(Path(args.data_dir)) is None:
            print(f"no CIFAR-10 in {args.data_dir}: skipping time to accuracy")
            return 0
        result = train(
            record_config(
                1024, epochs=args.epochs, data_dir=args.data_dir, device=str(device), progress=False
            )
        )
        spent = 0.0
        for row in result.history:
            spent += row["seconds"]
            print(
                f"epoch {row['epoch']}: {spent:6.1f}s training, test accuracy {row['test_acc']:.2%}"
            )
        print(
            f"test accuracy {result.final['test_acc']:.2%} after {len(result.history)} epochs "
            "(target >= 94 % in <= 10 epochs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
