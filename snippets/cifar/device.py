"""Which device a run uses, in which precision, and saying so: never a silent fallback.

- bf16 autocast where the GPU runs it natively (compute capability 8.0 and up: A100, H100,
  RTX 30xx and later);
- fp16 autocast with a GradScaler on older GPUs (V100, T4, RTX 20xx), whose bf16 is emulated;
- fp32 on the CPU and on Apple's MPS unless asked (bf16 and fp16 run on the CPU too, for tests).
"""

import contextlib
import os
import platform
import shutil
from contextlib import nullcontext
from pathlib import Path

import torch

from snippets.cifar.errors import CifarError
from snippets.cifar.progress import plural
from snippets.device import pick_device

DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
WHEELS = "https://pytorch.org/get-started/locally/"


def nvidia_gpu_present() -> bool:
    """True when the machine has an NVIDIA driver loaded, whether or not PyTorch can use it."""
    return Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi") is not None


def why_cuda_is_unusable() -> str | None:
    """Why an NVIDIA GPU that is present cannot be used by this PyTorch; None if no GPU or fine."""
    if torch.cuda.is_available() or not nvidia_gpu_present():
        return None
    if torch.version.cuda is None:
        return f"this PyTorch ({torch.__version__}) is a CPU-only build"
    try:
        torch.cuda.init()  # raises with the driver's own reason (e.g. driver too old)
    except Exception as error:  # RuntimeError or AssertionError, depending on the cause
        return f"{error}".strip().splitlines()[0]
    return "torch.cuda.is_available() is False"


def cuda_fallback_notice(reason: str) -> str:
    """The line printed when --device auto falls back to the CPU although a GPU is present."""
    return (
        f"warning: an NVIDIA GPU is present but PyTorch cannot use it ({reason}); training on "
        f"the CPU. This PyTorch {torch.__version__} was built for CUDA {torch.version.cuda}: "
        "install a wheel built for a CUDA version your driver supports (`nvidia-smi` shows it "
        f"top right), e.g. `pip install torch --index-url https://download.pytorch.org/whl/cu118`"
        f" (see {WHEELS}), or update the NVIDIA driver."
    )


def choose_device(prefer: str) -> tuple[torch.device, str | None]:
    """`prefer` ('auto', 'cpu', 'cuda', ...) as a device, and a notice when auto fell back.

    Under torchrun a CUDA device is cuda:LOCAL_RANK.
    """
    if prefer.split(":")[0] not in DEVICES:
        raise CifarError(f"--device {prefer!r} is unknown; choose one of {', '.join(DEVICES)}")
    try:
        device = pick_device(prefer)
    except RuntimeError as error:
        reason = why_cuda_is_unusable()
        more = f" ({reason})" if reason else ""
        raise CifarError(f"--device {prefer}: {error}{more}; use --device cpu or auto") from error
    notice = None
    if prefer == "auto" and device.type != "cuda":
        reason = why_cuda_is_unusable()
        notice = cuda_fallback_notice(reason) if reason else None
    if device.type == "cuda" and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return device, notice


def capability(device: torch.device) -> tuple[int, int] | None:
    """The CUDA compute capability of `device`, None elsewhere."""
    return torch.cuda.get_device_capability(device) if device.type == "cuda" else None


def resolve_precision(asked: str, device: torch.device) -> str:
    """'auto' made concrete for `device`; a CifarError for a precision the device cannot run."""
    if asked not in PRECISIONS:
        raise CifarError(f"--precision {asked!r} is unknown; choose one of {', '.join(PRECISIONS)}")
    cc = capability(device)
    if asked == "auto":
        if cc is None:
            return "fp32"
        return "bf16" if cc >= (8, 0) else "fp16"
    if asked == "bf16" and cc is not None and cc < (8, 0):
        raise CifarError(
            f"--precision bf16: {torch.cuda.get_device_name(device)} (compute capability "
            f"{cc[0]}.{cc[1]}) has no native bf16; use --precision fp16 or auto"
        )
    if asked != "fp32" and device.type == "mps":
        raise CifarError(f"--precision {asked}: not supported on mps here; use fp32 or auto")
    return asked


def autocast(device: torch.device, precision: str):
    """Mixed-precision autocast for bf16/fp16; nothing for fp32."""
    if precision in DTYPES:
        return torch.autocast(device.type, dtype=DTYPES[precision])
    return nullcontext()


def grad_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler:
    """A loss scaler, enabled only for fp16 (whose small range loses small gradients)."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")


def synchronize(device: torch.device) -> None:
    """Wait until the device has finished the work queued so far (a clock read needs it)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def device_name(device: torch.device) -> str:
    """A human name for `device`: the GPU's model, or the CPU's with its core and thread counts."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores, threads = plural(os.cpu_count() or 1, "core"), plural(torch.get_num_threads(), "thread")
    return f"{device.type}: {cpu}, {cores}, {threads}"


def describe(device: torch.device, precision: str) -> str:
    """The line a run prints first: device, its name and capability, and the precision."""
    cc = capability(device)
    more = f", compute capability {cc[0]}.{cc[1]}" if cc else ""
    return f"device: {device} ({device_name(device)}{more}), precision {precision}"
