"""The tested code behind the learning log: every Python block on the site is a section here.

Public API:
    pick_device -- the best available torch device: CUDA, then Apple MPS, then CPU.

Subpackages:
    snippets.cifar -- the CIFAR-10 trainer: `train(TrainConfig(...))`, `python -m snippets.cifar`.
"""

from snippets.device import pick_device

__all__ = ["pick_device"]
