"""`python -m snippets.epma` (or `epma`): convert probe CSV exports from the command line."""

import argparse
import os
import sys
from pathlib import Path

from snippets.epma.elements import ATOMIC_WEIGHTS_SOURCE
from snippets.epma.files import Summary, convert_csv
from snippets.epma.formula import END_MEMBERS
from snippets.epma.headers import InputError, analyte_name
from snippets.epma.minerals import MINERALS
from snippets.epma.oxides import oxide
from snippets.epma.table import NEGATIVE_THRESHOLD, Options

DESCRIPTION = f"""\
Convert electron-probe (EPMA) analyses as the probe software exports them (JEOL, CAMECA
Peaksight, Probe for EPMA: .csv or .txt; comma, semicolon or tab separated; decimal point or
comma; instrument lines above the header; Average / Std Dev rows under the spots). One row per
spot, one column per element (Si, Mg...) or oxide (SiO2, MgO...), F and Cl beside oxides.

Every column is an analyte, a known label (point number, stage X/Y/Z, comment, date, beam
conditions, total), or an error naming it: --label COL keeps an unknown column as a label.
Header units are read and honoured: 'SiO2(Mass%)', 'SIO2 wt%', 'Si (at%)', 'Ni ppm'. Total
iron may be written FeOT, FeO*, FeO(T), FeOtot, Fe2O3T. 'No' is a point number, never
nobelium; 'Y' and 'Pt' are labels when their cells are whole numbers counting up by one (or
'Y' beside a stage X or Z), else the elements; a one-letter lower-case header ('n') is refused.
Each decision is reported; --analyte COL or --label COL overrides it.

Input columns are copied unchanged (numbers with decimal commas get points); added:
<El>_at%, <El>_wt%, <Oxide>_wt%, <Oxide>_mol%, <El>_apfu, cation_sum, total_recalc (with iron
as FeO + Fe2O3 after a Fe3+ split), total (analytical total less O=F,Cl, before any
normalisation), normalised, and flag (why a row is suspect: total outside --flag-total, values
set to zero, Droop's Fe3+ clipped, what garnet end-members leave out; flagged rows are kept).
The report (standard error, and OUTPUT.meta.json) names every column read, every preamble line
and summary row left out.

Bad input stops the run with a message naming the line and column, exit status 2, and no
output file. Atomic weights: {ATOMIC_WEIGHTS_SOURCE}.
"""

