"""The command line: `python -m snippets.cifar train|evaluate|predict|experiment ...`.

It only turns arguments into a TrainConfig (or a checkpoint path) and results into text and an
exit status: 0 done, 2 bad input, 3 diverged, 130 interrupted.
"""

import argparse
import json
import sys
from dataclasses import fields

from snippets.cifar.config import DEVICES, OPTIMIZERS, TrainConfig
from snippets.cifar.data import default_data_dir
from snippets.cifar.errors import CifarError
from snippets.cifar.experiments_runner import experiment_arguments, run_experiment
from snippets.cifar.models import ACTIVATIONS, MODELS
from snippets.cifar.objectives import LOSSES
from snippets.cifar.recipe import PARTS
from snippets.cifar.schedules import SCHEDULES

EXIT = {"completed": 0, "diverged": 3, "interrupted": 130}


def train_arguments(sub: argparse.ArgumentParser) -> None:
    """The `train` options; every one is a TrainConfig field of the same name."""
    d = TrainConfig()
    add = sub.add_argument
    add("--model", default=d.model, help=f"one of {', '.join(MODELS)} (default: %(default)s)")
    add("--epochs", type=int, default=d.epochs, help="default: %(default)s")
    add("--batch-size", type=int, default=d.batch_size, help="default: %(default)s")
    add("--lr", type=float, help="peak learning rate (default: 0.05 for sgd, 2e-3 for adamw)")
    add("--loss", default=d.loss, help=f"one of {', '.join(LOSSES)} (default: %(default)s)")
    add("--optimizer", default=d.optimizer, help=f"one of {', '.join(OPTIMIZERS)} (default: sgd)")
    add("--schedule", default=d.schedule, help=f"one of {', '.join(SCHEDULES)} (default: onecycle)")
    add("--momentum", type=float, default=d.momentum, help="SGD momentum (default: 0.9)")
    add("--weight-decay", type=float, help="default: 5e-4 for sgd, 0.05 for adamw")
    add("--label-smoothing", type=float, help="for --loss ce (default: 0.2 speednet, else 0)")
    add(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=d.augment,
        help="random crop and flip (default: on)",
    )
    add("--pad", type=int, default=d.pad, help="crop padding in pixels (default: 4)")
    add("--cutout", type=int, default=d.cutout, help="cutout square side; 0 = off (default)")
    add(
        "--activation",
        default=d.activation,
        help=f"boringnet: one of {', '.join(ACTIVATIONS)} (default: relu)",
    )
    add("--width", type=float, default=d.width, help="mlp/speednet width multiplier (default: 1)")
    add(
        "--tta",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="flip test-time augmentation (default: on for speednet)",
    )
    add("--seed", type=int, default=d.seed, help="default: 0")
    add(
        "--overfit",
        type=int,
        default=d.overfit,
        metavar="N",
        help="train on N fixed images without augmentation; report if 100%% is reached",
    )
    add("--device", default=d.device, help=f"one of {', '.join(DEVICES)} (default: auto)")
    add("--compile", action="store_true", help="torch.compile the model")
    add("--data-dir", help=f"CIFAR-10 folder (default: $CIFAR10_DIR or {default_data_dir()})")
    add(
        "--no-download",
        dest="download",
        action="store_false",
        help="fail instead of downloading when the data is absent",
    )
    add("--out", help="run folder for metrics.jsonl, run.json, checkpoint.pt (default: none)")
    add("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    add("--quiet", dest="progress", action="store_false", help="print nothing while training")
    add("--eval-every", type=int, default=d.eval_every, help="test every N epochs (default: 1)")
    add(
        "--recipe",
        default=d.recipe,
        help="plain or record (the speed records' tricks), then ,+PART / ,-PART: "
        f"{', '.join(PARTS)} (default: %(default)s)",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser with its four subcommands."""
    top = argparse.ArgumentParser(
        prog="python -m snippets.cifar", description=__doc__.split("\n")[0]
    )
    subs = top.add_subparsers(dest="command", required=True)
    train_arguments(subs.add_parser("train", help="train a model"))
    ev = subs.add_parser("evaluate", help="test loss and accuracy (per class) of a checkpoint")
    ev.add_argument("checkpoint", help="checkpoint.pt or the run folder holding it")
    ev.add_argument("--data-dir", help="CIFAR-10 folder (default: the one the run used)")
    ev.add_argument("--device", default="auto")
    ev.add_argument("--json", action="store_true", help="print JSON instead of a table")
    pr = subs.add_parser("predict", help="classify image files with a checkpoint")
    pr.add_argument("checkpoint", help="checkpoint.pt or the run folder holding it")
    pr.add_argument("images", nargs="+", help="image files (resized to 32x32)")
    pr.add_argument("--top", type=int, default=1, help="how many classes to show (default: 1)")
    pr.add_argument("--device", default="auto")
    experiment_arguments(subs.add_parser("experiment", help="replay a homework study"))
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return the exit status."""
    from snippets.cifar.predict import evaluate_checkpoint, predict
    from snippets.cifar.train import train

    args = parser().parse_args(argv)
    try:
        if args.command == "experiment":
            return run_experiment(args, argv)
        if args.command == "train":
            names = {f.name for f in fields(TrainConfig)}
            config = TrainConfig(**{k: v for k, v in vars(args).items() if k in names})
            result = train(config, argv=["python", "-m", "snippets.cifar", *(argv or sys.argv[1:])])
            if result.status != "completed":
                print(result.message, file=sys.stderr)
            return EXIT[result.status]
        if args.command == "evaluate":
            report = evaluate_checkpoint(args.checkpoint, args.data_dir, args.device)
            if args.json:
                print(json.dumps(report, indent=2))
            else:
                print(
                    f"test loss {report['test_loss']:.4f}  accuracy {report['test_acc']:.2%}"
                    f"  ({report['test_images']} images in {report['data']})"
                )
                for name, acc in report["per_class_acc"].items():
                    print(f"  {name:<12}{acc:7.2%}")
            return 0
        for row in predict(args.checkpoint, args.images, args.device, args.top):
            guesses = "  ".join(f"{name} {p:.1%}" for name, p in row["top"])
            print(f"{row['image']}\t{guesses}")
        return 0
    except CifarError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
