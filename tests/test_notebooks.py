"""Notebooks are stored clean: no outputs, no execution counts. The build executes them."""

import json

import pytest
from conftest import DOCS

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


def test_notebook_pages_show_executed_output(built_site):
    for notebook in NOTEBOOKS:
        html = (built_site / "notebooks" / notebook.stem / "index.html").read_text()
        assert "jp-OutputArea-output" in html, f"{notebook.name} was not executed by the build"
