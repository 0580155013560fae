r"""Events along a branch: zeros of the eigenvalues of each isotypic block ``A_χ``.

Counting negative eigenvalues of the whole Hessian is not enough to find
where the index changes: at a symmetry-breaking point ``dim χ`` eigenvalues
(``k − 2`` or more) cross zero together, an eigenvalue can touch zero without
crossing, and eigenvalues of different blocks cross each other.  Each block
is therefore tracked on its own (BifurcationKit's users meet all three
problems when they track the full spectrum):

1. At every branch point the sorted eigenvalues ``λ_1 ≤ … ≤ λ_μ`` of every
   block are known.  The ``j``-th smallest eigenvalue of a symmetric matrix is
   a continuous function of the matrix, so a sign change of ``λ_j`` between two
   points brackets a zero of the continuous function
   ``g(σ) = λ_j(A_χ(z(σ)))``, even if eigenvalues of the block cross each
   other in between.
2. ``z(σ)`` is the branch point at arclength ``σ`` from the segment's first
   point (the corrector of :mod:`~symbreak.continuation.corrector`), so
   ``g`` is defined through folds as well; Brent's method finds its zero
   ``σ_*`` and ``k_* = k(z(σ_*))``, and the bracket is verified afterwards, so
   ``|Δk| ≤ event_tol`` (reported as ``k_error``).
3. *Branch points.*  Where another branch crosses (for instance a more
   symmetric family at its own symmetry-breaking point) ``∂_z F`` is singular
   and Newton's method cannot resolve ``z(σ)`` arbitrarily close to the
   crossing.  Every corrected point is checked against an interpolant of the
   points already computed on the segment (it must lie within
   ``O(Δσ²)`` of it, or it is on the other branch); when the root finder needs
   a point the corrector cannot deliver, the zero is taken from a cubic
   least-squares fit of ``g`` on reliable points around the bracket, and
   ``k_error`` is the difference with a quadratic fit (typically
   ``1e-7``–``1e-9`` there, instead of ``1e-12``).
4. *Touching*: where ``|λ_j|`` has a local minimum at a branch point, with
   the same sign on both sides, and either its value or the minimum of the
   parabola through the three neighbouring values is below ``touch_tol``,
   ``λ_j`` is minimised over the two adjacent segments; a sign change there
   means two crossings inside one step (both located), a minimum below
   ``touch_zero`` is recorded as a ``"touch"``.
5. The trivial block's zeros are folds (``dk/ds`` changes sign) or branch
   points inside ``Fix(H)``; the others are symmetry-breaking points, of
   multiplicity ``dim χ`` at ``k_*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize

from ..spectrum import ZERO_TOL, hessian_blocks
from .branch import BranchPoint, Event, as_count
from .corrector import correct, tangent
from .family import KFamily
from .options import ContinuationOptions

__all__ = ["BlockSample", "block_samples", "index_from_samples", "locate_events"]


@dataclass(frozen=True)
class BlockSample:
    """Eigenvalues of one block ``A_χ`` at one point."""

    label: str
    types: tuple[str, ...]
    dimension: float
    eigenvalues: np.ndarray

    @property
    def is_trivial(self) -> bool:
        return all(t == "triv" for t in self.types)


def block_samples(family: KFamily, coords, k: float) -> tuple[BlockSample, ...]:
    """Every block's sorted eigenvalues at ``(coords, k)``.

    Blocks whose dimension is ``<= 0`` are dropped: at integer sizes the
    irrep does not occur, and at a real size below the irrep's smallest block
    (for example ``[m−2,2]`` with ``m < 3``) its dimension polynomial is not
    positive and describes nothing.
    """
    group = family.group(k)
    out = []
    for b in hessian_blocks(group, coords):
        if float(b.dimension) <= 0.0:
            continue  # the irrep does not occur at these sizes
        out.append(
            BlockSample(
                label=b.label,
                types=tuple(b.irrep.types),
                dimension=float(b.dimension),
                eigenvalues=np.asarray(b.eigenvalues, dtype=float),
            )
        )
    return tuple(out)


def index_from_samples(samples, *, skip=None, zero_tol: float = ZERO_TOL) -> float:
    """``Σ_χ dim χ · #{λ < −zero_tol}`` (optionally skipping one ``(label, j)``)."""
    total = 0.0
    for s in samples:
        neg = s.eigenvalues < -zero_tol
        if skip is not None and s.label == skip[0]:
            neg = neg.copy()
            neg[skip[1]] = False
        total += s.dimension * int(np.count_nonzero(neg))
    return total


