"""MkDocs hook: fix markup that axe-core flags (tests/browser), on every page after rendering.

- Material's search overlay is a `role="dialog"` without a name (axe: aria-dialog-name).
- pymdownx.tasklist wraps each checkbox in a `<label>` with no text (axe: label); the
  checkbox is named after its task instead.
"""

import html
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_SEARCH_DIALOG = SEARCH_DIALOG[:-1] + ' aria-label="Search">'
TASK = re.compile(
    r'(?P<head><li class="task-list-item"><label class="task-list-control"><input type="checkbox")'
    r"(?P<tail>[^>]*>.*?</label>)(?P<text>.*?)(?=</li>|<ul|<ol)",
    re.DOTALL,
)
TAG = re.compile(r"<[^>]+>")


def _name_task(match: re.Match) -> str:
    text = " ".join(html.unescape(TAG.sub("", match["text"])).split())
    label = html.escape(text or "task", quote=True)
    return f'{match["head"]} aria-label="{label}"{match["tail"]}{match["text"]}'


def on_post_page(output: str, page: Page | None, config: MkDocsConfig) -> str:
    """Name the search dialog and every task-list checkbox of a rendered page."""
    output = output.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG)
    return TASK.sub(_name_task, output)


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """The same fixes for pages built from a bare template (404.html)."""
    return on_post_page(output_content, None, config)
