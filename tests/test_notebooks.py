"""Notebooks are stored clean: no outputs, no execution counts. The build executes them, each
in its own kernel while it makes the rest of the site (hooks/notebooks_ahead.py)."""

import json
import re

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