EPILOG = """\
examples:
  epma to-atomic analyses.csv -o atomic.csv           element or oxide wt% -> at%
  epma to-weight atomic.csv                           element at% -> wt%, to stdout
  epma to-oxide elements.csv --oxide Fe=Fe2O3         element wt% -> oxide wt%
  epma to-mole glass.csv                              oxide wt% -> oxide mol%
  epma formula garnet.txt --mineral garnet            12 O, 8 cations, Droop Fe3+, Alm..Ski
  epma formula spinel.csv --oxygens 4 --cations 3 --fe3 droop
  epma to-atomic export.txt --below-detection zero --negative zero --label Operator
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="epma",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    helps = {
        "to-atomic": "weight % (elements or oxides) -> atomic %; oxides also give element wt%",
        "to-weight": "atomic % (elements) -> weight %",
        "to-oxide": "element weight % -> oxide weight % (oxygen by stoichiometry)",
        "to-mole": "oxide weight % -> oxide mole %",
        "formula": "oxide (or element) weight % -> atoms per formula unit (apfu)",
    }
    for name, text in helps.items():
        command = commands.add_parser(name, help=text.replace("%", "%%"), description=text)
        _common(command)
        if name in ("to-oxide", "formula"):
            command.add_argument(
                "--oxide",
                action="append",
                default=[],
                metavar="EL=OXIDE",
                help="report element EL as OXIDE (default: the usual one, total Fe as FeO)",
            )
        if name == "formula":
            basis = command.add_argument_group(
                "basis (give --oxygens, --cations, or both with --fe3)"
            )
            basis.add_argument("--oxygens", type=float, help="normalise to N oxygens (olivine 4)")
            basis.add_argument("--cations", type=float, help="normalise to T cations (olivine 3)")
            basis.add_argument(
                "--fe3",
                choices=["droop"],
                help="split iron into Fe2+ and Fe3+ by charge balance (Droop 1987); needs both",
            )
            command.add_argument(
                "--mineral",
                choices=sorted(MINERALS),
                help="a preset: basis, Fe3+ method, Mg#, Cr#, end-members, FeO/Fe2O3 "
                "(explicit --oxygens/--cations/--fe3 override its basis)",
            )
            command.add_argument(
                "--end-members",
                choices=sorted(END_MEMBERS),
                help="add end-member mole %% (olivine Fo/Fa, feldspar An/Ab/Or, pyroxene Wo/En/Fs)",
            )
    return parser


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("input", help="CSV file, or - for standard input")
    command.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output CSV (default: standard output); "
        "a metadata file OUTPUT.meta.json is written beside it",
    )
    command.add_argument(
        "--normalise", action="store_true", help="scale each analysis to a total of 100%% first"
    )
    command.add_argument(
        "--flag-total",
        nargs=2,
        type=float,
        default=(98.5, 101.5),
        metavar=("LOW", "HIGH"),
        help="flag rows whose total is outside LOW-HIGH %% (default 98.5 101.5)",
    )
    command.add_argument(
        "--reject-total",
        nargs=2,
        type=float,
        default=(50.0, 150.0),
        metavar=("LOW", "HIGH"),
        help="stop with an error if a total is outside LOW-HIGH %% (default 50 150)",
    )
    command.add_argument(
        "--negative",
        choices=["error", "zero"],
        default="error",
        help="negative values: stop with an error, or set them to 0 "
        "(rows where a value below -THRESHOLD was zeroed are flagged)",
    )
    command.add_argument(
        "--negative-threshold",
        type=float,
        default=NEGATIVE_THRESHOLD,
        metavar="THRESHOLD",
        help=f"wt%%; with --negative zero, flag rows with a value below -THRESHOLD "
        f"(default {NEGATIVE_THRESHOLD:g})",
    )
    command.add_argument(
        "--below-detection",
        choices=["error", "zero", "nan"],
        default="error",
        help="cells such as <0.01, bdl, b.d.l., n.d., -, <LOD or empty: stop with an error "
        "listing them (default), read them as 0, or as 0 with that element's output left empty",
    )
    command.add_argument(
        "--summary-rows",
        choices=["skip", "convert"],
        default="skip",
        help="Average / Std Dev / Min / Max rows under the spots: leave them out (reported), or "
        "convert the Average (Mean, Median) rows too, flagged",
    )
    command.add_argument(
        "--decimals",
        type=int,
        default=None,
        metavar="N",
        help="round the added columns to N decimals (default: wt%%, at%%, mol%% 3; apfu 4; "
        "end-members and ratios 2; -1 keeps full precision)",
    )
    command.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="COLUMN",
        help="keep COLUMN as a label: an unknown column, or one named like an element",
    )
    command.add_argument(
        "--analyte",
        action="append",
        default=[],
        metavar="COLUMN",
        help="read an ambiguous COLUMN ('Y', 'No', 'Pt') as an element",
    )


def _oxide_choice(item: str, element: str, name: str) -> tuple[str, str]:
    """('Fe', 'Fe2O3') from '--oxide fe=FE2O3': any letter case, refused unless the oxide is
    one of that element's."""
    cation, formula = analyte_name(element), analyte_name(name)
    if cation is None or cation[1]:
        raise InputError(f"--oxide {item!r}: {element!r} is not an element")
    if formula is None or not formula[1] or oxide(formula[0]).cation != cation[0]:
        raise InputError(f"--oxide {item!r}: {name!r} is not an oxide of {cation[0]}")
    return cation[0], formula[0]


def _check_numbers(args: argparse.Namespace) -> None:
    """Numeric options that cannot mean anything are refused: a basis of 0 or less, limits
    that are not numbers or come in the wrong order."""
    for name in ("oxygens", "cations"):
        value = getattr(args, name, None)
        if value is not None and not value > 0:
            raise InputError(f"--{name} {value:g}: the basis must be a positive number")
    for name in ("flag_total", "reject_total"):
        low, high = getattr(args, name)
        if not low <= high:
            flag = "--" + name.replace("_", "-")
            raise InputError(f"{flag} {low:g} {high:g}: give LOW then HIGH, both numbers")
    if not args.negative_threshold >= 0:
        raise InputError(f"--negative-threshold {args.negative_threshold:g}: give a value >= 0")


