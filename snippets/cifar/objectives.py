"""The losses the trainer offers by name, built from the from-scratch ones in snippets.losses."""

from collections.abc import Callable

from torch import Tensor

from snippets.losses import cross_entropy, log_softmax, mse, multiclass_hinge

LOSSES = ("ce", "mse", "hinge")
Loss = Callable[[Tensor, Tensor], Tensor]


# --8<-- [start:label_smoothing]
def smoothed_cross_entropy(logits: Tensor, target: Tensor, smoothing: float) -> Tensor:
    """Cross-entropy against (1 - s) one-hot + s uniform: the net is never pushed to infinity."""
    uniform = -log_softmax(logits).mean(dim=1).mean()  # cross-entropy against 1/C everywhere
    return (1 - smoothing) * cross_entropy(logits, target) + smoothing * uniform


# --8<-- [end:label_smoothing]


def make_loss(name: str, label_smoothing: float = 0.0) -> Loss:
    """The mean-reduced loss `name`: 'ce' (optionally smoothed), 'mse' on one-hot, 'hinge'."""
    if name == "ce":
        if label_smoothing:
            return lambda logits, target: smoothed_cross_entropy(logits, target, label_smoothing)
        return cross_entropy
    if name == "mse":
        return mse  # integer targets become one-hot rows
    if name == "hinge":
        return multiclass_hinge
    raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
