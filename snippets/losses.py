"""Classification losses from scratch, on logits `(N, C)` and integer targets `(N,)`.

Each is mean-reduced like PyTorch's default and checked against it in tests/test_losses.py.
"""

import torch
from torch import Tensor


# --8<-- [start:softmax]
def log_softmax(logits: Tensor) -> Tensor:
    """log p(k | x) for each row: s_k - log(sum_j exp(s_j)), stable for any logit size."""
    shifted = logits - logits.max(dim=1, keepdim=True).values  # largest entry is now 0
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def softmax(logits: Tensor) -> Tensor:
    """p(k | x) for each row: exp(s_k) / sum_j exp(s_j). Rows sum to 1."""
    return log_softmax(logits).exp()


# --8<-- [end:softmax]


# --8<-- [start:cross_entropy]
def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Mean over the batch of -log p(true class | x)."""
    return -log_softmax(logits).gather(1, target.unsqueeze(1)).mean()


# --8<-- [end:cross_entropy]


# --8<-- [start:cross_entropy_grad]
def cross_entropy_grad(logits: Tensor, target: Tensor) -> Tensor:
    """dL/ds of the mean cross-entropy, derived by hand: (softmax(s) - one_hot(y)) / N."""
    one_hot = torch.nn.functional.one_hot(target, logits.shape[1]).to(logits.dtype)
    return (softmax(logits) - one_hot) / logits.shape[0]


# --8<-- [end:cross_entropy_grad]


# --8<-- [start:multiclass_hinge]
def multiclass_hinge(logits: Tensor, target: Tensor, margin: float = 1.0) -> Tensor:
    """Mean over the batch of sum_{k != y} max(0, s_k - s_y + margin) (Weston-Watkins)."""
    true_score = logits.gather(1, target.unsqueeze(1))  # s_y for each row, shape (N, 1)
    is_true = torch.nn.functional.one_hot(target, logits.shape[1]).bool()
    margins = (logits - true_score + margin).clamp(min=0).masked_fill(is_true, 0.0)
    return margins.sum(dim=1).mean()  # masked: the sum skips k = y


# --8<-- [end:multiclass_hinge]


# --8<-- [start:regression]
def as_target(prediction: Tensor, target: Tensor) -> Tensor:
    """Class indices `(N,)` become one-hot rows `(N, C)`; real-valued targets pass through."""
    if target.dtype in (torch.int32, torch.int64) and prediction.dim() == target.dim() + 1:
        return torch.nn.functional.one_hot(target, prediction.shape[-1]).to(prediction.dtype)
    return target


def mse(prediction: Tensor, target: Tensor) -> Tensor:
    """L2: mean of squared errors over every element."""
    return ((prediction - as_target(prediction, target)) ** 2).mean()


def l1(prediction: Tensor, target: Tensor) -> Tensor:
    """L1: mean of absolute errors over every element."""
    return (prediction - as_target(prediction, target)).abs().mean()


# --8<-- [end:regression]
