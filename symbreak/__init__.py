"""symbreak: equivariant bifurcation and symmetry-breaking analysis of loss landscapes.

The curated public API.  Two paths compute the same quantities:

* the **dense** path (:class:`TeacherStudent`) forms ``W`` and the
  ``(n·d)×(n·d)`` Hessian, for integer sizes and cross-checks;
* the **analytic** path (:class:`ReducedSystem`, :func:`analytic_spectrum`,
  :func:`find_critical_points`) works on the fixed-point space of a Young-type
  isotropy group, costs the same at any ``k``, and takes real ``k``.
"""

from . import (
    continuation,  # the subpackage (callable for compatibility, deprecated)
    io,
    linear,
)
from ._version import __version__
from .analytic import (
    CrossingInterval,
    SeriesOptions,
    SeriesResult,
    asymptotic_series,
    eigenvalue_crossing,
)
from .atlas import AtlasOptions, run_atlas
from .certify import Certificate, certify_critical_point
from .continuation import (
    Branch,
    ContinuationOptions,
    Event,
    Status,
    continue_branch,
    switch_branch,
)
from .critical import (
    CriticalPoint,
    FixedPointSpace,
    SearchOptions,
    SearchResult,
    classify,
    exact_isotropy,
    find_critical_points,
)
from .interlacing import SaddleCertificate, block_certificate, check_interlacing
from .linear import LinearNetwork
from .model import TeacherStudent
from .overparam import annihilation, split_neuron
from .reduced import ReducedSystem
from .representation import IsotropyGroup, detect_isotropy, isotypic_decomposition
from .spectrum import HessianBlock, Spectrum, SpectrumEntry, analytic_spectrum, hessian_blocks

__all__ = [
    "__version__",
    "AtlasOptions",
    "Branch",
    "Certificate",
    "ContinuationOptions",
    "CriticalPoint",
    "CrossingInterval",
    "Event",
    "LinearNetwork",
    "SaddleCertificate",
    "SeriesOptions",
    "SeriesResult",
    "Status",
    "annihilation",
    "asymptotic_series",
    "block_certificate",
    "certify_critical_point",
    "check_interlacing",
    "continuation",
    "continue_branch",
    "eigenvalue_crossing",
    "io",
    "linear",
    "run_atlas",
    "split_neuron",
    "switch_branch",
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
