"""Weight % <-> atomic %, oxides <-> elements: vectorised over any number of analyses.

Every function takes the analyses with elements (or oxides) on axis 0 and any trailing shape:
a table's rows `(elements, n)` or a whole map `(elements, H, W)`, as exspy's functions of the
same names do. A pandas DataFrame (one column per element) or a mapping of name -> values
works too, and comes back as the same type.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from snippets.epma.elements import atomic_weights
from snippets.epma.oxides import Oxide, default_oxide, oxide

BLOCK = 16384  # analyses per block: 8 elements x 16384 x 8 bytes = 1 MiB, stays in cache

Wrap = Callable[[np.ndarray, list[str]], Any]


def unpack(data: Any, names: Sequence[str] | None) -> tuple[np.ndarray, list[str], Wrap]:
    """The values as a float array with names on axis 0, and a function that packs a result
    (array, new names) back into the caller's type: ndarray, DataFrame or dict."""
    if isinstance(data, pd.DataFrame):
        names = list(data.columns if names is None else names)
        values = data[names].to_numpy(dtype=np.float64).T
        index = data.index
        return values, names, lambda out, new: pd.DataFrame(out.T, index=index, columns=new)
    if isinstance(data, Mapping):
        names = list(data if names is None else names)
        values = np.stack([np.asarray(data[n], dtype=np.float64) for n in names])
        return values, names, lambda out, new: dict(zip(new, out, strict=True))
    if names is None:
        raise TypeError("name the elements (or oxides) on axis 0 of an array")
    values = np.asarray(data, dtype=np.float64)
    if values.ndim == 0 or values.shape[0] != len(names):
        raise ValueError(
            f"axis 0 has {values.shape[0] if values.ndim else 0} entries but {len(names)} names"
        )
    return values, list(names), lambda out, new: out


# --8<-- [start:scale_to_percent]
def scale_to_percent(
    values: np.ndarray, factors: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """100 * v_i f_i / sum_j v_j f_j along axis 0, block by block so each block's
    temporaries stay in cache: the map is read once and the result written once.
    `out`, if given, receives the result (a float64 array of the same shape)."""
    if out is None:
        out = np.empty(values.shape, dtype=np.float64)
    elif out.shape != values.shape or out.dtype != np.float64:
        raise ValueError(f"out must be float64 of shape {values.shape}")
    flat, result = values.reshape(len(values), -1), out.reshape(len(values), -1)
    f = np.asarray(factors, dtype=np.float64)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-zero analysis gives NaN
        for start in range(0, flat.shape[1], BLOCK):
            part = slice(start, start + BLOCK)
            block = np.multiply(flat[:, part], f, out=result[:, part])  # one read, one write
            block *= 100.0 / block.sum(axis=0)  # in cache
    return out


# --8<-- [end:scale_to_percent]


# --8<-- [start:weight_to_atomic]
def weight_to_atomic(
    weight_percent: Any, elements: Sequence[str] | None = None, out: np.ndarray | None = None
) -> Any:
    """Atomic % from weight %: moles n_i = w_i / M_i, then at%_i = 100 n_i / sum_j n_j."""
    values, names, wrap = unpack(weight_percent, elements)
    return wrap(scale_to_percent(values, 1.0 / atomic_weights(names), out), names)


def atomic_to_weight(
    atomic_percent: Any, elements: Sequence[str] | None = None, out: np.ndarray | None = None
) -> Any:
    """Weight % from atomic %: mass m_i = a_i M_i, then wt%_i = 100 m_i / sum_j m_j."""
    values, names, wrap = unpack(atomic_percent, elements)
    return wrap(scale_to_percent(values, atomic_weights(names), out), names)


# --8<-- [end:weight_to_atomic]


def analytical_total(values: Any, names: Sequence[str] | None = None) -> np.ndarray:
    """The sum over axis 0: the analytical total in wt%, kept so it is never lost."""
    array, _, _ = unpack(values, names)
    return array.sum(axis=0)


def normalise(values: Any, names: Sequence[str] | None = None) -> Any:
    """Scale every analysis to a total of 100 %."""
    array, names, wrap = unpack(values, names)
    return wrap(scale_to_percent(array, np.ones(len(names))), names)


def oxide_to_element(oxide_percent: Any, oxides: Sequence[str] | None = None) -> Any:
    """Element wt% from oxide wt%, oxygen by stoichiometry. Names on axis 0 of the result:
    each cation once (FeO and Fe2O3 both add to Fe), then 'O'."""
    values, names, wrap = unpack(oxide_percent, oxides)
    parsed = [oxide(n) for n in names]
    cations = list(dict.fromkeys(o.cation for o in parsed))
    # Column k of the matrix: how 1 wt% of oxide k splits into its cation and oxygen.
    matrix = np.zeros((len(cations) + 1, len(parsed)))
    for k, ox in enumerate(parsed):
        matrix[cations.index(ox.cation), k] = ox.cation_fraction
        matrix[-1, k] = 1.0 - ox.cation_fraction
    return wrap(np.tensordot(matrix, values, axes=1), [*cations, "O"])


def element_to_oxide(
    weight_percent: Any,
    elements: Sequence[str] | None = None,
    oxides: Mapping[str, str] | None = None,
) -> Any:
    """Oxide wt% from cation wt%: w_oxide = w_cation / (cation mass fraction of the oxide).

    Each cation is reported as its usual oxide (DEFAULT_OXIDES: total iron as FeO) unless
    `oxides` names another, e.g. {"Fe": "Fe2O3"}. A measured 'O' is dropped: oxygen follows
    from stoichiometry.
    """
    values, names, wrap = unpack(weight_percent, elements)
    keep = [i for i, n in enumerate(names) if n != "O"]
    chosen = [as_oxide(names[i], oxides) for i in keep]
    factors = np.array([1.0 / ox.cation_fraction for ox in chosen])
    out = values[keep] * factors.reshape((-1,) + (1,) * (values.ndim - 1))
    return wrap(out, [ox.name for ox in chosen])


def as_oxide(cation: str, oxides: Mapping[str, str] | None = None) -> Oxide:
    """The oxide `cation` is reported as: the one named in `oxides`, else the default."""
    if oxides and cation in oxides:
        chosen = oxide(oxides[cation])
        if chosen.cation != cation:
            raise ValueError(f"{chosen.name} is not an oxide of {cation}")
        return chosen
    return default_oxide(cation)
