"""Edit-to-reload of `mkdocs serve` and the time of the strict build, before and after, in one run.

Each variant runs in its own copy of the project (the working tree is never edited):
- serve: start `mkdocs serve`, then append a line to the newest post and time until the
  livereload endpoint tells browsers to reload and until the served HTML carries the line
  (polled over HTTP on 127.0.0.1); repeated, median reported. The variants are the preview
  (build caches on), every build step as CI does it (`CI=1`: caches off), and optionally an
  older commit (`--before REV`).
- build: `mkdocs build --strict` of this tree and of `--before REV`, alternated, median.

`python -m benchmarks.serve_reload [--before REV] [--repeat N]`; writes
benchmarks/results/serve-reload.md. The machine's load is recorded with the figures: on a
shared machine re-run it when it is quiet.
"""

import argparse
import contextlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks.record import Record

ROOT = Path(__file__).resolve().parent.parent
POSTS = Path("docs/blog/posts")
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "site", ".cache", "build", "test-artifacts", "__pycache__", "*_cache"
)
START_TIMEOUT = 300.0
RELOAD_TIMEOUT = 300.0  # a page request waits for the build in progress: minutes when loaded


def copy_tree(dest: Path, rev: str | None = None) -> Path:
    """The working tree (or commit `rev`) copied to `dest`, without outputs and caches."""
    if rev is None:
        shutil.copytree(ROOT, dest, ignore=SKIP)
    else:
        dest.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", rev], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def newest_post(project: Path) -> tuple[Path, str]:
    """The newest post's file and its URL path in the served site."""
    post = sorted((project / POSTS).glob("*.md"))[-1]
    meta = post.read_text(encoding="utf-8").split("---", 2)[1]
    fields = dict(line.split(":", 1) for line in meta.splitlines() if ":" in line)
    date, slug = fields["date"].strip(), fields["slug"].strip()
    return post, f"/blog/{date.replace('-', '/')}/{slug}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 90.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def mkdocs_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "NO_MKDOCS_2_WARNING": "1", **extra}


