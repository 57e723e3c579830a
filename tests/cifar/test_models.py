"""The models by name: shapes, loss at initialisation, and what each is claimed to be."""

import pytest
import torch

from snippets.cifar.augment import channel_stats, normalise
from snippets.cifar.data import load_cifar10
from snippets.cifar.models import LN10, MODELS, build_model
from snippets.cifar.train import INITIAL_LOSS_TOLERANCE
from snippets.linear_stack import collapse


@pytest.fixture(scope="module")
def real_batch(subset):
    data = load_cifar10(subset, download_missing=False)
    mean, std = channel_stats(data.train_images)
    return normalise(data.train_images[:256], mean, std), data.train_labels[:256]


@pytest.mark.parametrize("name", MODELS)
def test_fresh_model_gives_logits_and_initial_loss_near_ln10(name, real_batch):
    torch.manual_seed(0)
    model = build_model(name, width=0.5)
    x, y = real_batch
    if hasattr(model, "fit_whitening"):
        model.fit_whitening(x)
    with torch.no_grad():
        logits = model.eval()(x)
    assert logits.shape == (256, 10)
    loss = torch.nn.functional.cross_entropy(logits, y).item()
    assert abs(loss - LN10) < INITIAL_LOSS_TOLERANCE, f"{name}: initial loss {loss:.3f}"


def test_boringnet_without_activation_is_one_linear_map():
    torch.manual_seed(0)
    net = build_model("boringnet", activation="none")
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    single = collapse(*linears)
    x = torch.randn(5, 3, 32, 32)
    assert torch.allclose(net(x), single(x.flatten(1)), atol=1e-4)
    relu = build_model("boringnet", activation="relu")
    relu.load_state_dict(net.state_dict())
    assert not torch.allclose(relu(x), single(x.flatten(1)), atol=1e-2)


def test_coolnet_is_the_tutorial_net():
    assert sum(p.numel() for p in build_model("coolnet").parameters()) == 62006


def test_speednet_whitening_layer_whitens_2x2_patches(real_batch):
    x, _ = real_batch
    net = build_model("speednet")
    net.fit_whitening(x, eps=1e-9)  # the default eps damps the faintest directions on purpose
    with torch.no_grad():
        out = net.whiten(x)[:, :12]  # the other 12 channels are the negatives
    assert torch.equal(net.whiten.weight[12:], -net.whiten.weight[:12])
    centred = (out - out.mean(dim=(0, 2, 3), keepdim=True)).transpose(0, 1).reshape(12, -1)
    cov = centred @ centred.T / centred.shape[1]
    assert torch.allclose(cov, torch.eye(12), atol=1e-3)
    assert not net.whiten.weight.requires_grad


def test_unknown_model_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown model 'resnet'.*speednet"):
        build_model("resnet")