def options_from(args: argparse.Namespace) -> Options:
    oxides = {}
    for item in getattr(args, "oxide", []):
        element, sep, name = item.partition("=")
        if not sep:
            raise InputError(f"--oxide {item!r}: write it as ELEMENT=OXIDE, e.g. Fe=Fe2O3")
        cation, chosen = _oxide_choice(item, element.strip(), name.strip())
        oxides[cation] = chosen
    _check_numbers(args)
    return Options(
        normalise=args.normalise,
        flag_total=tuple(args.flag_total),
        reject_total=tuple(args.reject_total),
        negative=args.negative,
        negative_threshold=args.negative_threshold,
        below_detection=args.below_detection,
        summary_rows=args.summary_rows,
        labels=args.label,
        analytes=args.analyte,
        oxides=oxides,
        oxygens=getattr(args, "oxygens", None),
        cations=getattr(args, "cations", None),
        fe3=getattr(args, "fe3", None),
        end_members=getattr(args, "end_members", None),
        mineral=getattr(args, "mineral", None),
        decimals=args.decimals,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    source = sys.stdin if args.input == "-" else args.input
    try:
        if source is not sys.stdin and Path(source).is_dir():
            raise InputError("is a folder: name a file")
        if source is not sys.stdin and not Path(source).is_file():
            raise InputError("no such file")
        if args.output and source is not sys.stdin and _same_file(Path(source), args.output):
            raise InputError(
                f"output {str(args.output)!r} is the input file: the export (its preamble and "
                "summary rows) would be lost; name another output"
            )
        if args.output and args.output.is_dir():
            raise InputError(f"output {str(args.output)!r} is a folder: name a file")
        if args.output and not args.output.resolve().parent.is_dir():
            raise InputError(f"output folder {str(args.output.parent)!r} does not exist")
        summary = convert_csv(
            getattr(source, "buffer", source), args.output, args.command, options_from(args)
        )
    except (InputError, ValueError) as error:
        print(f"epma {args.command}: {args.input}: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # unwritable output folder, full disk: nothing is left behind
        print(f"epma {args.command}: {error.strerror}: {error.filename}", file=sys.stderr)
        return 2
    for line in report(summary):
        print(f"epma {args.command}: {line}", file=sys.stderr)
    return 0


def _same_file(source: Path, output: Path) -> bool:
    """The output names the input (the same path, a link to it, or a hard link)."""
    return output.exists() and os.path.samefile(source, output)


def report(summary: Summary) -> list[str]:
    """What was read and how: every column, every line left out, every decision."""
    flagged = f", {summary.flagged_rows} flagged" if summary.flagged_rows else ""
    read = ", ".join(
        f"{column} as {name}" if column != name else name
        for column, name in summary.columns.items()
    )
    lines = [
        f"{summary.rows} rows{flagged}; {summary.layout}",
        f"analytes: {read}",
        f"labels copied through: {', '.join(repr(c) for c in summary.labels) or 'none'}",
    ]
    lines += [f"preamble line skipped: {line!r}" for line in summary.preamble]
    lines += [f"summary row {line}" for line in summary.summary_rows]
    if summary.below_detection:
        how = "0" if summary.options["below_detection"] == "zero" else "0, output left empty"
        counts = ", ".join(f"{c!r} x{n}" for c, n in summary.below_detection.items())
        lines.append(f"below-detection cells read as {how}: {counts}")
    if summary.negatives_zeroed:
        counts = ", ".join(f"{c!r} x{n}" for c, n in summary.negatives_zeroed.items())
        limit = summary.options["negative_threshold"]
        lines.append(
            f"negative values set to 0: {counts} (rows with a value below -{limit:g} wt% flagged)"
        )
    if summary.blank_lines:
        lines.append(f"{summary.blank_lines} blank line(s) ignored")
    return lines + summary.notes
