"""The command line: CSV in, CSV out; bad input stops with row and column, writes nothing."""

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from snippets.epma.cli import main
from snippets.epma.files import convert_csv
from snippets.epma.table import InputError, Options

OLIVINE = """Spot,Comment,SiO2 (wt%),FeO (wt%),MgO (wt%),Total
1,core,40.85,9.42,49.51,99.78
2,rim,40.12,12.03,47.20,99.35
3,low total,38.00,9.00,46.00,93.00
"""


def run(tmp_path, capsys, text, *args, name="in.csv"):
    source = tmp_path / name
    source.write_text(text)
    output = tmp_path / "out.csv"
    code = main([*args, str(source), "-o", str(output)])
    return code, output, capsys.readouterr().err


def leftovers(tmp_path):
    return sorted(p.name for p in tmp_path.iterdir() if p.name != "in.csv")


def test_to_atomic_keeps_input_columns_and_adds_named_ones(tmp_path, capsys):
    code, output, _ = run(tmp_path, capsys, OLIVINE, "to-atomic")
    assert code == 0
    table = pd.read_csv(output, keep_default_na=False)
    assert list(table.columns[:6]) == [
        "Spot",
        "Comment",
        "SiO2 (wt%)",
        "FeO (wt%)",
        "MgO (wt%)",
        "Total",
    ]
    for column in ("Si_wt%", "O_wt%", "Si_at%", "Fe_at%", "O_at%", "total", "normalised", "flag"):
        assert column in table.columns
    assert table["Comment"].tolist() == ["core", "rim", "low total"]
    assert table.loc[0, "total"] == pytest.approx(99.78)
    at_sum = table[[c for c in table if c.endswith("_at%")]].sum(axis=1).tolist()
    assert at_sum == pytest.approx([100] * 3, abs=4e-3), "at% to 3 decimals by default"
    assert table["flag"].tolist()[:2] == ["", ""]
    assert "93.00% outside 98.5-101.5%" in table.loc[2, "flag"], (
        "suspicious rows are flagged, not dropped"
    )
    meta = json.loads((tmp_path / "out.csv.meta.json").read_text())
    assert "periodictable" in meta["atomic_weights"] and meta["rows"] == 3
    assert meta["normalised"] is False


def test_normalise_is_applied_and_said(tmp_path, capsys):
    code, output, _ = run(tmp_path, capsys, OLIVINE, "to-atomic", "--normalise")
    table = pd.read_csv(output)
    assert code == 0 and set(table["normalised"]) == {"yes"}
    assert table.loc[2, "total"] == pytest.approx(93.0), "the analytical total survives"
    wt = table[[c for c in table if c.endswith("_wt%")]].sum(axis=1)
    assert wt.tolist() == pytest.approx([100] * 3, abs=4e-3)


def test_formula_with_droop_and_end_members(tmp_path, capsys):
    code, output, _ = run(
        tmp_path,
        capsys,
        OLIVINE,
        "formula",
        "--oxygens",
        "4",
        "--cations",
        "3",
        "--fe3",
        "droop",
        "--end-members",
        "olivine",
    )
    table = pd.read_csv(output)
    assert code == 0
    for column in (
        "Si_apfu",
        "Mg_apfu",
        "Fe2+_apfu",
        "Fe3+_apfu",
        "O_apfu",
        "cation_sum",
        "Fo",
        "Fa",
    ):
        assert column in table.columns
    assert table["cation_sum"].tolist() == pytest.approx([3, 3, 3])


def test_to_weight_and_to_oxide(tmp_path, capsys):
    code, output, _ = run(tmp_path, capsys, "id,Mg,Si,O\na,28.5714,14.2857,57.1429\n", "to-weight")
    assert code == 0 and pd.read_csv(output).loc[0, "Mg_wt%"] == pytest.approx(34.551, abs=1e-3)
    code, output, _ = run(
        tmp_path,
        capsys,
        "id,Fe,Si\na,30,20\n",
        "to-oxide",
        "--oxide",
        "Fe=Fe2O3",
        "--reject-total",
        "10",
        "200",
    )
    table = pd.read_csv(output)
    assert code == 0 and {"Fe2O3_wt%", "SiO2_wt%"} <= set(table.columns)


