r"""Structured perturbations on the compressed model: ``V(ε) = I + εE`` with ``E ∈ Fix(H′)``.

A perturbation ``E`` of the teacher that is invariant under a Young subgroup
``H′ ⊂ H`` of the start's isotropy (for example ``E = e_j e_jᵀ``: a teacher
with two row norms) keeps the symmetry ``H′``: ``L(·; I + εE)`` is
``H′``-invariant, so the branch from a critical point of ``Fix(H) ⊂ Fix(H′)``
stays in ``Fix(H′)`` and is a curve of

.. math::

    F_o(c, ε) = \frac{1}{|o|}\frac{∂L}{∂c_o}\bigl(c;\, v_0 + εe\bigr) = 0,\qquad
    ∂_z F = \Bigl[\frac{1}{|o|}\frac{∂^2L}{∂c_o∂c_{o′}} \;\Big|\;
              \frac{1}{|o|} D_VD_WL[E_o, E]\Bigr],

``c ∈ Fix(H′)``, ``v_0`` the coordinates of ``[I_k 0]`` and ``e`` those of
``E`` in the teacher's space (:mod:`symbreak.reduced.teacher`).  Everything
is evaluated on the compressed model with explicit teacher rows, so the cost
does not depend on ``k`` and ``k`` may be real.  The rows are scaled by the
orbit sizes ``|o|`` (the gradient per entry of ``W``, as in
:class:`~symbreak.continuation.family.KFamily`), and the curve is followed by
the one pseudo-arclength core (:func:`~symbreak.continuation.arclength.follow`).

**Spectrum.**  Along the branch the Hessian commutes with ``H′``: its
spectrum is that of the isotypic blocks ``A_{χ′}`` of ``H′``
(:func:`~symbreak.spectrum.hessian_blocks` with the teacher), eigenvalue
``λ`` of ``A_{χ′}`` with multiplicity ``dim χ′``.  Events (folds, index
changes, branch points) are the zeros of block eigenvalues, located by the
shared locator (:mod:`~symbreak.continuation.perturb_events`) to ``1e-10`` in
``ε``.

**Cluster splitting.**  At ``ε = 0`` an eigenvalue ``λ`` of the ``H``-block
``A_χ`` (multiplicity ``dim χ``) reappears in the ``H′``-blocks into which
``χ`` restricts (branching rule).  In block ``χ′`` let ``Q`` be an
orthonormal basis of the ``λ``-eigenspace of ``A_{χ′}(0)``; first-order
perturbation theory gives the split eigenvalues ``λ + ε μ``,
``μ = eig(Qᵀ (dA_{χ′}/dε) Q)``, each of multiplicity ``dim χ′``, with
``dA/dε = \frac{d}{ds}A_{χ′}(c + sc′, ε + s)`` (``c′ = −H^{-1}∂_ε∇L``) as a
fourth-order central difference.  Each such ``(χ′, μ)`` is a *part* of the
cluster; its eigenvalue is tracked along the branch by eigenvector overlap
inside its block.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .._numerics import as_count
from ..progress import Progress
from ..reduced.fixed_point import FixedPointSpace, inclusion_matrix
from ..reduced.system import ReducedSystem
from ..reduced.teacher import Teacher, TeacherSpace
from ..representation.isotropy import IsotropyGroup
from ..spectrum import analytic_spectrum, hessian_blocks
from ..tolerances import DEFAULT_TOLERANCES
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

__all__ = [
    "DENSE_W_MAX_K",
    "ClusterPart",
    "StructuredCluster",
    "StructuredDirection",
    "StructuredPerturbation",
    "StructuredPerturbationResult",
    "StructuredPoint",
    "perturb_structured",
]

#: the branch records carry the dense ``W`` only for integer ``k`` up to this
DENSE_W_MAX_K = 40


@dataclass(frozen=True)
class StructuredDirection:
    """A perturbation ``E ∈ Fix(H′)`` of the teacher, by its coordinates.

    Parameters
    ----------
    subgroup : str
        Isotropy spec of ``H′`` (e.g. ``"k-2,1,1"``), a Young subgroup of the
        start's isotropy ``H`` (its blocks cut those of ``H`` into consecutive
        parts); evaluated at the start's ``k`` and ``d``.
    coords : tuple of float
        ``E`` in the teacher coordinates of ``Fix(H′)``
        (:class:`~symbreak.reduced.teacher.TeacherSpace`; with ``n = k`` the
        coordinates of ``Fix(H′)`` itself), used as given (not normalised).

    Examples
    --------
    ``E = e_{k−1} e_{k−1}ᵀ`` (the second-to-last teacher row scaled), invariant
    under ``Δ(S_{k−2}×S_1×S_1)``; coordinates
    ``[d1, o1, x12, x13, x21, d2, x23, x31, x32, d3]``:

    >>> from symbreak.continuation.structured import StructuredDirection
    >>> E = StructuredDirection("k-2,1,1", (0, 0, 0, 0, 0, 1, 0, 0, 0, 0))
    """

    subgroup: str
    coords: tuple[float, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.subgroup, str):
            raise TypeError(
                f"subgroup must be an isotropy spec string, got {type(self.subgroup).__name__}"
            )
        try:
            v = np.asarray(self.coords, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"the direction's coordinates must be real numbers, got {self.coords!r}"
            ) from None
        if v.ndim != 1 or not np.all(np.isfinite(v)):
            raise ValueError(f"the direction's coordinates must be finite, got {self.coords!r}")
        if not np.any(v != 0):
            raise ValueError("the direction E is zero")
        object.__setattr__(self, "coords", tuple(float(x) for x in v))

    def group_for(self, group: IsotropyGroup) -> IsotropyGroup:
        """``H′`` at the ``k`` and ``d`` of ``group`` (checked to be a Young subgroup of it)."""
        sub = IsotropyGroup.from_spec(self.subgroup, group.k, d=group.d)
        inclusion_matrix(group, sub)  # raises if H′ ⊄ H
        TeacherSpace(sub).check(self.coords)
        return sub

    @classmethod
    def from_dense(cls, subgroup: IsotropyGroup, E, *, atol: float = 1e-12) -> StructuredDirection:
        """The direction of a dense ``k × d`` matrix ``E ∈ Fix(H′)`` (checked within ``atol``)."""
        return cls(subgroup.spec, Teacher.from_dense(subgroup, E, atol=atol).coords)

    def dense(self, group: IsotropyGroup) -> np.ndarray:
        """``E`` as a dense ``k × d`` matrix at the sizes of ``group`` (integer sizes only)."""
        return TeacherSpace(self.group_for(group)).embed(self.coords)


class StructuredPerturbation:
    r"""The curve ``F(c, ε) = ∇_c L(c; v_0 + εe)/|o| = 0`` on ``Fix(H′)`` (module docstring).

    Parameters
    ----------
    group : IsotropyGroup
        ``H′`` (real block sizes allowed).
    direction : array_like
        ``e``: the coordinates of ``E`` in the teacher space of ``H′``.
    v0 : array_like, optional
        The teacher at ``ε = 0`` (default ``[I_k 0]``).

    Notes
    -----
    ``z = (c, ε)``.  Also the spectral interface of the event locator
    (:mod:`~symbreak.continuation.perturb_events`): one block per isotypic
    component of ``H′``.
    """

    def __init__(self, group: IsotropyGroup, direction, v0=None):
        self.group = group
        self.space = FixedPointSpace(group)
        self.teacher_space = TeacherSpace(group)
        self.e = self.teacher_space.check(direction)
        self.v0 = self.teacher_space.identity() if v0 is None else self.teacher_space.check(v0)
        self.sizes = self.space.orbit_sizes()
        self._systems: OrderedDict = OrderedDict()
        self._jac: OrderedDict = OrderedDict()
        self._blocks: OrderedDict = OrderedDict()
        # labels and dimensions of the blocks (any point without zero rows will do)
        first = hessian_blocks(group, np.ones(self.space.dim), teacher=self.v0)
        self.labels = tuple(b.label for b in first)
        self.dims = tuple(b.dimension for b in first)

    # ------------------------------------------------------------ teachers
    def teacher(self, eps: float) -> Teacher:
        """``v_0 + εe``."""
        return Teacher(self.group, tuple(self.v0 + float(eps) * self.e))

    def system(self, eps: float) -> ReducedSystem:
        """The compressed model with the teacher at ``ε`` (a few are cached)."""
        eps = float(eps)
        sys_ = self._systems.get(eps)
        if sys_ is None:
            sys_ = ReducedSystem(self.group, teacher=self.teacher(eps))
            self._systems[eps] = sys_
            if len(self._systems) > 16:
                self._systems.popitem(last=False)
        return sys_

    # ------------------------------------------------------------ variables
    def to_z(self, coords, eps: float) -> np.ndarray:
        return np.append(np.asarray(coords, dtype=float), float(eps))

    def split(self, z) -> tuple[np.ndarray, float]:
        """``(c, ε)`` from ``z``."""
        z = np.asarray(z, dtype=float)
        return z[:-1], float(z[-1])

    # ------------------------------------------------------------ equations
    def residual(self, coords, eps: float) -> np.ndarray:
        """``F(c, ε)``: the gradient per entry of ``W``."""
        return self.system(eps).gradient(coords) / self.sizes

    def roundoff(self, z) -> float:
        """Float64 floor of ``‖F‖_∞`` (each entry is a sum of ``O(k)`` terms)."""
        return DEFAULT_TOLERANCES.roundoff_floor(self.group.k)

    def jacobian(self, z) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``[∂F/∂c | ∂F/∂ε]`` at ``z`` (the last few are cached)."""
        key = np.asarray(z, dtype=float).tobytes()
        hit = self._jac.get(key)
        if hit is None:
            c, eps = self.split(z)
            g, H, ge = self.system(eps).teacher_derivatives(c, self.e)
            s = self.sizes
            hit = (g / s, np.column_stack([H / s[:, None], ge / s]))
            self._jac[key] = hit
            if len(self._jac) > 8:
                self._jac.popitem(last=False)
        return hit[0].copy(), hit[1].copy()

    def velocity(self, z) -> np.ndarray:
        """``c′ = dc/dε = −H^{-1} ∂_ε∇L`` (least squares if ``H`` is singular)."""
        _, J = self.jacobian(z)
        H, Fe = J[:, :-1], J[:, -1]
        try:
            return np.linalg.solve(H, -Fe)
        except np.linalg.LinAlgError:
            return np.linalg.lstsq(H, -Fe, rcond=None)[0]

    # ------------------------------------------------------------ spectrum
    def blocks(self, z):
        """The Hessian blocks of ``H′`` at ``z`` (:func:`~symbreak.spectrum.hessian_blocks`)."""
        key = np.asarray(z, dtype=float).tobytes()
        hit = self._blocks.get(key)
        if hit is None:
            c, eps = self.split(z)
            hit = hessian_blocks(self.group, c, teacher=self.teacher(eps).array)
            self._blocks[key] = hit
            if len(self._blocks) > 16:
                self._blocks.popitem(last=False)
        return hit

    def block_matrices(self, coords, eps: float) -> list[np.ndarray]:
        """``A_{χ′}`` of every block, in an orthonormal copy basis fixed per group."""
        return [b.matrix for b in self.blocks(self.to_z(coords, eps))]

    def block_derivatives(self, z, *, h: float = 1e-3) -> list[np.ndarray]:
        r"""``dA_{χ′}/dε`` along the branch through ``z``: fourth-order central difference
        of ``s ↦ A_{χ′}(c + s c′, ε + s)``, ``(−A(2h) + 8A(h) − 8A(−h) + A(−2h))/(12h)``."""
        c, eps = self.split(z)
        cp = self.velocity(z)
        h = h / max(1.0, float(np.max(np.abs(cp))))
        A = [self.block_matrices(c + s * h * cp, eps + s * h) for s in (-2, -1, 1, 2)]
        out = []
        for b in range(len(self.labels)):
            D = (A[0][b] - 8 * A[1][b] + 8 * A[2][b] - A[3][b]) / (12 * h)
            out.append(0.5 * (D + D.T))
        return out

    def block_eigenvalues(self, z, block: int) -> np.ndarray:
        """Increasing eigenvalues of block ``block`` at ``z``."""
        return self.blocks(z)[block].eigenvalues

    def inertia(self, z, zero_tol: float) -> tuple[int, ...]:
        """Negative eigenvalues (below ``−zero_tol``) per block."""
        return tuple(int(np.sum(b.eigenvalues < -zero_tol)) for b in self.blocks(z))

    def index_of(self, inertia) -> int | float:
        """``Σ_χ′ dim χ′ · n_χ′``: the Morse index."""
        return as_count(sum(d * n for d, n in zip(self.dims, inertia)))

    def block_label(self, block: int) -> str:
        return self.labels[block]


