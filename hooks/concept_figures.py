"""MkDocs hook: the concept figures (losses, softmax, L1/L2, batch norm, data locality).

Each figure of snippets.concepts becomes `figures/concepts/<name>.svg` in the site, computed
at build time by the tested snippets, so a page's figure can never drift from the code it
explains. A figure that cannot be drawn fails the build, naming it.
"""

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from snippets import concepts


@event_priority(100)  # before the plugins, so htmlproofer's list of files holds the figures
def on_files(files, config):
    """Add each concept figure to the site as a generated file."""
    for name in concepts.FIGURES:
        try:
            svg = concepts.draw(name)
        except Exception as error:  # any failure of the snippets or of matplotlib
            raise PluginError(f"concept figure {name!r} cannot be drawn: {error!r}") from None
        files.append(File.generated(config, f"figures/concepts/{name}.svg", content=svg))
    return files
