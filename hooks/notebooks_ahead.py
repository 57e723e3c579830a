"""MkDocs hook: the build executes every notebook while it makes the rest of the site.

mkdocs-jupyter executes a notebook when its page is rendered, and the build sits idle while
the kernel works (8 of the build's 20 s on this 2-core machine). Here each notebook starts in
its own kernel as soon as the build knows its files; its page then renders the executed copy
(mkdocs-jupyter with `execute` off), waiting for it when needed. Every notebook is still
executed from scratch on every build, and a failing cell fails the build, naming the notebook.
While previewing, mkdocs-jupyter's own cache does this job instead (hooks/preview.py).
"""

import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import build_cache  # hooks/ is on the import path while MkDocs loads a hook
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

JUPYTER = "mkdocs-jupyter"
executing: dict[str, Future[Path]] = {}  # a notebook's src_uri -> its executed copy
_pool: ThreadPoolExecutor | None = None
_scratch: tempfile.TemporaryDirectory | None = None


def _ahead(config: MkDocsConfig) -> bool:
    """Whether this build executes notebooks ahead: when they are executed and not cached."""
    return config.plugins[JUPYTER].config["execute"] and not build_cache.enabled()


def _execute(source: Path, target: Path, kernel_name: str) -> Path:
    """Run every cell of `source` in a fresh kernel, in the notebook's folder; save to `target`."""
    import nbformat  # imported here: a preview that never executes ahead does not pay for them
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,  # "" takes the notebook's own kernel, as mkdocs-jupyter does
        allow_errors=False,
        resources={"metadata": {"path": str(source.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise PluginError(f"notebook {source.name} failed:\n{error}") from None
    nbformat.write(notebook, target)
    return target


@event_priority(200)  # first of all on_files: the kernels start before figures are drawn
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Start executing every notebook page, each in its own kernel and thread."""
    global _pool, _scratch
    on_shutdown()  # a rebuild while serving under CI starts afresh
    if not _ahead(config):
        return files
    jupyter = config.plugins[JUPYTER]
    jupyter.config["execute"] = False  # the page renders the copy this hook executed
    notebooks = [f for f in files if jupyter.should_include(f)]
    _scratch = tempfile.TemporaryDirectory(prefix="notebooks-ahead-")
    _pool = ThreadPoolExecutor(max_workers=max(1, len(notebooks)), thread_name_prefix="kernel")
    for i, file in enumerate(notebooks):
        target = Path(_scratch.name) / f"{i}-{Path(file.src_uri).name}"
        executing[file.src_uri] = _pool.submit(
            _execute, Path(file.abs_src_path), target, jupyter.config["kernel_name"]
        )
    return files


@event_priority(-100)  # after mkdocs-jupyter has set the page's renderer
def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    """Render the executed copy of the notebook instead of the stored, clean one."""
    future = executing.get(page.file.src_uri)
    if future is None:
        return page
    render = page.render

    def render_executed(config: MkDocsConfig, files: Files) -> None:
        source = page.file.abs_src_path
        page.file.abs_src_path = str(future.result())  # waits; a failed cell raises here
        try:
            render(config, files)
        finally:
            page.file.abs_src_path = source  # the page's download stays the clean notebook

    page.render = render_executed
    return page


def on_post_build(config: MkDocsConfig) -> None:
    """A notebook whose page was never rendered still fails the build if a cell failed."""
    for future in executing.values():
        future.result()


def on_build_error(error) -> None:
    """A failed build leaves no executed copies behind."""
    on_shutdown()


def on_shutdown() -> None:
    """Stop the kernels' threads and remove the executed copies."""
    global _pool, _scratch
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
    if _scratch is not None:
        _scratch.cleanup()
    _pool, _scratch = None, None
    executing.clear()
