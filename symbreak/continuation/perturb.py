r"""Forced symmetry breaking: follow a critical point from ``V = I`` to ``V = I + εE``.

For the teacher ``V(ε) = V_0 + εE`` (``V_0 = [I_k\; 0] ∈ M(k, d)``) the critical
points of the dense closed-form loss form curves

.. math::

    F(W, ε) = ∇L(W; V(ε)) = 0,\qquad
    ∂_z F = \bigl[\,H \;\big|\; ∂_ε∇L\,\bigr],\quad z = (\mathrm{vec}\,W, ε),

with ``∂_ε∇L`` in closed form
(:meth:`~symbreak.model.TeacherStudent.grad_teacher_derivative`).  They are
followed by the one pseudo-arclength core
(:func:`~symbreak.continuation.arclength.follow`) from a symmetric critical
point at ``ε = 0`` (MATH §7).

**Events.**  The index changes only where ``H`` is singular: at a *fold* (the
branch turns back in ``ε``; generic for a random ``E``: the minimum meets a
saddle and both disappear) or at a *branch point* (``ε`` keeps going; the
kernel of ``H`` is orthogonal to ``∂_ε∇L``, typical of a structured ``E`` that
keeps a symmetry).  Both are located to ``|Δε| ≤ 1e-10`` as the zero of the
eigenvalue that changes sign, by Brent's method on the arclength between two
branch points, each evaluation corrected back onto the branch.

**Clusters.**  At ``ε = 0`` the Hessian has few distinct eigenvalues ``λ`` of
large multiplicity ``m`` (one per isotypic block eigenvalue,
:func:`~symbreak.spectrum.analytic_spectrum`).  With ``P`` an orthonormal
basis of the eigenspace, perturbation theory gives the split eigenvalues

.. math::

    λ_i(ε) = λ + ε μ_i + O(ε^2),\qquad μ = \mathrm{eig}(P^T \tfrac{dH}{dε} P),\qquad
    \frac{dH}{dε} = ∂_εH + D_WH[W′],\quad W′ = −H^{-1}∂_ε∇L.

``dH/dε = \frac{d}{ds} H(W + sW′; V + sE)|_{s=0}`` is evaluated as a
fourth-order central difference of the closed-form dense Hessian (no third
derivatives of κ are coded).  Along the branch every Hessian eigenvector is
assigned to the cluster whose eigenspace it overlaps most (tracked from point
to point), so each cluster's eigenvalues are followed to the end of the branch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, DomainError
from ..model import TeacherStudent
from ..progress import Progress
from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import IsotropyGroup
from ..solve import solve
from ..spectrum import analytic_spectrum
from .arclength import follow
from .corrector import correct, tangent
from .options import ContinuationOptions
from .status import Status

__all__ = [
    "PerturbedTeacher",
    "PerturbedPoint",
    "PerturbationEvent",
    "EigenvalueCluster",
    "PerturbationResult",
    "perturb",
    "random_direction",
    "DEFAULT_PERTURB_OPTIONS",
]

#: continuation options for ε (W entries and ε are both of order one)
DEFAULT_PERTURB_OPTIONS = ContinuationOptions(ds=0.02, ds_max=0.05, max_steps=2000)
#: |Δε| to which events are located
EVENT_EPS_TOL = 1e-10


def random_direction(k: int, d: int | None = None, *, seed: int | None = 0) -> np.ndarray:
    """A random teacher perturbation ``E``: i.i.d. Gaussian entries, unit Frobenius norm."""
    d = k if d is None else d
    E = np.random.default_rng(seed).standard_normal((k, d))
    return E / np.linalg.norm(E)


class PerturbedTeacher:
    r"""The curve ``F(W, ε) = ∇L(W; V_0 + εE) = 0`` on the dense model.

    Parameters
    ----------
    V0 : array_like, shape (k, d)
        Teacher at ``ε = 0``.
    E : array_like, shape (k, d)
        Direction of the perturbation.
    n : int
        Student width.

    Notes
    -----
    ``z = (vec W, ε)`` (``W`` row-major); :meth:`jacobian` returns ``F`` and
    ``[H | ∂_ε∇L]``.  A zero row of ``W`` or ``V(ε)`` raises
    :class:`~symbreak.errors.DomainError` (``L`` is not differentiable there).
    """

    def __init__(self, V0, E, n: int):
        self.V0 = np.array(V0, dtype=float)
        self.E = np.array(E, dtype=float)
        if self.V0.ndim != 2 or self.E.shape != self.V0.shape:
            raise ValueError(
                f"the perturbation E must have the teacher's shape {self.V0.shape}, "
                f"got {self.E.shape}"
            )
        if not np.all(np.isfinite(self.E)):
            raise ValueError("the perturbation E must be finite")
        self.k, self.d = self.V0.shape
        self.n = int(n)
        self._cache: tuple[float, TeacherStudent] | None = None

    def model(self, eps: float) -> TeacherStudent:
        """The dense model with teacher ``V_0 + εE``."""
        eps = float(eps)
        if self._cache is None or self._cache[0] != eps:
            try:
                self._cache = (eps, TeacherStudent(self.V0 + eps * self.E, n=self.n))
            except ValueError as exc:
                raise DomainError(f"teacher at eps = {eps:g}: {exc}") from None
        return self._cache[1]

    def to_z(self, W, eps: float) -> np.ndarray:
        return np.append(np.asarray(W, dtype=float).ravel(), float(eps))

    def split(self, z) -> tuple[np.ndarray, float]:
        """``(W, ε)`` from ``z``."""
        z = np.asarray(z, dtype=float)
        return z[:-1].reshape(self.n, self.d), float(z[-1])

    def residual(self, W, eps: float) -> np.ndarray:
        """``F = vec ∇L(W; V(ε))``."""
        # zero rows and non-finite entries raise DomainError in the model itself
        return self.model(eps).grad(np.asarray(W).reshape(self.n, self.d)).ravel()

    def jacobian(self, z) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``[H | ∂_ε∇L]`` at ``z`` (shape ``nd × (nd + 1)``)."""
        W, eps = self.split(z)
        m = self.model(eps)
        F = m.grad(W).ravel()  # DomainError at zero rows / non-finite W
        H = m.hessian(W)
        Fe = m.grad_teacher_derivative(W, self.E).ravel()
        return F, np.column_stack([H, Fe])

    def hessian(self, W, eps: float) -> np.ndarray:
        return self.model(eps).hessian(W)  # DomainError at zero rows / non-finite W

    def velocity(self, W, eps: float) -> np.ndarray:
        """``W′ = −H^{-1} ∂_ε∇L`` (shape (n, d)); least squares if ``H`` is singular."""
        H = self.hessian(W, eps)
        Fe = self.model(eps).grad_teacher_derivative(W, self.E).ravel()
        try:
            x = np.linalg.solve(H, -Fe)
        except np.linalg.LinAlgError:
            x = np.linalg.lstsq(H, -Fe, rcond=None)[0]
        return x.reshape(self.n, self.d)

    def hessian_derivative(self, W, eps: float, *, h: float = 1e-3) -> np.ndarray:
        r"""``dH/dε = ∂_εH + D_WH[W′]`` along the branch through ``(W, ε)``.

        Fourth-order central difference of ``s ↦ H(W + sW′; V(ε + s))``:
        ``(−H(2h) + 8H(h) − 8H(−h) + H(−2h)) / (12h)``, error ``O(h⁴)`` plus
        rounding ``O(10^{-16}/h)``.
        """
        Wp = self.velocity(W, eps)
        scale = max(1.0, float(np.max(np.abs(Wp))))
        h = h / scale
        H = [self.hessian(W + s * h * Wp, eps + s * h) for s in (-2, -1, 1, 2)]
        D = (H[0] - 8 * H[1] + 8 * H[2] - H[3]) / (12 * h)
        return 0.5 * (D + D.T)


