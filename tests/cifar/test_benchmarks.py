"""The GPU benchmark script cannot run its real workload here; its --tiny mode keeps it working."""

import os
import subprocess
import sys

from .conftest import ROOT


def test_speednet_gpu_script_runs_tiny_on_the_cpu():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.speednet_gpu", "--tiny"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "device: cpu" in done.stdout
    assert "training images/s at batch 16" in done.stdout
