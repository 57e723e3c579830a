"""One chunk of a probe export: parse every analyte cell, convert, and say what was done to
each row (the 'flag' column). Column recognition: headers.py; the file around it: files.py."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from snippets.epma.convert import (
    as_oxide,
    atomic_to_weight,
    element_to_oxide,
    oxide_to_element,
    scale_to_percent,
    weight_to_atomic,
)
from snippets.epma.elements import element
from snippets.epma.exports import parse_cells
from snippets.epma.formula import end_members, structural_formula
from snippets.epma.headers import HALOGENS, Analyte, Columns, InputError
from snippets.epma.minerals import (
    MINERALS,
    droop_flags,
    iron_split_weights,
    mineral_notes,
    mineral_numbers,
)
from snippets.epma.oxides import oxide

MAX_PROBLEMS = 10  # problems listed in one error message
OPERATIONS = ("to-atomic", "to-weight", "to-oxide", "to-mole", "formula")
# The O that F and Cl replace: O=F = F * M(O) / (2 M(F)), O=Cl = Cl * M(O) / (2 M(Cl)).
O_PER_F = element("O").mass / (2 * element("F").mass)
O_PER_CL = element("O").mass / (2 * element("Cl").mass)
O_EQUIVALENT_TOLERANCE = 0.02  # wt%: an O=F,Cl column further than this from F and Cl: flag
# wt%: a Total column further than this from the analytes' sum is flagged (a column misread or
# missing); each analyte rounded to 2 decimals may move the sum by 0.005.
TOTAL_TOLERANCE_PER_ANALYTE, TOTAL_TOLERANCE = 0.006, 0.02
NEGATIVE_THRESHOLD = 0.1  # wt%: --negative zero flags rows it zeroes a value below -this in


@dataclass
class Options:
    """What to do with a table; the CLI fills this from its flags."""

    normalise: bool = False
    flag_total: tuple[float, float] = (98.5, 101.5)  # outside: flagged in the 'flag' column
    reject_total: tuple[float, float] = (50.0, 150.0)  # outside: an error, nothing written
    negative: str = "error"  # or "zero": set negative values to 0 (flagged below -threshold)
    negative_threshold: float = NEGATIVE_THRESHOLD
    below_detection: str = "error"  # '<0.01', 'bdl', empty cells: "error", "zero" or "nan"
    summary_rows: str = "skip"  # Average / Std Dev rows: "skip" (reported) or "convert"
    labels: Sequence[str] = ()  # columns to copy through even if named like an element
    analytes: Sequence[str] = ()  # ambiguous columns ('Y', 'No') to read as elements
    oxides: dict[str, str] = field(default_factory=dict)  # e.g. {"Fe": "Fe2O3"}
    oxygens: float | None = None
    cations: float | None = None
    fe3: str | None = None
    end_members: str | None = None  # end-members for olivine, feldspar or pyroxene
    mineral: str | None = None  # a preset: basis, Fe3+ method, Mg#, end-members...
    decimals: int | None = None  # None: per kind (wt% 3, apfu 4); -1: full precision

    def basis(self, measured_split: bool = False) -> tuple[float | None, float | None, str | None]:
        """Oxygens, cations and Fe3+ method: each given option replaces only its own part of
        the preset. A measured FeO + Fe2O3 split is kept (no Droop) unless --fe3 is given."""
        if not self.mineral:
            return self.oxygens, self.cations, self.fe3
        preset = MINERALS[self.mineral]
        fe3 = self.fe3 or (None if measured_split else preset.fe3)
        if fe3:
            return self.oxygens or preset.oxygens, self.cations or preset.cations, fe3
        if self.oxygens is None and self.cations is None:
            return preset.oxygens, None, None
        return self.oxygens, self.cations, None


@dataclass
class Chunk:
    """The parsed analytes of one chunk, in wt% (at% for to-weight), and per-row notes."""

    values: np.ndarray  # (analytes, rows)
    missing: dict[int, np.ndarray]  # analyte index -> rows set to NaN (--below-detection nan)
    notes: list[list[str]]  # per row: what was done to it
    below: dict[str, int]  # column -> below-detection cells read as 0 (or NaN)
    o_equivalent: np.ndarray | None = None  # the file's own O=F,Cl column, if any
    file_total: np.ndarray | None = None  # the file's own Total column, NaN where not a number
    zeroed: dict[str, int] = field(default_factory=dict)  # column -> negatives set to 0


def check_units(analytes: list[Analyte], operation: str) -> None:
    """Each unit honoured: to-weight takes at%, the others wt% (ppm scaled); never both."""
    wanted = "at%" if operation == "to-weight" else "wt%"
    for a in analytes:
        unit = a.unit or wanted
        if unit == wanted or (unit == "ppm" and wanted == "wt%"):
            continue
        hint = {
            "at%": "it is atomic % already: to-weight converts it to weight %",
            "wt%": "it is weight %: to-atomic converts it to atomic %",
            "ppm": "ppm are by weight: to-atomic converts them",
            "mol%": "mole % of oxides is an output (to-mole), not an input",
        }[unit]
        raise InputError(
            f"column {a.column!r} is in {unit}, but {operation} takes {wanted}: {hint}"
        )


def parse_chunk(chunk: pd.DataFrame, columns: Columns, options: Options, decimal: str) -> Chunk:
    """The analytes' cells as numbers in wt% (ppm scaled by 1e-4), shape (analytes, rows);
    InputError naming every bad cell by file line and column."""
    analytes = columns.analytes
    values = np.empty((len(analytes), len(chunk)))
    notes: list[list[str]] = [[] for _ in range(len(chunk))]
    problems, markers, missing, counted, zeroed = [], {}, {}, {}, {}
    for k, analyte in enumerate(analytes):
        cells = parse_cells(chunk[analyte.column], decimal)
        numbers = cells.values * (1e-4 if analyte.unit == "ppm" else 1.0)
        problems += [(i, analyte.column, what) for i, what in cells.bad]
        below = np.flatnonzero(cells.below)
        if options.below_detection == "error":
            markers |= cells.markers
            problems += [(i, analyte.column, _below(chunk[analyte.column].iloc[i])) for i in below]
        elif below.size:
            numbers[below] = 0.0
            counted[analyte.column] = below.size
            if options.below_detection == "nan":
                missing[k] = below
                for i in below:
                    notes[i].append(f"{analyte.column} below detection: its columns left empty")
        negative = np.flatnonzero(numbers < 0)
        if options.negative == "zero":
            limit = options.negative_threshold
            for i in negative[numbers[negative] < -limit]:
                notes[i].append(f"{analyte.column} {numbers[i]:g} set to 0 (below -{limit:g})")
            numbers[negative] = 0.0
            if negative.size:
                zeroed[analyte.column] = negative.size
        else:
            problems += [
                (i, analyte.column, f"negative value {numbers[i]:g} (--negative zero sets it to 0)")
                for i in negative
            ]
        values[k] = numbers
    if problems:
        raise InputError(_problems(chunk, problems, markers))
    o_equivalent = None
    if columns.o_equivalent:
        cells = parse_cells(chunk[columns.o_equivalent], decimal)
        o_equivalent = np.abs(np.where(cells.below, 0.0, cells.values))
        bad = [(i, columns.o_equivalent, what) for i, what in cells.bad]
        if bad:
            raise InputError(_problems(chunk, bad))
    file_total = None
    if columns.total:
        cells = parse_cells(chunk[columns.total], decimal)
        file_total = np.where(cells.below, np.nan, cells.values)
    return Chunk(values, missing, notes, counted, o_equivalent, file_total, zeroed)


def _below(cell: str) -> str:
    shown = "empty cell" if not cell.strip() else f"below-detection entry {cell.strip()!r}"
    return f"{shown} (--below-detection zero or nan reads it)"


def _problems(
    chunk: pd.DataFrame, problems: list[tuple[int, str, str]], markers: dict[str, int] | None = None
) -> str:
    order = {c: k for k, c in enumerate(chunk.columns)}
    problems.sort(key=lambda p: (p[0], order.get(p[1], len(order))))  # line, then file order
    lines = [f"{where(chunk, i)}, column {c!r}: {what}" for i, c, what in problems]
    more = len(lines) - MAX_PROBLEMS
    tail = [f"... and {more} more"] if more > 0 else []
    listed = ", ".join(f"{m!r} x{n}" for m, n in sorted((markers or {}).items()))
    found = [f"below-detection markers found: {listed}"] if listed else []
    return "\n".join(lines[:MAX_PROBLEMS] + tail + found)


def where(chunk: pd.DataFrame, i: int) -> str:
    """'line 7': the row's line in the file, counted from 1 (the index holds 0-based lines)."""
    return f"line {chunk.index[i] + 1}"