@dataclass(frozen=True)
class StructuredPoint:
    """One point of a compressed branch.

    Attributes
    ----------
    eps, loss : float
    index : int or float
        Morse index (a float at real ``k``: ``Σ dim χ′ · n_χ′``).
    min_eig : float
    coords : ndarray
        ``W`` in the coordinates of ``Fix(H′)``.
    W : ndarray or None
        The dense ``W`` for integer ``k ≤ DENSE_W_MAX_K``, else ``None``.
    tangent_eps : float
        ``dε/ds`` (its sign change marks a fold).
    inertia : tuple of int
        Negative eigenvalues per block of ``H′``.
    """

    eps: float
    loss: float
    index: int | float
    min_eig: float
    coords: np.ndarray
    W: np.ndarray | None
    tangent_eps: float
    inertia: tuple[int, ...]

    def to_json(self) -> dict:
        """``"W"``: the coordinates in ``Fix(H′)``; ``"W_dense"``: the matrix or ``null``."""
        return {
            "eps": self.eps,
            "loss": self.loss,
            "index": self.index,
            "min_eig": self.min_eig,
            "W": self.coords.tolist(),
            "W_dense": None if self.W is None else self.W.tolist(),
        }


@dataclass(frozen=True)
class ClusterPart:
    """The eigenvalues of one ``H′``-block that a cluster of ``H`` splits into.

    Attributes
    ----------
    irrep : str
        The block ``χ′`` of ``H′``.
    multiplicity : int or float
        ``dim χ′``.
    first_order : float
        ``μ``: ``λ(ε) ≈ λ + εμ``.
    at_eps : float
        The tracked eigenvalue at the farthest point (see :class:`StructuredCluster`).
    track : ndarray, shape (points,)
        The tracked eigenvalue at every branch point.
    """

    irrep: str
    multiplicity: int | float
    first_order: float
    at_eps: float
    track: np.ndarray

    def to_json(self) -> dict:
        return {
            "irrep": self.irrep,
            "multiplicity": self.multiplicity,
            "first_order": self.first_order,
            "at_eps": self.at_eps,
        }


