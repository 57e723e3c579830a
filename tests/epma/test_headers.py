"""Column recognition: every column is an analyte, a known label, or an error naming it."""

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.epma.cli import main
from snippets.epma.files import convert_csv
from snippets.epma.headers import (
    AMBIGUOUS,
    KNOWN_LABELS,
    KNOWN_OXIDES,
    NEVER_MEASURED,
    SYMBOLS,
    InputError,
    read_header,
    resolve,
)
from snippets.epma.table import Options


@pytest.mark.parametrize(
    ("header", "name", "unit", "total_iron"),
    [
        ("SiO2(Mass%)", "SiO2", "wt%", False),
        ("SiO2 wt%", "SiO2", "wt%", False),
        ("SIO2(WT%)", "SiO2", "wt%", False),
        ("SiO2_wt.%", "SiO2", "wt%", False),
        ("Si (at%)", "Si", "at%", False),
        ("Si at.%", "Si", "at%", False),
        ("Ni ppm", "Ni", "ppm", False),
        ("SrO (ppm)", "SrO", "ppm", False),
        ("Na2O mol%", "Na2O", "mol%", False),
        ("MNO", "MnO", None, False),
        ("NIO", "NiO", None, False),
        ("FeOT", "FeO", None, True),
        ("FeOt", "FeO", None, True),
        ("FeO*", "FeO", None, True),
        ("FeO(T)", "FeO", None, True),
        ("FeOtot", "FeO", None, True),
        ("FeO_tot", "FeO", None, True),
        ("FeO (total)", "FeO", None, True),
        ("FEOT(WT%)", "FeO", "wt%", True),
        ("Fe2O3T", "Fe2O3", None, True),
        ("Fe2O3(t)", "Fe2O3", None, True),
    ],
)
def test_header_spellings(header, name, unit, total_iron):
    analyte = resolve(header)
    assert (analyte.name, analyte.unit, analyte.total_iron) == (name, unit, total_iron)


def test_probe_software_label_columns_are_labels():
    header = ["No.", "Point#", "X", "Y", "Z", "Comment", "Sample", "Date", "Beam Current"]
    header += ["Acc. V", "Total(Mass%)", "DataSet/Point", "SiO2", "MgO"]
    columns = read_header(header)
    assert [a.name for a in columns.analytes] == ["SiO2", "MgO"]
    assert columns.labels == header[:-2]


def test_point_number_no_is_never_nobelium_silently():
    columns = read_header(["No", "SiO2", "MgO"])
    assert columns.labels == ["No"]
    assert any("'No' read as a label (point number): nobelium is never" in n for n in columns.notes)
    # Point numbers out of order, right of the analyses, in an element file: still a label.
    after = read_header(["Si", "Mg", "O", "No"], first_rows=pd.DataFrame({"No": ["12", "3"]}))
    assert after.labels == ["No"] and [a.name for a in after.analytes] == ["Si", "Mg", "O"]
    forced = read_header(["Si", "No"], analytes=["No"])
    assert [a.name for a in forced.analytes] == ["Si", "No"]


@pytest.mark.parametrize(
    ("header", "cells", "label"),
    [
        (["Sample", "Y", "Si", "Al", "O"], ["0.5", "0.4"], False),  # left of the analyses
        (["Si", "Al", "Y", "O"], ["30.0", "31.0"], False),  # decimals: measured, not numbered
        (["Si", "Al", "Y", "O"], ["0"], False),  # one cell is no evidence
        (["Pt", "Pd", "Rh", "Fe"], ["62.1", "61.8"], False),  # platinum alloy
        (["Pt", "SiO2", "MgO"], ["1", "2", "Average"], True),  # point numbers
        (["Si", "Y", "O"], ["7", "8", "9"], True),
        (["Si", "Y", "O"], ["7", "9"], False),
    ],
)
def test_y_and_pt_are_labels_only_when_their_cells_count_up_as_whole_numbers(header, cells, label):
    column = header[[c in ("Y", "Pt") for c in header].index(True)]
    columns = read_header(header, first_rows=pd.DataFrame({column: cells}))
    assert (column in columns.labels) is label
    assert (column in [a.column for a in columns.analytes]) is not label
    assert any(n.startswith(f"column {column!r} read as") for n in columns.notes), "reported"


