r"""Newton's method and continuation in ``k`` for families of symmetric critical points.

A *family* is given by an isotropy spec and a start point ``c_0`` at
``k = k_0``; it is the curve ``k ↦ c(k)`` of zeros of the reduced gradient
``∇L_H(c; k) = 0`` through ``(k_0, c_0)`` (real ``k``, MATH.md §4).

Scaling
-------
The coordinates of ``Fix(H)`` have very different weights: the coordinate of
an orbit of ``N_o`` entries enters ``L`` about ``N_o`` times, so the reduced
Hessian has entries of size up to ``k²`` and condition numbers that grow like
``k²``.  Newton steps are therefore taken in the orthonormal coordinates
``ĉ_o = c_o √N_o`` (Jacobi scaling ``D = diag(N_o^{-1/2})``):

.. math::

    (D H D)\, y = −D ∇L_H,\qquad c ← c + D y .

Continuation
------------
Natural-parameter continuation with a secant predictor in ``s = log k`` and a
Newton corrector; the step halves when the corrector fails and grows after
easy steps.  A fold (the family turning back in ``k``) shows up as repeated
failures at a small step and is reported in the status, never raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..reduced.system import ReducedSystem
from ..representation.isotropy import group_at

__all__ = [
    "NewtonResult",
    "FamilyTrack",
    "scaled_newton",
    "follow_family",
    "group_at",
    "mp_newton",
]


@dataclass(frozen=True)
class NewtonResult:
    """Outcome of :func:`scaled_newton`.

    Attributes
    ----------
    coords : ndarray
    scaled_gradient_norm : float
        ``‖D ∇L_H‖_∞`` at ``coords``.
    converged : bool
    iterations : int
    message : str
    """

    coords: np.ndarray
    scaled_gradient_norm: float
    converged: bool
    iterations: int
    message: str = ""


def _scaling(system: ReducedSystem) -> np.ndarray:
    return 1.0 / np.sqrt(np.maximum(system.space.orbit_sizes(), 1.0))


def scaled_newton(
    system: ReducedSystem,
    coords,
    *,
    tol: float = 1e-13,
    max_iter: int = 40,
) -> NewtonResult:
    r"""Jacobi-scaled Newton on ``∇L_H = 0`` (float64).

    Converged when the orthonormal step ``‖y‖_∞`` drops below
    ``tol · max(1, ‖ĉ‖_∞)``.

    Returns
    -------
    NewtonResult
        Never raises for numerical trouble (a zero row, a singular Hessian):
        ``converged`` is False and ``message`` says why.
    """
    D = _scaling(system)
    c = np.asarray(coords, dtype=float).copy()
    it = 0
    try:
        g = system.gradient(c)
        for it in range(1, max_iter + 1):
            H = system.hessian(c)
            y = np.linalg.solve(D[:, None] * H * D[None, :], -D * g)
            if not np.all(np.isfinite(y)):
                raise np.linalg.LinAlgError("non-finite Newton step")
            c = c + D * y
            g = system.gradient(c)
            scale = max(1.0, float(np.max(np.abs(c / D))))
            if float(np.max(np.abs(y))) <= tol * scale:
                return NewtonResult(c, float(np.max(np.abs(D * g))), True, it)
    except np.linalg.LinAlgError as exc:
        return NewtonResult(c, math.inf, False, it, f"singular reduced Hessian ({exc})")
    except ValueError as exc:
        return NewtonResult(c, math.inf, False, it, str(exc))
    gn = float(np.max(np.abs(D * g)))
    return NewtonResult(c, gn, False, it, f"no convergence in {max_iter} Newton steps")


@dataclass(frozen=True)
class FamilyTrack:
    """Points of a family followed in ``k``.

    Attributes
    ----------
    ks : ndarray
        The values of ``k`` reached, from ``k0`` towards the target.
    coords : ndarray, shape (len(ks), dim)
    completed : bool
        True when the target ``k`` was reached.
    message : str
    """

    ks: np.ndarray
    coords: np.ndarray
    completed: bool
    message: str = ""

    def nearest(self, k: float) -> np.ndarray:
        """Coordinates of the tracked point with ``k`` closest to ``k`` (in log k)."""
        i = int(np.argmin(np.abs(np.log(self.ks) - math.log(k))))
        return self.coords[i]


def follow_family(
    spec: str,
    start,
    *,
    k0: float,
    k1: float,
    extra_columns: float = 0.0,
    max_log_step: float = 0.25,
    min_log_step: float = 1e-7,
    tol: float = 1e-12,
) -> FamilyTrack:
    r"""Follow the family through ``(k0, start)`` to ``k1`` (float64).

    Parameters
    ----------
    spec : str
        Isotropy spec with blocks in terms of ``k`` (e.g. ``"k-1,1"``).
    start : array_like
        A point near the family at ``k0`` (it is corrected first).
    k0, k1 : float
        Start and target values of ``k``.
    extra_columns : float
        ``d − k``, kept fixed.
    max_log_step, min_log_step : float
        Bounds of the step in ``log k``.
    tol : float
        Newton tolerance (see :func:`scaled_newton`).

    Returns
    -------
    FamilyTrack
    """
    if not (k0 > 0 and k1 > 0 and math.isfinite(k0) and math.isfinite(k1)):
        raise ValueError(f"k0 and k1 must be positive finite numbers, got {k0!r}, {k1!r}")
    system = ReducedSystem(group_at(spec, k0, extra_columns=extra_columns))
    first = scaled_newton(system, start, tol=tol)
    if not first.converged:
        return FamilyTrack(
            np.array([k0]),
            np.asarray([first.coords]),
            False,
            f"Newton from the start point at k = {k0:g} failed: {first.message}",
        )
    ks = [float(k0)]
    cs = [first.coords]
    s, s1 = math.log(k0), math.log(k1)
    direction = 1.0 if s1 >= s else -1.0
    h = min(max_log_step, abs(s1 - s)) if s1 != s else 0.0
    while abs(s1 - s) > 1e-15:
        h = min(h, abs(s1 - s))
        sn = s1 if abs(s1 - s) - h < 1e-15 else s + direction * h
        kn = math.exp(sn) if sn != s1 else float(k1)
        if len(cs) >= 2:
            ds_prev = math.log(ks[-1]) - math.log(ks[-2])
            pred = cs[-1] + (cs[-1] - cs[-2]) * ((sn - s) / ds_prev)
        else:
            pred = cs[-1]
        try:
            res = scaled_newton(system.with_k(kn), pred, tol=tol, max_iter=12)
        except ValueError as exc:  # k left the admissible range of the spec
            return FamilyTrack(np.array(ks), np.asarray(cs), False, str(exc))
        jump = np.max(np.abs(res.coords - pred)) if res.converged else math.inf
        if res.converged and jump <= 0.05 * max(1.0, np.max(np.abs(cs[-1]))):
            ks.append(kn)
            cs.append(res.coords)
            s = sn
            if res.iterations <= 4:
                h = min(max_log_step, 1.5 * h)
        else:
            h *= 0.5
            if h < min_log_step:
                return FamilyTrack(
                    np.array(ks),
                    np.asarray(cs),
                    False,
                    f"continuation stopped at k = {ks[-1]:.10g}: the corrector fails for every "
                    "step (a fold of the family or a zero row)",
                )
    return FamilyTrack(np.array(ks), np.asarray(cs), True)


def mp_newton(gsys, coords, *, scaling, tol, max_iter: int = 30):
    r"""Jacobi-scaled Newton in the back-end's numbers (``mpmath``) on a generic system.

    Parameters
    ----------
    gsys : GenericReducedSystem
        With an :class:`~symbreak.reduced.arithmetic.MPArithmetic` back-end.
    coords : sequence
        Start (floats or mpf).
    scaling : sequence of float
        ``D_o = N_o^{-1/2}``.
    tol : float
        Stop when the orthonormal step is below ``tol · max(1, ‖ĉ‖_∞)``.

    Returns
    -------
    coords : list of mpf
    converged : bool
    step : float
        Last orthonormal step size.
    """
    import mpmath

    A = gsys.arith
    with A:
        c = [A.number(x) for x in coords]
        D = [A.number(x) for x in scaling]
        n = len(c)
        step = math.inf
        for _ in range(max_iter):
            try:
                g = gsys.gradient(c)
                H = gsys.hessian(c)
            except ValueError:
                return c, False, math.inf
            M = mpmath.matrix(n, n)
            rhs = mpmath.matrix(n, 1)
            for i in range(n):
                rhs[i] = -D[i] * g[i]
                for j in range(n):
                    M[i, j] = D[i] * H[i][j] * D[j]
            try:
                y = mpmath.lu_solve(M, rhs)
            except ZeroDivisionError:
                return c, False, math.inf
            c = [c[i] + D[i] * y[i] for i in range(n)]
            step = float(max(abs(y[i]) for i in range(n)))
            scale = max(1.0, max(float(abs(c[i] / D[i])) for i in range(n)))
            if step <= tol * scale:
                return c, True, step
    return c, False, step
