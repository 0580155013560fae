r"""All low-loss critical points of ``L`` in ``Fix(H)`` at a given (real) ``k``.

Method
------
Independent, undeflated Newton runs (:mod:`symbreak.solve`) from batches of
starts, in this order:

1. **seeds** given by the caller (e.g. families found at a neighbouring ``k``
   and continued to this one);
2. **structured starts**: ``W = V``, and every sign pattern ``d_a = ±1`` of
   the diagonal blocks (off-diagonal and outer entries 0);
3. **dead-row starts**: for every row block ``a``, the critical points of the
   face ``{rows of a = 0}`` (where ``L`` is not differentiable, so Newton in
   ``Fix(H)`` cannot reach points next to it: their basins are thin), each
   left along the directions of a ring of radius ``dead_row_radius`` in the
   coordinates of block ``a`` where the loss is lowest;
4. **screened random starts**: ``screen × batch`` random candidates (row norms
   about ``scale``), one batched loss evaluation each, the ``batch`` lowest
   kept — repeated until saturation or until ``starts`` random starts.

Each converged point is identified up to the full symmetry group
``Γ = S_n × S_d`` by its orbit canonical form
(:func:`~symbreak.critical.stabiliser.stabiliser_of_coords`), never by its
loss.

Saturation
----------
Only points with loss ``≤ max_loss`` count as *of interest* (when
``max_loss`` is None: the local minima, index 0, and every point is
reported).  After ``N`` random starts, of which ``f_1`` found a
point of interest that no other start found, the Good–Turing estimate of the
probability that one more random start finds a point of interest not yet
seen is ``p̂ = f_1 / N`` (Good 1953).  The search stops (``saturated``) when
the last ``patience`` random starts found nothing new of interest and
``p̂ ≤ new_point_tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._validation import as_positive_int
from ..errors import DomainError
from ..progress import ProgressUpdate, as_progress
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, group_of
from ..solve import newton_batch, solve
from ..tolerances import Tolerances
from .classify import CriticalPoint, classify
from .prove import ProofResult, ProveOptions, prove_or_certify
from .stabiliser import function_form, stabiliser_of_coords
from .symmetry import block_permutations, canonical_coords

__all__ = ["SearchOptions", "SearchResult", "find_critical_points"]


@dataclass(frozen=True)
class SearchOptions:
    """Options of :func:`find_critical_points` (validated at construction).

    Attributes
    ----------
    starts : int
        Cap on the screened random starts (default 2000); seeds, structured
        and dead-row starts come on top.
    seed : int
        Seed of the random starts.
    max_loss : float or None
        Loss of interest: only points up to it are reported, and the
        saturation rule counts them.  None: every point found is reported and
        the saturation rule counts the local minima (index 0: the points
        gradient descent can end at).
    screen : int
        Random candidates drawn per kept start (the lowest-loss ``1/screen``
        quantile is kept).
    batch : int
        Starts advanced together (one batched Newton run).
    patience : int
        Saturation: random starts in a row that found nothing new of interest.
    new_point_tol : float
        Saturation: largest Good–Turing estimate ``f_1/N`` accepted.
    minima_only : bool
        Report (and classify) only the local minima, index 0 (with
        ``max_loss``: the minima up to that loss).  A point whose Hessian
        restricted to ``Fix(H)`` has a negative eigenvalue is a saddle and is
        not classified further.
    dead_rows : bool
        Use dead-row starts.
    dead_row_radius : float
        Row norm of the revived block in the dead-row starts.
    gtol : float
        Gradient per entry of ``W`` below which a point counts as critical.
    dedup_tol : float
        Relative tolerance of the orbit canonical form (values that close are equal).
    scale : float
        Spread of the random starts (row norms are about ``scale``).
    min_row_norm : float
        Solutions with a row shorter than this are discarded: ``L`` is not
        differentiable at a zero row, so such a limit is not a critical point.
    """

    starts: int = 2000
    seed: int = 0
    max_loss: float | None = None
    screen: int = 20
    batch: int = 32
    patience: int = 256
    new_point_tol: float = 0.01
    minima_only: bool = False
    dead_rows: bool = True
    dead_row_radius: float = 0.1
    gtol: float = 1e-10
    dedup_tol: float = 1e-7
    scale: float = 1.0
    min_row_norm: float = 1e-6

    def __post_init__(self):
        for name in ("starts", "screen", "batch", "patience"):
            as_positive_int(getattr(self, name), name)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {self.seed!r}")
        for name in ("gtol", "dedup_tol", "scale", "min_row_norm", "dead_row_radius"):
            v = getattr(self, name)
            if isinstance(v, bool) or not (
                isinstance(v, (int, float)) and np.isfinite(v) and v > 0
            ):
                raise ValueError(f"{name} must be a positive finite number, got {v!r}")
        if not (0 <= self.new_point_tol <= 1):
            raise ValueError(f"new_point_tol must lie in [0, 1], got {self.new_point_tol!r}")
        if self.max_loss is not None and not (
            isinstance(self.max_loss, (int, float)) and np.isfinite(self.max_loss)
        ):
            raise ValueError(f"max_loss must be a finite number or None, got {self.max_loss!r}")


@dataclass(frozen=True)
class SearchResult:
    """Critical points found in ``Fix(H)``.

    Attributes
    ----------
    group : IsotropyGroup
    points : tuple of CriticalPoint
        One per ``Γ``-orbit, sorted by loss (only those up to ``max_loss``).
    starts : int
        Newton runs done (``starts_used``; kept for compatibility).
    failures : int
        Runs that did not converge to a critical point (or ended on a zero row).
    saturated : bool
        True when the saturation rule stopped the search (not the cap).
    new_point_probability : float
        Good–Turing estimate that one more random start finds a new point of interest.
    random_starts : int
        Screened random starts among ``starts``.
    notes : tuple of str
    """

    group: IsotropyGroup
    points: tuple[CriticalPoint, ...]
    starts: int
    failures: int
    saturated: bool = False
    new_point_probability: float = 1.0
    random_starts: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    proof: ProofResult | None = None

    @property
    def starts_used(self) -> int:
        """Newton runs done (seeds, structured, dead-row and random starts)."""
        return self.starts

    def search_json(self) -> dict:
        """The ``"search"`` record of the CLI's JSON."""
        return {
            "starts_used": self.starts,
            "random_starts": self.random_starts,
            "failures": self.failures,
            "saturated": self.saturated,
            "new_point_probability": self.new_point_probability,
        }


