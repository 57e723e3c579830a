"""Atomic weights from `periodictable`: the IUPAC/CIAAW 2021 standard atomic weights."""

import numpy as np
import periodictable

# Where every atomic weight in this package comes from; reported in the tool's output.
ATOMIC_WEIGHTS_SOURCE = (
    f"periodictable {periodictable.__version__}: IUPAC/CIAAW 2021 standard atomic weights, "
    "abridged where IUPAC gives an interval (Prohaska et al., Pure Appl. Chem. 94, 2022)"
)


def element(symbol: str) -> periodictable.core.Element:
    """The element with this exact symbol ('Si', not 'si' or 'SI'); ValueError otherwise."""
    found = getattr(periodictable, symbol, None) if symbol.isalpha() else None
    if not isinstance(found, periodictable.core.Element) or found.symbol != symbol:
        raise ValueError(f"unknown element {symbol!r}")
    if found.number == 0:
        raise ValueError(f"{symbol!r} is not an element")
    return found


def atomic_weights(symbols: list[str]) -> np.ndarray:
    """Atomic weights in g/mol, in the order given."""
    return np.array([element(s).mass for s in symbols], dtype=np.float64)
