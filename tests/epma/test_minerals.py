"""Mineral presets and halogens, from the Python API: formulas built forward from stated
end-member compositions (IMA formulas) must come back, with the numbers users read off them."""

import numpy as np
import pytest

from snippets.epma import oxide, structural_formula
from snippets.epma.elements import element
from snippets.epma.minerals import MINERALS, iron_split_weights, mineral_numbers

OXIDES = {"Si": "SiO2", "Al": "Al2O3", "Fe": "FeO", "Mg": "MgO", "Ca": "CaO", "Na": "Na2O"}
OXIDES |= {"K": "K2O", "Cr": "Cr2O3", "Mn": "MnO", "P": "P2O5", "Ti": "TiO2"}


def analysis(formula: dict[str, float], halogens: dict[str, float] | None = None) -> dict:
    """wt% of the oxides (and F, Cl) of a formula {cation: apfu}, as the probe reports them."""
    out = {
        OXIDES[c]: np.array([n / oxide(OXIDES[c]).cations * oxide(OXIDES[c]).molar_mass])
        for c, n in formula.items()
    }
    return out | {h: np.array([n * element(h).mass]) for h, n in (halogens or {}).items()}


def preset_formula(name: str, wt: dict):
    m = MINERALS[name]
    basis = {"oxygens": m.oxygens, "cations": m.cations if m.fe3 else None, "fe3": m.fe3}
    formula = structural_formula(wt, **basis)
    return formula, mineral_numbers(formula, m)


def test_olivine_fo90():
    formula, numbers = preset_formula("olivine", analysis({"Mg": 1.8, "Fe": 0.2, "Si": 1}))
    assert numbers["Fo"][0] == pytest.approx(90) and numbers["Mg#"][0] == pytest.approx(90)
    assert formula.cation_sum[0] == pytest.approx(3)


def test_feldspar_an60():
    wt = analysis({"Ca": 0.6, "Na": 0.4, "Al": 1.6, "Si": 2.4})
    _, numbers = preset_formula("feldspar", wt)
    assert numbers["An"][0] == pytest.approx(60) and numbers["Ab"][0] == pytest.approx(40)


def test_tremolite_with_fluorine_on_23_oxygens():
    # Ca2 Mg5 Si8 O22 (OH)1.5 F0.5: H2O not analysed, so 23 O equivalents (anhydrous).
    formula, numbers = preset_formula(
        "amphibole", analysis({"Ca": 2, "Mg": 5, "Si": 8}, {"F": 0.5})
    )
    for cation, apfu in {"Ca": 2, "Mg": 5, "Si": 8}.items():
        assert formula[cation][0] == pytest.approx(apfu)
    assert formula.anions["F"][0] == pytest.approx(0.5)
    assert numbers["OH_apfu"][0] == pytest.approx(1.5)
    assert formula.oxygens[0] == pytest.approx(22.75), "22 O + 1.5 OH counted as 0.75 O"
    assert "H" not in formula.species


def test_measured_water_gives_oh_and_no_hydrogen_cation():
    wt = analysis({"Ca": 2, "Mg": 5, "Si": 8}) | {"H2O": np.array([oxide("H2O").molar_mass])}
    formula = structural_formula(wt, oxygens=23)
    assert formula.anions["OH"][0] == pytest.approx(2) and "H" not in formula.species
    assert formula.cation_sum[0] == pytest.approx(15)


def test_garnet_end_members_and_the_iron_split_in_wt_percent():
    # Alm60 Prp25 Grs10 Adr5: Fe2+1.8 Mg0.75 Ca0.45 Al1.9 Fe3+0.1 Si3, all iron as FeO.
    wt = analysis({"Fe": 1.9, "Mg": 0.75, "Ca": 0.45, "Al": 1.9, "Si": 3})
    formula, numbers = preset_formula("garnet", wt)
    for name, percent in {"Alm": 60, "Prp": 25, "Sps": 0, "Grs": 10, "Adr": 5, "Uv": 0}.items():
        assert numbers[name][0] == pytest.approx(percent), name
    split = iron_split_weights(np.stack(list(wt.values())), list(wt), formula)
    feo = wt["FeO"][0]
    assert split["FeO_calc_wt%"][0] == pytest.approx(feo * 1.8 / 1.9)
    fe2o3 = feo * 0.1 / 1.9 / oxide("FeO").molar_mass / 2 * oxide("Fe2O3").molar_mass
    assert split["Fe2O3_calc_wt%"][0] == pytest.approx(fe2o3)


def test_droop_clipped_estimates_are_kept_for_the_warning():
    # Too few cations for 4 O / 3 cations: Droop's F is negative and clipped to 0.
    formula, _ = preset_formula("spinel", analysis({"Mg": 0.9, "Fe": 0.1, "Al": 2.2}))
    assert formula["Fe3+"][0] == 0 and formula.droop[0] < 0


def test_garnet_ferric_iron_filling_the_tetrahedral_site_is_not_andradite():
    # Ca3 (Fe3+1.8 Ti0.2) (Si2.8 Fe3+0.2) O12, all iron as FeO: Droop recovers Fe3+ 2.0, of
    # which 0.2 completes Z (Grew et al. 2013); Y holds 1.8 Fe3+ and 0.2 Ti, so Adr = 90.
    formula, numbers = preset_formula("garnet", analysis({"Ca": 3, "Fe": 2, "Ti": 0.2, "Si": 2.8}))
    assert formula["Fe3+"][0] == pytest.approx(2)
    assert numbers["Adr"][0] == pytest.approx(90) and numbers["Grs"][0] == pytest.approx(10)
