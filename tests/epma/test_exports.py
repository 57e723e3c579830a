"""Real probe exports as they come, through the `epma` command: each fixture is shaped like one
instrument's export (preamble, header spelling, delimiter, summary rows, detection markers).

The analyses in the fixtures are built forward from stated formulas (given in each test), their
oxide wt% rounded to 2 decimals as a probe reports them; the tests compare the formulas the
tool recovers with those formulas, to the precision the rounding allows.
"""

import io
import itertools
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from snippets.epma.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def convert(tmp_path, capsys, fixture, *args):
    output = tmp_path / "out.csv"
    code = main([*args, str(FIXTURES / fixture), "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 0, err
    table = pd.read_csv(output, dtype={"flag": str}, keep_default_na=False, na_values=[""])
    return table, err, json.loads((tmp_path / "out.csv.meta.json").read_text())


def refused(tmp_path, capsys, fixture, *args):
    output = tmp_path / "out.csv"
    code = main([*args, str(FIXTURES / fixture), "-o", str(output)])
    assert code == 2 and not output.exists()
    return capsys.readouterr().err


def test_jeol_export_with_preamble_capitals_and_summary_rows(tmp_path, capsys):
    table, err, meta = convert(tmp_path, capsys, "jeol_olivine.csv", "to-atomic")
    assert table["No."].tolist() == [1, 2, 3], "only the spots, not Average / Std Dev / Min / Max"
    assert "Ni_at%" in table.columns, "'NIO' in capitals is NiO, not dropped"
    assert len(meta["preamble"]) == 4 and meta["preamble"][0].startswith("JEOL JXA-8530F")
    for line, kind in ((10, "Average"), (11, "Std Dev"), (12, "Minimum"), (13, "Maximum")):
        assert f"summary row line {line} '{kind}': left out" in err
    assert "3 blank line(s) ignored" in err
    assert table.loc[0, "total"] == pytest.approx(100.37)


def test_summary_means_can_be_converted_as_their_own_rows(tmp_path, capsys):
    table, err, _ = convert(
        tmp_path, capsys, "jeol_olivine.csv", "to-atomic", "--summary-rows", "convert"
    )
    assert table["No."].tolist() == ["1", "2", "3", "Average"]
    assert table.loc[3, "flag"].startswith("summary row 'Average'")
    assert "line 10 'Average': converted" in err and "line 11 'Std Dev': left out" in err


def test_cameca_tab_text_with_mass_percent_headers_and_garnet_preset(tmp_path, capsys):
    # Spot 1: Alm60 Prp25 Grs10 Adr5 = Fe2+1.8 Mg0.75 Ca0.45 Al1.9 Fe3+0.1 Si3 O12, all iron
    # reported as FeO. Spot 2: Fe2+1.2 Mg1.2 Mn0.15 Ca0.45 Al1.8 Cr0.1 Fe3+0.1 Si3 O12.
    assert b"\r\n" in (FIXTURES / "cameca_garnet.txt").read_bytes(), "Windows line ends kept"
    table, err, _ = convert(tmp_path, capsys, "cameca_garnet.txt", "formula", "--mineral", "garnet")
    assert "tab-separated, decimal point; header on line 3: 2 preamble line(s)" in err
    assert "'X (mm)', 'Y (mm)', 'Z (mm)'" in err and "'Total(Mass%)'" in err
    expected = [
        {"Si": 3, "Al": 1.9, "Fe2+": 1.8, "Fe3+": 0.1, "Mg": 0.75, "Ca": 0.45},
        {"Si": 3, "Al": 1.8, "Cr": 0.1, "Fe2+": 1.2, "Fe3+": 0.1, "Mg": 1.2, "Mn": 0.15},
    ]
    for row, formula in enumerate(expected):
        for species, apfu in formula.items():
            assert table.loc[row, f"{species}_apfu"] == pytest.approx(apfu, abs=2e-3), species
    members = {"Alm": 60, "Prp": 25, "Sps": 0, "Grs": 10, "Adr": 5, "Uv": 0}
    for name, percent in members.items():
        assert table.loc[0, name] == pytest.approx(percent, abs=0.15), name
    assert table.loc[1, "Uv"] == pytest.approx(5, abs=0.15)
    # 1.9 Fe as FeO, split 1.8 : 0.1: FeO 29.10 * 1.8/1.9, Fe2O3 29.10 * 0.1/1.9 * 159.69/143.69
    assert table.loc[0, "FeO_calc_wt%"] == pytest.approx(29.10 * 1.8 / 1.9, abs=0.05)
    assert table.loc[0, "Fe2O3_calc_wt%"] == pytest.approx(29.10 * 0.1 / 1.9 * 1.1113, abs=0.05)


def test_semicolon_decimal_comma_and_detection_markers(tmp_path, capsys):
    err = refused(tmp_path, capsys, "euro_spinel.csv", "to-atomic")
    assert "line 5, column 'SiO2': below-detection entry '<0,01'" in err
    for marker in ("'-'", "'<0,01'", "'<LOD'", "'b.d.l.'", "'bdl'", "'n.d.'"):
        assert marker in err.splitlines()[-1], marker
    # Mg0.6 Fe2+0.4 Al1.2 Cr0.6 Fe3+0.2 O4, iron reported as FeO.
    table, err, _ = convert(
        tmp_path,
        capsys,
        "euro_spinel.csv",
        "formula",
        "--mineral",
        "spinel",
        "--below-detection",
        "zero",
    )
    assert "semicolon-separated, decimal comma" in err
    assert "below-detection cells read as 0: 'SiO2' x1, 'TiO2' x1, 'MnO' x2, 'NiO' x2" in err
    assert table.loc[0, "Fe3+_apfu"] == pytest.approx(0.2, abs=2e-3)
    assert table.loc[0, "Cr#"] == pytest.approx(100 / 3, abs=0.05)
    assert table.loc[0, "Mg#"] == pytest.approx(60, abs=0.1)
    assert table.loc[0, "XFe3"] == pytest.approx(10, abs=0.1)
    assert table["Comment"].tolist() == ["Spl core", "Spl rim"]


def test_below_detection_nan_leaves_that_elements_output_empty(tmp_path, capsys):
    table, _, _ = convert(
        tmp_path, capsys, "euro_spinel.csv", "to-atomic", "--below-detection", "nan"
    )
    assert pd.isna(table.loc[0, "Mn_at%"]) and pd.isna(table.loc[0, "Si_wt%"])
    assert table.loc[1, "Si_wt%"] > 0 and not pd.isna(table.loc[0, "Al_at%"])
    assert "MnO below detection: its columns left empty" in table.loc[0, "flag"]


def test_upper_case_and_total_iron_headers_with_pyroxene_preset(tmp_path, capsys):
    # Na0.3 Ca0.7 Mg0.5 Fe2+0.2 Fe3+0.3 Si2 O6 with all iron given as FeOT.
    table, err, meta = convert(
        tmp_path, capsys, "upper_pyroxene.csv", "formula", "--mineral", "pyroxene"
    )
    assert "FEOT(WT%) as FeO" in err and "column 'FEOT(WT%)' is total iron, as FeO" in err
    assert meta["columns"]["NA2O(WT%)"] == "Na2O"
    assert table.loc[0, "Fe3+_apfu"] == pytest.approx(0.3, abs=3e-3)
    assert table.loc[0, "Na_apfu"] == pytest.approx(0.3, abs=2e-3)
    assert table.loc[0, "Wo"] == pytest.approx(100 * 0.7 / 1.7, abs=0.1)


def test_probe_for_epma_halogens_with_o_equivalent_column_and_mica_preset(tmp_path, capsys):
    # Phlogopite K2 Mg6 Al2 Si6 O20 (OH)2.4 F1.2 Cl0.4, H2O not analysed: 22 O equivalents.
    table, err, _ = convert(tmp_path, capsys, "pfe_phlogopite.csv", "formula", "--mineral", "mica")
    formula = {"Si": 6, "Al": 2, "Mg": 6, "K": 2, "F": 1.2, "Cl": 0.4, "OH": 2.4, "O": 21.2}
    for species, apfu in formula.items():
        assert table.loc[0, f"{species}_apfu"] == pytest.approx(apfu, abs=5e-3), species
    assert table.loc[0, "total"] == pytest.approx(97.44, abs=0.01), "oxides + F + Cl - O=F,Cl"
    assert table.loc[0, "O=F,Cl_wt%"] == pytest.approx(1.52, abs=0.01)
    assert table.loc[0, "flag"] == "total 97.44% outside 98.5-101.5%", "H2O was not analysed"
    assert "'Average:': left out" in err and "'Std Dev:': left out" in err
    assert "column 'O=F,Cl' checked against" in err


def test_an_o_equivalent_column_that_disagrees_is_flagged(tmp_path, capsys):
    text = (FIXTURES / "pfe_phlogopite.csv").read_text().replace('"-1.51"', '"-0.51"')
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    flags = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)["flag"]
    assert "O=F,Cl column 0.510 but F and Cl give 1.51" in flags[1] and "O=F" not in flags[0]


def test_tab_text_apatite_with_halogens_and_a_ppm_column(tmp_path, capsys):
    # Ca5 (PO4)3 F0.7 Cl0.1 (OH)0.2, plus 350 and 410 ppm SrO.
    table, err, _ = convert(
        tmp_path, capsys, "apatite_halogens.txt", "formula", "--mineral", "apatite"
    )
    assert "ppm columns scaled to wt% (x 1e-4)" in err
    for species, apfu in {"Ca": 5, "P": 3, "F": 0.7, "Cl": 0.1, "OH": 0.2}.items():
        assert table.loc[0, f"{species}_apfu"] == pytest.approx(apfu, abs=6e-3), species
    sr = 350e-4 / 103.62 / (55.46 / 56.077) * table.loc[0, "Ca_apfu"]
    assert table.loc[0, "Sr_apfu"] == pytest.approx(sr, rel=1e-2)
    atomic, _, _ = convert(tmp_path, capsys, "apatite_halogens.txt", "to-atomic")
    wt = atomic[[c for c in atomic if c.endswith("_wt%") and not c.startswith("O=")]]
    assert wt.sum(axis=1).tolist() == pytest.approx(atomic["total"].tolist(), abs=0.01), (
        "element wt% add up to the total less O=F,Cl"
    )


def test_outputs_get_the_users_permissions(tmp_path, capsys):
    previous = os.umask(0o022)
    try:
        convert(tmp_path, capsys, "jeol_olivine.csv", "to-atomic")
    finally:
        os.umask(previous)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "out.csv.meta.json").stat().st_mode & 0o777 == 0o644


