"""Representation theory of ``S_k × S_d`` and its Young-type isotropy subgroups."""

from .isotropy import DetectedIsotropy, Factor, IsotropyGroup, detect_isotropy, parse_spec
from .isotypic import (
    CopyVector,
    Irrep,
    IsotypicComponent,
    copy_vector_matrix,
    isotypic_decomposition,
)

__all__ = [
    "CopyVector",
    "DetectedIsotropy",
    "Factor",
    "Irrep",
    "IsotropyGroup",
    "IsotypicComponent",
    "copy_vector_matrix",
    "detect_isotropy",
    "isotypic_decomposition",
    "parse_spec",
]
