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
5. *What happened* (:data:`~symbreak.continuation.branch.EVENT_KIND_HELP`).
   Zeros at one point of the branch (within ``1e-6`` of a segment's
   arclength, or meeting the same larger family) form one event.  If the
   point lies in a larger Young-type fixed-point space ``Fix(H')`` that the
   branch itself does not lie in (:func:`larger_symmetry`: blocks merged, and
   rows swapped inside blocks of size 2), the event is a ``"branch_point"``
   that ``meets`` ``H'``: the meeting point is solved for on the larger family
   (a regular point there: Newton at fixed ``k`` in ``Fix(H')`` and Brent on
   the block eigenvalue), and the blocks of ``H`` that vanish there without
   changing sign are added as touches.  A segment whose end tangents disagree
   in ``dk/ds`` holds a turn: it goes to the event there with a trivial block
   or a meeting (``turns``); a turn without a located zero is a ``"fold"`` on
   its own (or a turning ``"branch_point"`` when it meets a larger family:
   the symmetric turning point of a pitchfork seen from the broken branch).
   Otherwise: a turn is a ``"fold"``; only touches, a ``"touch"``; one
   non-trivial block, or several blocks crossing the same way (one irrep of
   the point's larger isotropy), ``"symmetry_breaking"``; anything else
   (the trivial block without a turn, opposite crossings) a
   ``"branch_point"`` with no named family.
6. *Structural zeros.*  An eigenvalue with ``|λ| ≤ 1e-10 · max(1, max|λ|)``
   at both ends of a segment vanishes identically there (persistence along
   the branch, not a threshold at one point): for instance where rows of
   ``W`` coincide, moving them apart along ``(w, −w)`` keeps the network
   function.  Such zeros are removed (the ones nearest zero) before the
   eigenvalues are compared, tracked and examined for touches, so another
   eigenvalue can cross right through them.
7. *Consistency.*  For every segment and block, the change of the number of
   negative eigenvalues between the two points must equal the sum of the
   changes of the located zeros; otherwise an ``"unlocated"`` event records
   the difference and an :class:`UnlocatedEventWarning` is issued.  The index
   before and after each event is built from the point before it and the
   events in between, with the multiplicities at ``k_*``.  A block whose
   number of eigenvalues differs between the two points (absent where its
   dimension polynomial vanishes, or with fewer copies at a degenerate
   integer size) is compared with the branch just next to the degenerate end
   instead, and recorded as a :class:`~symbreak.continuation.branch.BlockChange`
   with the jump of the real-k index there.  :func:`check_branch` repeats the
   check on a stored branch.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from ..errors import ConvergenceError, DomainError
from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import group_at, parse_spec
from ..representation.isotypic import isotypic_decomposition
from ..spectrum import ZERO_TOL, hessian_blocks
from .branch import BlockChange, BranchPoint, Event, EventBlock, as_count
from .corrector import correct
from .family import KFamily
from .options import ContinuationOptions
from .refinement import Refinement, spec_from_factors

#: what one evaluation on the branch may fail with, and the scan survives: a
#: point outside the domain or where ``L`` is not differentiable (a zero row), a
#: corrector that cannot deliver a reliable point, a singular matrix.  Anything
#: else (a bug) propagates.
_FAILURES = (DomainError, ConvergenceError, np.linalg.LinAlgError)

__all__ = [
    "BlockSample",
    "EventScan",
    "UnlocatedEventWarning",
    "block_samples",
    "check_branch",
    "index_from_samples",
    "larger_symmetry",
    "locate_events",
    "scan_events",
    "STRUCTURAL_RTOL",
]


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
    (:class:`~symbreak.errors.ConvergenceError`), as is a failed Newton run
    after walking towards ``σ`` from the nearest computed point, and a point
    where the bordered Jacobian is a thousand times worse conditioned than at
    the segment's ends (next to a branch point, where Newton's answer is not
    accurate).
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
        #: what the scan could not do (a touch not examined, a meeting not refined, ...)
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """Record something the scan dropped (kept on the branch as ``Branch.notes``)."""
        if text not in self.notes:
            self.notes.append(text)

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
                raise ConvergenceError(f"σ = {sigma} is next to a branch point on segment {seg}")
            known[sigma] = res.z
            return res.z
        if depth >= 12 or gap <= 1e-6 * abs(self.ends[seg]):
            raise ConvergenceError(f"z(σ) is not reliable at σ = {sigma} on segment {seg}")
        # walk towards sigma from the nearest computed point (a short continuation)
        near = a if sigma - a <= b - sigma else b
        self.z(seg, 0.5 * (near + sigma), depth + 1)
        return self.z(seg, sigma, depth + 1)

    def point_samples(self, i: int):
        """Block samples (with types and dimensions) at branch point ``i`` (cached)."""
        key = ("point", i)
        hit = self._cache.get(key)
        if hit is None:
            p = self.points[i]
            hit = block_samples(self.family, p.coords, p.k)
            self._cache[key] = hit
        return hit

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
        raise DomainError(f"block {label} is absent at this point")

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
        self.reasons: dict[float, str] = {}

    def __call__(self, x: float) -> float:
        x = float(x)
        if x not in self.values:
            try:
                self.values[x] = self.g(x)
            except _FAILURES as exc:
                self.failed.append(x)
                self.reasons[x] = str(exc)
                raise
        return self.values[x]

    def maybe(self, x: float) -> None:
        """Evaluate if possible; a failure is kept in :attr:`failed`, not raised."""
        try:
            self(x)
        except _FAILURES:
            pass  # recorded in self.failed (and self.reasons) by __call__


def _root(g, a: float, b: float, xtol: float) -> tuple[float, float]:
    """Zero of ``g`` in ``[a, b]`` (sign change assumed) and a bound on its error.

    Brent's method, then a check that ``g`` changes sign across ``r ± δ``.  If
    ``g`` cannot be evaluated somewhere (next to a branch point), a cubic fit
    of reliable values around that place gives the zero (module notes).
    """
    lo, hi = min(a, b), max(a, b)
    rec = _Recorder(g)
    flo, fhi = rec(lo), rec(hi)  # a failure at an end: the caller records it
    if flo * fhi > 0:
        raise ConvergenceError(
            f"no sign change between {lo:.10g} and {hi:.10g} once the ends are recomputed"
        )
    try:
        r = scipy.optimize.brentq(rec, lo, hi, xtol=xtol, rtol=4 * np.finfo(float).eps)
        delta = xtol
        while delta < (hi - lo):
            fl, fr = rec(max(lo, r - delta)), rec(min(hi, r + delta))
            if fl == 0.0 or fr == 0.0 or (fl < 0) != (fr < 0):
                return r, delta
            delta *= 10.0
        return r, hi - lo
    except _FAILURES:
        return _fit_root(rec, lo, hi)
    except RuntimeError as exc:  # Brent's method did not converge
        raise ConvergenceError(f"Brent's method: {exc}") from None


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
        raise ConvergenceError("not enough reliable points to locate the zero")
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
            raise ConvergenceError("the fitted polynomial has no zero near the failure")
        roots.append(min(cand, key=lambda x: abs(x - center)))
    return roots[0], abs(roots[0] - roots[1]) + 1e-14 * (hi - lo)


# ---------------------------------------------------------------- structural zeros
#: |λ| <= STRUCTURAL_RTOL · max(1, max |λ|) at both ends of a segment: a structural zero
STRUCTURAL_RTOL = 1e-10


def _structural(a: np.ndarray, b: np.ndarray) -> int:
    """Eigenvalues of one block that vanish at both ends of a segment (module notes, 6)."""
    if a.size == 0 or b.size == 0:
        return 0
    tol = STRUCTURAL_RTOL * max(1.0, float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    return min(int(np.count_nonzero(np.abs(a) <= tol)), int(np.count_nonzero(np.abs(b) <= tol)))


def _negatives(vals: np.ndarray) -> int:
    return int(np.count_nonzero(vals < 0))


# ---------------------------------------------------------------- larger symmetry
def _merges(group):
    """Young-type groups obtained by merging two blocks of the same kind of ``group``.

    Yields ``(spec, parent)`` with ``parent[t]`` the factor of the coarser group
    that factor ``t`` of ``group`` belongs to.
    """
    facs = group.factors
    explicit_cols = parse_spec(group.spec)[2] is not None
    for a in range(len(facs)):
        for b in range(a + 1, len(facs)):
            if facs[a].kind != facs[b].kind:
                continue
            new = []
            parent = [0] * len(facs)
            for t, f in enumerate(facs):
                if t == b:
                    continue
                parent[t] = len(new)
                new.append((f.kind, f.expr + facs[b].expr if t == a else f.expr))
            parent[b] = parent[a]
            yield spec_from_factors(new, explicit_cols=explicit_cols), tuple(parent)


def _twists(group):
    """Row swaps inside the blocks of constant size 2, as coordinate permutations.

    Swapping the two rows of such a block (an element of ``S_n`` alone) maps
    ``Fix(H)`` to itself and exchanges that block's diagonal and off-diagonal
    entries; it leaves ``L`` and the spectrum unchanged.  A point of
    ``Fix(H)`` may lie in a larger Young-type fixed-point space only after
    such a swap (its isotropy is then conjugate to a Young-type group).
    """
    keys = FixedPointSpace(group).keys
    index = {key: i for i, key in enumerate(keys)}
    blocks = [
        t
        for t, f in enumerate(group.factors)
        if f.kind == "diag" and f.is_constant and abs(f.size - 2.0) < 1e-12
    ]
    out = [np.arange(len(keys))]
    for t in blocks:
        for perm in list(out):
            q = perm.copy()
            i, j = index[(t, t, "diag")], index[(t, t, "off")]
            q[i], q[j] = perm[j], perm[i]
            out.append(q)
    return out


def larger_symmetry(family: KFamily, coords, k: float, *, rtol: float = 1e-6):
    r"""The most symmetric Young-type fixed-point space containing a point of ``Fix(H)``.

    Blocks of ``H`` are merged two at a time while the point stays in the
    fixed-point space of the merged group ``H'``: ``c = E c'`` within
    ``rtol · max(1, ‖c‖_∞)``, where ``E : Fix(H') → Fix(H)`` is the inclusion
    (:meth:`Refinement.matrix <symbreak.continuation.refinement.Refinement.matrix>`
    read from the coarse side), possibly followed by a row swap inside blocks
    of size 2 (:func:`_twists`).  Merging blocks ``A`` and ``B`` asks that their
    rows and columns coincide: equal diagonal entries, and every off-diagonal
    entry inside ``A ∪ B`` equal.

    Returns
    -------
    (spec, coords, E) or None
        The spec of ``H'``, the point's coordinates ``c'`` in ``Fix(H')`` and
        ``E`` (shape ``dim Fix(H) × dim Fix(H')``); ``None`` when no merge keeps
        the point.
    """
    c = np.asarray(coords, dtype=float)
    group = family.group(k)
    E = np.eye(c.size)
    cur = c
    best = None
    scale = max(1.0, float(np.max(np.abs(c))))
    while True:
        found = None
        for perm in _twists(group):
            for spec, parent in _merges(group):
                try:
                    coarse = group_at(spec, k, extra_dims=family.extra_dims)
                except DomainError:
                    continue  # the merged group does not exist at this k
                children = tuple(
                    tuple(t for t, p in enumerate(parent) if p == q) for q in range(max(parent) + 1)
                )
                r = Refinement(
                    old_spec=spec, spec=group.spec, parent=parent, children=children, description=""
                )
                P = r.matrix(coarse)[perm]
                cc = np.linalg.lstsq(P, cur, rcond=None)[0]
                if float(np.max(np.abs(P @ cc - cur))) <= rtol * scale:
                    found = (coarse, cc, P)
                    break
            if found is not None:
                break
        if found is None:
            return best
        group, cur, P = found
        E = E @ P
        best = (group.spec, cur, E)


def _solve_on(fam: KFamily, coords: np.ndarray, k: float, options) -> np.ndarray | None:
    """Newton at fixed ``k`` in ``fam`` from ``coords`` (``None`` if it fails)."""
    z = fam.to_z(coords, k)
    e_last = np.zeros(z.size)
    e_last[-1] = 1.0
    try:
        res = correct(fam, z, e_last, float(z[-1]), options)
    except _FAILURES:
        return None  # the callers record the failure
    return fam.split(res.z)[0] if res.converged else None


@dataclass(frozen=True)
class _Meeting:
    spec: str
    k: float
    coords: np.ndarray  # in Fix(spec)
    point: np.ndarray  # the same point in Fix(H)
    refined: bool = False  # k solved for on the larger family
    why: str = ""  # why not refined (empty when refined, or when no block eigenvalue to follow)


def _meeting(path, seg, coords, k, drops, options, *, loose: bool = False) -> _Meeting | None:
    """The more symmetric family through the branch at ``(coords, k)``, if any.

    The point must lie in a larger fixed-point space (:func:`larger_symmetry`;
    within ``1e-3`` when ``loose``, for points only known to that accuracy)
    that the segment's end points are not in (else the whole branch lies in
    it).  The meeting point is then solved for on the larger family itself,
    where it is a regular point: ``k_*`` is the zero, along that family, of
    the ``Fix(H)`` block eigenvalue nearest zero (Brent), with Newton at fixed
    ``k`` in ``Fix(H')``.
    """
    fam = path.family
    found = larger_symmetry(fam, coords, k, rtol=1e-3 if loose else 1e-6)
    if found is None:
        return None
    spec, cc, E = found
    for end in (seg, seg + 1):
        p = path.points[end]
        lies = larger_symmetry(fam, p.coords, p.k)
        if lies is not None and lies[0] == spec:
            return None  # the branch itself lies in Fix(spec)
    big = KFamily.for_options(spec, fam.extra_dims, options)
    c0 = _solve_on(big, cc, k, options)
    scale = max(1.0, float(np.max(np.abs(coords))))
    if c0 is None or float(np.max(np.abs(E @ c0 - coords))) > (1e-2 if loose else 1e-5) * scale:
        return None
    # the H-block eigenvalue nearest zero at the symmetric point, followed along Fix(spec)
    best = None
    for s in block_samples(fam, E @ c0, k):
        vals = s.eigenvalues
        if vals.size == 0:
            continue
        drop = drops.get((seg, s.label), 0)
        rest = _drop_near_zero(vals, drop)
        if rest.size and (best is None or float(np.min(np.abs(rest))) < best[0]):
            best = (float(np.min(np.abs(rest))), s.label, int(np.argmin(np.abs(rest))), drop)
    if best is None:
        return _Meeting(spec, k, c0, E @ c0)
    _, label, j, drop = best
    guess = {"c": c0}

    def g(kk):
        c = _solve_on(big, guess["c"], kk, options)
        if c is None:
            raise ConvergenceError(f"Newton at fixed k = {kk:.10g} failed on Fix({spec})")
        guess["c"] = c
        s = _sample_of(block_samples(fam, E @ c, kk), label)
        return float(_drop_near_zero(s.eigenvalues, drop)[j])

    dk = max(abs(path.points[seg + 1].k - path.points[seg].k), 1e-6 * k)
    why = "the block eigenvalue does not change sign along the larger family near k"
    try:
        g0 = g(k)
        for step in dk * 2.0 ** np.arange(-8, 3):
            lo, hi = k - step, k + step
            guess["c"] = c0
            glo = g(lo)
            guess["c"] = c0
            ghi = g(hi)
            if glo * g0 <= 0 or ghi * g0 <= 0:
                a, b = (lo, k) if glo * g0 <= 0 else (k, hi)
                guess["c"] = c0
                k_star = scipy.optimize.brentq(g, a, b, xtol=1e-14, rtol=4 * np.finfo(float).eps)
                c_star = _solve_on(big, guess["c"], k_star, options)
                if c_star is not None:
                    return _Meeting(spec, float(k_star), c_star, E @ c_star, True)
                why = f"Newton at fixed k = {k_star:.10g} failed on Fix({spec})"
                break
    except (*_FAILURES, RuntimeError) as exc:  # RuntimeError: Brent's method did not converge
        why = str(exc)
    # not refined: the caller keeps the crossing's own location and notes why
    return _Meeting(spec, k, c0, E @ c0, False, why)


# ---------------------------------------------------------------- raw zeros
@dataclass
class _Zero:
    """A zero of one (non-structural) block eigenvalue at ``(seg, σ)``."""

    seg: int
    sigma: float
    u: float
    label: str
    types: tuple[str, ...]
    j: int
    change: str
    k_err_sigma: float
    drop: int
    coords: np.ndarray | None = None
    k: float = 0.0
    meets: _Meeting | None = None


@dataclass
class _SegmentBlock:
    """One block on one segment: its ends (maybe moved off a degenerate point)."""

    label: str
    types: tuple[str, ...]
    sa: float
    sb: float
    a: np.ndarray
    b: np.ndarray
    drop: int

    @property
    def start_count(self) -> int:
        return _negatives(_drop_near_zero(self.a, self.drop))

    @property
    def end_count(self) -> int:
        return _negatives(_drop_near_zero(self.b, self.drop))


def _sample_of(samples, label):
    return next((s for s in samples if s.label == label), None)


def _present(path, seg, sigma, label) -> bool:
    """Whether block ``label`` occurs at the ``k`` of ``σ`` (its dimension there is positive).

    Cheap: the isotypic decomposition at the ``k`` of the Hermite interpolant,
    no corrector and no Hessian.
    """
    k = path.family.split(path._hermite(seg, sigma))[1]
    try:
        group = group_at(path.family.spec, k, extra_dims=path.family.extra_dims)
    except DomainError:
        return False  # no group at this k: the block is not present
    return any(c.label == label and c.dimension > 0 for c in isotypic_decomposition(group))


def _near_sample(path, seg, at_start: bool, label):
    """The block just inside segment ``seg`` next to one of its ends (``None`` if unreachable).

    Where the block appears inside the segment (its dimension polynomial turns
    positive there), the first place where it is present is found by
    bisection on the cheap test :func:`_present`.
    """
    end = path.ends[seg]

    def at(rel):
        return rel * end if at_start else end - rel * end

    tries = [1e-6, 1e-5, 1e-4, 1e-3]
    if not _present(path, seg, at(1e-6), label):
        lo, hi = 1e-6, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if not _present(path, seg, at(mid), label) else (lo, mid)
        # the interpolant's k is close to, not exactly, the branch's: step on if needed
        tries = [hi + d for d in (1e-6, 1e-4, 1e-3, 1e-2, 5e-2) if hi + d < 1.0]
    for r in tries:
        try:
            sample = _sample_of(path.samples(seg, at(r))[1], label)
        except _FAILURES:
            continue  # try closer to the end; if none works the BlockChange says so
        if sample is not None:
            return at(r), sample
    return None


def _segment_blocks(path, seg, types_of, block_changes):
    """Every block of segment ``seg`` with comparable ends; record the others."""
    points = path.points
    A, B = _sample_map(points[seg]), _sample_map(points[seg + 1])
    out = []
    for label in sorted(set(A) | set(B)):
        a, b = A.get(label), B.get(label)
        sa, sb = 0.0, path.ends[seg]
        if a is None or b is None or a.size != b.size:
            # the end with fewer eigenvalues is degenerate: compare the other end
            # with the branch just next to it
            na = -1 if a is None else a.size
            nb = -1 if b is None else b.size
            at_start = na < nb
            near = _near_sample(path, seg, at_start, label)
            other = b if at_start else a
            deg_point = points[seg] if at_start else points[seg + 1]
            deg_vals = a if at_start else b
            dims = dict(_point_dims(path, seg if at_start else seg + 1))
            if near is None or other is None or near[1].eigenvalues.size != other.size:
                limit = -1
            else:
                limit = int(np.count_nonzero(near[1].eigenvalues < -ZERO_TOL))
            at_deg = 0 if deg_vals is None else int(np.count_nonzero(deg_vals < -ZERO_TOL))
            jump = dims.get(label, 0.0) * (limit - at_deg) if limit >= 0 else None
            k_change = float(deg_point.k)
            if near is not None:
                k_change = float(path.family.split(path.z(seg, near[0]))[1])
            block_changes.append(
                BlockChange(
                    segment=seg,
                    irrep=label,
                    k=k_change,
                    sizes=(0 if a is None else a.size, 0 if b is None else b.size),
                    negatives=(
                        0 if a is None else int(np.count_nonzero(a < -ZERO_TOL)),
                        0 if b is None else int(np.count_nonzero(b < -ZERO_TOL)),
                    ),
                    limit_negatives=limit,
                    index_jump=None if jump is None else float(jump),
                )
            )
            if limit < 0:
                continue
            if at_start:
                sa, a = near[0], near[1].eigenvalues
            else:
                sb, b = near[0], near[1].eigenvalues
        out.append(_SegmentBlock(label, types_of.get(label, ()), sa, sb, a, b, _structural(a, b)))
    return out


def _point_dims(path, i):
    """``(label, dim χ)`` at branch point ``i``."""
    p = path.points[i]
    return [(s.label, s.dimension) for s in path.point_samples(i)] if p is not None else []


# ---------------------------------------------------------------- locating
def _crossings(path, seg, blocks, options) -> tuple[list[_Zero], list[_Zero]]:
    """Sign changes of the non-structural eigenvalues over one segment: located, and not."""
    zeros, failed = [], []
    xtol = _sigma_xtol(path, seg, options)
    for blk in blocks:
        a = _drop_near_zero(blk.a, blk.drop)
        b = _drop_near_zero(blk.b, blk.drop)
        for j in range(min(a.size, b.size)):
            if a[j] * b[j] >= 0:
                continue
            try:
                sigma, half = _root(_bound(path, seg, blk.label, j, blk.drop), blk.sa, blk.sb, xtol)
            except _FAILURES:
                # not located: absorbed by a meeting point, or an "unlocated" event (_check)
                failed.append(
                    _Zero(
                        seg,
                        0.5 * (blk.sa + blk.sb),
                        0.0,
                        blk.label,
                        blk.types,
                        j,
                        "down" if a[j] > 0 else "up",
                        abs(blk.sb - blk.sa),
                        blk.drop,
                    )
                )
                continue
            zeros.append(
                _Zero(
                    seg,
                    sigma,
                    0.0,
                    blk.label,
                    blk.types,
                    j,
                    "down" if a[j] > 0 else "up",
                    half,
                    blk.drop,
                )
            )
    return zeros, failed


def _touches(path, i, drops, types_of, options) -> list[_Zero]:
    """Eigenvalues with a local minimum of ``|λ|`` at point ``i``, examined closely."""
    P, C, N = (_sample_map(path.points[q]) for q in (i - 1, i, i + 1))
    arc = np.array([-path.ends[i - 1], 0.0, path.ends[i]])
    out = []
    for label, c_full in C.items():
        a_full, b_full = P.get(label), N.get(label)
        if a_full is None or b_full is None or not (a_full.size == b_full.size == c_full.size):
            continue
        drop = max(drops.get((i - 1, label), 0), drops.get((i, label), 0))
        a, c, b = (_drop_near_zero(v, drop) for v in (a_full, c_full, b_full))
        for j in range(c.size):
            v = c[j]
            if v == 0.0 or not (np.sign(a[j]) == np.sign(v) == np.sign(b[j])):
                continue
            if not (abs(v) < abs(a[j]) and abs(v) <= abs(b[j])):
                continue  # not a local minimum of |λ|
            sign = float(np.sign(v))
            low = _parabola_min(arc, sign * np.array([a[j], v, b[j]]))
            if abs(v) >= options.touch_tol and low >= options.touch_tol:
                continue
            out.extend(
                _examine_touch(path, i, label, types_of.get(label, ()), j, sign, drop, options)
            )
    return out


def _parabola_min(x, y) -> float:
    """Minimum of the parabola through three points (``y[1]`` if it opens downward)."""
    a, b, c = np.polyfit(np.asarray(x) - x[1], y, 2)
    return float(c - b * b / (4 * a)) if a > 0 else float(y[1])


def _bound(path, seg, label, j, drop=0):
    def g(sigma):
        return path.value(seg, sigma, label, j, drop)

    return g


def _examine_touch(path, i, label, types, j, sign, drop, options) -> list[_Zero]:
    lo, hi = -path.ends[i - 1], path.ends[i]

    def h(u):
        seg, s = path.at_u(i, u)
        return sign * path.value(seg, s, label, j, drop)

    where = f"block {label}, eigenvalue {j}, near branch point {i} (k = {path.points[i].k:.10g})"
    try:
        res = scipy.optimize.minimize_scalar(
            h, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * (hi - lo)}
        )
    except _FAILURES as exc:
        path.note(f"touch not examined: {where}: {exc}")
        return []
    u_min, m = float(res.x), float(res.fun)
    out = []
    xtol = min(_sigma_xtol(path, i - 1, options), _sigma_xtol(path, i, options))
    if m < 0:
        for a, b, change in (
            (lo, u_min, "down" if sign > 0 else "up"),
            (u_min, hi, "up" if sign > 0 else "down"),
        ):
            try:
                u, half = _root(h, a, b, xtol)
            except _FAILURES as exc:
                path.note(f"one of two crossings inside a step not located: {where}: {exc}")
                continue
            seg, s = path.at_u(i, u)
            out.append(_Zero(seg, s, 0.0, label, types, j, change, half, drop))
    elif m < options.touch_zero:
        seg, s = path.at_u(i, u_min)
        out.append(_Zero(seg, s, 0.0, label, types, j, "touch", 1e-10 * (hi - lo), drop))
    return out


def _sigma_xtol(path, seg, options) -> float:
    """Arclength tolerance that gives ``|Δk| ≤ event_tol / 2`` on this segment."""
    fam = path.family
    kmax = max(fam.split(path.zs[seg])[1], fam.split(path.zs[seg + 1])[1])
    return max(0.5 * options.event_tol / max(fam.dk_dz(kmax), 1e-300), 1e-15)


def _point_on_path(path, seg, sigma):
    """``z(σ)``, or the chord between the nearest reliable points next to a branch point."""
    try:
        return path.samples(seg, sigma)[0]
    except _FAILURES:
        known = path._known_points(seg)
        a = max(q for q in known if q <= sigma)
        b = min(q for q in known if q >= sigma)
        w = 0.0 if b == a else (sigma - a) / (b - a)
        return (1 - w) * known[a] + w * known[b]


def _turn_sigma(path, seg) -> float:
    """Where ``k`` is extremal on a segment whose end tangents disagree in ``dk/ds`` (Hermite)."""
    L = path.ends[seg]
    xs = np.linspace(0.0, L, 401)
    zl = np.array([path._hermite(seg, x)[-1] for x in xs])
    t0 = path.points[seg].tangent[-1]
    q = int(np.argmax(zl) if t0 > 0 else np.argmin(zl))
    return float(xs[q])


# ---------------------------------------------------------------- events
@dataclass(frozen=True)
class EventScan:
    """Result of :func:`scan_events`.

    Attributes
    ----------
    events : tuple of Event
        In the order of the branch.
    block_changes : tuple of BlockChange
        Blocks whose eigenvalue count differs between consecutive points.
    notes : tuple of str
        What the scan could not do and dropped, one sentence each: a touch
        that could not be examined, one of two crossings inside a step that
        could not be located, a meeting point not refined on the larger
        family.  (A sign change that is not located is an ``"unlocated"``
        event instead.)
    """

    events: tuple[Event, ...]
    block_changes: tuple[BlockChange, ...]
    notes: tuple[str, ...] = ()

    def fields(self) -> dict:
        """The keyword arguments of :class:`~symbreak.continuation.branch.Branch` it fills."""
        return {"events": self.events, "block_changes": self.block_changes, "notes": self.notes}


class UnlocatedEventWarning(RuntimeWarning):
    """The index changed between two branch points and no located event explains it."""


def locate_events(
    family: KFamily,
    points: tuple[BranchPoint, ...],
    options: ContinuationOptions,
) -> tuple[Event, ...]:
    """All events between consecutive points of a branch (:func:`scan_events`'s events)."""
    return scan_events(family, points, options).events


def scan_events(
    family: KFamily,
    points: tuple[BranchPoint, ...],
    options: ContinuationOptions,
) -> EventScan:
    """Events along a branch and its per-segment consistency check (module notes).

    Parameters
    ----------
    family : KFamily
        The family the points belong to.
    points : tuple of BranchPoint
        Accepted points with their tangents and block eigenvalues.
    options : ContinuationOptions
        ``detect_events`` (nothing is scanned when False), ``event_tol``,
        ``touch_tol``, ``touch_zero`` and the corrector's tolerances.

    Returns
    -------
    EventScan
        Events in the order of the branch (an ``"unlocated"`` event, with an
        :class:`UnlocatedEventWarning`, wherever the number of negative
        eigenvalues of a block changes between two points and the located
        events do not account for it), and the blocks whose size changes.

    Warns
    -----
    UnlocatedEventWarning
        For every ``"unlocated"`` event.
    """
    if len(points) < 2 or not options.detect_events:
        return EventScan((), ())
    zs = [family.to_z(p.coords, p.k) for p in points]
    path = _Path(family, points, zs, options)
    arc = np.concatenate([[0.0], np.cumsum(path.ends)])
    types_of: dict[str, tuple[str, ...]] = {}
    for i, p in enumerate(points):
        if any(label not in types_of for label, _ in p.eigenvalues):
            for s in path.point_samples(i):
                types_of.setdefault(s.label, s.types)
    block_changes: list[BlockChange] = []
    seg_blocks = [_segment_blocks(path, i, types_of, block_changes) for i in range(len(points) - 1)]
    drops = {(i, b.label): b.drop for i, bl in enumerate(seg_blocks) for b in bl}

    zeros: list[_Zero] = []
    failed: list[_Zero] = []
    for i, bl in enumerate(seg_blocks):
        found, missed = _crossings(path, i, bl, options)
        zeros.extend(found)
        failed.extend(missed)
    for i in range(1, len(points) - 1):
        zeros.extend(_touches(path, i, drops, types_of, options))
    for z in zeros:
        z.u = float(arc[z.seg] + z.sigma)
        zz = _point_on_path(path, z.seg, z.sigma)
        z.coords, z.k = family.split(zz)
        if larger_symmetry(family, z.coords, z.k, rtol=1e-3) is not None:
            z.meets = _meeting(path, z.seg, z.coords, z.k, drops, options, loose=True)
    zeros.sort(key=lambda z: z.u)

    turns = [
        i
        for i in range(len(points) - 1)
        if (points[i].tangent.size and points[i + 1].tangent.size)
        and (points[i].tangent[-1] > 0) != (points[i + 1].tangent[-1] > 0)
    ]
    clusters = _clusters(zeros, path)
    events = _classify(path, clusters, turns, drops, arc, options, failed)
    events = _check(path, events, seg_blocks, clusters, block_changes, options)
    return EventScan(tuple(events), tuple(block_changes), tuple(path.notes))


def _clusters(zeros, path) -> list[list[_Zero]]:
    """Zeros at one point of the branch: within a tiny arclength, or meeting one family."""
    out: list[list[_Zero]] = []
    for z in zeros:
        if out:
            last = out[-1]
            length = max(path.ends[last[0].seg], path.ends[z.seg])
            near = abs(z.u - last[-1].u) <= 1e-6 * length
            same = (
                z.meets is not None
                and last[0].meets is not None
                and z.meets.spec == last[0].meets.spec
                and abs(z.u - last[0].u) <= 1e-2 * length
            )
            if near or same:
                last.append(z)
                continue
        out.append([z])
    return out


def _classify(path, clusters, turns, drops, arc, options, failed=None) -> list:
    fam = path.family
    failed = [] if failed is None else failed
    out = []
    free_turns = list(turns)
    for cl in clusters:
        first = cl[0]
        ks = [z.k for z in cl]
        k = float(np.median(ks))
        meets = next((z.meets for z in cl if z.meets is not None), None)
        coords = first.coords
        if meets is not None:
            k, coords = meets.k, meets.point
        samples = block_samples(fam, coords, k)
        dims = {s.label: s.dimension for s in samples}
        if meets is not None:
            cl.extend(
                _absorb(path, failed, {first.seg, cl[-1].seg}, drops, samples, first, coords, k)
            )
        blocks = [
            EventBlock(
                z.label,
                z.types,
                as_count(dims.get(z.label, 0.0)),
                z.j,
                z.change,
                -1 if z.seg == first.seg else z.seg,
            )
            for z in cl
        ]
        if meets is not None:
            blocks += _touching_blocks(path, first.seg, drops, samples, {z.label for z in cl})
        # a turn in this segment (or the next one, for a zero at a branch point) belongs here
        turn = next(
            (t for t in free_turns if t in (first.seg, cl[-1].seg)),
            None,
        )
        has_trivial = any(b.is_trivial for b in blocks)
        turns_here = turn is not None and (has_trivial or meets is not None)
        if turns_here:
            free_turns.remove(turn)
        crossing = [b for b in blocks if b.change != "touch"]
        if meets is not None:
            kind = "branch_point"
        elif turns_here:
            kind = "fold"
        elif not crossing:
            kind = "touch"
        elif len(crossing) == 1 and not crossing[0].is_trivial:
            kind = "symmetry_breaking"
        elif len(crossing) > 1 and len({b.change for b in crossing}) == 1:
            # several blocks crossing together, the same way, where no other family
            # meets the branch: they carry one irrep of the point's larger isotropy
            # (blocks exchanged by a permutation of equal blocks, or merged blocks)
            kind = "symmetry_breaking"
        else:
            kind = "branch_point"
        k_error = max(abs(fam.dk_dz(z.k)) * z.k_err_sigma for z in cl) + (max(ks) - min(ks))
        if meets is not None and meets.refined:
            k_error = 1e-12 * max(1.0, k)  # solved on the larger family (a regular point there)
        _note_unrefined(path, meets)
        out.append(
            (
                first.u,
                dict(
                    kind=kind,
                    k=k,
                    coords=np.asarray(coords, dtype=float),
                    k_error=float(k_error),
                    segment=int(first.seg),
                    blocks=tuple(blocks),
                    meets=None if meets is None else meets.spec,
                    meets_coords=None if meets is None else np.asarray(meets.coords, float),
                    turns=bool(turns_here),
                    dims=dims,
                ),
                cl,
            )
        )
    for t in free_turns:
        # a turn without a located zero: still a fold (the trivial block is singular there)
        sigma = _turn_sigma(path, t)
        c, k = fam.split(_point_on_path(path, t, sigma))
        k_error = float(abs(path.points[t + 1].k - path.points[t].k))
        meets = _meeting(path, t, c, k, drops, options, loose=True)
        if meets is not None:
            k, c = meets.k, meets.point
            if meets.refined:
                k_error = 1e-12 * max(1.0, k)
            _note_unrefined(path, meets)
        samples = block_samples(fam, c, k)
        dims = {s.label: s.dimension for s in samples}
        members = []
        if meets is not None:
            here = _Zero(t, sigma, float(arc[t] + sigma), "", (), 0, "touch", 0.0, 0, c, k)
            members = _absorb(path, failed, {t}, drops, samples, here, c, k)
        blocks = [
            EventBlock(z.label, z.types, as_count(dims.get(z.label, 0.0)), z.j, z.change)
            for z in members
        ]
        blocks += _touching_blocks(
            path, t, drops, samples, {z.label for z in members}, rtol=1e-6 if meets else 1e-4
        )
        out.append(
            (
                float(arc[t] + sigma),
                dict(
                    kind="fold" if meets is None else "branch_point",
                    k=float(k),
                    coords=np.asarray(c, dtype=float),
                    k_error=k_error,
                    segment=int(t),
                    blocks=tuple(blocks),
                    meets=None if meets is None else meets.spec,
                    meets_coords=None if meets is None else np.asarray(meets.coords, float),
                    turns=True,
                    dims=dims,
                ),
                members,
            )
        )
    out.sort(key=lambda x: x[0])
    return out


def _note_unrefined(path, meets) -> None:
    """Record a meeting whose ``k`` could not be solved for on the larger family."""
    if meets is not None and not meets.refined and meets.why:
        path.note(
            f"branch_point at k = {meets.k:.10g}: the meeting with Fix({meets.spec}) was not "
            f"refined on that family ({meets.why}); k and k_error come from the crossing"
        )


def _absorb(path, failed, segs, drops, samples, where, coords, k) -> list[_Zero]:
    """Sign changes that could not be located, next to a meeting point, as its members.

    The corrector is unreliable next to a branch point, so a zero there may
    not be located; it belongs to the meeting when its block vanishes at the
    meeting point (``samples``) in the same segment.  Taken out of ``failed``.
    """
    vanish = {b.irrep for b in _touching_blocks(path, where.seg, drops, samples, set())}
    out = []
    for z in [z for z in failed if z.seg in segs and z.label in vanish]:
        failed.remove(z)
        z.sigma, z.u, z.coords, z.k, z.k_err_sigma = where.sigma, where.u, coords, k, 0.0
        out.append(z)
    return out


def _touching_blocks(path, seg, drops, samples, skip, rtol=1e-6) -> list[EventBlock]:
    """Blocks (other than ``skip``) with a non-structural eigenvalue at zero in ``samples``."""
    out = []
    for s in samples:
        if s.label in skip or s.eigenvalues.size == 0:
            continue
        vals = _drop_near_zero(s.eigenvalues, drops.get((seg, s.label), 0))
        scale = max(1.0, float(np.max(np.abs(s.eigenvalues))))
        for j in np.flatnonzero(np.abs(vals) <= rtol * scale):
            out.append(EventBlock(s.label, s.types, as_count(s.dimension), int(j), "touch"))
    return out


def _index(counts: dict, dims: dict) -> float:
    return float(sum(dims.get(label, 0.0) * n for label, n in counts.items()))


def _check(path, classified, seg_blocks, clusters, block_changes, options) -> list[Event]:
    """Index before/after every event from the points around it; unexplained changes."""
    events: list[Event] = []
    by_seg: dict[int, list] = {}
    for u, ev, cl in classified:
        by_seg.setdefault(ev["segment"], []).append((u, ev, cl))
    carried: dict[int, list[_Zero]] = {}
    for i, bl in enumerate(seg_blocks):
        counts = {b.label: b.start_count for b in bl}
        for z in carried.pop(i, []):
            counts[z.label] = counts.get(z.label, 0) + _change(z.change)
        expected = dict(counts)
        for _, ev, cl in by_seg.get(i, []):
            dims = ev.pop("dims")
            before = dict(counts)
            for z in cl:
                if z.seg == i:
                    expected[z.label] = expected.get(z.label, 0) + _change(z.change)
                else:
                    carried.setdefault(z.seg, []).append(z)
                counts[z.label] = counts.get(z.label, 0) + _change(z.change)
            blocks = ev["blocks"]
            head = blocks[0] if blocks else None
            events.append(
                Event(
                    irrep="" if head is None else head.irrep,
                    irrep_types=() if head is None else head.irrep_types,
                    multiplicity=as_count(sum(float(b.multiplicity) for b in blocks)),
                    eigenvalue=0 if head is None else head.eigenvalue,
                    index_before=as_count(_index(before, dims)),
                    # the change itself, added exactly (dim χ per eigenvalue)
                    index_after=as_count(
                        _index(before, dims)
                        + sum(dims.get(z.label, 0.0) * _change(z.change) for z in cl)
                    ),
                    **ev,
                )
            )
        actual = {b.label: b.end_count for b in bl}
        wrong = {
            label: actual.get(label, 0) - expected.get(label, 0)
            for label in sorted(set(actual) | set(expected))
            if actual.get(label, 0) != expected.get(label, 0)
        }
        if wrong:
            events.append(_unlocated(path, i, wrong, bl))
    events.sort(key=lambda e: (e.segment, 0 if e.kind != "unlocated" else 1))
    return events


def _change(change: str) -> int:
    return {"down": 1, "up": -1}.get(change, 0)


def _unlocated(path, i, wrong: dict, bl) -> Event:
    a, b = path.points[i], path.points[i + 1]
    types = {x.label: x.types for x in bl}
    dims = dict(_point_dims(path, i + 1)) or dict(_point_dims(path, i))
    blocks = tuple(
        EventBlock(
            label,
            types.get(label, ()),
            as_count(dims.get(label, 0.0)),
            -1,
            "down" if d > 0 else "up",
        )
        for label, d in sorted(wrong.items())
        for _ in range(abs(d))
    )
    spec = path.family.spec
    msg = (
        f"{spec}: between branch points {i} (k = {a.k:.10g}) and {i + 1} (k = {b.k:.10g}) the "
        "number of negative eigenvalues changes by "
        + ", ".join(f"{d:+d} in {label}" for label, d in sorted(wrong.items()))
        + " but no located event explains it; recorded as an 'unlocated' event "
        "(continue with a smaller ds_max to resolve it)"
    )
    warnings.warn(msg, UnlocatedEventWarning, stacklevel=4)
    head = blocks[0]
    return Event(
        kind="unlocated",
        k=0.5 * (a.k + b.k),
        irrep=head.irrep,
        irrep_types=head.irrep_types,
        multiplicity=as_count(sum(float(x.multiplicity) for x in blocks)),
        index_before=a.index,
        index_after=b.index,
        coords=np.asarray(a.coords, dtype=float),
        eigenvalue=-1,
        k_error=0.5 * abs(b.k - a.k),
        segment=i,
        blocks=blocks,
    )


def check_branch(branch) -> tuple[str, ...]:
    """Re-check a branch's events against its points, from the stored data alone.

    For every segment and block, the change of the number of negative
    (non-structural) eigenvalues between the two points must be the sum of
    the changes its events record there; a block whose size changes must have
    a :class:`~symbreak.continuation.branch.BlockChange` record; every event's
    ``index_before``/``index_after`` must equal the index obtained from the
    point before it and the events in between (multiplicities at the event's
    ``k``); and ``"unlocated"`` events are reported.

    Parameters
    ----------
    branch : Branch
        A branch from :func:`~symbreak.continuation.continuation` or
        :meth:`Branch.load <symbreak.continuation.Branch.load>`.

    Returns
    -------
    tuple of str
        One sentence per problem; empty when the branch is consistent.
    """
    pts = branch.points
    problems: list[str] = []
    family = KFamily(branch.spec, extra_dims=branch.extra_dims)
    changes: dict[tuple[int, str], int] = {}
    by_seg: dict[int, list[Event]] = {}
    for e in branch.events:
        if e.kind == "unlocated":
            problems.append(
                f"unlocated event between points {e.segment} and {e.segment + 1} (k ≈ {e.k:.8g})"
            )
            continue
        by_seg.setdefault(e.segment, []).append(e)
        for b in e.blocks:
            seg = e.segment if b.segment < 0 else b.segment
            changes[(seg, b.irrep)] = changes.get((seg, b.irrep), 0) + b.count_change
    records = {(c.segment, c.irrep): c for c in branch.block_changes}
    carried: dict[int, dict[str, int]] = {}
    for i in range(len(pts) - 1):
        A, B = dict(pts[i].eigenvalues), dict(pts[i + 1].eigenvalues)
        start: dict[str, int] = {}
        for label in sorted(set(A) | set(B)):
            a, b = A.get(label), B.get(label)
            if a is None or b is None or a.size != b.size:
                rec = records.get((i, label))
                if rec is None or rec.limit_negatives < 0:
                    problems.append(
                        f"segment {i}: block {label} changes size between k = {pts[i].k:.8g} "
                        f"and {pts[i + 1].k:.8g} and was not compared"
                    )
                    continue
                at_start = a is None or (b is not None and a.size < b.size)
                other = b if at_start else a
                n_other = int(np.count_nonzero(other < -ZERO_TOL))
                n_a, n_b = (
                    (rec.limit_negatives, n_other) if at_start else (n_other, rec.limit_negatives)
                )
            else:
                drop = _structural(a, b)
                n_a = _negatives(_drop_near_zero(a, drop))
                n_b = _negatives(_drop_near_zero(b, drop))
            start[label] = n_a
            if n_b - n_a != changes.get((i, label), 0):
                problems.append(
                    f"segment {i} (k = {pts[i].k:.8g} to {pts[i + 1].k:.8g}): block {label} "
                    f"has {n_a} then {n_b} negative eigenvalues, but its events account for "
                    f"{changes.get((i, label), 0):+d}"
                )
        counts = dict(start)
        for label, d in carried.pop(i, {}).items():
            counts[label] = counts.get(label, 0) + d
        for e in by_seg.get(i, []):
            dims = {s.label: s.dimension for s in block_samples(family, e.coords, e.k)}
            before = _index(counts, dims)
            if abs(before - float(e.index_before)) > 1e-6 * max(1.0, abs(before)):
                problems.append(
                    f"{e.kind} at k = {e.k:.10g}: index_before {float(e.index_before):.6g} but "
                    f"the point before it gives {before:.6g}"
                )
            after = before
            for b in e.blocks:
                after += dims.get(b.irrep, 0.0) * b.count_change
                if b.segment >= 0 and b.segment != i:
                    carried.setdefault(b.segment, {})
                    carried[b.segment][b.irrep] = (
                        carried[b.segment].get(b.irrep, 0) + b.count_change
                    )
                counts[b.irrep] = counts.get(b.irrep, 0) + b.count_change
            if abs(after - float(e.index_after)) > 1e-6 * max(1.0, abs(after)):
                problems.append(
                    f"{e.kind} at k = {e.k:.10g}: index_after {float(e.index_after):.6g} but "
                    f"its blocks give {after:.6g}"
                )
    return tuple(problems)
