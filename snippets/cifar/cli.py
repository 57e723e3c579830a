"""`cifar`: train, evaluate, predict, replay studies, draw figures, download and subset the data.

`python -m snippets.cifar` is the same command.

It only turns arguments into a TrainConfig (or a checkpoint path) and results into text and an
exit status, as `epma` does: 0 done, 2 bad input (one line `cifar COMMAND: what is wrong`, no
traceback), 3 diverged, 130 interrupted.
"""

import argparse
import json
import sys
import typing
from dataclasses import fields
from pathlib import Path

from snippets.cifar.config import CHOICES, TrainConfig, default_text
from snippets.cifar.errors import CifarError
from snippets.cifar.experiments.runner import experiment_arguments, run_experiment
from snippets.cifar.recipe import PARTS, RECIPES
from snippets.cifar.subset import add_commands as add_data_commands
from snippets.cifar.subset import download_command, subset_command

EXIT = {"completed": 0, "bad input": 2, "diverged": 3, "interrupted": 130}
# What each `train` option does; its default is appended from TrainConfig (config.default_text).
TRAIN_HELP = {
    "model": "the network",
    "epochs": "passes over the training set",
    "batch_size": "images per step, summed over all processes (a multiple of their number)",
    "lr": "peak learning rate",
    "loss": "the loss",
    "optimizer": "the optimiser (sgd: Nesterov momentum)",
    "schedule": "learning-rate schedule",
    "momentum": "SGD momentum",
    "weight_decay": "on weight matrices and kernels only",
    "label_smoothing": "for --loss ce",
    "augment": "random crop and flip",
    "pad": "crop padding in pixels",
    "cutout": "cutout square side; 0 = off",
    "activation": "boringnet's activation",
    "width": "mlp/speednet width multiplier",
    "tta": "test-time augmentation: the mirror image (and 1-pixel shifts with the recipe)",
    "seed": "initialisation, order and augmentation",
    "overfit": "train on N fixed images without augmentation; report if 100%% is reached",
    "device": "auto: CUDA, then MPS, then the CPU, saying why when a GPU cannot be used",
    "precision": "auto: bf16 on GPUs with native bf16 (compute capability >= 8), fp16 with "
    "loss scaling on older GPUs, fp32 on the CPU",
    "compile": "torch.compile the model",
    "data_dir": "CIFAR-10 folder",
    "download": "fail instead of downloading when the data is absent",
    "out": "run folder for metrics.jsonl, run.json, checkpoint.pt",
    "resume": "continue the run in --out from its checkpoint",
    "progress": "print nothing while training",
    "eval_every": "test every N epochs (and after the last)",
    "check_every": "read the loss on the host every N steps: divergence check and Ctrl-C",
    "recipe": f"{' or '.join(RECIPES)} (the speed records' tricks), then ,+PART or ,-PART with "
    f"PART one of {', '.join(PARTS)}",
}


def train_arguments(sub: argparse.ArgumentParser) -> None:
    """The `train` options: one per TrainConfig field, choices from the registries."""
    for f in fields(TrainConfig):
        option = "--" + f.name.replace("_", "-")
        text = TRAIN_HELP[f.name]
        if f.name not in ("progress", "download", "compile", "resume"):  # flags: off unless given
            text += f" (default: {default_text(f.name).replace('%', '%%')})"
        kind = next(t for t in (*typing.get_args(f.type), f.type) if t is not type(None))
        if f.name == "progress":
            sub.add_argument("--quiet", dest="progress", action="store_false", help=text)
        elif f.name == "download":
            sub.add_argument("--no-download", dest="download", action="store_false", help=text)
        elif f.name in ("compile", "resume"):
            sub.add_argument(option, action="store_true", help=text)
        elif kind is bool:
            sub.add_argument(option, action=argparse.BooleanOptionalAction, default=None, help=text)
        elif f.name in CHOICES and f.name != "device":  # device also takes cuda:1
            sub.add_argument(option, choices=CHOICES[f.name], default=None, help=text)
        else:
            metavar = "N" if kind is int else f.name.split("_")[-1].upper()
            sub.add_argument(option, type=kind, default=None, metavar=metavar, help=text)


def parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    top = argparse.ArgumentParser(prog="cifar", description=__doc__.split("\n")[0])
    subs = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train_arguments(subs.add_parser("train", help="train a model"))
    ev = subs.add_parser("evaluate", help="test loss and accuracy (per class) of a checkpoint")
    ev.add_argument("checkpoint", help="checkpoint.pt or the run folder holding it")
    ev.add_argument("--data-dir", help="CIFAR-10 folder (default: the one the run used)")
    ev.add_argument("--device", default="auto", help="default: %(default)s")
    ev.add_argument("--json", action="store_true", help="print JSON instead of a table")
    pr = subs.add_parser("predict", help="classify image files with a checkpoint")
    pr.add_argument("checkpoint", help="checkpoint.pt or the run folder holding it")
    pr.add_argument("images", nargs="+", help="image files (resized to 32x32)")
    pr.add_argument("--top", type=int, default=1, help="how many classes to show (default: 1)")
    pr.add_argument("--device", default="auto", help="default: %(default)s")
    experiment_arguments(subs.add_parser("experiment", help="replay a homework study"))
    fig = subs.add_parser("figures", help="draw every study's figure from its run records")
    fig.add_argument("runs", nargs="?", default="runs", help="records root (default: runs)")
    fig.add_argument("--out", default="build/figures", help="default: %(default)s")
    add_data_commands(subs)  # download, subset
    return top


def train_command(args: argparse.Namespace, argv: list[str] | None) -> int:
    """`cifar train`: options not given keep TrainConfig's defaults."""
    from snippets.cifar.train import train

    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in given.items() if v is not None})
    result = train(config, argv=["cifar", *(sys.argv[1:] if argv is None else argv)])
    if result.status != "completed":
        print(result.message, file=sys.stderr)
    return EXIT[result.status]


def evaluate_command(args: argparse.Namespace) -> int:
    from snippets.cifar.predict import evaluate_checkpoint

    report = evaluate_checkpoint(args.checkpoint, args.data_dir, args.device)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"test loss {report['test_loss']:.4f}  accuracy {report['test_acc']:.2%}"
        f"  ({report['test_images']} images in {report['data']})"
    )
    for name, acc in report["per_class_acc"].items():
        print(f"  {name:<12}{acc:7.2%}")
    return 0


def predict_command(args: argparse.Namespace) -> int:
    from snippets.cifar.predict import predict

    for row in predict(args.checkpoint, args.images, args.device, args.top):
        guesses = "  ".join(f"{name} {p:.1%}" for name, p in row["top"])
        print(f"{row['image']}\t{guesses}")
    return 0


def figures_command(args: argparse.Namespace) -> int:
    from snippets.cifar.experiments.figures import render_all

    for path in render_all(Path(args.runs), Path(args.out)):
        print(path)
    return 0


COMMANDS = {
    "train": train_command,
    "evaluate": lambda args, argv: evaluate_command(args),
    "predict": lambda args, argv: predict_command(args),
    "experiment": lambda args, argv: run_experiment(args, argv),
    "figures": lambda args, argv: figures_command(args),
    "download": lambda args, argv: download_command(args),
    "subset": lambda args, argv: subset_command(args),
}


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return the exit status (argparse's own errors exit 2 too)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # --help (0) or an argparse error (2, already printed)
        return int(exit_.code or 0)
    try:
        return COMMANDS[args.command](args, argv)
    except CifarError as error:
        print(f"cifar {args.command}: {error}", file=sys.stderr)
        return EXIT["bad input"]
