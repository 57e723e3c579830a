"""CIFAR-10 from the python-pickle layout, read once into uint8 tensors; downloaded when absent.

The files are read directly (not through torchvision's CIFAR10 class) so that folders holding
fewer rows per batch, like the shared subset, load too. Only the download uses torchvision: its
URL, file name and md5 checksum (imported there: torchvision takes 2 s to import, and a run
or a docs build that reads records never needs it).
"""

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from snippets.cifar.errors import CifarError

FOLDER = "cifar-10-batches-py"
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILES = ["test_batch"]
META_FILE = "batches.meta"
PIXELS = 3 * 32 * 32


def default_data_dir() -> Path:
    """Where CIFAR-10 is downloaded when no --data-dir is given: $CIFAR10_DIR, else the cache."""
    if "CIFAR10_DIR" in os.environ:
        return Path(os.environ["CIFAR10_DIR"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")).expanduser()
    return cache / "snippets" / "cifar10"


@dataclass
class Cifar10:
    """The whole dataset as tensors: images uint8 (N, 3, 32, 32), labels int64 (N,)."""

    train_images: Tensor
    train_labels: Tensor
    test_images: Tensor
    test_labels: Tensor
    classes: list[str]
    path: Path  # the cifar-10-batches-py folder it was read from

    def to(self, device: torch.device) -> "Cifar10":
        """The same data on `device`, still uint8: 150 MB for all of CIFAR-10, copied once."""
        move = {k: getattr(self, k).to(device) for k in ("train_images", "train_labels")}
        move |= {k: getattr(self, k).to(device) for k in ("test_images", "test_labels")}
        return Cifar10(**move, classes=self.classes, path=self.path)


def find_batches(data_dir: Path) -> Path | None:
    """The folder holding the batch files: `data_dir` itself or its cifar-10-batches-py."""
    for candidate in (data_dir / FOLDER, data_dir):
        if (candidate / META_FILE).exists() or any((candidate / f).exists() for f in TRAIN_FILES):
            return candidate
    return None


def download(data_dir: Path) -> Path:
    """Fetch and unpack torchvision's CIFAR-10 archive (md5 checked) into `data_dir`."""
    from torchvision.datasets import CIFAR10, utils

    try:
        utils.download_and_extract_archive(
            CIFAR10.url, str(data_dir), filename=CIFAR10.filename, md5=CIFAR10.tgz_md5
        )
    except (OSError, RuntimeError) as error:  # URLError is an OSError; a bad checksum a Runtime
        raise CifarError(
            f"CIFAR-10 is not in {data_dir} and downloading it from {CIFAR10.url} failed "
            f"({error}). If this machine is offline, fetch {CIFAR10.filename} elsewhere, unpack "
            f"it and pass --data-dir pointing at the folder that holds {FOLDER}/."
        ) from error
    return data_dir / FOLDER


def unpickle(path: Path) -> dict:
    """One batch file as a dict with bytes keys; a clear error if it is missing or corrupt."""
    if not path.is_file():
        raise CifarError(f"{path}: missing; a CIFAR-10 folder holds {TRAIN_FILES + TEST_FILES}")
    try:
        with path.open("rb") as f:
            batch = pickle.load(f, encoding="bytes")
    except Exception as error:  # truncated or not a pickle: many exception types are possible
        raise CifarError(f"{path}: not a readable CIFAR-10 pickle ({error!r})") from error
    if not isinstance(batch, dict):
        raise CifarError(f"{path}: expected a dict, found {type(batch).__name__}")
    return batch


# --8<-- [start:read_batch]
def read_batch(path: Path) -> tuple[Tensor, Tensor]:
    """Images (n, 3, 32, 32) uint8 and labels (n,) int64 from one batch file; n may be < 10,000."""
    batch = unpickle(path)
    if b"data" not in batch or b"labels" not in batch:
        raise CifarError(f"{path}: needs keys b'data' and b'labels', has {sorted(batch)}")
    data = torch.as_tensor(batch[b"data"])
    labels = torch.as_tensor(batch[b"labels"], dtype=torch.int64)
    if data.dtype != torch.uint8 or data.dim() != 2 or data.shape[1] != PIXELS:
        raise CifarError(
            f"{path}: b'data' must be uint8 of shape (n, {PIXELS}), is {data.dtype} "
            f"{tuple(data.shape)}"
        )
    if labels.shape != (data.shape[0],):
        raise CifarError(f"{path}: {data.shape[0]} images but {labels.numel()} labels")
    if labels.numel() and (labels.min() < 0 or labels.max() > 9):
        raise CifarError(f"{path}: labels must lie in 0..9, found {labels.min()}..{labels.max()}")
    return data.view(-1, 3, 32, 32), labels  # rows are R(1024) G(1024) B(1024), row-major


# --8<-- [end:read_batch]


def read_classes(path: Path) -> list[str]:
    """The ten class names from batches.meta."""
    names = unpickle(path).get(b"label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise CifarError(f"{path}: b'label_names' must list 10 class names, found {names!r}")
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def load_cifar10(data_dir: Path | str | None = None, download_missing: bool = True) -> Cifar10:
    """Read every batch under `data_dir` (default: `default_data_dir()`), downloading if absent."""
    data_dir = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    folder = find_batches(data_dir)
    if folder is None:
        if not download_missing:
            raise CifarError(f"{data_dir}: no CIFAR-10 batch files here or in {FOLDER}/")
        folder = download(data_dir)
    train = [read_batch(folder / name) for name in TRAIN_FILES]
    test = [read_batch(folder / name) for name in TEST_FILES]
    return Cifar10(
        train_images=torch.cat([x for x, _ in train]),
        train_labels=torch.cat([y for _, y in train]),
        test_images=torch.cat([x for x, _ in test]),
        test_labels=torch.cat([y for _, y in test]),
        classes=read_classes(folder / META_FILE),
        path=folder,
    )
