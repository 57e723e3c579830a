"""The from-scratch losses equal PyTorch's, in value and gradient, including extreme logits."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.losses import (
    cross_entropy,
    cross_entropy_grad,
    l1,
    log_softmax,
    mse,
    multiclass_hinge,
    softmax,
)


@pytest.fixture(autouse=True, scope="module")
def double_precision():
    """Compare in float64 so tolerances can be tight; restore the default afterwards."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def batch(n=16, c=10, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g) * scale
    return logits, torch.randint(0, c, (n,), generator=g)


# --8<-- [start:check_helper]
def assert_same_value_and_grad(ours, theirs, logits, target):
    a = logits.clone().requires_grad_()
    b = logits.clone().requires_grad_()
    value_ours, value_theirs = ours(a, target), theirs(b, target)
    torch.testing.assert_close(value_ours, value_theirs)
    value_ours.backward()
    value_theirs.backward()
    torch.testing.assert_close(a.grad, b.grad)


# --8<-- [end:check_helper]


SCALES = [0.01, 1.0, 30.0, 1e4]  # 1e4: exp() would overflow without the max shift


@pytest.mark.parametrize("scale", SCALES)
def test_softmax_and_log_softmax_match_torch(scale):
    logits, _ = batch(scale=scale)
    torch.testing.assert_close(softmax(logits), torch.softmax(logits, dim=1))
    torch.testing.assert_close(log_softmax(logits), torch.log_softmax(logits, dim=1))


# --8<-- [start:check_cross_entropy]
@pytest.mark.parametrize("scale", SCALES)
def test_cross_entropy_matches_torch(scale):
    logits, target = batch(scale=scale)
    assert_same_value_and_grad(cross_entropy, F.cross_entropy, logits, target)


# --8<-- [end:check_cross_entropy]


# --8<-- [start:check_cross_entropy_grad]
def assert_gradient_is_autograds(gradient, logits, target):
    """The hand-derived dL/ds equals what autograd gets from PyTorch's own cross-entropy."""
    leaf = logits.clone().requires_grad_()
    F.cross_entropy(leaf, target).backward()
    torch.testing.assert_close(gradient(logits, target), leaf.grad)


@pytest.mark.parametrize("scale", SCALES)
def test_derived_cross_entropy_gradient_is_autograds(scale):
    assert_gradient_is_autograds(cross_entropy_grad, *batch(scale=scale))


# --8<-- [end:check_cross_entropy_grad]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(2, 12), st.integers(0, 2**31 - 1))
def test_gradient_rows_sum_to_zero_and_pull_the_true_score_up(n, classes, seed):
    """(p - y)/N: each row sums to 0; only the true class's entry is negative."""
    logits, target = batch(n=n, c=classes, seed=seed)
    grad = cross_entropy_grad(logits, target)
    torch.testing.assert_close(grad.sum(dim=1), torch.zeros(n))
    true_entry = grad.gather(1, target.unsqueeze(1)).squeeze(1)
    assert (true_entry < 0).all()
    assert (grad.scatter(1, target.unsqueeze(1), 0.0) >= 0).all()


def test_cross_entropy_is_finite_and_exact_for_huge_logits():
    logits = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    loss = cross_entropy(logits, torch.tensor([1, 1]))
    assert torch.isfinite(loss)
    assert loss.item() == pytest.approx(1e4)  # row 0 is wrong by 2e4, row 1 right: mean 1e4


# --8<-- [start:check_hinge]
@pytest.mark.parametrize("scale", SCALES)
def test_hinge_is_torch_multi_margin_times_classes(scale):
    logits, target = batch(scale=scale)
    classes = logits.shape[1]
    assert_same_value_and_grad(
        multiclass_hinge, lambda x, y: F.multi_margin_loss(x, y) * classes, logits, target
    )


# --8<-- [end:check_hinge]


def test_hinge_worked_example_from_the_post():
    loss = multiclass_hinge(torch.tensor([[3.2, 5.1, -1.7]]), torch.tensor([0]))
    assert loss.item() == pytest.approx(2.9)


# --8<-- [start:check_regression]
@pytest.mark.parametrize(("ours", "theirs"), [(mse, F.mse_loss), (l1, F.l1_loss)])
def test_regression_losses_on_one_hot_targets_match_torch(ours, theirs):
    logits, target = batch()
    one_hot = F.one_hot(target, logits.shape[1]).to(logits.dtype)
    assert_same_value_and_grad(ours, lambda x, y: theirs(x, one_hot), logits, target)


# --8<-- [end:check_regression]


@pytest.mark.parametrize(("ours", "theirs"), [(mse, F.mse_loss), (l1, F.l1_loss)])
def test_regression_losses_on_real_targets_match_torch(ours, theirs):
    prediction, target = torch.randn(50), torch.randn(50)
    torch.testing.assert_close(ours(prediction, target), theirs(prediction, target))


# Properties, on many random batches.

logit_rows = st.integers(1, 8).flatmap(
    lambda n: st.integers(2, 12).flatmap(
        lambda c: st.lists(
            st.lists(st.floats(-50, 50), min_size=c, max_size=c), min_size=n, max_size=n
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(logit_rows)
def test_softmax_rows_sum_to_one(rows):
    p = softmax(torch.tensor(rows))
    torch.testing.assert_close(p.sum(dim=1), torch.ones(len(rows)))
    assert (p >= 0).all()


# --8<-- [start:check_softmax_shift]
@settings(max_examples=60, deadline=None)
@given(logit_rows, st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_added_to_a_row(rows, constant):
    logits = torch.tensor(rows)
    torch.testing.assert_close(softmax(logits + constant), softmax(logits))


# --8<-- [end:check_softmax_shift]


@settings(max_examples=60, deadline=None)
@given(logit_rows, st.data())
def test_hinge_is_zero_once_the_true_class_wins_by_the_margin(rows, data):
    logits = torch.tensor(rows)
    target = torch.tensor([data.draw(st.integers(0, logits.shape[1] - 1)) for _ in rows])
    is_true = F.one_hot(target, logits.shape[1]).bool()
    others_best = logits.masked_fill(is_true, -math.inf).max(dim=1).values
    winning = logits.clone()
    winning[torch.arange(len(rows)), target] = others_best + 1.0 + 1e-6
    assert multiclass_hinge(winning, target).item() == 0.0
    winning[torch.arange(len(rows)), target] = others_best + 0.5  # inside the margin
    assert multiclass_hinge(winning, target).item() > 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 100), st.integers(1, 10), st.floats(-100, 100))
def test_cross_entropy_of_equal_logits_is_log_classes(classes, n, value):
    logits = torch.full((n, classes), value)
    target = torch.zeros(n, dtype=torch.long)
    assert cross_entropy(logits, target).item() == pytest.approx(math.log(classes))
