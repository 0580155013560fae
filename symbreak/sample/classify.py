r"""Classify the limit points of gradient descent and connect them to symmetric families.

For every distinct limit (up to ``S_n × S_d``) this computes

* its kind: ``global_minimum`` (``L ≤ LOSS_TOL``), ``spurious_minimum``
  (index 0), ``saddle`` (a negative Hessian eigenvalue); runs that did not
  reach ``‖∇L‖_F ≤ gtol`` are counted as ``not_converged``;
* the Morse index and the smallest Hessian eigenvalue: dense ``eigvalsh`` of
  the ``nd × nd`` Hessian for ``k ≤ dense_max_k``, beyond that the analytic
  spectrum of its Young-type isotropy group (:func:`symbreak.spectrum.analytic_spectrum`);
* its isotropy: the Young block sizes ``p`` (largest Young-type subgroup of
  the stabiliser), the stabiliser's order and a readable label;
* its family: ``W`` is put into the block layout of its Young group ``H``,
  projected to ``Fix(H)`` (orbit averages), polished by Newton's method in the
  reduced system and matched, by loss and spectrum, with the critical points
  :func:`symbreak.critical.find_critical_points` finds in ``Fix(H)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._numerics import cluster_eigenvalues, same_loss_and_spectrum
from ..critical.classify import LOSS_TOL
from ..critical.search import SearchOptions, find_critical_points
from ..critical.stabiliser import STABILISER_ATOL, OrbitForm, stabiliser
from ..critical.symmetry import canonical_coords
from ..errors import DomainError
from ..model.teacher_student import TeacherStudent
from ..reduced.fixed_point import FixedPointSpace
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, detect_isotropy
from ..solve import newton
from ..spectrum import ZERO_TOL, analytic_spectrum

__all__ = [
    "KINDS",
    "LimitIsotropy",
    "Family",
    "LimitClass",
    "limit_isotropy",
    "family_of",
    "classify_limits",
    "k_label",
]

#: rows shorter than this fraction of the longest count as dead neurons
DEAD_ROW_RTOL = 1e-6
#: kinds of a gradient-descent run's outcome (strings of the JSON)
KINDS = ("global_minimum", "spurious_minimum", "saddle", "not_converged")


@dataclass(frozen=True)
class LimitIsotropy:
    """The symmetry of a dense limit point ``W``.

    Attributes
    ----------
    block_sizes : tuple of int
        Young block sizes ``p`` of the diagonal part (largest first), as in the
        published tables: those of the stabiliser when it is of Young type,
        else of its largest Young-type subgroup; extra-row and extra-column
        blocks are in ``spec``.
    spec : str
        Spec of the Young-type isotropy group (``"19,1"``, ``"5,15"``,
        ``"3,2|1"``) at this ``k``.
    label : str
        Readable label of the stabiliser (:mod:`symbreak.critical.stabiliser`).
    order : int
        Exact order of the stabiliser of ``W`` in ``S_n × (S_k × S_{d−k})``.
    young : bool
        True when the stabiliser is exactly the Young-type group (order
        ``Π m_t!``).
    rows, cols : ndarray of int
        Row and column orders that put ``W`` into the block layout of
        ``IsotropyGroup.from_spec(spec, k, d=d)``: ``W[np.ix_(rows, cols)]``.
    form : OrbitForm
        Canonical form of the ``S_n × (S_k × S_{d−k})``-orbit of ``W``.
    """

    block_sizes: tuple[int, ...]
    spec: str
    label: str
    order: int
    young: bool
    rows: np.ndarray = field(repr=False)
    cols: np.ndarray = field(repr=False)
    form: OrbitForm = field(repr=False, default=None)

    def group(self, k: int, d: int) -> IsotropyGroup:
        return IsotropyGroup.from_spec(self.spec, k, d=d)


def limit_isotropy(W, k: int, *, atol: float = STABILISER_ATOL) -> LimitIsotropy:
    """Exact stabiliser of a limit ``W`` (teacher ``[I_k 0]``) and the layout of its Young part.

    The stabiliser (order, label, Young type, orbit canonical form) is
    :func:`symbreak.critical.stabiliser.stabiliser`.  For the layout, student
    rows are matched to teacher neurons by a maximum-weight assignment on
    ``W[:, :k]`` and the largest Young-type group fixing the matched matrix is
    :func:`~symbreak.representation.isotropy.detect_isotropy`; its blocks give
    the row and column orders that put ``W`` into ``Fix(H)``'s layout.
    """
    from scipy.optimize import linear_sum_assignment

    W = np.asarray(W, dtype=float)
    n, d = W.shape
    stab = stabiliser(W, k=k, atol=atol)
    tol = atol * max(1.0, float(np.max(np.abs(W))))
    rows_k, cols_k = linear_sum_assignment(-W[:, :k])
    matched = rows_k[np.argsort(cols_k)]  # matched[j] = the row assigned to teacher j
    extra = np.setdiff1d(np.arange(n), matched)
    order = np.concatenate([matched, extra]).astype(int)
    det = detect_isotropy(W[order], k, atol=tol)
    want = None if stab.young is None else sorted(stab.young[0])
    improved = True
    while want is not None and sorted(len(b) for b in det.diag_blocks) != want and improved:
        # the assignment may pair two singleton blocks crosswise (an off-diagonal
        # entry beat a diagonal one): swap their rows while that coarsens the blocks
        improved = False
        singles = [b[0] for b in det.diag_blocks if len(b) == 1]
        for a in range(len(singles)):
            for b in range(a + 1, len(singles)):
                trial = order.copy()
                trial[[singles[a], singles[b]]] = trial[[singles[b], singles[a]]]
                det2 = detect_isotropy(W[trial], k, atol=tol)
                if len(det2.diag_blocks) < len(det.diag_blocks):
                    order, det, improved = trial, det2, True
                    break
            if improved:
                break
    diag = [list(b) for b in det.diag_blocks]
    rows = np.array([i for b in diag for i in b] + [i for b in det.row_blocks for i in b], int)
    cols = np.array([j for b in diag for j in b] + [j for b in det.col_blocks for j in b], int)
    sizes = stab.young[0] if stab.young is not None else tuple(len(b) for b in diag)
    return LimitIsotropy(
        block_sizes=tuple(sorted(sizes, reverse=True)),
        spec=det.spec,
        label=stab.label,
        order=stab.order,
        young=stab.is_young,
        rows=order[rows],
        cols=cols,
        form=stab.form,
    )


def k_label(sizes, k: int) -> str:
    """Diagonal block sizes with the largest written in terms of ``k`` (``19,1`` → ``k-1,1``).

    Families are curves in ``k``; this names the block that grows with ``k``.
    """
    sizes = [int(m) for m in sizes]
    big = max(range(len(sizes)), key=lambda i: sizes[i])
    rest = k - sizes[big]
    parts = [str(m) for m in sizes]
    parts[big] = "k" if rest == 0 else f"k-{rest}"
    return ",".join(parts)


@dataclass(frozen=True)
class Family:
    """The symmetric family of a limit point.

    Attributes
    ----------
    label : str
        Family name across ``k``: the block sizes with the largest written in
        terms of ``k`` (``k-1,1``), and ``#j`` when ``Fix(H)`` holds several
        minima (``j``-th lowest loss among the search's local minima).
    group : str
        The Young-type group ``H`` at this ``k`` (``19,1``).
    coords : tuple of float
        The critical point in ``Fix(H)`` (reduced Newton from the projection).
    names : tuple of str
        Coordinate names.
    projection_residual : float
        ``‖W − embed(project(W))‖_F`` in the block layout (0 up to rounding
        when ``W ∈ Fix(H)``).
    reduced_gradient_norm : float
        ``‖∇L_H‖`` after the reduced Newton polish.
    search_match : int or None
        Index of the matching point in the list of
        :func:`~symbreak.critical.find_critical_points` (sorted by loss), or
        ``None`` when the search did not find it (or was not run).
    search_points : int
        Number of critical points the search found in ``Fix(H)`` (0 if not run).
    """

    label: str
    group: str
    coords: tuple[float, ...]
    names: tuple[str, ...]
    projection_residual: float
    reduced_gradient_norm: float
    search_match: int | None
    search_points: int

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "group": self.group,
            "coords": list(self.coords),
            "names": list(self.names),
            "projection_residual": self.projection_residual,
            "reduced_gradient_norm": self.reduced_gradient_norm,
            "search_match": self.search_match,
            "search_points": self.search_points,
        }


def family_of(W, iso: LimitIsotropy, k: int, *, search: SearchOptions | None = None,
              search_cache: dict | None = None, spectrum=None, loss: float | None = None) -> Family:
    """Project ``W`` to ``Fix(H)``, polish in the reduced system, match with the search.

    Parameters
    ----------
    W : ndarray, shape (n, d)
    iso : LimitIsotropy
    k : int
    search : SearchOptions, optional
        Options of :func:`find_critical_points`; ``None`` skips the matching.
    search_cache : dict, optional
        Search results by group spec, reused across limits.
    spectrum : list of (value, multiplicity), optional
        The limit's dense spectrum, for the match (else the analytic one is used).
    loss : float, optional
        The limit's loss.
    """
    W = np.asarray(W, dtype=float)
    n, d = W.shape
    group = iso.group(k, d)
    space = FixedPointSpace(group)
    Wb = W[np.ix_(iso.rows, iso.cols)]
    coords = space.project(Wb)
    residual = float(np.linalg.norm(space.embed(coords) - Wb))
    system = ReducedSystem(group)
    coords = _reduced_newton(system, coords)
    gnorm = float(np.linalg.norm(system.gradient(coords)))
    coords = canonical_coords(space, coords)
    loss = system.loss(coords) if loss is None else loss
    match, npoints, rank = None, 0, 0
    if search is not None:
        cache = {} if search_cache is None else search_cache
        if group.spec not in cache:
            cache[group.spec] = find_critical_points(group, options=search).points
        points = cache[group.spec]
        npoints = len(points)
        if spectrum is None:
            spectrum = analytic_spectrum(group, coords).values_with_multiplicity()
        for i, p in enumerate(points):
            if same_loss_and_spectrum(loss, spectrum, p.loss, p.spectrum.values_with_multiplicity(),
                                      loss_tol=1e-8, value_tol=1e-5):
                match = i
                break
        if match is not None:
            minima = [p for p in points if p.index == 0 and p.loss > LOSS_TOL]
            rank = next((j for j, p in enumerate(minima) if p is points[match]), -1) + 1
    label = k_label(iso.block_sizes, k) if iso.block_sizes else "?"
    if "|" in iso.spec and iso.spec.split("|", 1)[1].strip("|"):
        label += "|" + iso.spec.split("|", 1)[1]
    if rank > 1:
        label += f" #{rank}"
    return Family(
        label=label,
        group=group.name,
        coords=tuple(float(c) for c in coords),
        names=tuple(space.names),
        projection_residual=residual,
        reduced_gradient_norm=float(gnorm),
        search_match=match,
        search_points=npoints,
    )


def _reduced_newton(system: ReducedSystem, coords) -> np.ndarray:
    """Newton's method in ``Fix(H)`` from the projection (:func:`symbreak.solve.newton`)."""
    result = newton(system, coords)
    return np.asarray(result.x, dtype=float) if result.converged else np.asarray(coords)


@dataclass(frozen=True)
class LimitClass:
    """One distinct limit point (an ``S_n × S_d`` orbit) and the runs that reached it.

    Attributes
    ----------
    kind : str
        ``global_minimum``, ``spurious_minimum`` or ``saddle``.
    loss : float
    min_eig : float
        Smallest Hessian eigenvalue.
    index : int
        Morse index (eigenvalues below ``-ZERO_TOL``).
    degenerate : bool
        A zero eigenvalue (``|λ| ≤ ZERO_TOL``) besides the index.
    spectrum_method : str
        ``dense`` (``eigvalsh``) or ``analytic`` (through the isotropy).
    isotropy : LimitIsotropy
    family : Family or None
    runs : tuple of int
        Run numbers that reached it (the hit count is ``len(runs)``).
    dead_rows : int
        Neurons whose norm went to 0 (below ``DEAD_ROW_RTOL`` of the largest);
        the spectrum is that of the other rows.
    """

    kind: str
    loss: float
    min_eig: float
    index: int
    degenerate: bool
    spectrum_method: str
    isotropy: LimitIsotropy
    family: Family | None
    runs: tuple[int, ...]
    dead_rows: int = 0

    @property
    def hits(self) -> int:
        return len(self.runs)

    def to_json(self) -> dict:
        """The JSON record of a minimum (the fields the issue fixes, then extras)."""
        return {
            "block_sizes": list(self.isotropy.block_sizes),
            "isotropy": self.isotropy.label,
            "isotropy_order": self.isotropy.order,
            "loss": self.loss,
            "hits": self.hits,
            "min_eig": self.min_eig,
            "index": self.index,
            "family": None if self.family is None else self.family.label,
            "kind": self.kind,
            "isotropy_spec": self.isotropy.spec,
            "young": self.isotropy.young,
            "degenerate": self.degenerate,
            "spectrum_method": self.spectrum_method,
            "family_detail": None if self.family is None else self.family.to_json(),
            "runs": list(self.runs),
            "dead_rows": self.dead_rows,
        }


def _dense_spectrum(V, W) -> tuple[float, int, bool, list]:
    lam = np.linalg.eigvalsh(TeacherStudent(V, n=W.shape[0]).hessian(W))
    index = int(np.sum(lam < -ZERO_TOL))
    degenerate = bool(np.any(np.abs(lam) <= ZERO_TOL))
    return float(lam[0]), index, degenerate, cluster_eigenvalues(lam, tol=1e-7)


def classify_limits(W, converged, k: int, V, *, dense_max_k: int = 60,
                    search: SearchOptions | None = None) -> list[LimitClass]:
    """Merge converged limits into orbits and classify each orbit once.

    Parameters
    ----------
    W : ndarray, shape (R, n, d)
        Final points of the runs.
    converged : ndarray of bool, shape (R,)
    k : int
    V : ndarray, shape (k, d)
        Teacher.
    dense_max_k : int
        Dense ``eigvalsh`` up to this ``k``, the analytic spectrum beyond.
    search : SearchOptions, optional
        Match each family with :func:`find_critical_points` (``None``: skip).

    Returns
    -------
    list of LimitClass
        Sorted by loss.
    """
    W = np.asarray(W, dtype=float)
    n = W.shape[1]
    model = TeacherStudent(V, n=n)
    orbits: list[tuple[LimitIsotropy, list[int]]] = []
    by_structure: dict = {}
    for r in np.flatnonzero(converged):
        iso = limit_isotropy(W[r], k)
        for j in by_structure.get(iso.form.structure, ()):
            if orbits[j][0].form.same_orbit(iso.form):
                orbits[j][1].append(int(r))
                break
        else:
            by_structure.setdefault(iso.form.structure, []).append(len(orbits))
            orbits.append((iso, [int(r)]))
    cache: dict = {}
    out = []
    for iso, runs in orbits:
        rep = W[runs[0]]
        norms = np.linalg.norm(rep, axis=1)
        live = norms > DEAD_ROW_RTOL * norms.max()
        dead = int(np.sum(~live))
        loss = max(float(model.loss(rep)), 0.0)  # L >= 0; rounding gives -1e-15 at W = V
        if k <= dense_max_k:
            # a dead neuron (row -> 0) is where L is not differentiable: the
            # spectrum is that of the live rows (the dead row adds nothing to L)
            min_eig, index, degenerate, pairs = _dense_spectrum(V, rep[live])
            method = "dense"
        else:
            pairs = None
            method = "analytic"
        try:
            fam = family_of(rep, iso, k, search=search, search_cache=cache,
                            spectrum=None if dead else pairs, loss=loss)
        except (DomainError, np.linalg.LinAlgError):  # e.g. a dead row: no reduced family
            fam = None
        if method == "analytic":
            if fam is None:
                raise ValueError(
                    f"k = {k}: a limit with dead rows has no analytic spectrum; "
                    f"use dense_max_k >= {k}"
                )
            spec = analytic_spectrum(iso.group(k, rep.shape[1]), fam.coords)
            min_eig, index = spec.min_eigenvalue, int(spec.index)
            degenerate = spec.is_degenerate
        if index > 0:
            kind = "saddle"
        elif loss <= LOSS_TOL:
            kind = "global_minimum"
        else:
            kind = "spurious_minimum"
        out.append(LimitClass(kind=kind, loss=loss, min_eig=min_eig, index=index,
                              degenerate=degenerate, spectrum_method=method, isotropy=iso,
                              family=fam, runs=tuple(runs), dead_rows=dead))
    out.sort(key=lambda c: (c.loss, c.runs[0]))
    return out
