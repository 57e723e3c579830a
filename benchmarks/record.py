"""Benchmark output that is also a record: printed as it runs, then written whole to
benchmarks/results/NAME.md, which the guides include, so every figure on the site comes from
a run this repository holds."""

import datetime
import os
import platform
from pathlib import Path

from snippets.cifar.rundir import write_text

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """The processor model, core count and Python version of this machine."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = models[0] if models else platform.machine()
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


class Record:
    """Lines of one benchmark's results."""

    def __init__(self, name: str) -> None:
        self.path = RESULTS / f"{name}.md"
        self.lines: list[str] = []

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def write(self) -> None:
        """Replace the record in one step: a crashed run leaves the previous one intact."""
        stamp = datetime.date.today().isoformat()
        text = f"Measured {stamp} by `make bench` on {machine()}:\n\n```text\n"
        text += "\n".join(self.lines) + "\n```\n"
        write_text(self.path, text)  # atomically: the run folder's writer
        print(f"recorded in {self.path.relative_to(RESULTS.parent.parent)}")