# ----------------------------------------------------------------- Newton
def _newton_many(system, X0: np.ndarray, gtol: float) -> list[tuple[np.ndarray, bool]]:
    """Independent undeflated Newton runs from the rows of ``X0``: ``(x, converged)`` each."""
    results = newton_batch(system, X0, tolerances=Tolerances(gradient=gtol), max_iter=30)
    return [(r.x, r.converged) for r in results]


class _Face:
    """``L_H`` on the face where row block ``a`` is (almost) zero, in the other coordinates."""

    def __init__(self, system: ReducedSystem, a: int, tiny: float = 1e-10):
        self.system = system
        keys = system.space.keys
        self.fixed = np.array([ka == a for ka, _, _ in keys])
        self.free = ~self.fixed
        self.tiny = tiny

    def full(self, y):
        c = np.empty(self.fixed.size)
        c[self.fixed] = self.tiny
        c[self.free] = y
        return c

    def equations(self, y):
        """Per-entry scaled gradient in the free coordinates, and its Jacobian."""
        w = np.maximum(np.abs(self.system.space.orbit_sizes()), 1.0)[self.free]
        c = self.full(y)
        g = self.system.gradient(c)[self.free] / w
        H = self.system.hessian(c)[np.ix_(self.free, self.free)] / w[:, None]
        return g, H


# ----------------------------------------------------------------- starts
def _row_scaling(space) -> np.ndarray:
    """Per coordinate: 1/√(entries per row × coordinates per row block) (row norms ≈ 1)."""
    m = space.group.sizes
    per_row = []
    for a, b, pat in space.keys:
        per_row.append(1.0 if pat == "diag" else (m[a] - 1 if pat == "off" else m[b]))
    per_row = np.maximum(np.asarray(per_row), 1.0)
    count: dict[int, int] = {}
    for a, _b, _p in space.keys:
        count[a] = count.get(a, 0) + 1
    r = np.array([count[a] for a, _b, _p in space.keys], dtype=float)
    return 1.0 / np.sqrt(per_row * r)


def _random_starts(space, rng, n: int, scale: float) -> np.ndarray:
    return scale * rng.normal(size=(n, space.dim)) * _row_scaling(space)