@contextlib.contextmanager
def serving(project: Path, env: dict[str, str]) -> Iterator[tuple[str, float, int]]:
    """`mkdocs serve` of `project`; yields its URL, the seconds until it first answered and
    its process id."""
    port = free_port()
    log = open(project / "serve.log", "w")  # noqa: SIM115 -- closed below
    command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"]
    start = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=project, env=mkdocs_env(env), stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"mkdocs serve exited:\n{(project / 'serve.log').read_text()}")
            if time.perf_counter() - start > START_TIMEOUT:
                raise RuntimeError(f"mkdocs serve did not answer within {START_TIMEOUT:.0f} s")
            with contextlib.suppress(OSError):
                get(url + "/", timeout=5)
                break
            time.sleep(0.2)
        yield url, time.perf_counter() - start, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of the children it has waited for (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def reload_times(
    url: str, pid: int, post: Path, page: str, repeat: int
) -> list[tuple[float, float, float]]:
    """(seconds to the livereload signal, seconds to the new HTML, CPU seconds of the server)
    for `repeat` edits of `post`."""
    original = post.read_text(encoding="utf-8")
    times = []
    for i in range(repeat):
        time.sleep(1.5)  # let the watcher settle after the last build
        epoch = get(f"{url}/livereload/0/0").strip()  # the latest finished build
        signal: list[float] = []
        poll = f"{url}/livereload/{epoch}/{i + 1}"  # answers when a newer build is visible
        listener = threading.Thread(target=wait_for_reload, args=(poll, signal), daemon=True)
        listener.start()
        time.sleep(0.2)  # the long poll is waiting before the edit
        marker = f"Reload check {i} {time.time_ns()}"
        cpu = cpu_seconds(pid)
        start = time.perf_counter()
        post.write_text(f"{original}\n{marker}\n", encoding="utf-8")
        while marker not in get(url + page, timeout=RELOAD_TIMEOUT):
            if time.perf_counter() - start > RELOAD_TIMEOUT:
                raise RuntimeError(f"{page} did not show the edit within {RELOAD_TIMEOUT:.0f} s")
            time.sleep(0.05)
        shown = time.perf_counter()
        listener.join(RELOAD_TIMEOUT)
        signalled = (signal[0] if signal else float("nan")) - start
        times.append((signalled, shown - start, cpu_seconds(pid) - cpu))
    post.write_text(original, encoding="utf-8")
    return times


def wait_for_reload(poll: str, signal: list[float]) -> None:
    """Long-poll the livereload endpoint as a browser does; note when it says reload."""
    get(poll, timeout=RELOAD_TIMEOUT)
    signal.append(time.perf_counter())


def strict_build(project: Path, site: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `mkdocs build --strict` of `project`; a failed build is an error.
    CPU time (the build and the notebook kernels it waits for; not the figure workers, children
    of the fork server) varies less with the load."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=project,
        env=mkdocs_env({}),
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"strict build of {project} failed:\n{result.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="also measure this commit (e.g. main) as 'before'")
    parser.add_argument("--repeat", type=int, default=5, help="edits / builds per variant")
    args = parser.parse_args()

    record = Record("serve-reload")
    record.say(f"load average at start (1/5/15 min): {load()}   on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        work = Path(tmp)
        trees = {"this tree": copy_tree(work / "now")}
        if args.before:
            trees[f"before ({args.before})"] = copy_tree(work / "before", args.before)

        variants = [("preview (build caches on)", trees["this tree"], {})]
        variants.append(("every step, as CI (CI=1)", trees["this tree"], {"CI": "1"}))
        if args.before:
            variants.append((f"before ({args.before})", trees[f"before ({args.before})"], {}))
        record.say(f"mkdocs serve: edit-to-reload of the newest post, {args.repeat} edits each")
        record.say(
            f"  {'variant':34} {'first build':>11} {'reload signal':>14} {'new HTML':>9}"
            f" {'server CPU':>11}"
        )
        medians = {}
        for name, project, env in variants:
            post, page = newest_post(project)
            with serving(project, env) as (url, started, pid):
                times = reload_times(url, pid, post, page, args.repeat)
            signal, shown, cpu = (statistics.median(t[k] for t in times) for k in range(3))
            medians[name] = shown
            spread = f"{min(t[1] for t in times):.1f}-{max(t[1] for t in times):.1f}"
            record.say(
                f"  {name:34} {started:10.1f}s {signal:13.2f}s {shown:8.2f}s {cpu:10.2f}s"
                f"  (range {spread} s)"
            )

        record.say(f"mkdocs build --strict, alternated, {args.repeat} builds each")
        builds: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for i in range(args.repeat):
            for name, project in trees.items():
                builds[name].append(strict_build(project, work / f"site-{i}"))
        record.say(f"  {'tree':34} {'wall':>8} {'CPU':>8}")
        for name, runs in builds.items():
            wall, cpu = (statistics.median(r[k] for r in runs) for k in (0, 1))
            spread = f"{min(r[0] for r in runs):.1f}-{max(r[0] for r in runs):.1f}"
            record.say(f"  {name:34} {wall:7.1f}s {cpu:7.1f}s  (wall range {spread} s)")

        record.say("ratios (medians):")
        ci = medians["every step, as CI (CI=1)"]
        preview = medians["preview (build caches on)"]
        record.say(f"  edit-to-reload, CI=1 / preview      {ci / preview:5.1f}x   (target: <= 3 s)")
        if args.before:
            before = f"before ({args.before})"
            record.say(f"  edit-to-reload, before / preview    {medians[before] / preview:5.1f}x")
            for k, kind in enumerate(("wall", "CPU")):
                now, then = (
                    statistics.median(r[k] for r in builds[n]) for n in ("this tree", before)
                )
                record.say(
                    f"  strict build {kind:4}, this tree / before {now / then:5.2f}x  (target <= 1)"
                )
    record.say(f"load average at end (1/5/15 min): {load()}")
    record.write()


if __name__ == "__main__":
    main()
