"""Running a study: every run of its grid through `train`, into one folder, then its summary.

Finished runs are kept, so an interrupted `experiment all` picks up where it stopped.
"""

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from snippets.cifar.errors import CifarError
from snippets.cifar.experiments.records import STUDY, StudyRecords, load_study
from snippets.cifar.experiments.studies import SCALES, STUDIES, Study, names, study
from snippets.cifar.experiments.summary import write_summary
from snippets.cifar.rundir import FINISHED, RunFolder, write_json
from snippets.cifar.train import train

SMALL_DATA = "../shared/data/cifar10-subset"  # the shared subset, relative to the repo root


class Interrupted(Exception):
    """Ctrl-C stopped a run; its checkpoint is kept and the next call resumes it."""


def write_study(study: Study, scale: str, folder: Path) -> None:
    """study.json: the question, the report's observation and the grid, atomically."""
    write_json(
        folder / STUDY,
        {
            "name": study.name,
            "question": study.question,
            "report": study.report,
            "scale": scale,
            "dataset": SCALES[scale].dataset,
            "panels": list(study.panels),
            "runs": [{"name": r.name, "label": r.label, "seed": r.seed} for r in study.runs],
        },
    )


def run_study(
    study: Study,
    scale: str,
    out: Path,
    data_dir: str | None,
    device: str = "auto",
    keep_checkpoints: bool = False,
    argv: list[str] | None = None,
    say=print,
) -> StudyRecords:
    """Train every run of `study` into `out/<study>/<run>/` and write the summary table."""
    folder = Path(out) / study.name
    write_study(study, scale, folder)
    for number, run in enumerate(study.runs, start=1):
        run_folder = RunFolder(folder / run.name)
        resume = False
        if run_folder.holds_a_run():
            status = run_folder.read_run().get("status")
            if status in FINISHED:
                say(f"[{study.name} {number}/{len(study.runs)}] {run.name}: kept ({status})")
                continue
            if not run_folder.checkpoint.exists():
                raise CifarError(
                    f"{run_folder.path} holds an unfinished run ({status}) without a checkpoint; "
                    "delete that folder to run it again"
                )
            resume = True
        config = replace(
            run.config,
            data_dir=data_dir,
            download=scale == "full",  # the small scale never downloads into the subset
            device=device,
            out=str(run_folder.path),
            resume=resume,
            progress=False,
        )
        result = train(config, argv=argv)
        say(f"[{study.name} {number}/{len(study.runs)}] {run.name}: {result.message}")
        if result.status == "interrupted":
            raise Interrupted(result.message)
        if not keep_checkpoints:
            run_folder.tidy()
    recorded = load_study(folder)
    write_summary(recorded)
    return recorded


def experiment_arguments(sub: argparse.ArgumentParser) -> None:
    """The `experiment` options."""
    add = sub.add_argument
    add("name", help=f"one of {', '.join(STUDIES)}, or all")
    add("--scale", default="small", help="small (CPU, the shared subset), full (GPU, all of "
        "CIFAR-10) or tiny (a smoke test) (default: small)")  # fmt: skip
    add("--data-dir", help=f"CIFAR-10 folder (default: {SMALL_DATA} for small, else the cache)")
    add("--device", default="auto", help="auto, cpu, cuda or mps (default: auto)")
    add("--out", help="folder for the study folders (default: runs/<scale>)")
    add("--seeds", type=int, nargs="+", help="seeds of the multi-seed studies (default: 0 1)")
    add("--keep-checkpoints", action="store_true", help="keep each run's checkpoint.pt")
    add("--threads", type=int, help="CPU threads for torch (default: torch's, one per core)")


def run_experiment(args: argparse.Namespace, argv: list[str] | None = None) -> int:
    """`python -m snippets.cifar experiment ...`: run the named studies; 0 done, 130 stopped."""
    seeds = tuple(args.seeds) if args.seeds else None
    grids = [study(name, args.scale, seeds) for name in names(args.name)]  # checks every input
    data_dir = args.data_dir or (SMALL_DATA if args.scale == "small" else None)
    if data_dir and not Path(data_dir).exists() and args.scale == "small":
        raise CifarError(f"--data-dir {data_dir} does not exist (the small scale needs the subset)")
    if args.threads is not None:
        if args.threads < 1:
            raise CifarError(f"--threads must be positive, got {args.threads}")
        torch.set_num_threads(args.threads)  # run.json's device_name records the count
    out = Path(args.out or Path("runs") / args.scale)
    command = ["python", "-m", "snippets.cifar", *(sys.argv[1:] if argv is None else argv)]
    started = time.time()
    try:
        for grid in grids:
            recorded = run_study(
                grid, args.scale, out, data_dir, args.device, args.keep_checkpoints, command
            )
            print(f"{grid.name}: {len(recorded.runs)} runs, summary in {recorded.folder}")
    except Interrupted as error:
        print(f"stopped: {error}; run the same command again to resume", file=sys.stderr)
        return 130
    print(f"done in {time.time() - started:.0f} s; records under {out}")
    return 0
