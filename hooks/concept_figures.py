"""MkDocs hook: the concept figures (losses, softmax, L1/L2, batch norm, data locality).

Each figure of snippets.concepts becomes `figures/concepts/<name>.svg` in the site, computed
at build time by the tested snippets, so a page's figure can never drift from the code it
explains. A figure that cannot be drawn fails the build, naming it. While previewing, a figure
is redrawn only when the snippets it is computed from change (hooks/build_cache.py).
"""

from importlib.metadata import version
from pathlib import Path

import build_cache  # hooks/ is on the import path while MkDocs loads a hook
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from snippets import concepts

# What the figures are computed and drawn from: the lesson modules (not the two tools).
INPUTS = (
    *sorted(build_cache.SNIPPETS.glob("*.py")),
    Path(__file__),
)


@event_priority(100)  # before the plugins, so htmlproofer's list of files holds the figures
def on_files(files, config):
    """Add each concept figure to the site as a generated file."""
    code = build_cache.content_hash([*INPUTS, version("matplotlib"), version("torch")])
    for name in concepts.FIGURES:
        try:
            svg = build_cache.cached_svg([code, name], lambda name=name: concepts.draw(name))
        except Exception as error:  # any failure of the snippets or of matplotlib
            raise PluginError(f"concept figure {name!r} cannot be drawn: {error!r}") from None
        files.append(File.generated(config, f"figures/concepts/{name}.svg", content=svg))
    return files
