"""The atlas's independent work units: plain functions of JSON-able arguments.

Each returns a typed record (:mod:`symbreak.atlas.records`) that depends only
on its arguments (fixed seeds), so the serial run, a parallel run with
``--workers N`` and a resumed run give identical results.  The cache stores
the record's JSON (``to_json``) and reads it back with ``from_json``
(:data:`UNIT_CODECS`); it never pickles.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..continuation import ContinuationOptions, continuation
from ..critical import SearchOptions, find_critical_points
from ..errors import DomainError
from ..overparam import annihilation
from ..reduced.fixed_point import FixedPointSpace
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, parse_spec
from ..solve import newton
from ..spectrum import analytic_spectrum
from .records import (
    Annihilation,
    AnnihilationSkipped,
    BranchPart,
    Continuation,
    FoundPoint,
    IntegerKPoint,
    RawJSON,
    SearchRecord,
    SpectrumRow,
    annihilation_from_json,
)

__all__ = [
    "search_task",
    "continue_task",
    "annihilate_task",
    "spectrum_task",
    "k_domain",
    "integer_k_points",
    "MIN_BLOCK",
    "TASK_VERSION",
    "UNIT_CODECS",
]

#: bump when a task's result for the same arguments changes (invalidates caches)
#: (6: continuation units keep only the parts of a branch the atlas uses, as records)
TASK_VERSION = 6
#: families are continued where every block given in terms of k has at least this size
MIN_BLOCK = 3.0


def search_task(
    spec: str, k: float, extra_dims: int, starts: int, seed: int, patience: int = 256
) -> SearchRecord:
    """All critical points of ``Fix(spec)`` at ``k`` (see :func:`find_critical_points`).

    Only the local minima are reported (``minima_only``); the search stops
    when ``patience`` screened random starts in a row found no new minimum,
    or after ``starts`` random starts.
    """
    group = IsotropyGroup.from_spec(spec, k, d=k + extra_dims)
    opts = SearchOptions(starts=starts, seed=seed, patience=patience, minima_only=True)
    res = find_critical_points(group, options=opts)
    return SearchRecord(
        isotropy=spec,
        k=float(k),
        names=tuple(FixedPointSpace(group).names),
        starts=res.starts,
        failures=res.failures,
        search=RawJSON.of(res.search_json()),
        points=tuple(
            FoundPoint.from_json(
                dict(p.to_json(), exact_coords=[float(x) for x in p.exact_coords])
            )
            for p in res.points
        ),
    )


def k_domain(spec: str, *, min_block: float = MIN_BLOCK) -> float:
    """Smallest k at which every block given in terms of k has size ``>= min_block``.

    The atlas continues families only where the variable blocks have size at
    least 3: there every irrep's dimension polynomial is non-negative
    (``m − 1``, ``m(m − 3)/2``, ``(m − 1)(m − 2)/2``), so the index — a sum of
    such dimensions — keeps its meaning.  For ``2 < m < 3`` the dimension of
    ``[m−2, 2]`` is negative and the real-k interpolation of the index breaks.
    """
    diag, rows, cols = parse_spec(spec)
    lo = 1.0
    for expr in list(diag) + list(rows) + list(cols or ()):
        if expr.free_symbols:
            # linear blocks a·k + b >= m  <=>  k >= (m − b)/a (a > 0 for the specs we build)
            coeffs = [float(c) for c in expr.as_poly().all_coeffs()]
            if len(coeffs) == 2 and coeffs[0] > 0:
                lo = max(lo, (min_block - coeffs[1]) / coeffs[0])
    return lo


def continue_task(
    spec: str,
    coords: list,
    k0: float,
    k_lo: float,
    k_hi: float,
    extra_dims: int,
    min_block: float = MIN_BLOCK,
) -> Continuation:
    """Continue a family from ``k0`` down to ``k_lo`` and up to ``k_hi``.

    The window is clipped where a block given in terms of k would shrink
    below ``min_block`` (:func:`k_domain`).  Returns both halves
    (:meth:`BranchPart.from_branch <symbreak.atlas.records.BranchPart.from_branch>`:
    status, message, points with their block eigenvalues, events, notes) and
    the family at every integer ``k`` it passes.
    """
    lo = max(k_lo, k_domain(spec, min_block=min_block))
    opts = ContinuationOptions()
    parts: dict[str, BranchPart | None] = {}
    for name, target in (("down", lo), ("up", float(k_hi))):
        if math.isclose(target, k0) or (name == "down" and target >= k0):
            parts[name] = None
            continue
        try:
            br = continuation(
                spec, coords, k0=k0, k1=target, extra_dims=float(extra_dims), options=opts
            )
            parts[name] = BranchPart.from_branch(br)
        except DomainError as exc:  # e.g. a start that is not in the domain: recorded
            parts[name] = BranchPart(status="error", message=str(exc), points=())
    cont = Continuation(
        isotropy=spec, k0=float(k0), window=(lo, float(k_hi)), down=parts["down"], up=parts["up"]
    )
    return replace(cont, at_integer_k=integer_k_points(spec, coords, k0, cont, extra_dims))


def integer_k_points(
    spec: str, coords: list, k0: float, cont: Continuation, extra_dims: int
) -> tuple[IntegerKPoint, ...]:
    """The family at every integer ``k`` its branch passes: ``{k, loss, index, min_eig, coords}``.

    Each crossing of an integer ``k`` by a segment of the branch (both halves)
    is interpolated linearly and corrected by Newton's method at that ``k``
    (:func:`symbreak.solve.newton`); the index and the smallest eigenvalue come
    from the analytic spectrum.  A branch that turns (a fold in ``k``) crosses
    some ``k`` twice and lists both points.  Sorted by ``k``, then loss.
    """
    from ..solve import newton

    cands: list[tuple[float, list]] = []
    if abs(k0 - round(k0)) < 1e-9:
        cands.append((float(round(k0)), list(coords)))
    for part in cont.parts():
        pts = part.points
        for a, b in zip(pts, pts[1:]):
            ka, kb = a.k, b.k
            lo, hi = min(ka, kb), max(ka, kb)
            for kk in range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1):
                if abs(kk - k0) < 1e-9 or kb == ka:
                    continue
                if abs(kk - ka) < 1e-9 and a is not pts[0]:
                    continue  # counted at the end of the previous segment
                s = (kk - ka) / (kb - ka)
                cands.append(
                    (float(kk), [(1 - s) * x + s * y for x, y in zip(a.coords, b.coords)])
                )
    out = []
    for kk, c in cands:
        try:
            group = IsotropyGroup.from_spec(spec, kk, d=kk + extra_dims)
        except DomainError:
            continue  # a block size out of range at this k: the family does not exist there
        res = newton(group, np.asarray(c, float))
        if not res.converged:
            continue
        spectrum = analytic_spectrum(group, res.x)
        entry = IntegerKPoint(
            k=kk,
            loss=float(ReducedSystem(group).loss(res.x)),
            index=spectrum.index,
            min_eig=float(spectrum.min_eigenvalue),
            coords=tuple(float(x) for x in res.x),
        )
        if not any(e.k == kk and np.allclose(e.coords, entry.coords, atol=1e-7) for e in out):
            out.append(entry)
    out.sort(key=lambda e: (e.k, e.loss))
    return tuple(out)


def annihilate_task(
    spec: str, coords: list, k: float, extra_dims: int, max_extra: int, refine: bool = False
) -> Annihilation | AnnihilationSkipped:
    """Over-parameterisation of a spurious minimum at ``k``: ``smallest_extra``, ``annihilated_at``.

    With ``refine``, ``coords`` is only an approximation at ``k`` (interpolated
    on the family's branch, inside its minimum window) and is first corrected by
    Newton's method; if Newton moves it away, or the corrected point is not a
    local minimum there, the result is an :class:`AnnihilationSkipped` record
    (status ``"error"`` or ``"not_a_minimum"``) instead of the analysis.
    """
    group = IsotropyGroup.from_spec(spec, k, d=k + extra_dims)
    c = np.asarray(coords, float)
    if refine:
        res = newton(ReducedSystem(group), c)
        moved = float(np.max(np.abs(res.x - c))) if res.converged else math.inf
        if moved > 1e-2 * max(1.0, float(np.max(np.abs(c)))):
            return AnnihilationSkipped(
                k=k, status="error", message=f"Newton at k = {k:g}: {res.message}"
            )
        c = res.x
        if analytic_spectrum(group, c).index != 0:
            return AnnihilationSkipped(
                k=k, status="not_a_minimum", coords=tuple(float(x) for x in c)
            )
    out = annihilation(group, c, max_extra=max_extra).to_json()
    out["k"] = k
    out["coords"] = [float(x) for x in c]
    return Annihilation.from_json(out)


def spectrum_task(spec: str, coords: list, k: float, extra_dims: int) -> tuple[SpectrumRow, ...]:
    """The analytic spectrum of a point (one row per eigenvalue)."""
    group = IsotropyGroup.from_spec(spec, k, d=k + extra_dims)
    return tuple(SpectrumRow.from_json(e) for e in analytic_spectrum(group, coords).to_json())


def _rows_to_json(rows) -> list:
    return [r.to_json() for r in rows]


def _rows_from_json(data) -> tuple[SpectrumRow, ...]:
    return tuple(SpectrumRow.from_json(e) for e in data)


#: per task: (record -> JSON for the cache, cached JSON -> record)
UNIT_CODECS = {
    "search_task": (lambda r: r.to_json(), SearchRecord.from_json),
    "continue_task": (lambda r: r.to_json(), Continuation.from_json),
    "annihilate_task": (lambda r: r.to_json(), annihilation_from_json),
    "spectrum_task": (_rows_to_json, _rows_from_json),
}