def _structured_starts(space) -> list[np.ndarray]:
    """``W = V``, every sign pattern of the diagonal blocks, and an over-parameterised split."""
    g = space.group
    keys = space.keys
    diag_blocks = [t for t, f in enumerate(g.factors) if f.kind == "diag"]
    out = []
    base = np.array([1.0 if pat == "diag" else 0.0 for _a, _b, pat in keys])
    out.append(base)
    out.append(-0.5 * base + 0.3)
    for pattern in range(1, min(2 ** len(diag_blocks), 16)):
        c = base.copy()
        for bit, t in enumerate(diag_blocks):
            if pattern >> bit & 1:
                c[keys.index((t, t, "diag"))] = -1.0
        out.append(c)
    extra_rows = [t for t, f in enumerate(g.factors) if f.kind == "row"]
    if extra_rows and diag_blocks:
        split = base.copy()
        last = diag_blocks[-1]
        for i, (a, b, pat) in enumerate(keys):
            if a == last and b == last and pat == "diag":
                split[i] = 0.5
            if a in extra_rows and b == last:
                split[i] = 0.5 / len(extra_rows)
        out.append(split)
    return out


def _batch_loss(system: ReducedSystem, C: np.ndarray) -> np.ndarray:
    """Float64 loss of each row of ``C`` in one batched call (inf where a row of ``W`` is zero).

    Used to rank starts, so the float64 compressed model is used at every
    ``k`` (no extended precision).
    """
    out = np.full(len(C), np.inf)
    ok = system.differentiable(C)
    if np.any(ok):
        out[ok] = system.state(C[ok]).loss()
    return out


def _dead_row_starts(system, rng, opts) -> list[np.ndarray]:
    """Starts next to each row block's zero face (see the module docstring)."""
    space = system.space
    g = space.group
    out: list[np.ndarray] = []
    scaling = _row_scaling(space)
    for a in g.row_factors:
        face = _Face(system, a)
        nfree = int(face.free.sum())
        if nfree == 0:
            continue
        cand = _random_starts(space, rng, 4 * opts.screen, opts.scale)
        cand[:, face.fixed] = face.tiny
        keep = cand[np.argsort(_batch_loss(system, cand), kind="stable")[:2]]
        face_points: list[np.ndarray] = []
        for c0 in keep:
            res = solve(
                face.equations,
                c0[face.free],
                gradient_tol=1e-11,
                line_search=True,
                lstsq=True,
                max_iter=25,
            )
            if not res.converged:
                continue
            y = res.x
            if not any(np.allclose(y, z, atol=1e-6) for z in face_points):
                face_points.append(y)
        nfix = int(face.fixed.sum())
        for y in face_points:
            dirs = rng.normal(size=(32, nfix))
            dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
            ring = np.repeat(face.full(y)[None, :], len(dirs), axis=0)
            ring[:, face.fixed] = (
                opts.dead_row_radius
                * dirs
                * scaling[face.fixed]
                / np.sqrt(np.mean(scaling[face.fixed] ** 2))
            )
            best = np.argsort(_batch_loss(system, ring))[:3]
            out.extend(ring[best])
    return out


