"""Data pipeline images/s: batched on-device augmentation vs DataLoader + per-image PIL transforms.

Both produce the same thing, a float batch of randomly cropped (pad 4), flipped, normalised
images with labels, from the shared CIFAR-10 subset. Run: `python benchmarks/pipeline.py`.
"""

import argparse
import time

import torch

from benchmarks.common import SUBSET, classic_loader, machine
from benchmarks.record import Record
from snippets.cifar.augment import channel_stats, plan_epoch
from snippets.cifar.config import TrainConfig
from snippets.cifar.data import load_cifar10
from snippets.cifar.train import training_batch


def ours(data, batch: int, epochs: int, device: torch.device) -> float:
    """Images/s of the trainer's own batches: uint8 on the device, one gather per batch."""
    images, labels = data.train_images.to(device), data.train_labels.to(device)
    mean, std = channel_stats(images)
    stats, config, n = (mean.to(device), std.to(device)), TrainConfig(), len(images)
    done, start = 0, time.perf_counter()
    for epoch in range(epochs):
        plan = plan_epoch(n, 0, epoch, 4, device)
        for step in range(n // batch):
            numbers = plan.order[step * batch : (step + 1) * batch]
            x, y = training_batch(images, numbers, plan, config, stats), labels[numbers]
            done += min(len(x), len(y))
    if device.type == "cuda":
        torch.cuda.synchronize()
    return done / (time.perf_counter() - start)


def classic(data, batch: int, epochs: int) -> float:
    """Images/s of torchvision's DataLoader with PIL transforms and 2 workers."""
    loader = classic_loader(data, batch, augment=True)
    next(iter(loader))  # start the workers outside the clock, as a training loop would
    done, start = 0, time.perf_counter()
    for _ in range(epochs):
        for _, y in loader:
            done += len(y)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=str(SUBSET))
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    record = Record("cifar-pipeline")
    data = load_cifar10(args.data_dir, download_missing=False)
    device = torch.device("cpu")
    ours(data, args.batch_size, 1, device)  # warm-up
    a = ours(data, args.batch_size, args.epochs, device)
    b = classic(data, args.batch_size, args.epochs)
    record.say(f"machine: {machine()}; {len(data.train_images)} images, batch {args.batch_size}")
    record.say(f"on-device batched augmentation: {a:12,.0f} images/s")
    record.say(f"DataLoader + PIL, 2 workers:    {b:12,.0f} images/s")
    record.say(f"ratio: {a / b:.1f}x  (target >= 4x)")

    record.write()


if __name__ == "__main__":
    main()
