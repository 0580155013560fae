r"""One Newton solver: orbit-scaled, batched over starts, with a result record and a status.

Every Newton iteration in symbreak (critical-point search and polishing,
the continuation's corrector, certificates, series, annihilation) is one of

* :func:`newton` — ``∇L_H(c) = 0`` on the fixed-point space of a
  :class:`~symbreak.reduced.ReducedSystem`, in float64 or (``dps=``) in
  extended precision;
* :func:`newton_batch` — the same for ``N`` starts at once (independent,
  undeflated runs advanced together);
* :func:`solve` — any residual/Jacobian pair ``x ↦ (F(x), J(x))`` (for
  example the bordered system of pseudo-arclength continuation), with numpy
  or ``mpmath`` numbers.

Orbit scaling
-------------
The coordinate ``c_o`` is the value of ``|o|`` entries of ``W``, so
``∂L/∂c_o = |o| (∇L(W))_o`` and the reduced Hessian has entries up to
``O(k²)``.  The residual is the gradient **per entry of W**,
``F_o = (∂L/∂c_o) / w_o`` with ``w_o = max(|o|, 1)``, and the step solves the
symmetrically scaled system

.. math::

    (D H D)\, y = −D ∇L_H ,\qquad Δc = D y,\qquad D = \operatorname{diag}(w_o^{-1/2}),

in the orthonormal coordinates ``ĉ_o = c_o \sqrt{w_o}`` (the Frobenius norm
of ``W``), by least squares (singular values below ``1e-13`` of the largest
dropped: the minimum-norm step on a critical set).  Convergence is tested by
:class:`~symbreak.tolerances.Tolerances`: ``max_o |F_o| ≤ gradient_tol(k)``
and ``‖Δc‖_∞ ≤ step · max(1, ‖c‖_∞)``.  Near a regular root the
iteration converges quadratically.

A backtracking line search (halve the step until ``max_o |F_o|`` decreases,
down to ``1e-4``) makes the float64 solver usable from rough starts; when no
step decreases the residual the run stops with :attr:`NewtonStatus.STALLED`
(converged instead if the residual already passes the test: the rounding floor
was reached).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .errors import DomainError
from .tolerances import Tolerances, as_tolerances

__all__ = ["NewtonStatus", "NewtonResult", "newton", "newton_batch", "solve", "orbit_weights"]

#: singular values below this fraction of the largest are dropped in the least-squares step
RCOND = 1e-13


class NewtonStatus(enum.Enum):
    """Why a Newton run stopped; :attr:`message` says what to do about it."""

    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    STALLED = "stalled"
    DIVERGED = "diverged"
    SINGULAR = "singular"
    DOMAIN = "domain"

    @property
    def success(self) -> bool:
        return self is NewtonStatus.CONVERGED

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    NewtonStatus.CONVERGED: "converged: the residual and the last step pass the tolerances",
    NewtonStatus.MAX_ITER: "no convergence within max_iter Newton steps: start closer to the "
    "root, raise max_iter, or loosen Tolerances(gradient=...)",
    NewtonStatus.STALLED: "no Newton step decreases the residual: the start is not in the basin "
    "of a root, or the residual is at its rounding floor above the tolerance (loosen "
    "Tolerances(gradient=...) or solve in extended precision with dps=...)",
    NewtonStatus.DIVERGED: "the Newton steps stopped contracting: the start is outside the basin "
    "of the root; start closer (a smaller continuation step)",
    NewtonStatus.SINGULAR: "the Jacobian is singular (or the step is not finite) at an iterate: "
    "the root may be degenerate (a fold or branch point) or lie on a critical set; start "
    "slightly away from it",
    NewtonStatus.DOMAIN: "an iterate left the domain (a row of W became zero, where L is not "
    "differentiable, or a block size left its range): start further from zero rows",
}


@dataclass(frozen=True)
class NewtonResult:
    """Outcome of one Newton run.

    Attributes
    ----------
    x : ndarray
        The last iterate (float64; an object array of ``mpmath`` numbers for an
        extended-precision run).  Meaningful as a root only when
        :attr:`converged`.
    status : NewtonStatus
    iterations : int
        Linear solves done.
    residual : float
        ``‖F(x)‖_∞`` at ``x`` (for :func:`newton`: the gradient per entry of
        ``W``); ``inf`` when it could not be evaluated.
    step : float
        ``‖Δx‖_∞`` of the last step (``inf`` before the first).
    message : str
        The status message, with details.
    loss : float or None
        ``L`` at ``x`` evaluated in the solver's arithmetic, when requested
        (``newton(..., dps=..., with_loss=True)``): at large ``k`` the loss is
        so sensitive to the coordinates that rounding ``x`` to float64 changes
        it in the ninth digit (``k = 10⁹``).
    """

    x: np.ndarray
    status: NewtonStatus
    iterations: int
    residual: float
    step: float
    message: str
    loss: float | None = None

    @property
    def converged(self) -> bool:
        return self.status is NewtonStatus.CONVERGED


def _result(x, status, iterations, residual, step, detail=""):
    msg = status.message + (f" ({detail})" if detail else "")
    return NewtonResult(x, status, int(iterations), float(residual), float(step), msg)


def orbit_weights(space) -> np.ndarray:
    """``w_o = max(|o|, 1)``: the weights of the per-entry residual on a :class:`FixedPointSpace`.

    ``|o|`` (the number of entries of ``W`` in orbit ``o``) is a polynomial in
    the block sizes and may drop below 1 at real sizes; it is then 1.
    """
    return np.maximum(np.abs(space.orbit_sizes()), 1.0)


# --------------------------------------------------------------------------- generic
def _is_mp(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype == object


def _norm_inf(v) -> float:
    if _is_mp(v):
        return float(max((abs(e) for e in v), default=0))
    v = np.asarray(v, dtype=float)
    return float(np.max(np.abs(v))) if v.size else 0.0


def _linear_step(J, F, lstsq: bool, col_scale=None):
    """``Δx`` with ``J Δx = −F`` (numpy or mpmath); ``None`` when singular.

    With ``col_scale`` ``s``: solve ``(J diag(s)) y = −F`` and return ``s y``.
    """
    if col_scale is not None and not _is_mp(F):
        y = _linear_step(J * col_scale[None, :], F, lstsq)
        return None if y is None else col_scale * y
    if _is_mp(F):
        import mpmath

        n = len(F)
        A = mpmath.matrix([[J[i][j] for j in range(len(J[i]))] for i in range(n)])
        try:
            dx = mpmath.lu_solve(A, mpmath.matrix([-f for f in F]))
        except ZeroDivisionError:
            return None
        return np.array([dx[i] for i in range(dx.rows)], dtype=object)
    try:
        if lstsq:
            dx = np.linalg.lstsq(J, -F, rcond=RCOND)[0]
        else:
            dx = np.linalg.solve(J, -F)
    except np.linalg.LinAlgError:
        return None
    return dx if np.all(np.isfinite(dx)) else None


def solve(
    fun: Callable,
    x0,
    *,
    tolerances: Tolerances | None = None,
    gradient_tol: float | None = None,
    step_tol: float | None = None,
    relative_step: bool = True,
    max_iter: int = 50,
    contraction: float | None = None,
    line_search: bool = False,
    lstsq: bool = False,
    weights=None,
    col_scale=None,
    norm: Callable | None = None,
) -> NewtonResult:
    r"""Newton's method on a residual/Jacobian pair ``F(x) = 0``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (F, J)``: residual (length ``m``, already scaled so that
        ``‖F‖_∞`` is meaningful) and Jacobian (``m × n``).  May raise
        :class:`~symbreak.errors.DomainError` outside the domain.  ``x`` is a
        float array, or an object array of ``mpmath`` numbers when ``x0`` is
        one (then ``F`` and ``J`` hold ``mpmath`` numbers and the steps are
        solved by ``mpmath.lu_solve``).
    x0 : array_like
    tolerances : Tolerances, optional
        Default for ``gradient_tol`` (``tolerances.gradient``) and
        ``step_tol`` (``tolerances.step``).
    gradient_tol, step_tol : float, optional
        Converged when, after at least one step, ``‖F(x)‖_∞ ≤ gradient_tol``
        and the last step ``‖Δx‖_∞ ≤ step_tol`` (times ``max(1, ‖x‖_∞)``
        when ``relative_step``).
    max_iter : int
        Linear solves before :attr:`NewtonStatus.MAX_ITER`.
    contraction : float, optional
        From the second step on, a step larger than ``contraction`` times the
        previous one (and above ``step_tol``) stops the run with
        :attr:`NewtonStatus.DIVERGED` (the corrector of a continuation uses
        this to retry with a smaller step).
    line_search : bool
        Halve the step until ``‖F‖_∞`` decreases (float64 only).
    lstsq : bool
        Least-squares (minimum-norm) steps instead of ``solve`` (float64 only).
    weights : ndarray, optional
        The residual measured is ``‖weights · F‖_∞`` (float64 only).
    col_scale : ndarray, optional
        Solve for ``y`` in ``(J diag(col_scale)) y = −F``, step
        ``col_scale · y`` (variable scaling; float64 only).
    norm : callable, optional
        The residual measure (default ``‖·‖_∞``; float64 only), e.g.
        ``numpy.linalg.norm`` for the Euclidean norm.

    Returns
    -------
    NewtonResult
        Never raises for numerical trouble (singular Jacobian, domain).
    """
    tol = as_tolerances(tolerances)
    gtol = tol.gradient if gradient_tol is None else float(gradient_tol)
    stol = tol.step if step_tol is None else float(step_tol)
    mp = _is_mp(x0)
    x = x0.copy() if mp else np.array(x0, dtype=float)

    def measure(F):
        if norm is not None and not mp:
            return float(norm(F if weights is None else weights * F))
        return _norm_inf(F if weights is None or mp else weights * F)

    last = math.inf
    res = math.inf
    F = J = None
    for it in range(max_iter + 1):
        if F is None:
            try:
                F, J = fun(x)
            except DomainError as exc:
                return _result(x, NewtonStatus.DOMAIN, it, math.inf, last, str(exc))
            res = measure(F)
        if it > 0 and res <= gtol:
            size = _norm_inf(x) if relative_step else 0.0
            if last <= stol * max(1.0, size):
                return _result(x, NewtonStatus.CONVERGED, it, res, last)
        if it == max_iter:
            break
        dx = _linear_step(J, F, lstsq and not mp, None if mp else col_scale)
        if dx is None:
            return _result(x, NewtonStatus.SINGULAR, it, res, last)
        size = _norm_inf(dx)
        if contraction is not None and it >= 1 and size > contraction * last and size > stol:
            return _result(x, NewtonStatus.DIVERGED, it + 1, res, size)
        if not line_search or mp:
            x = x + dx
            last = size
            F = None
            continue
        t = 1.0
        accepted = False
        while t >= 1e-4:
            xn = x + t * dx
            try:
                Fn, Jn = fun(xn)
                rn = measure(Fn)
            except DomainError:
                rn = math.inf
            if rn < res:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            status = NewtonStatus.CONVERGED if res <= gtol else NewtonStatus.STALLED
            detail = "" if status.success else f"residual {res:.3g} > {gtol:.3g}"
            return _result(x, status, it, res, last, detail)
        x, F, J, res, last = xn, Fn, Jn, rn, t * size
    return _result(x, NewtonStatus.MAX_ITER, max_iter, res, last, f"residual {res:.3g}")


# --------------------------------------------------------------------------- reduced
def _as_system(system):
    """A float64 :class:`ReducedSystem`, or a generic-arithmetic system (has ``arith``)."""
    from .reduced.system import ReducedSystem
    from .representation.isotropy import IsotropyGroup

    if isinstance(system, ReducedSystem) or hasattr(system, "arith"):
        return system
    if isinstance(system, IsotropyGroup):
        return ReducedSystem(system)
    raise TypeError(f"system must be a ReducedSystem or an IsotropyGroup, got {system!r}")


def _space(system):
    from .reduced.fixed_point import FixedPointSpace

    space = getattr(system, "space", None)
    return space if space is not None else FixedPointSpace(system.group)


def _evaluate(system, X: np.ndarray, what: str):
    """``system.gradient`` or ``.hessian`` at every row of ``X``, and a validity mask.

    Points where the loss is not differentiable (or outside the domain) are
    marked invalid; their rows are zero.  Uses the batched evaluation of the
    compressed model when the system has it (``ReducedSystem.gradient_dk``
    comes with it), else one call per point.
    """
    fn = getattr(system, what)
    if hasattr(system, "gradient_dk") and len(X) > 1:
        try:
            return np.asarray(fn(X), dtype=float), np.ones(len(X), dtype=bool)
        except DomainError:
            pass  # find the offending points one by one
    out, ok = [], np.ones(len(X), dtype=bool)
    for i, x in enumerate(X):
        try:
            out.append(np.asarray(fn(x), dtype=float))
        except DomainError:
            ok[i] = False
            out.append(None)
    shape = next((o.shape for o in out if o is not None), None)
    if shape is None:
        dim = X.shape[1]
        shape = (dim,) if what == "gradient" else (dim, dim)
    return np.stack([o if o is not None else np.zeros(shape) for o in out]), ok


def _check_batch(space, X0) -> np.ndarray:
    try:
        X = np.array(X0, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"starts must be an array of real numbers, got {X0!r}") from None
    if X.ndim != 2 or X.shape[1] != space.dim:
        raise ValueError(
            f"starts must have shape (N, {space.dim}) for Fix({space.group.name}) "
            f"(coordinates {list(space.names)}), got shape {X.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("starts must be finite")
    return X


def newton_batch(
    system,
    X0,
    *,
    tolerances: Tolerances | None = None,
    max_iter: int = 50,
    line_search: bool = True,
) -> tuple[NewtonResult, ...]:
    r"""Orbit-scaled Newton from every row of ``X0`` (independent runs advanced together).

    Each iteration evaluates the gradient and Hessian of all active points in
    one call (the batched compressed model) and solves all the scaled systems
    ``(D H D) y = −D g`` with one stacked pseudo-inverse.  The result for each
    start is exactly what :func:`newton` returns for it alone.

    Parameters
    ----------
    system : ReducedSystem or IsotropyGroup
    X0 : array_like, shape (N, dim)
    tolerances, max_iter, line_search
        As in :func:`newton`.

    Returns
    -------
    tuple of NewtonResult
        One per start, in order.
    """
    system = _as_system(system)
    if hasattr(system, "arith"):
        raise TypeError("newton_batch works in float64; use newton(..., dps=...) for mpmath")
    tol = as_tolerances(tolerances)
    space = system.space
    X = _check_batch(space, X0)
    N, dim = X.shape
    w = orbit_weights(space)
    D = 1.0 / np.sqrt(w)
    gtol = tol.gradient_tol(float(system.group.k))
    status: list[NewtonStatus | None] = [None] * N
    detail = [""] * N
    iters = np.zeros(N, dtype=int)
    last = np.full(N, np.inf)
    G, ok = _evaluate(system, X, "gradient")
    res = np.where(ok, np.max(np.abs(G) / w, axis=1) if dim else 0.0, np.inf)
    for i in np.flatnonzero(~ok):
        status[i] = NewtonStatus.DOMAIN
    active = ok.copy()
    for it in range(max_iter + 1):
        if it > 0:
            size = np.max(np.abs(X), axis=1)
            conv = active & (res <= gtol) & (last <= tol.step * np.maximum(1.0, size))
            for i in np.flatnonzero(conv):
                status[i] = NewtonStatus.CONVERGED
            active &= ~conv
        if it == max_iter or not active.any():
            break
        idx = np.flatnonzero(active)
        H, okH = _evaluate(system, X[idx], "hessian")
        for i in idx[~okH]:
            status[i], active[i] = NewtonStatus.DOMAIN, False
        idx, H = idx[okH], H[okH]
        A = D[None, :, None] * H * D[None, None, :]
        with np.errstate(all="ignore"):
            try:
                Y = np.einsum("nij,nj->ni", np.linalg.pinv(A, rcond=RCOND), -D * G[idx])
            except np.linalg.LinAlgError:
                Y = np.full((len(idx), dim), np.nan)
        dX = D * Y
        bad = ~np.all(np.isfinite(dX), axis=1)
        for i in idx[bad]:
            status[i], active[i] = NewtonStatus.SINGULAR, False
        idx, dX = idx[~bad], dX[~bad]
        iters[idx] = it + 1
        step = np.max(np.abs(dX), axis=1) if dim else np.zeros(len(idx))
        if not line_search:
            X[idx] = X[idx] + dX
            G[idx], okG = _evaluate(system, X[idx], "gradient")
            res[idx] = np.where(okG, np.max(np.abs(G[idx]) / w, axis=1), np.inf)
            last[idx] = step
            for i in idx[~okG]:
                status[i], active[i] = NewtonStatus.DOMAIN, False
            continue
        t = np.ones(len(idx))
        pending = np.ones(len(idx), dtype=bool)
        while pending.any() and t[pending][0] >= 1e-4:
            sel = np.flatnonzero(pending)
            trial = X[idx[sel]] + t[sel, None] * dX[sel]
            Gt, okt = _evaluate(system, trial, "gradient")
            rt = np.where(okt, np.max(np.abs(Gt) / w, axis=1), np.inf)
            better = rt < res[idx[sel]]
            for j, s in enumerate(sel):
                if better[j]:
                    i = idx[s]
                    X[i], G[i], res[i], last[i] = trial[j], Gt[j], rt[j], t[s] * step[s]
                    pending[s] = False
            t[pending] *= 0.5
        for s in np.flatnonzero(pending):
            i = idx[s]
            active[i] = False
            if res[i] <= gtol:
                status[i] = NewtonStatus.CONVERGED
            else:
                status[i] = NewtonStatus.STALLED
                detail[i] = f"residual {res[i]:.3g} > {gtol:.3g}"
    out = []
    for i in range(N):
        st = status[i]
        if st is None:
            st, detail[i] = NewtonStatus.MAX_ITER, f"residual {res[i]:.3g} > {gtol:.3g}"
        out.append(_result(X[i].copy(), st, iters[i], res[i], last[i], detail[i]))
    return tuple(out)


def newton(
    system,
    x0,
    *,
    tolerances: Tolerances | None = None,
    max_iter: int = 50,
    line_search: bool = True,
    dps: int | None = None,
    with_loss: bool = False,
) -> NewtonResult:
    r"""Orbit-scaled Newton on ``∇L_H(c) = 0`` (see the module docstring).

    Parameters
    ----------
    system : ReducedSystem, IsotropyGroup or generic-arithmetic system
        A system with an ``arith`` attribute (the compressed model in
        ``mpmath`` numbers) is solved in its own precision.
    x0 : array_like
        Start coordinates in ``Fix(H)`` (length ``dim``).
    tolerances : Tolerances, optional
        Converged when the gradient per entry of ``W`` is at most
        ``tolerances.gradient_tol(k)`` and the last step is at most
        ``tolerances.step · max(1, ‖c‖_∞)``.
    max_iter : int
        Linear solves allowed.
    line_search : bool
        Backtracking on the per-entry residual (float64 only).
    dps : int, optional
        Solve in ``mpmath`` with ``dps`` digits on the generic-arithmetic
        compressed model; ``x`` of the result then holds ``mpmath`` numbers.
        Pass ``tolerances`` that fit the precision, e.g.
        ``Tolerances(gradient=1e-40, step=1e-40)``.
    with_loss : bool
        Extended precision only: also evaluate ``L`` at the (unrounded)
        solution (:attr:`NewtonResult.loss`).

    Returns
    -------
    NewtonResult
        ``x`` in the coordinates of ``Fix(H)``; ``residual`` is the gradient
        per entry of ``W``.  Never raises for numerical trouble.

    Raises
    ------
    TypeError, ValueError
        On bad input (wrong length, non-finite start).

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.solve import newton
    >>> r = newton(IsotropyGroup.from_spec("k-1,1", 6),
    ...            [0.986704, -0.050413, 0.308011, 0.224516, -0.601512])
    >>> r.status.value, r.residual < 1e-12
    ('converged', True)
    """
    system = _as_system(system)
    tol = as_tolerances(tolerances)
    if dps is not None or hasattr(system, "arith"):
        return _newton_mp(system, x0, tol, max_iter, dps, with_loss)
    c0 = system.space.check_coords(x0)
    return newton_batch(
        system, c0[None, :], tolerances=tol, max_iter=max_iter, line_search=line_search
    )[0]


def _newton_mp(
    system, x0, tol: Tolerances, max_iter: int, dps: int | None, with_loss: bool
) -> NewtonResult:
    """Newton in ``mpmath`` numbers on the generic-arithmetic compressed model."""
    from .reduced.arithmetic import MPArithmetic
    from .reduced.generic import GenericReducedSystem

    if hasattr(system, "arith"):
        gsys = system
    else:
        if isinstance(dps, bool) or not isinstance(dps, int) or dps < 16:
            raise ValueError(f"dps must be an integer >= 16, got {dps!r}")
        gsys = GenericReducedSystem(system.group, MPArithmetic(dps))
    space = _space(gsys)
    if not isinstance(x0, np.ndarray) or x0.dtype != object:
        x0 = space.check_coords(x0)
    if len(x0) != space.dim:
        raise ValueError(f"Fix({space.group.name}) has {space.dim} coordinates, got {len(x0)}")
    arith = gsys.arith
    w = orbit_weights(space)
    with arith:
        wn = [arith.number(float(v)) for v in w]
        x = np.array([arith.number(v) for v in x0], dtype=object)

        def fun(c):
            try:
                g = gsys.gradient(list(c))
                H = gsys.hessian(list(c))
            except ZeroDivisionError as exc:
                raise DomainError(f"division by zero in the compressed model: {exc}") from None
            F = np.array([g[i] / wn[i] for i in range(len(g))], dtype=object)
            J = [[H[i][j] / wn[i] for j in range(len(g))] for i in range(len(g))]
            return F, J

        digits = getattr(arith, "dps", 15)
        floor = tol.roundoff * 10.0 ** (-digits) * max(1.0, float(space.group.k))
        res = solve(
            fun,
            x,
            gradient_tol=max(tol.gradient, floor),
            step_tol=tol.step,
            max_iter=max_iter,
        )
        if with_loss and res.converged:
            res = replace(res, loss=float(gsys.loss(list(res.x))))
        return res
