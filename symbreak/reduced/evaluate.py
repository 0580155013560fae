r"""Loss, first and second derivatives on the compressed index model.

With the explicit rows ``p`` (weights ``ω_p``), ordered pairs (weights
``Ω_pq``) and weighted columns of :mod:`symbreak.reduced.layout`, and the
kernel coefficients of :mod:`symbreak.model.kernel`:

.. math::

    L = \tfrac14\sum_p ω_p |w_p|^2 + \tfrac12 \sum_{p,q} Ω_{pq} κ(w_p, w_q)
        − \sum_p ω_p \sum_{j} κ(w_p, e_j) + \tfrac k4 + \tfrac{k(k−1)}{4π},

.. math::

    DL[U] = \sum_p ω_p \tfrac12 u_p·w_p
          + \sum_{p,q} Ω_{pq}(α_{pq} u_p·w_p + β_{pq} u_p·w_q)
          − \sum_p ω_p \sum_j (α_{pj} u_p·w_p + β_{pj} u_{pj}),

.. math::

    D^2L[U, Ũ] = \sum_p ω_p \bigl(\tfrac12 u_p·ũ_p − \sum_j u_p^T K_1(w_p, e_j) ũ_p\bigr)
          + \sum_{p,q} Ω_{pq}\bigl(u_p^T K_1(w_p, w_q) ũ_p + u_p^T K_2(w_p, w_q) ũ_q\bigr),

with ``K_1 = ∂²_{ww}κ = γ(I − w̄w̄^T) + δ r_{v|w} r_{v|w}^T`` and
``K_2 = ∂²_{wv}κ = βI + ε w̄ v̄^T + δ r_{v|w} r_{w|v}^T``; the sums over the
teacher columns ``j`` are weighted column sums.  Everything is a weighted
inner product of short vectors: the cost does not depend on ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NotDifferentiableError
from ..model import kernel as K
from .layout import Layout

__all__ = ["CompressedState", "compressed_state"]


@dataclass(frozen=True)
class CompressedState:
    """Everything about ``W`` the forms need, for one layout and one point."""

    layout: Layout
    k: float
    W: np.ndarray  # (P, C)
    row_w: np.ndarray
    pair_w: np.ndarray
    col_w: np.ndarray
    norms: np.ndarray  # (P,)
    Wbar: np.ndarray
    R: np.ndarray  # R[p, q] = r_{q|p} = w_q − (w_q·w̄_p) w̄_p, shape (P, P, C)
    gs: K.KernelGeometry  # rows × rows
    gt: K.KernelGeometry  # rows × teacher columns
    teacher_w: np.ndarray  # column weights restricted to teacher columns (C,), 0 elsewhere

    # --------------------------------------------------------------- helpers
    def _ip(self, X, Y):
        """Weighted column inner product over the last axis."""
        return np.einsum("...c,...c->...", X * self.col_w, Y)

    # ------------------------------------------------------------------ loss
    def loss(self) -> float:
        """Loss ``L(W)`` (see the module docstring)."""
        k = self.k
        self_term = 0.25 * np.dot(self.row_w, self.norms**2)
        pair = 0.5 * np.sum(self.pair_w * K.kappa(self.gs))
        teach = np.sum(self.row_w[:, None] * self.teacher_w[None, :] * K.kappa(self.gt))
        const = k / 4.0 + k * (k - 1.0) / (4.0 * np.pi)
        return float(self_term + pair - teach + const)

    # -------------------------------------------------------------- gradient
    def gradient_form(self, U: np.ndarray) -> np.ndarray:
        """``DL[U_α]`` for a stack of directions ``U`` of shape (N, P, C)."""
        W = self.W
        uw = self._ip(U, W[None])  # (N, P): u_p·w_p
        uwq = np.einsum("apc,qc->apq", U * self.col_w, W)  # u_p·w_q
        a_s, b_s = K.grad_coefficients(self.gs)
        a_t, b_t = K.grad_coefficients(self.gt)
        out = 0.5 * uw @ self.row_w
        out = out + uw @ (self.pair_w * a_s).sum(1)
        out = out + np.einsum("pq,apq->a", self.pair_w * b_s, uwq)
        tw = self.row_w[:, None] * self.teacher_w[None, :]
        out = out - np.einsum("pc,ap->a", tw * a_t, uw)
        out = out - np.einsum("pc,apc->a", tw * b_t, U)
        return out

    # --------------------------------------------------------------- Hessian
    def hessian_form(self, U: np.ndarray) -> np.ndarray:
        """Matrix ``D²L[U_α, U_β]`` for a stack ``U`` of shape (N, P, C) (symmetrised)."""
        hs = K.hessian_coefficients(self.gs)
        ht = K.hessian_coefficients(self.gt)
        Uw = U * self.col_w
        uu_same = np.einsum("apc,bpc->abp", Uw, U)
        uu_pair = np.einsum("apc,bqc->abpq", Uw, U)
        uwb = np.einsum("apc,pc->ap", Uw, self.Wbar)  # u_p·w̄_p
        ur = np.einsum("apc,pqc->apq", Uw, self.R)  # u_p·r_{q|p}
        Om = self.pair_w
        # ½ I
        B = 0.5 * np.einsum("p,abp->ab", self.row_w, uu_same)
        # Σ_q Ω_pq K1(w_p, w_q) on the diagonal blocks
        proj = uu_same - uwb[:, None, :] * uwb[None, :, :]
        B += np.einsum("p,abp->ab", (Om * hs.gamma).sum(1), proj)
        B += np.einsum("pq,apq,bpq->ab", Om * hs.delta, ur, ur)
        # Ω_pq K2(w_p, w_q) between rows
        B += np.einsum("pq,abpq->ab", Om * hs.beta, uu_pair)
        B += np.einsum("pq,ap,bq->ab", Om * hs.eps, uwb, uwb)
        B += np.einsum("pq,apq,bqp->ab", Om * hs.delta, ur, ur)
        # teacher terms −Σ_j K1(w_p, e_j)
        tw = self.row_w[:, None] * self.teacher_w[None, :]
        B -= np.einsum("p,abp->ab", (tw * ht.gamma).sum(1), proj)
        ut = U - (self.W / self.norms[:, None])[None] * uwb[:, :, None]  # u·r_{e_j|w}
        B -= np.einsum("pc,apc,bpc->ab", tw * ht.delta, ut, ut)
        return 0.5 * (B + B.T)

    def gram(self, U: np.ndarray) -> np.ndarray:
        """``⟨U_α, U_β⟩`` (Frobenius inner product of the full matrices)."""
        return np.einsum("p,apc,bpc->ab", self.row_w, U * self.col_w, U)


def compressed_state(layout: Layout, sizes, k: float, coords) -> CompressedState:
    """Evaluate the compressed model of ``W = Σ_o c_o E_o`` at the given sizes.

    Raises
    ------
    NotDifferentiableError
        If a row of ``W`` is zero (the loss is not differentiable there).
    """
    coords = np.asarray(coords, dtype=float)
    n_extra = int(layout.coord_index.max()) + 1 - coords.size
    cfull = np.concatenate([coords, np.zeros(max(0, n_extra))])
    W = cfull[layout.coord_index]
    row_w, pair_w, col_w = layout.weights(sizes)
    n2 = np.einsum("pc,c,pc->p", W, col_w, W)
    if np.any(n2 <= 0.0):
        p = int(np.flatnonzero(n2 <= 0.0)[0])
        t, lab = layout.rows[p]
        raise NotDifferentiableError(
            f"the rows of block {t + 1} are zero at coordinates {coords.tolist()}: the loss is "
            "not differentiable there (move the point off zero rows)"
        )
    norms = np.sqrt(n2)
    Wbar = W / norms[:, None]
    dot = np.einsum("pc,c,qc->pq", W, col_w, W)
    R = W[None, :, :] - (dot / norms[:, None])[:, :, None] * Wbar[:, None, :]
    rej2 = np.maximum(np.einsum("pqc,c,pqc->pq", R, col_w, R), 0.0)
    wedge = norms[:, None] * np.sqrt(rej2)
    np.fill_diagonal(wedge, 0.0)
    gs = K.geometry(norms[:, None], norms[None, :], dot, wedge)
    # teacher e_j for every column j: |w|² − w_j² as a weighted sum without cancellation
    others = n2[:, None] - W**2
    wt = np.sqrt(np.maximum(others, 0.0))
    gt = K.geometry(norms[:, None], 1.0, W, wt)
    teacher_w = np.where(layout.teacher_cols, col_w, 0.0)
    return CompressedState(
        layout=layout,
        k=float(k),
        W=W,
        row_w=row_w,
        pair_w=pair_w,
        col_w=col_w,
        norms=norms,
        Wbar=Wbar,
        R=R,
        gs=gs,
        gt=gt,
        teacher_w=teacher_w,
    )
