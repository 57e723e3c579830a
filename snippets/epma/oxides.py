"""Oxides as analysed by the probe: one cation, oxygen by stoichiometry (Al2O3: 2 Al, 3 O)."""

import re
from dataclasses import dataclass

from snippets.epma.elements import element

OXIDE_NAME = re.compile(r"^(?P<cation>[A-Z][a-z]?)(?P<n>\d*)O(?P<m>\d*)$")

# The oxide each cation is reported as when converting element wt% to oxide wt%: the usual
# convention for silicate analyses (total iron as FeO). Override per call where needed.
DEFAULT_OXIDES = {
    "Si": "SiO2", "Ti": "TiO2", "Al": "Al2O3", "Cr": "Cr2O3", "V": "V2O3", "Fe": "FeO",
    "Mn": "MnO", "Mg": "MgO", "Ca": "CaO", "Na": "Na2O", "K": "K2O", "P": "P2O5",
    "Ni": "NiO", "Zn": "ZnO", "Co": "CoO", "Cu": "CuO", "Ba": "BaO", "Sr": "SrO",
    "Zr": "ZrO2", "Nb": "Nb2O5", "Y": "Y2O3", "La": "La2O3", "Ce": "Ce2O3", "Sn": "SnO2",
    "Pb": "PbO", "Li": "Li2O", "B": "B2O3", "Sc": "Sc2O3", "Hf": "HfO2", "Th": "ThO2",
    "U": "UO2", "W": "WO3", "Mo": "MoO3",
}  # fmt: skip


@dataclass(frozen=True)
class Oxide:
    """An oxide CatnOm: `cations` cation atoms and `oxygens` oxygen atoms per formula unit."""

    name: str
    cation: str
    cations: int
    oxygens: int

    @property
    def molar_mass(self) -> float:
        return self.cations * element(self.cation).mass + self.oxygens * element("O").mass

    @property
    def cation_fraction(self) -> float:
        """Mass fraction of the cation in the oxide: wt% element = wt% oxide * this."""
        return self.cations * element(self.cation).mass / self.molar_mass

    @property
    def charge(self) -> float:
        """The cation's valence implied by the formula (FeO: 2, Fe2O3: 3)."""
        return 2 * self.oxygens / self.cations


def oxide(name: str) -> Oxide:
    """Parse an oxide name such as 'SiO2', 'Al2O3' or 'FeO'; ValueError if it is not one."""
    match = OXIDE_NAME.match(name)
    if not match or match["cation"] == "O":
        raise ValueError(f"{name!r} is not an oxide formula like SiO2 or Al2O3")
    try:
        element(match["cation"])
    except ValueError:
        raise ValueError(f"unknown oxide {name!r}: no element {match['cation']!r}") from None
    return Oxide(name, match["cation"], int(match["n"] or 1), int(match["m"] or 1))


def default_oxide(cation: str) -> Oxide:
    """The oxide a cation is reported as by default (DEFAULT_OXIDES)."""
    element(cation)
    if cation not in DEFAULT_OXIDES:
        raise ValueError(f"no default oxide for {cation!r}: name one, e.g. {cation}=...O")
    return oxide(DEFAULT_OXIDES[cation])
