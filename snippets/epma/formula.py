"""Mineral formulas from oxide wt%: cations per formula unit, Fe3+ by charge balance."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snippets.epma.convert import unpack
from snippets.epma.elements import element
from snippets.epma.headers import HALOGENS
from snippets.epma.oxides import oxide


@dataclass
class Formula:
    """Atoms per formula unit (apfu) for each cation species, over the analyses' trailing shape.

    `species` names rows of `apfu`: an element ('Si'), or an element with its charge ('Fe2+',
    'Fe3+') when it occurs with more than one charge. `oxygens` is the oxygen apfu.
    """

    species: list[str]
    apfu: np.ndarray
    oxygens: np.ndarray
    basis: str
    anions: dict[str, np.ndarray] = field(default_factory=dict)  # F, Cl, OH apfu
    droop: np.ndarray | None = None  # Droop's Fe3+ before clipping to 0..total Fe

    def __getitem__(self, name: str) -> np.ndarray:
        return self.apfu[self.species.index(name)]

    @property
    def cation_sum(self) -> np.ndarray:
        return self.apfu.sum(axis=0)

    def total(self, element: str) -> np.ndarray:
        """apfu of an element over all its charges (Fe2+ + Fe3+); zero if absent."""
        rows = [i for i, s in enumerate(self.species) if s.rstrip("0123456789+") == element]
        return self.apfu[rows].sum(axis=0) if rows else np.zeros(self.apfu.shape[1:])


def _species(cations: list[str], charges: list[float]) -> list[str]:
    """Cation labels: 'Fe' alone, but 'Fe2+' and 'Fe3+' when Fe comes with two charges."""
    pairs = list(zip(cations, charges, strict=True))
    mixed = {c for c, _ in pairs if len({q for c2, q in pairs if c2 == c}) > 1}
    return [f"{c}{q:g}+" if c in mixed else c for c, q in pairs]


# --8<-- [start:formula]
def structural_formula(
    oxide_percent: Any,
    oxides: Sequence[str] | None = None,
    *,
    oxygens: float | None = None,
    cations: float | None = None,
    fe3: str | None = None,
) -> Formula:
    """Cations per formula unit on `oxygens` O (e.g. 4 for olivine), or on `cations` cations.

    With fe3="droop" (needs both), all iron is first taken as Fe2+, then Fe3+ per formula is
    F = 2X(1 - T/S) (Droop 1987), where X = oxygens, T = cations and S the cation sum on X
    oxygens: the Fe3+ that makes T cations balance X oxygens.

    F and Cl (element wt%) may stand beside the oxides: `oxygens` then counts oxygen
    equivalents (an anhydrous basis, e.g. 22 for micas), each F or Cl taking the place of half
    an O. H2O is never a cation: it gives OH apfu and stays out of the basis.
    """
    values, names, _ = unpack(oxide_percent, oxides)
    anions = {n: i for i, n in enumerate(names) if n in HALOGENS or n == "H2O"}
    rows = [i for i in range(len(names)) if i not in anions.values()]
    parsed = [oxide(names[i]) for i in rows]
    charges = [o.charge for o in parsed]
    if fe3 == "droop":
        if oxygens is None or cations is None:
            raise ValueError("Droop's Fe3+ estimate needs both oxygens (X) and cations (T)")
        charges = [2.0 if o.cation == "Fe" else q for o, q in zip(parsed, charges, strict=True)]
    elif fe3 is not None:
        raise ValueError(f"unknown Fe3+ method {fe3!r}: the one available is 'droop'")
    shape = (-1,) + (1,) * (values.ndim - 1)
    per_oxide = np.array([o.cations / o.molar_mass for o in parsed]).reshape(shape)
    cation_moles = values[rows] * per_oxide  # moles of cations from each oxide column
    oxygen_moles = (cation_moles * (np.array(charges) / 2).reshape(shape)).sum(axis=0)
    species = _species([o.cation for o in parsed], charges)

    if fe3 is None and (oxygens is None) == (cations is None):
        raise ValueError("give one basis: oxygens (e.g. 4 for olivine) or cations, not both")
    with np.errstate(invalid="ignore", divide="ignore"):
        if fe3 is None and oxygens is not None:
            scale, basis = oxygens / oxygen_moles, f"{oxygens:g} O"
        else:  # on T cations; with Droop, S is the cation sum on X oxygens, all Fe as Fe2+
            scale, basis = cations / cation_moles.sum(axis=0), f"{cations:g} cations"
            s = cation_moles.sum(axis=0) * oxygens / oxygen_moles if fe3 else None
    apfu = cation_moles * scale
    o_apfu = oxygen_moles * scale
    formula = Formula(species, apfu, o_apfu, basis)
    if fe3 == "droop":
        formula = _split_iron(formula, oxygens, cations, s)
    for name, i in anions.items():  # F and Cl each replace half an O; H2O gives 2 OH
        if name == "H2O":
            formula.anions["OH"] = 2 * values[i] / oxide("H2O").molar_mass * scale
        else:
            formula.anions[name] = values[i] / element(name).mass * scale
            formula.oxygens = formula.oxygens - formula.anions[name] / 2
    return formula


def _split_iron(formula: Formula, x: float, t: float, s: np.ndarray) -> Formula:
    """Droop (1987): F = 2X(1 - T/S) Fe3+ per formula, at most all the iron, at least none;
    the unclipped F is kept so a clipped estimate can be reported."""
    apfu, species = formula.apfu, formula.species
    fe = [i for i, name in enumerate(species) if name == "Fe"]
    if not fe:
        return formula
    fe_total = apfu[fe].sum(axis=0)
    estimate = 2 * x * (1 - t / s)
    fe3 = np.clip(estimate, 0.0, fe_total)
    rest = [i for i in range(len(species)) if i not in fe]
    apfu = np.concatenate([apfu[rest], (fe_total - fe3)[None], fe3[None]])
    species = [species[i] for i in rest] + ["Fe2+", "Fe3+"]
    # each Fe3+ carries half an extra oxygen
    return Formula(species, apfu, formula.oxygens + fe3 / 2, formula.basis, droop=estimate)


# --8<-- [end:formula]


# --8<-- [start:endmembers]
END_MEMBERS = {
    # mineral: {end-member: element(s) whose apfu it counts}; fractions of their sum, in %.
    "olivine": {"Fo": ("Mg",), "Fa": ("Fe",)},
    "feldspar": {"An": ("Ca",), "Ab": ("Na",), "Or": ("K",)},
    "pyroxene": {"Wo": ("Ca",), "En": ("Mg",), "Fs": ("Fe", "Mn")},  # Morimoto (1988)
}


def end_members(formula: Formula, mineral: str) -> dict[str, np.ndarray]:
    """Mole % of each end-member: olivine Fo/Fa, feldspar An/Ab/Or, pyroxene Wo/En/Fs."""
    if mineral not in END_MEMBERS:
        raise ValueError(f"no end-members for {mineral!r}: choose from {sorted(END_MEMBERS)}")
    amounts = {
        name: sum(formula.total(el) for el in elements)
        for name, elements in END_MEMBERS[mineral].items()
    }
    total = sum(amounts.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {name: 100 * amount / total for name, amount in amounts.items()}


# --8<-- [end:endmembers]
