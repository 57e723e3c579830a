"""Convert a probe CSV file in chunks and write the result atomically: all of it or nothing."""

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from snippets.epma.elements import ATOMIC_WEIGHTS_SOURCE
from snippets.epma.table import InputError, Options, convert, parse_values, recognise, where

CHUNK_ROWS = 50_000  # rows read, checked and written at a time: memory stays bounded


@dataclass
class Summary:
    """What a conversion did; written beside the output as OUTPUT.meta.json."""

    operation: str
    rows: int = 0
    analytes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    flagged_rows: int = 0
    normalised: bool = False
    atomic_weights: str = ATOMIC_WEIGHTS_SOURCE
    options: dict = field(default_factory=dict)


@contextmanager
def atomic_output(path: Path | None, stdout: IO[str] | None = None) -> Iterator[IO[str]]:
    """A text file that appears at `path` only if the block finishes; stdout gets nothing
    until then either. On any error the temporary file is removed."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent if path else None, prefix=".epma-", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if path:
            os.replace(temporary, path)
        else:
            with open(temporary, newline="") as done:
                shutil.copyfileobj(done, stdout or sys.stdout)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def convert_csv(
    source: str | Path | IO[str],
    output: Path | None,
    operation: str,
    options: Options,
    chunk_rows: int = CHUNK_ROWS,
    stdout: IO[str] | None = None,
) -> Summary:
    """Read `source` chunk by chunk, check and convert each, write `output` (or stdout).
    Raises InputError, naming row and column, before anything is written."""
    summary = Summary(operation, normalised=options.normalise, options=asdict(options))
    low, high = options.flag_total
    try:
        reader = pd.read_csv(
            source,
            dtype=str,  # keep label columns exactly as written; analytes are parsed below
            keep_default_na=False,
            skip_blank_lines=False,
            chunksize=chunk_rows,
        )
        with atomic_output(output, stdout) as out:
            header = None
            for chunk in reader:
                if header is None:
                    header = list(chunk.columns)
                    analytes = recognise(header, options.labels)
                    summary.analytes = [a.name for a in analytes]
                    summary.labels = [c for c in header if c not in {a.column for a in analytes}]
                values = parse_values(chunk, analytes, summary.rows + 1, options)
                columns, total = convert(values, analytes, operation, options)
                _reject_far_totals(total, summary.rows + 1, options.reject_total)
                outside = np.flatnonzero((total < low) | (total > high))
                flags = np.full(len(total), "", dtype=object)
                flags[outside] = [
                    f"total {t:.2f}% outside {low:g}-{high:g}%" for t in total[outside]
                ]
                summary.flagged_rows += len(outside)
                new = pd.DataFrame(columns, index=chunk.index)
                if summary.rows == 0:  # the added columns are the same in every chunk
                    clash = (set(new.columns) | {"total", "normalised", "flag"}) & set(header)
                    if clash:
                        raise InputError(
                            f"header: output column(s) {sorted(clash)} already in input"
                        )
                if options.decimals is not None:
                    new = new.round(options.decimals)
                new["total"] = total if options.decimals is None else total.round(options.decimals)
                new["normalised"] = "yes" if options.normalise else "no"
                new["flag"] = flags
                pd.concat([chunk, new], axis=1).to_csv(out, header=summary.rows == 0, index=False)
                summary.rows += len(chunk)
            if summary.rows == 0:
                raise InputError("no data rows below the header")
    except pd.errors.EmptyDataError:
        raise InputError("empty CSV: no header row") from None
    except pd.errors.ParserError as error:
        raise InputError(f"malformed CSV: {str(error).strip()}") from None
    if output:
        meta = output.with_name(output.name + ".meta.json")
        with atomic_output(meta) as handle:
            json.dump(asdict(summary), handle, indent=2)
    return summary


def _reject_far_totals(total: np.ndarray, first_row: int, limits: tuple[float, float]) -> None:
    low, high = limits
    far = np.flatnonzero((total < low) | (total > high))
    if far.size:
        rows = ", ".join(f"{where(first_row, i)}: {total[i]:.2f}%" for i in far[:5])
        more = f" and {far.size - 5} more" if far.size > 5 else ""
        raise InputError(
            f"total far from 100% ({rows}{more}); accepted {low:g}-{high:g}%: check the units "
            "and columns, or widen --reject-total"
        )
