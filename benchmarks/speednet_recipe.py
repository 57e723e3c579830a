"""Each part of the speed-record recipe measured on the shared CIFAR-10 subset on the CPU.

Trains speednet (half width, batch 256, the records' hyperparameters) with the whole recipe,
with the whole recipe less one part at a time, and with the plain trainer, for the same number
of epochs, and reports the test accuracy (with 0, 2 and 6 test-time views of the same trained
weights) and the training images/s. Accuracy at equal epochs does not depend on the machine's
load; images/s does, so compare those only within one run of this script.

Run one configuration per process (results are appended as JSON lines, so several processes
can share a machine), then the table:
`python -m benchmarks.speednet_recipe run --recipe record,-lookahead --seed 0`, then
`python -m benchmarks.speednet_recipe table`.
"""

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from benchmarks.common import SUBSET, machine
from benchmarks.record import RESULTS, Record
from benchmarks.speednet_cpu import RECIPE
from snippets.cifar import train
from snippets.cifar.augment import channel_stats
from snippets.cifar.data import load_cifar10
from snippets.cifar.objectives import make_loss
from snippets.cifar.recipe import PARTS
from snippets.cifar.train import evaluate

RUNS = RESULTS / "cifar-speednet-recipe.jsonl"
ABLATIONS = ["record", *(f"record,-{part}" for part in PARTS), "plain"]


def measure(recipe: str, seed: int, epochs: int, width: float, data_dir: str) -> dict:
    """Train one configuration; its accuracy at each test-time augmentation level and speed."""
    config = replace(
        RECIPE,
        recipe=recipe,
        seed=seed,
        epochs=epochs,
        width=width,
        eval_every=epochs,
        data_dir=data_dir,
    )
    start = time.perf_counter()
    result = train(config)
    wall = time.perf_counter() - start
    data = load_cifar10(data_dir, download_missing=False)
    stats = (*channel_stats(data.train_images), 1)
    loss_fn = make_loss("ce", 0.2)
    accuracy = {
        f"tta{level}": evaluate(
            result.model, data.test_images, data.test_labels, stats, loss_fn, tta=level
        )[1]
        for level in (0, 1, 2)
    }
    seconds = sum(row["seconds"] for row in result.history)
    return {
        "recipe": recipe,
        "seed": seed,
        "epochs": epochs,
        "width": width,
        "test_acc": result.final["test_acc"],
        **accuracy,
        "images_per_second": epochs
        * len(data.train_images)
        // config.batch_size
        * config.batch_size
        / seconds,
        "wall_seconds": wall,
        "threads": torch.get_num_threads(),
        "machine": machine(),
    }


def table(rows: list[dict]) -> list[str]:
    """A markdown table: one line per recipe, seeds averaged."""
    lines = [
        "| recipe | width | epochs | seeds | test acc. (as trained) | no TTA | 2 views | 6 views "
        "| images/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    keys = {(r["width"], r["epochs"], r["recipe"]) for r in rows}
    for width, epochs, recipe in sorted(keys, key=lambda k: (k[0], k[1], order(k[2]))):
        runs = [
            r for r in rows if (r["width"], r["epochs"], r["recipe"]) == (width, epochs, recipe)
        ]

        def mean(key: str, runs=runs) -> float:
            return sum(r[key] for r in runs) / len(runs)

        lines.append(
            f"| `{recipe}` | {width} | {epochs} | {len(runs)} | {mean('test_acc'):.2%} | "
            f"{mean('tta0'):.2%} | {mean('tta1'):.2%} | {mean('tta2'):.2%} | "
            f"{mean('images_per_second'):.0f} |"
        )
    return lines


def order(recipe: str) -> int:
    """Table order: the whole recipe, each part left out, the plain trainer."""
    return ABLATIONS.index(recipe) if recipe in ABLATIONS else len(ABLATIONS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("run", "table"))
    parser.add_argument("--recipe", default="record")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--width", type=float, default=RECIPE.width)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--data-dir", default=str(SUBSET))
    parser.add_argument("--runs", type=Path, default=RUNS, help="JSON lines of measured runs")
    parser.add_argument("--note", help="table: a line on the conditions (load, ...) to record")
    args = parser.parse_args()
    if args.what == "run":
        torch.set_num_threads(args.threads)
        row = measure(args.recipe, args.seed, args.epochs, args.width, args.data_dir)
        print(json.dumps(row))
        with args.runs.open("a") as out:  # one line per run: concurrent runs do not clash
            out.write(json.dumps(row) + "\n")
        return
    rows = [json.loads(line) for line in args.runs.read_text().splitlines() if line.strip()]
    record = Record("cifar-speednet-recipe")
    record.say(f"machine: {machine()}; {rows[0]['threads']} torch thread(s) per run")
    if args.note:
        record.say(args.note)
    for line in table(rows):
        record.say(line)
    record.write()


if __name__ == "__main__":
    main()
