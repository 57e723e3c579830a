"""Learning-rate schedules as plain functions of training progress, so a resume needs no state."""

import math

SCHEDULES = ("constant", "step", "cosine", "onecycle")


# --8<-- [start:schedules]
def lr_factor(schedule: str, progress: float, warmup: float = 0.2) -> float:
    """The multiplier of the peak learning rate at `progress` (0: first step, 1: the end)."""
    if schedule == "constant":
        return 1.0
    if schedule == "step":  # divide by 10 at half and at three quarters of the run
        return 0.1 ** ((progress >= 0.5) + (progress >= 0.75))
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * progress))
    if schedule == "onecycle":  # linear up from a tenth of the peak, then linear down to zero
        if progress < warmup:
            return 0.1 + 0.9 * progress / warmup
        return (1 - progress) / (1 - warmup)
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


# --8<-- [end:schedules]
