"""MkDocs hook: single numbers in a page's text drawn at build time from the run records.

`<!-- runs:value small/lr-decay step-s* test_acc -->` becomes "48.9 % (48.8-49.1)": the field
of the runs of study `runs/small/lr-decay` whose folder names match `step-s*` (a name or a
glob). A field is a summary column (train_acc, test_acc, best_test_acc, epochs, status,
wall_seconds) or a dotted path into run.json (parameters, config.lr, overfit.epochs).
Accuracies over several seeds read "mean % (min-max)", as in the summary tables; any other
field must be the same in every matched run. A marker whose study, run or field is missing
fails the build, naming the page and the marker.
"""

import fnmatch
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

# The record reader, imported in this one place (it may move within snippets.cifar).
from snippets.cifar.errors import CifarError
from snippets.cifar.experiments.records import StudyRecords, StudyRun, load_study
from snippets.cifar.experiments.summary import row, spread

RUNS = "runs"
# Not inside `backticks`, so a page can show the syntax itself.
MARKER = re.compile(
    r"(?<!`)<!-- runs:value (?P<study>[\w./-]+) (?P<run>[\w.*?-]+) (?P<field>[\w.]+) -->(?!`)"
)
_studies: dict[str, StudyRecords] = {}


class MarkerError(CifarError):
    """A runs:value marker names a study, run or field that the records do not hold."""


def field_of(run: StudyRun, field: str):
    """The field of one run: a summary column first, else a dotted path into its run.json."""
    summary = row(run)
    if field in summary and summary[field] is not None:
        return summary[field]
    value = run.info
    for key in field.split("."):
        if not isinstance(value, dict) or key not in value:
            raise MarkerError(f"{run.name}/run.json has no field {field!r}")
        value = value[key]
    return value


def formatted(values: list, field: str) -> str:
    """Accuracies as the tables show them; other fields as one value every run agrees on."""
    if field.endswith("_acc"):
        if not all(isinstance(v, int | float) for v in values):
            raise MarkerError(f"field {field!r} is not a number in every run")
        return spread(values)
    if any(v != values[0] for v in values):
        raise MarkerError(f"field {field!r} differs between the runs ({values}); name one run")
    value = values[0]
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    raise MarkerError(f"field {field!r} is not a single value ({type(value).__name__})")


def value(root: Path, study: str, run: str, field: str) -> str:
    """The text a marker stands for, read from the records under `root` (the runs folder)."""
    folder = Path(root) / study
    if str(folder) not in _studies:
        if not (folder / "study.json").exists():
            raise MarkerError(f"no run records for study {study!r} under {root}")
        _studies[str(folder)] = load_study(folder)
    runs = [r for r in _studies[str(folder)].runs if fnmatch.fnmatchcase(r.name, run)]
    if not runs:
        raise MarkerError(f"study {study!r} has no run matching {run!r}")
    return formatted([field_of(r, field) for r in runs], field)


def on_config(config):
    """Read the records afresh on every build (and every rebuild while serving)."""
    _studies.clear()
    return config


def on_page_markdown(markdown_text, page, config, files):
    """Replace each runs:value marker with the number it names."""
    root = Path(config.config_file_path).parent / RUNS

    def replace(match: re.Match) -> str:
        try:
            return value(root, match["study"], match["run"], match["field"])
        except CifarError as error:
            raise PluginError(f"{page.file.src_path}: {match[0]}: {error}") from None

    return MARKER.sub(replace, markdown_text)
