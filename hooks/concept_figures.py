"""MkDocs hook: the concept figures (losses, softmax, L1/L2, batch norm, data locality).

Each figure of snippets.concepts becomes `figures/concepts/<name>.svg` in the site, computed
at build time by the tested snippets, so a page's figure can never drift from the code it
explains. A worker process draws them while the pages are made (hooks/figure_pool.py); one
that cannot be drawn fails the build, naming it. While previewing, a figure is redrawn only
when the snippets it is computed from change (hooks/build_cache.py).
"""

from importlib.metadata import version
from pathlib import Path

import build_cache  # hooks/ is on the import path while MkDocs loads a hook
import figure_pool
from mkdocs.plugins import event_priority

from snippets import concepts

# What the figures are computed and drawn from: the snippets concepts.py imports, and this hook.
INPUTS = (*build_cache.module_inputs(concepts), Path(__file__))


@event_priority(100)  # before the plugins, so htmlproofer's list of files holds the figures
def on_files(files, config):
    """Add each concept figure to the site, drawn by a worker while the pages are made."""
    code = build_cache.content_hash([*INPUTS, version("matplotlib"), version("torch")])
    for name in concepts.FIGURES:
        uri, what = f"figures/concepts/{name}.svg", f"concept figure {name!r}"
        figure_pool.add(files, config, uri, [code, name], what, concepts.draw, name)
    return files


# Every figure drawn and in its file before MkDocs copies the files; the workers stopped if
# the build fails. Both figure hooks name these events; the second call finds nothing to do.
on_env, on_build_error = figure_pool.on_env, figure_pool.on_build_error
