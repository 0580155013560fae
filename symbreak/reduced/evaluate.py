r"""Loss, first and second derivatives on the compressed index model, batched over points.

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

Every array carries a leading batch axis ``N`` (points), so one call
evaluates many points with a handful of ``einsum`` calls.

**Derivative in k.**  At fixed coordinates ``W``'s explicit entries do not
move with ``k``; only the weights do (polynomials in the block sizes).  The
exact ``∂/∂k`` (:meth:`CompressedState.gradient_dk`, :meth:`CompressedState.loss_dk`)
follows the weights' derivatives ``ω', Ω', a'`` through the norms
(``(|w|²)' = Σ_c a'_c w_c²``), inner products, wedges (by Lagrange's identity,
``(|w∧v|²)' = Σ_{c≠c'} a'_c a_{c'} (w_c v_{c'} − w_{c'} v_c)²``), angles
(``θ' = (x·y' − y·x')/(x² + y²)`` for ``θ = atan2(y, x)``) and kernel
coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NotDifferentiableError
from ..model import kernel as K
from .layout import Layout, LayoutWeights

__all__ = ["CompressedState", "compressed_state"]


@dataclass(frozen=True, eq=False)
class CompressedState:
    """Everything about a batch of points ``W`` the forms need, for one layout.

    Arrays have a leading batch axis ``N``.
    """

    layout: Layout
    k: float
    weights: LayoutWeights
    W: np.ndarray  # (N, P, C)
    n2: np.ndarray  # (N, P)
    norms: np.ndarray  # (N, P)
    Wbar: np.ndarray  # (N, P, C)
    R: np.ndarray  # R[n, p, q] = r_{q|p} = w_q − (w_q·w̄_p) w̄_p, shape (N, P, P, C)
    gs: K.KernelGeometry  # rows × rows (N, P, P)
    gt: K.KernelGeometry  # rows × teacher columns (N, P, C)

    @property
    def row_w(self) -> np.ndarray:
        return self.weights.row

    @property
    def pair_w(self) -> np.ndarray:
        return self.weights.pair

    @property
    def col_w(self) -> np.ndarray:
        return self.weights.col

    @property
    def teacher_w(self) -> np.ndarray:
        return self.weights.teacher

    # ------------------------------------------------------------------ loss
    def loss(self) -> np.ndarray:
        """Loss ``L(W)`` per point, shape (N,) (see the module docstring)."""
        w = self.weights
        k = self.k
        self_term = 0.25 * self.n2 @ w.row
        pair = 0.5 * np.einsum("pq,npq->n", w.pair, K.kappa(self.gs))
        teach = np.einsum("p,c,npc->n", w.row, w.teacher, K.kappa(self.gt))
        const = k / 4.0 + k * (k - 1.0) / (4.0 * np.pi)
        return self_term + pair - teach + const

    # -------------------------------------------------------------- gradient
    def gradient_form(self, U: np.ndarray) -> np.ndarray:
        """``DL[U_α]`` for directions ``U`` of shape (A, P, C): shape (N, A)."""
        w = self.weights
        W = self.W
        Uw = U * w.col
        uw = np.einsum("apc,npc->nap", Uw, W)  # u_p·w_p
        uwq = np.einsum("apc,nqc->napq", Uw, W)  # u_p·w_q
        a_s, b_s = K.grad_coefficients(self.gs)
        a_t, b_t = K.grad_coefficients(self.gt)
        tw = w.row[:, None] * w.teacher[None, :]
        coef = 0.5 * w.row + np.einsum("pq,npq->np", w.pair, a_s) - np.einsum("pc,npc->np", tw, a_t)
        out = np.einsum("np,nap->na", coef, uw)
        out += np.einsum("pq,npq,napq->na", w.pair, b_s, uwq)
        out -= np.einsum("pc,npc,apc->na", tw, b_t, U)
        return out

    # ------------------------------------------------------------ d/dk forms
    def _dk_geometry(self):
        """Derivatives in k of ``|w_p|²``, ``|w_p|``, the pair and teacher geometry."""
        w = self.weights
        W = self.W
        dn2 = np.einsum("npc,c->np", W * W, w.dcol)
        dnorm = dn2 / (2.0 * self.norms)
        ddot = np.einsum("npc,c,nqc->npq", W, w.dcol, W)
        # (|w_p ∧ w_q|²)' by Lagrange's identity (no cancellation near parallel rows)
        M = W[:, :, None, :, None] * W[:, None, :, None, :]
        M = M - np.swapaxes(M, -1, -2)
        dQ = np.einsum("npqcd,c,d->npq", M * M, w.dcol, w.col)
        gs = self.gs
        with np.errstate(divide="ignore", invalid="ignore"):
            dwedge = np.where(gs.wedge > 0.0, dQ / (2.0 * gs.wedge), 0.0)
            r2 = gs.dot**2 + gs.wedge**2
            dtheta = np.where(r2 > 0.0, (gs.dot * dwedge - gs.wedge * ddot) / r2, 0.0)
            # teacher e_c: |w ∧ e_c|² = Σ_{c'≠c} a_c' w_c'² + (a_c − 1) w_c², derivative dn2
            gt = self.gt
            dwedge_t = np.where(gt.wedge > 0.0, dn2[:, :, None] / (2.0 * gt.wedge), 0.0)
            r2t = gt.dot**2 + gt.wedge**2
            dtheta_t = np.where(r2t > 0.0, gt.dot * dwedge_t / r2t, 0.0)
        return dn2, dnorm, ddot, dwedge, dtheta, dwedge_t, dtheta_t

    def loss_dk(self) -> np.ndarray:
        """Exact ``∂L/∂k`` at fixed coordinates, shape (N,).

        Includes the teacher constant ``(k/4 + k(k−1)/(4π))' = 1/4 + (2k − 1)/(4π)``.
        """
        w = self.weights
        gs, gt = self.gs, self.gt
        dn2, _, ddot, dwedge, dtheta, dwedge_t, dtheta_t = self._dk_geometry()
        two_pi = 2.0 * np.pi
        dkap_s = (dwedge - dtheta * gs.dot + (np.pi - gs.theta) * ddot) / two_pi
        dkap_t = (dwedge_t - dtheta_t * gt.dot) / two_pi
        out = 0.25 * (self.n2 @ w.drow + dn2 @ w.row)
        out += 0.5 * (
            np.einsum("pq,npq->n", w.dpair, K.kappa(gs)) + np.einsum("pq,npq->n", w.pair, dkap_s)
        )
        dtw = w.drow[:, None] * w.teacher[None, :] + w.row[:, None] * w.dteacher[None, :]
        tw = w.row[:, None] * w.teacher[None, :]
        out -= np.einsum("pc,npc->n", dtw, K.kappa(gt)) + np.einsum("pc,npc->n", tw, dkap_t)
        out += 0.25 + (2.0 * self.k - 1.0) / (4.0 * np.pi)
        return out

    def gradient_dk_form(self, U: np.ndarray) -> np.ndarray:
        """Exact ``∂/∂k DL[U_α]`` at fixed coordinates, shape (N, A).

        Differentiates :meth:`gradient_form` through the weights (see the
        module docstring); the directions ``U`` do not depend on ``k``.
        """
        w = self.weights
        W = self.W
        gs, gt = self.gs, self.gt
        _, dnorm, _, dwedge, dtheta, dwedge_t, dtheta_t = self._dk_geometry()
        two_pi = 2.0 * np.pi
        Uw, dUw = U * w.col, U * w.dcol
        uw = np.einsum("apc,npc->nap", Uw, W)
        duw = np.einsum("apc,npc->nap", dUw, W)
        uwq = np.einsum("apc,nqc->napq", Uw, W)
        duwq = np.einsum("apc,nqc->napq", dUw, W)
        nw = self.norms
        # α = |w∧v|/(2π|w|²) (both for v = w_q and v = e_c), β = (π − θ)/(2π)
        a_s = gs.wedge / (two_pi * nw[:, :, None] ** 2)
        da_s = (dwedge - 2.0 * gs.wedge * (dnorm / nw)[:, :, None]) / (two_pi * nw[:, :, None] ** 2)
        b_s = (np.pi - gs.theta) / two_pi
        db_s = -dtheta / two_pi
        a_t = gt.wedge / (two_pi * nw[:, :, None] ** 2)
        da_t = (dwedge_t - 2.0 * gt.wedge * (dnorm / nw)[:, :, None]) / (
            two_pi * nw[:, :, None] ** 2
        )
        b_t = (np.pi - gt.theta) / two_pi
        db_t = -dtheta_t / two_pi
        tw = w.row[:, None] * w.teacher[None, :]
        dtw = w.drow[:, None] * w.teacher[None, :] + w.row[:, None] * w.dteacher[None, :]
        coef = 0.5 * w.row + np.einsum("pq,npq->np", w.pair, a_s) - np.einsum("pc,npc->np", tw, a_t)
        dcoef = (
            0.5 * w.drow
            + np.einsum("pq,npq->np", w.dpair, a_s)
            + np.einsum("pq,npq->np", w.pair, da_s)
            - np.einsum("pc,npc->np", dtw, a_t)
            - np.einsum("pc,npc->np", tw, da_t)
        )
        out = np.einsum("np,nap->na", dcoef, uw) + np.einsum("np,nap->na", coef, duw)
        out += np.einsum("pq,npq,napq->na", w.dpair, b_s, uwq)
        out += np.einsum("pq,npq,napq->na", w.pair, db_s, uwq)
        out += np.einsum("pq,npq,napq->na", w.pair, b_s, duwq)
        out -= np.einsum("pc,npc,apc->na", dtw, b_t, U)
        out -= np.einsum("pc,npc,apc->na", tw, db_t, U)
        return out

    # --------------------------------------------------------------- Hessian
    def hessian_form(self, U: np.ndarray) -> np.ndarray:
        """Matrices ``D²L[U_α, U_β]`` for directions ``U`` (A, P, C): shape (N, A, A).

        Symmetrised: ``(X + Xᵀ)/2``.
        """
        w = self.weights
        hs = K.hessian_coefficients(self.gs)
        ht = K.hessian_coefficients(self.gt)
        Uw = U * w.col
        uu_same = np.einsum("apc,bpc->abp", Uw, U)
        uu_pair = np.einsum("apc,bqc->abpq", Uw, U)
        uwb = np.einsum("apc,npc->nap", Uw, self.Wbar)  # u_p·w̄_p
        ur = np.einsum("apc,npqc->napq", Uw, self.R)  # u_p·r_{q|p}
        Om = w.pair
        tw = w.row[:, None] * w.teacher[None, :]
        # ½ ω_p I + Σ_q Ω_pq γ_pq (I − w̄w̄ᵀ) − Σ_c ω_p t_c γ_pc (I − w̄w̄ᵀ)
        g = np.einsum("pq,npq->np", Om, hs.gamma) - np.einsum("pc,npc->np", tw, ht.gamma)
        B = np.einsum("p,abp->ab", 0.5 * w.row, uu_same)[None] + np.einsum(
            "np,abp->nab", g, uu_same
        )
        B -= np.einsum("np,nap,nbp->nab", g, uwb, uwb)
        # δ-terms of K1 (rows) and K2, and the βI, ε w̄ v̄ᵀ terms of K2
        od = Om * hs.delta
        B += np.einsum("npq,napq,nbpq->nab", od, ur, ur)
        B += np.einsum("npq,napq,nbqp->nab", od, ur, ur)
        B += np.einsum("npq,abpq->nab", Om * hs.beta, uu_pair)
        B += np.einsum("npq,nap,nbq->nab", Om * hs.eps, uwb, uwb)
        # teacher δ-term: u·r_{e_c|w} = u_c − (w̄_c)(u·w̄)
        ut = U[None] - self.Wbar[:, None] * uwb[:, :, :, None]
        B -= np.einsum("npc,napc,nbpc->nab", tw * ht.delta, ut, ut)
        return 0.5 * (B + np.swapaxes(B, 1, 2))

    def gram(self, U: np.ndarray) -> np.ndarray:
        """``⟨U_α, U_β⟩`` (Frobenius inner product of the full matrices), shape (A, A)."""
        w = self.weights
        return np.einsum("p,apc,bpc->ab", w.row, U * w.col, U)


def _zero_row_error(layout: Layout, coords: np.ndarray, n2: np.ndarray) -> NotDifferentiableError:
    n, p = (int(i[0]) for i in np.nonzero(n2 <= 0.0))
    t, _lab = layout.rows[p]
    where = f"point {n} of the batch, " if coords.shape[0] > 1 else ""
    return NotDifferentiableError(
        f"the rows of block {t + 1} are zero at {where}coordinates {coords[n].tolist()}: the loss "
        "is not differentiable there (move the point off zero rows)"
    )


def compressed_state(layout: Layout, weights: LayoutWeights, k: float, coords) -> CompressedState:
    """Evaluate the compressed model of ``W = Σ_o c_o E_o`` at a batch of points.

    Parameters
    ----------
    layout : Layout
    weights : LayoutWeights
        ``layout.float_weights(sizes, dsizes)``.
    k : float
    coords : ndarray, shape (N, dim)
        Finite coordinates (checked by the callers).

    Raises
    ------
    NotDifferentiableError
        If a row of ``W`` is zero at some point (the loss is not
        differentiable there); the message names the block and, for a batch,
        the index of the first such point.
    """
    coords = np.asarray(coords, dtype=float)
    N, dim = coords.shape
    n_slots = int(layout.coord_index.max()) + 1
    if n_slots > dim:
        coords_full = np.concatenate([coords, np.zeros((N, n_slots - dim))], axis=1)
    else:
        coords_full = coords
    W = coords_full[:, layout.coord_index]
    col_w = weights.col
    n2 = np.einsum("npc,c,npc->np", W, col_w, W)
    if np.any(n2 <= 0.0):
        raise _zero_row_error(layout, coords, n2)
    norms = np.sqrt(n2)
    Wbar = W / norms[:, :, None]
    dot = np.einsum("npc,c,nqc->npq", W, col_w, W)
    R = W[:, None, :, :] - (dot / norms[:, :, None])[:, :, :, None] * Wbar[:, :, None, :]
    rej2 = np.maximum(np.einsum("npqc,c,npqc->npq", R, col_w, R), 0.0)
    wedge = norms[:, :, None] * np.sqrt(rej2)
    P = W.shape[1]
    wedge[:, np.arange(P), np.arange(P)] = 0.0
    gs = K.geometry(norms[:, :, None], norms[:, None, :], dot, wedge)
    # teacher e_c: |w|² − w_c² as Σ_{c'≠c} a_c' w_c'² + (a_c − 1) w_c² (no cancellation)
    sq = W * W * col_w
    others = sq @ (1.0 - np.eye(W.shape[2])) + (col_w - 1.0) * W * W
    wt = np.sqrt(np.maximum(others, 0.0))
    gt = K.geometry(norms[:, :, None], 1.0, W, wt)
    return CompressedState(
        layout=layout,
        k=float(k),
        weights=weights,
        W=W,
        n2=n2,
        norms=norms,
        Wbar=Wbar,
        R=R,
        gs=gs,
        gt=gt,
    )