@dataclass(frozen=True)
class StructuredCluster:
    """An eigenvalue of the symmetric point and its parts over ``H′``.

    Attributes
    ----------
    value : float
        ``λ`` at ``ε = 0``.
    multiplicity : int or float
        Its multiplicity over ``H`` (``= Σ`` of the parts' multiplicities).
    irrep : str
        The block(s) of ``H`` (``" + "``-joined when two share the value).
    parts : tuple of ClusterPart
        Ordered by ``first_order``.
    eps : float
        ``ε`` of the point where ``at_eps`` is taken: the target, or the last
        point before the branch turns back at a fold.
    """

    value: float
    multiplicity: int | float
    irrep: str
    parts: tuple[ClusterPart, ...]
    eps: float

    @property
    def first_order(self) -> tuple[float, ...]:
        """``μ`` of every part (each of multiplicity ``part.multiplicity``)."""
        return tuple(p.first_order for p in self.parts)

    @property
    def at_eps(self) -> tuple[float, ...]:
        """The parts' eigenvalues at :attr:`eps` (same order as :attr:`parts`)."""
        return tuple(p.at_eps for p in self.parts)

    @property
    def track(self) -> np.ndarray:
        """Shape (points, parts): each part's eigenvalue along the branch."""
        return np.column_stack([p.track for p in self.parts])

    def predicted(self, eps: float) -> np.ndarray:
        """First-order prediction ``λ + εμ`` per part."""
        return self.value + eps * np.asarray(self.first_order)

    def expanded(self, values) -> np.ndarray:
        """Per-part ``values`` repeated by multiplicity and sorted (integer sizes only)."""
        out = []
        for p, v in zip(self.parts, values):
            if not float(p.multiplicity).is_integer():
                raise ValueError("expanded values need integer multiplicities (integer k)")
            out += [v] * int(p.multiplicity)
        return np.sort(out)

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "multiplicity": self.multiplicity,
            "irrep": self.irrep,
            "first_order": list(self.first_order),
            "at_eps": list(self.at_eps),
            "eps": self.eps,
            "predicted": [float(x) for x in self.predicted(self.eps)],
            "parts": [p.to_json() for p in self.parts],
        }


