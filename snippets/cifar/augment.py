"""Augmentation and normalisation of whole batches on the device: no per-image Python.

Every random choice (crop offset, flip, cutout position) is drawn per image *index* for the
epoch, not per batch, so a run's augmentation does not depend on the batch size or on how many
processes share the data (see `EpochPlan`).
"""

from dataclasses import dataclass

import torch
from torch import Tensor


# --8<-- [start:plan]
@dataclass
class EpochPlan:
    """One epoch's random choices for all `n` training images, indexed by image number."""

    order: Tensor  # (n,) the visiting order: a permutation of 0..n-1
    shift: Tensor  # (n, 2) crop offsets (dy, dx) in 0..2*pad
    flip: Tensor  # (n,) bool: mirror left-right
    centre: Tensor  # (n, 2) cutout centres (y, x) in 0..31


def plan_epoch(
    n: int, seed: int, epoch: int, pad: int, device: torch.device, alternate_flip: bool = False
) -> EpochPlan:
    """The same plan on every process and after every resume: it depends on (seed, epoch) only.

    With `alternate_flip` each image is mirrored on every other epoch (which ones first is
    drawn once per seed), so any two consecutive epochs show both sides of every image.
    """
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    plan = EpochPlan(
        order=torch.randperm(n, generator=g),
        shift=torch.randint(0, 2 * pad + 1, (n, 2), generator=g),
        flip=torch.rand(n, generator=g) < 0.5,
        centre=torch.randint(0, 32, (n, 2), generator=g),
    )
    if alternate_flip:
        first = torch.rand(n, generator=torch.Generator().manual_seed(seed + 7_919)) < 0.5
        plan.flip = first ^ bool(epoch % 2)
    return EpochPlan(*(t.to(device) for t in vars(plan).values()))


# --8<-- [end:plan]


# --8<-- [start:augment]
def crop(images: Tensor, shift: Tensor, pad: int, reflect: bool = False) -> Tensor:
    """Random crops of (N, C, H, W): pad by `pad` (zeros, or the image reflected at its edges),
    take each image's window at `shift`."""
    n, _, h, w = images.shape
    rows = (shift[:, 0, None] + torch.arange(h, device=images.device))[:, :, None]  # (N, H, 1)
    cols = (shift[:, 1, None] + torch.arange(w, device=images.device))[:, None, :]  # (N, 1, W)
    batch = torch.arange(n, device=images.device)[:, None, None]
    if reflect:  # index the image itself: row -1 is row 1, row h is row h - 2 (no edge repeat)
        rows, cols = reflected(rows - pad, h), reflected(cols - pad, w)
        return images.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)
    padded = torch.nn.functional.pad(images, (pad, pad, pad, pad))
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)  # one gather


def reflected(index: Tensor, size: int) -> Tensor:
    """Indices outside 0..size-1 mirrored back inside, as reflect padding does (pad < size)."""
    return (size - 1) - ((size - 1) - index.abs()).abs()


def flip(images: Tensor, mirror: Tensor) -> Tensor:
    """Mirror left-right the images where `mirror` is True."""
    return torch.where(mirror[:, None, None, None], images.flip(3), images)


def cutout(images: Tensor, centre: Tensor, size: int) -> Tensor:
    """Zero a size x size square (clipped at the border) around each image's `centre`."""
    h, w = images.shape[-2:]
    y = torch.arange(h, device=images.device)[None, :, None] - centre[:, 0, None, None]
    x = torch.arange(w, device=images.device)[None, None, :] - centre[:, 1, None, None]
    inside = (y >= -(size // 2)) & (y < size - size // 2) & (x >= -(size // 2))
    inside &= x < size - size // 2
    return images.masked_fill(inside[:, None], 0)


def normalise(images: Tensor, mean: Tensor, std: Tensor) -> Tensor:
    """uint8 (N, 3, H, W) to float with each channel at mean 0 and std 1 over the training set."""
    return (images.float().div(255) - mean[:, None, None]) / std[:, None, None]


# --8<-- [end:augment]


# --8<-- [start:tta]
def tta_logits(model: torch.nn.Module, x: Tensor, level: int) -> Tensor:
    """Float logits averaged over test-time views of normalised images `x`.

    Level 0: the image alone. 1: with its mirror image. 2: half weight on those two, half on
    the mirror pairs of the image shifted one pixel up-left and one pixel down-right (reflect
    padding), the views of airbench's strongest test-time augmentation.
    """

    def pair(v: Tensor) -> Tensor:
        logits = model(v).float()
        return (logits + model(v.flip(3)).float()) / 2 if level >= 1 else logits

    logits = pair(x)
    if level >= 2:
        shifts = [torch.full((len(x), 2), k, device=x.device) for k in (0, 2)]
        shifted = [pair(crop(x, s, 1, reflect=True)) for s in shifts]
        logits = (logits + (shifted[0] + shifted[1]) / 2) / 2
    return logits


# --8<-- [end:tta]


def channel_stats(images: Tensor) -> tuple[Tensor, Tensor]:
    """Per-channel mean and std of uint8 images in [0, 1] units, computed in chunks."""
    total = torch.zeros(3, dtype=torch.float64)
    squares = torch.zeros(3, dtype=torch.float64)
    for chunk in images.split(4096):
        x = chunk.to(torch.float64).div(255)
        total += x.sum(dim=(0, 2, 3)).cpu()
        squares += x.square().sum(dim=(0, 2, 3)).cpu()
    count = images.shape[0] * images.shape[2] * images.shape[3]
    mean = total / count
    return mean.float(), (squares / count - mean.square()).sqrt().float()
