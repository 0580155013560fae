r"""Branch switching at a symmetry-breaking point (equivariant branching lemma).

At a symmetry-breaking event an eigenvalue of a non-trivial block ``A_χ``
crosses zero, so the kernel of the Hessian is (generically) one copy of the
irrep ``χ`` of ``H``.  For a subgroup ``K ⊂ H`` with ``dim Fix_χ(K) = 1`` (an
*axial* subgroup) the equivariant branching lemma (Cicogna 1981; Vanderbauwhede
1980) gives a branch of critical points with isotropy ``K``, found inside
``Fix(K) ⊃ Fix(H)``, where the kernel restricted to ``Fix(K)`` is one line.

Axial Young subgroups used here, for ``χ`` non-trivial on factor ``S_m``
(``dim Fix(S_λ) ∩ [μ]`` is the Kostka number ``K_{μλ}``, which is 1 for each
pair below):

* ``[m−1, 1]`` (std): ``S_{m−p} × S_p`` for every ``1 ≤ p ≤ m/2``;
* ``[m−2, 2]`` (two): ``S_{m−p} × S_p`` for every ``2 ≤ p ≤ m/2``;
* ``[m−2, 1, 1]`` (alt): ``S_{m−2} × S_1 × S_1`` (the fixed vector is
  ``e_{m−1} ∧ e_m``-like: rows and columns of the two singletons differ
  antisymmetrically);
* ``[m−1,1] ⊠ [m'−1,1]`` on two factors: ``S_{m−1}×S_1`` in each.

Every candidate is checked numerically: the reduced Hessian on ``Fix(K)`` at
the event must have a one-dimensional kernel.

Direction of the new branch (Lyapunov–Schmidt to two variables).  Let
``v`` span that kernel (``v ⊥ Fix(H)``), ``t`` the old branch's tangent in
``z = (c, θτ)``, and ``g(ξ, ε) = v^T ∇L_K(z_* + ξ t + ε v + w)``.  By
symmetry ``g(ξ, 0) ≡ 0``, so to second order
``g ≈ ε (b ξ + ½ c_3 ε)`` with

.. math::

    b = v^T \frac{d}{dξ} ∇²L_K(z_* + ξ t)\, v,\qquad
    c_3 = D^3 L_K[v, v, v],

and the new branch leaves ``z_*`` along ``v − (c_3 / 2b)\, t``: transversally
in ``k`` when ``c_3 ≠ 0`` (transcritical: the std irrep of ``S_m``, ``m ≥ 3``,
has a quadratic equivariant), tangent to ``k = k_*`` when ``c_3 = 0``
(pitchfork).  Both half-branches are followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..progress import Progress
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup
from .branch import Branch, Event
from .corrector import correct, tangent
from .events import scan_events
from .family import KFamily
from .options import ContinuationOptions
from .pseudo_arclength import trace
from .refinement import Refinement, refine
from .status import Status

__all__ = ["AxialSubgroup", "SwitchResult", "axial_subgroups", "switch_branch"]


@dataclass(frozen=True)
class AxialSubgroup:
    """A Young subgroup ``K`` with ``dim Fix_χ(K) = 1`` for the crossing irrep ``χ``.

    Attributes
    ----------
    spec : str
        Spec of ``K``.
    refinement : Refinement
        How ``K`` is obtained from ``H``.
    """

    spec: str
    refinement: Refinement

    @property
    def description(self) -> str:
        return self.refinement.description


def _candidate_parts(ty: str, m: float) -> list[tuple[int, ...]]:
    """Split-off sizes ``p`` of the axial subgroups ``S_{m−p} × …`` for an irrep type on ``S_m``.

    Kostka numbers: ``K_{[m−1,1],(m−p,p)} = 1`` for every ``1 ≤ p ≤ m/2`` and
    ``K_{[m−2,2],(m−p,p)} = 1`` for ``2 ≤ p ≤ m/2``; ``[m−2,1,1]`` needs three
    distinct values in a column, so ``(m−2,1,1)`` only.
    """
    top = int(np.floor(m / 2 + 1e-9))
    if ty == "std":
        return [(p,) for p in range(1, top + 1)]
    if ty == "two":
        return [(p,) for p in range(2, top + 1)]
    if ty == "alt":
        return [(1, 1)]
    return []


def axial_subgroups(group: IsotropyGroup, irrep_types) -> tuple[AxialSubgroup, ...]:
    """Axial Young subgroups of ``group`` for the irrep with these types (see module notes).

    Parameters
    ----------
    group : IsotropyGroup
    irrep_types : sequence of str
        One of ``triv``/``std``/``two``/``alt`` per factor.

    Returns
    -------
    tuple of AxialSubgroup
        Empty for the trivial irrep and for irreps not covered above; blocks
        too small to split at ``group.k`` are skipped.
    """
    types = tuple(irrep_types)
    if len(types) != len(group.factors):
        raise ValueError(f"need one irrep type per factor ({len(group.factors)}), got {types}")
    nontriv = [t for t, ty in enumerate(types) if ty != "triv"]
    out: list[AxialSubgroup] = []
    if len(nontriv) == 1:
        t = nontriv[0]
        for parts in _candidate_parts(types[t], group.factors[t].size):
            try:
                r = refine(group, t, parts)
            except DomainError:
                continue  # the block is too small to split this way at group.k (documented)
            out.append(AxialSubgroup(r.spec, r))
    elif len(nontriv) == 2 and all(types[t] == "std" for t in nontriv):
        a, b = nontriv
        try:
            r1 = refine(group, a, (1,))
            g1 = r1.group(group)
            r2 = refine(g1, r1.children[b][0], (1,))
        except DomainError:
            return ()  # a block too small to split at group.k (documented)
        r = r1.then(r2)
        out.append(AxialSubgroup(r.spec, r))
    return tuple(out)


@dataclass(frozen=True)
class SwitchResult:
    """New branches started at a symmetry-breaking event.

    Attributes
    ----------
    event : Event
    subgroup : AxialSubgroup
    kernel_dimension : int
        Dimension of the kernel of the reduced Hessian on ``Fix(K)`` at the event
        (1 for an axial subgroup).
    null_vector : ndarray
        ``v``, in ``Fix(K)`` coordinates.
    b, c3 : float
        Coefficients of the bifurcation equation (module notes).
    transcritical : bool
        ``c_3 ≠ 0``.
    branches : tuple of Branch
        The two half-branches (``+v`` and ``−v`` sides), each in ``Fix(K)``.
    """

    event: Event
    subgroup: AxialSubgroup
    kernel_dimension: int
    null_vector: np.ndarray
    b: float
    c3: float
    transcritical: bool
    branches: tuple[Branch, ...]


def _hessian(family: KFamily, c, k) -> np.ndarray:
    return family.system(k).hessian(c)


def switch_branch(
    branch: Branch,
    event: Event,
    *,
    subgroup: AxialSubgroup | str | None = None,
    k_window: tuple[float, float] | None = None,
    amplitude: float = 0.02,
    options: ContinuationOptions | None = None,
    progress: Progress | None = None,
) -> SwitchResult:
    """Start the branches with isotropy ``K`` that bifurcate at ``event``.

    Parameters
    ----------
    branch : Branch
        The branch carrying the event.
    event : Event
        A ``"symmetry_breaking"`` event of ``branch``.
    subgroup : AxialSubgroup or str, optional
        Which axial subgroup (or its spec); default the first of
        :func:`axial_subgroups` (``S_{m−1} × S_1`` for the std irrep).
    k_window : (float, float), optional
        Where to follow the new branches (default: the window of ``branch``).
    amplitude : float
        Distance (in ``z``) from the event of the first point of each new branch.
    options : ContinuationOptions, optional
        Default: those of ``branch``.
    progress : Progress, optional
        As in :func:`~symbreak.continuation.continue_branch`
        (``ProgressUpdate(stage="continuation", ...)`` per accepted step).

    Returns
    -------
    SwitchResult

    Raises
    ------
    ValueError
        If the event is not symmetry-breaking, no axial subgroup applies, or the
        kernel on ``Fix(K)`` is not one-dimensional.
    """
    if not isinstance(branch, Branch) or not isinstance(event, Event):
        raise TypeError("switch_branch needs a Branch and one of its events")
    if event.kind != "symmetry_breaking":
        raise ValueError(
            f"branch switching needs a symmetry_breaking event, got a {event.kind!r} "
            "(folds continue along the same branch)"
        )
    if not (isinstance(amplitude, (int, float)) and 0 < amplitude < 1):
        raise ValueError(f"amplitude must be in (0, 1), got {amplitude!r}")
    opts = branch.options if options is None else options
    old_fam = KFamily.for_options(branch.spec, branch.extra_dims, opts)
    k_star = event.k
    old_group = old_fam.group(k_star)
    candidates = axial_subgroups(old_group, event.irrep_types)
    if not candidates:
        raise ValueError(
            f"no axial Young subgroup is known for the irrep {event.irrep} of {branch.spec!r}"
        )
    if subgroup is None:
        chosen = candidates[0]
    elif isinstance(subgroup, AxialSubgroup):
        chosen = subgroup
    else:
        matches = [c for c in candidates if c.spec == subgroup]
        if not matches:
            raise ValueError(
                f"{subgroup!r} is not an axial subgroup here; choose one of "
                f"{[c.spec for c in candidates]}"
            )
        chosen = matches[0]
    new_fam = KFamily.for_options(chosen.spec, branch.extra_dims, opts)
    P = chosen.refinement.matrix(old_group)
    c_new = P @ event.coords
    new_sys: ReducedSystem = new_fam.system(k_star)

    # kernel of the reduced Hessian on Fix(K), in orthonormal coordinates
    s = 1.0 / np.sqrt(new_sys.space.orbit_sizes())
    Hn = new_sys.hessian(c_new) * np.outer(s, s)
    vals, vecs = np.linalg.eigh(Hn)
    order = np.argsort(np.abs(vals))
    scale = max(1.0, float(np.max(np.abs(vals))))
    kernel = int(np.count_nonzero(np.abs(vals) < 1e-7 * scale))
    if kernel != 1:
        raise ValueError(
            f"the reduced Hessian on Fix({chosen.spec}) has a kernel of dimension {kernel} at "
            f"k = {k_star:.12g}, not 1: {chosen.spec!r} is not axial for this crossing"
        )
    v = vecs[:, order[0]] * s
    v /= np.linalg.norm(v)

    # old tangent at the event, embedded
    z_old = old_fam.to_z(event.coords, k_star)
    t_prev = branch.points[event.segment].tangent
    t_old = tangent(old_fam, z_old, previous=t_prev)
    t_emb = np.append(P @ t_old[:-1], t_old[-1])
    z_star = new_fam.to_z(c_new, k_star)

    # bifurcation coefficients by central differences of the Hessian
    h = 1e-4

    def hess_at(z):
        c, k = new_fam.split(z)
        return _hessian(new_fam, c, k)

    b = float(v @ (hess_at(z_star + h * t_emb) - hess_at(z_star - h * t_emb)) @ v) / (2 * h)
    vz = np.append(v, 0.0)
    c3 = float(v @ (hess_at(z_star + h * vz) - hess_at(z_star - h * vz)) @ v) / (2 * h)
    if abs(b) < 1e-12:
        raise ValueError(
            f"the crossing at k = {k_star:.12g} is degenerate (the eigenvalue has zero speed): "
            "branch switching needs a transversal crossing"
        )
    transcritical = abs(c3) > 1e-6 * max(1.0, abs(b))
    T = vz - (c3 / (2 * b)) * t_emb
    T /= np.linalg.norm(T)

    lo, hi = (
        (min(branch.k0, branch.k1), max(branch.k0, branch.k1)) if k_window is None else k_window
    )
    if not (lo < hi):
        raise ValueError(f"k_window must be (k_lo, k_hi) with k_lo < k_hi, got {k_window}")
    Pp = np.linalg.pinv(P)
    halves = []
    for sign in (1.0, -1.0):
        halves.append(
            _half_branch(
                new_fam, z_star, sign * T, P, Pp, amplitude, lo, hi, opts, progress, chosen, event
            )
        )
    return SwitchResult(
        event=event,
        subgroup=chosen,
        kernel_dimension=kernel,
        null_vector=v,
        b=b,
        c3=c3,
        transcritical=transcritical,
        branches=tuple(halves),
    )


def _half_branch(fam, z_star, T, P, Pp, amplitude, lo, hi, opts, progress, chosen, event):
    names = fam.system(event.k).space.names
    origin = (
        f"switched at k = {event.k:.12g} ({event.irrep}) into Fix({chosen.spec}) "
        f"[{chosen.description}]"
    )
    common = dict(
        spec=fam.spec,
        extra_dims=fam.extra_dims,
        names=names,
        options=opts,
        origin=origin,
    )
    amp = amplitude
    for _ in range(4):
        res = correct(fam, z_star + amp * T, T, float(T @ z_star) + amp, opts)
        if res.converged:
            c, k = fam.split(res.z)
            off = np.linalg.norm(c - P @ (Pp @ c))
            if off > 1e-3 * amp:
                break
        amp *= 2.0
    else:
        return Branch(
            points=(),
            events=(),
            status=Status.NEWTON_FAILED,
            message="could not step off the old branch onto the new one: "
            "try another amplitude or subgroup",
            k0=event.k,
            k1=event.k,
            **common,
        )
    if not lo <= k <= hi:
        return Branch(
            points=(),
            events=(),
            status=Status.LEFT_WINDOW,
            message="the new branch leaves the window immediately; widen k_window",
            k0=k,
            k1=k,
            **common,
        )
    t0 = tangent(fam, res.z, previous=T)
    target = 0 if abs(t0[-1]) < 1e-8 else (1 if t0[-1] > 0 else -1)
    points, status, message = trace(
        fam, res.z, t0, k_lo=lo, k_hi=hi, target=target, options=opts, progress=progress
    )
    k_end = points[-1].k
    return Branch(
        points=points,
        **scan_events(fam, points, opts).fields(),
        status=status,
        message=message,
        k0=k,
        k1=k_end if status is not Status.COMPLETED else (hi if target >= 0 else lo),
        **common,
    )