def test_a_lower_case_one_letter_header_is_refused_not_read_as_nitrogen():
    with pytest.raises(InputError, match=r"'n': one lower-case letter .* --label n"):
        read_header(["Sample", "n", "Si", "Fe", "Mg", "O"])
    assert read_header(["Sample", "n", "Si"], labels=["n"]).labels == ["Sample", "n"]
    assert [a.name for a in read_header(["n", "Si"], analytes=["n"]).analytes] == ["N", "Si"]
    assert read_header(["x", "z", "SiO2"]).labels == ["x", "z"], "stage x and z: not elements"


def test_stage_y_is_a_label_beside_x_and_yttrium_among_the_analyses():
    assert read_header(["SiO2", "X", "Y", "MgO"]).labels == ["X", "Y"]
    columns = read_header(["Si", "Y", "Mg"], first_rows=pd.DataFrame({"Y": ["0.5", "0.2"]}))
    assert [a.name for a in columns.analytes] == ["Si", "Y", "Mg"]
    assert "'Y' read as the element Y" in columns.notes[0] and "--label Y" in columns.notes[0]
    assert read_header(["Si", "Y", "Mg"], labels=["Y"]).labels == ["Y"]
    forced = read_header(["Y", "Si", "Mg"], analytes=["Y"])
    assert [a.name for a in forced.analytes] == ["Y", "Si", "Mg"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["Spot", "Quality", "SiO2", "MgO"], "column 'Quality': not an element, an oxide"),
        (["Spot", "SiO2", "Y", "MgO"], "columns mix elements ['Y'] and oxides"),
        (["Spot", "Qq wt%", "MgO"], "'Qq' is neither an element nor an oxide, though it has"),
        (["Spot", "Xx2O3", "MgO"], "unknown oxide 'Xx2O3'"),
        (["FeO", "FeOT", "MgO"], "['FeO', 'FeOT'] all give ['FeO']"),
        (["Si", "MgO"], "columns mix elements ['Si'] and oxides ['MgO']"),
        (["POINT", "FE", "NI", "CO", "S"], "'CO' could be the element Co or the oxide CO"),
        (["HO", "SI"], "'HO' could be the element Ho or the oxide HO"),
        (["FeOT", "Fe2O3", "MgO"], "one of them is total iron, so the others count iron twice"),
        (["FeO", "Fe2O3T", "MgO"], "columns ['FeO', 'Fe2O3T']: one of them is total iron"),
        (["FeO*", "Fe2O3 (total)", "MgO"], "columns ['FeO*', 'Fe2O3 (total)']: one of them"),
        (["FeO", "Fe2O3", "FeOT", "MgO"], "columns ['FeO', 'FeOT'] all give ['FeO']"),
        (["SiO2", "MgO"], None),
    ],
)
def test_unknown_or_conflicting_columns_are_errors_that_name_them(header, message):
    if message is None:
        read_header(header)
        return
    with pytest.raises(InputError) as error:
        read_header(header)
    assert message in str(error.value)


