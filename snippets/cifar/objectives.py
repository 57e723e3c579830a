"""The losses the trainer offers by name, built from the from-scratch ones in snippets.losses."""

from collections.abc import Callable
from functools import partial

from torch import Tensor

from snippets.losses import cross_entropy, log_softmax, mse, multiclass_hinge

Loss = Callable[[Tensor, Tensor], Tensor]


# --8<-- [start:label_smoothing]
def smoothed_cross_entropy(logits: Tensor, target: Tensor, smoothing: float) -> Tensor:
    """Cross-entropy against (1 - s) one-hot + s uniform: the net is never pushed to infinity."""
    uniform = -log_softmax(logits).mean(dim=1).mean()  # cross-entropy against 1/C everywhere
    return (1 - smoothing) * cross_entropy(logits, target) + smoothing * uniform


# --8<-- [end:label_smoothing]


def ce(label_smoothing: float) -> Loss:
    """Cross-entropy, smoothed when `label_smoothing` > 0."""
    if label_smoothing:
        return partial(smoothed_cross_entropy, smoothing=label_smoothing)
    return cross_entropy


# Name -> builder(label_smoothing) of a mean-reduced loss of (logits, integer targets).
LOSSES: dict[str, Callable[[float], Loss]] = {
    "ce": ce,
    "mse": lambda label_smoothing: mse,  # integer targets become one-hot rows
    "hinge": lambda label_smoothing: multiclass_hinge,  # Weston-Watkins multiclass hinge
}


def make_loss(name: str, label_smoothing: float = 0.0) -> Loss:
    """The loss `name` (config.resolve allows label smoothing for 'ce' only)."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[name](label_smoothing)
