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

import math
from dataclasses import dataclass, field

import numpy as np

from .._numerics import cluster_eigenvalues, same_loss_and_spectrum
from ..critical.classify import LOSS_TOL
from ..critical.search import SearchOptions, find_critical_points, newton_polish
from ..critical.symmetry import canonical_coords
from ..model.teacher_student import TeacherStudent
from ..reduced.fixed_point import FixedPointSpace
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, detect_isotropy
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

#: kinds of a gradient-descent run's outcome (strings of the JSON)
KINDS = ("global_minimum", "spurious_minimum", "saddle", "not_converged")


@dataclass(frozen=True)
class LimitIsotropy:
    """The symmetry of a dense limit point ``W``.

    Attributes
    ----------
    block_sizes : tuple of int
        Young block sizes ``p`` of the diagonal part (largest first), as in the
        published tables; extra-row and extra-column blocks are in ``spec``.
    spec : str
        Spec of the Young-type isotropy group (``"19,1"``, ``"5,15"``,
        ``"3,2|1"``) at this ``k``.
    label : str
        Readable label of the stabiliser.
    order : int
        Order of the stabiliser of ``W`` in ``S_n × S_d``.
    young : bool or None
        True when the stabiliser is exactly the Young-type group (order
        ``Π m_t!``), ``None`` when the exact stabiliser is not known.
    rows, cols : ndarray of int
        Row and column orders that put ``W`` into the block layout of
        ``IsotropyGroup.from_spec(spec, k, d=d)``: ``W[np.ix_(rows, cols)]``.
    """

    block_sizes: tuple[int, ...]
    spec: str
    label: str
    order: int
    young: bool | None
    rows: np.ndarray = field(repr=False)
    cols: np.ndarray = field(repr=False)

    def group(self, k: int, d: int) -> IsotropyGroup:
        return IsotropyGroup.from_spec(self.spec, k, d=d)


def _young_order(sizes) -> int:
    return math.prod(math.factorial(int(m)) for m in sizes)


def limit_isotropy(W, k: int, *, atol: float = 1e-7) -> LimitIsotropy:
    """Young-type isotropy of a limit ``W`` (teacher ``[I_k 0]``) and the layout that shows it.

    Student rows are matched to teacher neurons by a maximum-weight assignment
    on ``W[:, :k]`` (each neuron of a minimum points mostly at one teacher
    direction); the largest Young-type group fixing the matched matrix is
    :func:`~symbreak.representation.isotropy.detect_isotropy`.
    """
    from scipy.optimize import linear_sum_assignment

    W = np.asarray(W, dtype=float)
    n, d = W.shape
    rows_k, cols_k = linear_sum_assignment(-W[:, :k])
    matched = rows_k[np.argsort(cols_k)]  # matched[j] = the row assigned to teacher j
    extra = np.setdiff1d(np.arange(n), matched)
    order = np.concatenate([matched, extra]).astype(int)
    Wm = W[order]
    det = detect_isotropy(Wm, k, atol=atol)
    diag = [list(b) for b in det.diag_blocks]
    rows = np.array([i for b in diag for i in b] + [i for b in det.row_blocks for i in b], int)
    cols = np.array([j for b in diag for j in b] + [j for b in det.col_blocks for j in b], int)
    sizes = tuple(len(b) for b in diag)
    all_sizes = sizes + tuple(len(b) for b in det.row_blocks + det.col_blocks)
    order_young = _young_order(all_sizes)
    return LimitIsotropy(
        block_sizes=tuple(sorted(sizes, reverse=True)),
        spec=det.spec,
        label=_label(det.spec),
        order=order_young,  # a lower bound: the exact stabiliser may be larger
        young=None,
        rows=order[rows],
        cols=cols,
    )


def _label(spec: str) -> str:
    """``Δ(S_19×S_1)`` style label of a Young spec."""
    parts = spec.split("|")
    diag = "×".join(f"S_{m}" for m in parts[0].split(","))
    out = f"Δ({diag})"
    for extra in parts[1:]:
        if extra:
            out += "×" + "×".join(f"S_{m}" for m in extra.split(","))
    return out


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
    coords, gnorm = newton_polish(system, coords, gtol=1e-13)
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
        }


def _dense_spectrum(model: TeacherStudent, W) -> tuple[float, int, bool, list]:
    lam = np.linalg.eigvalsh(model.hessian(W))
    index = int(np.sum(lam < -ZERO_TOL))
    degenerate = bool(np.any(np.abs(lam) <= ZERO_TOL))
    return float(lam[0]), index, degenerate, cluster_eigenvalues(lam, tol=1e-7)


def _orbit_key(W, iso: LimitIsotropy, k: int):
    """A key equal for limits in one ``S_n × S_d`` orbit: the group and its canonical coordinates."""
    n, d = W.shape
    space = FixedPointSpace(iso.group(k, d))
    c = space.project(W[np.ix_(iso.rows, iso.cols)])
    return (iso.spec, tuple(np.round(canonical_coords(space, c), 6)))


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
    groups: dict = {}
    isos: dict = {}
    for r in np.flatnonzero(converged):
        iso = limit_isotropy(W[r], k)
        key = _orbit_key(W[r], iso, k)
        groups.setdefault(key, []).append(int(r))
        isos.setdefault(key, iso)
    cache: dict = {}
    out = []
    for key, runs in groups.items():
        rep = W[runs[0]]
        iso = isos[key]
        loss = max(float(model.loss(rep)), 0.0)  # L >= 0; rounding gives -1e-15 at W = V
        if k <= dense_max_k:
            min_eig, index, degenerate, pairs = _dense_spectrum(model, rep)
            method = "dense"
        else:
            pairs = None
            method = "analytic"
        fam = family_of(rep, iso, k, search=search, search_cache=cache, spectrum=pairs, loss=loss)
        if method == "analytic":
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
                              family=fam, runs=tuple(runs)))
    out.sort(key=lambda c: (c.loss, c.runs[0]))
    return out