@dataclass(frozen=True)
class PerturbedPoint:
    """One point of the branch.

    Attributes
    ----------
    eps, loss : float
    index : int
        Number of negative Hessian eigenvalues (below ``−zero_tol``).
    min_eig : float
    W : ndarray, shape (n, d)
    eigenvalues : ndarray
        All Hessian eigenvalues, increasing.
    tangent_eps : float
        ``dε/ds`` (its sign change marks a fold).
    """

    eps: float
    loss: float
    index: int
    min_eig: float
    W: np.ndarray
    eigenvalues: np.ndarray
    tangent_eps: float

    def to_json(self) -> dict:
        return {
            "eps": self.eps,
            "loss": self.loss,
            "index": self.index,
            "min_eig": self.min_eig,
            "W": self.W.tolist(),
        }


@dataclass(frozen=True)
class PerturbationEvent:
    """An index change along the branch.

    Attributes
    ----------
    kind : str
        ``"fold"`` (the branch turns back in ``ε``), ``"branch_point"`` (``ε``
        does not turn; another branch crosses) or ``"unlocated"`` (the index
        changed between two points but the zero could not be located).
    eps : float
        Where (to ``1e-10`` unless ``"unlocated"``: then the midpoint).
    index_before, index_after : int
        Along the direction of travel.
    eigenvalue : float
        The located eigenvalue (≈ 0; NaN, and ``null`` in JSON, if unlocated).
    W : ndarray or None
        The critical point there (``None`` if unlocated).
    """

    kind: str
    eps: float
    index_before: int
    index_after: int
    eigenvalue: float
    W: np.ndarray | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "eps": self.eps,
            "index_before": self.index_before,
            "index_after": self.index_after,
            "eigenvalue": self.eigenvalue if math.isfinite(self.eigenvalue) else None,
            "W": None if self.W is None else self.W.tolist(),
        }