class _Path:
    """The branch between its accepted points: ``z(σ)`` on segment ``i`` (cached).

    ``z(σ)`` solves ``F(z) = 0``, ``t_i·(z − z_i) = σ``.  The Newton predictor
    interpolates the nearest points already computed on the segment (a cubic
    Hermite interpolant of the end points at first); a solution farther than
    ``O(Δσ²)`` from it belongs to another branch and is refused
    (``ValueError``), as is a failed Newton run after walking towards ``σ``
    from the nearest computed point, and a point where the bordered Jacobian
    is a thousand times worse conditioned than at the segment's ends (next to
    a branch point, where Newton's answer is not accurate).
    """

    def __init__(self, family, points, zs, options):
        self.family = family
        self.points = points
        self.zs = zs
        self.robust = ContinuationOptions(
            **{**options.to_json(), "max_newton": max(30, options.max_newton), "contraction": 0.95}
        )
        self.ends = [float(points[i].tangent @ (zs[i + 1] - zs[i])) for i in range(len(points) - 1)]
        self._known: dict[int, dict[float, np.ndarray]] = {}
        self._refs: dict[int, float] = {}
        self._cache: dict = {}

    def _hermite(self, seg: int, sigma: float) -> np.ndarray:
        z0, z1 = self.zs[seg], self.zs[seg + 1]
        t0, t1 = self.points[seg].tangent, self.points[seg + 1].tangent
        h = float(np.linalg.norm(z1 - z0))
        x = sigma / self.ends[seg] if self.ends[seg] else 0.0
        h00, h10 = 2 * x**3 - 3 * x**2 + 1, x**3 - 2 * x**2 + x
        h01, h11 = -2 * x**3 + 3 * x**2, x**3 - x**2
        return h00 * z0 + h10 * h * t0 + h01 * z1 + h11 * h * t1

    def _curvature(self, seg: int) -> float:
        t0, t1 = self.points[seg].tangent, self.points[seg + 1].tangent
        h = float(np.linalg.norm(self.zs[seg + 1] - self.zs[seg]))
        return float(np.linalg.norm(t1 - t0)) / max(h, 1e-300)

    def _conditioning(self, z, t) -> float:
        """Smallest singular value of the bordered Jacobian ``[∂_z F; t^T]`` at ``z``."""
        _, J = self.family.jacobian(z)
        return float(np.linalg.svd(np.vstack([J, t]), compute_uv=False)[-1])

    def _reference(self, seg: int) -> float:
        ref = self._refs.get(seg)
        if ref is None:
            t = self.points[seg].tangent
            ref = min(self._conditioning(self.zs[seg], t), self._conditioning(self.zs[seg + 1], t))
            self._refs[seg] = ref
        return ref

    def _known_points(self, seg: int) -> dict[float, np.ndarray]:
        return self._known.setdefault(seg, {0.0: self.zs[seg], self.ends[seg]: self.zs[seg + 1]})

    def z(self, seg: int, sigma: float, depth: int = 0) -> np.ndarray:
        sigma = float(sigma)
        known = self._known_points(seg)
        if sigma in known:
            return known[sigma]
        lo, hi = sorted((0.0, self.ends[seg]))
        if not lo <= sigma <= hi:
            raise ValueError(f"σ = {sigma} is outside segment {seg}")
        below = [q for q in known if q <= sigma]
        above = [q for q in known if q >= sigma]
        a, b = max(below), min(above)
        if (a, b) == (lo, hi):
            guess = self._hermite(seg, sigma)
        else:
            w = (sigma - a) / (b - a)
            guess = (1 - w) * known[a] + w * known[b]
        gap = b - a
        t = self.points[seg].tangent
        res = correct(self.family, guess, t, float(t @ self.zs[seg]) + sigma, self.robust)
        allowed = 10.0 * gap**2 * (1.0 + self._curvature(seg)) + 1e-9
        if res.converged and float(np.max(np.abs(res.z - guess))) <= allowed:
            if self._conditioning(res.z, t) < 1e-3 * self._reference(seg):
                raise ValueError(f"σ = {sigma} is next to a branch point on segment {seg}")
            known[sigma] = res.z
            return res.z
        if depth >= 12 or gap <= 1e-6 * abs(self.ends[seg]):
            raise ValueError(f"z(σ) is not reliable at σ = {sigma} on segment {seg}")
        # walk towards sigma from the nearest computed point (a short continuation)
        near = a if sigma - a <= b - sigma else b
        self.z(seg, 0.5 * (near + sigma), depth + 1)
        return self.z(seg, sigma, depth + 1)

    def samples(self, seg: int, sigma: float):
        key = (seg, float(sigma))
        hit = self._cache.get(key)
        if hit is None:
            z = self.z(seg, sigma)
            c, k = self.family.split(z)
            hit = (z, block_samples(self.family, c, k))
            self._cache[key] = hit
        return hit

    def value(self, seg: int, sigma: float, label: str, j: int, drop: int = 0) -> float:
        """The ``j``-th eigenvalue of a block, after removing ``drop`` structural zeros."""
        _, samples = self.samples(seg, sigma)
        for s in samples:
            if s.label == label:
                vals = _drop_near_zero(s.eigenvalues, drop)
                if vals.size > j:
                    return float(vals[j])
        raise ValueError(f"block {label} is absent at this point")

    # ``u`` runs over two consecutive segments: u < 0 on seg−1, u >= 0 on seg
    def at_u(self, seg: int, u: float) -> tuple[int, float]:
        if u < 0:
            return seg - 1, self.ends[seg - 1] + u
        return seg, u


