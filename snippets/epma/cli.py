"""`python -m snippets.epma` (or `epma`): convert probe CSV exports from the command line."""

import argparse
import sys
from pathlib import Path

from snippets.epma.elements import ATOMIC_WEIGHTS_SOURCE
from snippets.epma.files import convert_csv
from snippets.epma.formula import END_MEMBERS
from snippets.epma.table import InputError, Options

DESCRIPTION = f"""\
Convert electron-probe (EPMA) analyses in a CSV file: one row per spot, one column per element
(Si, Mg, ... in wt%) or oxide (SiO2, MgO, ... in wt%). Headers may carry a unit, as in
'SiO2 (wt%)' or 'Si wt%'. Other columns (spot labels, comments, coordinates) are copied to
the output unchanged. Added columns: <El>_at%, <El>_wt%, <Oxide>_wt%, <El>_apfu, cation_sum,
total (the analytical total, before any normalisation), normalised (yes/no) and flag (rows
whose total is outside --flag-total; they are kept, not dropped).

Bad input (unknown element or oxide, an element beside its own oxide, empty cells, text,
NaN, negative values, totals far from 100%, a malformed file) stops the run with a message
naming the row and column, exit status 2, and no output file.

Atomic weights: {ATOMIC_WEIGHTS_SOURCE}.
"""

EPILOG = """\
examples:
  epma to-atomic analyses.csv -o atomic.csv           element or oxide wt% -> at%
  epma to-weight atomic.csv                           element at% -> wt%, to stdout
  epma to-oxide elements.csv --oxide Fe=Fe2O3         element wt% -> oxide wt%
  epma formula olivine.csv --oxygens 4 --end-members olivine
  epma formula spinel.csv --oxygens 4 --cations 3 --fe3 droop
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
        help="negative values (below detection): stop with an error, or set them to 0",
    )
    command.add_argument(
        "--decimals",
        type=int,
        default=6,
        metavar="N",
        help="round the added columns to N decimals (default 6; -1 keeps full precision)",
    )
    command.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="COLUMN",
        help="copy COLUMN through even if its name is an element (e.g. a stage 'Y' column)",
    )


def options_from(args: argparse.Namespace) -> Options:
    oxides = {}
    for item in getattr(args, "oxide", []):
        element, sep, name = item.partition("=")
        if not sep:
            raise InputError(f"--oxide {item!r}: write it as ELEMENT=OXIDE, e.g. Fe=Fe2O3")
        oxides[element.strip()] = name.strip()
    return Options(
        normalise=args.normalise,
        flag_total=tuple(args.flag_total),
        reject_total=tuple(args.reject_total),
        negative=args.negative,
        labels=args.label,
        oxides=oxides,
        oxygens=getattr(args, "oxygens", None),
        cations=getattr(args, "cations", None),
        fe3=getattr(args, "fe3", None),
        mineral=getattr(args, "end_members", None),
        decimals=None if args.decimals < 0 else args.decimals,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    source = sys.stdin if args.input == "-" else args.input
    try:
        if source is not sys.stdin and not Path(source).is_file():
            raise InputError("no such file")
        summary = convert_csv(source, args.output, args.command, options_from(args))
    except (InputError, ValueError) as error:
        print(f"epma {args.command}: {args.input}: {error}", file=sys.stderr)
        return 2
    flagged = f", {summary.flagged_rows} flagged" if summary.flagged_rows else ""
    print(
        f"epma {args.command}: {summary.rows} rows{flagged}; analytes {', '.join(summary.analytes)}"
        f"; copied through {summary.labels}",
        file=sys.stderr,
    )
    return 0
