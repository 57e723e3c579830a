"""Figures from run records: one SVG per study, readable on a light page and on a dark one.

The look (transparent background, mid-grey axes, Okabe-Ito colours) is snippets.plotstyle's,
shared with the posts' concept figures. Seeds of one setting share a colour: a line for their
mean, a band from their minimum to their maximum. Every figure names its dataset, sizes and scale.

`cifar figures [RUNS] --out DIR` writes every study's figure to DIR. matplotlib is imported
inside the functions that draw, so reading records through this module stays instant.
"""

from pathlib import Path

import numpy as np

from snippets.cifar.errors import CifarError
from snippets.cifar.experiments.records import StudyRecords, StudyRun, find_studies, load_study
from snippets.cifar.rundir import write_text
from snippets.plotstyle import GREY, PALETTE, STYLE, svg_text

TITLES = {
    "accuracy": ("epoch", "accuracy (%)"),
    "loss": ("epoch", "loss"),
    "accuracy_time": ("training time (s)", "test accuracy (%)"),
    "gap": ("epoch", "train - test accuracy (points)"),
    "overfit": ("epoch", "accuracy on the memorised images (%)"),
}


def series(runs: list[StudyRun], key: str, x: str = "epoch") -> tuple[np.ndarray, np.ndarray]:
    """x values and one row of `key` per run, over the epochs every run reached."""
    rows = [[m for m in r.metrics if m.get(key) is not None] for r in runs]
    common = min(len(r) for r in rows)
    if x == "time":
        xs = np.cumsum([m["seconds"] for m in rows[0][:common]])
    else:
        xs = np.array([m["epoch"] for m in rows[0][:common]], dtype=float)
    ys = np.array([[m[key] for m in r[:common]] for r in rows], dtype=float)
    return xs, ys


def band(ax, xs: np.ndarray, ys: np.ndarray, colour: str, dashes: str = "-") -> None:
    """The mean over runs as a line, the min-max over runs as a shaded band."""
    if len(xs) == 0:
        return
    marker = "o" if len(xs) == 1 else None  # a one-epoch run is a point, not a line
    ax.plot(xs, ys.mean(0), dashes, color=colour, linewidth=1.6, marker=marker)
    if len(ys) > 1:
        ax.fill_between(xs, ys.min(0), ys.max(0), color=colour, alpha=0.2, linewidth=0)


def mark_divergence(ax, runs: list[StudyRun], colour: str) -> None:
    """An x at the bottom of the axes where each diverged run's loss became non-finite."""
    for run in runs:
        where = run.diverged
        if where:
            steps = max(1, run.info["data"]["train_images"] // run.config["batch_size"])
            x = where["epoch"] - 1 + where["step"] / steps
            ax.plot([x], [0.02], "x", color=colour, markersize=9, markeredgewidth=2,
                    transform=ax.get_xaxis_transform(), clip_on=False)  # fmt: skip


def draw(ax, panel: str, study: StudyRecords) -> None:
    """One panel: every label of the study in its colour."""
    from matplotlib.ticker import MaxNLocator

    for i, label in enumerate(study.labels()):
        colour = PALETTE[i % len(PALETTE)]
        runs = [r for r in study.runs if r.label == label]
        alive = [r for r in runs if r.metrics]
        if alive and panel == "accuracy":
            band(ax, *scaled(series(alive, "test_acc")), colour)
            band(ax, *scaled(series(alive, "train_acc")), colour, "--")
        elif alive and panel == "loss":
            band(ax, *series(alive, "test_loss"), colour)
            band(ax, *series(alive, "train_loss"), colour, "--")
        elif alive and panel == "accuracy_time":
            band(ax, *scaled(series(alive, "test_acc", x="time")), colour)
        elif alive and panel == "gap":
            xs, train = series(alive, "train_acc")
            _, test = series(alive, "test_acc")
            band(ax, xs, 100 * (train - test), colour)
        elif alive and panel == "overfit":
            band(ax, *scaled(series(alive, "overfit_acc")), colour)
        mark_divergence(ax, runs, colour)
    if panel == "loss":  # a too-large rate's loss is orders of magnitude above the others
        ax.set_yscale("log")
    if panel != "accuracy_time":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    xlabel, ylabel = TITLES[panel]
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color=GREY, alpha=0.25, linewidth=0.6)


def scaled(xy: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Accuracies as percentages."""
    return xy[0], 100 * xy[1]


def legend_handles(study: StudyRecords) -> list:
    """One entry per label (with its divergence, if any) plus the line-style key (Line2Ds)."""
    from matplotlib.lines import Line2D

    handles = []
    for i, label in enumerate(study.labels()):
        runs = [r for r in study.runs if r.label == label]
        where = [r.diverged for r in runs if r.diverged]
        if where:
            label += f" (diverged: epoch {where[0]['epoch']}, step {where[0]['step']}, marked x)"
        handles.append(Line2D([], [], color=PALETTE[i % len(PALETTE)], linewidth=2, label=label))
    styles = {"accuracy", "loss"} & set(study.panels)
    if styles:
        handles.append(Line2D([], [], color=GREY, linestyle="-", label="test"))
        handles.append(Line2D([], [], color=GREY, linestyle="--", label="train"))
    return handles


def render(study: StudyRecords) -> str:
    """The study's figure as SVG text: its panels side by side, legend and caption below."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        panels = study.panels
        fig = Figure(figsize=(max(8.0, 4.4 * len(panels)), 4.3), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, panel in zip(axes, panels, strict=True):
            draw(ax, panel, study)
        handles = legend_handles(study)
        fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)))
        several = len({r.seed for r in study.runs}) > len(study.labels()) or any(
            sum(r.label == label for r in study.runs) > 1 for label in study.labels()
        )
        spread = "; line: mean over seeds, band: min-max" if several else ""
        fig.suptitle(f"{study.caption()}{spread}", fontsize=9, color=GREY)
        return svg_text(fig)


def render_all(root: Path, out: Path) -> list[Path]:
    """Every study under `root` rendered to `out/<relative folder>.svg`; the paths written."""
    written = []
    for folder in find_studies(root):
        target = out / folder.relative_to(root).with_suffix(".svg")
        write_text(target, render(load_study(folder)))
        written.append(target)
    if not written:
        raise CifarError(f"no study records (study.json) under {root}")
    return written
