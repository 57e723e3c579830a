"""The GPU benchmark script cannot run its real workload here; its --tiny mode keeps it working."""

from .conftest import run_module


def test_speednet_gpu_script_runs_tiny_on_the_cpu():
    done = run_module("benchmarks.speednet_gpu", "--tiny")
    assert done.returncode == 0, done.stderr
    assert "device: cpu" in done.stdout
    assert "training images/s at batch 16" in done.stdout
