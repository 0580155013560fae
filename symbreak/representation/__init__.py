"""Representation theory of ``S_k × S_d`` and its Young-type isotropy subgroups.

* partitions, hook-length dimensions, conjugacy classes, characters
  (Murnaghan–Nakayama) and Young's orthogonal form for ``S_n``;
* Young-type isotropy groups and their action on ``M(n, d)``;
* the isotypic decomposition of ``M(n, d)``: closed forms (real block sizes,
  copy vectors) and the character-based cross-check;
* dense symmetry-adapted bases (integer block sizes).
"""

from .adapted_basis import (
    AdaptedBasis,
    AdaptedComponent,
    copy_vector_blocks,
    helmert_basis,
    symmetry_adapted_basis,
)
from .characters import CharacterTable, character, character_table
from .classes import (
    ConjugacyClass,
    centralizer_order,
    class_inner_product,
    class_size,
    conjugacy_classes,
    cycle_type,
)
from .decomposition import (
    CharacterComponent,
    character_decomposition,
    character_multiplicity,
    fixed_point_power_multiplicity,
    skew_standard_tableaux,
)
from .isotropy import DetectedIsotropy, Factor, IsotropyGroup, detect_isotropy, parse_spec
from .isotypic import (
    CopyVector,
    Irrep,
    IsotypicComponent,
    copy_vector_matrix,
    isotypic_decomposition,
)
from .partition import as_partition, conjugate, dimension, hook_lengths, partitions
from .young_orthogonal import (
    YoungOrthogonalForm,
    reduced_word,
    standard_tableaux,
    young_orthogonal_form,
)

__all__ = [
    "AdaptedBasis",
    "AdaptedComponent",
    "CharacterComponent",
    "CharacterTable",
    "ConjugacyClass",
    "CopyVector",
    "DetectedIsotropy",
    "Factor",
    "Irrep",
    "IsotropyGroup",
    "IsotypicComponent",
    "YoungOrthogonalForm",
    "as_partition",
    "centralizer_order",
    "character",
    "character_decomposition",
    "character_multiplicity",
    "character_table",
    "class_inner_product",
    "class_size",
    "conjugacy_classes",
    "conjugate",
    "copy_vector_blocks",
    "copy_vector_matrix",
    "cycle_type",
    "detect_isotropy",
    "dimension",
    "fixed_point_power_multiplicity",
    "helmert_basis",
    "hook_lengths",
    "isotypic_decomposition",
    "parse_spec",
    "partitions",
    "reduced_word",
    "skew_standard_tableaux",
    "standard_tableaux",
    "symmetry_adapted_basis",
    "young_orthogonal_form",
]
