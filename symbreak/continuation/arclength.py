r"""Parameter-generic pseudo-arclength continuation of ``F(x, λ) = 0``.

The core of every continuation in symbreak: in ``k`` on the compressed model
(:class:`~symbreak.continuation.family.KFamily`), and in any other real
parameter (for example ``ε`` of a perturbed teacher on the dense model).

A *curve* is any object with a method

``jacobian(z) -> (F, J)``
    ``F`` the ``n`` equations at ``z = (x, λ̃) ∈ R^{n+1}`` (``λ̃`` the last
    component: the parameter, possibly reparameterised, e.g. ``θ log k``),
    ``J = ∂F/∂z`` of shape ``n × (n + 1)``; raises
    :class:`~symbreak.errors.DomainError` outside the domain.

Algorithm (Keller 1977): from a point ``z_i`` with unit tangent ``t_i``,

1. **predictor** ``z_i + Δs · t_i``;
2. **corrector** (:func:`~symbreak.continuation.corrector.correct`): the one Newton solver
   (:func:`symbreak.solve.solve`) on the bordered system
   ``F(z) = 0``, ``t_i·(z − z_i) = Δs``, regular at folds;
3. **acceptance**: the corrector converged, and the new tangent
   (:func:`~symbreak.continuation.corrector.tangent`, null vector of
   ``∂_z F`` oriented by ``t_i``) turns by at most ``max_angle``;
4. **step control**: ``Δs ← grow·Δs`` after at most ``fast_newton``
   iterations, ``shrink·Δs`` after ``slow_newton`` or on rejection, within
   ``[ds_min, ds_max]``;
5. **window ends**: a step that would leave ``[lo, hi]`` (bounds on the last
   component) is replaced by a Newton solve at the end value itself, so the
   last point sits exactly on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..progress import Progress, ProgressUpdate, as_progress
from .corrector import Curve, correct, tangent
from .status import Status

__all__ = ["Curve", "Path", "follow"]


@dataclass(frozen=True)
class Path:
    """Accepted points of :func:`follow`.

    Attributes
    ----------
    points : tuple
        What ``make_point`` returned for each accepted ``(z, t)``.
    zs, ts : ndarray
        The accepted points and unit tangents, shape ``(len(points), n + 1)``.
    status : Status
    message : str
    """

    points: tuple
    zs: np.ndarray
    ts: np.ndarray
    status: Status
    message: str


def _crossed(zlast: float, zlo: float, zhi: float, slack: float = 0.0):
    """The window end beyond (or within ``slack`` of) ``zlast``, else ``None``."""
    if zlast > zhi - slack:
        return zhi
    if zlast < zlo + slack:
        return zlo
    return None


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    return math.acos(min(1.0, max(-1.0, float(a @ b))))


def _land(curve, z, z_next, t, bound, options):
    """The curve's point with last component ``bound``, between ``z`` and ``z_next``.

    Newton at fixed parameter from the chord; the result must stay near the
    chord (else it is on another sheet) and turn by at most ``max_angle``.
    """
    span = z_next[-1] - z[-1]
    if span == 0:
        return None
    e_last = np.zeros(z.size)
    e_last[-1] = 1.0
    w = (bound - z[-1]) / span
    guess = z + w * (z_next - z)
    guess[-1] = bound
    res = correct(curve, guess, e_last, bound, options)
    if not res.converged:
        return None
    if np.linalg.norm(res.z - guess) > 0.25 * np.linalg.norm(z_next - z) + 1e-9:
        return None
    if float(t @ (res.z - z)) <= 0:
        return None
    try:
        t_new = tangent(curve, res.z, previous=t)
    except DomainError:
        return None
    if _angle(t_new, t) > options.max_angle:
        return None
    return res.z, t_new


def _message(status: Status, where: str, reason: str = "") -> str:
    detail = f" [corrector: {reason}]" if reason and status is Status.NEWTON_FAILED else ""
    return status.message + where + detail


def follow(
    curve: Curve,
    z0,
    t0,
    *,
    lo: float,
    hi: float,
    target: int,
    options,
    make_point: Callable | None = None,
    where: Callable | None = None,
    progress: Progress | None = None,
    stage: str = "continuation",
    describe: Callable | None = None,
) -> Path:
    r"""Follow the curve through ``z0`` along ``t0`` until its last component leaves ``[lo, hi]``.

    Parameters
    ----------
    curve : Curve
    z0 : ndarray
        A point of the curve (``F(z0) ≈ 0``).
    t0 : ndarray
        Unit tangent at ``z0`` giving the direction.
    lo, hi : float
        The window, for the last component of ``z``.
    target : {+1, −1, 0}
        The end that counts as success (``+1``: ``hi``, ``−1``: ``lo``,
        ``0``: either); leaving through the other end gives
        :attr:`Status.LEFT_WINDOW`.
    options : ContinuationOptions
        Step control and corrector options.
    make_point : callable, optional
        ``make_point(z, t, end)`` → the record stored for an accepted point
        (``end`` is ``"start"`` for ``z0``, ``"lo"``/``"hi"`` for a point
        landed on a window end, else ``None``).  Raising
        :class:`~symbreak.errors.DomainError` rejects the step (it is retried
        smaller; the run ends with :attr:`Status.DOMAIN_BOUNDARY`).  Default:
        the pair ``(z, t)``.
    where : callable, optional
        ``where(record) -> str`` describing the last point in messages.
    progress : Progress, optional
        The one progress protocol (:mod:`symbreak.progress`): called with
        ``ProgressUpdate(stage, done=step, info=describe(record))`` for the
        start (step 0) and after every accepted step.  A callable of two
        arguments ``(step, record)`` — the former protocol of this function —
        still works and warns (``DeprecationWarning``).
    stage : str
        The ``stage`` of the updates (default ``"continuation"``).
    describe : callable, optional
        ``describe(record) -> dict``: the ``info`` of each update (default
        ``{}``).

    Returns
    -------
    Path
        Never raises for numerical trouble; the status says why it stopped.
    """
    make = make_point if make_point is not None else (lambda z, t, end: (z, t))
    z, t = np.array(z0, dtype=float), np.array(t0, dtype=float)
    points = [make(z, t, "start")]
    zs, ts = [z], [t]

    def done(status, reason=""):
        loc = where(points[-1]) if (where is not None and points) else ""
        msg = _message(status, loc, reason)
        return Path(tuple(points), np.array(zs), np.array(ts), status, msg)

    report = _as_step_report(progress, stage, describe)
    ds = options.ds
    report(0, points[0])
    while True:
        if len(points) > options.max_steps:
            return done(Status.MAX_STEPS)
        ds_try = ds
        reason = ""
        accepted = None
        while ds_try >= options.ds_min:
            step = ds_try
            bound = _crossed(z[-1] + step * t[-1], lo, hi)
            if bound is not None:
                # aim just past the window's end; the landing below puts the point on it
                step = min(step, 1.05 * (bound - z[-1]) / t[-1])
            res = correct(curve, z + step * t, t, float(t @ z) + step, options)
            if not res.converged:
                reason = res.reason
                ds_try *= options.shrink
                continue
            bound = _crossed(res.z[-1], lo, hi, slack=1e-12)
            if bound is not None:
                end = _land(curve, z, res.z, t, bound, options)
                if end is None:
                    reason = "boundary"
                    ds_try *= options.shrink
                    continue
                accepted = (end[0], end[1], 0, bound)
                break
            try:
                t_new = tangent(curve, res.z, previous=t)
            except DomainError:
                reason = "singular"
                ds_try *= options.shrink
                continue
            if _angle(t_new, t) > options.max_angle:
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
            return done(status, reason)
        z_new, t_new, iters, bound = accepted
        end = None if bound is None else ("hi" if bound == hi else "lo")
        try:
            points.append(make(z_new, t_new, end))
        except DomainError:
            # the record is not defined there (e.g. a block too small for its
            # irreps): treat like leaving the domain
            ds = ds_try * options.shrink
            if ds < options.ds_min:
                return done(Status.DOMAIN_BOUNDARY)
            continue
        zs.append(z_new)
        ts.append(t_new)
        z, t = z_new, t_new
        report(len(points) - 1, points[-1])
        if bound is not None:
            side = 1 if bound == hi else -1
            return done(Status.COMPLETED if target in (0, side) else Status.LEFT_WINDOW)
        if iters <= options.fast_newton and ds_try >= ds:
            ds = min(options.ds_max, ds * options.grow)
        elif iters >= options.slow_newton:
            ds = max(options.ds_min, ds_try * options.shrink)
        else:
            ds = ds_try


def _as_step_report(progress, stage: str, describe) -> Callable:
    """``report(step, record)`` that sends a :class:`ProgressUpdate` to ``progress``.

    A ``progress`` taking two required positional arguments is the former
    ``progress(step, record)`` protocol of :func:`follow`: it is called as
    before, with a ``DeprecationWarning``.
    """
    if progress is not None and _takes_step_and_record(progress):
        import warnings

        warnings.warn(
            "follow(progress=f) with f(step, record) is deprecated: progress receives a "
            "symbreak.progress.ProgressUpdate (pass describe= to put the record's numbers "
            "in its info)",
            DeprecationWarning,
            stacklevel=3,
        )
        return progress
    sink = as_progress(progress)
    info = describe if describe is not None else (lambda record: {})

    def report(step: int, record) -> None:
        sink(ProgressUpdate(stage=stage, done=step, info=info(record)))

    return report


def _takes_step_and_record(fn) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) >= 2
