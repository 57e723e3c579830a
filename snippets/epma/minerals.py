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
        Mineral("garnet", 12, 8, "droop", reference="Droop (1987); sites after Grew et al. (2013)"),
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
        out |= garnet_allocation(formula)[0]
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
GARNET_OTHER = "garnet_other_%"  # the Ca (share of X) that no end-member carries
GARNET_FLAG = 1.0  # mol %: a smaller leftover (0.01 Ti apfu, 0.2 wt% TiO2) is trace, not flagged


def garnet_sites(formula: Formula) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The X cations (Ca, Mg, Fe2+, Mn) scaled to 3 and the octahedral Y cations (Al, Cr, Fe3+,
    Ti) scaled to 2, with the apfu of X and of Y. Z holds Si, then Al, then Fe3+ up to 3 (site
    allocation after Grew et al. 2013): only the Al and Fe3+ left over are in Y."""
    z_gap = np.clip(3 - formula.total("Si"), 0, None)  # Z places Si leaves empty
    al, fe3 = formula.total("Al"), _ferric(formula)
    al_z = np.minimum(al, z_gap)
    fe3_z = np.minimum(fe3, z_gap - al_z)
    x = {"Ca": formula.total("Ca"), "Mg": formula.total("Mg")}
    x |= {"Fe2+": ferrous(formula), "Mn": formula.total("Mn")}
    y = {"Al": al - al_z, "Cr": formula.total("Cr"), "Fe3+": fe3 - fe3_z}
    y["Ti"] = formula.total("Ti")
    x_apfu, y_apfu = sum(x.values()), sum(y.values())
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN where a site is empty
        return (
            {k: 3 * v / x_apfu for k, v in x.items()} | {k: 2 * v / y_apfu for k, v in y.items()},
            x_apfu,
            y_apfu,
        )


def garnet_allocation(formula: Formula) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """End-member mole %, and the mole % of what no end-member holds, by a simplified
    sequential scheme (this project's; Locock 2008 recasts into ~29 end-members, Ti and Zr
    garnets and katoite among them). The Ca garnets Uv, Adr, Grs take Cr, then Fe3+, then Al
    of Y as far as Ca allows; Cr left goes with Mg as knorringite, Fe3+ left with Fe2+ as
    skiagite; Prp, Alm, Sps are the Mg, Fe2+, Mn that remain. No fraction is negative or over
    100; Ca that no Y cation matches (Ti garnets: schorlomite, morimotoite) is garnet_other_%,
    so the nine columns add up to 100."""
    s = garnet_sites(formula)[0]
    uv = np.minimum(s["Cr"] / 2, s["Ca"] / 3)
    adr = np.minimum(s["Fe3+"] / 2, s["Ca"] / 3 - uv)
    grs = np.minimum(s["Al"] / 2, s["Ca"] / 3 - uv - adr)
    kno = np.minimum(s["Cr"] / 2 - uv, s["Mg"] / 3)
    ski = np.minimum(s["Fe3+"] / 2 - adr, s["Fe2+"] / 3)
    per_unit = {
        "Alm": s["Fe2+"] / 3 - ski,
        "Prp": s["Mg"] / 3 - kno,
        "Sps": s["Mn"] / 3,
        "Grs": grs,
        "Adr": adr,
        "Uv": uv,
        "Kno": kno,
        "Ski": ski,
        GARNET_OTHER: s["Ca"] / 3 - uv - adr - grs,
    }
    left = {
        "Ti in Y": s["Ti"] / 2,
        "Ca": per_unit[GARNET_OTHER],
        "Cr": s["Cr"] / 2 - uv - kno,
        "Fe3+": s["Fe3+"] / 2 - adr - ski,
    }
    percent = {name: 100 * f for name, f in per_unit.items()}
    return percent, {name: 100 * f for name, f in left.items()}


# --8<-- [end:garnet]


def mineral_notes(
    formula: Formula, mineral: Mineral, numbers: dict[str, np.ndarray]
) -> list[list[str]]:
    """Per row (analyses on axis 1), why the preset's `numbers` are suspect: F + Cl beyond the
    OH site; for garnet, what its end-members leave out (Ti in Y; Ca, Cr, Fe3+ unallocated)."""
    notes: list[list[str]] = [[] for _ in range(formula.apfu.shape[1])]
    for i in np.flatnonzero(numbers.get("OH_apfu", np.zeros(len(notes))) < 0):
        notes[i].append("F + Cl exceed the OH site")
    if mineral.name == "garnet":
        _, left = garnet_allocation(formula)
        _, x_apfu, y_apfu = garnet_sites(formula)
        for i in range(len(notes)):
            parts = [
                f"{name} {percent[i] / 100 * (x_apfu if name == 'Ca' else y_apfu)[i]:.3f}"
                for name, percent in left.items()
                if percent[i] >= GARNET_FLAG
            ]
            if parts:
                notes[i].append(
                    f"garnet end-members leave out {', '.join(parts)} apfu (not modelled; "
                    f"{GARNET_OTHER} {numbers[GARNET_OTHER][i]:.1f})"
                )
    return notes


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
