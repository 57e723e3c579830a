"""A training run described by one small dataclass: the CLI fills it, experiments build it."""

from dataclasses import asdict, dataclass, fields, replace

from snippets.cifar.device import DEVICES, PRECISIONS
from snippets.cifar.errors import CifarError
from snippets.cifar.models import ACTIVATIONS, MODELS
from snippets.cifar.objectives import LOSSES
from snippets.cifar.optimizers import OPTIMIZERS
from snippets.cifar.recipe import parse_recipe
from snippets.cifar.schedules import SCHEDULES

DEFAULT_LR = {"sgd": 0.05, "adamw": 2e-3}
DEFAULT_WEIGHT_DECAY = {"sgd": 5e-4, "adamw": 0.05}
# The defaults that depend on other fields, in words: the CLI's help and the guide show these.
DERIVED_DEFAULTS = {
    "lr": ", ".join(f"{v:g} for {k}" for k, v in DEFAULT_LR.items()),
    "weight_decay": ", ".join(f"{v:g} for {k}" for k, v in DEFAULT_WEIGHT_DECAY.items()),
    "label_smoothing": "0.2 for speednet with ce, else 0",
    "tta": "on for speednet",
    "data_dir": "$CIFAR10_DIR or ~/.cache/snippets/cifar10",
    "out": "none: nothing is written",
}
# Fields that say where and how fast to run, not what to compute: a resume may change them.
RUNTIME = (
    "device",
    "precision",
    "compile",
    "data_dir",
    "download",
    "out",
    "resume",
    "progress",
    "eval_every",
    "check_every",
)
# Names each choice field accepts: the registries, so a new entry is a new CLI choice.
CHOICES = {
    "model": tuple(MODELS),
    "loss": tuple(LOSSES),
    "optimizer": tuple(OPTIMIZERS),
    "schedule": tuple(SCHEDULES),
    "activation": tuple(ACTIVATIONS),
    "device": DEVICES,
    "precision": PRECISIONS,
}


# --8<-- [start:config]
@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run. None means: the default for this model/optimiser."""

    model: str = "coolnet"  # lazynet | boringnet | coolnet | mlp | speednet
    epochs: int = 10
    batch_size: int = 256
    lr: float | None = None  # peak learning rate; 0.05 for SGD, 2e-3 for AdamW
    loss: str = "ce"  # ce | mse | hinge
    optimizer: str = "sgd"  # sgd (Nesterov) | adamw
    schedule: str = "onecycle"  # constant | step | cosine | onecycle
    momentum: float = 0.9
    weight_decay: float | None = None  # 5e-4 for SGD, 0.05 for AdamW; never on biases or norms
    label_smoothing: float | None = None  # 0.2 for speednet, else 0
    augment: bool = True  # random crop (zero padding) and horizontal flip
    pad: int = 4  # crop padding in pixels
    cutout: int = 0  # side of the square cut out of each image; 0 = off
    activation: str = "relu"  # boringnet: none | relu | leaky_relu
    width: float = 1.0  # channel/width multiplier for mlp and speednet
    tta: bool | None = None  # average with the mirrored image at test time; on for speednet
    seed: int = 0
    overfit: int = 0  # N > 0: train on N fixed training images, no augmentation
    device: str = "auto"  # auto | cpu | cuda | mps
    precision: str = "auto"  # auto (bf16 on GPUs with native bf16, fp16 on older, fp32 on CPU)
    compile: bool = False  # torch.compile the model
    data_dir: str | None = None  # None: $CIFAR10_DIR or ~/.cache/snippets/cifar10
    download: bool = True  # download CIFAR-10 when the folder has none
    out: str | None = None  # run folder; None writes nothing
    resume: bool = False  # continue the run in `out` from its checkpoint
    progress: bool = True  # print progress (only the main process ever prints)
    eval_every: int = 1  # evaluate on the test set every this many epochs (and at the end)
    check_every: int = 50  # read the loss on the host every this many steps (divergence, Ctrl-C)
    recipe: str = "plain"  # plain | record, then ,+PART / ,-PART (see recipe.py)


# --8<-- [end:config]


def resolve(config: TrainConfig) -> TrainConfig:
    """`config` checked, with every None default filled in; a CifarError names any bad field."""
    for name, choices in CHOICES.items():
        value = getattr(config, name)
        if (value.split(":")[0] if name == "device" else value) not in choices:
            raise CifarError(f"--{name} {value!r} is unknown; choose one of {', '.join(choices)}")
    try:
        parse_recipe(config.recipe)
    except ValueError as error:
        raise CifarError(f"--recipe: {error}") from None
    positive = {"epochs": config.epochs, "batch_size": config.batch_size, "width": config.width}
    positive |= {"eval_every": config.eval_every, "check_every": config.check_every}
    if config.lr is not None:
        positive["lr"] = config.lr
    for name, value in positive.items():
        if not value > 0:
            raise CifarError(f"--{name.replace('_', '-')} must be positive, got {value}")
    for name in ("pad", "cutout", "overfit", "momentum"):
        if getattr(config, name) < 0:
            raise CifarError(f"--{name} must be 0 or more, got {getattr(config, name)}")
    if config.label_smoothing is not None and not 0 <= config.label_smoothing < 1:
        raise CifarError(f"--label-smoothing must lie in [0, 1), got {config.label_smoothing}")
    if config.label_smoothing and config.loss != "ce":
        raise CifarError("--label-smoothing applies to --loss ce only")
    if config.resume and not config.out:
        raise CifarError("--resume needs --out: the run folder holding checkpoint.pt")
    speed = config.model == "speednet"
    return replace(
        config,
        lr=DEFAULT_LR[config.optimizer] if config.lr is None else config.lr,
        weight_decay=(
            DEFAULT_WEIGHT_DECAY[config.optimizer]
            if config.weight_decay is None
            else config.weight_decay
        ),
        label_smoothing=(0.2 if speed and config.loss == "ce" else 0.0)
        if config.label_smoothing is None
        else config.label_smoothing,
        tta=speed if config.tta is None else config.tta,
    )


def default_text(name: str) -> str:
    """A field's default as the help and the guide say it."""
    value = getattr(TrainConfig(), name)
    if isinstance(value, bool):
        return "on" if value else "off"
    return DERIVED_DEFAULTS.get(name) or str(value)


def to_dict(config: TrainConfig) -> dict:
    """The config as plain JSON-able values."""
    return asdict(config)


def from_dict(values: dict) -> TrainConfig:
    """A config from `to_dict`'s output; unknown keys are an error, not silently dropped."""
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(values) - known
    if unknown:
        raise CifarError(f"unknown config fields {sorted(unknown)}")
    return TrainConfig(**values)