def test_default_precision_is_per_kind_and_decimals_overrides_it(tmp_path, capsys):
    table, _, _ = convert(
        tmp_path, capsys, "upper_pyroxene.csv", "formula", "--mineral", "pyroxene"
    )
    text = (tmp_path / "out.csv").read_text().splitlines()[1].split(",")
    header = (tmp_path / "out.csv").read_text().splitlines()[0].split(",")
    places = {h: len(v.partition(".")[2]) for h, v in zip(header, text, strict=True)}
    assert places["Si_apfu"] <= 4 and places["Fe3+_apfu"] == 4
    assert places["FeO_calc_wt%"] <= 3 and places["Wo"] <= 2
    table, _, _ = convert(
        tmp_path,
        capsys,
        "upper_pyroxene.csv",
        "formula",
        "--mineral",
        "pyroxene",
        "--decimals",
        "1",
    )
    assert table.loc[0, "Fe3+_apfu"] == 0.3


def test_a_clipped_droop_estimate_is_flagged(tmp_path, capsys):
    # Too few cations on 4 O for 3 cations (an Al-rich analysis): Droop gives F < 0.
    (tmp_path / "in.csv").write_text("Point,Al2O3,MgO,FeO\n1,74.0,19.0,7.0\n")
    code = main(
        ["formula", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"), "--mineral", "spinel"]
    )
    flag = pd.read_csv(tmp_path / "o.csv", keep_default_na=False).loc[0, "flag"]
    assert code == 0 and flag.startswith("Droop Fe3+ -") and flag.endswith("clipped to 0")


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("Spot,SiO2,MgO\n1,42.7,57.3\nSpot,SiO2,MgO\n2,42,57\n", (), "line 3 repeats the header"),
        ("Point;X;SiO2;MgO\n1;1,5;42,7;57.3\n", (), "both with decimal commas (1 cells)"),
        ("Spot,SiO2,MgO\nAverage,40,60\n", (), "only blank or summary rows"),
        ("Spot,SiO2 mol%,MgO mol%\n1,40,60\n", (), "mole % of oxides is an output"),
        ("Spot,SiO2,MgO\n1,40,60\n", ("--label", "Nope"), "--label 'Nope': no such column"),
        ("Spot,SiO2,MgO\n1,40,60\n", ("-o", "/nonexistent/x.csv"), "does not exist"),
        # A row's field count differs from the header's: never shifted, never below detection.
        ("SiO2,MgO,FeO,Total\n1,40.8,49.1,9.5,99.4\n", (), "line 2 has 5 fields, the header 4"),
        ("Point,SiO2,MgO,FeO\n1,40.8,49.1,9.5,\n", ("--below-detection", "zero"), "line 2 has 5"),
        (
            "Point,SiO2,FeO,MgO\n1,40.8,9.4,49.5\n\n3,40.1,10.1\n",
            ("--below-detection", "zero"),
            "line 4 has 3 fields, the header 4: a truncated row",
        ),
        ('Point,SiO2,MgO\n1,"40.8,",59\n2,40,60,1\n', (), "line 3 has 4 fields"),
        ("Point,,SiO2,MgO\n1,,40,60\n2,a,40,60\n", (), "column 2 has no header but holds 'a'"),
    ],
)
def test_odd_exports_are_refused_by_name(tmp_path, capsys, text, args, message):
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), *args]) == 2
    assert message in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_a_total_column_that_disagrees_with_the_analytes_is_flagged(tmp_path, capsys):
    # The probe's Total includes a Cr2O3 column this file lost: 0.35 wt% missing.
    text = (
        "No.,Comment,SiO2,MgO,FeO,Total\n1,a,40.85,49.51,9.42,99.78\n2,b,40.12,47.20,12.03,99.70\n"
    )
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    flags = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)["flag"].tolist()
    assert flags == ["", "file Total 99.7 but the analytes add up to 99.35"]


