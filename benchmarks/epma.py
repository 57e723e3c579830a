"""EPMA converter benchmarks, every ratio measured side by side in this one run.

1. A float64 map of 8 elements x 1024 x 1024, wt% -> at%: snippets.epma.weight_to_atomic
   against exspy's weight_to_atomic, a naive per-analysis Python loop, and a memory-bandwidth
   floor (one read and one write of the map: np.copyto). Also the peak extra memory.
2. A 10^6-row probe CSV converted by the CLI in streaming chunks: wall time and peak RSS,
   beside pandas reading the same file whole.

Targets (issue 4): >= 2x faster than exspy, <= 2x the bandwidth floor, peak extra memory
<= one copy of the map, the CSV converted without loading it at once.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from benchmarks.record import Record, machine
from snippets.epma import weight_to_atomic
from snippets.epma.elements import atomic_weights

RECORD = Record("epma")
say = RECORD.say
ELEMENTS = ["Si", "Al", "Fe", "Mg", "Ca", "Na", "K", "O"]
SHAPE = (len(ELEMENTS), 1024, 1024)
REPEATS = 7


def median_seconds(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def naive_loop(weight: np.ndarray) -> np.ndarray:
    """What a first script does: one analysis (pixel) at a time, in Python."""
    masses = [float(m) for m in atomic_weights(ELEMENTS)]
    flat = weight.reshape(len(ELEMENTS), -1)
    out = np.empty_like(flat)
    for j in range(flat.shape[1]):
        moles = [flat[i, j] / masses[i] for i in range(len(masses))]
        total = sum(moles)
        for i, n in enumerate(moles):
            out[i, j] = 100 * n / total
    return out.reshape(weight.shape)


def peak_extra_bytes(function) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench_map() -> None:
    rng = np.random.default_rng(0)
    weight = rng.uniform(0.1, 40.0, size=SHAPE)
    say(f"map: float64 {SHAPE}, {weight.nbytes / 2**20:.0f} MiB; median of {REPEATS} runs")

    destination = np.empty_like(weight)
    # Two floors: writing into memory already mapped, and into a fresh array (which pays the
    # page faults a function returning a new map pays too).
    floor = median_seconds(lambda: np.copyto(destination, weight))
    floor_new = median_seconds(lambda: weight.copy())
    ours = median_seconds(lambda: weight_to_atomic(weight, ELEMENTS))
    ours_into = median_seconds(lambda: weight_to_atomic(weight, ELEMENTS, out=destination))
    rows = [
        ("floor: np.copyto into an existing array", floor),
        ("floor: weight.copy(), a new array", floor_new),
        ("snippets.epma, new array", ours),
        ("snippets.epma, out= an existing array", ours_into),
    ]
    try:
        from exspy.material import weight_to_atomic as exspy_weight_to_atomic
    except ImportError:
        exspy_time = None
        say("exspy is not installed: `make bench` installs it")
    else:
        expected = exspy_weight_to_atomic(weight, ELEMENTS)
        np.testing.assert_allclose(weight_to_atomic(weight, ELEMENTS), expected, rtol=1e-3)
        exspy_time = median_seconds(lambda: exspy_weight_to_atomic(weight, ELEMENTS))
        rows.append(("exspy.material.weight_to_atomic", exspy_time))
    naive = median_seconds(lambda: naive_loop(weight), repeats=1)
    rows.append(("naive per-analysis Python loop (1 run)", naive))
    for name, seconds in rows:
        say(f"  {name:42s} {seconds * 1e3:10.1f} ms")

    extra = peak_extra_bytes(lambda: weight_to_atomic(weight, ELEMENTS))
    say("ratios:")
    if exspy_time:
        say(f"  exspy / ours                  {exspy_time / ours:6.2f}x   (target >= 2)")
    say(f"  ours / floor, new array       {ours / floor_new:6.2f}x   (target <= 2)")
    say(f"  ours / floor, existing array  {ours_into / floor:6.2f}x   (target <= 2)")
    say(f"  naive loop / ours             {naive / ours:6.0f}x")
    say(f"  peak extra memory             {extra / weight.nbytes:6.2f} map copies   (target <= 1)")


def write_probe_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    oxides = ["SiO2", "TiO2", "Al2O3", "FeO", "MnO", "MgO", "CaO", "Na2O", "K2O"]
    mean = np.array([52.3, 1.0, 15.0, 9.0, 0.2, 8.0, 11.0, 2.5, 0.8])  # a basalt, total 99.8
    chunk = 100_000
    with path.open("w") as handle:
        handle.write("Spot,Comment," + ",".join(oxides) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            values = mean * rng.uniform(0.95, 1.05, size=(n, len(mean)))
            lines = (
                f"{start + i + 1},basalt glass,{','.join(f'{v:.3f}' for v in row)}\n"
                for i, row in enumerate(values)
            )
            handle.writelines(lines)


def child_run(code: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a fresh Python process running `code`."""
    # VmHWM: this process's own peak resident memory (ru_maxrss would include the parent's).
    report = (
        "; print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + report], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.split()[-1]) / 1024


def bench_csv(rows: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "probe.csv", Path(folder) / "atomic.csv"
        write_probe_csv(source, rows)
        size = source.stat().st_size / 2**20
        say(f"CSV: {rows:,} rows, {size:.0f} MiB")
        _, baseline_rss = child_run("import snippets.epma.cli")
        stream_s, stream_rss = child_run(
            "from snippets.epma.cli import main; "
            f"main(['to-atomic', {str(source)!r}, '-o', {str(output)!r}])"
        )
        whole_s, whole_rss = child_run(
            f"import pandas as pd; pd.read_csv({str(source)!r}, dtype=str, keep_default_na=False)"
        )
        out_rows = sum(1 for _ in output.open()) - 1
        assert out_rows == rows, f"converted {out_rows} rows of {rows}"
        say(f"  import only                  peak RSS {baseline_rss:7.0f} MiB")
        say(f"  epma to-atomic (streaming)   {stream_s:6.1f} s, peak RSS {stream_rss:7.0f} MiB")
        say(f"  pandas reading it whole      {whole_s:6.1f} s, peak RSS {whole_rss:7.0f} MiB")
        say(f"  rows per second (streaming)  {rows / stream_s:,.0f}")


def say_load(when: str) -> None:
    """The 1-minute load average: other jobs on the machine slow every timing, not the ratios."""
    say(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores ({when})")


if __name__ == "__main__":
    print(machine())
    say_load("start")
    bench_map()
    bench_csv()
    say_load("end")
    RECORD.write()
