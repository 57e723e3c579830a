"""Probe CSV exports: recognise element and oxide columns, check every cell, convert in chunks.

Columns named like an element ('Si', 'Si wt%') or an oxide ('SiO2', 'SiO2 (wt%)') are
analytes; every other column (labels, comments, coordinates) is copied through unchanged.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from snippets.epma.convert import (
    atomic_to_weight,
    element_to_oxide,
    normalise,
    oxide_to_element,
    weight_to_atomic,
)
from snippets.epma.elements import element
from snippets.epma.formula import end_members, structural_formula
from snippets.epma.oxides import OXIDE_NAME, oxide

UNIT = re.compile(
    r"[\s_]*[(\[]?\s*(?P<unit>wt\.?|mass|weight|at\.?|atomic|atom)\s*%\s*[)\]]?\s*$", re.I
)
MAX_PROBLEMS = 10  # problems listed in one error message


class InputError(ValueError):
    """Bad input: the message says what is wrong, and where (row and column)."""


@dataclass(frozen=True)
class Analyte:
    column: str  # the header as written in the file
    name: str  # 'Si' or 'SiO2'
    is_oxide: bool


@dataclass
class Options:
    """What to do with a table; the CLI fills this from its flags."""

    normalise: bool = False
    flag_total: tuple[float, float] = (98.5, 101.5)  # outside: flagged in the 'flag' column
    reject_total: tuple[float, float] = (50.0, 150.0)  # outside: an error, nothing written
    negative: str = "error"  # or "zero": set negative values (below detection) to 0
    labels: Sequence[str] = ()  # columns to copy through even if named like an element
    oxides: dict[str, str] = field(default_factory=dict)  # e.g. {"Fe": "Fe2O3"}
    oxygens: float | None = None
    cations: float | None = None
    fe3: str | None = None
    mineral: str | None = None  # end-members for olivine, feldspar or pyroxene
    decimals: int | None = 6  # round the added columns; None keeps full float precision


def split_unit(header: str) -> tuple[str, str | None]:
    """'SiO2 (wt%)' -> ('SiO2', 'wt'); 'Si' -> ('Si', None)."""
    match = UNIT.search(header)
    if not match:
        return header.strip(), None
    return header[: match.start()].strip(), match["unit"].lower().rstrip(".")


def recognise(columns: Sequence[str], labels: Sequence[str] = ()) -> list[Analyte]:
    """The analyte columns of a header, checked: no unknown names, no element beside its
    own oxide, no analyte twice, not elements and oxides mixed."""
    # pandas renames a repeated header 'SiO2' to 'SiO2.1': catch both spellings.
    repeated = sorted(
        {c for c in columns if list(columns).count(c) > 1}
        | {m[1] for c in columns if (m := re.match(r"^(.*)\.\d+$", c)) and m[1] in columns}
    )
    if repeated:
        raise InputError(f"header: column(s) {repeated} appear more than once")
    analytes = []
    for column in columns:
        if column in labels:
            continue
        name, unit = split_unit(column)
        try:
            analytes.append(Analyte(column, element(name).symbol, is_oxide=False))
            continue
        except ValueError:
            pass
        try:
            analytes.append(Analyte(column, oxide(name).name, is_oxide=True))
        except ValueError as error:
            if OXIDE_NAME.match(name):  # shaped like an oxide, but not a real one
                raise InputError(f"column {column!r}: {error}") from None
            if unit:  # has a wt% or at% unit, so meant as an analyte
                raise InputError(
                    f"column {column!r}: {name!r} is neither an element nor an oxide"
                ) from None
    if not analytes:
        raise InputError(f"no element or oxide columns among {list(columns)}")
    _check_consistent(analytes)
    return analytes


def _check_consistent(analytes: list[Analyte]) -> None:
    names = [a.name for a in analytes]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"header: {twice} given in more than one column")
    elements = {a.name: a.column for a in analytes if not a.is_oxide}
    oxides = [a for a in analytes if a.is_oxide]
    for ox in oxides:
        cation = oxide(ox.name).cation
        if cation in elements:
            raise InputError(
                f"columns {elements[cation]!r} and {ox.column!r} are both {cation}: "
                "give the element or its oxide, not both"
            )
    if elements and oxides:
        raise InputError(
            f"columns mix elements {sorted(elements)} and oxides "
            f"{[a.name for a in oxides]}: give one kind"
        )


def parse_values(
    chunk: pd.DataFrame, analytes: list[Analyte], first_row: int, options: Options
) -> np.ndarray:
    """The analytes' cells as floats, shape (analytes, rows); InputError naming each bad cell."""
    values = np.empty((len(analytes), len(chunk)))
    problems = []
    for k, analyte in enumerate(analytes):
        raw = chunk[analyte.column].str.strip()
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, copy=True)
        for i in np.flatnonzero(~np.isfinite(numbers)):
            problems.append((i, analyte.column, _describe(raw.iloc[i])))
        negative = np.flatnonzero(numbers < 0)
        if options.negative == "zero":
            numbers[negative] = 0.0
        else:
            for i in negative:
                problems.append(
                    (
                        i,
                        analyte.column,
                        f"negative value {raw.iloc[i]} (--negative zero sets it to 0)",
                    )
                )
        values[k] = numbers
    if problems:
        problems.sort()
        lines = [f"{where(first_row, i)}, column {c!r}: {what}" for i, c, what in problems]
        more = len(lines) - MAX_PROBLEMS
        raise InputError(
            "\n".join(lines[:MAX_PROBLEMS] + ([f"... and {more} more"] if more > 0 else []))
        )
    return values