# ----------------------------------------------------------------- search
def find_critical_points(
    group: IsotropyGroup | str,
    *,
    k=None,
    extra_dims=None,
    options: SearchOptions | None = None,
    seeds=None,
    progress: Callable | None = None,
    prove: bool = False,
    max_loss: float | None = None,
    prove_options: ProveOptions | None = None,
) -> SearchResult:
    """Find, identify up to symmetry and classify the critical points of ``L`` in ``Fix(group)``.

    Parameters
    ----------
    group : IsotropyGroup or str
        The symmetry type; ``group.k`` may be real.  A spec string needs
        ``k=`` (and ``extra_dims=``, ``d − k``, default 0).
    k, extra_dims : float, optional
        See ``group`` (:func:`~symbreak.representation.isotropy.group_of`).
    options : SearchOptions, optional
    seeds : array_like, shape (m, dim), optional
        Extra starts tried first (for example points of families continued
        from a neighbouring ``k``).
    progress : callable, optional
        Receives :class:`~symbreak.progress.ProgressUpdate` (stage
        ``"search"``, ``done`` = Newton runs, ``total`` = the cap; with
        ``prove=True`` stage ``"prove"``, boxes done and left).
    prove : bool
        Prove that the list of critical points with ``L ≤ L0`` is complete
        (:func:`symbreak.critical.prove.prove_critical_points`); out of reach,
        certify every point the search finds instead (``proof.complete`` false).
    max_loss : float, optional
        ``L0`` of the proof (default ``options.max_loss``; one of them is required).
    prove_options : ProveOptions, optional

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.critical import find_critical_points, SearchOptions
    >>> res = find_critical_points(IsotropyGroup.from_spec("k", 6),
    ...                            options=SearchOptions(starts=8))
    >>> res.points[0].kind
    'global_minimum'
    """
    group = group_of(group, k, extra_dims=extra_dims)
    opts = SearchOptions() if options is None else options
    if not isinstance(opts, SearchOptions):
        raise TypeError("options must be a SearchOptions")
    report = as_progress(progress)
    system = ReducedSystem(group)
    if prove:
        return _proved(group, system, opts, max_loss, prove_options, progress)
    space = system.space
    rng = np.random.default_rng(opts.seed)
    tracker = _Tracker(system, opts)

    first: list[np.ndarray] = []
    if seeds is not None:
        S = np.asarray(seeds, dtype=float)
        if S.ndim != 2 or S.shape[1] != space.dim:
            raise ValueError(f"seeds must have shape (m, {space.dim}), got {S.shape}")
        first.extend(S)
    first.extend(_structured_starts(space))
    if opts.dead_rows:
        first.extend(_dead_row_starts(system, rng, opts))
    for i in range(0, len(first), opts.batch):
        tracker.run(np.array(first[i : i + opts.batch]), random=False)
        report(ProgressUpdate("search", tracker.starts, None, {"points": len(tracker.found)}))

    saturated = False
    while tracker.random < opts.starts:
        n = min(opts.batch, opts.starts - tracker.random)
        cand = _random_starts(space, rng, n * opts.screen, opts.scale)
        X0 = cand[np.argsort(_batch_loss(system, cand), kind="stable")[:n]]
        tracker.run(X0, random=True)
        report(
            ProgressUpdate(
                "search",
                tracker.starts,
                None,
                {"points": len(tracker.found), "p_new": tracker.p_new()},
            )
        )
        if tracker.since_new >= opts.patience and tracker.p_new() <= opts.new_point_tol:
            saturated = True
            break

    points = tracker.classified()
    return SearchResult(
        group=group,
        points=tuple(points),
        starts=tracker.starts,
        failures=tracker.failures,
        saturated=saturated,
        new_point_probability=tracker.p_new(),
        random_starts=tracker.random,
    )


def _proved(group, system, opts, max_loss, prove_options, progress) -> SearchResult:
    """``find_critical_points(prove=True)``: the proof, or certificates of the points found."""
    level = opts.max_loss if max_loss is None else max_loss
    if level is None:
        raise ValueError("prove=True needs max_loss (the loss level L0 of the proof)")
    proof = prove_or_certify(
        group,
        level,
        options=prove_options,
        progress=progress,
        fallback=lambda: [p.coords for p in find_critical_points(group, options=opts).points],
    )
    points = tuple(classify(system, np.asarray(c.center)) for c in proof.points)
    return SearchResult(group=group, points=points, starts=0, failures=0, proof=proof)


class _Tracker:
    """Converged points, one per ``Γ``-orbit, and the random-start hit counts."""

    def __init__(self, system: ReducedSystem, opts: SearchOptions):
        self.system = system
        self.opts = opts
        self.integral = system.group.is_integral
        self.perms = None if self.integral else block_permutations(system.group)
        self.found: list[dict] = []
        self.starts = 0
        self.random = 0
        self.failures = 0
        self.since_new = 0

    def _key(self, c):
        try:
            return stabiliser_of_coords(self.system.space, c, atol=self.opts.dedup_tol).form
        except DomainError:
            return None  # non-simple structure at real block sizes: compared by loss/spectrum

    def _same(self, p: dict, c, key) -> bool:
        if key is not None and p["key"] is not None:
            return key.same_orbit(p["key"])
        if self.perms is None:
            self.perms = block_permutations(self.system.group)
        a = canonical_coords(self.system.space, c, self.perms)
        b = canonical_coords(self.system.space, p["coords"], self.perms)
        return bool(np.max(np.abs(a - b)) <= 1e-6 * max(1.0, np.max(np.abs(a))))

    def run(self, X0: np.ndarray, *, random: bool) -> None:
        sys_ = self.system
        for c, ok in _newton_many(sys_, X0, self.opts.gtol):
            self.starts += 1
            self.random += int(random)
            if ok:
                st = sys_.state(c)
                ok = float(np.min(st.norms)) >= self.opts.min_row_norm
            if not ok:
                self.failures += 1
                self.since_new += int(random)
                continue
            loss = float(np.ravel(st.loss())[0])
            key = self._key(c)
            hit = next((p for p in self.found if self._same(p, c, key)), None)
            if hit is None:
                within = self.opts.max_loss is None or loss <= self.opts.max_loss + 1e-12
                if self.opts.minima_only and (not within or self._reduced_saddle(c)):
                    point, interest = None, False
                else:
                    point = classify(sys_, c)
                    if self.opts.max_loss is None or self.opts.minima_only:
                        interest = within and point.index == 0
                    else:
                        interest = within
                hit = {"point": point, "coords": c, "key": key, "interest": interest, "hits": 0}
                self.found.append(hit)
                if random and interest:
                    self.since_new = 0
                elif random:
                    self.since_new += 1
            elif random:
                self.since_new += 1
            hit["hits"] += int(random)

    def _reduced_saddle(self, c) -> bool:
        """The Hessian restricted to ``Fix(H)`` (a compression of the full one) has ``λ < 0``."""
        w = np.maximum(np.abs(self.system.space.orbit_sizes()), 1.0)
        d = 1.0 / np.sqrt(w)
        A = d[:, None] * self.system.hessian(c) * d[None, :]
        lam = np.linalg.eigvalsh(A)
        return bool(lam[0] < -1e-8 * max(1.0, float(np.max(np.abs(lam)))))

    def p_new(self) -> float:
        """Good–Turing: points of interest hit by exactly one random start, over random starts."""
        if self.random == 0:
            return 1.0
        f1 = sum(1 for p in self.found if p["interest"] and p["hits"] == 1)
        return f1 / self.random

    def classified(self) -> list[CriticalPoint]:
        if self.opts.max_loss is None and not self.opts.minima_only:
            points = [p["point"] for p in self.found]
        else:
            points = [p["point"] for p in self.found if p["interest"]]
        points.sort(key=lambda q: (q.loss, q.index if isinstance(q.index, (int, float)) else 0))
        forms = _function_forms(self.system, points)
        points, forms = _merge_sets(points, forms)
        return _same_function(points, forms)


