"""Narrow exception types: what went wrong, so callers catch only that.

:class:`DomainError` and :class:`NotDifferentiableError` subclass
:class:`ValueError`, so code that catches ``ValueError`` keeps working; new
code catches the narrow type.  :class:`ConvergenceError` is a numerical
failure at a valid point (a :class:`RuntimeError`, like SciPy's root finders
that do not converge).  Anything else that escapes a computation is a bug and
is never swallowed.
"""

from __future__ import annotations

__all__ = ["ConvergenceError", "DomainError", "NotDifferentiableError"]


class DomainError(ValueError):
    """The point lies outside the domain of the computation.

    Examples: non-finite coordinates, a block size at which a block does not
    exist, a value of ``k`` whose multiplicities overflow a float.
    """


class NotDifferentiableError(DomainError):
    """The loss is not differentiable at the point (a row of ``W`` is zero).

    ``L`` is continuous but not differentiable where a row vanishes; gradients
    and Hessians are undefined there.  Move the point off the zero rows, or use
    the one-sided directional derivative of a dead neuron
    (:mod:`symbreak.overparam`).
    """


class ConvergenceError(RuntimeError):
    """A numerical method could not deliver a reliable answer at a valid point.

    Examples: Newton's method does not converge, a corrected point lies on
    another branch or next to a branch point (where the bordered Jacobian is
    nearly singular), a root cannot be bracketed or fitted.  Callers that can
    go on without the answer record what was dropped (a status, an
    ``"unlocated"`` event, a note on the branch).
    """
