"""The homework's studies as named grids of TrainConfigs: one question, one folder of runs each.

`python -m snippets.cifar experiment NAME --scale small|full` runs a study through `train`;
`snippets.cifar.experiments.runner` does the running, this module only says what to run.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from snippets.cifar.config import TrainConfig
from snippets.cifar.errors import CifarError


@dataclass(frozen=True)
class Scale:
    """How big a replay is: `full` is the homework's own setting, `small` fits a 2-core CPU."""

    name: str
    dataset: str  # what the data is meant to be, for captions
    epochs: int  # epochs of a CoolNet run
    dense_epochs: int  # epochs of a LazyNet/BoringNet run
    long_epochs: int  # epochs of the loss study (MSE learns slowly)
    batch_size: int  # the batch every study but batch-size uses
    lr: float  # the learning rate the report settled on
    seeds: tuple[int, ...]  # seeds of the studies whose differences are small
    overfit_epochs: int  # the most epochs an overfit-first run may take


SCALES = {
    # The report: SGD with momentum on all 50,000 images, batch 4 (the tutorial's), lr 0.01,
    # 50 CoolNet epochs, 200 for MSE; no decay and no augmentation unless a study asks.
    "full": Scale("full", "CIFAR-10 (50,000 train / 10,000 test)", 50, 50, 200, 4, 0.01,
                  (0, 1, 2), 300),
    # The shared subset (5,085 / 1,017) on a 2-core CPU: fewer epochs, batch 32 (8x fewer
    # steps than batch 4), so that `experiment all` takes well under 30 minutes.
    "small": Scale("small", "CIFAR-10 subset", 12, 12, 24, 32, 0.01, (0, 1), 150),
    # The tests' smoke run: two epochs of everything, on whatever folder it is given.
    "tiny": Scale("tiny", "test data", 2, 2, 2, 16, 0.01, (0, 1), 5),
}  # fmt: skip


@dataclass(frozen=True)
class Run:
    """One cell of a study's grid: a folder name, a legend label and the config to train."""

    name: str
    label: str
    seed: int
    config: TrainConfig


@dataclass(frozen=True)
class Study:
    """A named grid of runs and the question it answers; `panels` says what its figure shows."""

    name: str
    question: str
    report: str  # what the original report observed
    panels: tuple[str, ...]
    runs: tuple[Run, ...]


# --8<-- [start:homework]
def homework(scale: Scale, **changes) -> TrainConfig:
    """The report's setting at `scale`: plain SGD + momentum, constant rate, no augmentation."""
    base = TrainConfig(
        model="coolnet",
        epochs=scale.epochs,
        batch_size=scale.batch_size,
        lr=scale.lr,
        loss="ce",
        optimizer="sgd",
        schedule="constant",
        momentum=0.9,
        weight_decay=0.0,
        augment=False,
        progress=False,
    )
    return replace(base, **changes)


# --8<-- [end:homework]


def grid(
    cells: list[tuple[str, str, dict]], scale: Scale, seeds: tuple[int, ...]
) -> tuple[Run, ...]:
    """Every (name, label, changes) cell once per seed, as Runs named `name-s<seed>`."""
    return tuple(
        Run(f"{name}-s{seed}", label, seed, homework(scale, seed=seed, **changes))
        for name, label, changes in cells
        for seed in seeds
    )


