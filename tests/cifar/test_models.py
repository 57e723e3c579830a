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


def test_compiled_bf16_training_on_the_cpu_gives_finite_gradients(real_batch):
    """Issue 12, defect 1: `amax` pooling under torch.compile + bf16 autocast gave NaN
    gradients in every layer below the head (the recomputed input held no element equal to
    the saved maximum). Fails with the old `x.amax(dim=(2, 3))` pooling."""
    x, y = real_batch
    torch.manual_seed(0)
    model = build_model("speednet", width=0.125)
    model.fit_whitening(x)
    compiled = torch.compile(model)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = torch.nn.functional.cross_entropy(compiled(x[:64]).float(), y[:64])
    loss.backward()
    grads = {name: p.grad for name, p in model.named_parameters() if p.requires_grad}
    assert all(g is not None for g in grads.values())
    bad = [name for name, g in grads.items() if not g.isfinite().all()]
    assert not bad, f"non-finite gradients in {bad}"
    assert grads["groups.0.conv1.weight"].abs().sum() > 0  # the gradient reached the bottom


def test_whitening_is_fitted_in_float32_where_the_layer_lives_and_matches_float64(real_batch):
    """Issue 12, defect 7: no float64 and no copy to another device while fitting; the filters
    equal a float64 reference (eigenvectors up to sign) to float32 precision."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Dtypes(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[tuple[torch.dtype, str]] = set()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in out if isinstance(out, (tuple, list)) else [out]:
                if isinstance(t, torch.Tensor):
                    self.seen.add((t.dtype, t.device.type))
            return out

    x, _ = real_batch
    net = build_model("speednet")
    images = x.to(torch.bfloat16)  # whatever the input's dtype, the fit is float32
    with Dtypes() as recorder:
        net.fit_whitening(images)
    assert {dtype for dtype, _ in recorder.seen} <= {torch.float32, torch.bool, torch.int64}
    assert {device for _, device in recorder.seen} == {net.whiten.weight.device.type}

    reference = x.double().unfold(2, 2, 1).unfold(3, 2, 1).transpose(1, 3).reshape(-1, 12)
    values, vectors = torch.linalg.eigh(torch.cov(reference.to(torch.bfloat16).double().T))
    expected = vectors.T / torch.sqrt(values + 5e-4)[:, None]
    ours = net.whiten.weight[:12].reshape(12, 12).double()
    signs = torch.sign((ours * expected).sum(1, keepdim=True))  # eigenvectors' sign is free
    assert torch.allclose(ours, expected * signs, rtol=1e-3, atol=1e-3 * expected.abs().max())
