"""The speed-record training recipe as named parts that can be switched on and off one by one.

`--recipe plain` is the trainer as it always was; `--recipe record` switches on every part the
published CIFAR-10 speed records use (Keller Jordan's airbench, after hlb-CIFAR10 and David
Page's "How to train your ResNet"). Parts are added or removed by name, so each one's effect
can be measured: `record,-lookahead` is the record recipe without lookahead, `plain,+reflect`
the plain one with reflect-padded crops.
"""

from dataclasses import dataclass, fields, replace
from functools import cache

from torch import nn


# --8<-- [start:recipe]
@dataclass(frozen=True)
class Recipe:
    """Which of the records' tricks a run uses. The defaults are the plain trainer."""

    identity_init: bool = False  # 3x3 convs start as the identity map (dirac) on their inputs
    frozen_bn_weights: bool = False  # BatchNorm scales stay 1; only the shifts (biases) learn
    bias_lr_scale: float = 1.0  # BatchNorm biases learn this much faster (weight decay / this)
    lookahead: bool = False  # every 5 steps the weights move to an EMA of themselves
    whiten_bias_epochs: int | None = None  # freeze the whitening layer's bias after N epochs
    alternate_flip: bool = False  # mirror each image on every other epoch, not at random
    reflect: bool = False  # crops pad by reflecting the image, not with zeros
    tta_translate: bool = False  # test-time views also shifted by one pixel (6 views, not 2)


# The part names of `--recipe` and each part's value when it is switched on.
PARTS = {
    "identity-init": ("identity_init", True),
    "frozen-bn-weights": ("frozen_bn_weights", True),
    "bias-lr": ("bias_lr_scale", 64.0),
    "lookahead": ("lookahead", True),
    "whiten-bias-freeze": ("whiten_bias_epochs", 3),
    "alternate-flip": ("alternate_flip", True),
    "reflect": ("reflect", True),
    "tta-translate": ("tta_translate", True),
}
RECIPES = {
    "plain": Recipe(),
    "record": Recipe(**{name: on for name, on in PARTS.values()}),
}
# --8<-- [end:recipe]


@cache  # the training loop asks for it at every step
def parse_recipe(text: str) -> Recipe:
    """'record' or 'plain', then ',+part' / ',-part' items; a ValueError names a bad item."""
    base, *changes = [item.strip() for item in text.split(",")]
    if base not in RECIPES:
        raise ValueError(f"recipe {base!r} is unknown; start with one of {', '.join(RECIPES)}")
    recipe = RECIPES[base]
    for change in changes:
        sign, part = change[:1], change[1:]
        if sign not in "+-" or not sign or part not in PARTS:
            raise ValueError(
                f"recipe item {change!r} is not +PART or -PART with PART one of {', '.join(PARTS)}"
            )
        name, on = PARTS[part]
        off = next(f.default for f in fields(Recipe) if f.name == name)
        recipe = replace(recipe, **{name: on if sign == "+" else off})
    return recipe


def tta_level(tta: bool, recipe: Recipe) -> int:
    """Test-time views: 0 the image alone, 1 with its mirror, 2 also shifted by a pixel."""
    return 0 if not tta else 2 if recipe.tta_translate else 1


def prepare_model(model: nn.Module, recipe: Recipe) -> nn.Module:
    """Apply the recipe's initialisation and frozen parameters to a freshly built model."""
    for module in model.modules():
        trainable_conv = isinstance(module, nn.Conv2d) and module.weight.requires_grad
        if recipe.identity_init and trainable_conv:
            # The first min(out, in) filters pass their input channel through unchanged; the
            # rest keep their random init. A deep net then starts close to a shallow one.
            k = min(module.out_channels, module.in_channels)
            nn.init.dirac_(module.weight.data[:k])
        norm = isinstance(module, nn.modules.batchnorm._BatchNorm) and module.affine
        if recipe.frozen_bn_weights and norm:
            module.weight.data.fill_(1.0)
            module.weight.requires_grad_(False)
    return model
