r"""Pseudo-arclength continuation of a critical point of the reduced system in ``k``.

Algorithm
---------
Unknowns ``z = (c, θτ) ∈ R^{N+1}`` (``τ = log k`` by default), equations
``F(z) = 0`` (the reduced gradient per entry of ``W``,
:class:`~symbreak.continuation.family.KFamily`), followed by the
parameter-generic pseudo-arclength core
(:func:`~symbreak.continuation.arclength.follow`: predictor, bordered Newton
corrector, tangent test, step control, landing exactly on the window ends
``[min(k0, k1), max(k0, k1)]``).

After the run, the events are located on the stored points
(:mod:`~symbreak.continuation.events`).
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import _UNSET, renamed_keyword
from ..errors import DomainError
from ..progress import Progress
from ..representation.isotropy import family_of
from ..solve import newton
from ..tolerances import DEFAULT_TOLERANCES, Tolerances
from .arclength import follow
from .branch import Branch, BranchPoint, as_count, branch_point_at
from .corrector import correct, tangent
from .events import block_samples, index_from_samples, scan_events
from .family import KFamily
from .options import ContinuationOptions
from .status import Status

__all__ = ["continue_branch", "continuation", "branch_point_at", "trace"]



def _polish_precise(family: KFamily, z: np.ndarray, k: float) -> tuple[np.ndarray, float | None]:
    """``z`` at a window end, Newton-polished in ``mpmath`` where float64 cannot resolve it.

    Above ``k ≈ 3·10⁴`` the float64 rounding floor of the gradient per entry
    (``Tolerances.roundoff_floor(k)``, about ``k·ε``) exceeds the gradient
    tolerance: the corrector's point carries coordinate errors up to
    ``10⁻⁷`` at ``k = 10⁹``.  The end point of a run is then polished by the
    one Newton solver in ``30 + 2 log10 k`` digits (cancellations of size
    ``k²``), so its coordinates are correct to float64 precision; the loss is
    evaluated at the unrounded solution (returned; ``None`` when no polish was
    needed or it failed).
    """
    tol = DEFAULT_TOLERANCES
    if tol.roundoff_floor(k) <= tol.gradient:
        return z, None
    c = family.split(z)[0]
    dps = 30 + 2 * int(math.ceil(math.log10(k)))
    res = newton(
        family.system(k),
        c,
        dps=dps,
        tolerances=Tolerances(gradient=1e-25, step=1e-25),
        max_iter=8,
        with_loss=True,
    )
    if not res.converged:
        return z, None  # keep the float64 point (within the rounding floor)
    return family.to_z(np.array([float(x) for x in res.x]), k), res.loss


def _make_point(
    family: KFamily, z: np.ndarray, t: np.ndarray, k: float | None = None, loss=None
) -> BranchPoint:
    c, k_z = family.split(z)
    k = k_z if k is None else k
    system = family.system(k)
    samples = block_samples(family, c, k)
    return BranchPoint(
        k=k,
        coords=np.array(c),
        loss=system.loss(c) if loss is None else loss,
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

    The generic core :func:`~symbreak.continuation.arclength.follow` on the
    curve ``family``; every accepted point becomes a :class:`BranchPoint`
    (coordinates, loss, index and every block's eigenvalues).

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
    progress : Progress, optional
        Called with ``ProgressUpdate(stage="continuation", done=step,
        info={"k": k, "index": index})`` after every accepted step.

    Returns
    -------
    points, status, message
    """

    def make(z, t, end):
        if end == "start":
            k = family.split(z)[1]
            for exact in (k_lo, k_hi):
                if abs(k - exact) <= 1e-13 * exact:
                    k = exact
        else:
            k = {"hi": k_hi, "lo": k_lo}.get(end)
            if k is not None:
                z, loss = _polish_precise(family, z, k)
                return _make_point(family, z, t, k, loss=loss)
        return _make_point(family, z, t, k)

    path = follow(
        family,
        z0,
        t0,
        lo=family.theta * family.tau(k_lo),
        hi=family.theta * family.tau(k_hi),
        target=target,
        options=options,
        make_point=make,
        where=lambda p: f" (last point k = {p.k:.10g})",
        progress=progress,
        stage="continuation",
        describe=lambda p: {"k": p.k, "index": float(p.index)},
    )
    return path.points, path.status, path.message


def continue_branch(
    group,
    start,
    *,
    k1: float,
    k0: float | None = None,
    extra_dims: float | None = None,
    options: ContinuationOptions | None = None,
    progress: Progress | None = None,
    d_extra=_UNSET,
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
    extra_dims : float, optional
        Extra input dimensions ``d − k``, held fixed (default: from ``group``,
        or 0).  ``d_extra=`` is its deprecated spelling.
    options : ContinuationOptions, optional
    progress : Progress, optional
        Called with ``ProgressUpdate(stage="continuation", done=step,
        info={"k": k, "index": index})`` after every accepted step
        (:mod:`symbreak.progress`).

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
    >>> from symbreak import continue_branch
    >>> b = continue_branch("k-1,1", [0.9867, -0.0504, 0.3080, 0.2245, -0.6015], k0=6, k1=5)
    >>> [(e.kind, e.irrep) for e in b.events]
    [('symmetry_breaking', '[k-2,1] x [1]')]
    """
    extra_dims = renamed_keyword("d_extra", d_extra, "extra_dims", extra_dims, None)
    opts = ContinuationOptions() if options is None else options
    if not isinstance(opts, ContinuationOptions):
        raise TypeError(f"options must be a ContinuationOptions, got {type(opts).__name__}")
    spec, k0, extra_dims = family_of(group, k0, extra_dims)
    k1 = _check_k("k1", k1)
    if k1 == k0:
        raise ValueError(f"k1 must differ from k0 = {k0:g}")
    family = KFamily.for_options(spec, extra_dims, opts)
    for name, kk in (("k0", k0), ("k1", k1)):
        try:
            family.system(kk)
        except DomainError as exc:
            raise DomainError(f"{name} = {kk:g} is outside the domain of {spec!r}: {exc}") from None
    system = family.system(k0)
    c0 = system.space.check_coords(start)
    names = system.space.names
    common = dict(spec=spec, extra_dims=extra_dims, names=names, k0=k0, k1=k1, options=opts)
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
    except DomainError as exc:
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
    except DomainError:
        return float("nan")


#: the former name of :func:`continue_branch` (kept: ``symbreak.continuation.continuation``)
continuation = continue_branch
