"""The from-scratch BatchNorm follows nn.BatchNorm1d/2d over several steps, in both modes."""

import pytest
import torch
from torch import nn

from snippets.batchnorm import BatchNorm, running_update, unbiased

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


# --8<-- [start:check_running_update]
@pytest.mark.parametrize("momentum", [0.1, 0.4])  # PyTorch's default; SpeedNet's layers
def test_running_statistics_follow_the_derived_moving_average(momentum):
    """nn.BatchNorm1d's buffers after T steps equal the unrolled update of the post:
    (1 - m)^T * start + sum over steps t of m (1 - m)^(T - t) * (batch statistic of step t)."""
    torch.manual_seed(2)
    reference = nn.BatchNorm1d(3, momentum=momentum).double()
    batches = [torch.randn(16, 3, dtype=torch.float64) * (t + 1) + t for t in range(6)]
    for x in batches:
        reference(x)
    steps, m = len(batches), momentum
    mean = (1 - m) ** steps * torch.zeros(3, dtype=torch.float64)
    var = (1 - m) ** steps * torch.ones(3, dtype=torch.float64)
    for t, x in enumerate(batches, start=1):
        mean += m * (1 - m) ** (steps - t) * x.mean(dim=0)
        var += m * (1 - m) ** (steps - t) * x.var(dim=0, unbiased=True)  # n - 1, not n
    torch.testing.assert_close(reference.running_mean, mean)
    torch.testing.assert_close(reference.running_var, var)


def test_running_update_is_one_step_of_nn_batchnorm():
    """One training step of nn.BatchNorm2d moves its buffers exactly as `running_update` does."""
    torch.manual_seed(3)
    reference = nn.BatchNorm2d(4).double()  # momentum 0.1
    x = torch.randn(8, 4, 5, 5, dtype=torch.float64) * 3 + 1
    mean, var = reference.running_mean.clone(), reference.running_var.clone()
    reference(x)
    n = x.numel() // x.shape[1]  # values per channel: N * H * W
    running_update(mean, x.mean(dim=(0, 2, 3)), reference.momentum)
    running_update(var, unbiased(x.var(dim=(0, 2, 3), unbiased=False), n), reference.momentum)
    torch.testing.assert_close(reference.running_mean, mean)
    torch.testing.assert_close(reference.running_var, var)


def test_test_time_formula_is_nn_batchnorm_in_eval_mode():
    """Eval mode: gamma * (x - running_mean) / sqrt(running_var + eps) + beta, nothing else."""
    torch.manual_seed(4)
    reference = nn.BatchNorm1d(5).double()
    with torch.no_grad():
        reference.weight.uniform_(0.5, 2.0)
        reference.bias.normal_()
    for _ in range(4):
        reference(torch.randn(32, 5, dtype=torch.float64) * 2 + 3)
    reference.eval()
    x = torch.randn(7, 5, dtype=torch.float64)
    by_hand = (x - reference.running_mean) / torch.sqrt(reference.running_var + reference.eps)
    by_hand = reference.weight * by_hand + reference.bias
    torch.testing.assert_close(reference(x), by_hand.detach())


# --8<-- [end:check_running_update]
