"""Get the data the posts use: the full CIFAR-10 (python version), and the subset cut from it.

`python -m snippets.cifar download --out DIR` fetches torchvision's archive (md5 checked) and
unpacks it to DIR/cifar-10-batches-py. `python -m snippets.cifar subset --source DIR
--per-batch N --out DIR` keeps the first N images of each of the six batch files and copies
batches.meta unchanged, in the layout of the shared subset the small-scale studies use: with
N = 1017 on the full download it writes that subset byte for byte. Images and labels are kept
as they are; like the shared subset, each batch is labelled with its file name and each image
named `<batch>_<row>.png` (the full files carry the source images' names instead).
Both commands write into a temporary folder and rename it at the end, so an interrupted run
never leaves a folder that looks complete.
"""

import argparse
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snippets.cifar.data import (
    FOLDER,
    META_FILE,
    PIXELS,
    TEST_FILES,
    TRAIN_FILES,
    download,
    find_batches,
    read_batch,
    read_classes,
    unpickle,
)
from snippets.cifar.errors import CifarError

KEYS = (b"batch_label", b"labels", b"data", b"filenames")  # a batch file's keys, in file order


@dataclass(frozen=True)
class Global:
    """A module-level name in a pickle (GLOBAL opcode), e.g. numpy's array constructor."""

    module: str
    name: str


@dataclass(frozen=True)
class Reduce:
    """`func(*args)`, then its state set (REDUCE, BUILD): how numpy arrays pickle."""

    func: Global
    args: tuple
    state: tuple


def ndarray(array: np.ndarray) -> Reduce:
    """A uint8 array as numpy pickles it at protocol 2, the form the CIFAR-10 files hold."""
    if array.dtype != np.uint8:
        raise CifarError(f"only uint8 arrays are written, got {array.dtype}")
    dtype = Reduce(Global("numpy", "dtype"), (b"u1", 0, 1), (3, b"|", None, None, None, -1, -1, 0))
    return Reduce(
        Global("numpy.core.multiarray", "_reconstruct"),
        (Global("numpy", "ndarray"), (0,), b"b"),
        (1, array.shape, dtype, False, np.ascontiguousarray(array).tobytes()),
    )


def pickle2(value: object) -> bytes:
    """A protocol-2 pickle in the layout of the shared subset's batch files.

    Byte strings are Python 2 `str` opcodes, as in the official files (Python 3's pickle
    writes them differently at protocol 2); no memo and one MARK per list, as in the subset.
    It loads with `pickle.load(f, encoding="bytes")` like the official files.
    """
    out: list[bytes] = [b"\x80\x02"]
    _emit(value, out.append)
    out.append(b".")
    return b"".join(out)


def _emit(value: object, put) -> None:
    """Append the opcodes of one value."""
    if value is None:
        put(b"N")
    elif isinstance(value, bool):
        put(b"\x88" if value else b"\x89")
    elif isinstance(value, int):
        if 0 <= value < 256:
            put(b"K" + value.to_bytes(1, "little"))
        elif 0 <= value < 65536:
            put(b"M" + value.to_bytes(2, "little"))
        else:
            put(b"J" + value.to_bytes(4, "little", signed=True))
    elif isinstance(value, bytes):
        n = len(value)
        put((b"U" + n.to_bytes(1, "little")) if n < 256 else (b"T" + n.to_bytes(4, "little")))
        put(value)
    elif isinstance(value, tuple):
        if len(value) in (1, 2, 3):
            for item in value:
                _emit(item, put)
            put(bytes([0x84 + len(value)]))  # TUPLE1, TUPLE2, TUPLE3
        else:
            put(b"(")
            for item in value:
                _emit(item, put)
            put(b"t")
    elif isinstance(value, list):
        put(b"]")
        if value:
            put(b"(")
            for item in value:
                _emit(item, put)
            put(b"e")
    elif isinstance(value, dict):
        put(b"}")
        if value:
            put(b"(")
            for key, item in value.items():
                _emit(key, put)
                _emit(item, put)
            put(b"u")
    elif isinstance(value, Global):
        put(f"c{value.module}\n{value.name}\n".encode())
    elif isinstance(value, Reduce):
        _emit(value.func, put)
        _emit(value.args, put)
        put(b"R")
        _emit(value.state, put)
        put(b"b")
    else:
        raise CifarError(f"cannot write a {type(value).__name__} into a CIFAR-10 batch file")


