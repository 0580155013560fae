r"""Classification of a critical point ``θ`` of ``L = ℓ ∘ μ``.

Two independent labels (MATH.md §6):

*pure / spurious.*  ``θ`` is pure when ``M = μ(θ)`` is critical for ``ℓ``
restricted to ``M_r``: at a smooth point (``rank M = r``) the tangential part
``P_T ∇ℓ(M)`` vanishes; at a singular point (``rank M < r``) ``∇ℓ(M)``
vanishes.  Numerically, with ``G = ∇ℓ(M)``, ``θ`` is pure when that residual
is ``≤ tolerances.purity · max(1, ‖G‖_F)``; ranks count singular values above
``tolerances.rank · max(1, σ_1)``.

*kind.*  The second-order test must ignore the flat directions of ``L``
along the fibre ``μ^{-1}(M)``, where the parameter Hessian is always
singular.  We use the functional picture wherever it is exact:

1. ``‖G‖ ≈ 0``: ``M`` minimises the convex ``ℓ`` over all matrices, so ``θ``
   is a global minimum.
2. ``rank M = r`` and ``rank dμ(θ) = dim M_r``: ``μ`` is a submersion onto the
   manifold ``{rank = r}`` near ``θ`` and ``∇²L(θ)[η, η] = Hess ℓ(M)[dμ η, dμ η]``,
   so ``θ`` is a local minimum of ``L`` iff ``M`` is one of ``ℓ`` on that
   manifold.  The Riemannian Hessian (:func:`~symbreak.linear.riemannian_hessian`)
   decides: positive definite → minimum; a negative eigenvalue → saddle, the
   escape direction being a lift ``η`` of its eigenvector (``dμ η = ξ``).
   This is the parameter Hessian projected onto ``(ker dμ)^⊥``, without
   computing the fibre.
3. otherwise (a singular point of ``M_r`` or a rank-deficient ``dμ``, where
   spurious points live) the parameter Hessian is used: a negative eigenvalue
   gives an escape direction; failing that, when ``G ≠ 0`` we try the
   *rank-one insertion* ``η_i = x_i x_{i−1}ᵀ`` with ``x_0 = b``, ``x_h = a``
   the top singular pair of ``−G`` and ``x_i ∈ ker W_{i+1} ∩ col(W_i)^⊥``,
   along which ``μ(θ + tη) = M + tʰ a bᵀ`` exactly, so ``L`` decreases at
   order ``tʰ`` (this catches saddles of order ``h ≥ 3`` such as ``θ = 0``).
   If nothing applies the point is reported ``degenerate``.

Every saddle carries an escape direction ``η`` and a step ``t`` with
``L(θ + tη) < L(θ)`` and ``L(θ + tη/2) < L(θ)``, both evaluated, trying
``t = 0.01 max(1, ‖θ‖) 2^{−k}`` (the decrease must exceed ``64 ε max(1, |L|)``).  Minima are
split into global / non-global by comparing ``L(θ)`` with a reference
minimum: the Eckart–Young value for quadratic and data losses, otherwise one
the caller supplies (:func:`find_critical_points` uses the best it found).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from .._validation import as_finite_real
from .losses import DataLoss, MatrixLoss, QuadraticLoss
from .manifold import FixedRankPoint, riemannian_hessian
from .network import LinearNetwork, null_space_basis, numerical_rank
from .objective import ParameterLoss

__all__ = ["Kind", "Tolerances", "CriticalPoint", "classify", "exact_minimum"]


class Kind(str, Enum):
    """What a critical point of ``L`` is."""

    GLOBAL_MINIMUM = "global minimum"
    LOCAL_MINIMUM = "non-global local minimum"
    SADDLE = "saddle"
    DEGENERATE = "degenerate"

    @property
    def message(self) -> str:
        """One sentence on what the label means and what to do."""
        return _MESSAGES[self]


_MESSAGES = {
    Kind.GLOBAL_MINIMUM: "a minimum whose loss equals the reference global minimum",
    Kind.LOCAL_MINIMUM: "a strict minimum on M_r with loss above the reference global minimum",
    Kind.SADDLE: "not a minimum: the stored escape direction lowers the loss",
    Kind.DEGENERATE: (
        "the second-order test is inconclusive (flat directions beyond the fibre and no "
        "escape found); inspect higher-order terms or perturb the point"
    ),
}


@dataclass(frozen=True)
class Tolerances:
    """Numerical tolerances of the classification (all positive).

    Attributes
    ----------
    gradient : float
        ``θ`` counts as critical when ``‖∇L(θ)‖₂ ≤ gradient``.
    rank : float
        Singular values ``≤ rank · max(1, σ_1)`` count as zero.
    purity : float
        Pure when the residual of the module docstring is
        ``≤ purity · max(1, ‖∇ℓ(M)‖_F)``; also the threshold for ``∇ℓ(M) = 0``.
    curvature : float
        Eigenvalues within ``curvature · max(1, max|λ|)`` of zero count as zero.
    loss : float
        A minimum is global when ``L ≤ L* + loss · max(1, |L*|)``.
    """

    gradient: float = 1e-8
    rank: float = 1e-8
    purity: float = 1e-6
    curvature: float = 1e-8
    loss: float = 1e-8

    def __post_init__(self):
        for name in ("gradient", "rank", "purity", "curvature", "loss"):
            value = as_finite_real(getattr(self, name), f"Tolerances.{name}")
            if value <= 0:
                raise ValueError(f"Tolerances.{name} must be > 0, got {value}")


@dataclass(frozen=True, eq=False)
class CriticalPoint:
    r"""A classified critical point of ``L = ℓ ∘ μ``.

    Attributes
    ----------
    theta : ndarray
        Flat parameters.
    matrix : ndarray
        ``M = μ(θ)``.
    rank : int
        Numerical rank of ``M``.
    loss : float
        ``L(θ) = ℓ(M)``.
    gradient_norm : float
        ``‖∇L(θ)‖₂``.
    differential_rank : int
        ``rank dμ(θ)``.
    pure : bool
    purity_residual : float
        ``‖P_T ∇ℓ(M)‖_F`` (``rank M = r``) or ``‖∇ℓ(M)‖_F`` (``rank M < r``).
    kind : Kind
    curvature : ndarray
        Eigenvalues (ascending) used by the second-order test.
    curvature_space : str
        ``"functional"`` (Riemannian Hessian on ``{rank = r}``),
        ``"parameter"`` (``∇²L(θ)``) or ``"none"`` (decided by ``∇ℓ(M) = 0``).
    escape : ndarray or None
        Unit escape direction (saddles only).
    escape_step : float or None
        ``t`` with ``L(θ + tη) < L(θ)`` (and at ``t/2``).
    escape_decrease : float or None
        ``L(θ) − L(θ + tη)``.
    count : int
        How many runs of a search reached this point (1 otherwise).
    """

    theta: np.ndarray
    matrix: np.ndarray
    rank: int
    loss: float
    gradient_norm: float
    differential_rank: int
    pure: bool
    purity_residual: float
    kind: Kind
    curvature: np.ndarray
    curvature_space: str
    escape: np.ndarray | None = None
    escape_step: float | None = None
    escape_decrease: float | None = None
    count: int = 1

    @property
    def spurious(self) -> bool:
        """``not pure``."""
        return not self.pure


def exact_minimum(network: LinearNetwork, loss: MatrixLoss) -> float | None:
    r"""``min_{M_r} ℓ`` in closed form for quadratic and data losses, else ``None``.

    With ``ℓ(M) = ‖MS − Q̃‖²_F + c`` (:meth:`DataLoss.whitened`) and singular
    values ``σ_i`` of ``Q̃``, Eckart–Young gives ``Σ_{i>r} σ_i² + c``.
    """
    if not isinstance(loss, (QuadraticLoss, DataLoss)):
        return None
    Qt, _, const = loss.whitened()
    s = np.linalg.svd(Qt, compute_uv=False)
    return float(np.sum(s[network.r :] ** 2) + const)


# --------------------------------------------------------------------- analysis
def _verify_descent(obj: ParameterLoss, x: np.ndarray, eta: np.ndarray, L0: float):
    """First ``t = 0.01 max(1, ‖θ‖) 2^{-k}`` with descent at ``t`` and ``t/2``."""
    floor = 64 * np.finfo(float).eps * max(1.0, abs(L0))
    base = 0.01 * max(1.0, float(np.linalg.norm(x)))
    for k in range(40):
        t = base * 0.5**k
        d1 = L0 - obj.value(x + t * eta)
        if d1 > floor and L0 - obj.value(x + 0.5 * t * eta) > floor:
            return t, d1
    return None


def _insertion_direction(net: LinearNetwork, ws, G: np.ndarray, tol: float):
    """The rank-one insertion ``η`` (module docstring), or ``None``."""
    if net.depth < 2:
        return None
    u, _, vt = np.linalg.svd(-G)
    xs = [vt[0]]
    for i in range(1, net.depth):
        kernel = null_space_basis(np.vstack([ws[i], ws[i - 1].T]), tol=tol)
        if kernel.shape[1] == 0:
            return None
        xs.append(kernel[:, 0])
    xs.append(u[:, 0])
    return net.flatten([np.outer(xs[i + 1], xs[i]) for i in range(net.depth)])


def _analyse(obj: ParameterLoss, x: np.ndarray, tol: Tolerances) -> CriticalPoint:
    """Classify ``θ``; a minimum not certified global by ``∇ℓ = 0`` is returned as
    ``LOCAL_MINIMUM`` for :func:`_label` to compare with the reference."""
    net, loss = obj.network, obj.loss
    M = net.matrix(x)
    G = loss.gradient(M)
    L0 = loss.value(M)
    rank = numerical_rank(M, tol=tol.rank)
    drank = net.differential_rank(x, tol=tol.rank)
    gnorm = float(np.linalg.norm(G))
    point = FixedRankPoint.at(M, rank) if rank == net.r else None
    residual = float(np.linalg.norm(point.tangent_part(G))) if point is not None else gnorm

    def result(kind, curvature, space, escape=None, step=None, decrease=None):
        return CriticalPoint(
            theta=x,
            matrix=M,
            rank=rank,
            loss=L0,
            gradient_norm=float(np.linalg.norm(obj.gradient(x))),
            differential_rank=drank,
            pure=residual <= tol.purity * max(1.0, gnorm),
            purity_residual=residual,
            kind=kind,
            curvature=curvature,
            curvature_space=space,
            escape=escape,
            escape_step=step,
            escape_decrease=decrease,
        )

    if gnorm <= tol.purity:  # M minimises the convex ℓ over every matrix
        return result(Kind.GLOBAL_MINIMUM, np.zeros(0), "none")
    candidates = []
    if point is not None and drank == net.functional_dimension:
        space = "functional"
        lam, vecs = np.linalg.eigh(riemannian_hessian(loss, M, rank))
        zero = tol.curvature * max(1.0, float(np.max(np.abs(lam))))
        if lam[0] > zero:
            return result(Kind.LOCAL_MINIMUM, lam, space)
        if lam[0] < -zero:
            xi = point.basis @ vecs[:, 0]
            candidates.append(np.linalg.lstsq(net.differential(x), xi, rcond=None)[0])
    else:
        space = "parameter"
        lam, vecs = np.linalg.eigh(obj.hessian(x))
        zero = tol.curvature * max(1.0, float(np.max(np.abs(lam))))
        if lam[0] < -zero:
            candidates.append(vecs[:, 0])
        eta = _insertion_direction(net, net.weights(x), G, tol.rank)
        if eta is not None:
            candidates.append(eta)
    for eta in candidates:
        eta = eta / np.linalg.norm(eta)
        found = _verify_descent(obj, x, eta, L0)
        if found is not None:
            return result(Kind.SADDLE, lam, space, eta, *found)
    return result(Kind.DEGENERATE, lam, space)


def _label(point: CriticalPoint, reference: float | None, tol: Tolerances) -> CriticalPoint:
    """Split a provisional ``LOCAL_MINIMUM`` into global / non-global by ``reference``."""
    if point.kind not in (Kind.GLOBAL_MINIMUM, Kind.LOCAL_MINIMUM):
        return point
    if reference is None:
        if point.kind == Kind.GLOBAL_MINIMUM:
            return point
        raise ValueError(
            "a local minimum needs a reference global minimum to be labelled global or "
            "not: pass global_minimum= (e.g. the best loss of find_critical_points)"
        )
    slack = tol.loss * max(1.0, abs(reference))
    if point.loss < reference - slack:
        raise ValueError(
            f"a minimum with L = {point.loss:.12g} lies below the reference global minimum "
            f"{reference:.12g}: the supplied global_minimum is not the global minimum"
        )
    if point.kind == Kind.LOCAL_MINIMUM and point.loss <= reference + slack:
        return replace(point, kind=Kind.GLOBAL_MINIMUM)
    return point


def _checked(network, loss, theta, tolerances) -> tuple[ParameterLoss, np.ndarray, Tolerances]:
    tol = Tolerances() if tolerances is None else tolerances
    if not isinstance(tol, Tolerances):
        raise TypeError(f"tolerances must be a Tolerances, got {type(tol).__name__}")
    obj = ParameterLoss(network, loss)
    return obj, network.flatten(theta), tol


def classify(
    network: LinearNetwork,
    loss: MatrixLoss,
    theta,
    *,
    global_minimum: float | None = None,
    tolerances: Tolerances | None = None,
) -> CriticalPoint:
    r"""Classify the critical point ``θ`` of ``L = ℓ ∘ μ`` (procedure in the module doc).

    Parameters
    ----------
    network : LinearNetwork
    loss : MatrixLoss
        Smooth and convex.
    theta : array_like or sequence of matrices
        Must satisfy ``‖∇L(θ)‖ ≤ tolerances.gradient``; polish with
        :func:`~symbreak.linear.newton_polish` first.
    global_minimum : float, optional
        ``min L``; defaults to :func:`exact_minimum` (quadratic and data
        losses).  Needed for other losses only when ``θ`` is a minimum with
        ``∇ℓ(μ(θ)) ≠ 0``.
    tolerances : Tolerances, optional

    Returns
    -------
    CriticalPoint

    Raises
    ------
    ValueError
        If ``θ`` is not critical, if a reference minimum is needed and missing,
        or if ``θ`` is a minimum below the reference ``global_minimum``.
    """
    obj, x, tol = _checked(network, loss, theta, tolerances)
    gn = float(np.linalg.norm(obj.gradient(x)))
    if gn > tol.gradient:
        raise ValueError(
            f"theta is not a critical point of L: ‖∇L(θ)‖ = {gn:.3e} > {tol.gradient:.1e}; "
            "refine it with newton_polish(...) or loosen Tolerances(gradient=...)"
        )
    if global_minimum is None:
        reference = exact_minimum(network, loss)
    else:
        reference = as_finite_real(global_minimum, "global_minimum")
    return _label(_analyse(obj, x, tol), reference, tol)
