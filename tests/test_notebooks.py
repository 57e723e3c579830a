"""Notebooks are stored clean: no outputs, no execution counts. The build executes them, each
in its own kernel while it makes the rest of the site (hooks/notebooks_ahead.py)."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import DOCS, ROOT, build_site

NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code" and (cell["outputs"] or cell["execution_count"])
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} hold outputs; clear them before committing"


def test_notebook_pages_show_every_cell_executed(built_site):
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text())["cells"]
        code = sum(cell["cell_type"] == "code" for cell in cells)
        html = (built_site / "notebooks" / notebook.stem / "index.html").read_text()
        prompts = re.findall(r"jp-InputArea-prompt\">In\s*\[([^\]]*)\]:", html)
        assert prompts == [str(n) for n in range(1, code + 1)], (
            f"{notebook.name}: the page shows prompts {prompts}, not {code} executed cells"
        )
        assert "jp-OutputArea-output" in html


def test_a_failing_cell_fails_the_build_naming_the_notebook(tmp_path):
    """The strict build executes notebooks ahead, in their own kernels; an error still stops it."""
    docs = tmp_path / "project" / "docs"
    docs.mkdir(parents=True)
    cells = [nbformat.v4.new_code_cell('print("fine")'), nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), docs / "broken.ipynb")
    (docs / "index.md").write_text("# Home\n")
    config = tmp_path / "project" / "mkdocs.yml"
    config.write_text(
        "site_name: test\nstrict: true\n"
        "plugins:\n  - mkdocs-jupyter:\n      execute: true\n      allow_errors: false\n"
        f"hooks:\n  - {ROOT / 'hooks' / 'notebooks_ahead.py'}\n"
    )
    result = build_site(config, tmp_path / "site")
    assert result.returncode != 0, "a notebook with a failing cell was built"
    assert "notebook broken.ipynb failed" in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_the_site_offers_the_clean_notebook_for_download(built_site):
    """The page renders an executed copy; the file readers download is the stored notebook."""
    for notebook in NOTEBOOKS:
        folder = built_site / "notebooks" / notebook.stem
        assert [p.name for p in folder.glob("*.ipynb")] == [notebook.name]
        assert (folder / notebook.name).read_bytes() == notebook.read_bytes()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_ctrl_c_stops_a_build_at_once_and_leaves_no_kernel(tmp_path):
    """A notebook still executing ahead never holds the build: its thread is a daemon and its
    kernel is shut down at exit."""
    docs = tmp_path / "docs"
    docs.mkdir()
    cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(600)")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), docs / "slow.ipynb")
    (docs / "index.md").write_text("# Home\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: test\nplugins:\n  - mkdocs-jupyter:\n      execute: true\n"
        f"hooks:\n  - {ROOT / 'hooks' / 'notebooks_ahead.py'}\n"
    )
    build = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (kernels := children(build.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kernels, "no kernel started"
        time.sleep(1)
        build.send_signal(signal.SIGINT)
        assert build.wait(timeout=20) != 0
    finally:
        build.kill()  # a no-op once it has exited
    time.sleep(1)
    for pid in kernels:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
