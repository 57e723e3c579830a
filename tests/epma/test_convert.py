"""Conversions: textbook minerals by hand, round trips as properties, every input type."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from snippets.epma import (
    analytical_total,
    atomic_to_weight,
    element_to_oxide,
    normalise,
    oxide_to_element,
    weight_to_atomic,
)
from snippets.epma.convert import BLOCK

# IUPAC 2021 standard atomic weights (abridged where IUPAC gives an interval), typed here
# only to check the library's.
MG, SI, OX, NA, AL = 24.305, 28.085, 15.999, 22.98976928, 26.9815384


def by_hand(formula: dict[str, tuple[float, float]]) -> dict[str, float]:
    """wt% of each element of a formula {element: (atoms, atomic weight)}."""
    mass = sum(n * m for n, m in formula.values())
    return {el: 100 * n * m / mass for el, (n, m) in formula.items()}


FORSTERITE = by_hand({"Mg": (2, MG), "Si": (1, SI), "O": (4, OX)})
ALBITE = by_hand({"Na": (1, NA), "Al": (1, AL), "Si": (3, SI), "O": (8, OX)})


@pytest.mark.parametrize(
    ("weights", "atoms"),
    [(FORSTERITE, {"Mg": 2, "Si": 1, "O": 4}), (ALBITE, {"Na": 1, "Al": 1, "Si": 3, "O": 8})],
    ids=["forsterite Mg2SiO4", "albite NaAlSi3O8"],
)
def test_ideal_minerals_both_ways(weights, atoms):
    names = list(weights)
    expected_at = 100 * np.array([atoms[n] for n in names]) / sum(atoms.values())
    at = weight_to_atomic(np.array(list(weights.values())), names)
    np.testing.assert_allclose(at, expected_at, rtol=1e-9)
    back = atomic_to_weight(expected_at, names)
    np.testing.assert_allclose(back, list(weights.values()), rtol=1e-9)


def test_forsterite_by_hand_in_numbers():
    # M(Mg2SiO4) = 2(24.305) + 28.085 + 4(15.999) = 140.691 g/mol
    assert FORSTERITE["Mg"] == pytest.approx(34.551, abs=1e-3)
    assert FORSTERITE["Si"] == pytest.approx(19.962, abs=1e-3)
    assert FORSTERITE["O"] == pytest.approx(45.487, abs=1e-3)


def test_albite_oxides_match_the_textbook():
    # Textbook albite: SiO2 68.74, Al2O3 19.44, Na2O 11.82 wt%.
    cations = {k: v for k, v in ALBITE.items() if k != "O"}
    oxides = element_to_oxide(cations)
    assert oxides["SiO2"] == pytest.approx(68.74, abs=0.01)
    assert oxides["Al2O3"] == pytest.approx(19.44, abs=0.01)
    assert oxides["Na2O"] == pytest.approx(11.82, abs=0.01)
    elements = oxide_to_element(oxides)
    for el, wt in ALBITE.items():
        assert elements[el] == pytest.approx(wt, rel=1e-9)


def test_oxides_of_one_cation_add_up():
    out = oxide_to_element({"FeO": np.array([10.0]), "Fe2O3": np.array([5.0])})
    assert list(out) == ["Fe", "O"]
    fe = 10 * 55.845 / (55.845 + OX) + 5 * 2 * 55.845 / (2 * 55.845 + 3 * OX)
    assert out["Fe"][0] == pytest.approx(fe, rel=1e-4)
    assert out["Fe"][0] + out["O"][0] == pytest.approx(15.0)


def test_a_map_converts_pixel_by_pixel():
    rng = np.random.default_rng(0)
    names = ["Si", "Mg", "Fe", "O", "Al", "Ca", "Na", "K"]
    wt_map = rng.uniform(0, 40, size=(8, 37, 41))
    at_map = weight_to_atomic(wt_map, names)
    assert at_map.shape == wt_map.shape
    y, x = 11, 29
    np.testing.assert_allclose(at_map[:, y, x], weight_to_atomic(wt_map[:, y, x], names))
    np.testing.assert_allclose(at_map.sum(axis=0), 100.0)


def test_blocks_and_their_edges_give_the_naive_result():
    names = ["Si", "Mg", "O"]
    wt = np.random.default_rng(1).uniform(0.1, 50, size=(3, 2 * BLOCK + 3))
    moles = wt / np.array([SI, MG, OX])[:, None]
    np.testing.assert_allclose(weight_to_atomic(wt, names), 100 * moles / moles.sum(0), rtol=1e-4)


def test_dataframe_and_mapping_come_back_as_they_went_in():
    frame = pd.DataFrame(FORSTERITE, index=["spot 1"])
    at = weight_to_atomic(frame)
    assert isinstance(at, pd.DataFrame) and list(at.columns) == ["Mg", "Si", "O"]
    assert at.index.tolist() == ["spot 1"]
    assert at.loc["spot 1", "O"] == pytest.approx(400 / 7)
    mapping = weight_to_atomic({k: np.array([v]) for k, v in FORSTERITE.items()})
    assert isinstance(mapping, dict) and mapping["Mg"][0] == pytest.approx(200 / 7)


def test_total_is_reported_and_normalising_is_a_choice():
    wt = np.array([[40.0], [50.0], [8.0]])
    assert analytical_total(wt, ["SiO2", "MgO", "FeO"])[0] == pytest.approx(98.0)
    np.testing.assert_allclose(normalise(wt, ["SiO2", "MgO", "FeO"]).sum(), 100.0)


def test_an_all_zero_analysis_gives_nan_not_an_error():
    out = weight_to_atomic(np.zeros((2, 3)), ["Si", "O"])
    assert np.isnan(out).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: weight_to_atomic(np.ones((2, 1)), ["Si", "Xx"]), "unknown element 'Xx'"),
        (lambda: weight_to_atomic(np.ones((3, 1)), ["Si", "O"]), "3 entries but 2 names"),
        (lambda: weight_to_atomic(np.ones(3)), "name the elements"),
        (lambda: oxide_to_element(np.ones(1), ["Qq2O3"]), "unknown oxide 'Qq2O3'"),
        (lambda: element_to_oxide(np.ones(1), ["Fe"], {"Fe": "Al2O3"}), "not an oxide of Fe"),
    ],
)
def test_bad_names_are_refused(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


wt_tables = arrays(
    np.float64,
    st.tuples(st.just(5), st.integers(1, 20)),
    elements=st.floats(0.01, 80, allow_nan=False),
)


@settings(max_examples=80, deadline=None)
@given(wt_tables)
def test_weight_atomic_weight_round_trip(wt):
    names = ["Si", "Mg", "Fe", "Ca", "O"]
    back = atomic_to_weight(weight_to_atomic(wt, names), names)
    np.testing.assert_allclose(back, 100 * wt / wt.sum(axis=0), rtol=1e-9)


@settings(max_examples=80, deadline=None)
@given(wt_tables)
def test_oxide_element_oxide_round_trip(wt):
    oxides = ["SiO2", "MgO", "FeO", "Al2O3", "Na2O"]
    elements = oxide_to_element(wt, oxides)
    back = element_to_oxide(elements, ["Si", "Mg", "Fe", "Al", "Na", "O"])
    np.testing.assert_allclose(back, wt, rtol=1e-9)


def test_a_preallocated_output_is_filled_in_place():
    wt = np.random.default_rng(2).uniform(1, 50, size=(3, 8, 8))
    buffer = np.empty_like(wt)
    result = weight_to_atomic(wt, ["Si", "Mg", "O"], out=buffer)
    assert result is buffer
    np.testing.assert_allclose(buffer, weight_to_atomic(wt, ["Si", "Mg", "O"]))
    with pytest.raises(ValueError, match="out must be float64"):
        weight_to_atomic(wt, ["Si", "Mg", "O"], out=np.empty((3, 8), dtype=np.float64))