def _drop_near_zero(vals: np.ndarray, count: int) -> np.ndarray:
    """``vals`` (sorted) without the ``count`` entries closest to zero.

    A block may carry eigenvalues that vanish identically along a branch (for
    example where rows of ``W`` coincide and only their sum matters).  Such a
    structural zero is not an event, and removing it keeps the sorted matching
    of the other eigenvalues — one of which may cross zero right through it.
    """
    if count <= 0:
        return vals
    return np.delete(vals, np.argsort(np.abs(vals), kind="stable")[:count])


def _sample_map(point: BranchPoint):
    return {lab: vals for lab, vals in point.eigenvalues}


class _Recorder:
    """Wraps ``g`` and remembers every value it could compute (and where it could not)."""

    def __init__(self, g):
        self.g = g
        self.values: dict[float, float] = {}
        self.failed: list[float] = []

    def __call__(self, x: float) -> float:
        x = float(x)
        if x not in self.values:
            try:
                self.values[x] = self.g(x)
            except ValueError:
                self.failed.append(x)
                raise
        return self.values[x]

    def maybe(self, x: float) -> None:
        try:
            self(x)
        except ValueError:
            pass


def _root(g, a: float, b: float, xtol: float) -> tuple[float, float]:
    """Zero of ``g`` in ``[a, b]`` (sign change assumed) and a bound on its error.

    Brent's method, then a check that ``g`` changes sign across ``r ± δ``.  If
    ``g`` cannot be evaluated somewhere (next to a branch point), a cubic fit
    of reliable values around that place gives the zero (module notes).
    """
    lo, hi = min(a, b), max(a, b)
    rec = _Recorder(g)
    rec(lo), rec(hi)
    try:
        r = scipy.optimize.brentq(rec, lo, hi, xtol=xtol, rtol=4 * np.finfo(float).eps)
        delta = xtol
        while delta < (hi - lo):
            fl, fr = rec(max(lo, r - delta)), rec(min(hi, r + delta))
            if fl == 0.0 or fr == 0.0 or (fl < 0) != (fr < 0):
                return r, delta
            delta *= 10.0
        return r, hi - lo
    except ValueError:
        return _fit_root(rec, lo, hi)


def _fit_root(rec: _Recorder, lo: float, hi: float) -> tuple[float, float]:
    """Zero of a cubic least-squares fit of reliable values around the failure."""
    center = rec.failed[-1]
    step = 1e-4 * (hi - lo)
    while step < hi - lo:
        for x in (center - step, center + step):
            if lo <= x <= hi:
                rec.maybe(x)
        left = [x for x in rec.values if x < center]
        right = [x for x in rec.values if x > center]
        if (
            len([x for x in left if center - x <= step]) >= 1
            and len([x for x in right if x - center <= step]) >= 1
            and step >= 8e-4 * (hi - lo)
        ):
            break
        step *= 2.0
    left = sorted((x for x in rec.values if x < center), reverse=True)[:4]
    right = sorted(x for x in rec.values if x > center)[:4]
    xs = np.array(left + right)
    if len(left) < 2 or len(right) < 2:
        raise ValueError("not enough reliable points to locate the zero")
    ys = np.array([rec.values[x] for x in xs])
    scale = float(np.max(np.abs(xs - center)))
    roots = []
    for deg in (3, 2):
        coef = np.polynomial.polynomial.polyfit((xs - center) / scale, ys, deg)
        cand = [
            center + scale * float(z.real)
            for z in np.polynomial.polynomial.polyroots(coef)
            if abs(z.imag) < 1e-9 and abs(z.real) <= 1.0
        ]
        if not cand:
            raise ValueError("the fitted polynomial has no zero near the failure")
        roots.append(min(cand, key=lambda x: abs(x - center)))
    return roots[0], abs(roots[0] - roots[1]) + 1e-14 * (hi - lo)


