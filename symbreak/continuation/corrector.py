r"""Newton corrector on the bordered system, and the tangent of the branch.

With ``F(z) = 0`` the ``N`` equations of :class:`~symbreak.continuation.family.KFamily`
in the ``N + 1`` unknowns ``z = (c, θτ)``, a point of the branch at
arclength ``σ`` from a point ``z_0`` with unit tangent ``t_0`` solves the
*bordered* system

.. math::

    \begin{pmatrix} F(z) \\ t_0^T (z − z_0) − σ \end{pmatrix} = 0,\qquad
    J = \begin{pmatrix} ∂_z F \\ t_0^T \end{pmatrix}

(pseudo-arclength, Keller 1977), which stays regular at folds where
``∂_c F`` is singular.  Replacing the last row by ``z_N − θτ_*`` fixes
``k`` instead (natural parameter, used at the window ends and to evaluate a
branch at a given ``k``).  The tangent ``t`` spans the null space of
``∂_z F``; it is computed from ``[∂_z F; t_prev^T] t = e_{N+1}`` so that it
keeps the orientation of the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .family import KFamily
from .options import ContinuationOptions

__all__ = ["CorrectorResult", "correct", "tangent"]


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
        ``"domain"`` (a block size left its range or a row of ``W`` vanished).
    """

    z: np.ndarray | None
    iterations: int
    converged: bool
    reason: str


def correct(
    family: KFamily,
    z_start,
    row: np.ndarray,
    value: float,
    options: ContinuationOptions,
) -> CorrectorResult:
    """Solve ``F(z) = 0``, ``row · z = value`` by Newton's method from ``z_start``.

    Parameters
    ----------
    family : KFamily
    z_start : array_like
        Predicted point.
    row : ndarray
        The constraint's gradient (``t_0`` for pseudo-arclength, ``e_{N+1}``
        for fixed ``k``).
    value : float
        Right-hand side (``t_0 · z_0 + σ``, resp. ``θτ_*``).
    options : ContinuationOptions
        ``newton_tol``, ``gradient_tol``, ``max_newton``, ``contraction``.
    """
    z = np.array(z_start, dtype=float)
    last = np.inf
    for it in range(options.max_newton + 1):
        try:
            if it > 0 and last <= options.newton_tol:
                c, k = family.split(z)
                if np.max(np.abs(family.residual(c, k))) <= options.gradient_tol:
                    return CorrectorResult(z, it, True, "converged")
            if it == options.max_newton:
                break
            F, J = family.jacobian(z)
        except ValueError:
            return CorrectorResult(None, it, False, "domain")
        g = float(row @ z - value)
        A = np.vstack([J, row])
        rhs = -np.append(F, g)
        try:
            dz = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            return CorrectorResult(None, it, False, "singular")
        size = float(np.max(np.abs(dz)))
        if not np.isfinite(size):
            return CorrectorResult(None, it, False, "singular")
        if it >= 1 and size > options.contraction * last and size > options.newton_tol:
            return CorrectorResult(None, it + 1, False, "diverged")
        z = z + dz
        last = size
    return CorrectorResult(None, options.max_newton, False, "max_iter")


def tangent(family: KFamily, z, previous=None, *, direction: float = 1.0) -> np.ndarray:
    """Unit tangent of the branch at ``z``.

    Parameters
    ----------
    family : KFamily
    z : array_like
        A point of the branch.
    previous : ndarray, optional
        The previous tangent; the result has a positive inner product with it.
    direction : float
        Without ``previous``: the sign of the result's last (``τ``) component.

    Raises
    ------
    ValueError
        If the null space of ``∂_z F`` is not one-dimensional to working
        precision (a branch point of the trivial block: use the events).
    """
    _, J = family.jacobian(z)
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
        raise ValueError(
            "the Jacobian [dF/dc | dF/dk] has a null space of dimension > 1 here "
            "(a branch point); start the continuation slightly away from it"
        )
    if previous is not None:
        return t if t @ previous > 0 else -t
    if t[-1] * direction < 0:
        t = -t
    return t
