"""L1 versus L2 on data with an outlier: fit one constant to the targets with each loss."""

from collections.abc import Callable

import torch
from torch import Tensor


# --8<-- [start:fit_constant]
def fit_constant(targets: Tensor, loss: Callable[[Tensor, Tensor], Tensor], steps: int = 500):
    """The constant c minimising loss(c, targets), found by gradient descent from c = 0."""
    c = torch.zeros((), requires_grad=True)
    for step in range(steps):
        (grad,) = torch.autograd.grad(loss(c.expand_as(targets), targets), c)
        with torch.no_grad():
            c -= 0.5 * (1 - step / steps) * grad  # a decaying step lets L1 settle
    return c.item()


# --8<-- [end:fit_constant]