@dataclass(frozen=True)
class StructuredPerturbationResult(EpsBranchMixin):
    """Outcome of :func:`perturb_structured` (the compressed path of ``perturb``).

    Attributes
    ----------
    status : Status
    message : str
    branch : tuple of StructuredPoint
    events : tuple of PerturbationEvent
        ``W`` of an event: the coordinates in ``Fix(H′)``; ``irrep``: the block.
    clusters : tuple of StructuredCluster
    direction : StructuredDirection
    eps_target : float
    isotropy : str
        Spec of the start's isotropy ``H``.
    subgroup : str
        Name of ``H′``.
    k : float
    coordinates : tuple of str
        Names of the coordinates of ``Fix(H′)`` (the order of ``"W"``).
    """

    status: Status
    message: str
    branch: tuple[StructuredPoint, ...]
    events: tuple[PerturbationEvent, ...]
    clusters: tuple[StructuredCluster, ...]
    direction: StructuredDirection
    eps_target: float
    isotropy: str
    subgroup: str
    k: float
    coordinates: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "status": self.status.value,
            "message": self.message,
            "model": "compressed",
            "k": self.k,
            "isotropy": self.isotropy,
            "subgroup": self.subgroup,
            "coordinates": list(self.coordinates),
            "eps_target": self.eps_target,
            "survives_until": self.survives_until,
            "branch": [p.to_json() for p in self.branch],
            "events": [e.to_json() for e in self.events],
            "clusters": [c.to_json() for c in self.clusters],
            "direction": list(self.direction.coords),
        }


