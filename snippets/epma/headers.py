"""Column recognition with one rule: every column is an analyte, a known label, or an error.

An analyte header is an element or an oxide, in any letter case, with an optional unit
('SiO2(Mass%)', 'SIO2 wt%', 'Si (at%)', 'Ni ppm'); total iron may be written 'FeOT', 'FeO*',
'FeO(T)', 'FeOtot', 'Fe2O3T'... A known label is a column probe software writes beside the
analyses (point number, stage X/Y/Z, comment, date, beam conditions, total). A header that is
neither is an error naming it; `--label COL` keeps it as a label.

An analyte name always wins over a label name: no known label equals an element or oxide
symbol in any letter case, except the few decided here, each decision reported:
- 'nA' written exactly so (the unit of beam current) is a label; 'Na', 'NA', 'na' are sodium.
- 'No' (point number) is always a label: nobelium is never measured by a microprobe
  (`--analyte No` reads it as No all the same).
- 'Y' (stage coordinate or yttrium) and 'Pt' (point number or platinum), written without a
  unit, are labels when their cells are written as whole numbers ('12', never '12.0') that
  count up by one (1, 2, 3...) over at least two rows; 'Y' also when it stands beside a stage
  'X' or 'Z' column. Otherwise they are the elements.
- A header of one lower-case letter ('n', 'c', 'o') is not read as an element: element
  symbols begin with a capital, and 'n' is usually a count. It is an error naming it;
  `--label n` keeps it, `--analyte n` reads it as the element.
`--analyte COL` or `--label COL` overrides every decision.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import periodictable

from snippets.epma.elements import element
from snippets.epma.oxides import DEFAULT_OXIDES, oxide


class InputError(ValueError):
    """Bad input: the message says what is wrong, and where (row and column)."""


UNIT = re.compile(
    r"[\s_]*[(\[]?\s*(?P<unit>"
    r"wt\.?\s*%|wt\.?|mass\s*%|mass|weight\s*%|at\.?\s*%|atomic\s*%|atom\s*%|"
    r"ppm|mol\.?\s*%|mole\s*%|%"
    r")\s*[)\]]?\s*$",
    re.I,
)
UNITS = {"wt": "wt%", "mass": "wt%", "weight": "wt%", "%": "wt%", "at": "at%", "atomic": "at%"}
UNITS |= {"atom": "at%", "ppm": "ppm", "mol": "mol%", "mole": "mol%"}
TOTAL_IRON = re.compile(
    r"^(?P<name>feo|fe2o3|fe)[\s_]*(?:\*|\(\s*t(?:ot(?:al)?)?\s*\)|t(?:ot(?:al)?)?)$", re.I
)
HALOGENS = ("F", "Cl")  # analysed as elements beside oxides
O_EQUIVALENT = re.compile(
    r"^-?\s*o\s*(?:=|≡|eq\.?|equiv\.?)\s*f\s*(?:[,;+&]\s*cl)?$|^-?o=cl$", re.I
)

# Labels probe software writes (JEOL, CAMECA Peaksight, Probe for EPMA), compared after
# lower-casing and removing spaces and punctuation.
KNOWN_LABELS = {
    "no", "pointno", "point", "pt", "ptno", "spot", "spotno", "number", "num", "id", "",
    "x", "y", "z", "stagex", "stagey", "stagez", "xmm", "ymm", "zmm", "xµm", "yµm", "zµm",
    "comment", "comments", "sample", "samplename", "name", "label", "unknown", "unk",
    "date", "time", "datetime", "dateandtime", "line", "linepos", "grain", "mineral", "phase",
    "beamcurrent", "current", "probecurrent", "beamcurrentna", "probecurrentna", "currentna",
    "beamna", "ina", "beami", "probena", "iprobe", "iprobena",
    "kv", "accv", "accvoltage", "hv", "acckv", "accvkv", "accvoltagekv", "hvkv", "beamsizeum",
    "beamsizeµm", "spotsizeum", "beamdiameterum", "distanceum", "distanceµm", "distancemm",
    "acceleratingvoltage", "beamsize", "beamdiameter", "spotsize", "takeoff",
    "total", "sum", "totals", "distance", "dist", "position", "pos", "group", "dataset",
    "datasetpoint", "run", "analysis", "analysisno", "type", "operator", "remark", "remarks",
    "note", "notes", "condition", "cond", "file", "filename", "flag", "normalised",
    "stagexmm", "stageymm", "stagezmm", "stagexum", "stageyum", "stagezum", "stagexµm",
    "stageyµm", "stagezµm", "xum", "yum", "zum", "xpos", "ypos", "zpos", "sampleid",
    "description", "nr", "spotid", "analysisid", "pointid", "pointnr",
}  # fmt: skip
AMBIGUOUS = {"y": "stage coordinate", "pt": "point number"}  # decided by their cells
NEVER_MEASURED = {"no": "point number"}
BEAM_CURRENT = {
    "nA",
    "(nA)",
    "[nA]",
}  # the unit alone, case-sensitive: sodium is 'Na'   # nobelium: a label unless --analyte No
# Every oxide and element a case-insensitive header may stand for.
KNOWN_OXIDES = set(DEFAULT_OXIDES.values()) | {
    "Fe2O3", "Mn2O3", "MnO2", "V2O5", "SO3", "SO2", "CO2", "H2O", "Ti2O3", "Cr2O3", "CrO",
    "Cu2O", "Co3O4", "Ni2O3", "Ta2O5", "Ga2O3", "GeO2", "As2O5", "SnO", "Rb2O", "Cs2O",
    "BeO", "Nd2O3", "Sm2O3", "Pr2O3", "Gd2O3", "Dy2O3", "Er2O3", "Yb2O3", "Eu2O3", "Lu2O3",
}  # fmt: skip
SYMBOLS = {e.symbol for e in periodictable.elements if 0 < e.number <= 103}


@dataclass(frozen=True)
class Analyte:
    column: str  # the header as written in the file
    name: str  # 'Si', 'SiO2', 'F'
    is_oxide: bool
    unit: str | None = None  # 'wt%', 'at%', 'ppm', 'mol%' as written; None if not given
    total_iron: bool = False  # 'FeOT', 'FeO*': all iron given in this form


@dataclass
class Columns:
    """What each header is: analytes, labels, the O=F,Cl column, and why (notes)."""

    analytes: list[Analyte]
    labels: list[str]
    o_equivalent: str | None = None
    total: str | None = None  # the probe's own Total column, checked against the analytes
    notes: list[str] = field(default_factory=list)

    @property
    def halogens(self) -> list[Analyte]:
        return [a for a in self.analytes if a.name in HALOGENS and not a.is_oxide]


def split_unit(header: str) -> tuple[str, str | None]:
    """'SiO2 (wt%)' -> ('SiO2', 'wt%'); 'Ni ppm' -> ('Ni', 'ppm'); 'Si' -> ('Si', None)."""
    match = UNIT.search(header)
    if not match or not header[: match.start()].strip():
        return header.strip(), None
    word = re.sub(r"[\s.%]", "", match["unit"].lower()) or "%"
    return header[: match.start()].strip(), UNITS[word]


def _key(text: str) -> str:
    return re.sub(r"[\s._#:()\[\]/-]", "", text.lower())


def analyte_name(name: str) -> tuple[str, bool, str | None] | None:
    """(canonical name, is it an oxide, note) for an element or oxide name in any letter
    case; None if it is neither. The note says how a non-exact spelling was read."""
    try:
        return element(name).symbol, False, None
    except ValueError:
        pass
    upper = name.upper()
    try:
        found = oxide(name).name
    except ValueError:
        pass
    else:
        same = [s for s in SYMBOLS if s.upper() == upper and name == upper]
        if same:  # 'CO', 'HO', 'PO' in capitals: cobalt or carbon monoxide?
            raise InputError(
                f"column {name!r} could be the element {same[0]} or the oxide {found}: "
                f"write {same[0]} for the element (or rename the column)"
            )
        return found, True, None
    found = {(s, False) for s in SYMBOLS if s.upper() == upper}
    found |= {(o, True) for o in KNOWN_OXIDES if o.upper() == upper}
    if len(found) == 1:
        (canonical, is_oxide) = found.pop()
        return canonical, is_oxide, f"{name!r} read as {canonical}"
    if len(found) > 1:
        options = " or ".join(sorted(n for n, _ in found))
        raise InputError(f"column {name!r} could be {options}: write it in the usual case")
    return None


def resolve(header: str) -> Analyte | None:
    """The analyte a header names, with its unit, or None if it names none."""
    name, unit = split_unit(header)
    iron = TOTAL_IRON.match(name)
    if iron:
        canonical = {"feo": "FeO", "fe2o3": "Fe2O3", "fe": "Fe"}[iron["name"].lower()]
        return Analyte(header, canonical, canonical != "Fe", unit, total_iron=True)
    found = analyte_name(name)
    if found is None:
        return None
    return Analyte(header, found[0], found[1], unit)


def read_header(
    columns: Sequence[str],
    labels: Sequence[str] = (),
    analytes: Sequence[str] = (),
    first_rows: pd.DataFrame | None = None,
) -> Columns:
    """Sort every column into analyte or label; InputError naming every column that is
    neither. `labels` and `analytes` are the user's overrides (--label, --analyte)."""
    columns = list(columns)
    _check_repeats(columns)
    for given, flag in ((labels, "--label"), (analytes, "--analyte")):
        missing = [c for c in given if c not in columns]
        if missing:
            raise InputError(f"{flag} {missing[0]!r}: no such column; the header is {columns}")
    result = Columns([], [])
    unknown, ambiguous = [], []
    for index, column in enumerate(columns):
        key = _key(column)
        if column in labels:
            result.labels.append(column)
            continue
        if column not in analytes:
            if O_EQUIVALENT.match(column.strip()):
                result.o_equivalent = column
                result.labels.append(column)
                continue
            if key.startswith("unnamed") and first_rows is not None:
                result.labels.append(column)
                result.notes.append(f"column {index + 1} has no header: kept as a label")
                continue
            name, unit = split_unit(column)
            if column.strip() in BEAM_CURRENT:  # 'nA' exactly, never 'Na', 'NA' or 'na'
                result.labels.append(column)
                result.notes.append(
                    f"column {column!r} read as a label (beam current in nA, as written); "
                    f"--analyte {column} reads it as sodium"
                )
                continue
            if key in NEVER_MEASURED:
                result.labels.append(column)
                result.notes.append(
                    f"column {column!r} read as a label ({NEVER_MEASURED[key]}): nobelium is "
                    f"never measured by a microprobe; --analyte {column} reads it as No"
                )
                continue
            if key in AMBIGUOUS and unit is None and analyte_name(name) is not None:
                ambiguous.append(index)
                continue
            if len(name) == 1 and name.islower() and name.upper() in SYMBOLS:
                unknown.append(column)
                continue
            is_label = _key(name) in KNOWN_LABELS or key in KNOWN_LABELS
            if is_label and resolve(column) is None:  # an analyte name always wins
                result.labels.append(column)
                if _key(name) in ("total", "totals", "sum") and result.total is None:
                    result.total = column
                continue
        analyte = resolve(column)
        if analyte is None:
            unknown.append(column)
        else:
            result.analytes.append(analyte)
    if unknown:
        raise InputError(
            "\n".join(f"column {c!r}: {_why_unknown(c)}" for c in unknown)
            + "\nevery column must be an element, an oxide or a known label column; keep a label "
            "column (spot name, condition...) with --label COLUMN"
        )
    _decide_ambiguous(columns, ambiguous, result, first_rows)
    if not result.analytes:
        raise InputError(f"no element or oxide columns among {columns}")
    result.analytes.sort(key=lambda a: columns.index(a.column))
    result.labels.sort(key=columns.index)
    _check_consistent(result.analytes)
    for a in result.analytes:
        if a.total_iron:
            result.notes.append(f"column {a.column!r} is total iron, as {a.name}")
    return result