def halogen_oxygen(values: np.ndarray, names: list[str]) -> np.ndarray:
    """O=F,Cl: the oxygen that F and Cl stand in for, in wt%; zero without halogens."""
    factor = {"F": O_PER_F, "Cl": O_PER_CL}
    return sum(
        (values[i] * factor[n] for i, n in enumerate(names) if n in HALOGENS),
        np.zeros(values.shape[1:]),
    )


def convert(
    data: Chunk, analytes: list[Analyte], operation: str, options: Options
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The new columns for one chunk, and each row's analytical total in wt% (oxide wt% where
    oxides are involved, less O=F,Cl) before any normalisation: the 'total' column."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}")
    values, names = data.values, [a.name for a in analytes]
    names_in = names
    is_oxide = any(a.is_oxide for a in analytes)
    if operation in ("to-weight", "to-oxide") and is_oxide:
        raise InputError(f"{operation} takes element columns, not oxides")
    if operation == "to-mole" and not is_oxide:
        raise InputError("to-mole takes oxide columns (mole % of oxides)")
    if operation == "to-mole" and set(names) & set(HALOGENS):
        raise InputError("to-mole: F and Cl are not oxides; to-atomic converts them")
    if operation != "to-weight":  # the file's Total, in the units it was written in
        given = values.sum(axis=0)
        corrected = given - (halogen_oxygen(values, names) if is_oxide else 0.0)
        check_file_total(data, corrected, given, len(names))
    out: dict[str, np.ndarray] = {}
    if operation == "to-oxide" or (operation == "formula" and not is_oxide):
        # Report each cation as its oxide (F and Cl stay elements); the total follows.
        cations = [i for i, n in enumerate(names) if n not in HALOGENS and n != "O"]
        halogens = [i for i, n in enumerate(names) if n in HALOGENS]
        as_oxides = element_to_oxide(values[cations], [names[i] for i in cations], options.oxides)
        values = np.concatenate([as_oxides, values[halogens]])
        names = [as_oxide(names[i], options.oxides).name for i in cations]
        names += [names_in[i] for i in halogens]
        is_oxide = True
    # O=F,Cl corrects the oxygen of oxides; element analyses (O measured) need none.
    o_correction = halogen_oxygen(values, names) if is_oxide else 0.0
    check_o_equivalent(data, values, names)
    total = values.sum(axis=0) - o_correction
    if options.normalise:  # to a total of 100 after O=F,Cl
        with np.errstate(invalid="ignore", divide="ignore"):
            values = values * (100 / total)
    if set(names) & set(HALOGENS) and is_oxide:
        out["O=F,Cl_wt%"] = halogen_oxygen(values, names)
    if operation == "to-oxide":
        out |= {f"{n}_wt%": v for n, v in zip(names, values, strict=True)}
    elif operation == "to-mole":
        molar = np.array([1.0 / oxide(n).molar_mass for n in names])
        out |= _suffixed(scale_to_percent(values, molar), names, "_mol%")
    elif operation == "to-atomic":
        if is_oxide:
            values, names = _elements_of_oxides(values, names)
        if is_oxide or options.normalise:
            out |= {f"{n}_wt%": v for n, v in zip(names, values, strict=True)}
        out |= _suffixed(weight_to_atomic(values, names), names, "_at%")
    elif operation == "to-weight":
        out |= _suffixed(atomic_to_weight(values, names), names, "_wt%")
    else:
        out |= _formula_columns(values, names, data, options)
        if "FeO_calc_wt%" in out:  # the total with iron as the split FeO + Fe2O3
            iron = sum(v for v, n in zip(values, names, strict=True) if _is_iron_oxide(n))
            change = out["FeO_calc_wt%"] + out["Fe2O3_calc_wt%"] - iron
            out["total_recalc"] = total + (change * total / 100 if options.normalise else change)
    _blank_missing(out, data, analytes)
    return out, total


