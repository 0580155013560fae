r"""Events of a branch in ``ε`` (perturbed teachers): location, tracking, shared records.

Used by the dense continuation (:mod:`symbreak.continuation.perturb`) and the
compressed one (:mod:`symbreak.continuation.structured`): one event locator
for both.  A curve in ``z = (x, ε)`` (:class:`~symbreak.continuation.corrector.Curve`)
also provides its Hessian's *inertia*, split into blocks whose eigenvalues
are computed separately:

``inertia(z, zero_tol) -> tuple of int``
    the number of eigenvalues below ``−zero_tol`` in each block (the dense
    model: one block, the whole Hessian; the compressed model: one per
    isotypic block of ``H′``);
``block_eigenvalues(z, b) -> ndarray``
    the increasing eigenvalues of block ``b``;
``index_of(inertia) -> int or float``
    the Morse index (blocks weighted by ``dim χ``);
``block_label(b) -> str or None``
    the irrep of block ``b`` (``None`` for the dense model);
``split(z) -> (x, ε)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, DomainError
from ..progress import ProgressUpdate
from ..solve import solve
from .arclength import Path, follow
from .corrector import correct, tangent
from .options import ContinuationOptions
from .status import Status

__all__ = [
    "DEFAULT_PERTURB_OPTIONS",
    "EVENT_EPS_TOL",
    "PerturbationEvent",
    "EpsBranchMixin",
    "Tracker",
    "check_eps",
    "correct_start",
    "farthest",
    "follow_eps",
    "locate_events",
    "report",
]

#: continuation options for ε (W entries and ε are both of order one)
DEFAULT_PERTURB_OPTIONS = ContinuationOptions(ds=0.02, ds_max=0.05, max_steps=2000)
#: |Δε| to which events are located
EVENT_EPS_TOL = 1e-10


@dataclass(frozen=True)
class PerturbationEvent:
    """An index change along the branch.

    Attributes
    ----------
    kind : str
        ``"fold"`` (the branch turns back in ``ε``), ``"branch_point"`` (``ε``
        does not turn; another branch crosses) or ``"unlocated"`` (the index
        changed between two points but the zero could not be located).
    eps : float
        Where (to ``1e-10`` unless ``"unlocated"``: then the midpoint).
    index_before, index_after : int or float
        Along the direction of travel (a float at a real ``k`` on the
        compressed path: the multiplicities are values of polynomials).
    eigenvalue : float
        The located eigenvalue (≈ 0; NaN, and ``null`` in JSON, if unlocated).
    W : ndarray or None
        The critical point there (``None`` if unlocated): the dense ``W`` on
        the dense path, the coordinates in ``Fix(H′)`` on the compressed path.
    irrep : str or None
        Compressed path: the isotypic block of ``H′`` whose eigenvalue crosses
        zero (JSON key ``"irrep"``, only on that path).
    """

    kind: str
    eps: float
    index_before: int | float
    index_after: int | float
    eigenvalue: float
    W: np.ndarray | None = None
    irrep: str | None = None

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "eps": self.eps,
            "index_before": self.index_before,
            "index_after": self.index_after,
            "eigenvalue": self.eigenvalue if math.isfinite(self.eigenvalue) else None,
            "W": None if self.W is None else self.W.tolist(),
        }
        if self.irrep is not None:
            out["irrep"] = self.irrep
        return out




class EpsBranchMixin:
    """What the results of both paths derive from their ``branch`` and ``events``."""

    @property
    def eps(self) -> np.ndarray:
        """``ε`` of every branch point."""
        return np.array([p.eps for p in self.branch])

    @property
    def survives_until(self) -> float | None:
        """``ε`` of the first event (for a minimum: where it stops being one), or ``None``."""
        return self.events[0].eps if self.events else None


class Tracker:
    """Assign each new eigenvector to the cluster whose eigenspace it overlaps most."""

    def __init__(self, U0: np.ndarray, labels: np.ndarray, n_clusters: int):
        self.U = U0
        self.labels = labels
        self.sizes = np.bincount(labels, minlength=n_clusters)

    def update(self, U: np.ndarray) -> np.ndarray:
        C = self.sizes.size
        onehot = np.zeros((self.labels.size, C))
        onehot[np.arange(self.labels.size), self.labels] = 1.0
        weight = ((U.T @ self.U) ** 2) @ onehot  # (new vector, cluster)
        labels = np.full(U.shape[1], -1)
        room = self.sizes.copy()
        for flat in np.argsort(-weight, axis=None):
            v, c = divmod(int(flat), C)
            if labels[v] < 0 and room[c] > 0:
                labels[v] = c
                room[c] -= 1
        self.U, self.labels = U, labels
        return labels



def check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"eps must be a real number, got {eps!r}")
    eps = float(eps)
    if not math.isfinite(eps) or eps == 0.0:
        raise ValueError(f"eps must be a finite non-zero number, got {eps}")
    return eps



def correct_start(curve, z0: np.ndarray, opts, group) -> np.ndarray:
    """Newton at ``ε = 0`` from ``z0``; a ``ValueError`` if the start is not critical.

    The start may move by at most ``1e-4·max(1, ‖z0‖_∞)`` (else Newton went to
    another critical point).
    """
    e_last = np.zeros(z0.size)
    e_last[-1] = 1.0
    polish = ContinuationOptions(
        **{**opts.to_json(), "max_newton": max(opts.max_newton, 30), "contraction": 0.9}
    )
    res = correct(curve, z0, e_last, 0.0, polish)
    if not res.converged or np.max(np.abs(res.z - z0)) > 1e-4 * max(1.0, np.max(np.abs(z0))):
        raise ValueError(
            f"the point is not critical in Fix({group.name}) at k = {group.k:g} (Newton at "
            f"eps = 0 {'failed' if res.z is None else 'moved it'}): give a critical point, "
            "e.g. from 'symbreak critical'"
        )
    return res.z


def follow_eps(curve, z0, eps: float, opts, make_point, progress) -> tuple[Path, str]:
    """Follow the branch from ``(x_0, 0)`` towards ``ε = eps``: the path and its message.

    ``make_point(z, t, end)`` builds the records (with ``eps``, ``index``,
    ``tangent_eps``); ``progress`` gets each one (:func:`report`).
    """
    try:
        t0 = tangent(curve, z0, direction=1.0 if eps > 0 else -1.0)
    except (ValueError, DomainError) as exc:
        raise ValueError(f"cannot start the continuation at eps = 0: {exc}") from None
    path = follow(
        curve,
        z0,
        t0,
        lo=min(0.0, eps),
        hi=max(0.0, eps),
        target=1 if eps > 0 else -1,
        options=opts,
        make_point=make_point,
        where=lambda p: f"eps = {p.eps:.10g}",
        progress=progress,
        stage="perturb",
        describe=lambda p: {"eps": p.eps, "index": p.index},
    )
    message = path.message
    if path.status is Status.LEFT_WINDOW:
        message = (
            "the branch turned back at a fold (see the events) and returned to eps = 0 on "
            "another critical point: the start does not extend to the target eps along E"
        )
    elif path.status is Status.COMPLETED:
        message = f"reached the target eps = {eps:g}"
    return path, message


def report(progress, step: int, point) -> None:
    """Hand a branch point to ``progress`` (stage ``"perturb"``, ``info = {"eps", "index"}``)."""
    progress(
        ProgressUpdate(stage="perturb", done=step, info={"eps": point.eps, "index": point.index})
    )


def farthest(points) -> int:
    """Index of the last point before the branch first turns back in ``ε`` (a fold)."""
    sign = np.sign(points[0].tangent_eps)
    for i, p in enumerate(points):
        if np.sign(p.tangent_eps) != sign:
            return max(i - 1, 0)
    return len(points) - 1


def locate_events(curve, path, zero_tol, opts) -> tuple[PerturbationEvent, ...]:
    """Locate every change of the inertia between consecutive branch points.

    ``path.points`` are records with ``inertia``, ``tangent_eps`` and ``eps``.
    A step across which the inertia changes by more than one is first cut into
    pieces (four sub-steps, recursively, three levels) until each piece holds
    one crossing, or a crossing of several eigenvalues at once (a multiple
    eigenvalue kept by a symmetry).  In each piece the crossing eigenvalues
    (sorted positions ``j … j + m − 1``; their mean is smooth even when
    rounding splits a multiple eigenvalue) are bracketed by Brent's method on
    the arclength ``s`` to ``10⁻⁶``, then sampled at six Chebyshev nodes within
    ``h = 10⁻⁴`` of the estimate (far enough from the singular point for the
    corrector to be well conditioned) and interpolated by a quintic, as is
    ``ε(s)``: the zero and its ``ε`` are then accurate to far below ``1e-10``
    for an analytic branch.
    """
    pts, zs, ts = path.points, path.zs, path.ts
    out = []
    for i in range(len(pts) - 1):
        a, b = pts[i], pts[i + 1]
        if a.inertia == b.inertia:
            continue
        pa = (zs[i], ts[i], a.inertia, a.tangent_eps, a.eps)
        pb = (zs[i + 1], ts[i + 1], b.inertia, b.tangent_eps, b.eps)
        for lo, hi in _pieces(curve, pa, pb, zero_tol, opts, depth=3):
            out.append(_locate(curve, lo, hi, opts))
    return tuple(out)


def _chord(pa, pb):
    """Start, unit direction and length of the chord between two samples."""
    d = pb[0] - pa[0]
    span = float(np.linalg.norm(d))
    return pa[0], d / span, span


def _sample(curve, z, d, s, t_prev, zero_tol, opts):
    """``(x, t, inertia, dε/ds, ε)`` where the hyperplane ``d·(x − z) = s`` meets the branch."""
    x = _on_branch(curve, z, d, s, opts)
    tx = tangent(curve, x, previous=t_prev)
    return (x, tx, curve.inertia(x, zero_tol), float(tx[-1]), curve.split(x)[1])


def _changes(a: tuple, b: tuple) -> int:
    """Number of eigenvalues that cross zero between two inertias."""
    return sum(abs(x - y) for x, y in zip(a, b))


def _pieces(curve, pa, pb, zero_tol, opts, depth):
    """Sub-steps of ``[pa, pb]`` that each hold one crossing (see :func:`locate_events`)."""
    if _changes(pa[2], pb[2]) <= 1 or depth == 0:
        return [(pa, pb)]
    z, d, span = _chord(pa, pb)
    try:
        mids = [_sample(curve, z, d, q * span / 4, pa[1], zero_tol, opts) for q in (1, 2, 3)]
    except (DomainError, ConvergenceError, np.linalg.LinAlgError):
        return [(pa, pb)]  # not subdivided: _locate reports what it cannot resolve
    chain = [pa, *mids, pb]
    out = []
    for lo, hi in zip(chain, chain[1:]):
        if lo[2] != hi[2]:
            out.extend(_pieces(curve, lo, hi, zero_tol, opts, depth - 1))
    return out


def _locate(curve, pa, pb, opts) -> PerturbationEvent:
    """The crossing between two samples ``(x, t, inertia, dε/ds, ε)`` (:func:`locate_events`)."""
    from scipy.optimize import brentq

    _, _, ia, ta, ea = pa
    _, _, ib, tb, eb = pb
    block = next(b for b, (x, y) in enumerate(zip(ia, ib)) if x != y)
    j, m = min(ia[block], ib[block]), abs(ia[block] - ib[block])
    z, t, span = _chord(pa, pb)  # cut the branch by hyperplanes along the chord

    def at(s):
        x = z if s == 0.0 else _on_branch(curve, z, t, s, opts)
        lam = curve.block_eigenvalues(x, block)
        return float(np.mean(lam[j : j + m])), x

    try:
        if at(0.0)[0] * at(span)[0] > 0:
            raise ConvergenceError("no sign change")
        s0 = brentq(lambda s: at(s)[0], 0.0, span, xtol=1e-6 * max(span, 1e-6), maxiter=100)
        h = min(1e-4, 0.5 * s0, 0.5 * (span - s0))
        if h <= 0:
            raise ConvergenceError("the crossing sits on a point of the path")
        nodes = s0 + h * np.cos(np.pi * (2 * np.arange(6) + 1) / 12)
        vals, xs = zip(*(at(float(q)) for q in nodes))
        u = (nodes - s0) / h
        lam_fit = np.polynomial.Polynomial.fit(u, vals, 5, domain=[-1, 1])
        roots = [r.real for r in lam_fit.roots() if abs(r.imag) < 1e-9 and abs(r.real) <= 1]
        if not roots:
            raise ConvergenceError("no zero of the interpolant")
        u_star = min(roots, key=abs)
        eps_fit = np.polynomial.Polynomial.fit(u, [x[-1] for x in xs], 5, domain=[-1, 1])
        e_star = float(eps_fit(u_star))
        value = float(lam_fit(u_star))
        # the point itself, interpolated too (the corrector is ill-conditioned right there)
        coef = np.linalg.solve(np.vander(u, 6), np.array(xs))
        W_star = curve.split((np.vander([u_star], 6) @ coef)[0])[0]
        kind = "fold" if ta * tb < 0 else "branch_point"
    except (DomainError, RuntimeError, np.linalg.LinAlgError):
        # RuntimeError: a ConvergenceError above, or Brent's method not converging;
        # the crossing is kept as an "unlocated" event
        e_star, value, kind, W_star = 0.5 * (ea + eb), float("nan"), "unlocated", None
    return PerturbationEvent(
        kind,
        e_star,
        curve.index_of(ia),
        curve.index_of(ib),
        value,
        W_star,
        curve.block_label(block),
    )


def _on_branch(curve, z, t, s, opts) -> np.ndarray:
    """The point of the branch on the hyperplane ``t·(x − z) = s`` (``t`` a unit vector).

    The corrector first; where it fails (next to a branch point the bordered
    Jacobian is nearly singular in the directions that break the symmetry, and
    rounding makes the steps there bounce), minimum-norm Newton steps (the one
    Newton, :func:`symbreak.solve.solve`), accepted when the residual is below
    ``gradient_tol``.
    """
    value = float(t @ z) + s
    r = correct(curve, z + s * t, t, value, opts)
    if r.converged:
        return r.z

    def bordered(x):
        F, J = curve.jacobian(x)
        return np.append(F, float(t @ x) - value), np.vstack([J, t])

    res = solve(
        bordered,
        z + s * t,
        gradient_tol=opts.gradient_tol,
        step_tol=opts.newton_tol,
        relative_step=False,
        max_iter=max(opts.max_newton, 30),
        lstsq=True,
    )
    if not (res.converged or (res.x is not None and res.residual <= opts.gradient_tol)):
        raise ConvergenceError(f"the corrector failed while locating an event: {res.message}")
    return res.x