# --------------------------------------------------------------------- clusters
def _merged_entries(spectrum) -> list[list]:
    """``[value, multiplicity, [irreps]]`` with equal values (1e-8 relative) merged."""
    merged: list[list] = []
    for e in sorted(spectrum.entries, key=lambda e: e.value):
        if merged and abs(e.value - merged[-1][0]) <= 1e-8 * max(1.0, abs(e.value)):
            merged[-1][1] += e.multiplicity
            merged[-1][2].append(e.irrep)
        else:
            merged.append([e.value, e.multiplicity, [e.irrep]])
    return merged


def _split_clusters(curve: StructuredPerturbation, z0, merged):
    """Parts of every cluster at ``ε = 0``: per block, ``(cluster, μ, vector)``.

    Returns ``(parts, bases)``: ``parts[b]`` lists ``(cluster index, μ)`` for the
    eigen-directions of block ``b`` in the order of the columns of ``bases[b]``.
    """
    dA = curve.block_derivatives(z0)
    values = np.array([m[0] for m in merged])
    found = [0.0] * len(merged)
    parts, bases = [], []
    for b, blk in enumerate(curve.blocks(z0)):
        lam, vec = np.linalg.eigh(blk.matrix)
        owner = np.abs(lam[:, None] - values[None, :]).argmin(axis=1)
        cols, mine = [], []
        for ci in sorted(set(owner.tolist())):
            idx = np.flatnonzero(owner == ci)
            if np.max(np.abs(lam[idx] - values[ci])) > 1e-6 * max(1.0, abs(values[ci])):
                raise ValueError(
                    f"block {blk.label} of {curve.group.name} at eps = 0 has the eigenvalue "
                    f"{lam[idx][0]:.6g}, not in the spectrum of the start's isotropy: is the "
                    "start critical?"
                )
            Q = vec[:, idx]
            mu, Y = np.linalg.eigh(Q.T @ dA[b] @ Q)
            cols.append(Q @ Y)
            mine += [(int(ci), float(m)) for m in mu]
            found[ci] += blk.dimension * idx.size
        parts.append(mine)
        bases.append(np.column_stack(cols) if cols else np.zeros((0, 0)))
    for (value, mult, _), got in zip(merged, found):
        if abs(got - mult) > 1e-9 * max(1.0, abs(mult)):
            raise ValueError(
                f"the eigenvalue {value:.6g} of multiplicity {mult:g} at eps = 0 reappears "
                f"with multiplicity {got:g} in the blocks of {curve.group.name}"
            )
    return parts, bases