def test_standard_output_when_no_file_is_named(tmp_path, capsys):
    (tmp_path / "in.csv").write_text(OLIVINE)
    assert main(["to-atomic", str(tmp_path / "in.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Spot,Comment,") and len(out.splitlines()) == 4


def test_a_stage_coordinate_named_like_an_element_can_be_kept(tmp_path, capsys):
    text = "X,Y,SiO2,MgO\n1.5,2.5,42.7,57.3\n"
    code, output, _ = run(tmp_path, capsys, text, "to-atomic", "--label", "Y")
    assert code == 0 and pd.read_csv(output).loc[0, "Y"] == 2.5
    assert "Y_at%" not in pd.read_csv(output).columns


BAD = {
    "unknown element": ("Spot,Qq wt%,MgO\n1,40,50\n", "column 'Qq wt%'"),
    "unknown oxide": ("Spot,Xx2O3,MgO\n1,40,50\n", "unknown oxide 'Xx2O3'"),
    "element and its oxide": ("Spot,Fe,FeO,MgO\n1,5,5,50\n", "'Fe' and 'FeO' are both Fe"),
    "negative value": (
        "Spot,SiO2,MgO\n1,40,60\n2,41,-0.5\n",
        "line 3, column 'MgO': negative",
    ),
    "empty cell": ("Spot,SiO2,MgO\n1,40,60\n2,,59\n", "line 3, column 'SiO2': empty cell"),
    "NaN": ("Spot,SiO2,MgO\n1,NaN,60\n", "line 2, column 'SiO2': 'NaN' is not"),
    "text in a number column": ("Spot,SiO2,MgO\n1,40,sixty\n", "column 'MgO': text 'sixty'"),
    "total far from 100": ("Spot,SiO2,MgO\n1,40,59\n2,4.0,5.9\n", "line 3 '2': 9.90%"),
    "empty file": ("", "empty file"),
    "header only": ("Spot,SiO2,MgO\n", "no data rows"),
    "malformed": ("Spot,SiO2,MgO\n1,40,60\n2,40,59,7\n", "line 3 has 4 fields, the header 3"),
    "no analytes": ("Spot,Comment\n1,x\n", "no element or oxide columns"),
    "repeated column": ("SiO2,SiO2\n1,2\n", "more than once"),
    "output column already in input": ("flag,SiO2,MgO\nx,42.7,57.3\n", "['flag'] already in input"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_stops_with_a_message_and_writes_nothing(tmp_path, capsys, case):
    text, message = BAD[case]
    code, _, err = run(tmp_path, capsys, text, "to-atomic")
    assert code == 2
    assert message in err, err
    assert leftovers(tmp_path) == [], "no output, no metadata, no temporary file"


def test_missing_file(tmp_path, capsys):
    assert main(["to-atomic", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_negative_values_can_be_set_to_zero(tmp_path, capsys):
    code, output, _ = run(
        tmp_path,
        capsys,
        "Spot,SiO2,MgO,NiO\n1,42.7,57.3,-0.02\n",
        "to-atomic",
        "--negative",
        "zero",
    )
    assert code == 0 and pd.read_csv(output).loc[0, "Ni_at%"] == 0


def test_chunks_give_the_same_table_and_a_late_error_writes_nothing(tmp_path):
    rows = "".join(f"{i},{40 + i % 3},{58 - i % 3}\n" for i in range(100))
    whole, chunked = io.StringIO(), io.StringIO()
    convert_csv(io.StringIO("Point,SiO2,MgO\n" + rows), None, "to-atomic", Options(), stdout=whole)
    convert_csv(
        io.StringIO("Point,SiO2,MgO\n" + rows),
        None,
        "to-atomic",
        Options(),
        chunk_rows=7,
        stdout=chunked,
    )
    assert chunked.getvalue() == whole.getvalue()
    output = tmp_path / "out.csv"
    with pytest.raises(InputError, match="line 102, column 'MgO'"):
        convert_csv(
            io.StringIO("Point,SiO2,MgO\n" + rows + "100,40,x\n"),
            output,
            "to-atomic",
            Options(),
            chunk_rows=7,
        )
    assert list(tmp_path.iterdir()) == []


def test_module_and_help_run_as_a_program():
    result = subprocess.run(
        [sys.executable, "-m", "snippets.epma", "formula", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "--oxygens" in result.stdout and "Droop" in result.stdout


ELEMENTS = "Sample,Si,Fe,Mg,O\nx,19.1,7.3,29.9,43.5\n"


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (ELEMENTS, ("to-oxide", "--oxide", "Ni=NiO"), "--oxide Ni=NiO: no Ni column in the file"),
        (ELEMENTS, ("to-oxide", "--oxide", "Xx=MgO"), "'Xx' is not an element"),
        (ELEMENTS, ("to-oxide", "--oxide", "Fe=MgO"), "'MgO' is not an oxide of Fe"),
        ("Spot,SiO2,FeO,MgO\n1,40.8,9.4,49.5\n",
         ("formula", "--oxide", "Fe=Fe2O3", "--oxygens", "4"),
         "--oxide Fe=Fe2O3: applies to element input only"),
    ],
)  # fmt: skip
def test_an_oxide_choice_that_does_not_apply_is_refused(tmp_path, capsys, text, args, message):
    code, output, err = run(tmp_path, capsys, text, *args)
    assert code == 2 and message in err and not output.exists()


def test_an_oxide_choice_is_read_in_any_letter_case(tmp_path, capsys):
    code, output, err = run(tmp_path, capsys, ELEMENTS, "to-oxide", "--oxide", "fe=FE2O3")
    assert code == 0, err
    table = pd.read_csv(output)
    assert "Fe2O3_wt%" in table.columns and "FeO_wt%" not in table.columns


GARNET_SPLIT = "Comment,SiO2,Al2O3,FeO,Fe2O3,MgO,CaO,MnO\ng,37.91,21.40,26.0,3.8,6.77,3.91,0.80\n"


def test_a_preset_keeps_a_measured_iron_split_unless_fe3_is_given(tmp_path, capsys):
    code, output, err = run(tmp_path, capsys, GARNET_SPLIT, "formula", "--mineral", "garnet")
    assert code == 0, err
    assert "FeO and Fe2O3 are both measured, so that split is kept" in err
    row = pd.read_csv(output).iloc[0]
    fe2, fe3 = 26.0 / 71.844, 2 * 3.8 / 159.687  # mol Fe per 100 g, as measured
    assert row["Fe3+_apfu"] / (row["Fe2+_apfu"] + row["Fe3+_apfu"]) == pytest.approx(
        fe3 / (fe2 + fe3), abs=1e-3
    )
    assert row["O_apfu"] == pytest.approx(12.0) and "Fe2O3_calc_wt%" not in row
    code, output, err = run(
        tmp_path, capsys, GARNET_SPLIT, "formula", "--mineral", "garnet", "--fe3", "droop"
    )
    assert code == 0 and "re-split by charge balance" in err
    row = pd.read_csv(output).iloc[0]
    assert row["cation_sum"] == pytest.approx(8.0) and row["Fe2O3_calc_wt%"] != 3.8


def test_one_basis_option_overrides_only_its_own_part_of_the_preset(tmp_path, capsys):
    spinel = "Point,Al2O3,MgO,FeO\n1,60.0,20.0,20.0\n"
    code, output, err = run(tmp_path, capsys, spinel, "formula", "--mineral", "spinel")
    preset = pd.read_csv(output).iloc[0]
    code, output, err = run(
        tmp_path, capsys, spinel, "formula", "--mineral", "spinel", "--cations", "3"
    )
    assert code == 0 and "given: cations=3.0, the rest from the preset" in err
    row = pd.read_csv(output).iloc[0]
    assert row["Fe3+_apfu"] == preset["Fe3+_apfu"] > 0, "Droop on 4 O kept from the preset"
    code, output, err = run(
        tmp_path, capsys, GARNET_SPLIT.replace(",Fe2O3", "").replace(",3.8", ""),
        "formula", "--mineral", "garnet", "--fe3", "droop",
    )  # fmt: skip
    assert code == 0, err
    assert pd.read_csv(output).iloc[0]["cation_sum"] == pytest.approx(8.0)


def test_the_output_may_not_be_the_input_or_a_link_to_it(tmp_path, capsys):
    text = "Spot,SiO2,MgO\n1,42.7,57.3\nAverage,42.7,57.3\n"
    source = tmp_path / "in.csv"
    source.write_text(text)
    (tmp_path / "link.csv").symlink_to(source)
    for output in (source, tmp_path / "link.csv", tmp_path / "." / "in.csv"):
        assert main(["to-atomic", str(source), "-o", str(output)]) == 2
        assert "is the input file" in capsys.readouterr().err
    assert source.read_text() == text, "the export is untouched"
    assert main(["to-atomic", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("formula", "--oxygens", "-6"), "--oxygens -6: the basis must be a positive number"),
        (("formula", "--oxygens", "0"), "--oxygens 0: the basis must be a positive number"),
        (("formula", "--cations", "nan"), "--cations nan: the basis must be"),
        (("to-atomic", "--flag-total", "101", "99"), "--flag-total 101 99: give LOW then HIGH"),
        (("to-atomic", "--reject-total", "150", "50"), "--reject-total 150 50: give LOW"),
        (("to-atomic", "--reject-total", "nan", "nan"), "--reject-total nan nan: give LOW"),
        (("to-atomic", "--negative-threshold", "-1"), "--negative-threshold -1: give a value"),
    ],
)
def test_numeric_options_that_mean_nothing_are_refused(tmp_path, capsys, args, message):
    code, output, err = run(tmp_path, capsys, "Spot,SiO2,MgO\n1,42.7,57.3\n", *args)
    assert code == 2 and message in err and not output.exists()


def test_negative_zero_counts_every_value_it_zeroes(tmp_path, capsys):
    text = "Point,SiO2,Cr2O3,FeO,MgO\n1,40.85,-4.80,9.42,49.51\n2,40.85,-0.05,9.42,49.51\n"
    code, output, err = run(tmp_path, capsys, text, "to-atomic", "--negative", "zero")
    assert code == 0, err
    assert "negative values set to 0: 'Cr2O3' x2 (rows with a value below -0.1 wt% flagged)" in err
    flags = pd.read_csv(output, keep_default_na=False)["flag"].tolist()
    assert "Cr2O3 -4.8 set to 0" in flags[0] and "Cr2O3" not in flags[1]
    meta = json.loads((tmp_path / "out.csv.meta.json").read_text())
    assert meta["negatives_zeroed"] == {"Cr2O3": 2}


def test_a_fe3_split_gives_the_recalculated_total_and_flags_by_it(tmp_path, capsys):
    # Magnetite Fe3O4 with all iron reported as FeO: 3 FeO = 215.53 g per 231.53 g Fe3O4.
    feo = 100 * 3 * 71.844 / 231.531
    text = f"Sample,FeOT\nmt,{feo:.2f}\n"
    code, output, err = run(tmp_path, capsys, text, "formula", "--mineral", "spinel")
    assert code == 0, err
    row = pd.read_csv(output, keep_default_na=False).iloc[0]
    assert row["total"] == pytest.approx(93.09, abs=0.01)
    assert row["total_recalc"] == pytest.approx(100.0, abs=0.01) and row["flag"] == ""
    assert row["Fe3+_apfu"] == pytest.approx(2.0, abs=1e-3)
    code, output, err = run(
        tmp_path, capsys, "Sample,FeOT\nmt,85.0\n", "formula", "--mineral", "spinel"
    )
    flag = pd.read_csv(output, keep_default_na=False).iloc[0]["flag"]
    assert flag.startswith("total after the Fe3+ split 91.31% outside 98.5-101.5%")


def test_bad_cells_are_listed_in_file_order_and_apatite_has_no_mg_number(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, "Spot,SiO2,MgO,CaO\n1,x,y,z\n", "to-atomic")
    assert code == 2
    assert err.index("'SiO2'") < err.index("'MgO'") < err.index("'CaO'"), "as in the file"
    apatite = "Spot,CaO,P2O5,F,Cl\n1,55.6,42.2,3.77,0.0\n"
    code, output, err = run(tmp_path, capsys, apatite, "formula", "--mineral", "apatite")
    assert code == 0, err
    assert "Mg#" not in pd.read_csv(output).columns


def test_a_far_total_names_the_ambiguous_columns_and_their_decision(tmp_path, capsys):
    # A platinum alloy whose Pt column counts up: read as point numbers, so the total fails.
    text = "Sample,Pt,Pd,Rh\na,61,20.0,15.0\nb,62,21.0,14.0\n"
    code, _, err = run(tmp_path, capsys, text, "to-atomic")
    assert code == 2 and "total far from 100%" in err
    assert "ambiguous header decided: column 'Pt' read as a label (point number)" in err
    assert "--analyte Pt reads it as the element Pt" in err
