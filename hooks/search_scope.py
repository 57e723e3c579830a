"""MkDocs hook: code blocks stay out of the search index; their prose stays in.

Every page downloads the whole index (search/search_index.json) so search works offline, and
the code shown on the site is the snippets' source, a third of the index's text. Marking each
code block `data-search-exclude` (Material's own switch, removed from the page once read)
keeps every page inside its weight budget (tests/browser) while prose, headings and inline
code still find the page.
"""

import re

CODE_BLOCK = re.compile(r'<div class="(?P<classes>[^"]*\bhighlight\b[^"]*)">')


def on_page_content(html: str, page, config, files) -> str:
    """Mark every highlighted code block of a page for the search plugin to skip."""
    return CODE_BLOCK.sub(r'<div class="\g<classes>" data-search-exclude="code">', html)
