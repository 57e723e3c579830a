"""Batched augmentation equals the per-image transforms it replaces."""

import torch
import torchvision.transforms.v2.functional as TF

from snippets.cifar.augment import channel_stats, crop, cutout, flip, normalise, plan_epoch


def images(n=6):
    return torch.randint(
        0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)
    )


def test_crop_matches_torchvision_pad_then_crop_per_image():
    x = images()
    shift = torch.tensor([[0, 0], [8, 8], [4, 4], [0, 8], [3, 5], [7, 1]])
    ours = crop(x, shift, pad=4)
    for i, (dy, dx) in enumerate(shift.tolist()):
        padded = TF.pad(x[i], [4, 4, 4, 4], fill=0)
        assert torch.equal(ours[i], TF.crop(padded, dy, dx, 32, 32)), f"image {i}"
    assert torch.equal(ours[2], x[2])  # offset (pad, pad) is the image itself


def test_flip_mirrors_only_the_chosen_images():
    x = images(4)
    out = flip(x, torch.tensor([True, False, True, False]))
    assert torch.equal(out[0], TF.horizontal_flip(x[0])) and torch.equal(out[1], x[1])
    assert torch.equal(out[2], x[2].flip(-1)) and torch.equal(out[3], x[3])


def test_cutout_zeroes_a_square_clipped_at_the_border():
    x = torch.ones(2, 3, 32, 32)
    out = cutout(x, torch.tensor([[16, 16], [0, 31]]), size=8)
    assert (out[0] == 0).sum() == 3 * 8 * 8
    assert (out[0, :, 12:20, 12:20] == 0).all()
    assert (out[1] == 0).sum() == 3 * 4 * 5  # rows -4..3 and columns 27..34, clipped
    assert (out[1, :, :4, 27:] == 0).all()


def test_normalised_training_images_have_mean_0_and_std_1_per_channel():
    x = images(64)
    mean, std = channel_stats(x)
    z = normalise(x, mean, std)
    assert torch.allclose(z.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(z.std(dim=(0, 2, 3), unbiased=False), torch.ones(3), atol=1e-4)


def test_the_plan_depends_on_seed_and_epoch_only():
    a, b = (
        plan_epoch(50, 1, 3, 4, torch.device("cpu")),
        plan_epoch(50, 1, 3, 4, torch.device("cpu")),
    )
    assert all(torch.equal(x, y) for x, y in zip(vars(a).values(), vars(b).values(), strict=True))
    assert sorted(a.order.tolist()) == list(range(50))
    assert a.shift.min() >= 0 and a.shift.max() <= 8
    assert not torch.equal(a.order, plan_epoch(50, 1, 4, 4, torch.device("cpu")).order)
    assert not torch.equal(a.order, plan_epoch(50, 2, 3, 4, torch.device("cpu")).order)
