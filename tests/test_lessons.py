"""Each smaller lesson in the posts, as a test that fails if the lesson were false."""

import statistics

import pytest
import torch
from torch import nn

from snippets.data_locality import SlowStore, train_from_local_copy, train_reading_per_item
from snippets.dropout import mlp_with_dropout
from snippets.linear_stack import collapse
from snippets.losses import l1, mse
from snippets.outliers import fit_constant
from snippets.overfit import overfit_tiny_subset


# --8<-- [start:check_outlier]
def test_l2_is_pulled_by_an_outlier_far_more_than_l1():
    clean = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    dirty = torch.tensor([1.0, 2.0, 3.0, 4.0, 500.0])  # one wild value
    # L2 fits the mean, L1 the median:
    assert fit_constant(dirty, mse) == pytest.approx(statistics.mean(dirty.tolist()), abs=1e-3)
    assert fit_constant(dirty, l1) == pytest.approx(statistics.median(dirty.tolist()), abs=1e-2)
    l2_shift = abs(fit_constant(dirty, mse) - fit_constant(clean, mse))
    l1_shift = abs(fit_constant(dirty, l1) - fit_constant(clean, l1))
    assert l2_shift > 90 and l1_shift < 0.05


# --8<-- [end:check_outlier]


def test_dropout_sits_after_the_activation_and_before_a_linear_layer():
    layers = list(mlp_with_dropout(12, 32, 3))
    at = next(i for i, layer in enumerate(layers) if isinstance(layer, nn.Dropout))
    assert isinstance(layers[at - 1], nn.ReLU) and isinstance(layers[at + 1], nn.Linear)
    assert isinstance(layers[-1], nn.Linear), "dropout must never act on the class scores"


# --8<-- [start:check_dropout]
def test_dropout_silences_hidden_units_in_training_only():
    torch.manual_seed(0)
    model = mlp_with_dropout(12, 256, 3, p=0.5)
    x = torch.randn(64, 12)
    before = model[:2](x)  # Linear, ReLU
    after = model[:3](x)  # ... then Dropout: what the last layer reads
    active, kept = before > 0, after != 0
    dropped = active & ~kept
    assert 0.4 < dropped.sum() / active.sum() < 0.6  # about p of the live units
    torch.testing.assert_close(after[kept], before[kept] * 2)  # survivors scaled by 1/(1-p)
    assert not torch.equal(model(x), model(x)), "training mode should be random"
    model.eval()
    assert torch.equal(model(x), model(x))
    without_dropout = nn.Sequential(model[0], model[1], model[3])
    torch.testing.assert_close(model(x), without_dropout(x))


# --8<-- [end:check_dropout]


def test_relu_and_dropout_commute():
    """The post's aside: dropout then ReLU equals ReLU then dropout, for the same mask."""
    x = torch.randn(1000)
    torch.manual_seed(3)
    a = torch.relu(nn.functional.dropout(x, 0.3))
    torch.manual_seed(3)
    b = nn.functional.dropout(torch.relu(x), 0.3)
    torch.testing.assert_close(a, b)


def tiny_subset(n=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3 * 32 * 32, generator=g), torch.randint(0, 10, (n,), generator=g)


def small_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3 * 32 * 32, 64), nn.ReLU(), nn.Linear(64, 10))


# --8<-- [start:check_overfit]
def test_a_working_model_memorises_ten_images():
    images, labels = tiny_subset()
    assert overfit_tiny_subset(small_model(), images, labels) == 1.0


# --8<-- [end:check_overfit]


def test_the_check_catches_a_broken_model():
    """A model that cannot learn (its first layer is frozen at zero) fails the check."""
    images, labels = tiny_subset()
    model = small_model()
    nn.init.zeros_(model[0].weight)
    model[0].weight.requires_grad_(False)
    assert overfit_tiny_subset(model, images, labels) < 1.0


# --8<-- [start:check_collapse]
def test_stacked_linear_layers_without_activations_are_one_linear_layer():
    torch.manual_seed(0)
    stack = [nn.Linear(20, 16), nn.Linear(16, 8), nn.Linear(8, 10)]
    x = torch.randn(5, 20)
    single = collapse(*stack)
    torch.testing.assert_close(single(x), nn.Sequential(*stack)(x))
    assert single.weight.shape == (10, 20)
    with_relu = nn.Sequential(stack[0], nn.ReLU(), stack[1], nn.ReLU(), stack[2])
    assert not torch.allclose(single(x), with_relu(x)), "an activation breaks the collapse"


# --8<-- [end:check_collapse]


def store(n=500, latency=0.02):
    return SlowStore(torch.zeros(n, 3 * 32 * 32, dtype=torch.uint8), latency, bandwidth=50e6)


def test_reading_per_item_pays_the_latency_every_epoch():
    per_item = [train_reading_per_item(store(), epochs) for epochs in (1, 2, 4)]
    assert per_item[1] == pytest.approx(2 * per_item[0])
    assert per_item[2] == pytest.approx(4 * per_item[0])
    assert per_item[0] >= 500 * 0.02  # at least one round trip per item


# --8<-- [start:check_locality]
def test_copying_once_costs_one_request_whatever_the_epochs():
    slow = store()
    waited = train_from_local_copy(slow, epochs=10)
    assert slow.requests == 1
    assert waited == pytest.approx(0.02 + slow.items.nbytes / 50e6)
    assert train_reading_per_item(store(), epochs=10) > 100 * waited


# --8<-- [end:check_locality]
