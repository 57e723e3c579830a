"""Reading a run's checkpoint back: the model, and everything a resume needs."""

from pathlib import Path

import torch
from torch import nn

from snippets.cifar.config import from_dict, resolve
from snippets.cifar.errors import CifarError
from snippets.cifar.models import build_model

FORMAT = 1  # bump when the checkpoint's keys change


def load_checkpoint(path: Path | str) -> dict:
    """The checkpoint at `path` (a file, or a run folder holding checkpoint.pt), on the CPU."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise CifarError(f"{path}: no checkpoint here; a run writes one after each epoch")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated or not a torch file: many exception types
        raise CifarError(f"{path}: not a readable checkpoint ({error!r})") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CifarError(f"{path}: not a checkpoint of this trainer (format {FORMAT})")
    return state


def model_from_checkpoint(state: dict, device: torch.device) -> nn.Module:
    """The checkpoint's model, built by name, weights loaded, in eval mode on `device`."""
    config = resolve(from_dict(state["config"]))
    model = build_model(config.model, config.activation, config.width)
    model.load_state_dict(state["model"])
    return model.to(device).eval()