def _why_unknown(column: str) -> str:
    name, unit = split_unit(column)
    try:
        oxide(name)
    except ValueError as error:
        if re.match(r"^[A-Z][a-z]?\d*O\d*$", name):
            return str(error)
    if len(name) == 1 and name.islower() and name.upper() in SYMBOLS:
        return (
            f"one lower-case letter is not read as an element (a count?): --label {column} "
            f"keeps it as a label, --analyte {column} reads it as {name.upper()}"
        )
    if unit:
        return f"{name!r} is neither an element nor an oxide, though it has a unit ({unit})"
    return "not an element, an oxide or a known label"


def _decide_ambiguous(columns, ambiguous, result, first_rows) -> None:
    """'Y' or 'Pt' is a label if its cells are whole numbers counting up by one, or ('Y')
    beside a stage X or Z column; otherwise the element."""
    for index in ambiguous:
        column = columns[index]
        neighbours = {_key(columns[j]) for j in (index - 1, index + 1) if 0 <= j < len(columns)}
        reason = None
        if _key(column) == "y" and neighbours & {"x", "z", "stagex", "stagez"}:
            reason = "it stands beside a stage coordinate column"
        elif first_rows is not None and _counts_up(first_rows[column]):
            reason = "its cells are whole numbers counting up by one, as point numbers do"
        analyte = resolve(column)
        if reason:
            result.labels.append(column)
            what = AMBIGUOUS[_key(column)]
            result.notes.append(
                f"column {column!r} read as a label ({what}): {reason}; "
                f"--analyte {column} reads it as the element {analyte.name}"
            )
        else:
            result.analytes.append(analyte)
            result.notes.append(
                f"column {column!r} read as the element {analyte.name}: its cells are not "
                f"point numbers; --label {column} keeps it as a label"
            )


