"""Critical points in fixed-point spaces: coordinates, search, symmetry, classification."""

from ..reduced.fixed_point import FixedPointSpace
from .classify import KINDS, CriticalPoint, classify
from .prove import ProofResult, ProveOptions, UndecidedBox, prove_critical_points
from .search import SearchOptions, SearchResult, find_critical_points
from .stabiliser import OrbitForm, Stabiliser, function_form, stabiliser, stabiliser_of_coords
from .symmetry import ExactIsotropy, block_permutations, exact_isotropy

__all__ = [
    "KINDS",
    "OrbitForm",
    "Stabiliser",
    "function_form",
    "stabiliser",
    "stabiliser_of_coords",
    "CriticalPoint",
    "ProofResult",
    "ProveOptions",
    "UndecidedBox",
    "ExactIsotropy",
    "FixedPointSpace",
    "SearchOptions",
    "SearchResult",
    "block_permutations",
    "classify",
    "exact_isotropy",
    "find_critical_points",
    "prove_critical_points",
]
