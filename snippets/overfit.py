"""The first sanity check for a new model: it must be able to memorise a handful of images."""

import torch
from torch import Tensor, nn


# --8<-- [start:overfit_tiny_subset]
def overfit_tiny_subset(
    model: nn.Module, images: Tensor, labels: Tensor, steps: int = 300, lr: float = 1e-3
) -> float:
    """Train `steps` Adam steps on one fixed tiny batch; return its accuracy in eval mode.

    Anything below 1.0 on ~10 images means a bug in the data, labels, loss or model (for a
    model with batch norm, eval mode uses running statistics: give them steps to settle).
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(images).argmax(dim=1) == labels).float().mean().item()


# --8<-- [end:overfit_tiny_subset]