@dataclass(frozen=True)
class EigenvalueCluster:
    """An eigenvalue of the symmetric point and what it splits into.

    Attributes
    ----------
    value : float
        ``λ`` at ``ε = 0``.
    multiplicity : int
    irrep : str
        Isotypic block(s) of the symmetric point (``" + "``-joined when two
        blocks share the value).
    first_order : tuple of float
        ``μ`` (increasing): ``λ_i(ε) ≈ λ + ε μ_i``.
    at_eps : tuple of float
        The cluster's eigenvalues (increasing) at the target ``ε``, or, when the
        branch turns back at a fold first, at its last point before the fold.
    eps : float
        ``ε`` of that point.
    track : ndarray, shape (points, multiplicity)
        The cluster's eigenvalues at every branch point (increasing per row).
    """

    value: float
    multiplicity: int
    irrep: str
    first_order: tuple[float, ...]
    at_eps: tuple[float, ...]
    eps: float
    track: np.ndarray

    def predicted(self, eps: float) -> np.ndarray:
        """First-order prediction ``λ + ε μ`` (increasing)."""
        return np.sort(self.value + eps * np.asarray(self.first_order))

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "multiplicity": self.multiplicity,
            "irrep": self.irrep,
            "first_order": list(self.first_order),
            "at_eps": list(self.at_eps),
            "eps": self.eps,
            "predicted": [float(x) for x in self.predicted(self.eps)],
        }


@dataclass(frozen=True)
class PerturbationResult:
    """Outcome of :func:`perturb`.

    Attributes
    ----------
    status : Status
    message : str
    branch : tuple of PerturbedPoint
    events : tuple of PerturbationEvent
    clusters : tuple of EigenvalueCluster
    direction : ndarray
        ``E``.
    eps_target : float
    isotropy : str
    k : int
    survives_until : float or None
        ``ε`` of the first event that ends the start's index (for a minimum:
        where it stops being a minimum); ``None`` if the index never changes.
    """

    status: Status
    message: str
    branch: tuple[PerturbedPoint, ...]
    events: tuple[PerturbationEvent, ...]
    clusters: tuple[EigenvalueCluster, ...]
    direction: np.ndarray
    eps_target: float
    isotropy: str
    k: int

    @property
    def eps(self) -> np.ndarray:
        return np.array([p.eps for p in self.branch])

    @property
    def survives_until(self) -> float | None:
        return self.events[0].eps if self.events else None

    def to_json(self) -> dict:
        return {
            "status": self.status.value,
            "message": self.message,
            "k": self.k,
            "isotropy": self.isotropy,
            "eps_target": self.eps_target,
            "survives_until": self.survives_until,
            "branch": [p.to_json() for p in self.branch],
            "events": [e.to_json() for e in self.events],
            "clusters": [c.to_json() for c in self.clusters],
            "direction": self.direction.tolist(),
        }