def architectures(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """One linear layer, three linear layers, a small conv net."""
    e = scale.dense_epochs
    cells = [
        ("lazynet", "LazyNet (1 linear layer)", {"model": "lazynet", "epochs": e}),
        ("boringnet", "BoringNet (3 linear, no activation)",
         {"model": "boringnet", "activation": "none", "epochs": e}),
        ("coolnet", "CoolNet (conv net)", {"model": "coolnet"}),
    ]  # fmt: skip
    return Study(
        "architectures",
        "How far do one linear layer, three stacked linear layers and a small conv net get?",
        "LazyNet ~32-33 % test; BoringNet ~43 % train, 37-38 % test; CoolNet ~81 % train, "
        "~61 % test after 50 epochs, all overfitting late.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds[:1]),
    )


def activations(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """BoringNet with no activation, ReLU and leaky ReLU between its layers."""
    e = scale.dense_epochs
    cells = [
        (act, label, {"model": "boringnet", "activation": act, "epochs": e})
        for act, label in [("none", "none"), ("relu", "ReLU"), ("leaky_relu", "leaky ReLU")]
    ]
    return Study(
        "activations",
        "What do activations between BoringNet's layers change?",
        "ReLU and leaky ReLU raised both accuracies, training accuracy much more (more "
        "overfitting); the two activations behaved alike.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds),
    )


def batch_size(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """The report's batch sizes 20, 10 and 5, all at the same rate."""
    cells = [(f"batch-{b}", f"batch {b}", {"batch_size": b}) for b in (20, 10, 5)]
    return Study(
        "batch-size",
        "How does the batch size change training per epoch and per second?",
        "Larger batches ran an epoch faster; batch 5 converged in fewer epochs; all ended at "
        "about the same test accuracy and loss.",
        ("accuracy", "accuracy_time"),
        grid(cells, scale, seeds),
    )


# --8<-- [start:learning_rate]
def learning_rate(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """The report's learning rates, 10 to 0.0001, at a constant rate."""
    rates = [("10", 10.0), ("0.1", 0.1), ("0.01", 0.01), ("0.0001", 0.0001)]
    cells = [(f"lr-{text}", f"lr {text}", {"lr": lr}) for text, lr in rates]
    return Study(
        "learning-rate",
        "Which learning rate trains CoolNet, and what does a too-large one do?",
        "10 and 0.1 gave nan losses and poor accuracy; 0.01 was best in 50 epochs; 0.0001 "
        "learned too slowly, its loss barely moving at first.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds[:1]),
    )


# --8<-- [end:learning_rate]


def lr_decay(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """The report's rate kept constant, against it divided by 10 at half and three quarters."""
    lr = scale.lr
    cells = [
        ("constant", f"constant {lr:g}", {}),
        ("step", f"{lr:g}, /10 at 1/2 and 3/4", {"schedule": "step"}),
    ]
    return Study(
        "lr-decay",
        "Does decaying the learning rate stop the late sag in test accuracy?",
        "With a decreasing rate the test accuracy levelled off instead of dipping late.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds),
    )


def augmentation(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """CoolNet with and without random crops and flips."""
    cells = [
        ("plain", "no augmentation", {}),
        ("augmented", "crop + flip", {"augment": True}),
    ]
    return Study(
        "augmentation",
        "What does data augmentation do to the training and test curves?",
        "Training accuracy dropped and got bumpier, test accuracy stayed about the same, the "
        "loss looked like a smooth exponential decay.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds),
    )


def loss(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """Cross-entropy against MSE on one-hot targets, both with augmentation, long runs."""
    e = scale.long_epochs
    cells = [
        ("ce", "cross-entropy", {"loss": "ce", "augment": True, "epochs": e}),
        ("mse", "MSE on one-hot", {"loss": "mse", "augment": True, "epochs": e}),
    ]
    return Study(
        "loss",
        "Does MSE on one-hot targets overfit less than cross-entropy?",
        "One 200-epoch MSE run (five hours): a less smooth loss, much less overfitting. No "
        "cross-entropy run with the same settings was made.",
        ("accuracy", "gap"),
        grid(cells, scale, seeds),
    )


def overfit_first(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """Each model on 10 and on 100 fixed images until it gets all of them right."""
    cells = [
        (f"{model}-{n}", f"{model}, {n} images",
         {"model": model, "overfit": n, "epochs": scale.overfit_epochs,
          "batch_size": min(n, scale.batch_size)})
        for model in ("lazynet", "boringnet", "coolnet")
        for n in (10, 100)
    ]  # fmt: skip
    return Study(
        "overfit-first",
        "Can each model memorise a handful of images, the check to pass before any tuning?",
        "The weekly notes: overfit 1-10 images first; if the model cannot, the code or the "
        "architecture is wrong.",
        ("overfit",),
        grid(cells, scale, seeds[:1]),
    )


def batchnorm(scale: Scale, seeds: tuple[int, ...]) -> Study:
    """CoolNet (no normalisation) against SpeedNet (batch norm after every conv) as lr grows."""
    rates = (scale.lr, 10 * scale.lr, 50 * scale.lr)
    # SpeedNet at an eighth of its width, without label smoothing or test-time flips, like CoolNet.
    nets = {
        "coolnet": ("CoolNet, no norm", {"model": "coolnet"}),
        "speednet": ("SpeedNet/8, BN", {"model": "speednet", "width": 0.125}),
    }
    cells = [
        (f"{model}-lr-{lr:g}", f"{label}, lr {lr:g}",
         {**changes, "lr": lr, "label_smoothing": 0.0, "tta": False})
        for model, (label, changes) in nets.items()
        for lr in rates
    ]  # fmt: skip
    return Study(
        "batchnorm",
        "Does a batch-normalised net keep training at learning rates that stall or break "
        "one without normalisation?",
        "The weekly notes: batch norm speeds learning up and adds a little regularising noise.",
        ("accuracy", "loss"),
        grid(cells, scale, seeds[:1]),
    )


STUDIES: dict[str, Callable[[Scale, tuple[int, ...]], Study]] = {
    "architectures": architectures,
    "activations": activations,
    "batch-size": batch_size,
    "learning-rate": learning_rate,
    "lr-decay": lr_decay,
    "augmentation": augmentation,
    "loss": loss,
    "overfit-first": overfit_first,
    "batchnorm": batchnorm,
}


def study(name: str, scale: str = "small", seeds: tuple[int, ...] | None = None) -> Study:
    """The study `name` at `scale`, every seeded study run with `seeds` (default: the scale's)."""
    if name not in STUDIES:
        raise CifarError(f"unknown experiment {name!r}; choose one of {', '.join(STUDIES)}, all")
    if scale not in SCALES:
        raise CifarError(f"--scale {scale!r} is unknown; choose one of {', '.join(SCALES)}")
    if seeds is not None and (not seeds or len(set(seeds)) != len(seeds)):
        raise CifarError(f"--seeds must be distinct and at least one, got {list(seeds)}")
    chosen = SCALES[scale]
    return STUDIES[name](chosen, tuple(seeds) if seeds else chosen.seeds)


def names(name: str) -> list[str]:
    """The studies `name` stands for: itself, or every study for 'all'."""
    return list(STUDIES) if name == "all" else [name]