def cut_batch(path: Path, per_batch: int) -> bytes:
    """The first `per_batch` images of one batch file, as the bytes of the subset's file."""
    unknown = set(unpickle(path)) - set(KEYS)
    if unknown:
        raise CifarError(f"{path}: keys {sorted(unknown)} are not CIFAR-10's {list(KEYS)}")
    images, labels = read_batch(path)  # checks dtype, shape and labels
    if per_batch > len(images):
        raise CifarError(
            f"{path}: holds {len(images)} images, --per-batch {per_batch} asks for more"
        )
    name = path.name.encode()
    return pickle2(
        {
            b"batch_label": name,
            b"labels": labels[:per_batch].tolist(),
            b"data": ndarray(images[:per_batch].reshape(-1, PIXELS).numpy()),
            b"filenames": [b"%s_%d.png" % (name, row) for row in range(per_batch)],
        }
    )


def write_subset(source: Path | str, per_batch: int, out: Path | str) -> Path:
    """Write OUT/cifar-10-batches-py with the first `per_batch` images of each batch file."""
    if per_batch < 1:
        raise CifarError(f"--per-batch must be at least 1, got {per_batch}")
    folder = find_batches(Path(source).expanduser())
    if folder is None:
        raise CifarError(f"{source}: no CIFAR-10 batch files here or in {FOLDER}/")
    read_classes(folder / META_FILE)  # a missing or malformed batches.meta fails before writing
    with staged(Path(out).expanduser()) as folder_out:
        folder_out.mkdir()
        for name in TRAIN_FILES + TEST_FILES:
            (folder_out / name).write_bytes(cut_batch(folder / name, per_batch))
        shutil.copyfile(folder / META_FILE, folder_out / META_FILE)  # the official meta, as is
    return Path(out).expanduser() / FOLDER


def download_full(out: Path | str) -> Path:
    """Download and unpack the full CIFAR-10 (md5 checked) to OUT/cifar-10-batches-py."""
    with staged(Path(out).expanduser()) as folder_out:
        download(folder_out.parent)  # torchvision's URL and md5; unpacks to folder_out
    return Path(out).expanduser() / FOLDER


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A path to build OUT/cifar-10-batches-py at, in a temporary folder renamed on success."""
    target = out / FOLDER
    if target.exists():
        raise CifarError(f"{target} already exists; remove it or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-", dir=out))
    try:
        yield tmp / FOLDER
        os.rename(tmp / FOLDER, target)  # fails, rather than merges, if the target appeared
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the partial folder, or the archive


def add_commands(subs: argparse._SubParsersAction) -> None:
    """Register `download` and `subset` on the trainer's command line."""
    dl = subs.add_parser("download", help="download the full CIFAR-10 (python version)")
    dl.add_argument("--out", required=True, help="folder to hold cifar-10-batches-py/")
    sub = subs.add_parser("subset", help="the first N images of each batch file")
    sub.add_argument("--source", required=True, help="a CIFAR-10 folder (or its parent)")
    sub.add_argument("--per-batch", type=int, required=True, metavar="N", help="images per file")
    sub.add_argument("--out", required=True, help="folder to hold cifar-10-batches-py/")


def download_command(args: argparse.Namespace) -> int:
    """`cifar download`: the full data set, md5 checked."""
    return _done(download_full(args.out))


def subset_command(args: argparse.Namespace) -> int:
    """`cifar subset`: the first N images of each batch file."""
    return _done(write_subset(args.source, args.per_batch, args.out))


def _done(folder: Path) -> int:
    """Say where the data is and how to use it."""
    print(f"wrote {folder}; train on it with --data-dir {folder.parent}")
    return 0
