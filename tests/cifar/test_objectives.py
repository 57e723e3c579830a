"""The losses and schedules offered by name."""

import math

import pytest
import torch
import torch.nn.functional as F

from snippets.cifar.objectives import make_loss, smoothed_cross_entropy
from snippets.cifar.schedules import lr_factor


def batch():
    g = torch.Generator().manual_seed(0)
    return torch.randn(16, 10, generator=g) * 3, torch.randint(0, 10, (16,), generator=g)


@pytest.mark.parametrize("s", [0.0, 0.1, 0.2])
def test_label_smoothing_matches_pytorch(s):
    logits, y = batch()
    expected = F.cross_entropy(logits, y, label_smoothing=s)
    assert torch.allclose(smoothed_cross_entropy(logits, y, s), expected, atol=1e-6)
    assert torch.allclose(make_loss("ce", s)(logits, y), expected, atol=1e-6)


def test_mse_and_hinge_by_name_match_pytorch():
    logits, y = batch()
    assert torch.allclose(make_loss("mse")(logits, y), F.mse_loss(logits, F.one_hot(y, 10).float()))
    assert torch.allclose(make_loss("hinge")(logits, y), F.multi_margin_loss(logits, y) * 10)


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown loss 'l7'.*hinge"):
        make_loss("l7")


def test_schedules_have_their_shapes():
    assert [lr_factor("constant", p) for p in (0, 0.5, 0.99)] == [1, 1, 1]
    assert [lr_factor("step", p) for p in (0, 0.49, 0.5, 0.8)] == pytest.approx([1, 1, 0.1, 0.01])
    assert lr_factor("cosine", 0) == 1 and lr_factor("cosine", 0.5) == pytest.approx(0.5)
    assert lr_factor("cosine", 1) == pytest.approx(0, abs=1e-12)
    assert lr_factor("onecycle", 0) == pytest.approx(0.1)
    assert lr_factor("onecycle", 0.2) == pytest.approx(1)
    assert lr_factor("onecycle", 0.6) == pytest.approx(0.5)
    assert max(lr_factor("onecycle", p / 100) for p in range(100)) == pytest.approx(1)
    with pytest.raises(ValueError, match="unknown schedule"):
        lr_factor("linear", 0.5)
    assert not math.isnan(lr_factor("onecycle", 0.999))