def _make_event(
    path, seg, sigma, label, j, sign_before, sign_after, kind_hint, k_err_sigma, drop=0
):
    fam = path.family
    try:
        z, samples = path.samples(seg, sigma)
    except ValueError:
        # at a branch point itself: the chord between the nearest reliable points
        known = path._known_points(seg)
        a = max(q for q in known if q <= sigma)
        b = min(q for q in known if q >= sigma)
        w = 0.0 if b == a else (sigma - a) / (b - a)
        z = (1 - w) * known[a] + w * known[b]
        c, k = fam.split(z)
        samples = block_samples(fam, c, k)
    c, k = fam.split(z)
    sample = next(s for s in samples if s.label == label)
    dim = sample.dimension
    dims = {s.label: s.dimension for s in samples}
    before = _side_index(path, seg, sigma, -1, dims, label, j, sign_before, drop)
    after = _side_index(path, seg, sigma, +1, dims, label, j, sign_after, drop)
    if kind_hint == "touch":
        kind = "touch"
    elif sample.is_trivial:
        kind = "fold" if _turns(path, seg, sigma) else "branch_point"
    else:
        kind = "symmetry_breaking"
    # |dz_N/dσ| <= 1 along the branch, so |Δk| <= (dk/dz_N) |Δσ|
    k_error = abs(fam.dk_dz(k)) * k_err_sigma
    return Event(
        kind=kind,
        k=k,
        irrep=label,
        irrep_types=sample.types,
        multiplicity=as_count(dim),
        index_before=as_count(before),
        index_after=as_count(after),
        coords=np.asarray(c, dtype=float),
        eigenvalue=int(j),
        k_error=float(k_error),
        segment=int(seg),
    ), sigma


def _side_index(path, seg, sigma, side, dims, label, j, sign, drop=0) -> float:
    """Index just before (``side = −1``) or after (``+1``) ``σ``, multiplicities from ``dims``.

    Negative eigenvalues are counted at the nearest reliable point on that
    side (at most 1e-4 of the segment away, else the segment's end), where
    every eigenvalue that vanishes at ``σ`` has left zero; the crossing
    eigenvalue itself gets the sign it has on that side.
    """
    end = path.ends[seg]
    samples = None
    for rel in (1e-7, 1e-6, 1e-5, 1e-4):
        x = sigma + side * rel * abs(end)
        if not min(0.0, end) <= x <= max(0.0, end):
            break
        try:
            samples = path.samples(seg, x)[1]
            break
        except ValueError:
            continue
    if samples is None:
        samples = path.samples(seg, 0.0 if side < 0 else end)[1]
    total = 0.0
    for s in samples:
        neg = s.eigenvalues < -ZERO_TOL
        reduced = _drop_near_zero(s.eigenvalues, drop) if s.label == label else None
        if reduced is not None and reduced.size > j:
            jfull = int(np.flatnonzero(s.eigenvalues == reduced[j])[0])
            neg = neg.copy()
            neg[jfull] = sign < 0
        total += dims.get(s.label, s.dimension) * int(np.count_nonzero(neg))
    return total


def _turns(path, seg, sigma) -> bool:
    """True when ``dk/ds`` changes sign near ``σ`` (a fold)."""
    end = path.ends[seg]
    t0 = path.points[seg].tangent
    for rel in (1e-7, 1e-5, 1e-3):
        delta = rel * abs(end)
        signs = []
        try:
            for s in (max(0.0, sigma - delta), min(end, sigma + delta)):
                signs.append(tangent(path.family, path.z(seg, s), previous=t0)[-1] > 0)
        except ValueError:
            continue
        return signs[0] != signs[1]
    t1 = path.points[seg + 1].tangent
    return (t0[-1] > 0) != (t1[-1] > 0)


def _sigma_xtol(path, seg, options) -> float:
    """Arclength tolerance that gives ``|Δk| ≤ event_tol / 2`` on this segment."""
    fam = path.family
    kmax = max(fam.split(path.zs[seg])[1], fam.split(path.zs[seg + 1])[1])
    return max(0.5 * options.event_tol / max(fam.dk_dz(kmax), 1e-300), 1e-15)


