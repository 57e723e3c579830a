"""Learning-rate schedules by name: plain functions of progress, so a resume needs no state."""

import math
from collections.abc import Callable

WARMUP = 0.2  # onecycle's share of the run spent warming up


# --8<-- [start:schedules]
def constant(progress: float) -> float:
    return 1.0


def step(progress: float) -> float:
    """Divide by 10 at half and at three quarters of the run."""
    return 0.1 ** ((progress >= 0.5) + (progress >= 0.75))


def cosine(progress: float) -> float:
    return 0.5 * (1 + math.cos(math.pi * progress))


def onecycle(progress: float) -> float:
    """Linear up from a tenth of the peak over the first 20 %, then linear down to zero."""
    if progress < WARMUP:
        return 0.1 + 0.9 * progress / WARMUP
    return (1 - progress) / (1 - WARMUP)


# --8<-- [end:schedules]

SCHEDULES: dict[str, Callable[[float], float]] = {
    "constant": constant,
    "step": step,
    "cosine": cosine,
    "onecycle": onecycle,
}


def lr_factor(schedule: str, progress: float) -> float:
    """The multiplier of the peak learning rate at `progress` (0: first step, 1: the end)."""
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    return SCHEDULES[schedule](progress)
