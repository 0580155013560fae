"""Certified results: rigorous enclosures of the compressed model and computer-assisted proofs.

* :class:`GenericReducedSystem` — the compressed index model
  (:mod:`symbreak.reduced`) evaluated in generic arithmetic (``mpmath``,
  ``arb`` balls); re-exported from :mod:`symbreak.reduced.generic`, the back-ends
  from :mod:`symbreak.reduced.arithmetic`;
* :func:`certify_critical_point` — Krawczyk proof that a critical point exists
  (uniquely) in a box of ``Fix(H)``, and certified kind (minimum / saddle with
  its irrep) from enclosures of every Hessian block ``A_χ``;
* :func:`eigenvalue_crossing` — a certified interval of ``k`` in which a block
  eigenvalue of a family crosses zero;
* :func:`follow_family`, :func:`scaled_newton` — float64 continuation in ``k``.

Ball arithmetic needs python-flint (``pip install python-flint``); everything
else works without it.
"""

from ..reduced.arithmetic import ArbArithmetic, FloatArithmetic, MPArithmetic, flint_available
from ..reduced.generic import GenericBlock, GenericReducedSystem
from .branch import FamilyTrack, NewtonResult, follow_family, scaled_newton
from .certificate import KINDS, BlockBound, Certificate, certify_critical_point
from .crossing import CrossingInterval, eigenvalue_crossing

__all__ = [
    "ArbArithmetic",
    "BlockBound",
    "Certificate",
    "CrossingInterval",
    "FamilyTrack",
    "FloatArithmetic",
    "GenericBlock",
    "GenericReducedSystem",
    "KINDS",
    "MPArithmetic",
    "NewtonResult",
    "certify_critical_point",
    "eigenvalue_crossing",
    "flint_available",
    "follow_family",
    "scaled_newton",
]
