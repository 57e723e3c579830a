"""Optimisers by name over the speed records' parameter groups, with lookahead and the records'
batch-size scaling.

`make_optimizer(model, config)` is the one call the trainer makes; a new optimiser is one more
entry in OPTIMIZERS (the CLI's `--optimizer` choices come from it). `set_lr` and
`lookahead_step` are what the training step calls around the optimiser's step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
import torch.distributed as dist
from torch import nn

from snippets.cifar.recipe import Recipe, parse_recipe

if TYPE_CHECKING:  # config imports OPTIMIZERS for its checks
    from snippets.cifar.config import TrainConfig

Builder = Callable[[list[dict], "TrainConfig"], torch.optim.Optimizer]
NORMS = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm)
LOOKAHEAD_EVERY = 5  # steps between two lookahead updates
LOOKAHEAD_DECAY = 0.95**LOOKAHEAD_EVERY  # the EMA's decay at the end of the run


def sgd(groups: list[dict], config: TrainConfig) -> torch.optim.Optimizer:
    """SGD with Nesterov momentum (plain SGD at momentum 0)."""
    nesterov = config.momentum > 0
    return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum, nesterov=nesterov)


def adamw(groups: list[dict], config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW; the groups' weight decay is decoupled from the gradient."""
    return torch.optim.AdamW(groups, lr=config.lr)


OPTIMIZERS: dict[str, Builder] = {"sgd": sgd, "adamw": adamw}


def param_groups(model: nn.Module, weight_decay: float, recipe: Recipe) -> list[dict]:
    """Weight decay on kernels and matrices only; with the recipe, faster BatchNorm biases.

    Each group carries `lr_scale` (its multiple of the scheduled learning rate), `lookahead`
    and `frozen_after` (the epoch from which its learning rate is 0), read by `set_lr` and
    `lookahead_step`.
    """
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    norm_params = {id(p) for m in model.modules() if isinstance(m, NORMS) for p in m.parameters()}
    whiten_bias = {id(p) for name, p in trainable if name.endswith("whiten.bias")}
    plain = {"lr_scale": 1.0, "lookahead": recipe.lookahead, "frozen_after": None}
    matrices = [p for _, p in trainable if p.dim() >= 2]
    vectors = [p for _, p in trainable if p.dim() < 2]  # biases, norms
    if recipe.bias_lr_scale == 1 and recipe.whiten_bias_epochs is None:
        return [
            {"params": matrices, "weight_decay": weight_decay, **plain},
            {"params": vectors, "weight_decay": 0.0, **plain},
        ]
    scale = recipe.bias_lr_scale
    groups = [
        {"params": matrices, "weight_decay": weight_decay, **plain},
        {  # the same decay per step as the other weights: the decay is multiplied by the lr
            "params": [p for p in vectors if id(p) in norm_params],
            **(plain | {"lr_scale": scale}),
            "weight_decay": weight_decay / scale,
        },
        {
            "params": [p for p in vectors if id(p) in whiten_bias],
            **(plain | {"frozen_after": recipe.whiten_bias_epochs}),
            "weight_decay": 0.0,
        },
        {
            "params": [p for p in vectors if id(p) not in norm_params | whiten_bias],
            "weight_decay": 0.0,
            **plain,
        },
    ]
    return [group for group in groups if group["params"]]


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """The optimiser `config.optimizer` over `param_groups` for the config's recipe."""
    groups = param_groups(model, config.weight_decay, parse_recipe(config.recipe))
    return OPTIMIZERS[config.optimizer](groups, config)


def set_lr(optimizer: torch.optim.Optimizer, lr: float, epoch: int) -> None:
    """Each group's learning rate for this step: `lr` times its scale, 0 once it is frozen.

    A frozen group also stops asking for gradients (less backward work) in a single process;
    under DDP every parameter must keep its gradient, so there the learning rate of 0 alone
    freezes it. Only Python numbers are read: no wait for the device.
    """
    for group in optimizer.param_groups:
        frozen = group.get("frozen_after") is not None and epoch >= group["frozen_after"]
        group["lr"] = 0.0 if frozen else lr * group.get("lr_scale", 1.0)
        if frozen and not (dist.is_available() and dist.is_initialized()):
            for p in group["params"]:
                p.requires_grad_(False)


# --8<-- [start:lookahead]
@torch.no_grad()
def lookahead_step(optimizer: torch.optim.Optimizer, step: int, total_steps: int) -> None:
    """Lookahead after optimiser step `step` (1-based): every 5 steps the weights are replaced by
    an exponential moving average of themselves, whose decay grows as (progress)^3 up to
    0.95^5; after the last step the weights become the average.

    Early in the run the average is the weights themselves; late, it damps the noise of the
    large learning rate. The average starts at the weights of the first update and lives in
    the optimiser's state, so checkpoints and rollbacks keep it.
    """
    last = step == total_steps
    if step % LOOKAHEAD_EVERY and not last:
        return
    decay = 1.0 if last else LOOKAHEAD_DECAY * (step / total_steps) ** 3
    for group in optimizer.param_groups:
        if not group.get("lookahead"):
            continue
        for p in group["params"]:
            state = optimizer.state[p]
            if "lookahead" not in state:
                state["lookahead"] = p.detach().clone()
            average = state["lookahead"]
            average.lerp_(p, 1 - decay)
            p.copy_(average)


# --8<-- [end:lookahead]


# --8<-- [start:scaling]
def record_hyperparameters(
    batch_size: int, lr: float = 11.5, momentum: float = 0.85, weight_decay: float = 0.0153
) -> dict:
    """airbench's parametrisation turned into this trainer's (mean loss, PyTorch SGD) values.

    airbench states the learning rate and weight decay per 1024 examples of a *summed* loss,
    with the learning rate divided by 1 + 1/(1 - momentum) so that changing the momentum does
    not change the effective step. For a mean loss this gives a learning rate proportional to
    the batch size (the same step per example) and a weight decay that, multiplied by the
    learning rate, decays the weights by the same amount per example at every batch size.
    """
    per_example = lr / (1024 * (1 + 1 / (1 - momentum)))
    return {"lr": per_example * batch_size, "momentum": momentum, "weight_decay": weight_decay / lr}


def record_config(batch_size: int = 1024, **fields) -> TrainConfig:
    """speednet with the speed records' recipe, 2-pixel translate and hyperparameters scaled to
    `batch_size`; `fields` set anything else (epochs, width, device, ...). The CPU and GPU
    benchmarks both start from this."""
    from snippets.cifar.config import TrainConfig  # here: config imports this module

    return TrainConfig(
        model="speednet",
        batch_size=batch_size,
        **record_hyperparameters(batch_size),
        pad=2,
        recipe="record",
        **fields,
    )


# --8<-- [end:scaling]
