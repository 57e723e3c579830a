"""Probe exports as they come: find the header below any preamble, the delimiter, the decimal
mark, the summary rows (Average, Std Dev...) and the below-detection markers ('<0.01', 'bdl')."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from snippets.epma.headers import InputError, resolve, split_unit

SNIFF_LINES = 200  # the header must be among the first lines
DELIMITERS = (",", ";", "\t")
# Rows of statistics the probe software writes under the spots: a label cell (the first
# column or any label column) that begins with a statistic word, optionally preceded by
# '1', '2' or '±' ('1 s.d.', '2 sigma') and followed only by a count ('Average of 2 points',
# 'Mean (n=2)', 'Std Dev 1'). Means are compositions and can be converted; others cannot.
_MEAN_WORDS = r"average|avg\.?|ave\.?|av\.|mean|median"
_OTHER_WORDS = (
    r"std\.?\s*dev(?:\.|iation)?|st\.?\s*dev\.?|stdev|std\.?\s*err(?:\.|or)?|std\.?|"
    r"standard\s+(?:deviation|error)|s\.\s*d\.?|sd|s\.\s*e\.?|se|sem|sigma|\u03c3|"
    r"%\s*rel\.?\s*sd|rel\.?\s*s\.?\s*d\.?|%?\s*rsd\s*%?|%\s*sd|cv\s*%?|variance|var|"
    r"min\.?|max\.?|minimum|maximum|range|count|detection\s+limit|d\.\s*l\.?|dl"
)
_COUNT = r"(?:\s*[:.]?\s*\(?\s*(?:n\s*=\s*\d+|of\s+\d+(?:\s+[a-z.]+)?)\s*\)?|\s+\d+)?\s*[:.]?"
_PREFIX = r"^\s*(?:±\s*|[123]\s*)?"
MEAN_ROW = re.compile(_PREFIX + rf"(?:{_MEAN_WORDS}){_COUNT}\s*$", re.I)
SUMMARY_ROW = re.compile(_PREFIX + rf"(?:{_MEAN_WORDS}|{_OTHER_WORDS}){_COUNT}\s*$", re.I)
MEANS = {"mean"}  # the kind summary_kind gives a row of means
BELOW_DETECTION = {
    "bdl",
    "bd",
    "bld",
    "nd",
    "lod",
    "<lod",
    "<dl",
    "<ld",
    "-",
    "--",
    "\u2014",
    "\u2013",
}  # em and en dashes
LESS_THAN = re.compile(r"^<\s*\d*(?:[.,]\d+)?$")
O_EQUALS_F = re.compile(r"^\s*-?\s*o\s*=\s*f\s*$", re.I)
OXIDE_SHAPE = re.compile(r"^[A-Z][a-z]?\d*O\d*$")
NUMBER_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
NUMBER_DOT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")


@dataclass
class Layout:
    """How an export is written: where its header is and how its numbers are spelled."""

    header_line: int  # 0-based line of the header; the lines above it are the preamble
    delimiter: str
    decimal: str  # '.' or ','
    encoding: str
    preamble: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the header cells exactly as written
    names: list[str] | None = None  # column names where the header was rejoined (O=F,Cl)

    def describe(self) -> str:
        name = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        skipped = (
            f"; header on line {self.header_line + 1}: {len(self.preamble)} preamble line(s) "
            "above it skipped"
        )
        latin = {"latin-1": "; not UTF-8: read as Latin-1", "utf-16": "; UTF-16 text"}.get(
            self.encoding, ""
        )
        joined = "; the unquoted 'O=F,Cl' in the header read as one column" if self.names else ""
        return f"{name}-separated, {mark}" + (skipped if self.preamble else "") + latin + joined


ENCODINGS = ("utf-8-sig", "latin-1")  # UTF-8 (with or without a byte-order mark), else Latin-1
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" starts with one


def encodings(head: bytes) -> tuple[str, ...]:
    """The encodings to try, in order, for a file that begins with `head`."""
    return ("utf-16",) if head.startswith(UTF16_MARKS) else ENCODINGS


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding of bytes read from standard input, tried as a file would be."""
    for encoding in encodings(raw[:4]):
        try:
            return raw.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes any byte")


def open_text(source: str | Path | IO[str], encoding: str) -> IO[str]:
    """A text stream that can be read twice: the file itself (streamed, never read whole), or
    standard input read into memory."""
    if not isinstance(source, (str, Path)):
        return io.StringIO(source.read())
    return open(source, encoding=encoding, newline="")


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _header_cells(line: str, delimiter: str) -> list[str]:
    """The header's cells, with an unquoted 'O=F,Cl' in a comma file read as one cell."""
    cells = _split(line, delimiter)
    for k in range(len(cells) - 2, -1, -1):
        if O_EQUALS_F.match(cells[k]) and cells[k + 1].strip().lower() == "cl":
            cells[k : k + 2] = [f"{cells[k]},{cells[k + 1]}"]
    return cells