# --------------------------------------------------------------------- clusters
def _symmetric_clusters(group: IsotropyGroup, coords, evals: np.ndarray):
    """Partition the dense eigenvalues at ``ε = 0`` into the analytic spectrum's entries.

    Returns a list of ``(value, multiplicity, irrep, indices)``.
    """
    spec = analytic_spectrum(group, coords)
    entries = sorted(spec.entries, key=lambda e: e.value)
    merged: list[list] = []
    for e in entries:
        if merged and abs(e.value - merged[-1][0]) <= 1e-8 * max(1.0, abs(e.value)):
            merged[-1][1] += int(round(e.multiplicity))
            merged[-1][2].append(e.irrep)
        else:
            merged.append([e.value, int(round(e.multiplicity)), [e.irrep]])
    order = np.argsort(evals)
    out, start = [], 0
    for value, mult, irreps in merged:
        idx = order[start : start + mult]
        start += mult
        if idx.size != mult or np.max(np.abs(evals[idx] - value)) > 1e-6 * max(1.0, abs(value)):
            raise ValueError(
                "the dense Hessian at eps = 0 does not match the analytic spectrum of "
                f"Fix({group.name}) (eigenvalue {value:.6g} x {mult}): is the start critical?"
            )
        out.append((float(value), mult, " + ".join(irreps), idx))
    return out


class _Tracker:
    """Assign each new eigenvector to the cluster whose eigenspace it overlaps most."""

    def __init__(self, U0: np.ndarray, labels: np.ndarray, n_clusters: int):
        self.U = U0
        self.labels = labels
        self.sizes = np.bincount(labels, minlength=n_clusters)

    def update(self, U: np.ndarray) -> np.ndarray:
        C = self.sizes.size
        onehot = np.zeros((self.labels.size, C))
        onehot[np.arange(self.labels.size), self.labels] = 1.0
        weight = ((U.T @ self.U) ** 2) @ onehot  # (new vector, cluster)
        labels = np.full(U.shape[1], -1)
        room = self.sizes.copy()
        for flat in np.argsort(-weight, axis=None):
            v, c = divmod(int(flat), C)
            if labels[v] < 0 and room[c] > 0:
                labels[v] = c
                room[c] -= 1
        self.U, self.labels = U, labels
        return labels


# ------------------------------------------------------------------- the driver
def _check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"eps must be a real number, got {eps!r}")
    eps = float(eps)
    if not math.isfinite(eps) or eps == 0.0:
        raise ValueError(f"eps must be a finite non-zero number, got {eps}")
    return eps


