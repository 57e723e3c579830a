"""Convert a probe CSV file in chunks and write the result atomically: all of it or nothing."""

import io
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from snippets.atomic import atomic_file
from snippets.epma.elements import ATOMIC_WEIGHTS_SOURCE
from snippets.epma.exports import (
    MEANS,
    blank_rows,
    check_fields,
    decode,
    encodings,
    open_text,
    read_chunks,
    sniff,
    summary_kind,
)
from snippets.epma.headers import Columns, InputError, read_header, split_unit
from snippets.epma.minerals import MINERALS
from snippets.epma.table import (
    Options,
    check_units,
    convert,
    decimals,
    measured_split,
    parse_chunk,
    where,
)

CHUNK_ROWS = 50_000  # rows read, checked and written at a time: memory stays bounded


@dataclass
class Summary:
    """What a conversion did; written beside the output as OUTPUT.meta.json."""

    operation: str
    rows: int = 0
    analytes: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # analyte column -> what it is read as
    labels: list[str] = field(default_factory=list)
    flagged_rows: int = 0
    layout: str = ""
    preamble: list[str] = field(default_factory=list)
    blank_lines: int = 0
    summary_rows: list[str] = field(default_factory=list)
    below_detection: dict[str, int] = field(default_factory=dict)  # column -> cells read
    negatives_zeroed: dict[str, int] = field(default_factory=dict)  # column -> set to 0
    notes: list[str] = field(default_factory=list)
    normalised: bool = False
    atomic_weights: str = ATOMIC_WEIGHTS_SOURCE
    options: dict = field(default_factory=dict)


@contextmanager
def atomic_output(path: Path | None, stdout: IO[str] | None = None) -> Iterator[IO[str]]:
    """A text file that appears at `path` only if the block finishes; without a path, stdout
    gets nothing until the block finishes either."""
    if path:
        with atomic_file(path, "w", newline="") as handle:
            yield handle
        return
    with tempfile.TemporaryFile("w+", newline="") as buffer:
        yield buffer
        buffer.seek(0)
        shutil.copyfileobj(buffer, stdout or sys.stdout)


def convert_csv(
    source: str | Path | IO[str],
    output: Path | None,
    operation: str,
    options: Options,
    chunk_rows: int = CHUNK_ROWS,
    stdout: IO[str] | None = None,
) -> Summary:
    """Read `source` chunk by chunk, check and convert each, write `output` (or stdout).
    Raises InputError, naming line and column, before anything is written. A file that is
    not UTF-8 is read again as Latin-1 (Windows probe PCs), and the report says so."""
    if not isinstance(source, (str, Path)):  # stdin: read once, decoded like a file
        raw = getattr(source, "buffer", source).read()
        if isinstance(raw, str):
            text, encoding = raw.removeprefix("\ufeff"), "utf-8"
        else:
            text, encoding = decode(raw)
        return _convert(io.StringIO(text), encoding, output, operation, options, chunk_rows, stdout)
    with open(source, "rb") as handle:
        head = handle.read(4)
    for encoding in encodings(head):
        try:
            with open_text(source, encoding) as text:
                return _convert(text, encoding, output, operation, options, chunk_rows, stdout)
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes any byte")


def _convert(text, encoding, output, operation, options, chunk_rows, stdout) -> Summary:
    summary = Summary(operation, normalised=options.normalise, options=asdict(options))
    layout = sniff(text, encoding)
    check_fields(text, layout)
    summary.layout = layout.describe()
    summary.preamble = layout.preamble
    try:
        with atomic_output(output, stdout) as out:
            columns = None
            for chunk in read_chunks(text, layout, chunk_rows):
                if columns is None:
                    chunk, units = _units_row(chunk, summary)
                    columns = _recognise(chunk, operation, options, summary, units)
                written = _convert_chunk(chunk, columns, layout, operation, options, summary)
                if written is not None:
                    written.to_csv(out, header=summary.rows == 0, index=False)
                    summary.rows += len(written)
            if columns is None:
                raise InputError("no data rows below the header")
            if summary.rows == 0 and not summary.blank_lines and not summary.summary_rows:
                raise InputError("no data rows below the header")
            if summary.rows == 0:
                raise InputError("no spot analyses below the header (only blank or summary rows)")
    except pd.errors.EmptyDataError:
        raise InputError("empty file: no header row") from None
    except pd.errors.ParserError as error:
        raise InputError(f"malformed file: {str(error).strip()}") from None
    if output:
        meta = output.with_name(output.name + ".meta.json")
        with atomic_output(meta) as handle:
            json.dump(asdict(summary), handle, indent=2)
    return summary