def test_every_option_in_combination(tmp_path, capsys):
    """Each operation with every combination of the reading and output options: the run
    succeeds, keeps every input column and spot, and records the options it ran with."""
    elements = "Point,Comment,Si,Mg,Fe,O,Total\n1,a,19.0,28.0,6.0,<0.01,53.0\n"
    elements += "2,b,19.5,27.5,6.5,-0.3,53.2\n"
    (tmp_path / "elements.csv").write_text(elements)
    runs = {
        "to-atomic": FIXTURES / "euro_spinel.csv",
        "to-mole": FIXTURES / "euro_spinel.csv",
        "formula": FIXTURES / "euro_spinel.csv",
        "to-oxide": tmp_path / "elements.csv",
        "to-weight": tmp_path / "elements.csv",
    }
    count = 0
    for operation, source in runs.items():
        header = pd.read_csv(
            source, sep=None, engine="python", nrows=0, skiprows=3 if "euro" in source.name else 0
        )
        combinations = itertools.product(
            ("zero", "nan"), ("zero", "error"), ("skip", "convert"), (False, True)
        )
        for k, (below, negative, summary, normalise) in enumerate(combinations):
            decimals = ("2", "-1")[k % 2]
            args = [operation, str(source), "-o", str(tmp_path / "o.csv")]
            args += ["--below-detection", below, "--negative", negative, "--summary-rows", summary]
            args += [
                "--decimals",
                decimals,
                "--reject-total",
                "0",
                "1000",
                "--flag-total",
                "99",
                "101",
            ]
            args += ["--normalise"] * normalise
            if operation == "formula":
                args += ["--mineral", "spinel"]
            if operation == "to-oxide":
                args += ["--oxide", "Fe=Fe2O3"]
            code = main(args)
            err = capsys.readouterr().err
            if negative == "error" and source.name == "elements.csv":
                assert code == 2 and "line 3, column 'O': negative value -0.3" in err
                continue
            assert code == 0, (args, err)
            table = pd.read_csv(tmp_path / "o.csv", dtype=str)
            assert table.columns[: len(header.columns)].tolist() == header.columns.tolist()
            assert len(table) == 2, args
            meta = json.loads((tmp_path / "o.csv.meta.json").read_text())
            assert meta["options"]["below_detection"] == below and meta["normalised"] == normalise
            count += 1
    assert count == 3 * 16 + 2 * 8


