"""A study's run records read back, refusing any run that cannot say where it came from.

A study folder holds `study.json` (the question and the grid) and one run folder per run (see
`snippets.cifar.rundir`). Figures, tables and the site read them only through `load_study`, so
a record without provenance stops them with a message naming the file.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from snippets.cifar.rundir import RecordError, RunFolder, RunRecord, read_json

STUDY = "study.json"


@dataclass
class StudyRun(RunRecord):
    """One run of a study: its place in the grid as well as its record."""

    name: str = ""
    label: str = ""
    seed: int = 0


@dataclass
class StudyRecords:
    """A study as recorded: what study.json says plus every run's record, in grid order."""

    name: str
    question: str
    report: str
    scale: str
    dataset: str
    panels: list[str]
    runs: list[StudyRun]
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


def load_study(folder: Path) -> StudyRecords:
    """The study recorded in `folder`, every run checked; RecordError names the first bad file."""
    folder = Path(folder)
    meta = read_json(folder / STUDY)
    for key in ("name", "question", "report", "scale", "dataset", "panels", "runs"):
        if key not in meta:
            raise RecordError(f"{folder / STUDY}: '{key}' is missing")
    runs = []
    for entry in meta["runs"]:
        record = RunFolder(folder / entry["name"]).read()
        runs.append(
            StudyRun(record.info, record.metrics, entry["name"], entry["label"], entry["seed"])
        )
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
