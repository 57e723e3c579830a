"""The speed-record recipe: each part does what it is named for, and a run with it trains."""

import json
import math

import pytest
import torch
import torchvision.transforms.v2.functional as TF
from torch import nn

from snippets.cifar import TrainConfig, train
from snippets.cifar.augment import crop, plan_epoch, tta_logits
from snippets.cifar.cli import main
from snippets.cifar.config import resolve
from snippets.cifar.errors import CifarError
from snippets.cifar.models import build_model
from snippets.cifar.optimizers import (
    LOOKAHEAD_DECAY,
    lookahead_step,
    make_optimizer,
    param_groups,
    record_config,
    record_hyperparameters,
    set_lr,
)
from snippets.cifar.recipe import PARTS, RECIPES, Recipe, parse_recipe, prepare_model, tta_level


def test_recipe_names_switch_parts_on_and_off():
    assert parse_recipe("plain") == Recipe()
    record = parse_recipe("record")
    assert record.lookahead and record.reflect and record.bias_lr_scale == 64
    assert record.whiten_bias_epochs == 3
    assert parse_recipe("record, -lookahead") == Recipe(**{**vars(record), "lookahead": False})
    assert parse_recipe("plain,+reflect,+alternate-flip") == Recipe(
        reflect=True, alternate_flip=True
    )
    assert parse_recipe(",".join(["plain", *(f"+{p}" for p in PARTS)])) == RECIPES["record"]


@pytest.mark.parametrize("bad", ["fast", "record,lookahead", "record,-turbo", "plain,+"])
def test_a_bad_recipe_is_an_error_naming_it(bad):
    with pytest.raises(CifarError, match="--recipe"):
        resolve(TrainConfig(recipe=bad))


def test_identity_init_passes_channels_through_and_frozen_bn_weights_do_not_train():
    torch.manual_seed(0)
    net = prepare_model(build_model("speednet", width=0.125), parse_recipe("record"))
    conv = net.groups[1].conv2  # 32 -> 32 channels, 3x3, 'same' padding
    x = torch.randn(2, conv.in_channels, 8, 8)
    assert torch.allclose(conv(x), x)
    first = net.groups[0].conv1  # 24 -> 8: the first 8 input channels pass through
    x = torch.randn(2, 24, 8, 8)
    assert torch.allclose(first(x), x[:, :8])
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms and all(not m.weight.requires_grad and m.bias.requires_grad for m in norms)
    plain = build_model("speednet", width=0.125)
    assert all(m.weight.requires_grad for m in plain.modules() if isinstance(m, nn.BatchNorm2d))


def test_plain_groups_are_the_trainers_old_two_groups():
    net = build_model("speednet", width=0.125)
    groups = param_groups(net, 5e-4, Recipe())
    assert [g["weight_decay"] for g in groups] == [5e-4, 0.0]
    assert all(p.dim() >= 2 for p in groups[0]["params"])
    assert sum(len(g["params"]) for g in groups) == len(list(net.parameters())) - 1  # whiten.w


def test_record_groups_speed_up_norm_biases_and_freeze_the_whitening_bias():
    torch.manual_seed(0)
    recipe = parse_recipe("record")
    net = prepare_model(build_model("speednet", width=0.125), recipe)
    optimizer = make_optimizer(net, resolve(TrainConfig(model="speednet", recipe="record")))
    norm_biases = {id(m.bias) for m in net.modules() if isinstance(m, nn.BatchNorm2d)}
    by_param = {id(p): g for g in optimizer.param_groups for p in g["params"]}
    for p in norm_biases:
        assert by_param[p]["lr_scale"] == 64 and by_param[p]["weight_decay"] == 5e-4 / 64
    whiten = by_param[id(net.whiten.bias)]
    set_lr(optimizer, 0.1, epoch=2)
    assert whiten["lr"] == 0.1 and by_param[next(iter(norm_biases))]["lr"] == pytest.approx(6.4)
    before = net.whiten.bias.detach().clone()
    set_lr(optimizer, 0.1, epoch=3)  # frozen from the third epoch on
    assert whiten["lr"] == 0.0 and not net.whiten.bias.requires_grad
    loss = net(torch.randn(4, 3, 32, 32)).square().sum()
    loss.backward()
    optimizer.step()
    assert torch.equal(net.whiten.bias, before)


def test_lookahead_follows_its_moving_average_and_ends_on_it():
    torch.manual_seed(0)
    ours, by_hand, without = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(3, 2)
    by_hand.load_state_dict(ours.state_dict())
    without.load_state_dict(ours.state_dict())
    optimizers = [
        torch.optim.SGD(param_groups(ours, 0.0, Recipe(lookahead=True)), lr=0.1),
        torch.optim.SGD(by_hand.parameters(), lr=0.1),
        torch.optim.SGD(without.parameters(), lr=0.1),
    ]
    average = None  # starts at the weights of the first update (the decay is ~0 there anyway)
    total = 12
    for step in range(1, total + 1):
        x = torch.randn(8, 3)
        for net, optimizer in zip((ours, by_hand, without), optimizers, strict=True):
            optimizer.zero_grad()
            net(x).square().mean().backward()
            optimizer.step()
        lookahead_step(optimizers[0], step, total)
        if step % 5 == 0 or step == total:  # steps 5, 10 and the last
            decay = 1.0 if step == total else 0.95**5 * (step / total) ** 3
            with torch.no_grad():
                average = average or [p.detach().clone() for p in by_hand.parameters()]
                for a, p in zip(average, by_hand.parameters(), strict=True):
                    p.copy_(a.mul_(decay).add_(p, alpha=1 - decay))
    for a, b, c in zip(ours.parameters(), by_hand.parameters(), without.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-7)
        assert not torch.allclose(a, c, atol=1e-4)
    assert LOOKAHEAD_DECAY == 0.95**5 and "lookahead" in optimizers[0].state[ours.weight]


