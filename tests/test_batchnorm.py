"""The from-scratch BatchNorm follows nn.BatchNorm1d/2d over several steps, in both modes."""

import pytest
import torch
from torch import nn

from snippets.batchnorm import BatchNorm

CASES = {
    "1d": (nn.BatchNorm1d, (32, 6)),
    "2d": (nn.BatchNorm2d, (8, 6, 5, 4)),
}


def twins(reference_cls, channels, ours_cls=BatchNorm):
    ours, theirs = ours_cls(channels).double(), reference_cls(channels).double()
    with torch.no_grad():  # start both from the same non-trivial gamma and beta
        gamma, beta = torch.rand(channels) + 0.5, torch.randn(channels)
        ours.gamma.copy_(gamma)
        ours.beta.copy_(beta)
        theirs.weight.copy_(gamma)
        theirs.bias.copy_(beta)
    return ours, theirs


# --8<-- [start:check_batchnorm]
@pytest.mark.parametrize("case", CASES)
def test_training_steps_match_values_gradients_and_running_stats(case):
    assert_matches_torch_in_training(*CASES[case])


def assert_matches_torch_in_training(reference_cls, shape, ours_cls=BatchNorm):
    torch.manual_seed(0)
    ours, theirs = twins(reference_cls, shape[1], ours_cls)
    for step in range(5):
        # Shifted, scaled inputs: normalisation has real work to do.
        x = (torch.randn(shape, dtype=torch.float64) * (step + 1) + 3 * step).requires_grad_()
        x2 = x.detach().clone().requires_grad_()
        out_ours, out_theirs = ours(x), theirs(x2)
        torch.testing.assert_close(out_ours, out_theirs)
        weights = torch.randn_like(out_ours)  # a loss that is not symmetric in the outputs
        (out_ours * weights).sum().backward()
        (out_theirs * weights).sum().backward()
        torch.testing.assert_close(x.grad, x2.grad)
        torch.testing.assert_close(ours.gamma.grad, theirs.weight.grad)
        torch.testing.assert_close(ours.beta.grad, theirs.bias.grad)
        torch.testing.assert_close(ours.running_mean, theirs.running_mean)
        torch.testing.assert_close(ours.running_var, theirs.running_var)


# --8<-- [end:check_batchnorm]


@pytest.mark.parametrize("case", CASES)
def test_eval_mode_uses_running_statistics(case):
    reference_cls, shape = CASES[case]
    torch.manual_seed(1)
    ours, theirs = twins(reference_cls, shape[1])
    for _ in range(3):
        x = torch.randn(shape, dtype=torch.float64) * 2 + 1
        ours(x), theirs(x)
    ours.eval(), theirs.eval()
    x = torch.randn(shape, dtype=torch.float64)
    torch.testing.assert_close(ours(x), theirs(x))
    # In eval mode one example gives the same answer alone as inside a batch.
    torch.testing.assert_close(ours(x[:1]), ours(x)[:1])


def test_training_output_is_standardised_before_gamma_and_beta():
    layer = BatchNorm(3).double()
    out = layer(torch.randn(200, 3, dtype=torch.float64) * 5 + 7)
    torch.testing.assert_close(out.mean(dim=0), torch.zeros(3, dtype=torch.float64))
    torch.testing.assert_close(
        out.var(dim=0, unbiased=False), torch.ones(3, dtype=torch.float64), atol=1e-4, rtol=0
    )


def test_gamma_sqrt_var_and_beta_mean_give_back_the_input():
    """The post's claim: gamma = sqrt(var + eps), beta = mean undoes the normalisation."""
    z = torch.randn(64, 4, dtype=torch.float64) * 3 + 2
    layer = BatchNorm(4).double()
    with torch.no_grad():
        layer.gamma.copy_(torch.sqrt(z.var(dim=0, unbiased=False) + layer.eps))
        layer.beta.copy_(z.mean(dim=0))
    torch.testing.assert_close(layer(z), z)
