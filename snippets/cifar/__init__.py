"""A fast CIFAR-10 trainer: GPU-first, runs on a CPU, one command (or one call) per experiment.

Public API:
    TrainConfig, train, TrainResult -- describe a run, run it, get its status/metrics/model.
    record_config -- speednet with the speed records' recipe and hyperparameters for a batch size.
    load_cifar10, Cifar10, default_data_dir -- the dataset as uint8 tensors (downloads if absent).
    build_model, MODELS -- lazynet, boringnet, coolnet, mlp, speednet by name.
    evaluate_checkpoint, predict -- use a run's checkpoint.
    RunFolder, load_checkpoint -- a run folder's files (run.json, metrics.jsonl, checkpoint.pt).
    CifarError -- every user mistake; its message says what, where and what to do.

Registries by name (they are the CLI's choices): models.MODELS, objectives.LOSSES,
schedules.SCHEDULES, optimizers.OPTIMIZERS. The studies replayed from the homework live in
`snippets.cifar.experiments`. The command line is `cifar` (snippets/cifar/cli.py).
"""

from snippets.cifar.config import TrainConfig
from snippets.cifar.data import Cifar10, default_data_dir, load_cifar10
from snippets.cifar.errors import CifarError
from snippets.cifar.models import MODELS, build_model
from snippets.cifar.optimizers import record_config
from snippets.cifar.predict import evaluate_checkpoint, predict
from snippets.cifar.rundir import RunFolder, load_checkpoint
from snippets.cifar.train import TrainResult, train

__all__ = [
    "MODELS",
    "Cifar10",
    "CifarError",
    "RunFolder",
    "TrainConfig",
    "TrainResult",
    "build_model",
    "default_data_dir",
    "evaluate_checkpoint",
    "load_checkpoint",
    "load_cifar10",
    "predict",
    "record_config",
    "train",
]
