"""Narrow exception types: what went wrong, so callers catch only that.

Both subclass :class:`ValueError`, so code that catches ``ValueError`` keeps
working; new code catches the narrow type.
"""

from __future__ import annotations

__all__ = ["DomainError", "NotDifferentiableError"]


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