def test_a_unit_is_honoured_never_converted_twice(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("Spot,Si (at%),O (at%)\n1,33.333,66.667\n")
    assert main(["to-atomic", str(tmp_path / "in.csv")]) == 2
    assert "column 'Si (at%)' is in at%, but to-atomic takes wt%" in capsys.readouterr().err
    assert main(["to-weight", str(tmp_path / "in.csv"), "-o", str(tmp_path / "w.csv")]) == 0
    si = 28.085 / (28.085 + 2 * 15.999) * 100  # SiO2 by hand
    assert pd.read_csv(tmp_path / "w.csv").loc[0, "Si_wt%"] == pytest.approx(si, abs=2e-3)
    (tmp_path / "wt.csv").write_text("Spot,Si wt%,O wt%\n1,46.7,53.3\n")
    assert main(["to-weight", str(tmp_path / "wt.csv")]) == 2
    assert "is in wt%, but to-weight takes at%" in capsys.readouterr().err


def test_ppm_columns_are_scaled_to_weight_percent(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("Spot,SiO2,MgO,NiO ppm\n1,42.0,57.6,4000\n")
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    table = pd.read_csv(tmp_path / "o.csv")
    assert table.loc[0, "total"] == pytest.approx(100.0)
    assert table.loc[0, "Ni_wt%"] == pytest.approx(0.4 * 58.693 / 74.692, abs=1e-3)


def test_negative_zero_flags_a_large_negative_but_not_counting_noise(tmp_path, capsys):
    text = "Spot,SiO2,Cr2O3,MgO,NiO\n1,42.0,-4.80,57.6,-0.02\n2,42.1,0.10,57.5,-0.03\n"
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 2
    assert "column 'Cr2O3': negative value -4.8" in capsys.readouterr().err
    code = main(
        ["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"), "--negative", "zero"]
    )
    table = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    assert code == 0 and table.loc[0, "Cr_at%"] == 0 and table.loc[0, "Ni_at%"] == 0
    assert table.loc[0, "flag"] == "Cr2O3 -4.8 set to 0 (below -0.1)"
    assert table.loc[1, "flag"] == "", "-0.03 is within the threshold"


# The property: whatever the header, no input column disappears. Either the run stops with an
# error naming a column, or every input column is in the output and in the report.
POOL = ["SiO2", "MgO", "FeO", "FeOT", "MNO", "Si", "Mg", "F", "Cl", "O=F,Cl", "NiO ppm"]
POOL += ["No.", "No", "Y", "X", "Pt", "Comment", "Total", "Sample", "Quality", "Qq", "Unit 3"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True))
def test_no_input_column_ever_disappears(header):
    text = io.StringIO()
    csv.writer(text).writerows([header, ["10"] * len(header)])
    text.seek(0)
    out = io.StringIO()
    options = Options(reject_total=(-1.0, 1e9))
    try:
        summary = convert_csv(text, None, "to-atomic", options, stdout=out)
    except InputError as error:
        assert any(repr(c) in str(error) for c in header) or "no element or oxide" in str(error)
        return
    written = pd.read_csv(io.StringIO(out.getvalue()), dtype=str).columns.tolist()
    assert written[: len(header)] == header, "every input column, in place"
    assert set(summary.columns) | set(summary.labels) == set(header), "every column reported"
    assert not set(summary.columns) & set(summary.labels)


def test_no_known_label_is_an_element_or_oxide_except_the_ambiguous_ones():
    names = {s.lower() for s in SYMBOLS} | {o.lower() for o in KNOWN_OXIDES}
    decided = set(AMBIGUOUS) | set(NEVER_MEASURED)
    assert KNOWN_LABELS & names == decided, "sodium 'Na' must never be a nA label"
    assert [a.name for a in read_header(["Si", "Na", "O", "Beam Current (nA)"]).analytes] == [
        "Si",
        "Na",
        "O",
    ]


def test_every_element_symbol_in_any_case_is_an_analyte_or_an_error_never_a_label():
    """Only the documented decisions (No, Y, Pt) may make an element-named header a label."""
    decided = set(AMBIGUOUS) | set(NEVER_MEASURED)
    for symbol in sorted(SYMBOLS):
        for header in {symbol, symbol.upper(), symbol.lower(), f"{symbol} (wt%)", f"{symbol} ppm"}:
            try:
                columns = read_header(["Point", header])
            except InputError:
                continue  # refused by name: never silent
            if symbol.lower() not in decided:
                assert columns.labels == ["Point"], header


@pytest.mark.parametrize(
    ("header", "label"),
    [("nA", True), ("Beam (nA)", True), ("I (nA)", True), ("Current", True), ("Na", False),
     ("NA", False), ("na", False), ("Na (wt%)", False), ("Na ppm", False)],
)  # fmt: skip
def test_beam_current_is_spelled_with_its_unit_and_sodium_is_never_a_label(header, label):
    columns = read_header(["Si", header, "O"])
    assert (header in columns.labels) is label
    assert ("Na" in [a.name for a in columns.analytes]) is not label


@pytest.mark.parametrize(
    "label",
    ["Beam Current (nA)", "HV (kV)", "Distance (um)", "Stage X (mm)", "X Pos", "Y Pos",
     "Stage Y (mm)", "Sample ID", "Description", "Nr.", "Spot ID", "Acc. Voltage (kV)"],
)  # fmt: skip
def test_label_columns_written_with_a_unit_or_a_second_word_are_labels(label):
    columns = read_header(["SiO2", label, "MgO"])
    assert columns.labels == [label] and [a.name for a in columns.analytes] == ["SiO2", "MgO"]


@pytest.mark.parametrize("header", ["O=F,Cl", "O=F;Cl", "O=F+Cl", "-O=F,Cl", "O=F"])
def test_o_equivalent_spellings(header):
    assert read_header(["SiO2", "F", "Cl", header]).o_equivalent == header