def test_jeol_units_row_under_the_header_is_read_and_honoured(tmp_path, capsys):
    table, err, _ = convert(tmp_path, capsys, "jeol_units_row.csv", "to-atomic")
    assert "line 3 is a row of units under the header: read" in err
    assert table["Comment"].tolist() == ["ol-1", "ol-2"]
    assert "Si_at%" in table.columns
    (tmp_path / "out.csv").unlink()
    err = refused(tmp_path, capsys, "jeol_units_row.csv", "to-weight")
    assert "column 'Si' is in wt%, but to-weight takes at%" in err


def test_byte_order_mark_latin_1_and_standard_input(tmp_path, capsys, monkeypatch):
    (tmp_path / "bom.csv").write_bytes("\ufeffSpot,SiO2,MgO\n1,42.7,57.3\n".encode())
    (tmp_path / "latin.txt").write_bytes(
        "Point\tX (µm)\tSiO2\tMgO\n1\t3,5\t42,7\t57,3\n".encode("latin-1")
    )
    assert main(["to-atomic", str(tmp_path / "latin.txt"), "-o", str(tmp_path / "o.csv")]) == 0
    assert "decimal comma; not UTF-8: read as Latin-1" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "o.csv").columns[1] == "X (µm)"
    monkeypatch.setattr("sys.stdin", io.StringIO((tmp_path / "bom.csv").read_text("utf-8")))
    assert main(["to-atomic", "-"]) == 0
    assert capsys.readouterr().out.startswith("Spot,SiO2,MgO,Si_wt%")


