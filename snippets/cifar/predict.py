"""Using a trained run: test-set accuracy per class, and the classes of your own image files."""

from pathlib import Path

import torch
from PIL import Image, UnidentifiedImageError

from snippets.cifar.augment import normalise, tta_logits
from snippets.cifar.config import from_dict, resolve
from snippets.cifar.data import load_cifar10
from snippets.cifar.device import choose_device
from snippets.cifar.errors import CifarError
from snippets.cifar.models import build_model
from snippets.cifar.objectives import make_loss
from snippets.cifar.recipe import parse_recipe, tta_level
from snippets.cifar.rundir import load_checkpoint
from snippets.cifar.train import evaluate


def model_from_checkpoint(state: dict, device: torch.device) -> torch.nn.Module:
    """The checkpoint's model, built by name, weights loaded, in eval mode on `device`."""
    config = resolve(from_dict(state["config"]))
    model = build_model(config.model, config.activation, config.width)
    model.load_state_dict(state["model"])
    return model.to(device).eval()


def evaluate_checkpoint(
    checkpoint: Path | str, data_dir: str | None = None, device: str = "auto", download=True
) -> dict:
    """Test loss, accuracy and per-class accuracy of a run's checkpoint."""
    state = load_checkpoint(checkpoint)
    config = resolve(from_dict(state["config"]))
    where, _ = choose_device(device)
    model = model_from_checkpoint(state, where)
    data = load_cifar10(data_dir or config.data_dir, download_missing=download).to(where)
    stats = (state["mean"].to(where), state["std"].to(where))
    loss_fn = make_loss(config.loss, config.label_smoothing)
    tta = tta_level(config.tta, parse_recipe(config.recipe))
    loss, acc = evaluate(model, data.test_images, data.test_labels, stats, loss_fn, tta=tta)
    per_class = {}
    for k, name in enumerate(data.classes):
        of_class = data.test_labels == k
        _, per_class[name] = evaluate(
            model,
            data.test_images[of_class],
            data.test_labels[of_class],
            stats,
            loss_fn,
            tta=tta,
        )
    return {
        "test_loss": loss,
        "test_acc": acc,
        "per_class_acc": per_class,
        "test_images": len(data.test_images),
        "data": str(data.path),
    }


def read_image(path: Path) -> torch.Tensor:
    """An image file as uint8 (3, 32, 32): converted to RGB and resized if it is another size."""
    try:
        with Image.open(path) as image:
            rgb = image.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError) as error:
        raise CifarError(f"{path}: not a readable image ({error})") from error
    return (
        torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
        .view(32, 32, 3)
        .permute(2, 0, 1)
    )


@torch.no_grad()
def predict(
    checkpoint: Path | str, images: list[Path | str], device: str = "auto", top: int = 1
) -> list[dict]:
    """The `top` most probable classes (name, probability) for each image file."""
    state = load_checkpoint(checkpoint)
    config = resolve(from_dict(state["config"]))
    where, _ = choose_device(device)
    model = model_from_checkpoint(state, where)
    x = torch.stack([read_image(Path(p)) for p in images]).to(where)
    x = normalise(x, state["mean"].to(where), state["std"].to(where))
    logits = tta_logits(model, x, tta_level(config.tta, parse_recipe(config.recipe)))
    probs, classes = logits.float().softmax(1).topk(min(top, 10), dim=1)
    return [
        {"image": str(p), "top": [(state["classes"][c], pr) for c, pr in zip(cs, ps, strict=True)]}
        for p, cs, ps in zip(images, classes.tolist(), probs.tolist(), strict=True)
    ]
