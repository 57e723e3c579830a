"""Optimisers by name: each builder takes the parameter groups and the run's config.

`make_optimizer(model, config)` is the one call the trainer makes; a new optimiser is one more
entry in OPTIMIZERS (the CLI's `--optimizer` choices come from it).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:  # config imports this module's names for its checks
    from snippets.cifar.config import TrainConfig

Builder = Callable[[list[dict], "TrainConfig"], torch.optim.Optimizer]


def sgd(groups: list[dict], config: "TrainConfig") -> torch.optim.Optimizer:
    """SGD with Nesterov momentum (plain SGD at momentum 0)."""
    nesterov = config.momentum > 0
    return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum, nesterov=nesterov)


def adamw(groups: list[dict], config: "TrainConfig") -> torch.optim.Optimizer:
    return torch.optim.AdamW(groups, lr=config.lr)


OPTIMIZERS: dict[str, Builder] = {"sgd": sgd, "adamw": adamw}


def param_groups(model: nn.Module, config: "TrainConfig") -> list[dict]:
    """Weight decay on weight matrices and kernels only, never on biases or norms."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]


def make_optimizer(model: nn.Module, config: "TrainConfig") -> torch.optim.Optimizer:
    """The optimiser `config.optimizer` over `model`'s trainable parameters."""
    return OPTIMIZERS[config.optimizer](param_groups(model, config), config)