def perturb(
    group: IsotropyGroup,
    coords,
    direction,
    eps: float,
    *,
    options: ContinuationOptions | None = None,
    zero_tol: float = 1e-9,
    locate: bool = True,
    progress: Progress | None = None,
) -> PerturbationResult:
    r"""Follow a symmetric critical point from ``V = I`` to ``V = I + εE``.

    Parameters
    ----------
    group : IsotropyGroup
        Isotropy of the start (integer ``k``; ``n = k``, ``d = group.d``).
    coords : array_like
        A critical point of ``Fix(group)`` at ``ε = 0`` (corrected by Newton first).
    direction : array_like, shape (k, d)
        ``E`` (e.g. :func:`random_direction`).
    eps : float
        Target ``ε`` (negative to go the other way).
    options : ContinuationOptions, optional
        Default :data:`DEFAULT_PERTURB_OPTIONS`.
    zero_tol : float
        Eigenvalues below ``−zero_tol`` count in the index.
    locate : bool
        Locate the events (to ``1e-10`` in ``ε``).
    progress : Progress, optional
        Called with a :class:`~symbreak.progress.ProgressUpdate` (stage
        ``"perturb"``, ``info = {"eps", "index"}``) after every accepted step.

    Returns
    -------
    PerturbationResult
        Never raises on numerical trouble along the way; the status says why
        the run stopped.

    Raises
    ------
    TypeError, ValueError
        Bad input: real ``k``, wrong shape of ``E``, a start that is not critical.
    """
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if not group.is_integral:
        raise ValueError(
            f"perturbed teachers use the dense model: k must be an integer, got k = {group.k:g}"
        )
    eps = _check_eps(eps)
    opts = DEFAULT_PERTURB_OPTIONS if options is None else options
    if not isinstance(opts, ContinuationOptions):
        raise TypeError(f"options must be a ContinuationOptions, got {type(opts).__name__}")
    n, d = group.shape
    k = int(round(group.k))
    E = np.asarray(direction, dtype=float)
    if E.shape != (k, d):
        raise ValueError(f"the direction E must have shape (k, d) = ({k}, {d}), got {E.shape}")
    space = FixedPointSpace(group)
    c = space.check_coords(coords)
    V0 = np.zeros((k, d))
    V0[:, :k] = np.eye(k)
    curve = PerturbedTeacher(V0, E, n)
    e_last = np.zeros(n * d + 1)
    e_last[-1] = 1.0
    z0 = curve.to_z(space.embed(c), 0.0)
    polish = ContinuationOptions(
        **{**opts.to_json(), "max_newton": max(opts.max_newton, 30), "contraction": 0.9}
    )
    res = correct(curve, z0, e_last, 0.0, polish)
    if not res.converged or np.max(np.abs(res.z - z0)) > 1e-4 * max(1.0, np.max(np.abs(z0))):
        raise ValueError(
            f"the point is not critical in Fix({group.name}) at k = {k} (Newton at eps = 0 "
            f"{'failed' if res.z is None else 'moved it'}): give a critical point, e.g. from "
            "'symbreak critical'"
        )
    z0 = res.z
    W0 = curve.split(z0)[0]
    H0 = curve.hessian(W0, 0.0)
    lam0, U0 = np.linalg.eigh(H0)
    groups = _symmetric_clusters(group, space.check_coords(c), lam0)
    labels = np.empty(lam0.size, dtype=int)
    for ci, (_, _, _, idx) in enumerate(groups):
        labels[idx] = ci
    tracker = _Tracker(U0, labels, len(groups))
    dH = curve.hessian_derivative(W0, 0.0)
    first = []
    for _, _, _, idx in groups:
        P = U0[:, idx]
        first.append(tuple(float(x) for x in np.linalg.eigvalsh(P.T @ dH @ P)))
    tracks: list[list[np.ndarray]] = [[] for _ in groups]

    def make_point(z, t, end):
        W, e = curve.split(z)
        if end is not None and end != "start":
            e = eps if end == ("hi" if eps > 0 else "lo") else 0.0
        H = curve.hessian(W, e)
        lam, U = np.linalg.eigh(H)
        lab = labels if end == "start" else tracker.update(U)
        for ci in range(len(groups)):
            tracks[ci].append(np.sort(lam[lab == ci]))
        return PerturbedPoint(
            eps=e,
            loss=curve.model(e).loss(W),
            index=int(np.sum(lam < -zero_tol)),
            min_eig=float(lam[0]),
            W=np.array(W),
            eigenvalues=lam,
            tangent_eps=float(t[-1]),
        )

    try:
        t0 = tangent(curve, z0, direction=1.0 if eps > 0 else -1.0)
    except (ValueError, DomainError) as exc:
        raise ValueError(f"cannot start the continuation at eps = 0: {exc}") from None
    path = follow(
        curve,
        z0,
        t0,
        lo=min(0.0, eps),
        hi=max(0.0, eps),
        target=1 if eps > 0 else -1,
        options=opts,
        make_point=make_point,
        where=lambda p: f"eps = {p.eps:.10g}",
        progress=progress,
        stage="perturb",
        describe=lambda p: {"eps": p.eps, "index": p.index},
    )
    points = path.points
    events = _events(curve, path, zero_tol, opts) if locate else ()
    message = path.message
    if path.status is Status.LEFT_WINDOW:
        message = (
            "the branch turned back at a fold (see the events) and returned to eps = 0 on "
            "another critical point: the start does not extend to the target eps along E"
        )
    elif path.status is Status.COMPLETED:
        message = f"reached the target eps = {eps:g}"
    far = _farthest(points)
    clusters = tuple(
        EigenvalueCluster(
            value=v,
            multiplicity=m,
            irrep=irr,
            first_order=first[ci],
            at_eps=tuple(float(x) for x in tracks[ci][far]),
            eps=points[far].eps,
            track=np.array(tracks[ci]),
        )
        for ci, (v, m, irr, _) in enumerate(groups)
    )
    return PerturbationResult(
        status=path.status,
        message=message,
        branch=tuple(points),
        events=events,
        clusters=clusters,
        direction=E,
        eps_target=eps,
        isotropy=group.spec,
        k=k,
    )


