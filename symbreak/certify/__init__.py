"""Certified results: rigorous enclosures of the compressed model and computer-assisted proofs.

* :class:`GenericReducedSystem` — a second, independent implementation of the
  compressed index model in generic arithmetic (floats, ``mpmath``, ``arb`` balls);
* :func:`certify_critical_point` — Krawczyk proof that a critical point exists
  (uniquely) in a box of ``Fix(H)``, and certified kind (minimum / saddle with
  its irrep) from enclosures of every Hessian block ``A_χ``;
* :func:`eigenvalue_crossing` — a certified interval of ``k`` in which a block
  eigenvalue of a family crosses zero;

Ball arithmetic needs python-flint (``pip install python-flint``); everything
else works without it.
"""

from ._arith import ArbArithmetic, FloatArithmetic, MPArithmetic, flint_available
from .certificate import KINDS, BlockBound, Certificate, certify_critical_point
from .crossing import CrossingInterval, eigenvalue_crossing
from .generic_model import GenericBlock, GenericReducedSystem

__all__ = [
    "ArbArithmetic",
    "BlockBound",
    "Certificate",
    "CrossingInterval",
    "FloatArithmetic",
    "GenericBlock",
    "GenericReducedSystem",
    "KINDS",
    "MPArithmetic",
    "certify_critical_point",
    "eigenvalue_crossing",
    "flint_available",
]
