"""Mineral formulas: stoichiometric minerals recover their formulas; Droop recovers a known Fe3+."""

import numpy as np
import pytest

from snippets.epma import end_members, oxide, structural_formula


def oxide_wt(formula: dict[str, float], oxides: dict[str, str]) -> dict[str, np.ndarray]:
    """Oxide wt% of a formula {cation: apfu}, each cation reported as oxides[cation]."""
    masses = {
        oxides[c]: n / oxide(oxides[c]).cations * oxide(oxides[c]).molar_mass
        for c, n in formula.items()
    }
    total = sum(masses.values())
    return {name: np.array([100 * m / total]) for name, m in masses.items()}


def test_forsterite_on_four_oxygens():
    f = structural_formula({"MgO": np.array([57.30]), "SiO2": np.array([42.70])}, oxygens=4)
    assert f["Mg"][0] == pytest.approx(2.0, abs=2e-3)
    assert f["Si"][0] == pytest.approx(1.0, abs=2e-3)
    assert f.oxygens[0] == pytest.approx(4.0)
    assert end_members(f, "olivine")["Fo"][0] == pytest.approx(100.0)


def test_olivine_on_three_cations_has_four_oxygens():
    wt = oxide_wt({"Mg": 1.8, "Fe": 0.2, "Si": 1.0}, {"Mg": "MgO", "Fe": "FeO", "Si": "SiO2"})
    f = structural_formula(wt, cations=3)
    assert f.cation_sum[0] == pytest.approx(3.0)
    assert f.oxygens[0] == pytest.approx(4.0)
    fo = end_members(f, "olivine")
    assert fo["Fo"][0] == pytest.approx(90.0) and fo["Fa"][0] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("formula", "oxides", "mineral", "expected"),
    [
        ({"Na": 1, "Al": 1, "Si": 3}, 8, "feldspar", {"Ab": 100, "An": 0, "Or": 0}),
        ({"Ca": 1, "Al": 2, "Si": 2}, 8, "feldspar", {"An": 100, "Ab": 0, "Or": 0}),
        ({"Ca": 0.9, "Mg": 0.8, "Fe": 0.3, "Si": 2}, 6, "pyroxene", {"Wo": 45, "En": 40, "Fs": 15}),
    ],
)
def test_end_members(formula, oxides, mineral, expected):
    names = {"Na": "Na2O", "Al": "Al2O3", "Si": "SiO2", "Ca": "CaO", "Mg": "MgO", "Fe": "FeO"}
    f = structural_formula(oxide_wt(formula, names), oxygens=oxides)
    for cation, apfu in formula.items():
        assert f[cation][0] == pytest.approx(apfu)
    fractions = end_members(f, mineral)
    for name, percent in expected.items():
        assert fractions[name][0] == pytest.approx(percent, abs=1e-9)


# Droop (1987): a known split, made forward from the formula with all iron as FeO.
FE_PYROXENE = {"Na": 0.3, "Ca": 0.7, "Mg": 0.5, "Fe2+": 0.2, "Fe3+": 0.3, "Si": 2.0}  # 6 O


def test_droop_recovers_a_known_fe3_split():
    fe_total = {k: v for k, v in FE_PYROXENE.items() if not k.startswith("Fe")} | {"Fe": 0.5}
    names = {"Na": "Na2O", "Ca": "CaO", "Mg": "MgO", "Fe": "FeO", "Si": "SiO2"}
    f = structural_formula(oxide_wt(fe_total, names), oxygens=6, cations=4, fe3="droop")
    assert f["Fe3+"][0] == pytest.approx(0.3)
    assert f["Fe2+"][0] == pytest.approx(0.2)
    for cation in ("Na", "Ca", "Mg", "Si"):
        assert f[cation][0] == pytest.approx(FE_PYROXENE[cation])
    assert f.oxygens[0] == pytest.approx(6.0) and f.cation_sum[0] == pytest.approx(4.0)


def test_droop_on_magnetite_gives_one_fe2_and_two_fe3():
    # Fe3O4 with all iron reported as FeO.
    feo = 3 * oxide("FeO").molar_mass / (3 * 55.845 + 4 * 15.999) * 100
    f = structural_formula({"FeO": np.array([feo])}, oxygens=4, cations=3, fe3="droop")
    assert f["Fe2+"][0] == pytest.approx(1.0, rel=1e-4)
    assert f["Fe3+"][0] == pytest.approx(2.0, rel=1e-4)


def test_droop_finds_no_fe3_in_a_stoichiometric_olivine():
    wt = oxide_wt({"Mg": 1.8, "Fe": 0.2, "Si": 1.0}, {"Mg": "MgO", "Fe": "FeO", "Si": "SiO2"})
    f = structural_formula(wt, oxygens=4, cations=3, fe3="droop")
    assert f["Fe3+"][0] == pytest.approx(0.0, abs=1e-9)
    assert f["Fe2+"][0] == pytest.approx(0.2)


def test_droop_reads_fe2o3_columns_as_iron_too():
    # Fe3O4 reported as FeO + Fe2O3 gives the same split as all-FeO.
    feo, fe2o3 = oxide("FeO").molar_mass, oxide("Fe2O3").molar_mass
    wt = {
        "FeO": np.array([100 * feo / (feo + fe2o3)]),
        "Fe2O3": np.array([100 * fe2o3 / (feo + fe2o3)]),
    }
    f = structural_formula(wt, oxygens=4, cations=3, fe3="droop")
    assert f["Fe3+"][0] == pytest.approx(2.0) and f["Fe2+"][0] == pytest.approx(1.0)


def test_measured_feo_and_fe2o3_are_kept_apart_without_droop():
    feo, fe2o3 = oxide("FeO").molar_mass, oxide("Fe2O3").molar_mass
    wt = {"FeO": np.array([feo]), "Fe2O3": np.array([fe2o3])}
    f = structural_formula(wt, oxygens=4)
    assert f.species == ["Fe2+", "Fe3+"]
    assert f["Fe3+"][0] == pytest.approx(2 * f["Fe2+"][0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give one basis"),
        ({"oxygens": 4, "cations": 3}, "give one basis"),
        ({"oxygens": 4, "fe3": "droop"}, "needs both"),
        ({"oxygens": 4, "cations": 3, "fe3": "guess"}, "unknown Fe3\\+ method"),
    ],
)
def test_basis_must_be_clear(kwargs, message):
    with pytest.raises(ValueError, match=message):
        structural_formula({"FeO": np.array([10.0])}, **kwargs)


def test_unknown_mineral_is_refused():
    f = structural_formula({"MgO": np.array([57.3]), "SiO2": np.array([42.7])}, oxygens=4)
    with pytest.raises(ValueError, match="no end-members for 'garnet'"):
        end_members(f, "garnet")
