r"""Pseudo-arclength continuation of a critical point of the reduced system in ``k``.

Algorithm
---------
Unknowns ``z = (c, θτ) ∈ R^{N+1}`` (``τ = log k`` by default), equations
``F(z) = 0`` (the reduced gradient per entry of ``W``).  From a point ``z_i``
with unit tangent ``t_i``:

1. **predictor** ``z_i + Δs · t_i``;
2. **corrector**: Newton on the bordered system ``F(z) = 0``,
   ``t_i·(z − z_i) = Δs`` (regular at folds);
3. **acceptance**: the corrector converged, and the new tangent (null vector of
   ``∂_z F``, oriented by ``t_i``) turns by at most ``max_angle``;
4. **step control**: ``Δs ← grow·Δs`` after at most ``fast_newton``
   iterations, ``shrink·Δs`` after ``slow_newton`` or on rejection, within
   ``[ds_min, ds_max]``;
5. **window ends**: a step that would leave ``[min(k0, k1), max(k0, k1)]`` is
   replaced by a Newton solve at the end value of ``k`` itself, so the last
   point sits exactly at ``k1`` (or back at ``k0`` after a fold).

After the run, the events are located on the stored points
(:mod:`~symbreak.continuation.events`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..representation.isotropy import IsotropyGroup
from .branch import Branch, BranchPoint, as_count
from .corrector import correct, tangent
from .events import block_samples, index_from_samples, scan_events
from .family import KFamily
from .options import ContinuationOptions
from .status import Status

__all__ = ["continuation", "branch_point_at", "trace"]

Progress = Callable[[int, float, float], None]


def _make_point(
    family: KFamily, z: np.ndarray, t: np.ndarray, k: float | None = None
) -> BranchPoint:
    c, k_z = family.split(z)
    k = k_z if k is None else k
    system = family.system(k)
    samples = block_samples(family, c, k)
    return BranchPoint(
        k=k,
        coords=np.array(c),
        loss=system.loss(c),
        index=as_count(index_from_samples(samples)),
        tangent=np.array(t),
        eigenvalues=tuple((s.label, s.eigenvalues) for s in samples),
    )


def _check_k(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return value


def trace(
    family: KFamily,
    z0: np.ndarray,
    t0: np.ndarray,
    *,
    k_lo: float,
    k_hi: float,
    target: int,
    options: ContinuationOptions,
    progress: Progress | None = None,
) -> tuple[tuple[BranchPoint, ...], Status, str]:
    """Follow the branch through ``z0`` along ``t0`` until it leaves ``[k_lo, k_hi]``.

    Parameters
    ----------
    family : KFamily
    z0 : ndarray
        A point of the branch (``F(z0) ≈ 0``).
    t0 : ndarray
        Unit tangent at ``z0`` giving the direction.
    k_lo, k_hi : float
        The window.
    target : {+1, −1, 0}
        The end that counts as success (``+1``: ``k_hi``, ``−1``: ``k_lo``,
        ``0``: either).
    options : ContinuationOptions
    progress : callable, optional
        ``progress(step, k, index)`` after every accepted step.

    Returns
    -------
    points, status, message
    """
    zlo = family.theta * family.tau(k_lo)
    zhi = family.theta * family.tau(k_hi)
    e_last = np.zeros(z0.size)
    e_last[-1] = 1.0
    k_start = family.split(z0)[1]
    for exact in (k_lo, k_hi):
        if abs(k_start - exact) <= 1e-13 * exact:
            k_start = exact
    points = [_make_point(family, z0, t0, k_start)]
    z, t = np.array(z0, dtype=float), np.array(t0, dtype=float)
    ds = options.ds
    if progress is not None:
        progress(0, points[0].k, float(points[0].index))
    while True:
        if len(points) > options.max_steps:
            return tuple(points), Status.MAX_STEPS, _msg(Status.MAX_STEPS, points)
        ds_try = ds
        reason = ""
        accepted = None
        while ds_try >= options.ds_min:
            step = ds_try
            bound = _crossed(z[-1] + step * t[-1], zlo, zhi)
            if bound is not None:
                # aim just past the window's end; the landing below puts the point on it
                step = min(step, 1.05 * (bound - z[-1]) / t[-1])
            res = correct(family, z + step * t, t, float(t @ z) + step, options)
            if not res.converged:
                reason = res.reason
                ds_try *= options.shrink
                continue
            bound = _crossed(res.z[-1], zlo, zhi, slack=1e-12)
            if bound is not None:
                end = _land(family, z, res.z, t, bound, e_last, options)
                if end is None:
                    reason = "boundary"
                    ds_try *= options.shrink
                    continue
                accepted = (end[0], end[1], 0, bound)
                break
            try:
                t_new = tangent(family, res.z, previous=t)
            except ValueError:
                reason = "singular"
                ds_try *= options.shrink
                continue
            if math.acos(min(1.0, max(-1.0, float(t_new @ t)))) > options.max_angle:
                reason = "angle"
                ds_try *= options.shrink
                continue
            accepted = (res.z, t_new, res.iterations, None)
            break
        if accepted is None:
            status = {
                "domain": Status.DOMAIN_BOUNDARY,
                "angle": Status.STEP_UNDERFLOW,
                "boundary": Status.STEP_UNDERFLOW,
            }.get(reason, Status.NEWTON_FAILED)
            return tuple(points), status, _msg(status, points, reason)
        z_new, t_new, iters, bound = accepted
        k_exact = None if bound is None else (k_hi if bound == zhi else k_lo)
        try:
            points.append(_make_point(family, z_new, t_new, k_exact))
        except ValueError:
            # the spectrum is not defined there (a block too small for its
            # irreps): treat like leaving the domain
            ds = ds_try * options.shrink
            if ds < options.ds_min:
                status = Status.DOMAIN_BOUNDARY
                return tuple(points), status, _msg(status, points)
            continue
        z, t = z_new, t_new
        if progress is not None:
            progress(len(points) - 1, points[-1].k, float(points[-1].index))
        if bound is not None:
            side = 1 if bound == zhi else -1
            status = Status.COMPLETED if target in (0, side) else Status.LEFT_WINDOW
            return tuple(points), status, _msg(status, points)
        if iters <= options.fast_newton and ds_try >= ds:
            ds = min(options.ds_max, ds * options.grow)
        elif iters >= options.slow_newton:
            ds = max(options.ds_min, ds_try * options.shrink)
        else:
            ds = ds_try


def _crossed(zlast: float, zlo: float, zhi: float, slack: float = 0.0):
    """The window end beyond (or within ``slack`` of) ``zlast``, else ``None``."""
    if zlast > zhi - slack:
        return zhi
    if zlast < zlo + slack:
        return zlo
    return None


def _land(family, z, z_next, t, bound, e_last, options):
    """The branch point at the window end ``z_N = bound``, between ``z`` and ``z_next``.

    Newton at fixed ``k`` from the chord; the result must stay near the chord
    (else it is on another sheet of the branch) and turn by at most
    ``max_angle``.
    """
    span = z_next[-1] - z[-1]
    if span == 0:
        return None
    w = (bound - z[-1]) / span
    guess = z + w * (z_next - z)
    guess[-1] = bound
    res = correct(family, guess, e_last, bound, options)
    if not res.converged:
        return None
    if np.linalg.norm(res.z - guess) > 0.25 * np.linalg.norm(z_next - z) + 1e-9:
        return None
    if float(t @ (res.z - z)) <= 0:
        return None
    try:
        t_new = tangent(family, res.z, previous=t)
    except ValueError:
        return None
    if math.acos(min(1.0, max(-1.0, float(t_new @ t)))) > options.max_angle:
        return None
    return res.z, t_new


def _msg(status: Status, points, reason: str = "") -> str:
    where = f" (last point k = {points[-1].k:.10g})" if points else ""
    detail = f" [corrector: {reason}]" if reason and status is Status.NEWTON_FAILED else ""
    return status.message + where + detail


def continuation(
    group,
    start,
    *,
    k1: float,
    k0: float | None = None,
    d_extra: float | None = None,
    options: ContinuationOptions | None = None,
    progress: Progress | None = None,
) -> Branch:
    r"""Continue a critical point of ``L`` on ``Fix(H)`` from ``k0`` to ``k1`` (real ``k``).

    Parameters
    ----------
    group : IsotropyGroup or str
        The isotropy group (its ``k`` is the default ``k0``) or its spec.
    start : array_like
        Coordinates of (an approximation of) a critical point at ``k0``; they
        are first corrected by Newton's method at fixed ``k0``.
    k1 : float
        Where to go; ``k1 < k0`` continues downward.
    k0 : float, optional
        Start value (default ``group.k``; required with a spec).
    d_extra : float, optional
        Extra input columns ``d − k``, held fixed (default: from ``group``, or 0).
    options : ContinuationOptions, optional
    progress : callable, optional
        ``progress(step, k, index)`` after every accepted step.

    Returns
    -------
    Branch
        Points, events and status.  The run never raises on numerical trouble
        along the way: it stops with a :class:`Status` whose message says what
        to do.

    Raises
    ------
    TypeError, ValueError
        On bad input (unknown spec, ``k`` outside the domain of the spec,
        coordinates of the wrong length).

    Notes
    -----
    The branch is ``{(c, k) : ∇_c L_H(c; k) = 0}``, a curve for a generic
    one-parameter family; pseudo-arclength continuation follows it through
    folds.  See :mod:`symbreak.continuation.pseudo_arclength` for the
    algorithm and :mod:`symbreak.continuation.events` for the events.

    Examples
    --------
    >>> from symbreak.continuation import continuation
    >>> b = continuation("k-1,1", [0.9867, -0.0504, 0.3080, 0.2245, -0.6015], k0=6, k1=5)
    >>> [(e.kind, e.irrep) for e in b.events]
    [('symmetry_breaking', '[k-2,1] x [1]')]
    """
    opts = ContinuationOptions() if options is None else options
    if not isinstance(opts, ContinuationOptions):
        raise TypeError(f"options must be a ContinuationOptions, got {type(opts).__name__}")
    if isinstance(group, IsotropyGroup):
        spec = group.spec
        k0 = group.k if k0 is None else _check_k("k0", k0)
        if d_extra is None:
            d_extra = group.d - group.k
    elif isinstance(group, str):
        spec = group
        if k0 is None:
            raise ValueError("give k0 (the k of the start point) with a spec string")
        k0 = _check_k("k0", k0)
    else:
        raise TypeError(f"group must be an IsotropyGroup or a spec string, got {group!r}")
    k1 = _check_k("k1", k1)
    if k1 == k0:
        raise ValueError(f"k1 must differ from k0 = {k0:g}")
    d_extra = 0.0 if d_extra is None else float(d_extra)
    family = KFamily.for_options(spec, d_extra, opts)
    for name, kk in (("k0", k0), ("k1", k1)):
        try:
            family.system(kk)
        except ValueError as exc:
            raise ValueError(f"{name} = {kk:g} is outside the domain of {spec!r}: {exc}") from None
    system = family.system(k0)
    c0 = system.space.check_coords(start)
    names = system.space.names
    common = dict(spec=spec, d_extra=d_extra, names=names, k0=k0, k1=k1, options=opts)
    z_start = family.to_z(c0, k0)
    e_last = np.zeros(z_start.size)
    e_last[-1] = 1.0
    polish = ContinuationOptions(
        **{**opts.to_json(), "max_newton": max(opts.max_newton, 30), "contraction": 0.9}
    )
    res = correct(family, z_start, e_last, float(z_start[-1]), polish)
    moved = np.inf if res.z is None else float(np.max(np.abs(res.z[:-1] - c0)))
    if not res.converged or moved > 1e-2 * max(1.0, float(np.max(np.abs(c0)))):
        gn = _grad_norm(family, c0, k0)
        msg = (
            f"{Status.START_NOT_CRITICAL.message} (|grad| per entry {gn:.3g} at k0 = {k0:g}"
            + ("" if res.z is None else f"; Newton moved the point by {moved:.3g}")
            + ")"
        )
        return Branch(points=(), events=(), status=Status.START_NOT_CRITICAL, message=msg, **common)
    direction = 1.0 if k1 > k0 else -1.0
    try:
        t0 = tangent(family, res.z, direction=direction)
    except ValueError as exc:
        return Branch(
            points=(),
            events=(),
            status=Status.START_NOT_CRITICAL,
            message=f"{Status.START_NOT_CRITICAL.message}: {exc}",
            **common,
        )
    points, status, message = trace(
        family,
        res.z,
        t0,
        k_lo=min(k0, k1),
        k_hi=max(k0, k1),
        target=1 if k1 > k0 else -1,
        options=opts,
        progress=progress,
    )
    scan = scan_events(family, points, opts)
    return Branch(points=points, status=status, message=message, **scan.fields(), **common)


def _grad_norm(family, c, k) -> float:
    try:
        return float(np.max(np.abs(family.residual(c, k))))
    except ValueError:
        return float("nan")


def branch_point_at(branch: Branch, k: float) -> np.ndarray:
    """Coordinates of ``branch`` at ``k`` (first segment covering ``k``), Newton-corrected.

    Raises
    ------
    ValueError
        If ``k`` is not between two consecutive points of the branch, or the
        corrector fails.
    """
    k = _check_k("k", k)
    pts = branch.points
    opts = branch.options
    family = KFamily.for_options(branch.spec, branch.d_extra, opts)
    for p in pts:
        if p.k == k:
            return np.array(p.coords)
    for a, b in zip(pts[:-1], pts[1:]):
        if min(a.k, b.k) <= k <= max(a.k, b.k):
            za, zb = family.to_z(a.coords, a.k), family.to_z(b.coords, b.k)
            target = family.theta * family.tau(k)
            w = (target - za[-1]) / (zb[-1] - za[-1]) if zb[-1] != za[-1] else 0.5
            e_last = np.zeros(za.size)
            e_last[-1] = 1.0
            z = za + w * (zb - za)
            z[-1] = target
            res = correct(family, z, e_last, target, opts)
            if not res.converged:
                raise ValueError(f"Newton at fixed k = {k:g} failed ({res.reason})")
            return family.split(res.z)[0]
    ks = branch.k
    span = f"[{ks.min():g}, {ks.max():g}]" if ks.size else "(empty)"
    raise ValueError(f"k = {k:g} is not on the branch, which covers {span}")
