"""A run folder: the one owner of its file names, their schemas and how they are written and read.

- run.json: provenance (command line, git commit, versions, device, precision, data) and the
  outcome (status, message, and for a diverged run where it diverged, as fields).
- metrics.jsonl: one JSON object per finished epoch.
- checkpoint.pt: everything `--resume`, `evaluate` and `predict` need.
- tensorboard/: event files, when the optional `tensorboard` package is installed.

Every file is written atomically: a crash never leaves half a file that looks complete.
torch is imported only to write or read a checkpoint, so reading records stays light.
"""

import contextlib
import importlib.metadata
import json
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snippets.atomic import atomic_file
from snippets.cifar.errors import CifarError

if TYPE_CHECKING:
    import torch

RUN = "run.json"
METRICS = "metrics.jsonl"
CHECKPOINT = "checkpoint.pt"
TENSORBOARD = "tensorboard"
SCHEMA = 2  # run.json: 2 adds `schema`, `precision` and `diverged`; 1 (no `schema`) is read too
FORMAT = 1  # checkpoint.pt: bump when its keys change
PACKAGES = ("snippets", "torch", "torchvision", "numpy")
FINISHED = ("completed", "diverged")
# What a run.json must hold for its numbers to be shown: who ran what, where, on which data.
PROVENANCE = {
    "argv": list,
    "git_commit": str,
    "versions": dict,
    "device": str,
    "device_name": str,
    "config": dict,
    "data": dict,
    "status": str,
    "message": str,
    "wall_seconds": (int, float),
    "epochs_done": int,
}
DATA_FIELDS = ("path", "train_images", "test_images")


class RecordError(CifarError):
    """A run record is missing, unreadable or lacks provenance."""


