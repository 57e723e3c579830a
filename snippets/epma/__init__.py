"""EPMA converter: weight % <-> atomic %, oxides <-> elements, mineral formulas.

Arrays take elements (or oxides) on axis 0 and any trailing shape; DataFrames and mappings
come back as the same type. Atomic weights: periodictable (IUPAC 2021), see
ATOMIC_WEIGHTS_SOURCE. Command line: `python -m snippets.epma --help`.
"""

from snippets.epma.convert import (
    analytical_total,
    atomic_to_weight,
    element_to_oxide,
    normalise,
    oxide_to_element,
    weight_to_atomic,
)
from snippets.epma.elements import ATOMIC_WEIGHTS_SOURCE, atomic_weights
from snippets.epma.formula import END_MEMBERS, Formula, end_members, structural_formula
from snippets.epma.oxides import DEFAULT_OXIDES, Oxide, oxide

__all__ = [
    "ATOMIC_WEIGHTS_SOURCE",
    "DEFAULT_OXIDES",
    "END_MEMBERS",
    "Formula",
    "Oxide",
    "analytical_total",
    "atomic_to_weight",
    "atomic_weights",
    "element_to_oxide",
    "end_members",
    "normalise",
    "oxide",
    "oxide_to_element",
    "structural_formula",
    "weight_to_atomic",
]
