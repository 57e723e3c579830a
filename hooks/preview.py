"""MkDocs hook: `mkdocs serve` shows an edit in seconds; `mkdocs build` still checks everything.

While serving, unless the `CI` environment variable is set (see hooks/build_cache.py):
- figures drawn by hooks come from the build cache while their inputs are unchanged;
- mkdocs-jupyter reuses a notebook's executed page while the notebook and the snippets it
  imports are unchanged: its own cache, in a folder named after those snippets;
- the theme's templates are compiled once per `serve` process, not once per rebuild;
- raw-HTML link checking (htmlproofer) is left to the strict build, which CI runs.
"""

import json
from pathlib import Path

import build_cache  # a sibling module: MkDocs puts hooks/ on the path while loading a hook
import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

JUPYTER = "mkdocs-jupyter"
NOTEBOOKS = build_cache.CACHE / "notebooks"
LOCK = "requirements/constraints.txt"  # the versions a notebook runs with


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory, reused while their source is unchanged (Jinja checks)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = CompiledTemplates()


def on_startup(command: str, dirty: bool) -> None:
    """Caches are for `serve` only; `build` and `gh-deploy` redo everything."""
    build_cache.start(command)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """While previewing: notebooks cached, raw-HTML links left to the strict build."""
    if build_cache.enabled():
        config.plugins["htmlproofer"].config["enabled"] = False
        config.plugins[JUPYTER].config["cache"] = True
    return config


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """While previewing, reuse the templates compiled by the previous rebuild."""
    if build_cache.enabled():
        env.bytecode_cache = TEMPLATES
    return env


@event_priority(50)  # before mkdocs-jupyter reads its cache folder for this page
def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    """Point mkdocs-jupyter's cache at a folder named after the snippets this notebook runs."""
    if build_cache.enabled() and page.file.src_uri.endswith(".ipynb"):
        notebook = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
        code = [cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "code"]
        source = "\n".join("".join(c) if isinstance(c, list) else c for c in code)
        inputs = [*build_cache.imported_snippets(source), build_cache.ROOT / LOCK]
        key = build_cache.content_hash(inputs)
        config.plugins[JUPYTER].config["cache_dir"] = str(NOTEBOOKS / key)
    return page
