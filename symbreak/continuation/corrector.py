r"""Newton corrector on the bordered system, and the tangent of a curve ``F(z) = 0``.

With ``F(z) = 0`` the ``n`` equations of a curve (any object with
``jacobian(z) -> (F, ∂F/∂z)``, e.g. :class:`~symbreak.continuation.family.KFamily`)
in the ``n + 1`` unknowns ``z``, a point at arclength ``σ`` from a point
``z_0`` with unit tangent ``t_0`` solves the *bordered* system

.. math::

    \begin{pmatrix} F(z) \\ t_0^T (z − z_0) − σ \end{pmatrix} = 0,\qquad
    J = \begin{pmatrix} ∂_z F \\ t_0^T \end{pmatrix}

(pseudo-arclength, Keller 1977), which stays regular at folds where
``∂_x F`` is singular.  Replacing the last row by ``z_{n+1} − λ̃_*`` fixes
the parameter instead (used at the window ends and to evaluate a branch at a
given ``k``).  The Newton iteration is the one solver of
:func:`symbreak.solve.solve`.  The tangent ``t`` spans the null space of
``∂_z F``; it is computed from ``[∂_z F; t_prev^T] t = e_{n+1}`` so that it
keeps the orientation of the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import DomainError
from ..solve import NewtonStatus, solve

__all__ = ["Curve", "CorrectorResult", "correct", "tangent"]


class Curve(Protocol):
    """A curve ``F(z) = 0`` in ``R^{n+1}``: its equations and their Jacobian at ``z``.

    ``jacobian(z)`` returns ``F`` (``n``) and ``∂F/∂z`` (``n × (n+1)``) and
    raises :class:`~symbreak.errors.DomainError` outside the domain.
    """

    def jacobian(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True)
class CorrectorResult:
    """Outcome of one corrector run.

    Attributes
    ----------
    z : ndarray or None
        The corrected point (``None`` unless converged).
    iterations : int
        Linear solves done.
    converged : bool
    reason : str
        ``"converged"``, ``"diverged"``, ``"max_iter"``, ``"singular"`` or
        ``"domain"`` (the curve raised :class:`~symbreak.errors.DomainError`).
    """

    z: np.ndarray | None
    iterations: int
    converged: bool
    reason: str


_REASONS = {
    NewtonStatus.CONVERGED: "converged",
    NewtonStatus.MAX_ITER: "max_iter",
    NewtonStatus.STALLED: "max_iter",
    NewtonStatus.DIVERGED: "diverged",
    NewtonStatus.SINGULAR: "singular",
    NewtonStatus.DOMAIN: "domain",
}


def correct(curve: Curve, z_start, row: np.ndarray, value: float, options) -> CorrectorResult:
    r"""Solve ``F(z) = 0``, ``row · z = value`` by Newton's method from ``z_start``.

    Parameters
    ----------
    curve : Curve
    z_start : array_like
        Predicted point.
    row : ndarray
        The constraint's gradient (``t_0`` for pseudo-arclength, ``e_{n+1}``
        to fix the parameter).
    value : float
        Right-hand side (``t_0 · z_0 + σ``, resp. the parameter's value).
    options : ContinuationOptions
        Converged when the last step ``‖Δz‖_∞ ≤ newton_tol`` and
        ``‖F‖_∞ ≤ gradient_tol`` (neither below ``curve.roundoff(z)`` when
        the curve defines it: the float64 floor of its equations); at most
        ``max_newton`` steps; a step that does not shrink by ``contraction``
        counts as divergence.
    """
    row = np.asarray(row, dtype=float)
    # a curve evaluated in float64 may know the rounding floor of its equations
    floor = curve.roundoff(z_start) if hasattr(curve, "roundoff") else 0.0

    def bordered(z):
        F, J = curve.jacobian(z)
        return np.append(F, float(row @ z - value)), np.vstack([J, row])

    res = solve(
        bordered,
        z_start,
        gradient_tol=max(options.gradient_tol, floor),
        step_tol=max(options.newton_tol, floor),
        relative_step=False,
        max_iter=options.max_newton,
        contraction=options.contraction,
    )
    return CorrectorResult(
        res.x if res.converged else None, res.iterations, res.converged, _REASONS[res.status]
    )


def tangent(curve: Curve, z, previous=None, *, direction: float = 1.0) -> np.ndarray:
    """Unit tangent of the curve at ``z``.

    Parameters
    ----------
    curve : Curve
    z : array_like
        A point of the curve.
    previous : ndarray, optional
        The previous tangent; the result has a positive inner product with it
        (solved from ``[∂_z F; previous^T] t = e_{n+1}``).
    direction : float
        Without ``previous``: the sign of the result's last component.

    Raises
    ------
    DomainError
        If the null space of ``∂_z F`` is not one-dimensional to working
        precision (a branch point: start slightly away from it).
    """
    _, J = curve.jacobian(z)
    if previous is not None:
        A = np.vstack([J, previous])
        rhs = np.zeros(A.shape[0])
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            t = None
        if t is not None and np.all(np.isfinite(t)):
            t /= np.linalg.norm(t)
            return t if t @ previous > 0 else -t
    _, s, vt = np.linalg.svd(J)
    t = vt[-1]
    if s.size and s[-1] < 1e-12 * max(1.0, s[0]):
        raise DomainError(
            "the Jacobian [dF/dx | dF/dlambda] has a null space of dimension > 1 here "
            "(a branch point); start the continuation slightly away from it"
        )
    if previous is not None:
        return t if t @ previous > 0 else -t
    if t[-1] * direction < 0:
        t = -t
    return t