def _units_row(chunk: pd.DataFrame, summary: Summary) -> tuple[pd.DataFrame, dict[str, str]]:
    """JEOL writes the units on a row of their own under the header ('Mass%'): read and drop
    it, so that each unit is honoured as if it were in the header."""
    if chunk.empty:
        return chunk, {}
    cells = {c: v.strip() for c, v in chunk.iloc[0].items() if v.strip()}
    units = {c: split_unit(f"x {v}")[1] for c, v in cells.items()}
    if not units or None in units.values():
        return chunk, {}
    summary.notes.append(f"line {chunk.index[0] + 1} is a row of units under the header: read")
    return chunk.iloc[1:], units


def _recognise(
    chunk: pd.DataFrame, operation: str, options: Options, summary: Summary, units: dict
) -> Columns:
    """Sort the header's columns; every one ends up an analyte or a label, said in the report."""
    header = list(chunk.columns)
    columns = read_header(header, options.labels, options.analytes, chunk)
    for k, a in enumerate(columns.analytes):
        unit = units.get(a.column)
        if unit and a.unit and unit != a.unit:
            raise InputError(f"column {a.column!r}: the header says {a.unit}, the units row {unit}")
        columns.analytes[k] = replace(a, unit=a.unit or unit)
    check_units(columns.analytes, operation)
    _check_oxide_choices(options.oxides, columns)
    if options.mineral and operation != "formula":
        raise InputError(f"--mineral applies to formula, not {operation}")
    summary.analytes = [a.name for a in columns.analytes]
    summary.columns = {a.column: a.name for a in columns.analytes}
    summary.labels = columns.labels
    summary.notes += columns.notes
    if options.mineral:
        _note_basis(options, [a.name for a in columns.analytes], summary)
    if columns.o_equivalent:
        summary.notes.append(
            f"column {columns.o_equivalent!r} checked against the O=F,Cl computed from F and Cl"
        )
    if operation in ("to-oxide", "formula") and "O" in summary.analytes:
        summary.notes.append("the measured O is not used: oxygen follows from the oxides")
    units = {a.unit for a in columns.analytes if a.unit}
    if "ppm" in units:
        summary.notes.append("ppm columns scaled to wt% (x 1e-4)")
    if not units:
        unit = "at%" if operation == "to-weight" else "wt%"
        summary.notes.append(f"no units in the header: analytes read as {unit}")
    return columns


def _check_oxide_choices(oxides: dict[str, str], columns: Columns) -> None:
    """Each --oxide must apply: element input, and a column of that element."""
    if not oxides:
        return
    given = ", ".join(f"{e}={o}" for e, o in oxides.items())
    if any(a.is_oxide for a in columns.analytes):
        raise InputError(f"--oxide {given}: applies to element input only; this file gives oxides")
    elements = {a.name for a in columns.analytes}
    for cation, name in oxides.items():
        if cation not in elements:
            raise InputError(f"--oxide {cation}={name}: no {cation} column in the file")


def _note_basis(options: Options, names: list[str], summary: Summary) -> None:
    """Say where the preset's basis was changed: by the user's options, or to keep a
    measured FeO + Fe2O3 split."""
    preset = MINERALS[options.mineral]
    split = measured_split(names)
    oxygens, cations, fe3 = options.basis(split)
    if split and preset.fe3 and not options.fe3:
        summary.notes.append(
            f"--mineral {options.mineral}: FeO and Fe2O3 are both measured, so that split is "
            f"kept and the preset's Droop Fe3+ estimate is not applied (--fe3 droop applies it)"
        )
    elif split and options.fe3:
        summary.notes.append(
            "--fe3 droop: the measured FeO and Fe2O3 are summed and re-split by charge balance"
        )
    given = {"oxygens": options.oxygens, "cations": options.cations, "fe3": options.fe3}
    given = {k: v for k, v in given.items() if v is not None}
    if given:
        summary.notes.append(
            f"--mineral {options.mineral}: basis oxygens={oxygens}, cations={cations}, "
            f"Fe3+={fe3 or 'none'}; given: {', '.join(f'{k}={v}' for k, v in given.items())}, "
            "the rest from the preset"
        )


