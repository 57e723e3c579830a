"""Tiny CIFAR-shaped datasets the tests write themselves, and the shared real subset."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from snippets.cifar.data import FOLDER, META_FILE, PIXELS, TEST_FILES, TRAIN_FILES, Cifar10

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


def write_batch(path: Path, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Images (n, 3, 32, 32) uint8 and labels in the standard python-pickle layout."""
    batch = {b"data": images.reshape(len(images), PIXELS).numpy(), b"labels": labels.tolist()}
    with path.open("wb") as f:
        pickle.dump(batch, f)


def write_cifar10(folder: Path, data: Cifar10) -> Path:
    """`data` as a cifar-10-batches-py folder under `folder` (five train files, one test)."""
    out = Path(folder) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    images = torch.tensor_split(data.train_images, 5)
    parts = zip(images, torch.tensor_split(data.train_labels, 5), strict=True)
    for name, (x, y) in zip(TRAIN_FILES, parts, strict=True):
        write_batch(out / name, x, y)
    write_batch(out / TEST_FILES[0], data.test_images, data.test_labels)
    with (out / META_FILE).open("wb") as f:
        pickle.dump({b"label_names": [c.encode() for c in data.classes]}, f)
    return out


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
