"""Figures drawn in a worker process while MkDocs makes the pages; hooks use it like build_cache.

Drawing the site's figures takes 5-7 s of matplotlib, which held up every page behind it. A
hook adds each figure to the site at once, as an empty file, and a worker process draws it;
`on_env` (before MkDocs copies the files) fills every file in, and a figure that cannot be
drawn fails the build, naming it. The workers are new processes for each build, forked from a
server that holds only third-party libraries, so a figure is always drawn by the snippets as
they are on disk. While previewing, a figure whose inputs are unchanged comes from the build
cache and is not drawn at all.

    import figure_pool  # hooks/ is on the import path while MkDocs loads a hook
    figure_pool.add(files, config, "figures/x.svg", [inputs...], "figure x", draw, *args)
    on_env, on_build_error = figure_pool.on_env, figure_pool.on_build_error  # the hook's events
"""

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import build_cache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

WORKERS = 2  # measured: the kernels finish first, then both cores draw
PRELOAD = ["numpy", "matplotlib.figure", "torch"]  # third-party only: snippets load fresh
_pool: ProcessPoolExecutor | None = None
_drawing: list[tuple[File, list, str, Future[str]]] = []  # file, cache key, name, the drawing


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fresh server process, never from the build (it has threads
    running: the notebook kernels'); the server imports the drawing libraries once for all
    (4 s less than each worker importing them). Where there is no fork server, fresh ones."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def add(
    files: Files,
    config: MkDocsConfig,
    uri: str,
    inputs: Iterable[Path | str | bytes],
    name: str,
    draw: Callable[..., str],
    *args,
) -> None:
    """Add the SVG `draw(*args)` returns to the site at `uri`; `name` says which in an error."""
    global _pool
    file = File.generated(config, uri, content="")
    files.append(file)
    inputs = list(inputs)
    cached = build_cache.lookup("svg", inputs)
    if cached is not None:
        file.content_string = cached
        return
    if _pool is None:
        _pool = ProcessPoolExecutor(WORKERS, mp_context=_context())
    _drawing.append((file, inputs, name, _pool.submit(draw, *args)))


def on_env(env, config: MkDocsConfig, files: Files):
    """Wait for every figure and fill its file in (and the preview cache); fail on an error."""
    try:
        for file, inputs, name, future in _drawing:
            try:
                svg = future.result()
            except Exception as error:  # any failure of the records, the snippets or matplotlib
                raise PluginError(f"{name} cannot be drawn: {error!r}") from None
            build_cache.store("svg", inputs, svg)
            file.content_string = svg
    finally:
        on_build_error(None)
    return env


def on_build_error(error) -> None:
    """Stop the workers and forget this build's figures: the next build starts afresh."""
    global _pool
    _drawing.clear()
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
    _pool = None
