"""Tiny CIFAR-shaped datasets the tests write themselves, and the shared real subset."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snippets.cifar.data import Cifar10, write_cifar10

ROOT = Path(__file__).resolve().parents[2]
SHARED_SUBSET = ROOT.parent / "shared" / "data" / "cifar10-subset"  # ../shared beside the clone
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def run_module(module: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m module args...` from the repository root, as a reader runs it."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def learnable(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n images whose class shows in their colour and in a bright stripe, plus pixel noise."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    colours = torch.linspace(30, 220, 10)
    images = torch.randint(0, 60, (n, 3, 32, 32), generator=g).float()
    images[:, 0] += colours[labels, None, None]
    images[:, 1] += colours.flip(0)[labels, None, None]
    rows = 3 * labels
    images[torch.arange(n), 2, rows] = 255.0
    return images.clamp(0, 255).to(torch.uint8), labels


def tiny_cifar(folder: Path, train: int = 200, test: int = 100, seed: int = 0) -> Path:
    """Write a learnable dataset in the cifar-10-batches-py layout under `folder`."""
    train_x, train_y = learnable(train, seed)
    test_x, test_y = learnable(test, seed + 1)
    write_cifar10(folder, Cifar10(train_x, train_y, test_x, test_y, CLASSES, folder))
    return folder


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A folder holding a 200 + 100 image dataset (40 rows per training file)."""
    return tiny_cifar(tmp_path / "data")


@pytest.fixture(scope="session")
def subset() -> Path:
    """The shared real CIFAR-10 subset (5,085 + 1,017 images); it must exist beside the clone."""
    folder = SHARED_SUBSET / "cifar-10-batches-py"
    assert folder.is_dir(), f"the shared subset is missing: expected {folder}"
    return SHARED_SUBSET