@pytest.mark.parametrize(
    "cell",
    ["Average of 2 points", "Mean (n=2)", "Av.", "1 s.d.", "Std. Deviation", "Std Dev", "2\u03c3",
     "2 sigma", "%RSD", "St. Dev.", "Std Err", "Median:", "Minimum", "Max"],
)  # fmt: skip
def test_summary_row_spellings_are_kept_out_of_the_spots(tmp_path, capsys, cell):
    text = f"Point,SiO2,FeO,MgO\n1,40.85,9.42,49.51\n2,40.62,10.15,48.80\n{cell},0.16,0.52,0.50\n"
    (tmp_path / "in.csv").write_text(text, encoding="utf-8")
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    assert f"summary row line 4 {cell!r}: left out" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "o.csv")["Point"].tolist() == [1, 2]


@pytest.mark.parametrize("cell", ["SD12", "SE-1", "Avon-1", "Mean-lake", "Max-3"])
def test_sample_names_that_begin_like_a_statistic_are_spots(tmp_path, capsys, cell):
    (tmp_path / "in.csv").write_text(f"Sample,SiO2,FeO,MgO\n{cell},40.85,9.42,49.51\n")
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    assert pd.read_csv(tmp_path / "o.csv")["Sample"].tolist() == [cell]


def test_a_far_total_asks_whether_the_row_is_a_summary_row(tmp_path, capsys):
    text = "Point,SiO2,FeO,MgO\n1,40.85,9.42,49.51\nStd.Dev of mean,0.16,0.52,0.50\n"
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "line 3 'Std.Dev of mean': 1.18%" in err and "If a row is a summary row" in err


