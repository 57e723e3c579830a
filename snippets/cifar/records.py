"""What a run leaves behind, always written atomically: a crash never leaves half a file.

- metrics.jsonl: one JSON object per finished epoch.
- run.json: provenance (command line, git commit, versions, device, data) and the outcome.
- checkpoint.pt: everything `--resume`, `evaluate` and `predict` need.
- tensorboard/: event files, when the optional `tensorboard` package is installed.
"""

import contextlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

METRICS = "metrics.jsonl"
RUN = "run.json"
CHECKPOINT = "checkpoint.pt"
PACKAGES = ("snippets", "torch", "torchvision", "numpy")
UMASK = os.umask(0o022)
os.umask(UMASK)  # reading the umask means setting it: put it back at once


# --8<-- [start:atomic]
def atomic_write(path: Path, write: Any) -> None:
    """Call `write(file)` on a temporary file beside `path`, then rename it over `path`.

    The rename is atomic on POSIX and Windows: a reader (or a crash) sees the old file or the
    new one, never a half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes it private; give it a normal file's mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --8<-- [end:atomic]


def write_json(path: Path, obj: Any) -> None:
    """`obj` as indented JSON, atomically."""
    atomic_write(path, lambda f: f.write((json.dumps(obj, indent=2) + "\n").encode()))


def write_metrics(path: Path, history: list[dict]) -> None:
    """Every epoch's metrics, one JSON object per line, atomically (the file is rewritten whole)."""
    text = "".join(json.dumps(row) + "\n" for row in history)
    atomic_write(path, lambda f: f.write(text.encode()))


def read_metrics(path: Path) -> list[dict]:
    """The per-epoch metrics a run wrote."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def save_checkpoint(path: Path, state: dict) -> None:
    """torch.save `state` atomically."""
    atomic_write(path, lambda f: torch.save(state, f))


def git_commit() -> str | None:
    """The commit of the code that ran, with '-dirty' if it had uncommitted changes."""
    here = Path(__file__).resolve().parent

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else ""

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return (commit + ("-dirty" if dirty else "")) or None


def device_name(device: torch.device) -> str:
    """A human name for `device`: the GPU's model, or the CPU's with its core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{device.type}: {cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} threads"


def versions() -> dict[str, str]:
    """Python's and the relevant packages' versions."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


def provenance(device: torch.device, argv: list[str] | None) -> dict:
    """Where and how a run ran: enough to reproduce it or to distrust it."""
    return {
        "argv": sys.argv if argv is None else argv,
        "git_commit": git_commit(),
        "versions": versions(),
        "device": str(device),
        "device_name": device_name(device),
        "platform": platform.platform(),
    }


def tensorboard_writer(folder: Path) -> Any:
    """A SummaryWriter into `folder` when tensorboard is installed, else None (it is optional)."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(folder))
