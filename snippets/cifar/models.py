"""The trainer's models by name, from one linear layer to a fast residual-free VGG-style net.

Every model takes normalised images (N, 3, 32, 32) and returns logits (N, 10).
"""

import math

import torch
from torch import Tensor, nn

ACTIVATIONS = {"none": nn.Identity, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU}


# --8<-- [start:small_models]
def lazynet() -> nn.Module:
    """One linear layer on the raw pixels: the baseline every other model must beat."""
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))


def boringnet(activation: str = "relu") -> nn.Module:
    """Three linear layers. With activation 'none' they collapse into one linear map."""
    act = ACTIVATIONS[activation]
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(3 * 32 * 32, 512),
        act(),
        nn.Linear(512, 256),
        act(),
        nn.Linear(256, 10),
    )


def coolnet() -> nn.Module:
    """The classic small conv net of the PyTorch CIFAR-10 tutorial (about 62k parameters)."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


# --8<-- [end:small_models]


# --8<-- [start:mlp]
class Bottleneck(nn.Module):
    """x + W2 gelu(W1 layernorm(x)): widen by `expand`, then project back (a residual MLP block)."""

    def __init__(self, width: int, expand: int = 4) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.up = nn.Linear(width, expand * width)
        self.down = nn.Linear(expand * width, width)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.down(nn.functional.gelu(self.up(self.norm(x))))


def mlp(width: float = 1.0, depth: int = 4) -> nn.Module:
    """A bottleneck MLP: high accuracy without a single convolution (no built-in translation)."""
    d = max(8, round(256 * width))
    blocks = [Bottleneck(d) for _ in range(depth)]
    return nn.Sequential(
        nn.Flatten(), nn.Linear(3 * 32 * 32, d), *blocks, nn.LayerNorm(d), nn.Linear(d, 10)
    )


# --8<-- [end:mlp]


# --8<-- [start:speednet]
class ConvGroup(nn.Module):
    """conv -> max-pool 2x -> BN -> GELU -> conv -> BN -> GELU: one resolution of the net."""

    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels_out, 3, padding="same", bias=False)
        self.norm1 = nn.BatchNorm2d(channels_out, momentum=0.4)
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding="same", bias=False)
        self.norm2 = nn.BatchNorm2d(channels_out, momentum=0.4)

    def forward(self, x: Tensor) -> Tensor:
        x = nn.functional.gelu(self.norm1(nn.functional.max_pool2d(self.conv1(x), 2)))
        return nn.functional.gelu(self.norm2(self.conv2(x)))


class SpeedNet(nn.Module):
    """In the spirit of Keller Jordan's airbench: a frozen 2x2 whitening conv fitted to the data,
    three conv groups, global max-pool, a scaled linear head. Train with label smoothing."""

    channels_last = True  # the trainer stores its inputs NHWC: faster convolutions on GPUs

    def __init__(self, width: float = 1.0) -> None:
        super().__init__()
        w1, w2 = (max(8, round(c * width)) for c in (64, 256))
        self.whiten = nn.Conv2d(3, 24, 2)  # weights set from data by `fit_whitening`
        self.whiten.weight.requires_grad_(False)
        self.groups = nn.Sequential(ConvGroup(24, w1), ConvGroup(w1, w2), ConvGroup(w2, w2))
        self.head = nn.Linear(w2, 10, bias=False)
        self.scale = 1 / 9  # small logits at the start: initial loss close to ln 10

    def forward(self, x: Tensor) -> Tensor:
        x = self.groups(nn.functional.gelu(self.whiten(x)))
        # Global max-pool. Not `amax`: its backward splits the gradient among the elements equal
        # to the saved maximum, and under torch.compile + bf16 the recomputed input may hold none
        # of them (a division by a zero count, NaN gradients). Max-pool routes to a saved index.
        return self.head(nn.functional.adaptive_max_pool2d(x, 1).flatten(1)) * self.scale

    @torch.no_grad()
    def fit_whitening(self, images: Tensor, eps: float = 5e-4) -> None:
        """Set the 2x2 conv to the whitening map of the images' 2x2 patches (+ its negative).

        Computed where the layer lives, in float32: the covariance of centred patches and its
        eigen-decomposition are well conditioned enough (12 x 12) not to need float64.
        """
        weight = self.whiten.weight
        x = images.to(weight.device, torch.float32)
        patches = x.unfold(2, 2, 1).unfold(3, 2, 1)  # (N, C, 31, 31, 2, 2)
        patches = patches.transpose(1, 3).reshape(-1, 12)  # each row in (c, h, w) order
        patches = patches - patches.mean(dim=0)
        covariance = patches.T @ patches / (len(patches) - 1)
        eigenvalues, eigenvectors = torch.linalg.eigh(covariance)
        filters = (eigenvectors.T / torch.sqrt(eigenvalues + eps)[:, None]).view(12, 3, 2, 2)
        weight.copy_(torch.cat([filters, -filters]))


# --8<-- [end:speednet]


def speednet(width: float = 1.0) -> nn.Module:
    """SpeedNet at `width` times airbench's channel counts (64, 256, 256)."""
    return SpeedNet(width)


MODELS = ("lazynet", "boringnet", "coolnet", "mlp", "speednet")


def build_model(name: str, activation: str = "relu", width: float = 1.0) -> nn.Module:
    """The model called `name`; `activation` is for boringnet, `width` for mlp and speednet."""
    if name == "lazynet":
        return lazynet()
    if name == "boringnet":
        return boringnet(activation)
    if name == "coolnet":
        return coolnet()
    if name == "mlp":
        return mlp(width)
    if name == "speednet":
        return speednet(width)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")


def parameter_count(model: nn.Module) -> int:
    """Number of trainable numbers in `model`."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


LN10 = math.log(10)  # the loss of a classifier that gives all ten classes the same probability
