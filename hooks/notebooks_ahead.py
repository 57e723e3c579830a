"""MkDocs hook: the build executes every notebook while it makes the rest of the site.

mkdocs-jupyter executes a notebook when its page is rendered, and the build sits idle while
the kernel works (8 of the build's 20 s on this 2-core machine). Here each notebook starts in
its own kernel as soon as the build knows its files; its page then renders the executed copy
(mkdocs-jupyter with `execute` off), waiting for it when needed. Every notebook is still
executed from scratch on every build, and a failing cell fails the build, naming the notebook;
so does a cell that runs past CELL_TIMEOUT, so a hung notebook cannot hold CI to its limit.
The threads are daemons and nbclient shuts its kernels down at exit, so Ctrl-C stops a build
at once. While previewing, mkdocs-jupyter's own cache does this job instead (hooks/preview.py).
"""

import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path, PurePath

import build_cache  # hooks/ is on the import path while MkDocs loads a hook
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

JUPYTER = "mkdocs-jupyter"
CELL_TIMEOUT = 300  # seconds; this site's cells take under 3 s
executing: dict[str, Future[Path]] = {}  # a notebook's src_uri -> its executed copy
_scratch: tempfile.TemporaryDirectory | None = None


def _execute(source: Path, target: Path, kernel_name: str) -> Path:
    """Run every cell of `source` in a fresh kernel, in the notebook's folder; save to `target`."""
    import nbformat  # imported here: a preview that never executes ahead does not pay for them
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,  # "" takes the notebook's own kernel, as mkdocs-jupyter does
        allow_errors=False,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(source.parent)}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as error:
        raise PluginError(f"notebook {source.name} failed:\n{error}") from None
    nbformat.write(notebook, target)
    return target


def _start(source: Path, target: Path, kernel_name: str) -> Future[Path]:
    """Execute a notebook in a daemon thread: exiting (Ctrl-C, a failed build) never waits."""
    future: Future[Path] = Future()

    def run() -> None:
        try:
            future.set_result(_execute(source, target, kernel_name))
        except BaseException as error:  # handed to the page that waits for it
            future.set_exception(error)

    threading.Thread(target=run, name=f"kernel {source.name}", daemon=True).start()
    return future


def _executed_here(file: File, jupyter) -> bool:
    """A notebook page the build renders and mkdocs-jupyter would execute."""
    ignored = jupyter.config["execute_ignore"] or []
    return (
        jupyter.should_include(file)
        and not file.inclusion.is_excluded()
        and not any(PurePath(file.abs_src_path).match(p) for p in ignored)
    )


@event_priority(200)  # first of all on_files: the kernels start before figures are drawn
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Start executing every notebook page, each in its own kernel and thread."""
    global _scratch
    jupyter = config.plugins[JUPYTER]
    if not jupyter.config["execute"] or build_cache.enabled():
        return files
    jupyter.config["execute"] = False  # pages render the copies executed here, or the source
    _scratch = tempfile.TemporaryDirectory(prefix="notebooks-ahead-")
    notebooks = [f for f in files if _executed_here(f, jupyter)]
    for i, file in enumerate(notebooks):
        target = Path(_scratch.name) / f"{i}-{Path(file.src_uri).name}"
        executing[file.src_uri] = _start(
            Path(file.abs_src_path), target, jupyter.config["kernel_name"]
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
        executed = future.result()  # waits; a failed cell raises here
        page.file.abs_src_path = str(executed)
        try:
            render(config, files)
        finally:
            page.file.abs_src_path = source  # the page's download stays the clean notebook
            executed.unlink()

    page.render = render_executed
    return page


def on_post_build(config: MkDocsConfig) -> None:
    """A notebook whose page was never rendered still fails the build if a cell failed."""
    for future in executing.values():
        future.result()


def on_build_error(error) -> None:
    """A failed build leaves no executed copies behind (its kernels stop at exit)."""
    on_shutdown()


def on_shutdown() -> None:
    """Remove the executed copies."""
    global _scratch
    if _scratch is not None:
        _scratch.cleanup()
    _scratch = None
    executing.clear()