# ------------------------------------------------------------------- the driver
def perturb_structured(
    group: IsotropyGroup,
    coords,
    direction: StructuredDirection,
    eps: float,
    *,
    options: ContinuationOptions | None = None,
    zero_tol: float = 1e-9,
    locate: bool = True,
    progress: Progress | None = None,
) -> StructuredPerturbationResult:
    r"""Follow a critical point of ``Fix(H)`` from ``V = I`` to ``V = I + εE``, ``E ∈ Fix(H′)``.

    The compressed path of :func:`~symbreak.continuation.perturb.perturb`
    (which calls it for a :class:`StructuredDirection`); cost independent of
    ``k``, real ``k`` allowed.

    Parameters
    ----------
    group : IsotropyGroup
        ``H``, the isotropy of the start.
    coords : array_like
        A critical point of ``Fix(H)`` at ``ε = 0`` (corrected by Newton first).
    direction : StructuredDirection
        ``E`` and ``H′``.
    eps : float
        Target ``ε`` (negative to go the other way).
    options, zero_tol, locate, progress
        As for :func:`~symbreak.continuation.perturb.perturb`.

    Returns
    -------
    StructuredPerturbationResult

    Raises
    ------
    TypeError, ValueError
        Bad input: ``H′`` not a Young subgroup of ``H``, wrong number of
        coordinates, a start that is not critical.
    """
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if not isinstance(direction, StructuredDirection):
        raise TypeError(f"direction must be a StructuredDirection, got {type(direction).__name__}")
    eps = check_eps(eps)
    opts = DEFAULT_PERTURB_OPTIONS if options is None else options
    if not isinstance(opts, ContinuationOptions):
        raise TypeError(f"options must be a ContinuationOptions, got {type(opts).__name__}")
    sub = direction.group_for(group)
    M = inclusion_matrix(group, sub)
    c_start = FixedPointSpace(group).check_coords(coords)
    curve = StructuredPerturbation(sub, direction.coords)
    z0 = correct_start(curve, curve.to_z(M @ c_start, 0.0), opts, group)
    # the start in Fix(H): the orthogonal projection (orbit averages, weighted by the
    # orbit sizes of H′; a plain least-squares fit would weigh a singleton like a bulk)
    S = FixedPointSpace(sub).orbit_sizes()
    c_sym = np.linalg.solve(M.T @ (S[:, None] * M), M.T @ (S * z0[:-1]))
    merged = _merged_entries(analytic_spectrum(group, c_sym, zero_tol=zero_tol))
    parts, bases = _split_clusters(curve, z0, merged)
    trackers = [
        Tracker(B, np.arange(B.shape[1]), B.shape[1]) if B.size else None for B in bases
    ]
    tracks: list[list[list[float]]] = [[[] for _ in p] for p in parts]
    dense_ok = sub.is_integral and sub.k <= DENSE_W_MAX_K

    def make_point(z, t, end):
        c, e = curve.split(z)
        if end is not None and end != "start":
            e = eps if end == ("hi" if eps > 0 else "lo") else 0.0
        blocks = curve.blocks(z)
        for b, blk in enumerate(blocks):
            if trackers[b] is None:
                continue
            lam, vec = np.linalg.eigh(blk.matrix)
            if end == "start":
                lab = np.arange(lam.size)  # the parts' own basis at ε = 0
                lam = np.array([bases[b][:, j] @ blk.matrix @ bases[b][:, j] for j in lab])
            else:
                lab = trackers[b].update(vec)
            for v, j in zip(lam, lab):
                tracks[b][j].append(float(v))
        inertia = curve.inertia(z, zero_tol)
        return StructuredPoint(
            eps=e,
            loss=float(curve.system(e).loss(c)),
            index=curve.index_of(inertia),
            min_eig=float(min(blk.eigenvalues[0] for blk in blocks if blk.eigenvalues.size)),
            coords=np.array(c),
            W=FixedPointSpace(sub).embed(c) if dense_ok else None,
            tangent_eps=float(t[-1]),
            inertia=inertia,
        )

    path, message = follow_eps(curve, z0, eps, opts, make_point, progress)
    points = path.points
    events = locate_events(curve, path, zero_tol, opts) if locate else ()
    far = farthest(points)
    by_cluster: list[list[ClusterPart]] = [[] for _ in merged]
    for b, block_parts in enumerate(parts):
        for j, (ci, mu) in enumerate(block_parts):
            track = np.array(tracks[b][j])
            by_cluster[ci].append(
                ClusterPart(
                    irrep=curve.labels[b],
                    multiplicity=curve.dims[b],
                    first_order=mu,
                    at_eps=float(track[far]),
                    track=track,
                )
            )
    clusters = tuple(
        StructuredCluster(
            value=float(value),
            multiplicity=as_count(mult),
            irrep=" + ".join(irreps),
            parts=tuple(sorted(by_cluster[ci], key=lambda p: (p.first_order, p.irrep))),
            eps=points[far].eps,
        )
        for ci, (value, mult, irreps) in enumerate(merged)
    )
    return StructuredPerturbationResult(
        status=path.status,
        message=message,
        branch=tuple(points),
        events=events,
        clusters=clusters,
        direction=direction,
        eps_target=eps,
        isotropy=group.spec,
        subgroup=sub.name,
        k=float(group.k),
        coordinates=FixedPointSpace(sub).names,
    )