def _farthest(points) -> int:
    """Index of the last point before the branch first turns back in ``ε`` (a fold)."""
    sign = np.sign(points[0].tangent_eps)
    for i, p in enumerate(points):
        if np.sign(p.tangent_eps) != sign:
            return max(i - 1, 0)
    return len(points) - 1


def _events(curve, path, zero_tol, opts) -> tuple[PerturbationEvent, ...]:
    """Locate every index change between consecutive branch points.

    A step across which the index changes by more than one is first cut into
    pieces (four sub-steps, recursively, three levels) until each piece holds
    one crossing, or a crossing of several eigenvalues at once (a multiple
    eigenvalue kept by a symmetry).  In each piece the crossing eigenvalues
    (sorted positions ``j … j + m − 1``; their mean is smooth even when
    rounding splits a multiple eigenvalue) are bracketed by Brent's method on
    the arclength ``s`` to ``10⁻⁶``, then sampled at six Chebyshev nodes within
    ``h = 10⁻⁴`` of the estimate (far enough from the singular point for the
    corrector to be well conditioned) and interpolated by a quintic, as is
    ``ε(s)``: the zero and its ``ε`` are then accurate to far below ``1e-10``
    for an analytic branch.
    """
    pts, zs, ts = path.points, path.zs, path.ts
    out = []
    for i in range(len(pts) - 1):
        a, b = pts[i], pts[i + 1]
        if a.index == b.index:
            continue
        pa = (zs[i], ts[i], a.index, a.tangent_eps, a.eps)
        pb = (zs[i + 1], ts[i + 1], b.index, b.tangent_eps, b.eps)
        for lo, hi in _pieces(curve, pa, pb, zero_tol, opts, depth=3):
            out.append(_locate(curve, lo, hi, opts))
    return tuple(out)


def _chord(pa, pb):
    """Start, unit direction and length of the chord between two samples."""
    d = pb[0] - pa[0]
    span = float(np.linalg.norm(d))
    return pa[0], d / span, span


def _sample(curve, z, d, s, t_prev, zero_tol, opts):
    """``(x, t, index, dε/ds, ε)`` where the hyperplane ``d·(x − z) = s`` meets the branch."""
    x = _on_branch(curve, z, d, s, opts)
    tx = tangent(curve, x, previous=t_prev)
    W, e = curve.split(x)
    index = int(np.sum(np.linalg.eigvalsh(curve.hessian(W, e)) < -zero_tol))
    return (x, tx, index, float(tx[-1]), e)


def _pieces(curve, pa, pb, zero_tol, opts, depth):
    """Sub-steps of ``[pa, pb]`` that each hold one crossing (see :func:`_events`)."""
    if abs(pb[2] - pa[2]) <= 1 or depth == 0:
        return [(pa, pb)]
    z, d, span = _chord(pa, pb)
    try:
        mids = [_sample(curve, z, d, q * span / 4, pa[1], zero_tol, opts) for q in (1, 2, 3)]
    except (DomainError, ConvergenceError, np.linalg.LinAlgError):
        return [(pa, pb)]  # not subdivided: _locate reports what it cannot resolve
    chain = [pa, *mids, pb]
    out = []
    for lo, hi in zip(chain, chain[1:]):
        if lo[2] != hi[2]:
            out.extend(_pieces(curve, lo, hi, zero_tol, opts, depth - 1))
    return out


