"""Linear layers stacked without activations collapse into a single linear layer."""

import torch
from torch import nn


# --8<-- [start:collapse]
def collapse(*layers: nn.Linear) -> nn.Linear:
    """One Linear equal to applying `layers` in order: W = W_k ... W_1, b folded through."""
    weight, bias = layers[0].weight, layers[0].bias
    for layer in layers[1:]:
        weight, bias = layer.weight @ weight, layer.weight @ bias + layer.bias
    single = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        single.weight.copy_(weight)
        single.bias.copy_(bias)
    return single


# --8<-- [end:collapse]
