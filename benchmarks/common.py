"""Shared by the benchmarks: where the shared CIFAR-10 subset is, and the classic pipeline."""

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from snippets.cifar.data import Cifar10
from snippets.cifar.device import device_name

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ROOT.parent / "shared" / "data" / "cifar10-subset"


class PilImages(Dataset):
    """The classic way: one HWC uint8 image at a time, made a PIL image, transformed in Python."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, transform) -> None:
        self.images = np.ascontiguousarray(images.permute(0, 2, 3, 1).numpy())
        self.labels = labels.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int):
        return self.transform(Image.fromarray(self.images[i])), self.labels[i]


def classic_loader(
    data: Cifar10, batch_size: int, augment: bool, mean=(0.5,) * 3, std=(0.5,) * 3
) -> DataLoader:
    """The PyTorch tutorial's loader: PIL transforms in 2 worker processes."""
    steps = [transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()]
    steps = [*(steps if augment else []), transforms.ToTensor(), transforms.Normalize(mean, std)]
    dataset = PilImages(data.train_images, data.train_labels, transforms.Compose(steps))
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=True, num_workers=2, persistent_workers=True
    )


def machine() -> str:
    """The machine the figures come from."""
    return device_name(torch.device("cpu"))