def _describe(text: str) -> str:
    if text == "":
        return "empty cell"
    if text.lower() in {"nan", "na", "n/a", "null"}:
        return f"{text!r} is not a measured value"
    if text.lower().lstrip("+-") in {"inf", "infinity"}:
        return f"infinite value {text!r}"
    return f"text {text!r} where a number belongs"


def where(first_row: int, i: int) -> str:
    """'row 3 (line 4)': data rows count from 1 below the header line."""
    row = first_row + i
    return f"row {row} (line {row + 1})"


def convert(
    values: np.ndarray, analytes: list[Analyte], operation: str, options: Options
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The new columns for one chunk, and each row's analytical total in wt% (oxide wt% where
    oxides are involved) before any normalisation: the 'total' column."""
    names, is_oxide = [a.name for a in analytes], analytes[0].is_oxide
    if operation not in ("to-atomic", "to-weight", "to-oxide", "formula"):
        raise ValueError(f"unknown operation {operation!r}")
    if operation in ("to-weight", "to-oxide") and is_oxide:
        raise InputError(f"{operation} takes element columns, not oxides")
    if operation == "to-oxide" or (operation == "formula" and not is_oxide):
        # Report each element as its oxide; the oxide total is then the analytical total.
        values, names = _unpacked(element_to_oxide(_mapping(names, values), oxides=options.oxides))
        is_oxide = True
    total = values.sum(axis=0)
    if options.normalise:
        values = normalise(values, names)
    out: dict[str, np.ndarray] = {}
    if operation == "to-oxide":
        out |= {f"{n}_wt%": v for n, v in zip(names, values, strict=True)}
    elif operation == "to-atomic":
        if is_oxide:
            values, names = _unpacked(oxide_to_element(_mapping(names, values)))
        if is_oxide or options.normalise:
            out |= {f"{n}_wt%": v for n, v in zip(names, values, strict=True)}
        out |= _suffixed(weight_to_atomic(values, names), names, "_at%")
    elif operation == "to-weight":
        out |= _suffixed(atomic_to_weight(values, names), names, "_wt%")
    else:
        formula = structural_formula(
            values, names, oxygens=options.oxygens, cations=options.cations, fe3=options.fe3
        )
        out |= _suffixed(formula.apfu, formula.species, "_apfu")
        out["O_apfu"] = formula.oxygens
        out["cation_sum"] = formula.cation_sum
        if options.mineral:
            out |= end_members(formula, options.mineral)
    return out, total


def _mapping(names: list[str], values: np.ndarray) -> dict[str, np.ndarray]:
    return dict(zip(names, values, strict=True))


def _suffixed(values: np.ndarray, names: list[str], suffix: str) -> dict[str, np.ndarray]:
    return {f"{n}{suffix}": v for n, v in zip(names, values, strict=True)}


def _unpacked(mapping: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    return np.array(list(mapping.values())), list(mapping)
