"""The checks bite: each mutation of a formula below must make its check fail.

Each case edits the source of a snippet module, loads the edited copy as a new module and
runs the same check the real module passes; the check must raise.
"""

import types

import pytest
import torch.nn.functional as F
from conftest import SNIPPETS
from test_batchnorm import CASES, assert_matches_torch_in_training
from test_losses import assert_gradient_is_autograds, assert_same_value_and_grad, batch


# --8<-- [start:mutations]
def mutant(module: str, old: str, new: str) -> types.ModuleType:
    source = (SNIPPETS / f"{module}.py").read_text()
    assert source.count(old) == 1, f"mutation target {old!r} not found once in {module}.py"
    copy = types.ModuleType(f"mutant_{module}")
    exec(compile(source.replace(old, new), f"mutant_{module}.py", "exec"), copy.__dict__)
    return copy


def test_cross_entropy_without_the_max_shift_fails_on_large_logits():
    m = mutant("losses", "logits - logits.max(dim=1, keepdim=True).values", "logits")
    with pytest.raises(AssertionError):
        assert_same_value_and_grad(m.cross_entropy, F.cross_entropy, *batch(scale=1e4))


def test_hinge_that_sums_over_the_true_class_fails():
    m = mutant("losses", ".masked_fill(is_true, 0.0)", "")
    logits, target = batch()
    with pytest.raises(AssertionError):
        assert_same_value_and_grad(
            m.multiclass_hinge, lambda x, y: F.multi_margin_loss(x, y) * 10, logits, target
        )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("softmax(logits) - one_hot", "one_hot - softmax(logits)"),  # sign flipped
        ("/ logits.shape[0]", ""),  # the sum's gradient, not the mean's
    ],
    ids=["p minus y flipped", "not divided by N"],
)
def test_cross_entropy_gradient_mutations_fail(old, new):
    m = mutant("losses", old, new)
    with pytest.raises(AssertionError):
        assert_gradient_is_autograds(m.cross_entropy_grad, *batch())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("torch.sqrt(var.view(shape) + self.eps)", "torch.sqrt(var.view(shape) - self.eps)"),
        ("var * n / (n - 1)", "var"),  # running variance left biased
        ("z_hat + self.beta", "z_hat - self.beta"),
        # Keras' convention: momentum weights the old value, not the batch's
        (
            "running.mul_(1 - momentum).add_(momentum * batch_stat)",
            "running.mul_(momentum).add_((1 - momentum) * batch_stat)",
        ),
    ],
    ids=["eps subtracted", "biased running variance", "beta subtracted", "momentum swapped"],
)
def test_batchnorm_mutations_fail(old, new):
    m = mutant("batchnorm", old, new)
    with pytest.raises(AssertionError):
        assert_matches_torch_in_training(*CASES["2d"], ours_cls=m.BatchNorm)


# --8<-- [end:mutations]
