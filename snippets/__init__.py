"""The tested code behind the learning log: every Python block on the site is a section here
(or, on the pages about checks, a section of the tests that check it).

Subpackages and modules:
    snippets.cifar         the CIFAR-10 trainer: train(TrainConfig(...)), python -m snippets.cifar
    snippets.epma          EPMA converter: weight/atomic %, oxides, mineral formulas (+ CLI)
    snippets.losses        softmax, cross-entropy and its gradient, hinge, MSE and L1
    snippets.batchnorm     batch normalisation from scratch, with its running statistics
    snippets.device        pick_device: CUDA, then Apple MPS, then CPU
    snippets.dropout, snippets.overfit, snippets.outliers, snippets.linear_stack,
    snippets.data_locality the smaller lessons, one module each

The names below are imported on first use, so the EPMA converter works without PyTorch.
"""

from importlib import import_module

_EXPORTS = {
    "pick_device": "snippets.device",
    "weight_to_atomic": "snippets.epma",
    "atomic_to_weight": "snippets.epma",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'snippets' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
