"""A study's run records read back, refusing any run that cannot say where it came from.

A study folder holds `study.json` (the question and the grid) and one folder per run with the
trainer's `run.json` and `metrics.jsonl`. Figures, tables and the site read them only through
`load_study`, so a record without provenance stops them with a message naming the file.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from snippets.cifar.errors import CifarError

STUDY = "study.json"
RUN = "run.json"
METRICS = "metrics.jsonl"
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


@dataclass
class RunRecord:
    """One run: its place in the grid, its run.json and its per-epoch metrics."""

    name: str
    label: str
    seed: int
    info: dict
    metrics: list[dict]

    @property
    def status(self) -> str:
        return self.info["status"]

    @property
    def config(self) -> dict:
        return self.info["config"]


@dataclass
class StudyRecords:
    """A study as recorded: what study.json says plus every run's record, in grid order."""

    name: str
    question: str
    report: str
    scale: str
    dataset: str
    panels: list[str]
    runs: list[RunRecord]
    folder: Path

    def labels(self) -> list[str]:
        """The grid's labels in order, each once (seeds of one label share it)."""
        return list(dict.fromkeys(r.label for r in self.runs))

    def caption(self) -> str:
        """Dataset, sizes, scale and seeds: the line every figure and table carries."""
        seeds = sorted({r.seed for r in self.runs})
        return (
            f"{self.dataset}: {self.span('train_images')} train / {self.span('test_images')} "
            f"test images, scale {self.scale}, seed{'s' if len(seeds) > 1 else ''} "
            f"{', '.join(map(str, seeds))}"
        )

    def span(self, key: str) -> str:
        """The runs' `data[key]` as '5,085', or '10-100' where runs differ (overfit-first)."""
        values = sorted({r.info["data"][key] for r in self.runs})
        return f"{values[0]:,}" if len(values) == 1 else f"{values[0]:,}-{values[-1]:,}"


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
            "`python -m snippets.cifar experiment ...` instead of editing records by hand."
        )


# --8<-- [end:provenance]


def read_metrics(path: Path) -> list[dict]:
    """Every epoch row of a metrics.jsonl; a diverged run may have none."""
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


def load_study(folder: Path) -> StudyRecords:
    """The study recorded in `folder`, every run checked; RecordError names the first bad file."""
    folder = Path(folder)
    meta = read_json(folder / STUDY)
    for key in ("name", "question", "report", "scale", "dataset", "panels", "runs"):
        if key not in meta:
            raise RecordError(f"{folder / STUDY}: '{key}' is missing")
    runs = []
    for entry in meta["runs"]:
        run_folder = folder / entry["name"]
        info = read_json(run_folder / RUN)
        check_provenance(info, run_folder / RUN)
        metrics = read_metrics(run_folder / METRICS)
        if info["status"] == "completed" and not metrics:
            raise RecordError(f"{run_folder / METRICS}: a completed run with no epochs recorded")
        runs.append(RunRecord(entry["name"], entry["label"], entry["seed"], info, metrics))
    if not runs:
        raise RecordError(f"{folder / STUDY}: the study lists no runs")
    return StudyRecords(
        meta["name"],
        meta["question"],
        meta["report"],
        meta["scale"],
        meta["dataset"],
        list(meta["panels"]),
        runs,
        folder,
    )


def find_studies(root: Path) -> list[Path]:
    """Every study folder under `root` (those holding a study.json), sorted."""
    return sorted(p.parent for p in Path(root).rglob(STUDY))


def best(values: list[float | None]) -> float | None:
    """The largest finite value, or None."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return max(finite) if finite else None
