"""Batch normalisation from scratch, matching torch.nn.BatchNorm1d/2d step for step."""

import torch
from torch import Tensor, nn


# --8<-- [start:running_update]
def running_update(running: Tensor, batch_stat: Tensor, momentum: float) -> None:
    """In place: running = (1 - momentum) * running + momentum * batch_stat (PyTorch's rule)."""
    running.mul_(1 - momentum).add_(momentum * batch_stat)


def unbiased(var: Tensor, n: int) -> Tensor:
    """The biased variance of `n` values (divided by n) turned unbiased (divided by n - 1)."""
    return var * n / (n - 1)


# --8<-- [end:running_update]


# --8<-- [start:batchnorm]
class BatchNorm(nn.Module):
    """Normalise each channel over the batch (and H, W), then scale by gamma and shift by beta.

    Training: batch mean and biased variance; the running statistics move towards the batch's
    mean and *unbiased* variance by `momentum`. Evaluation: the running statistics are used.
    """

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(channels))  # learned scale
        self.beta = nn.Parameter(torch.zeros(channels))  # learned shift
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, z: Tensor) -> Tensor:
        dims = [0, *range(2, z.dim())]  # every axis but the channel axis: N, or N, H, W
        shape = [1, -1] + [1] * (z.dim() - 2)  # broadcasts a (C,) vector against z
        if self.training:
            mean = z.mean(dim=dims)
            var = z.var(dim=dims, unbiased=False)  # sigma_B^2 = mean of squared deviations
            n = z.numel() // z.shape[1]
            with torch.no_grad():
                running_update(self.running_mean, mean, self.momentum)
                running_update(self.running_var, unbiased(var, n), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        z_hat = (z - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        return self.gamma.view(shape) * z_hat + self.beta.view(shape)


# --8<-- [end:batchnorm]
