"""Mineral presets: the formula basis, the Fe3+ method and the numbers users read off each one
(Mg#, Cr#, end-members, recalculated FeO and Fe2O3)."""

from dataclasses import dataclass

import numpy as np

from snippets.epma.formula import END_MEMBERS, Formula, end_members
from snippets.epma.oxides import oxide


@dataclass(frozen=True)
class Mineral:
    """How to write one mineral's formula, and where that convention comes from."""

    name: str
    oxygens: float  # O (or O equivalents on an anhydrous basis) per formula unit
    cations: float | None  # cations per formula unit, needed for Droop's Fe3+
    fe3: str | None  # 'droop', or None: all iron as Fe2+
    hydroxyl: float = 0.0  # (OH, F, Cl) site on the anhydrous basis: OH = site - F - Cl
    reference: str = ""


# --8<-- [start:presets]
MINERALS = {
    m.name: m
    for m in (
        Mineral("olivine", 4, 3, None, reference="Deer, Howie & Zussman (2013)"),
        Mineral("pyroxene", 6, 4, "droop", reference="Morimoto (1988); Droop (1987)"),
        Mineral("garnet", 12, 8, "droop", reference="Droop (1987); Grew et al. (2013)"),
        Mineral("spinel", 4, 3, "droop", reference="Droop (1987)"),
        Mineral("feldspar", 8, 5, None, reference="Deer, Howie & Zussman (2013)"),
        Mineral("amphibole", 23, None, None, 2, "Leake et al. (1997), 23 O anhydrous"),
        Mineral("mica", 22, None, None, 4, "Rieder et al. (1998), 22 O anhydrous"),
        Mineral("apatite", 12.5, None, None, 1, "Pasero et al. (2010), 25 negative charges"),
    )
}
# --8<-- [end:presets]


def ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """100 part / whole; NaN where the whole is zero (an element not analysed)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * part / whole


def ferrous(formula: Formula) -> np.ndarray:
    """Fe2+ apfu: the Fe2+ of a split, or all the iron if it was not split."""
    return formula["Fe2+"] if "Fe2+" in formula.species else formula.total("Fe")


NO_MG_NUMBER = ("feldspar", "apatite")  # no Mg or Fe site: Mg# would be an empty column


def mineral_numbers(formula: Formula, mineral: Mineral) -> dict[str, np.ndarray]:
    """Mg#, Cr#, end-member mole % and OH apfu for one preset."""
    mg, fe2 = formula.total("Mg"), ferrous(formula)
    out = {"Mg#": ratio(mg, mg + fe2)} if mineral.name not in NO_MG_NUMBER else {}
    if mineral.name in END_MEMBERS:
        out |= end_members(formula, mineral.name)
    if mineral.name == "garnet":
        out |= garnet_end_members(formula)
    if mineral.name == "spinel":
        cr, al, fe3 = formula.total("Cr"), formula.total("Al"), _ferric(formula)
        out["Cr#"] = ratio(cr, cr + al)
        b_site = al + cr + fe3
        out |= {"XAl": ratio(al, b_site), "XCr": ratio(cr, b_site), "XFe3": ratio(fe3, b_site)}
    if mineral.hydroxyl and "OH" not in formula.anions:
        halogens = sum(formula.anions.get(h, 0.0) for h in ("F", "Cl"))
        out["OH_apfu"] = mineral.hydroxyl - halogens + np.zeros_like(mg)
    return out


def _ferric(formula: Formula) -> np.ndarray:
    return formula["Fe3+"] if "Fe3+" in formula.species else np.zeros(formula.apfu.shape[1:])


# --8<-- [start:garnet]
def garnet_end_members(formula: Formula) -> dict[str, np.ndarray]:
    """Alm, Prp, Sps, Grs from Fe2+, Mg, Mn, Ca over the X site (Fe2+ + Mg + Mn + Ca); Adr
    and Uv from Fe3+ and Cr over the octahedral Y site, their Ca taken from Grs. Z holds Si,
    then Al, then Fe3+ up to 3 (Grew et al. 2013): only what is left of Al and Fe3+ is in Y,
    with Cr and Ti."""
    fe2, mg, mn, ca = (
        ferrous(formula),
        formula.total("Mg"),
        formula.total("Mn"),
        formula.total("Ca"),
    )
    al, cr, ti, fe3 = (
        formula.total("Al"),
        formula.total("Cr"),
        formula.total("Ti"),
        _ferric(formula),
    )
    z_gap = np.clip(3 - formula.total("Si"), 0, None)  # Z places Si leaves empty
    al_z = np.minimum(al, z_gap)
    fe3_y = fe3 - np.minimum(fe3, z_gap - al_z)
    x_site, y_site = fe2 + mg + mn + ca, al - al_z + fe3_y + cr + ti
    adr, uv = ratio(fe3_y, y_site), ratio(cr, y_site)
    return {
        "Alm": ratio(fe2, x_site),
        "Prp": ratio(mg, x_site),
        "Sps": ratio(mn, x_site),
        "Grs": ratio(ca, x_site) - adr - uv,
        "Adr": adr,
        "Uv": uv,
    }


# --8<-- [end:garnet]


def iron_split_weights(
    values: np.ndarray, names: list[str], formula: Formula
) -> dict[str, np.ndarray]:
    """FeO and Fe2O3 wt% after the Fe3+ split: the analysed iron (in whatever oxides) shared
    between them in the ratio Fe2+ : Fe3+ of the formula."""
    fe_moles = sum(
        values[i] * oxide(n).cations / oxide(n).molar_mass
        for i, n in enumerate(names)
        if n not in ("F", "Cl") and oxide(n).cation == "Fe"
    )
    fe2, fe3 = ferrous(formula), _ferric(formula)
    with np.errstate(invalid="ignore", divide="ignore"):
        share3 = np.where(fe2 + fe3 > 0, fe3 / (fe2 + fe3), 0.0)
    return {
        "FeO_calc_wt%": fe_moles * (1 - share3) * oxide("FeO").molar_mass,
        "Fe2O3_calc_wt%": fe_moles * share3 / 2 * oxide("Fe2O3").molar_mass,
    }


def droop_flags(formula: Formula) -> list[tuple[np.ndarray, str]]:
    """(rows, message) where Droop's Fe3+ was clipped to 0 or to the total iron."""
    if formula.droop is None or "Fe3+" not in formula.species:
        return []
    fe = formula.total("Fe")
    return [
        (formula.droop < -1e-9, "Droop Fe3+ {:.3f} apfu clipped to 0"),
        (formula.droop > fe + 1e-9, "Droop Fe3+ {:.3f} apfu clipped to total Fe"),
    ]
