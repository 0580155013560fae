r"""One tolerance policy: orbit-scaled gradient tolerances and a relative zero for eigenvalues.

A coordinate ``c_o`` of ``Fix(H)`` is the common value of the ``|o|`` entries
of ``W`` in the orbit ``o`` (``|o|`` a polynomial in the block sizes), so the
reduced gradient is a sum over the orbit,

.. math::

    \frac{∂L}{∂c_o} = \sum_{(i,j) ∈ o} \frac{∂L}{∂W_{ij}} = |o|\, (∇L(W))_o ,

and an absolute tolerance on it asks ``|o|`` (up to ``k²``) times more of the
off-diagonal entries than of the diagonal ones.  Every "is this point
critical" test in symbreak therefore uses the gradient **per entry of W**,

.. math::

    g_{\mathrm{entry}}(c) = \max_o \frac{1}{|o|}\Bigl|\frac{∂L}{∂c_o}\Bigr| ,

which means the same thing at every ``k``.  Each entry of ``∇L(W)`` is a sum
of ``O(k)`` kernel terms of size ``O(1)``, so in float64 it carries a
rounding error of about ``k·ε`` (``ε = 2.2·10⁻¹⁶``); :meth:`Tolerances.gradient_tol`
never asks for less than ``roundoff · ε · k``.

Eigenvalues of a Hessian block are computed with an absolute error of about
``ε·‖A‖``, so "zero" is relative: ``|λ| ≤ eigenvalue · max(1, ρ)`` with
``ρ`` the spectral radius (:meth:`Tolerances.zero_threshold`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Tolerances", "DEFAULT_TOLERANCES", "as_tolerances"]

_EPS = float(np.finfo(float).eps)


def _check_positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"Tolerances.{name} must be a real number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"Tolerances.{name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Tolerances:
    r"""Numerical tolerances shared by search, classification, spectra, continuation and Newton.

    Parameters
    ----------
    gradient : float
        A point is critical when the gradient per entry of ``W``,
        ``max_o |∂L/∂c_o| / |o|``, is at most ``gradient_tol(k)``
        (default ``1e-10``).
    step : float
        A Newton iteration has converged when its step satisfies
        ``‖Δx‖_∞ ≤ step · max(1, ‖x‖_∞)`` and the gradient test holds
        (default ``1e-12``).
    eigenvalue : float
        An eigenvalue with ``|λ| ≤ eigenvalue · max(1, ρ)`` counts as zero,
        ``ρ`` the largest ``|λ|`` of the spectrum (default ``1e-9``).
    roundoff : float
        Float64 floor of the gradient test: ``gradient_tol(k)`` is at least
        ``roundoff · ε · max(1, k)`` (default 16; the rounding error measured
        along the type-II family up to ``k = 10⁹`` is at most ``4 ε k``).

    Examples
    --------
    >>> from symbreak.tolerances import Tolerances
    >>> tol = Tolerances()
    >>> tol.gradient_norm([2e-10, 4e-8], [1, 400])  # the second orbit has 400 entries
    2e-10
    >>> tol.gradient_tol(1e8) > tol.gradient_tol(10) == 1e-10
    True
    """

    gradient: float = 1e-10
    step: float = 1e-12
    eigenvalue: float = 1e-9
    roundoff: float = 16.0

    def __post_init__(self) -> None:
        for name in ("gradient", "step", "eigenvalue", "roundoff"):
            _check_positive(name, getattr(self, name))

    def gradient_norm(self, gradient, orbit_sizes) -> float:
        """``max_o |g_o| / |o|``: the reduced gradient per entry of ``W``.

        ``gradient`` may be batched (shape ``(N, dim)``); then one norm per row.
        """
        g = np.abs(np.asarray(gradient, dtype=float)) / np.asarray(orbit_sizes, dtype=float)
        if g.ndim == 2:
            return np.max(g, axis=1)
        return float(np.max(g)) if g.size else 0.0

    def roundoff_floor(self, k: float = 1.0) -> float:
        """``roundoff · ε · max(1, k)``: float64 rounding of a gradient entry at ``k``."""
        return self.roundoff * _EPS * max(1.0, abs(float(k)))

    def gradient_tol(self, k: float = 1.0) -> float:
        """``max(gradient, roundoff_floor(k))``: what float64 can certify at ``k``."""
        return max(self.gradient, self.roundoff_floor(k))

    def is_critical(self, gradient, orbit_sizes, k: float = 1.0) -> bool:
        """The gradient test at ``k``."""
        return bool(self.gradient_norm(gradient, orbit_sizes) <= self.gradient_tol(k))

    def zero_threshold(self, scale: float = 1.0) -> float:
        """``eigenvalue · max(1, |scale|)``, ``scale`` the spectral radius."""
        return self.eigenvalue * max(1.0, abs(float(scale)))

    def step_converged(self, step: float, size: float) -> bool:
        """``step ≤ self.step · max(1, size)``."""
        return step <= self.step * max(1.0, size)


#: The default policy, used wherever no :class:`Tolerances` is passed.
DEFAULT_TOLERANCES = Tolerances()


def as_tolerances(tolerances) -> Tolerances:
    """``tolerances`` or the default; a clear ``TypeError`` for anything else."""
    if tolerances is None:
        return DEFAULT_TOLERANCES
    if not isinstance(tolerances, Tolerances):
        raise TypeError(f"tolerances must be a Tolerances, got {type(tolerances).__name__}")
    return tolerances