def _merge_sets(points: list[CriticalPoint], forms: list) -> tuple[list, list]:
    """Report each positive-dimensional critical set once.

    Two points with ``set_dimension > 0`` and the same loss lie on one set when
    they have the same exact isotropy, or compute the same network function
    (e.g. a neuron split as ``t w, (1 − t) w`` at two values of ``t``); the
    most symmetric one (largest stabiliser) is kept.
    """
    order = sorted(
        range(len(points)),
        key=lambda i: -(points[i].isotropy_order or 0) if points[i].set_dimension else 0,
    )
    kept: list[int] = []
    for i in order:
        q = points[i]
        if q.set_dimension > 0 and any(
            points[j].set_dimension > 0
            and abs(points[j].loss - q.loss) < 1e-9 * max(1.0, abs(q.loss))
            and (
                points[j].isotropy == q.isotropy
                or (forms[i] is not None and forms[j] is not None and forms[i].same_orbit(forms[j]))
            )
            for j in kept
        ):
            continue
        kept.append(i)
    kept.sort()
    return [points[i] for i in kept], [forms[i] for i in kept]


def _has_parallel_rows(W: np.ndarray, tol: float = 1e-7) -> bool:
    """Some row is zero, or two rows point the same way or opposite ways."""
    norms = np.linalg.norm(W, axis=1)
    if np.any(norms <= tol * max(1.0, float(norms.max()))):
        return True
    U = W / norms[:, None]
    G = np.abs(U @ U.T)
    np.fill_diagonal(G, 0.0)
    return bool(np.any(G >= 1.0 - tol))


def _function_forms(system: ReducedSystem, points: list[CriticalPoint]) -> list:
    """:func:`~symbreak.critical.stabiliser.function_form` of each point (None where not needed).

    Decided on the dense point (integer ``k``, ``n·d ≤ 10⁶`` entries).  A point
    without parallel or zero rows is its own merged matrix, whose orbit no
    other point shares, so its form is not computed (None).
    """
    g = system.group
    if not g.is_integral or g.n * g.d > 1e6 or len(points) < 2:
        return [None] * len(points)
    k = int(round(g.k))
    forms = []
    for p in points:
        W = system.space.embed(p.coords)
        forms.append(function_form(W, k=k) if _has_parallel_rows(W) else None)
    return forms


def _same_function(points: list[CriticalPoint], forms: list) -> list[CriticalPoint]:
    """Fill ``same_function_as``: indices of other points computing the same network function."""
    out = []
    for i, p in enumerate(points):
        same = tuple(
            j
            for j, f in enumerate(forms)
            if j != i and f is not None and forms[i] is not None and f.same_orbit(forms[i])
        )
        out.append(p.with_same_function(same) if same else p)
    return out