def _analyte_cells(cells: list[str]) -> int:
    """How many cells look like analyte headers: a known name, a unit, or an oxide shape."""
    count = 0
    for cell in cells:
        name, unit = split_unit(cell.strip())
        try:
            count += resolve(cell.strip()) is not None or unit is not None
        except InputError:
            count += 1
        count += resolve(name) is None and bool(OXIDE_SHAPE.match(name)) and unit is None
    return count


def sniff(text: IO[str], encoding: str) -> Layout:
    """Find the header: the first line with a cell naming an analyte, as many fields as the
    line below it, and a number (or below-detection marker) under an analyte in the first
    data line (a units row aside); then its delimiter and the decimal mark of the numbers."""
    lines = [line.rstrip("\r\n") for _, line in zip(range(SNIFF_LINES), text, strict=False)]
    text.seek(0)
    filled = [n for n, line in enumerate(lines) if line.strip()]
    if not filled:
        raise InputError("empty file: no header row")
    spaced = any(re.search(r"\S {2,}\S", lines[n]) for n in filled)
    if spaced and not any(len(_split(lines[n], d)) >= 2 for n in filled for d in DELIMITERS):
        raise InputError(
            "no delimiter found: no line has fields separated by ',', ';' or a tab "
            "(a space-aligned export? save it from the probe software or a spreadsheet as "
            "CSV or tab-separated text)"
        )
    fallback = None
    for number in filled:
        below = [lines[n] for n in filled if n > number][:2]
        counts = {}
        for d in DELIMITERS:
            cells = _header_cells(lines[number], d)
            if len(cells) >= 2 and (not below or len(_split(below[0], d)) == len(cells)):
                counts[d] = _analyte_cells(cells)
        if counts and max(counts.values()) >= 1:
            delimiter = max(counts, key=lambda d: (counts[d], -DELIMITERS.index(d)))
            fallback = fallback if fallback is not None else (number, delimiter)
            if below and _data_below(lines[number], below, delimiter):
                return _layout(lines, number, delimiter, encoding)
            if not below:  # the last line: a header without rows, unless one came before
                break
    # No header with data below: the first analyte-looking line, else the first line, so
    # that its columns are named in the error.
    if fallback is not None:
        return _layout(lines, fallback[0], fallback[1], encoding)
    first = lines[filled[0]]
    delimiter = max(DELIMITERS, key=lambda d: len(_split(first, d)))
    return _layout(lines, filled[0], delimiter, encoding)


def _data_below(header: str, below: list[str], delimiter: str) -> bool:
    """The first line below a header candidate (past a row of units) holds a number or a
    below-detection marker under one of its analyte cells: not a table of conditions."""
    positions = _analyte_positions(_header_cells(header, delimiter))
    rows = [_split(line, delimiter) for line in below]
    if len(rows) > 1 and _is_units_row(rows[0]):
        rows = rows[1:]
    cells = [rows[0][k].strip() for k in positions if k < len(rows[0])]
    return any(
        NUMBER_DOT.match(c) or NUMBER_COMMA.match(c) or re.match(r"^[+-]?\d+$", c) or
        c.lower().replace(".", "") in BELOW_DETECTION or LESS_THAN.match(c)
        for c in cells
    )  # fmt: skip


def _is_units_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(split_unit(f"x {c}")[1] for c in filled)


def _layout(lines: list[str], number: int, delimiter: str, encoding: str) -> Layout:
    header = _header_cells(lines[number], delimiter)
    decimal = _decimal_mark(lines[number + 1 :], delimiter, _analyte_positions(header))
    joined = header if len(header) != len(_split(lines[number], delimiter)) else None
    return Layout(number, delimiter, decimal, encoding, lines[:number], header, joined)


def _analyte_positions(header: list[str]) -> list[int]:
    positions = []
    for k, cell in enumerate(header):
        try:
            if resolve(cell.strip()) is not None:
                positions.append(k)
        except InputError:
            pass
    return positions


def _decimal_mark(rows: list[str], delimiter: str, positions: list[int]) -> str:
    """',' if the analyte cells below the header are written 12,34; label cells (stage
    coordinates, dates) do not count."""
    if delimiter == ",":
        return "."
    commas = dots = 0
    for line in rows:
        cells = _split(line, delimiter)
        for k in positions:
            cell = cells[k].strip() if k < len(cells) else ""
            commas += bool(NUMBER_COMMA.match(cell))
            dots += bool(NUMBER_DOT.match(cell))
    if commas and dots:
        raise InputError(
            f"numbers are written both with decimal commas ({commas} cells) and decimal points "
            f"({dots} cells): use one"
        )
    return "," if commas else "."


