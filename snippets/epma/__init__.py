"""EPMA converter: weight % <-> atomic %, oxides <-> elements, mineral formulas, probe exports.

Arrays take elements (or oxides) on axis 0 and any trailing shape; DataFrames and mappings
come back as the same type. Atomic weights: periodictable (IUPAC 2021), see
ATOMIC_WEIGHTS_SOURCE. Probe exports (JEOL, CAMECA, Probe for EPMA): convert_csv, whose
read_header sorts every column into analyte or label. Command line: `python -m snippets.epma`.
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
from snippets.epma.files import convert_csv
from snippets.epma.formula import END_MEMBERS, Formula, end_members, structural_formula
from snippets.epma.headers import InputError, read_header
from snippets.epma.minerals import MINERALS, Mineral, mineral_numbers
from snippets.epma.oxides import DEFAULT_OXIDES, Oxide, oxide
from snippets.epma.table import Options

__all__ = [
    "ATOMIC_WEIGHTS_SOURCE",
    "DEFAULT_OXIDES",
    "END_MEMBERS",
    "MINERALS",
    "Formula",
    "InputError",
    "Mineral",
    "Options",
    "Oxide",
    "analytical_total",
    "atomic_to_weight",
    "atomic_weights",
    "convert_csv",
    "element_to_oxide",
    "end_members",
    "mineral_numbers",
    "normalise",
    "oxide",
    "oxide_to_element",
    "read_header",
    "structural_formula",
    "weight_to_atomic",
]
