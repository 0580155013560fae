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

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..model import TeacherStudent
from ..progress import Progress
from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import IsotropyGroup
from ..spectrum import analytic_spectrum
from .options import ContinuationOptions
from .perturb_events import (
    DEFAULT_PERTURB_OPTIONS,
    EpsBranchMixin,
    PerturbationEvent,
    Tracker,
    check_eps,
    correct_start,
    farthest,
    follow_eps,
    locate_events,
)
from .status import Status
from .structured import StructuredDirection, StructuredPerturbationResult, perturb_structured

__all__ = [
    "PerturbedTeacher",
    "PerturbedPoint",
    "PerturbationEvent",
    "EigenvalueCluster",
    "PerturbationResult",
    "perturb",
    "random_direction",
    "DEFAULT_PERTURB_OPTIONS",
    "StructuredDirection",
]

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

    # the spectral interface of the event locator (one block: the whole Hessian)
    def block_eigenvalues(self, z, block: int = 0) -> np.ndarray:
        """Increasing eigenvalues of the Hessian at ``z``."""
        W, e = self.split(z)
        return np.linalg.eigvalsh(self.hessian(W, e))

    def inertia(self, z, zero_tol: float) -> tuple[int]:
        """``(index,)``: the number of eigenvalues below ``−zero_tol``."""
        return (int(np.sum(self.block_eigenvalues(z) < -zero_tol)),)

    def index_of(self, inertia: tuple[int]) -> int:
        return inertia[0]

    def block_label(self, block: int) -> None:
        return None

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

    @property
    def inertia(self) -> tuple[int]:
        """``(index,)`` (the event locator's view: one block)."""
        return (self.index,)

    def to_json(self) -> dict:
        return {
            "eps": self.eps,
            "loss": self.loss,
            "index": self.index,
            "min_eig": self.min_eig,
            "W": self.W.tolist(),
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
class PerturbationResult(EpsBranchMixin):
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


# ------------------------------------------------------------------- the driver
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
) -> PerturbationResult | StructuredPerturbationResult:
    r"""Follow a symmetric critical point from ``V = I`` to ``V = I + εE``.

    Two paths: a dense ``E`` (any ``(k, d)`` array) uses the dense model
    (integer ``k``, practical up to ``k ≈ 40``); a
    :class:`~symbreak.continuation.structured.StructuredDirection`
    (``E ∈ Fix(H′)`` for a Young subgroup ``H′`` of the start's isotropy) uses
    the compressed model on ``Fix(H′)``
    (:func:`~symbreak.continuation.structured.perturb_structured`): cost
    independent of ``k``, real ``k`` allowed.

    Parameters
    ----------
    group : IsotropyGroup
        Isotropy of the start (``n = k``, ``d = group.d``; integer ``k`` for a
        dense ``E``).
    coords : array_like
        A critical point of ``Fix(group)`` at ``ε = 0`` (corrected by Newton first).
    direction : array_like, shape (k, d), or StructuredDirection
        ``E`` (e.g. :func:`random_direction`), or ``E ∈ Fix(H′)`` by its
        coordinates.
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
    PerturbationResult or StructuredPerturbationResult
        Never raises on numerical trouble along the way; the status says why
        the run stopped.

    Raises
    ------
    TypeError, ValueError
        Bad input: real ``k`` with a dense ``E``, wrong shape of ``E``, a start
        that is not critical, ``H′`` not a Young subgroup of ``H``.
    """
    if isinstance(direction, StructuredDirection):
        return perturb_structured(
            group,
            coords,
            direction,
            eps,
            options=options,
            zero_tol=zero_tol,
            locate=locate,
            progress=progress,
        )
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if not group.is_integral:
        raise ValueError(
            f"perturbed teachers use the dense model: k must be an integer, got k = {group.k:g}"
        )
    eps = check_eps(eps)
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
    z0 = correct_start(curve, curve.to_z(space.embed(c), 0.0), opts, group)
    W0 = curve.split(z0)[0]
    H0 = curve.hessian(W0, 0.0)
    lam0, U0 = np.linalg.eigh(H0)
    groups = _symmetric_clusters(group, space.check_coords(c), lam0)
    labels = np.empty(lam0.size, dtype=int)
    for ci, (_, _, _, idx) in enumerate(groups):
        labels[idx] = ci
    tracker = Tracker(U0, labels, len(groups))
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

    path, message = follow_eps(curve, z0, eps, opts, make_point, progress)
    points = path.points
    events = locate_events(curve, path, zero_tol, opts) if locate else ()
    far = farthest(points)
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