def test_record_scaling_reproduces_airbenchs_summed_loss_step():
    """Published airbench94 settings (batch 1024, lr 11.5 and wd 0.0153 per 1024 examples,
    momentum 0.85, summed loss, PyTorch lr = 11.5 / (1024 (1 + 1/0.15)), weight_decay = the
    per-step decay / lr): one step of ours (mean loss) must equal one step of theirs."""
    torch.manual_seed(0)
    batch = 1024
    kilostep = 1024 * (1 + 1 / (1 - 0.85))
    their_lr = 11.5 / kilostep
    their_decay = 0.0153 * batch / kilostep / their_lr
    ours = record_hyperparameters(batch)
    assert ours["lr"] == pytest.approx(1.5, rel=1e-3) and ours["momentum"] == 0.85
    x, y = torch.randn(batch, 5), torch.randint(0, 3, (batch,))
    nets = [nn.Linear(5, 3), nn.Linear(5, 3)]
    nets[1].load_state_dict(nets[0].state_dict())
    settings = [(their_lr, their_decay, "sum"), (ours["lr"], ours["weight_decay"], "mean")]
    for net, (lr, decay, reduction) in zip(nets, settings, strict=True):
        opt = torch.optim.SGD(
            net.parameters(), lr=lr, momentum=0.85, nesterov=True, weight_decay=decay
        )
        for _ in range(3):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x), y, reduction=reduction).backward()
            opt.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-5)
    half = record_hyperparameters(batch // 2)
    assert (
        half["lr"] == pytest.approx(ours["lr"] / 2) and half["weight_decay"] == ours["weight_decay"]
    )


def test_reflect_crop_matches_torchvision_reflect_pad_then_crop():
    x = torch.randint(0, 256, (5, 3, 32, 32), dtype=torch.uint8)
    shift = torch.tensor([[0, 0], [4, 4], [2, 2], [0, 4], [3, 1]])
    ours = crop(x, shift, pad=2, reflect=True)
    for i, (dy, dx) in enumerate(shift.tolist()):
        padded = TF.pad(x[i], [2, 2, 2, 2], padding_mode="reflect")
        assert torch.equal(ours[i], TF.crop(padded, dy, dx, 32, 32)), f"image {i}"


def test_alternate_flip_mirrors_each_image_on_every_other_epoch():
    cpu = torch.device("cpu")
    plans = [plan_epoch(1000, 3, epoch, 2, cpu, alternate_flip=True) for epoch in range(4)]
    assert torch.equal(plans[0].flip, ~plans[1].flip) and torch.equal(plans[0].flip, plans[2].flip)
    assert torch.equal(plans[1].flip, plans[3].flip)
    assert 400 < plans[0].flip.sum() < 600
    random = plan_epoch(1000, 3, 1, 2, cpu)  # the other choices are the same as without it
    assert torch.equal(random.order, plans[1].order) and torch.equal(random.shift, plans[1].shift)
    assert not torch.equal(plans[0].flip, plan_epoch(1000, 4, 0, 2, cpu, True).flip)


def test_tta_levels_average_the_published_views():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 30 * 30, 10)).eval()
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(tta_logits(net, x, 0), net(x))
        mirror = (net(x) + net(x.flip(3))) / 2
        assert torch.allclose(tta_logits(net, x, 1), mirror)
        padded = TF.pad(x, [1, 1, 1, 1], padding_mode="reflect")
        up_left, down_right = padded[..., :32, :32], padded[..., 2:, 2:]
        views = [(net(v) + net(v.flip(3))) / 2 for v in (up_left, down_right)]
        expected = mirror / 2 + (views[0] + views[1]) / 4
        assert torch.allclose(tta_logits(net, x, 2), expected, atol=1e-6)
    assert tta_level(True, parse_recipe("record")) == 2 and tta_level(True, Recipe()) == 1
    assert tta_level(False, parse_recipe("record")) == 0


def test_a_record_recipe_run_learns_on_real_images(subset):
    torch.manual_seed(0)
    config = record_config(
        256,
        width=0.125,
        epochs=4,
        data_dir=str(subset),
        download=False,
        device="cpu",
        progress=False,
        eval_every=4,
    )
    result = train(config)
    assert result.status == "completed"
    assert result.final["test_acc"] > 0.35  # chance is 0.1
    assert math.isfinite(result.final["train_loss"])
    assert result.config.recipe == "record" and result.config.momentum == 0.85


def test_the_recipe_option_from_the_command_line(tiny, tmp_path, capsys):
    common = ["train", "--model", "coolnet", "--epochs", "2", "--batch-size", "50", "--quiet"]
    common += ["--data-dir", str(tiny)]
    assert main([*common, "--recipe", "record,-turbo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cifar train: --recipe: ") and "'-turbo'" in err
    out = tmp_path / "run"
    assert main([*common, "--recipe", "record,-lookahead", "--out", str(out)]) == 0
    info = json.loads((out / "run.json").read_text())
    assert info["config"]["recipe"] == "record,-lookahead" and info["status"] == "completed"
    # frozen BatchNorm weights do not count: coolnet has none, so all its 62,006 parameters train
    assert info["parameters"] == 62006
