"""A study's summary table from its records: one row per run, then one per label over seeds."""

import csv
import io
import re
import statistics
from pathlib import Path

from snippets.cifar.experiments.records import StudyRecords, StudyRun, best
from snippets.cifar.progress import plural
from snippets.cifar.rundir import write_text

COLUMNS = (
    "run",
    "label",
    "seed",
    "status",
    "epochs",
    "train_acc",
    "test_acc",
    "best_test_acc",
    "wall_seconds",
    "note",
)
ONE_PLURAL = re.compile(r"\b1 (core|thread)s\b")


def note(run: StudyRun) -> str:
    """What a reader should know beyond the numbers: divergence, or an overfit verdict."""
    where = run.diverged
    if where:
        return f"loss non-finite at epoch {where['epoch']}, step {where['step']}"
    overfit = run.info.get("overfit")
    if overfit:
        reached = "100 % reached" if overfit["reached_100"] else "100 % NOT reached"
        return f"{reached} in {plural(overfit['epochs'], 'epoch')}"
    return ""


def machine(run: StudyRun) -> str:
    """The run's device name; records written before 2026-11 said '1 threads'."""
    return ONE_PLURAL.sub(r"1 \1", run.info["device_name"])


def row(run: StudyRun) -> dict:
    """The summary row of one run (accuracies None where the run recorded none)."""
    final = run.metrics[-1] if run.metrics else {}
    return {
        "run": run.name,
        "label": run.label,
        "seed": run.seed,
        "status": run.status,
        "epochs": run.info["epochs_done"],
        "train_acc": final.get("train_acc"),
        "test_acc": final.get("test_acc"),
        "best_test_acc": best([m.get("test_acc") for m in run.metrics]),
        "wall_seconds": run.info["wall_seconds"],
        "note": note(run),
    }


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def spread(values: list[float | None]) -> str:
    """Mean of the values as a percentage, with the range when there is more than one."""
    present = [v for v in values if v is not None]
    if not present:
        return "-"
    if len(present) == 1:
        return percent(present[0])
    low, high = min(present), max(present)
    return f"{100 * statistics.mean(present):.1f} % ({100 * low:.1f}-{100 * high:.1f})"


def by_label(study: StudyRecords) -> list[dict]:
    """One row per label: final train/test accuracy over its seeds, mean (min-max)."""
    rows = []
    for label in study.labels():
        runs = [row(r) for r in study.runs if r.label == label]
        statuses = sorted({r["status"] for r in runs})
        rows.append(
            {
                "label": label,
                "seeds": len(runs),
                "status": ", ".join(statuses),
                "train_acc": spread([r["train_acc"] for r in runs]),
                "test_acc": spread([r["test_acc"] for r in runs]),
                "best_test_acc": spread([r["best_test_acc"] for r in runs]),
                "wall_seconds": f"{statistics.mean(r['wall_seconds'] for r in runs):.0f}",
                "note": "; ".join(dict.fromkeys(r["note"] for r in runs if r["note"])),
            }
        )
    return rows


def markdown(study: StudyRecords) -> str:
    """The per-label table in Markdown, with the caption under it."""
    head = ["run", "seeds", "status", "final train acc", "final test acc", "best test acc"]
    head += ["wall s / run", "note"]
    keys = ["label", "seeds", "status", "train_acc", "test_acc", "best_test_acc"]
    keys += ["wall_seconds", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in by_label(study):
        lines.append("| " + " | ".join(str(r[k]) for k in keys) + " |")
    several = any(r["seeds"] > 1 for r in by_label(study))
    more = " With several seeds: mean (min-max)." if several else ""
    lines.append("")
    lines.append(f"*{study.caption()}.{more}*")
    return "\n".join(lines) + "\n"


def csv_text(study: StudyRecords) -> str:
    """Every run's summary row as CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for run in study.runs:
        writer.writerow(row(run))
    return buffer.getvalue()


def write_summary(study: StudyRecords) -> tuple[Path, Path]:
    """summary.csv and summary.md beside the runs, written atomically."""
    paths = study.folder / "summary.csv", study.folder / "summary.md"
    for path, text in zip(paths, (csv_text(study), markdown(study)), strict=True):
        write_text(path, text)
    return paths


def clock(seconds: float) -> str:
    """Seconds as '42 s', '3 min 5 s' or '1 h 2 min'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds // 60 % 60} min"


# The report's own wall times (a laptop CPU, all 50,000 images), per study; None: not reported.
THEN = {
    "architectures": "LazyNet ~30 min, BoringNet ~1 h, one CoolNet variant ~45 min (30 epochs)",
    "activations": "~1 h per BoringNet run (ReLU, leaky ReLU)",
    "batch-size": "a 50-epoch CoolNet run ~1 h 15 min; batch 20 under 1 h, batch 5 over",
    "learning-rate": "not stated; a 50-epoch CoolNet run took ~1 h 15 min",
    "lr-decay": "not stated; a 50-epoch CoolNet run took ~1 h 15 min",
    "augmentation": "not stated; one run was stopped after ~120 epochs",
    "loss": "5 h for one 200-epoch MSE run with augmentation",
    "overfit-first": None,
    "batchnorm": None,
}


def wall_time_markdown(studies: list[StudyRecords]) -> str:
    """Then (the report) against now (run.json wall times), one row per study, and the machine."""
    head = "| study | then: the report | now: runs | now: total | now: longest run |"
    lines = [head, "|---|---|---|---|---|"]
    machines = set()
    for study in studies:
        walls = [r.info["wall_seconds"] for r in study.runs]
        longest = max(study.runs, key=lambda r: r.info["wall_seconds"])
        machines |= {machine(r) for r in study.runs}
        lines.append(
            f"| {study.name} | {THEN.get(study.name) or 'not in the report'} | {len(walls)} | "
            f"{clock(sum(walls))} | {clock(max(walls))} ({longest.label}, "
            f"{plural(longest.info['epochs_done'], 'epoch')}) |"
        )
    total = sum(r.info["wall_seconds"] for s in studies for r in s.runs)
    data = max((r.info["data"] for s in studies for r in s.runs), key=lambda d: d["train_images"])
    lines += [
        f"| **all** | days | {sum(len(s.runs) for s in studies)} | **{clock(total)}** | |",
        "",
        f"*Now: {studies[0].dataset} ({data['train_images']:,} train / "
        f"{data['test_images']:,} test images), scale {studies[0].scale}, on "
        f"{'; '.join(sorted(machines))}. Wall time per run as its run.json records it.*",
    ]
    return "\n".join(lines) + "\n"
