"""Certified results: rigorous enclosures of the compressed model and computer-assisted proofs.

* :class:`GenericReducedSystem` — the compressed index model
  (:mod:`symbreak.reduced`) evaluated in generic arithmetic (``mpmath``,
  ``arb`` balls); re-exported from :mod:`symbreak.reduced.generic`, the back-ends
  from :mod:`symbreak.reduced.arithmetic`;
* :func:`certify_critical_point` — Krawczyk proof that a critical point exists
  (uniquely) in a box of ``Fix(H)``, and certified kind (minimum / saddle with
  its irrep) from enclosures of every Hessian block ``A_χ``;

Layering: this package sits *below* :mod:`symbreak.critical` (interval linear
algebra and point certificates, usable by a proving search).  The certified
crossing intervals along a continued family moved up to
:mod:`symbreak.analytic` (``symbreak.analytic.eigenvalue_crossing``); the old
names here still work with a :class:`DeprecationWarning`.

Ball arithmetic needs python-flint (``pip install python-flint``); everything
else works without it.
"""

from ..reduced.arithmetic import ArbArithmetic, FloatArithmetic, MPArithmetic, flint_available
from ..reduced.generic import GenericBlock, GenericReducedSystem
from .certificate import KINDS, BlockBound, Certificate, certify_critical_point

_MOVED = {"CrossingInterval", "eigenvalue_crossing"}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(
            f"symbreak.certify.{name} moved to symbreak.analytic.{name} "
            "(import it from symbreak.analytic or symbreak)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module("symbreak.analytic.crossing"), name)
    raise AttributeError(f"module 'symbreak.certify' has no attribute {name!r}")


__all__ = [
    "ArbArithmetic",
    "BlockBound",
    "Certificate",
    "FloatArithmetic",
    "GenericBlock",
    "GenericReducedSystem",
    "KINDS",
    "MPArithmetic",
    "certify_critical_point",
    "flint_available",
]
