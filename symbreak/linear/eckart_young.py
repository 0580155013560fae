r"""Every critical point of a quadratic loss on a linear network, in closed form.

For ``ℓ(M) = ‖M − Q‖²_F`` with singular values ``σ_1 > ⋯ > σ_N > 0`` of
``Q = Σ σ_i u_i v_iᵀ`` (``N = min(d_0, d_h)``), the critical points of ``ℓ``
on the strata of ``M_r`` are (Eckart–Young)

.. math:: M_I = Σ_{i∈I} σ_i u_i v_iᵀ, \qquad ℓ(M_I) = Σ_{i∉I} σ_i², \qquad |I| ≤ r.

For depth ``h ≥ 2`` each is ``μ(θ_I)`` of a critical point of ``L = ℓ∘μ``
with, for ``e = |I|``, ``D = diag(√σ_I)`` and ``E_{a×b}`` the ``a×b`` matrix
with ``I_e`` in its top-left corner,

.. math:: W_1 = E_{d_1×e} D V_Iᵀ, \quad W_i = E_{d_i×d_{i−1}} (1<i<h),
          \quad W_h = U_I D E_{e×d_{h−1}}:

every ``∇_{W_i}L = A_iᵀ G B_iᵀ`` vanishes because ``col(A_i) ⊆ span U_I`` for
``i < h``, ``row(B_h) ⊆ span V_I``, and ``G = −2 Σ_{i∉I} σ_i u_i v_iᵀ`` is
orthogonal to both.  ``M_I`` is pure iff ``|I| = r``; only ``I = {1..r}`` is
a minimum (the global one); all others are saddles.  For ``h = 1``
(``L = ℓ``) the only critical point is ``W_1 = Q``, ``I = {1..N}``.

A :class:`DataLoss` ``‖MX − Y‖²_F`` with ``XXᵀ`` invertible is reduced to
this case by :meth:`DataLoss.whitened`: ``θ_I`` gets ``W_1 ↦ W_1 S^{−1}``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .._validation import as_positive_int
from .critical import CriticalPoint, Kind, Tolerances, classify
from .losses import DataLoss, MatrixLoss, QuadraticLoss
from .network import LinearNetwork

__all__ = ["EckartYoungPoint", "EckartYoung", "eckart_young"]


@dataclass(frozen=True, eq=False)
class EckartYoungPoint:
    """One Eckart–Young critical value, in closed form and verified numerically.

    Attributes
    ----------
    index_set : tuple of int
        ``I``, 1-based (``1`` is the largest singular value).
    rank : int
        ``|I|``.
    loss : float
        ``Σ_{i∉I} σ_i²`` (plus the constant of a data loss).
    pure : bool
        ``|I| = r`` (theory).
    kind : Kind
        ``GLOBAL_MINIMUM`` for ``I = {1..r}``, ``SADDLE`` otherwise (theory).
    theta : ndarray
        The explicit flat ``θ_I`` of the module docstring.
    verification : CriticalPoint
        :func:`~symbreak.linear.classify` applied to ``θ_I`` (independent of the
        theory above: numerical ranks, Riemannian/parameter Hessians, escape
        directions).
    """

    index_set: tuple[int, ...]
    rank: int
    loss: float
    pure: bool
    kind: Kind
    theta: np.ndarray
    verification: CriticalPoint

    @property
    def verified(self) -> bool:
        """Theory and numerical classification agree (rank, loss, purity, kind)."""
        v = self.verification
        return (
            v.rank == self.rank
            and abs(v.loss - self.loss) <= 1e-9 * max(1.0, abs(self.loss))
            and v.pure == self.pure
            and v.kind == self.kind
        )


@dataclass(frozen=True, eq=False)
class EckartYoung:
    """All critical values of a quadratic loss on a linear network.

    Attributes
    ----------
    network : LinearNetwork
    singular_values : ndarray
        ``σ_1 > ⋯ > σ_N`` of the (whitened) target.
    points : tuple of EckartYoungPoint
        Ordered by rank, then index set.
    """

    network: LinearNetwork
    singular_values: np.ndarray
    points: tuple[EckartYoungPoint, ...]

    @property
    def minimum(self) -> EckartYoungPoint:
        """The global minimum ``I = {1..r}``."""
        return next(p for p in self.points if p.kind == Kind.GLOBAL_MINIMUM)

    @property
    def verified(self) -> bool:
        """Every point is verified."""
        return all(p.verified for p in self.points)


def _check_spectrum(s: np.ndarray) -> None:
    scale = max(1.0, float(s[0]))
    if s[-1] <= 1e-10 * scale:
        raise ValueError(
            f"the target has a zero singular value (σ = {s.tolist()}): critical points are "
            "then not isolated by index sets; give a target of full rank min(d_0, d_h)"
        )
    gaps = s[:-1] - s[1:]
    if gaps.size and gaps.min() <= 1e-10 * scale:
        i = int(np.argmin(gaps))
        raise ValueError(
            f"the target has repeated singular values σ_{i + 1} = σ_{i + 2} = {s[i]:.12g}: "
            "the critical points form continua, not index sets; perturb the target"
        )


def _parameters(net: LinearNetwork, U, s, V, S_inv) -> list[np.ndarray]:
    e = s.size
    D = np.sqrt(s)
    if net.depth == 1:
        return [(U * s) @ V.T @ S_inv]
    ws = []
    for i, (a, b) in enumerate(net.layer_shapes):
        W = np.zeros((a, b))
        if i == 0:
            W[:e] = (D[:, None] * V.T) @ S_inv
        elif i == net.depth - 1:
            W[:, :e] = U * D
        else:
            W[:e, :e] = np.eye(e)
        ws.append(W)
    return ws


def eckart_young(
    network: LinearNetwork,
    loss,
    *,
    tolerances: Tolerances | None = None,
    max_index_sets: int = 4096,
) -> EckartYoung:
    r"""Enumerate the Eckart–Young critical values of ``L = ℓ ∘ μ`` (module docstring).

    Parameters
    ----------
    network : LinearNetwork
    loss : QuadraticLoss, DataLoss or array_like
        An array is the target ``Q`` of a :class:`QuadraticLoss`.
    tolerances : Tolerances, optional
        Passed to :func:`classify` for the verification.
    max_index_sets : int
        Refuse to enumerate more than this many index sets
        (``Σ_{e≤r} binom(N, e)``).

    Returns
    -------
    EckartYoung

    Raises
    ------
    ValueError
        Repeated or zero singular values, a singular ``XXᵀ``, too many sets.
    TypeError
        A loss other than quadratic or data.
    """
    if not isinstance(network, LinearNetwork):
        raise TypeError(f"network must be a LinearNetwork, got {type(network).__name__}")
    if not isinstance(loss, MatrixLoss):
        loss = QuadraticLoss(loss)
    if not isinstance(loss, (QuadraticLoss, DataLoss)):
        raise TypeError(
            f"eckart_young needs a QuadraticLoss or DataLoss, got {type(loss).__name__}; use "
            "find_critical_points for other losses"
        )
    if tuple(loss.shape) != network.shape:
        raise ValueError(
            f"the loss acts on {loss.shape} matrices but the network outputs {network.shape}"
        )
    max_index_sets = as_positive_int(max_index_sets, "max_index_sets")
    Qt, S, const = loss.whitened()
    u, s, vt = np.linalg.svd(Qt)
    _check_spectrum(s)
    S_inv = np.linalg.inv(S)
    N, r = s.size, network.r
    sizes = range(r + 1) if network.depth >= 2 else [N]
    total = sum(math.comb(N, e) for e in sizes)
    if total > max_index_sets:
        raise ValueError(
            f"{total} index sets to enumerate (N = {N}, r = {r}); raise max_index_sets or "
            "use find_critical_points"
        )
    minimum = float(np.sum(s[r:] ** 2) + const)
    points = []
    for e in sizes:
        for I in itertools.combinations(range(N), e):
            idx = list(I)
            theta = network.flatten(_parameters(network, u[:, idx], s[idx], vt[idx].T, S_inv))
            rest = np.setdiff1d(np.arange(N), idx)
            points.append(
                EckartYoungPoint(
                    index_set=tuple(i + 1 for i in I),
                    rank=e,
                    loss=float(np.sum(s[rest] ** 2) + const),
                    pure=e == r,
                    kind=Kind.GLOBAL_MINIMUM if idx == list(range(r)) else Kind.SADDLE,
                    theta=theta,
                    verification=classify(
                        network, loss, theta, global_minimum=minimum, tolerances=tolerances
                    ),
                )
            )
    return EckartYoung(network=network, singular_values=s, points=tuple(points))