def atomic_write(path: Path, write: Any) -> None:
    """Call `write(file)` on a binary file that appears at `path` only when it is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, "wb") as f:
        write(f)


def write_text(path: Path, text: str) -> None:
    """`text` as UTF-8, atomically."""
    atomic_write(path, lambda f: f.write(text.encode()))


def write_json(path: Path, obj: Any) -> None:
    """`obj` as indented JSON, atomically."""
    write_text(path, json.dumps(obj, indent=2) + "\n")


def read_json(path: Path) -> dict:
    """A JSON object from `path`, or a RecordError saying what is wrong with the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(f"{path}: missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RecordError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise RecordError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def read_metrics(path: Path) -> list[dict]:
    """Every epoch row of a metrics.jsonl (none if the file is absent: a run may diverge early)."""
    if not path.exists():
        return []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise RecordError(f"{path}, line {number}: not valid JSON ({error})") from None
        if not isinstance(row, dict) or "epoch" not in row:
            raise RecordError(f"{path}, line {number}: expected an object with an 'epoch'")
        rows.append(row)
    return rows


# --8<-- [start:provenance]
def check_provenance(info: dict, where: Path) -> None:
    """Raise RecordError unless run.json `info` says what ran, where, on what, and how it ended."""
    problems = [
        f"'{key}' is missing" if key not in info else f"'{key}' is not a {kind}"
        for key, kind in PROVENANCE.items()
        if not isinstance(info.get(key), kind) or isinstance(info.get(key), bool)
    ]
    if not problems:
        problems += [f"'data.{k}' is missing" for k in DATA_FIELDS if k not in info["data"]]
        if info["status"] not in FINISHED:
            problems.append(f"status is {info['status']!r}, not one of {', '.join(FINISHED)}")
        if not info["git_commit"] or not info["argv"]:
            problems.append("'git_commit' or 'argv' is empty")
    if problems:
        raise RecordError(
            f"{where}: this run record lacks provenance ({'; '.join(problems)}). Figures and "
            "numbers are only drawn from records the trainer wrote; re-run the study with "
            "`cifar experiment ...` instead of editing records by hand."
        )


# --8<-- [end:provenance]

OLD_DIVERGED_AT = re.compile(r"epoch (\d+), step (\d+) \(learning rate ([^)]+)\)")


def divergence(info: dict) -> dict | None:
    """Where a diverged run's loss stopped being finite: {epoch, step (both from 1), lr}, or None.

    Schema 2 stores it as fields; a schema-1 record only had it in its message.
    """
    if info.get("status") != "diverged":
        return None
    if "diverged" in info:
        return info["diverged"]
    found = OLD_DIVERGED_AT.search(info.get("message", ""))
    if not found:
        return None
    return {"epoch": int(found[1]), "step": int(found[2]), "lr": float(found[3])}


@dataclass
class RunRecord:
    """A finished run as its folder holds it: run.json and the per-epoch metrics, checked."""

    info: dict
    metrics: list[dict]

    @property
    def status(self) -> str:
        return self.info["status"]

    @property
    def config(self) -> dict:
        return self.info["config"]

    @property
    def diverged(self) -> dict | None:
        return divergence(self.info)


@dataclass(frozen=True)
class RunFolder:
    """The files of one run under `path`; only the main process writes them."""

    path: Path

    @property
    def run_json(self) -> Path:
        return self.path / RUN

    @property
    def metrics(self) -> Path:
        return self.path / METRICS

    @property
    def checkpoint(self) -> Path:
        return self.path / CHECKPOINT

    @property
    def tensorboard(self) -> Path:
        return self.path / TENSORBOARD

    def holds_a_run(self) -> bool:
        return self.run_json.exists()

    def write_run(self, info: dict) -> None:
        write_json(self.run_json, {"schema": SCHEMA, **info})

    def write_metrics(self, history: list[dict]) -> None:
        """Every epoch's metrics, one JSON object per line (the file is rewritten whole)."""
        write_text(self.metrics, "".join(json.dumps(row) + "\n" for row in history))

    def save_checkpoint(self, state: dict) -> None:
        import torch

        atomic_write(self.checkpoint, lambda f: torch.save({"format": FORMAT, **state}, f))

    def read_run(self) -> dict:
        return read_json(self.run_json)

    def read(self) -> RunRecord:
        """The finished run, its provenance checked; RecordError names the first bad file."""
        info = self.read_run()
        check_provenance(info, self.run_json)
        metrics = read_metrics(self.metrics)
        if info["status"] == "completed" and not metrics:
            raise RecordError(f"{self.metrics}: a completed run with no epochs recorded")
        return RunRecord(info, metrics)

    def tidy(self) -> None:
        """Drop what a finished run no longer needs: the checkpoint and TensorBoard events."""
        self.checkpoint.unlink(missing_ok=True)
        shutil.rmtree(self.tensorboard, ignore_errors=True)


def load_checkpoint(path: Path | str) -> dict:
    """The checkpoint at `path` (a file, or a run folder holding one), on the CPU."""
    path = Path(path)
    if path.is_dir():
        path = RunFolder(path).checkpoint
    if not path.is_file():
        raise CifarError(f"{path}: no checkpoint here; a run writes one after each epoch")
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated or not a torch file: many exception types
        raise CifarError(f"{path}: not a readable checkpoint ({error!r})") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CifarError(f"{path}: not a checkpoint of this trainer (format {FORMAT})")
    return state


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


def versions() -> dict[str, str]:
    """Python's and the relevant packages' versions."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


def provenance(device: "torch.device", device_name: str, argv: list[str] | None) -> dict:
    """Where and how a run ran: enough to reproduce it or to distrust it."""
    return {
        "argv": sys.argv if argv is None else argv,
        "git_commit": git_commit(),
        "versions": versions(),
        "device": str(device),
        "device_name": device_name,
        "platform": platform.platform(),
    }


def tensorboard_writer(folder: Path) -> Any:
    """A SummaryWriter into `folder` when tensorboard is installed, else None (it is optional)."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(folder))