def _convert_chunk(chunk, columns, layout, operation, options, summary) -> pd.DataFrame | None:
    """The output rows of one chunk: spots converted, blank and summary rows reported."""
    blank = blank_rows(chunk)
    summary.blank_lines += int(blank.sum())
    kinds = summary_kind(chunk, columns.labels)
    convert_means = options.summary_rows == "convert"
    for i in np.flatnonzero((kinds != "") & ~blank):
        kept = convert_means and kinds[i] in MEANS
        summary.summary_rows.append(
            f"line {chunk.index[i] + 1} {chunk.iloc[i, 0]!r}: {'converted' if kept else 'left out'}"
        )
    _check_repeated_header(chunk, columns)
    keep = ~blank & ((kinds == "") | (convert_means & np.isin(kinds, list(MEANS))))
    chunk = chunk[keep]
    if chunk.empty:
        return None
    data = parse_chunk(chunk, columns, options, layout.decimal)
    for column, count in data.below.items():
        summary.below_detection[column] = summary.below_detection.get(column, 0) + count
    for column, count in data.zeroed.items():
        summary.negatives_zeroed[column] = summary.negatives_zeroed.get(column, 0) + count
    new, total = convert(data, columns.analytes, operation, options)
    decided = [n for n in columns.notes if " read as a label (" in n or " read as the element" in n]
    _reject_far_totals(chunk, total, options.reject_total, decided)
    low, high = options.flag_total
    checked = new.get("total_recalc", total)  # after a Fe3+ split: with its FeO + Fe2O3
    which = "total after the Fe3+ split" if "total_recalc" in new else "total"
    for i in np.flatnonzero((checked < low) | (checked > high)):
        data.notes[i].insert(0, f"{which} {checked[i]:.2f}% outside {low:g}-{high:g}%")
    for i in np.flatnonzero(np.isin(kinds[keep], list(MEANS))):
        data.notes[i].insert(0, f"summary row {chunk.iloc[i, 0]!r}")
    summary.flagged_rows += sum(bool(n) for n in data.notes)
    frame = pd.DataFrame(new, index=chunk.index)
    if summary.rows == 0:  # the added columns are the same in every chunk
        clash = (set(frame.columns) | {"total", "normalised", "flag"}) & set(chunk.columns)
        if clash:
            raise InputError(
                f"header: output column(s) {sorted(clash)} already in input: rename them"
            )
    frame["total"] = total
    for column in frame.columns:
        places = decimals(column, options)
        if places is not None:
            frame[column] = frame[column].round(places)
    frame["normalised"] = "yes" if options.normalise else "no"
    frame["flag"] = ["; ".join(n) for n in data.notes]
    if layout.decimal == ",":  # number columns in the output's convention: 40,85 -> 40.85
        numbers = [a.column for a in columns.analytes] + [
            c for c in (columns.total, columns.o_equivalent) if c
        ]
        chunk = chunk.assign(**{c: chunk[c].str.replace(",", ".", regex=False) for c in numbers})
    if len(layout.header) == chunk.shape[1]:  # the header as written ('' stays '')
        chunk = chunk.set_axis(layout.header, axis=1)
    return pd.concat([chunk, frame], axis=1)


def _check_repeated_header(chunk: pd.DataFrame, columns: Columns) -> None:
    """A second block's header inside the file: refuse it by line, rather than as text."""
    names = [a.column for a in columns.analytes]
    repeats = (chunk[names].apply(lambda c: c.str.strip()) == names).all(axis=1).to_numpy()
    if repeats.any():
        line = chunk.index[np.flatnonzero(repeats)[0]] + 1
        raise InputError(
            f"line {line} repeats the header: the file holds more than one block of analyses; "
            "split it there and convert each part"
        )


def _reject_far_totals(
    chunk: pd.DataFrame, total: np.ndarray, limits: tuple[float, float], decided: list[str]
):
    low, high = limits
    far = np.flatnonzero((total < low) | (total > high))
    if far.size:
        rows = ", ".join(
            f"{where(chunk, i)} {chunk.iloc[i, 0]!r}: {total[i]:.2f}%" for i in far[:5]
        )
        more = f" and {far.size - 5} more" if far.size > 5 else ""
        raise InputError(
            f"total far from 100% ({rows}{more}); accepted {low:g}-{high:g}%: check the units "
            "and columns, or widen --reject-total. If a row is a summary row, its first cell "
            "must begin with a statistic word (Average, Mean, Std Dev, s.d., 2 sigma, Min, Max...)"
            + "".join(f"\nambiguous header decided: {n}" for n in decided)
        )