def test_utf16_unicode_text_and_latin_1_on_standard_input(tmp_path, capsys, monkeypatch):
    text = "Point\tX (µm)\tSiO2\tMgO\n1\t3.5\t42.7\t57.3\n"
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text"
    assert main(["to-atomic", str(tmp_path / "u16.txt"), "-o", str(tmp_path / "o.csv")]) == 0
    assert "tab-separated, decimal point; UTF-16 text" in capsys.readouterr().err
    assert list(pd.read_csv(tmp_path / "o.csv").columns[:4]) == ["Point", "X (µm)", "SiO2", "MgO"]
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("latin-1")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["to-atomic", "-"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Point,X (µm),SiO2,MgO,Si_wt%") and "read as Latin-1" in err


def test_an_unquoted_o_equivalent_header_in_a_comma_file_is_one_column(tmp_path, capsys):
    text = "Sample,SiO2,MgO,F,Cl,O=F,Cl,Total\nphl,42.1,52.0,2.66,0.83,-1.31,96.28\n"
    (tmp_path / "in.csv").write_text(text)
    table, err, _ = convert(tmp_path, capsys, tmp_path / "in.csv", "to-atomic")
    assert "the unquoted 'O=F,Cl' in the header read as one column" in err
    assert list(table.columns[:7]) == ["Sample", "SiO2", "MgO", "F", "Cl", "O=F,Cl", "Total"]
    assert table.loc[0, "O=F,Cl"] == -1.31 and table.loc[0, "Total"] == 96.28
    assert table.loc[0, "O=F,Cl_wt%"] == pytest.approx(0.421 * 2.66 + 0.2256 * 0.83, abs=2e-3)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # JEOL: a table of analysing conditions above the header, with an element row.
        ("JEOL JXA-8530F,Quantitative Analysis\nElement,Si,Fe,Mg\nCrystal,TAP,LIF,TAP\n"
         "Peak(mm),77.4,134.7,107.5\n\nNo.,Comment,SiO2,FeO,MgO\n1,ol,40.85,9.42,49.51\n", 6),
        # A preamble line with a unit and a comma in it.
        ("Quantitative results in wt%, oxides by stoichiometry\nOperator, J. Smith\n\n"
         "Point,SiO2,FeO,MgO\n1,40.85,9.42,49.51\n", 4),
    ],
)  # fmt: skip
def test_the_header_is_the_line_with_numbers_below_it(tmp_path, capsys, text, line):
    (tmp_path / "in.csv").write_text(text)
    table, err, _ = convert(tmp_path, capsys, tmp_path / "in.csv", "to-atomic")
    assert f"header on line {line}: {line - 1} preamble line(s) above it skipped" in err
    assert table.loc[0, "SiO2"] == 40.85 and len(table) == 1


def test_a_space_aligned_export_is_refused_with_what_to_do(tmp_path, capsys):
    text = " JEOL JXA-8230 Summary\n No.   SiO2    FeO     MgO\n   1   40.85   9.42   49.51\n"
    (tmp_path / "in.txt").write_text(text)
    err = refused(tmp_path, capsys, tmp_path / "in.txt", "to-atomic")
    assert "no delimiter found" in err and "space-aligned export?" in err


def test_decimal_comma_numbers_are_written_with_decimal_points(tmp_path, capsys):
    text = "Point;X;SiO2;MgO;Total\n1;3,5;42,70;57,30;100,00\n"
    (tmp_path / "in.csv").write_text(text)
    assert main(["to-atomic", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")]) == 0
    table = pd.read_csv(tmp_path / "o.csv")
    assert table.loc[0, "SiO2"] == 42.7 and table.loc[0, "Total"] == 100.0, "numbers, not text"
    assert table.loc[0, "X"] == "3,5", "a label column stays as written"
