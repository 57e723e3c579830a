"""A progress line for a terminal; plain lines, one per epoch, when output goes to a file."""

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from torch import Tensor


def plural(count: int, word: str) -> str:
    """'1 epoch', '2 epochs': a count with its noun."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss."""
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Shows epoch, step, loss, accuracy, images/s and the time left.

    On a terminal one line is redrawn in place (at most 10 times a second); otherwise only the
    end of each epoch is printed, so logs stay readable.
    """

    def __init__(self, epochs: int, steps: int, stream: TextIO | None = None, enabled=True):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.epochs, self.steps, self.enabled = epochs, steps, enabled
        self.last_draw = 0.0

    def step(self, epoch: int, step: int, sums: "Tensor", images: int, started: float) -> None:
        """After each step: on a terminal, redraw the line, reading the device's sums only then.

        `sums` is (loss sum, number right) of this epoch's `images` so far, on the device;
        `started` the perf_counter() time this epoch's steps began.
        """
        now = time.monotonic()
        if not (self.enabled and self.tty) or now - self.last_draw < 0.1:
            return
        self.last_draw = now
        loss, correct = sums.tolist()  # waits for the device: only when a line is drawn
        rate = images / max(time.perf_counter() - started, 1e-9)
        left = (self.steps - step + (self.epochs - epoch) * self.steps) * images / step / rate
        line = (
            f"epoch {epoch}/{self.epochs}  step {step}/{self.steps}  loss {loss / images:.4f}  "
            f"acc {correct / images:6.2%}  {rate:,.0f} img/s  ETA {clock(left)}"
        )
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()

    def epoch(self, row: dict, left: float) -> None:
        """After each epoch (metrics `row`): one permanent line ('-' for an epoch not tested)."""
        if not self.enabled:
            return
        test = "test not run"
        if row["test_loss"] is not None:
            test = f"test loss {row['test_loss']:.4f} acc {row['test_acc']:6.2%}"
        line = (
            f"epoch {row['epoch']}/{self.epochs}  train loss {row['train_loss']:.4f} "
            f"acc {row['train_acc']:6.2%}  {test}  lr {row['lr']:.3g}  "
            f"{row['images_per_second']:,.0f} img/s  {row['seconds']:.1f}s  ETA {clock(left)}"
        )
        self.stream.write(("\r" if self.tty else "") + line + ("\x1b[K\n" if self.tty else "\n"))
        self.stream.flush()

    def say(self, message: str) -> None:
        """A line of its own (warnings, the final report)."""
        if self.enabled:
            self.stream.write(("\r\x1b[K" if self.tty else "") + message + "\n")
            self.stream.flush()
