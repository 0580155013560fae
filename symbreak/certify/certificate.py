r"""Computer-assisted proofs for symmetric critical points.

For an isotropy group ``H`` and a candidate point ``x̃ ∈ Fix(H)`` at integer or
real ``k``, :func:`certify_critical_point` proves, with ball arithmetic
(python-flint's ``arb``) on the generic compressed model
(:mod:`symbreak.reduced.generic`):

1. **Existence and uniqueness** (Krawczyk 1969; Moore 1977).  With
   ``F = ∇L_H`` (the reduced gradient), ``J(X)`` an enclosure of its Jacobian
   (the reduced Hessian) over the box ``X = x̃ ± ρ s`` and ``Y ≈ J(x̃)^{-1}``,

   .. math::

       K(X) = x̃ − Y F(x̃) + (I − Y J(X))(X − x̃) ⊂ \operatorname{int} X
       \;⟹\; F \text{ has exactly one zero } x^* \in X,\ \text{and } x^* ∈ K(X).

   By the principle of symmetric criticality ``x^*`` is a critical point of
   ``L`` on all of ``M(n, d)``.  The radii ``ρ s_o`` follow the orthonormal
   scaling ``s_o = (N_min/N_o)^{1/2}`` (``N_o`` = orbit sizes); ``ρ`` grows by
   factors of 10 from ``4×`` the Newton step until ``K(X) ⊂ int X`` or ``ρ``
   exceeds ``max_radius``.
2. **The kind.**  Every block ``A_χ = G^{-1/2} B G^{-1/2}`` is enclosed over
   ``K(X) ∩ X`` (so at ``x^*``) and its eigenvalues bounded
   (:func:`~symbreak.certify._interval.pencil_eigenvalue_bounds`).  If every
   eigenvalue of every block that occurs (``dim χ ≠ 0``) is certainly
   positive, the Hessian of ``L`` at ``x^*`` is positive definite: a certified
   strict local **minimum**.  If some block has an eigenvalue certainly
   negative: a certified **saddle**, with the irrep.  Otherwise
   ``"undecided"``.  When every sign is decided the Morse index is certified too.

The kernel is C² but not C³ where two rows are parallel (the global minimum);
enclosures stay valid there (see :mod:`symbreak.reduced.arithmetic`).

References
----------
R. Krawczyk, Newton-Algorithmen zur Bestimmung von Nullstellen mit
Fehlerschranken, Computing 4 (1969).  R. E. Moore, A test for existence of
solutions to nonlinear systems, SIAM J. Numer. Anal. 14 (1977).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..reduced.arithmetic import ArbArithmetic, MPArithmetic
from ..reduced.generic import GenericReducedSystem
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, group_of
from ..solve import newton
from ..tolerances import Tolerances
from ._interval import Undecided, krawczyk_contains, mid_matrix, pencil_eigenvalue_bounds

__all__ = ["BlockBound", "Certificate", "certify_critical_point", "KINDS"]

KINDS = ("minimum", "saddle", "undecided")


@dataclass(frozen=True)
class BlockBound:
    """Certified eigenvalue enclosures of one block ``A_χ``.

    Attributes
    ----------
    label : str
        Irrep label, e.g. ``[k-2,1] x [1]``.
    dimension : int or float
        ``dim χ`` (multiplicity of each eigenvalue in the Hessian).
    eigenvalues : tuple of (float, float)
        ``[lower, upper]`` for every eigenvalue, increasing.
    message : str
        Why the block could not be enclosed (then ``eigenvalues`` is empty).
    """

    label: str
    dimension: int | float
    eigenvalues: tuple[tuple[float, float], ...]
    message: str = ""

    @property
    def lower(self) -> float:
        """Lower bound of the smallest eigenvalue (``-inf`` if not enclosed)."""
        return self.eigenvalues[0][0] if self.eigenvalues else -math.inf

    @property
    def upper(self) -> float:
        """Upper bound of the smallest eigenvalue (``inf`` if not enclosed)."""
        return self.eigenvalues[0][1] if self.eigenvalues else math.inf

    @property
    def occurs(self) -> bool:
        """False for irreps of dimension 0 (they carry no eigenvalue of the Hessian)."""
        return self.dimension != 0

    @property
    def positive_definite(self) -> bool:
        return bool(self.eigenvalues) and self.lower > 0

    @property
    def negative_count(self) -> int | None:
        """Certified number of negative eigenvalues, or None if some sign is open."""
        if not self.eigenvalues:
            return None
        if any(lo <= 0 <= hi for lo, hi in self.eigenvalues):
            return None
        return sum(1 for _lo, hi in self.eigenvalues if hi < 0)

    def to_json(self) -> dict:
        return {
            "irrep": self.label,
            "dimension": self.dimension,
            "lower": self.lower if self.eigenvalues else None,
            "upper": self.upper if self.eigenvalues else None,
            "eigenvalues": [list(e) for e in self.eigenvalues],
            "message": self.message,
        }


@dataclass(frozen=True)
class Certificate:
    """Result of :func:`certify_critical_point`.

    Attributes
    ----------
    isotropy : str
    k : float
    names : tuple of str
    center : tuple of float
        ``x̃``, the centre of the box.
    exists : bool
        True when a critical point is proven to exist (uniquely) in ``box``.
    box_radius : float or None
        ``max_o`` half-width of ``box``.
    box : tuple of (float, float)
        The box ``X`` (outward rounded) in which the zero is unique.
    enclosure : tuple of (float, float)
        ``K(X) ∩ X``: contains the critical point.
    kind : {"minimum", "saddle", "undecided"}
    index : int or float or None
        Certified Morse index (when every eigenvalue sign is decided).
    loss : (float, float) or None
        Enclosure of ``L`` at the critical point.
    blocks : tuple of BlockBound
    message : str
        Explanation (why undecided, which irrep makes it a saddle, …).
    start : tuple of float
        The point given by the caller.
    """

    isotropy: str
    k: float
    names: tuple[str, ...]
    center: tuple[float, ...]
    exists: bool
    box_radius: float | None
    box: tuple[tuple[float, float], ...]
    enclosure: tuple[tuple[float, float], ...]
    kind: str
    index: int | float | None
    loss: tuple[float, float] | None
    blocks: tuple[BlockBound, ...]
    message: str
    start: tuple[float, ...]

    def to_json(self) -> dict:
        return {
            "isotropy": self.isotropy,
            "k": self.k,
            "names": list(self.names),
            "start": list(self.start),
            "center": list(self.center),
            "exists": self.exists,
            "box_radius": self.box_radius,
            "box": [list(b) for b in self.box],
            "enclosure": [list(b) for b in self.enclosure],
            "kind": self.kind,
            "index": self.index,
            "loss": list(self.loss) if self.loss is not None else None,
            "blocks": [b.to_json() for b in self.blocks],
            "message": self.message,
        }


# ---------------------------------------------------------------------------
def _box_scaling(system: ReducedSystem) -> np.ndarray:
    N = np.maximum(system.space.orbit_sizes(), 1.0)
    return np.sqrt(N.min() / N)


def polish_point(group: IsotropyGroup, coords, *, k_value=None) -> tuple[np.ndarray, str]:
    """Float64 orbit-scaled Newton, then a few ``mpmath`` Newton steps; returns (x̃, message).

    Both are the one solver :func:`symbreak.solve.newton`; the ``mpmath`` run
    (``30 + 2 log10 k`` digits) gives ``x̃`` to the last bit of float64.
    """
    system = ReducedSystem(group)
    res = newton(system, coords, max_iter=60)
    c = res.x
    if not np.all(np.isfinite(c)):
        return np.asarray(coords, dtype=float), f"Newton diverged: {res.message}"
    dps = 30 + 2 * int(math.ceil(math.log10(max(group.k, 10.0))))
    gsys = GenericReducedSystem(group, MPArithmetic(dps), k=k_value)
    fine = newton(gsys, c, tolerances=Tolerances(gradient=1e-25, step=1e-25), max_iter=8)
    if fine.converged:
        return np.array([float(x) for x in fine.x]), ""
    if res.converged:
        return c, ""
    return c, f"Newton from the start point did not converge ({res.message})"


def _block_bounds(A, gsys, box) -> list[BlockBound]:
    out = []
    try:
        blocks = gsys.blocks(box)
    except DomainError as exc:
        return [BlockBound("all", 0, (), str(exc))]
    for b in blocks:
        dim = b.component.dimension
        if float(dim).is_integer():
            dim = int(dim)
        try:
            ev = tuple(pencil_eigenvalue_bounds(A, b.B, b.G))
            out.append(BlockBound(b.label, dim, ev))
        except Undecided as exc:
            out.append(BlockBound(b.label, dim, (), str(exc)))
    return out


def _kind(exists: bool, blocks: list[BlockBound]) -> tuple[str, int | float | None, str]:
    real = [b for b in blocks if b.occurs]
    counts = [b.negative_count for b in real]
    index = None
    if all(c is not None for c in counts):
        total = sum(c * b.dimension for c, b in zip(counts, real))
        index = int(total) if float(total).is_integer() else total
    if not exists:
        return "undecided", None, ""
    neg = [b for b in real if b.eigenvalues and any(hi < 0 for _lo, hi in b.eigenvalues)]
    if neg:
        labels = ", ".join(b.label for b in neg)
        return "saddle", index, f"certified negative eigenvalue(s) in {labels}"
    if real and all(b.positive_definite for b in real):
        return "minimum", index, "every block A_chi is certified positive definite"
    open_ = [b.label for b in real if not b.positive_definite]
    return (
        "undecided",
        index,
        "the sign of the smallest eigenvalue is not decided in " + ", ".join(open_),
    )


def certify_critical_point(
    group: IsotropyGroup | str,
    coords,
    *,
    k=None,
    extra_dims=None,
    polish: bool = True,
    max_radius: float = 1e-4,
    prec: int = 128,
) -> Certificate:
    r"""Prove that a critical point exists near ``coords`` and certify its kind.

    Parameters
    ----------
    group : IsotropyGroup or str
        Isotropy group (its ``k`` may be real), or its spec string (then ``k``
        is required).
    coords : array_like
        Candidate point of ``Fix(group)``.
    k, extra_dims : float, optional
        With a spec string: ``k`` and ``d − k`` (default 0), as in
        :func:`~symbreak.representation.isotropy.group_of`.
    polish : bool
        Run Newton from ``coords`` first (float64, then ``mpmath``) and centre
        the box at the result.  With ``polish=False`` the box is centred at
        ``coords`` itself: a point that is not (nearly) critical then fails.
    max_radius : float
        Largest box half-width tried (in the coordinate with the smallest orbit).
    prec : int
        Bits of the ball arithmetic.

    Returns
    -------
    Certificate
        Numerical trouble (a zero row in the box, a singular Jacobian, no
        contraction) gives ``exists=False`` / ``kind="undecided"`` and a
        message; it is never raised.

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.certify import certify_critical_point
    >>> cert = certify_critical_point(IsotropyGroup.from_spec("k", 6), [1.0, 0.0])
    >>> cert.exists, cert.kind
    (True, 'minimum')
    """
    group = group_of(group, k, extra_dims=extra_dims)
    if not (isinstance(max_radius, (int, float)) and 0 < max_radius < math.inf):
        raise ValueError(f"max_radius must be a positive number, got {max_radius!r}")
    system = ReducedSystem(group)
    start = system.space.check_coords(coords)
    names = system.space.names
    x = start.copy()
    note = ""
    if polish:
        x, note = polish_point(group, start)
        moved = float(np.max(np.abs(x - start)))
        if not note and moved > 1e-3 * (1.0 + float(np.max(np.abs(start)))):
            note = f"Newton moved the point by {moved:.3g} (max-norm) from the start"
    A = ArbArithmetic(prec)
    gsys = GenericReducedSystem(group, A)
    s = _box_scaling(system)

    def result(exists, box=(), enc=(), radius=None, blocks=(), loss=None, msg=""):
        kind, index, why = _kind(exists, list(blocks))
        text = "; ".join(m for m in (note, msg, why) if m)
        return Certificate(
            isotropy=group.name,
            k=group.k,
            names=names,
            center=tuple(float(v) for v in x),
            exists=exists,
            box_radius=radius,
            box=tuple(box),
            enclosure=tuple(enc),
            kind=kind,
            index=index,
            loss=loss,
            blocks=tuple(blocks),
            message=text,
            start=tuple(float(v) for v in start),
        )

    with A:
        try:
            F = gsys.gradient(list(x))
            J0 = mid_matrix(A, gsys.hessian(list(x)))
            Y = np.linalg.inv(J0)
            if not np.all(np.isfinite(Y)):
                raise np.linalg.LinAlgError("non-finite inverse")
        except DomainError as exc:
            return result(False, msg=f"cannot evaluate the model at the point: {exc}")
        except np.linalg.LinAlgError:
            return result(False, msg="the reduced Hessian is singular at the point")
        step = np.abs(Y @ np.array([A.to_float(f) for f in F])) / s
        rho = max(4.0 * float(step.max()), 1e-15 * (1.0 + float(np.max(np.abs(x) / s))))
        inside, K, X = False, None, None
        tried = []
        while rho <= max_radius:
            tried.append(rho)
            try:
                J = gsys.hessian([A.number(float(xi)) + A.ball(-r, r) for xi, r in zip(x, rho * s)])
            except DomainError as exc:
                return result(False, msg=f"the box of radius {rho:.3g} reaches a zero row ({exc})")
            inside, K, X = krawczyk_contains(A, x, rho * s, F, J, Y)
            if inside:
                break
            rho *= 10.0
        if not inside:
            blocks = _block_bounds(A, gsys, list(x))
            return result(
                False,
                blocks=blocks,
                msg=(
                    f"no box of radius <= {max_radius:g} around the point is mapped into itself "
                    f"by the Krawczyk operator (Newton step {float(step.max()):.3g}): the point "
                    "is not close enough to a nondegenerate critical point; blocks are "
                    "evaluated at the point only"
                ),
            )
        E = [K[i].intersection(X[i]) for i in range(len(K))]
        box = [(A.lower(b), A.upper(b)) for b in X]
        enc = [(A.lower(b), A.upper(b)) for b in E]
        radius = max((hi - lo) / 2 for lo, hi in box)
        blocks = _block_bounds(A, gsys, E)
        try:
            L = gsys.loss(E)
            loss = (A.lower(L), A.upper(L))
        except DomainError:  # pragma: no cover - the box was already evaluated
            loss = None
        return result(True, box, enc, radius, blocks, loss)