WHOLE_NUMBER = re.compile(r"^\d+$")


def _counts_up(values: pd.Series) -> bool:
    """Point numbers: at least two cells written as whole numbers ('7', not '7.0'), counting
    up by one; text cells (summary rows) aside, any other number means a measured value."""
    cells = values.str.strip()
    numbers = pd.to_numeric(cells, errors="coerce")
    written = cells[numbers.notna()]
    if len(written) < 2 or not written.str.match(WHOLE_NUMBER.pattern).all():
        return False
    return bool((numbers.dropna().diff().iloc[1:] == 1).all())


def _check_repeats(columns: list[str]) -> None:
    # pandas renames a repeated header 'SiO2' to 'SiO2.1': catch both spellings.
    repeated = sorted(
        {c for c in columns if columns.count(c) > 1}
        | {m[1] for c in columns if (m := re.match(r"^(.*)\.\d+$", c)) and m[1] in columns}
    )
    if repeated:
        raise InputError(f"header: column(s) {repeated} appear more than once")


def _check_consistent(analytes: list[Analyte]) -> None:
    """No analyte twice, no element beside its own oxide, not elements and oxides mixed
    (F and Cl, analysed as elements, may stand beside oxides)."""
    names = [a.name for a in analytes]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        columns = [a.column for a in analytes if a.name in twice]
        raise InputError(f"columns {columns} all give {twice}: keep one (--label the others)")
    iron = [a.column for a in analytes if a.name in ("Fe", "FeO", "Fe2O3")]
    if len(iron) > 1 and any(a.total_iron for a in analytes):
        raise InputError(
            f"columns {iron}: one of them is total iron, so the others count iron twice; "
            "keep the total (--label the others)"
        )
    oxides = [a for a in analytes if a.is_oxide]
    elements = {a.name: a.column for a in analytes if not a.is_oxide}
    for ox in oxides:
        cation = oxide(ox.name).cation
        if cation in elements:
            raise InputError(
                f"columns {elements[cation]!r} and {ox.column!r} are both {cation}: "
                "give the element or its oxide, not both"
            )
    others = sorted(set(elements) - set(HALOGENS)) if oxides else []
    if others:
        raise InputError(
            f"columns mix elements {others} and oxides {[a.name for a in oxides]}: give one "
            "kind (F and Cl may stand beside oxides); give a measured element as its oxide "
            "(S as SO3 = S x 2.4972), and use --label only for a column that is not a measurement"
        )
    units = {a.unit or "none" for a in analytes}
    if len(units - {"none"}) > 1 and not units <= {"wt%", "ppm", "none"}:
        raise InputError(
            "columns mix units: "
            + ", ".join(f"{a.column!r} {a.unit or '(no unit)'}" for a in analytes)
        )
