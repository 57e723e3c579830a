"""Every Python block in docs/ is an include of a named, well-formed section of snippets/."""

import pytest
from conftest import DOCS, ROOT, SNIPPETS, TESTS
from site_rules import includes, inline_python_blocks, sections

MARKDOWN = sorted(DOCS.rglob("*.md"))
SOURCES = sorted(SNIPPETS.rglob("*.py")) + sorted(TESTS.glob("test_*.py"))


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_blocks_are_snippet_includes(page):
    lines = inline_python_blocks(page.read_text(encoding="utf-8"))
    assert not lines, f"{page.relative_to(ROOT)}: inline Python block at line(s) {lines}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_section_markers_pair_up(source):
    _, problems = sections(source.read_text(encoding="utf-8"))
    assert not problems, f"{source.relative_to(ROOT)}: {problems}"


def test_every_include_resolves_to_a_section():
    seen = 0
    for page in MARKDOWN:
        for path, section in includes(page.read_text(encoding="utf-8")):
            seen += 1
            where = f"{page.relative_to(ROOT)} includes {path}:{section}"
            target = ROOT / path
            if path.startswith("benchmarks/results/"):  # a recorded benchmark, included whole
                assert target.is_file(), f"{where}: no such file"
                continue
            assert path.startswith(("snippets/", "tests/")), f"{where}: not snippets/ or tests/"
            assert section, f"{where}: include a named section, not a whole file"
            assert target.is_file(), f"{where}: no such file"
            found, _ = sections(target.read_text(encoding="utf-8"))
            assert section in found, f"{where}: no section {section!r}"
    assert seen, "no page includes a snippet: the include check would pass vacuously"


def test_no_python_files_under_docs():
    # mkdocs-jupyter would render them as pages; code belongs in snippets/.
    assert not list(DOCS.rglob("*.py"))


# The rules themselves, on input that breaks them.


def test_rule_flags_an_inline_python_block():
    page = 'Text\n\n```python\nprint("hi")\n```\n\n```python\n--8<-- "snippets/a.py:x"\n```\n'
    assert inline_python_blocks(page) == [3]


def test_rule_flags_an_include_mixed_with_code_and_an_empty_block():
    page = '~~~py\n--8<-- "snippets/a.py:x"\nx = 1\n~~~\n\n``` python\n```\n'
    assert inline_python_blocks(page) == [1, 6]


def test_rule_ignores_shell_blocks():
    assert inline_python_blocks("```bash\npython -m snippets\n```\n") == []


def test_rule_flags_missing_and_unbalanced_markers():
    # Markers are assembled at run time: written out, the section check would flag this file.
    def marker(kind, name):
        return f"# {'--8<--'} [{kind}:{name}]\n"

    source = (
        marker("start", "a")
        + "x = 1\n"
        + marker("end", "a")
        + marker("start", "b")
        + "y = 2\n"  # never ends: would include the rest of the file
        + marker("end", "c")  # ends without a start
        + marker("start", "a")
        + marker("end", "a")  # the same name twice
    )
    found, problems = sections(source)
    assert found["a"] == (1, 3)
    assert "b" not in found
    assert any("'b' has no end marker" in p for p in problems)
    assert any("'c' ends but never started" in p for p in problems)
    assert any("'a' starts twice" in p for p in problems)
