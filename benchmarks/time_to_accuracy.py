"""Time for coolnet to reach the accuracy the PyTorch tutorial's recipe reaches in 2 epochs.

The tutorial recipe: batch 4, SGD lr 0.001 momentum 0.9, DataLoader + PIL transforms (2 workers),
2 epochs. Ours: coolnet with on-device batches of 32, the shortest one-cycle schedule that gets
there. Both on the CPU, on the
shared CIFAR-10 subset; the clocks count training only (not the test passes) for both.
Run: `python -m benchmarks.time_to_accuracy`.
"""

import argparse
import time

import torch
from torch import nn

from benchmarks.common import SUBSET, classic_loader, machine
from benchmarks.record import Record
from snippets.cifar import TrainConfig, build_model, load_cifar10, train


def tutorial(data, epochs: int = 2, seed: int = 0) -> tuple[float, float]:
    """(seconds training, test accuracy) of the tutorial's recipe."""
    torch.manual_seed(seed)
    net = build_model("coolnet")
    optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loader = classic_loader(data, batch_size=4, augment=False)
    seconds = 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        seconds += time.perf_counter() - start
    with torch.no_grad():
        x = (data.test_images.float() / 255 - 0.5) / 0.5
        acc = (net(x).argmax(1) == data.test_labels).float().mean().item()
    return seconds, acc


def ours(data_dir: str, target: float, max_epochs: int) -> tuple[float | None, list[dict]]:
    """Training seconds of the shortest schedule that reaches `target` (None if none does).

    As in the CIFAR-10 speed records, the schedule's length is the budget: a one-cycle run
    over 1 epoch, then over 2, and so on; the first whose final test accuracy reaches the
    target counts, with its own training time only. No augmentation, like the tutorial.
    """
    history: list[dict] = []
    for epochs in range(1, max_epochs + 1):
        config = TrainConfig(
            model="coolnet",
            epochs=epochs,
            batch_size=32,
            augment=False,
            data_dir=data_dir,
            device="cpu",
            progress=False,
        )
        history = train(config).history
        if history[-1]["test_acc"] >= target:
            return sum(row["seconds"] for row in history), history
    return None, history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=str(SUBSET))
    parser.add_argument("--epochs", type=int, default=4, help="longest schedule tried (default 4)")
    args = parser.parse_args()
    record = Record("cifar-time-to-accuracy")
    data = load_cifar10(args.data_dir, download_missing=False)
    t_tutorial, target = tutorial(data)
    t_ours, history = ours(args.data_dir, target, args.epochs)
    record.say(
        f"machine: {machine()}; {len(data.train_images)} train / {len(data.test_images)} test"
    )
    record.say(
        f"tutorial recipe, 2 epochs: {t_tutorial:7.1f}s training, test accuracy {target:.2%}"
    )
    record.say(f"ours: coolnet, batch 32, no augmentation, one-cycle over {len(history)} epoch(s)")
    for row in history:
        record.say(
            f"  ours epoch {row['epoch']}: test accuracy {row['test_acc']:.2%}, "
            f"{row['seconds']:.2f}s"
        )
    if t_ours is None:
        record.say(f"ours never reached {target:.2%} with schedules up to {args.epochs} epochs")
    else:
        record.say(
            f"ours reached it in {t_ours:.2f}s: {t_tutorial / t_ours:.1f}x faster (target >= 10x)"
        )
    record.write()


if __name__ == "__main__":
    main()