def _is_iron_oxide(name: str) -> bool:
    return name not in HALOGENS and oxide(name).cation == "Fe"


def _elements_of_oxides(values: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Element wt% of oxides (and F, Cl): the stoichiometric O less the O that F and Cl
    replace, so the elements add up to the corrected total."""
    oxides = [i for i, n in enumerate(names) if n not in HALOGENS]
    halogens = [i for i, n in enumerate(names) if n in HALOGENS]
    elements = oxide_to_element(values[oxides], [names[i] for i in oxides])
    elements[-1] = elements[-1] - halogen_oxygen(values, names)  # the 'O' row
    cations = list(dict.fromkeys(oxide(names[i]).cation for i in oxides))
    return (
        np.concatenate([elements, values[halogens]]),
        [*cations, "O", *(names[i] for i in halogens)],
    )


def measured_split(names: Sequence[str]) -> bool:
    """FeO and Fe2O3 both given (not as total iron): Fe2+ and Fe3+ measured (Mössbauer,
    titration), so no preset re-splits them."""
    return "FeO" in names and "Fe2O3" in names


def _formula_columns(
    values: np.ndarray, names: list[str], data: Chunk, options: Options
) -> dict[str, np.ndarray]:
    oxygens, cations, fe3 = options.basis(measured_split(names))
    formula = structural_formula(values, names, oxygens=oxygens, cations=cations, fe3=fe3)
    out = _suffixed(formula.apfu, formula.species, "_apfu")
    out |= {f"{n}_apfu": v for n, v in formula.anions.items()}
    out["O_apfu"] = formula.oxygens
    out["cation_sum"] = formula.cation_sum
    if options.end_members:
        out |= end_members(formula, options.end_members)
    if options.mineral:
        numbers = mineral_numbers(formula, MINERALS[options.mineral])
        out |= {k: v for k, v in numbers.items() if k not in out}
        if fe3:
            out |= iron_split_weights(values, names, formula)
            for rows, message in droop_flags(formula):
                for i in np.flatnonzero(rows):
                    data.notes[i].append(message.format(formula.droop[i]))
        for i, notes in enumerate(mineral_notes(formula, MINERALS[options.mineral], numbers)):
            data.notes[i].extend(notes)
    return out


def _blank_missing(out: dict[str, np.ndarray], data: Chunk, analytes: list[Analyte]) -> None:
    """--below-detection nan: the columns computed for that element are NaN in those rows."""
    for k, rows in data.missing.items():
        a = analytes[k]
        symbol = a.name if not a.is_oxide else oxide(a.name).cation
        for name, column in out.items():
            if re.match(rf"^{symbol}(?![a-z])", name) and not name.startswith("O="):
                out[name] = np.asarray(column, dtype=np.float64).copy()
                out[name][rows] = np.nan


def check_o_equivalent(data: Chunk, values: np.ndarray, names: list[str]) -> None:
    """Flag rows whose own O=F,Cl column differs from the one computed from F and Cl."""
    if data.o_equivalent is None:
        return
    computed = halogen_oxygen(values, names)
    for i in np.flatnonzero(np.abs(computed - data.o_equivalent) > O_EQUIVALENT_TOLERANCE):
        data.notes[i].append(
            f"O=F,Cl column {data.o_equivalent[i]:.3f} but F and Cl give {computed[i]:.3f}"
        )


def check_file_total(data: Chunk, total: np.ndarray, uncorrected: np.ndarray, n: int) -> None:
    """Flag rows whose own Total column differs from the analytes' sum (with or without
    O=F,Cl): a sign that a column was misread, or is missing from the file."""
    if data.file_total is None:
        return
    given = data.file_total
    tolerance = TOTAL_TOLERANCE + TOTAL_TOLERANCE_PER_ANALYTE * n
    with np.errstate(invalid="ignore"):
        off = (np.abs(given - total) > tolerance) & (np.abs(given - uncorrected) > tolerance)
    for i in np.flatnonzero(off):
        data.notes[i].append(f"file Total {given[i]:g} but the analytes add up to {total[i]:.2f}")


def decimals(column: str, options: Options) -> int | None:
    """Places to round an added column to: --decimals, else wt%/at%/mol% 3, apfu 4, the rest 2."""
    if options.decimals is not None:
        return None if options.decimals < 0 else options.decimals
    if column.endswith("_apfu") or column == "cation_sum":
        return 4
    if column.endswith(("_wt%", "_at%", "_mol%")) or column == "total":
        return 3
    return 2


def _suffixed(values: np.ndarray, names: list[str], suffix: str) -> dict[str, np.ndarray]:
    return {f"{n}{suffix}": v for n, v in zip(names, values, strict=True)}