def check_fields(text: IO[str], layout: Layout) -> None:
    """Every row has as many fields as the header, so that no value shifts to another
    column and no missing field passes for a below-detection cell; a column without a
    header holds nothing. Blank lines pass. Streams the file once, then rewinds it."""
    width = len(layout.header)
    nameless = [k for k, cell in enumerate(layout.header) if not cell.strip()]
    for _ in range(layout.header_line + 1):
        text.readline()
    rows = csv.reader(text, delimiter=layout.delimiter)
    line = layout.header_line + 1
    for row in rows:
        start, line = line + 1, layout.header_line + 1 + rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            text.seek(0)
            raise InputError(_field_count_error(start, len(row), width, row))
        filled = [k for k in nameless if row[k].strip()]
        if filled:
            text.seek(0)
            raise InputError(
                f"column {filled[0] + 1} has no header but holds {row[filled[0]]!r} on line "
                f"{start}: give it a name in the header"
            )
    text.seek(0)


def _field_count_error(line: int, fields: int, width: int, row: list[str]) -> str:
    why = "a value would be read in the wrong column or as a missing (below-detection) cell"
    if fields == width + 1 and not row[-1].strip():
        why = "the row ends with a delimiter the header lacks"
    elif fields < width:
        why = "a truncated row, or a missing delimiter"
    return (
        f"line {line} has {fields} fields, the header {width}: {why}; "
        "every row must have one field per header column"
    )


def read_chunks(text: IO[str], layout: Layout, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The rows below the header as text, chunk by chunk; index = 0-based file line number."""
    reader = pd.read_csv(
        text,
        sep=layout.delimiter,
        skiprows=layout.header_line + (layout.names is not None),
        header=None if layout.names else "infer",
        names=layout.names,
        index_col=False,  # never take the first column as the index (check_fields ran)
        dtype=str,  # keep label columns exactly as written; analytes are parsed later
        keep_default_na=False,
        skip_blank_lines=False,
        chunksize=chunk_rows,
        engine="c",
    )
    first_line = layout.header_line + 1
    start = 0
    for chunk in reader:
        chunk = chunk.fillna("")
        chunk.columns = [str(c).strip() for c in chunk.columns]
        chunk.index = pd.RangeIndex(first_line + start, first_line + start + len(chunk))
        start += len(chunk)
        yield chunk


def blank_rows(chunk: pd.DataFrame) -> np.ndarray:
    """Rows with nothing in any cell (blank lines, or only delimiters)."""
    return (chunk.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()


def summary_kind(chunk: pd.DataFrame, label_columns: list[str]) -> np.ndarray:
    """For each row, 'mean' (Average, Mean...), 'statistic' (Std Dev, Min...) or '' for a
    spot: read from the first column and every label column (SUMMARY_ROW)."""
    kinds = np.full(len(chunk), "", dtype=object)
    for column in dict.fromkeys([chunk.columns[0], *label_columns]):
        cells = chunk[column]
        hit = cells.str.match(SUMMARY_ROW.pattern, case=False).to_numpy() & (kinds == "")
        mean = cells.str.match(MEAN_ROW.pattern, case=False).to_numpy()
        kinds[hit] = np.where(mean[hit], "mean", "statistic")
    return kinds


@dataclass
class Cells:
    """One analyte column parsed: values in its own unit, below-detection and bad cells."""

    values: np.ndarray
    below: np.ndarray  # bool: a below-detection marker or an empty cell
    bad: list[tuple[int, str]]  # (position, what is wrong)
    markers: dict[str, int]  # below-detection marker -> count


def parse_cells(raw: pd.Series, decimal: str) -> Cells:
    """Numbers from text cells: '<0.01', 'bdl', 'n.d.', '-' and empty cells are below
    detection; NaN, text and infinities are bad cells."""
    text = raw.str.strip()
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    below = np.zeros(len(text), dtype=bool)
    bad, markers = [], {}
    for i in np.flatnonzero(~np.isfinite(numbers)):
        cell = raw.iloc[i].strip()
        key = cell.lower().replace(".", "").replace(" ", "")
        if cell == "" or key in BELOW_DETECTION or LESS_THAN.match(cell):
            below[i] = True
            marker = "empty cell" if cell == "" else cell
            markers[marker] = markers.get(marker, 0) + 1
        else:
            bad.append((i, _describe(cell)))
    return Cells(numbers, below, bad, markers)


def _describe(text: str) -> str:
    if text.lower() in {"nan", "na", "n/a", "null", "none"}:
        return f"{text!r} is not a measured value"
    if text.lower().lstrip("+-") in {"inf", "infinity"}:
        return f"infinite value {text!r}"
    return f"text {text!r} where a number belongs"
