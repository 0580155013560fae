"""symbreak: equivariant bifurcation and symmetry-breaking analysis of loss landscapes.

The curated public API.  Two paths compute the same quantities:

* the **dense** path (:class:`TeacherStudent`) forms ``W`` and the
  ``(n·d)×(n·d)`` Hessian, for integer sizes and cross-checks;
* the **analytic** path (:class:`ReducedSystem`, :func:`analytic_spectrum`,
  :func:`find_critical_points`) works on the fixed-point space of a Young-type
  isotropy group, costs the same at any ``k``, and takes real ``k``.
"""

from ._version import __version__
from .critical import (
    CriticalPoint,
    FixedPointSpace,
    SearchOptions,
    SearchResult,
    classify,
    exact_isotropy,
    find_critical_points,
)
from .model import TeacherStudent
from .reduced import ReducedSystem
from .representation import IsotropyGroup, detect_isotropy, isotypic_decomposition
from .spectrum import HessianBlock, Spectrum, SpectrumEntry, analytic_spectrum, hessian_blocks

__all__ = [
    "__version__",
    "CriticalPoint",
    "FixedPointSpace",
    "HessianBlock",
    "IsotropyGroup",
    "ReducedSystem",
    "SearchOptions",
    "SearchResult",
    "Spectrum",
    "SpectrumEntry",
    "TeacherStudent",
    "analytic_spectrum",
    "classify",
    "detect_isotropy",
    "exact_isotropy",
    "find_critical_points",
    "hessian_blocks",
    "isotypic_decomposition",
]
