r"""All critical points of ``L`` in ``Fix(H)`` at a given (real) ``k``.

Method
------
1. **Multi-start with deflation** (Farrell, Birkisson & Funke 2015): each start
   solves the deflated system

   .. math::

       G(c) = M(c)\,∇L_H(c) = 0,\qquad
       M(c) = \prod_i \bigl(\|c − r_i\|^{-p} + σ\bigr),

   where ``r_i`` are the roots found so far and their images under the block
   permutations (so a new solve cannot return an old root), with MINPACK's
   hybrid method (``scipy.optimize.root``) and the exact Jacobian
   ``M ∇²L_H + ∇L_H ⊗ ∇M``.
2. **Polishing**: undeflated orbit-scaled Newton (:func:`symbreak.solve.newton`)
   until the gradient per entry of ``W`` is below ``gtol``
   (:class:`~symbreak.tolerances.Tolerances`, the same test at every ``k``).
3. **Deduplication** up to the block permutations that map ``Fix(H)`` to itself.
4. **Positive-dimensional sets**: where the reduced Hessian is singular, the
   point is moved along its null directions and re-corrected; if the gradient
   stays zero the point lies on a critical set of that dimension (for example
   all rows parallel, where only the sum of the row norms matters).  Such a set
   is reported once, as one point with ``set_dimension > 0``.
5. **Classification** (:mod:`symbreak.critical.classify`): exact isotropy,
   loss, spectrum of the exact isotropy group, index and kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize

from .._numerics import same_loss_and_spectrum
from .._validation import as_positive_int
from ..errors import DomainError
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup
from ..solve import newton
from ..tolerances import Tolerances
from .classify import CriticalPoint, classify
from .prove import ProofResult, ProveOptions, prove_or_certify
from .symmetry import block_permutations, canonical_coords, permute_coords

__all__ = ["SearchOptions", "SearchResult", "find_critical_points"]


@dataclass(frozen=True)
class SearchOptions:
    """Options of :func:`find_critical_points` (validated at construction).

    Attributes
    ----------
    starts : int
        Number of random starts (default 48).
    seed : int
        Seed of the random starts.
    deflation_power, deflation_shift : float
        ``p`` and ``σ`` of the deflation operator.
    gtol : float
        A point counts as critical when its gradient per entry of ``W``
        (``max_o |∂L/∂c_o| / |o|``, :class:`~symbreak.tolerances.Tolerances`)
        is at most ``gtol`` (never less than the float64 rounding floor at
        ``k``).
    dedup_tol : float
        Points (after canonicalisation) closer than this are the same.
    scale : float
        Spread of the random starts (row norms are about ``scale``).
    min_row_norm : float
        Solutions with a row shorter than this are discarded: ``L`` is not
        differentiable at a zero row, so such a limit is not a critical point.
    """

    starts: int = 48
    seed: int = 0
    deflation_power: float = 2.0
    deflation_shift: float = 1.0
    gtol: float = 1e-10
    dedup_tol: float = 1e-6
    scale: float = 1.0
    min_row_norm: float = 1e-6

    def __post_init__(self):
        as_positive_int(self.starts, "starts")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {self.seed!r}")
        for name in ("deflation_power", "gtol", "dedup_tol", "scale", "min_row_norm"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a positive finite number, got {v!r}")
        if not (np.isfinite(self.deflation_shift) and self.deflation_shift >= 0):
            raise ValueError(f"deflation_shift must be >= 0, got {self.deflation_shift!r}")


@dataclass(frozen=True)
class SearchResult:
    """Critical points found in ``Fix(H)``.

    Attributes
    ----------
    group : IsotropyGroup
    points : tuple of CriticalPoint
        Sorted by loss.
    starts : int
        Starts tried.
    failures : int
        Starts that did not converge (or left the domain: a zero row).
    proof : ProofResult or None
        With ``prove=True``: the proof (``proof.complete``, undecided boxes) and
        one certificate per point (``proof.points[i]`` certifies ``points[i]``).
    """

    group: IsotropyGroup
    points: tuple[CriticalPoint, ...]
    starts: int
    failures: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    proof: ProofResult | None = None


def _random_start(space, rng, scale):
    g = space.group
    # entries per row of each coordinate, to keep row norms about `scale`
    m = g.sizes
    per_row = []
    for a, b, pat in space.keys:
        per_row.append(1.0 if pat == "diag" else (m[a] - 1 if pat == "off" else m[b]))
    per_row = np.maximum(np.asarray(per_row), 1.0)
    coords_per_rowblock = {}
    for a, _b, _p in space.keys:
        coords_per_rowblock[a] = coords_per_rowblock.get(a, 0) + 1
    r = np.array([coords_per_rowblock[a] for a, _b, _p in space.keys], dtype=float)
    return scale * rng.normal(size=space.dim) / np.sqrt(per_row * r)


def _structured_starts(space) -> list[np.ndarray]:
    """A few deterministic starts: W = V, and rows that copy one teacher each."""
    out = []
    base = np.zeros(space.dim)
    for i, (_a, _b, pat) in enumerate(space.keys):
        if pat == "diag":
            base[i] = 1.0
    out.append(base)
    out.append(-0.5 * base + 0.3)
    # over-parameterised: extra rows split the last diagonal block's neuron in half
    g = space.group
    extra_rows = [t for t, f in enumerate(g.factors) if f.kind == "row"]
    diag = [t for t, f in enumerate(g.factors) if f.kind == "diag"]
    if extra_rows and diag:
        split = base.copy()
        last = diag[-1]
        for i, (a, b, pat) in enumerate(space.keys):
            if a == last and b == last and pat == "diag":
                split[i] = 0.5
            if a in extra_rows and b == last:
                split[i] = 0.5 / len(extra_rows)
        out.append(split)
    return out


def find_critical_points(
    group: IsotropyGroup,
    *,
    options: SearchOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    prove: bool = False,
    max_loss: float | None = None,
    prove_options: ProveOptions | None = None,
) -> SearchResult:
    """Find, deduplicate and classify the critical points of ``L`` in ``Fix(group)``.

    Parameters
    ----------
    group : IsotropyGroup
        The symmetry type; ``group.k`` may be real.
    options : SearchOptions, optional
    progress : callable, optional
        Called as ``progress(done, total)`` after each start (with
        ``prove=True``: a :class:`~symbreak.progress.ProgressUpdate` per round of boxes).
    prove : bool
        Prove that the list of critical points with ``L ≤ max_loss`` is
        complete (:func:`symbreak.critical.prove.prove_critical_points`); out of
        reach, certify every point found instead (``proof.complete`` is then false).
    max_loss : float
        ``L₀`` (required with ``prove=True``).
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
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    opts = SearchOptions() if options is None else options
    if not isinstance(opts, SearchOptions):
        raise TypeError("options must be a SearchOptions")
    system = ReducedSystem(group)
    if prove:
        if max_loss is None:
            raise ValueError("prove=True needs max_loss (the loss level L0 of the proof)")
        proof = prove_or_certify(
            group,
            max_loss,
            options=prove_options,
            progress=progress,
            fallback=lambda: [p.coords for p in find_critical_points(group, options=opts).points],
        )
        points = tuple(classify(system, np.asarray(c.center)) for c in proof.points)
        return SearchResult(group=group, points=points, starts=0, failures=0, proof=proof)
    space = system.space
    perms = block_permutations(group)
    rng = np.random.default_rng(opts.seed)
    roots: list[np.ndarray] = []  # all images, for deflation
    found: list[np.ndarray] = []  # canonical representatives
    failures = 0
    p, sigma = opts.deflation_power, opts.deflation_shift

    tolerances = Tolerances(gradient=opts.gtol)

    def deflated(c):
        g = system.gradient(c)
        H = system.hessian(c)
        M = 1.0
        dlogM = np.zeros_like(c)
        for r in roots:
            diff = c - r
            d2 = float(diff @ diff)
            if d2 == 0.0:
                d2 = 1e-300
            term = d2 ** (-p / 2) + sigma
            M *= term
            dlogM += (-p * d2 ** (-p / 2 - 1) * diff) / term
        return M * g, M * H + np.outer(M * g, dlogM)

    starts = _structured_starts(space) + [
        _random_start(space, rng, opts.scale) for _ in range(opts.starts)
    ]
    total = len(starts)
    for i, x0 in enumerate(starts):
        try:
            sol = scipy.optimize.root(
                deflated, x0, jac=True, method="hybr", options={"xtol": 1e-12, "maxfev": 400}
            )
        except (DomainError, np.linalg.LinAlgError, FloatingPointError):
            failures += 1
            if progress is not None:
                progress(i + 1, total)
            continue
        polished = newton(system, sol.x, tolerances=tolerances)
        c = polished.x
        if not polished.converged:
            failures += 1
        elif system.state(c).norms.min() < opts.min_row_norm:
            # converged onto a zero row, where L is not differentiable
            failures += 1
        else:
            canon = canonical_coords(space, c, perms)
            if not any(np.max(np.abs(canon - f)) < opts.dedup_tol for f in found):
                found.append(canon)
                for perm in perms:
                    roots.append(permute_coords(space, perm, canon))
        if progress is not None:
            progress(i + 1, total)
    points = [classify(system, c) for c in found]
    points = _deduplicate(points)
    points.sort(key=lambda q: (q.loss, q.index if isinstance(q.index, (int, float)) else 0))
    return SearchResult(group=group, points=tuple(points), starts=total, failures=failures)


def _deduplicate(points: list[CriticalPoint]) -> list[CriticalPoint]:
    """Merge points related by a symmetry of ``Fix(H)`` and report critical sets once.

    Block permutations are removed during the search; what remains are the
    normaliser elements that permute rows and columns differently (rows of
    singleton blocks, the two rows of a block of size 2).  Such points have the
    same loss and the same spectrum (values and multiplicities), which is the
    test used; the most symmetric representative (fewest blocks in its exact
    isotropy) is kept.  Points on one positive-dimensional critical set share
    their loss, set dimension and isotropy and are reported once.
    """
    ranked = sorted(points, key=lambda q: q.isotropy.count(",") + q.isotropy.count("|"))
    out: list[CriticalPoint] = []
    for q in ranked:
        pairs = q.spectrum.values_with_multiplicity()
        if any(
            same_loss_and_spectrum(q.loss, pairs, o.loss, o.spectrum.values_with_multiplicity())
            for o in out
        ):
            continue
        if q.set_dimension > 0 and any(
            o.set_dimension == q.set_dimension
            and abs(o.loss - q.loss) < 1e-9 * max(1.0, abs(q.loss))
            and o.isotropy == q.isotropy
            for o in out
        ):
            continue
        out.append(q)
    return out