def _locate(curve, pa, pb, opts) -> PerturbationEvent:
    """The crossing between two samples ``(x, t, index, dε/ds, ε)`` (see :func:`_events`)."""
    from scipy.optimize import brentq

    _, _, ia, ta, ea = pa
    _, _, ib, tb, eb = pb
    j, m = min(ia, ib), abs(ia - ib)
    z, t, span = _chord(pa, pb)  # cut the branch by hyperplanes along the chord

    def at(s):
        x = z if s == 0.0 else _on_branch(curve, z, t, s, opts)
        W, e = curve.split(x)
        lam = np.linalg.eigvalsh(curve.hessian(W, e))
        return float(np.mean(lam[j : j + m])), x

    try:
        if at(0.0)[0] * at(span)[0] > 0:
            raise ConvergenceError("no sign change")
        s0 = brentq(lambda s: at(s)[0], 0.0, span, xtol=1e-6 * max(span, 1e-6), maxiter=100)
        h = min(1e-4, 0.5 * s0, 0.5 * (span - s0))
        if h <= 0:
            raise ConvergenceError("the crossing sits on a point of the path")
        nodes = s0 + h * np.cos(np.pi * (2 * np.arange(6) + 1) / 12)
        vals, xs = zip(*(at(float(q)) for q in nodes))
        u = (nodes - s0) / h
        lam_fit = np.polynomial.Polynomial.fit(u, vals, 5, domain=[-1, 1])
        roots = [r.real for r in lam_fit.roots() if abs(r.imag) < 1e-9 and abs(r.real) <= 1]
        if not roots:
            raise ConvergenceError("no zero of the interpolant")
        u_star = min(roots, key=abs)
        eps_fit = np.polynomial.Polynomial.fit(u, [x[-1] for x in xs], 5, domain=[-1, 1])
        e_star = float(eps_fit(u_star))
        value = float(lam_fit(u_star))
        # the point itself, interpolated too (the corrector is ill-conditioned right there)
        coef = np.linalg.solve(np.vander(u, 6), np.array(xs))
        W_star = curve.split((np.vander([u_star], 6) @ coef)[0])[0]
        kind = "fold" if ta * tb < 0 else "branch_point"
    except (DomainError, RuntimeError, np.linalg.LinAlgError):
        # RuntimeError: a ConvergenceError above, or Brent's method not converging;
        # the crossing is kept as an "unlocated" event
        e_star, value, kind, W_star = 0.5 * (ea + eb), float("nan"), "unlocated", None
    return PerturbationEvent(kind, e_star, ia, ib, value, W_star)


def _on_branch(curve, z, t, s, opts) -> np.ndarray:
    """The point of the branch on the hyperplane ``t·(x − z) = s`` (``t`` a unit vector).

    The corrector first; where it fails (next to a branch point the bordered
    Jacobian is nearly singular in the directions that break the symmetry, and
    rounding makes the steps there bounce), minimum-norm Newton steps (the one
    Newton, :func:`symbreak.solve.solve`), accepted when the residual is below
    ``gradient_tol``.
    """
    value = float(t @ z) + s
    r = correct(curve, z + s * t, t, value, opts)
    if r.converged:
        return r.z

    def bordered(x):
        F, J = curve.jacobian(x)
        return np.append(F, float(t @ x) - value), np.vstack([J, t])

    res = solve(
        bordered,
        z + s * t,
        gradient_tol=opts.gradient_tol,
        step_tol=opts.newton_tol,
        relative_step=False,
        max_iter=max(opts.max_newton, 30),
        lstsq=True,
    )
    if not (res.converged or (res.x is not None and res.residual <= opts.gradient_tol)):
        raise ConvergenceError(f"the corrector failed while locating an event: {res.message}")
    return res.x


def _eig(curve, z, j) -> float:
    W, e = curve.split(z)
    return float(np.linalg.eigvalsh(curve.hessian(W, e))[j])
