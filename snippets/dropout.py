"""Where dropout goes: after a hidden layer's activation, before the next linear layer."""

from torch import nn


# --8<-- [start:dropout_mlp]
def mlp_with_dropout(inputs: int, hidden: int, classes: int, p: float = 0.5) -> nn.Sequential:
    """Linear -> ReLU -> Dropout -> Linear: dropout silences hidden units, never class scores."""
    return nn.Sequential(
        nn.Linear(inputs, hidden),
        nn.ReLU(),
        nn.Dropout(p),  # active in model.train(), the identity in model.eval()
        nn.Linear(hidden, classes),
    )


# --8<-- [end:dropout_mlp]
