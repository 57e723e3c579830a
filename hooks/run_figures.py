"""MkDocs hook: figures and tables drawn at build time from the run records under runs/.

- Every study folder under `runs/` (one holding a study.json) becomes `figures/<path>.svg` in
  the site, so a page links `figures/small/architectures.svg` and it can never drift from data.
- A page line `<!-- runs:table small/architectures -->` becomes the study's summary table, and
  `<!-- runs:wall-time small -->` the then-versus-now wall-time table of every study.
- A record that is missing, unreadable or lacks provenance fails the build, naming the file.
"""

import re
from importlib.metadata import version
from pathlib import Path

import build_cache
import figure_pool  # drawn in a worker process; while previewing, only when inputs change
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from snippets.cifar.errors import CifarError
from snippets.cifar.experiments import figures
from snippets.cifar.experiments.records import StudyRecords, find_studies, load_study
from snippets.cifar.experiments.summary import markdown, wall_time_markdown

RUNS = "runs"
MARKER = re.compile(r"^<!-- runs:(?P<kind>table|wall-time) (?P<what>[\w./-]+) -->$", re.M)
studies: dict[str, StudyRecords] = {}


def on_config(config):
    """Read and check every study once per build."""
    root = Path(config.config_file_path).parent / RUNS
    studies.clear()
    try:
        for folder in find_studies(root):
            studies[folder.relative_to(root).as_posix()] = load_study(folder)
    except CifarError as error:
        raise PluginError(f"run records: {error}") from None
    return config


@event_priority(100)  # before the plugins, so htmlproofer's list of files holds the figures
def on_files(files, config):
    """Add each study's figure to the site, drawn by a worker while the pages are made."""
    drawing_code = [*build_cache.module_inputs(figures), Path(__file__), version("matplotlib")]
    code = build_cache.content_hash(drawing_code)
    for key, study in studies.items():
        inputs = [study.folder, code]  # redrawn when the records or the drawing code change
        name = f"run records: the figure of {study.folder}"
        figure_pool.add(files, config, f"figures/{key}.svg", inputs, name, figures.render, study)
    return files


# Every figure drawn and in its file before MkDocs copies the files; the workers stopped if
# the build fails. Both figure hooks name these events; the second call finds nothing to do.
on_env, on_build_error = figure_pool.on_env, figure_pool.on_build_error


def on_page_markdown(markdown_text, page, config, files):
    """Replace each runs marker with the table it names."""

    def table(match: re.Match) -> str:
        kind, what = match["kind"], match["what"]
        if kind == "table":
            if what not in studies:
                raise PluginError(f"{page.file.src_path}: no run records for study {what!r}")
            return markdown(studies[what])
        chosen = [s for key, s in studies.items() if key.startswith(what + "/")]
        if not chosen:
            raise PluginError(f"{page.file.src_path}: no run records under {RUNS}/{what}")
        return wall_time_markdown(chosen)

    return MARKER.sub(table, markdown_text)