def locate_events(
    family: KFamily,
    points: tuple[BranchPoint, ...],
    options: ContinuationOptions,
) -> tuple[Event, ...]:
    """All events between consecutive points of a branch (see the module docstring).

    Parameters
    ----------
    family : KFamily
        The family the points belong to.
    points : tuple of BranchPoint
        Accepted points with their tangents and block eigenvalues.
    options : ContinuationOptions
        ``event_tol``, ``touch_tol``, ``touch_zero`` and the corrector's
        tolerances.

    Returns
    -------
    tuple of Event
        In the order of the branch.
    """
    if len(points) < 2:
        return ()
    zs = [family.to_z(p.coords, p.k) for p in points]
    path = _Path(family, points, zs, options)
    found: list[tuple[int, float, Event]] = []
    maps = [_sample_map(p) for p in points]

    # 1. sign changes of the j-th eigenvalue of a block over a segment
    for i in range(len(points) - 1):
        A, B = maps[i], maps[i + 1]
        xtol = _sigma_xtol(path, i, options)
        for label, a_full in A.items():
            b_full = B.get(label)
            if b_full is None or b_full.size != a_full.size:
                continue
            tz = options.touch_zero
            drop = min(
                int(np.count_nonzero(np.abs(a_full) <= tz)),
                int(np.count_nonzero(np.abs(b_full) <= tz)),
            )
            a, b = _drop_near_zero(a_full, drop), _drop_near_zero(b_full, drop)
            for j in range(a.size):
                if a[j] * b[j] >= 0 or max(abs(a[j]), abs(b[j])) <= tz:
                    continue
                try:
                    sigma, half = _root(_bound(path, i, label, j, drop), 0.0, path.ends[i], xtol)
                    ev, s = _make_event(path, i, sigma, label, j, a[j], b[j], None, half, drop)
                except (ValueError, RuntimeError, StopIteration):
                    continue
                found.append((i, s, ev))

    # 2. eigenvalues that come close to zero at a point without a sign change
    arc = np.concatenate([[0.0], np.cumsum(path.ends)])
    for i in range(1, len(points) - 1):
        P, C, N = maps[i - 1], maps[i], maps[i + 1]
        for label, c in C.items():
            a, b = P.get(label), N.get(label)
            if a is None or b is None or not (a.size == b.size == c.size):
                continue
            for j in range(c.size):
                v = c[j]
                if v == 0.0 or not (np.sign(a[j]) == np.sign(v) == np.sign(b[j])):
                    continue
                if not (abs(v) < abs(a[j]) and abs(v) <= abs(b[j])):
                    continue  # not a local minimum of |λ|
                sign = float(np.sign(v))
                low = _parabola_min(arc[i - 1 : i + 2], sign * np.array([a[j], v, b[j]]))
                if abs(v) >= options.touch_tol and low >= options.touch_tol:
                    continue
                if max(abs(a[j]), abs(b[j])) <= options.touch_zero:
                    continue  # identically (numerically) zero: no event
                found.extend(_examine_touch(path, i, label, j, sign, options))

    found.sort(key=lambda x: (x[0], x[1]))
    return tuple(ev for _, _, ev in found)


def _parabola_min(x, y) -> float:
    """Minimum of the parabola through three points (``y[1]`` if it opens downward)."""
    a, b, c = np.polyfit(np.asarray(x) - x[1], y, 2)
    return float(c - b * b / (4 * a)) if a > 0 else float(y[1])


def _bound(path, seg, label, j, drop=0):
    def g(sigma):
        return path.value(seg, sigma, label, j, drop)

    return g


def _examine_touch(path, i, label, j, sign, options):
    lo, hi = -path.ends[i - 1], path.ends[i]

    def h(u):
        seg, s = path.at_u(i, u)
        return sign * path.value(seg, s, label, j)

    try:
        res = scipy.optimize.minimize_scalar(
            h, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * (hi - lo)}
        )
    except ValueError:
        return []
    u_min, m = float(res.x), float(res.fun)
    out = []
    xtol = min(_sigma_xtol(path, i - 1, options), _sigma_xtol(path, i, options))
    if m < 0:
        for a, b, before, after in ((lo, u_min, sign, -sign), (u_min, hi, -sign, sign)):
            try:
                u, half = _root(h, a, b, xtol)
                seg, s = path.at_u(i, u)
                ev, s = _make_event(path, seg, s, label, j, before, after, None, half)
            except (ValueError, RuntimeError, StopIteration):
                continue
            out.append((seg, s, ev))
    elif m < options.touch_zero:
        seg, s = path.at_u(i, u_min)
        try:
            ev, s = _make_event(path, seg, s, label, j, sign, sign, "touch", 1e-10 * (hi - lo))
        except (ValueError, StopIteration):
            return out
        out.append((seg, s, ev))
    return out
