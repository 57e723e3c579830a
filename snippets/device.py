"""Choose where tensors live: the fastest accelerator present, or the CPU."""

import torch


# --8<-- [start:pick_device]
def pick_device(prefer: str = "auto") -> torch.device:
    """Return CUDA if present, else Apple's MPS, else the CPU; or exactly `prefer` if named."""
    if prefer != "auto":
        device = torch.device(prefer)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("asked for CUDA, but torch.cuda.is_available() is False")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError("asked for MPS, but torch.backends.mps.is_available() is False")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


# --8<-- [end:pick_device]
