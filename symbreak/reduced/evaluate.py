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

**One model, any arithmetic.**  The same code runs on float64 arrays (the
fast path) and on object arrays of ``mpmath``/``arb``/sympy numbers: the
back-end (:mod:`symbreak.reduced.arithmetic`) supplies ``sqrt``, ``atan2``,
``π``, the positivity test of the row norms and the bounded ``δ``-terms.
Accuracy devices the interval path needs:

* ``|w∧v|²`` is never ``|w|²|v|² − (w·v)²``: float64 uses the rejection
  ``|w|²·|v − (v·w̄)w̄|²`` (a sum of squares), the other back-ends Lagrange's
  identity ``Σ_{c<c'} a_c a_{c'} (w_c v_{c'} − w_{c'} v_c)²``; for a teacher
  ``e_c``, ``Σ_{c'≠c} a_{c'} w_{c'}² + (a_c − 1) w_c²``;
* the ``δ``-terms ``δ (u·r)(ũ·s)`` are ``0/0`` at parallel rows; non-float
  back-ends evaluate them term by term with ``small_term``, bounded by
  Cauchy–Schwarz: ``|δ(u·r_{q|p})(ũ·r_{q|p})| ≤ γ|u||ũ|`` and
  ``|δ(u·r_{q|p})(ũ_q·r_{p|q})| ≤ ε|u||ũ|``.

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

import functools
from dataclasses import dataclass

import numpy as np

from ..errors import NotDifferentiableError
from ..model import kernel as K
from .arithmetic import FLOAT64
from .layout import Layout, LayoutWeights

__all__ = ["CompressedState", "compressed_state"]

#: numbers in the buffers of the δ-terms of the float64 Hessian form (a few
#: points at a time, so that they stay in a 1 MiB cache)
_FORM_BLOCK = 65536


def _in_context(method):
    """Run a form inside its back-end's precision context (a no-op for float64)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self.arith.is_float64:
            return method(self, *args, **kwargs)
        with self.arith:
            return method(self, *args, **kwargs)

    return wrapper


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
    teacher_wedge: np.ndarray  # |w_p ∧ e_c|, rows × teacher columns (N, P, C)
    arith: object = FLOAT64  # the back-end of the arrays
    row_scale: np.ndarray | None = None  # (N, P) blow-up chart: true rows are s_p w_p
    maybe_zero: bool = False  # a row may vanish (balls): only the loss is available

    @functools.cached_property
    def gt(self) -> K.KernelGeometry:
        """Geometry of the rows against the teacher columns ``e_c`` (N, P, C), on first use.

        (The float64 Hessian needs only ``|w_p ∧ e_c|``: it does not compute the angles.)
        """
        fast = self.arith.is_float64
        nw2 = None if fast else self.n2[:, :, None]
        one = 1.0 if fast else 1
        return K.geometry(
            self.norms[:, :, None], one, self.W, self.teacher_wedge, self.arith, nw2=nw2
        )

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
    @_in_context
    def loss(self) -> np.ndarray:
        """Loss ``L(W)`` per point, shape (N,) (see the module docstring)."""
        w = self.weights
        k = self.k
        ks, kt = K.kappa(self.gs), K.kappa(self.gt)
        if self.maybe_zero:  # 0 ≤ κ(w, v) ≤ |w||v|/2 where a row may vanish
            ks = self.arith.akappa_hull(ks, self.gs.nw * self.gs.nv / 2)
            kt = self.arith.akappa_hull(kt, self.gt.nw * self.gt.nv / 2)
        s = self.row_scale
        if s is None:
            self_term = (self.n2 @ w.row) / 4
            pair = np.einsum("pq,npq->n", w.pair, ks) / 2
            teach = np.einsum("p,c,npc->n", w.row, w.teacher, kt)
        else:  # κ is positively homogeneous: κ(s w, t v) = s t κ(w, v); s has shape (N, P)
            self_term = np.einsum("np,p,np->n", self.n2, w.row, self.arith.asquare(s)) / 4
            pair = np.einsum("pq,np,nq,npq->n", w.pair, s, s, ks) / 2
            teach = np.einsum("p,c,np,npc->n", w.row, w.teacher, s, kt)
        if self.layout.teacher_rows:  # the teacher energy is in the pair sums
            return self_term + pair - teach
        const = k / 4 + k * (k - 1) / (4 * self.arith.pi)
        return self_term + pair - teach + const

    # -------------------------------------------------------------- gradient
    @_in_context
    def gradient_form(self, U: np.ndarray) -> np.ndarray:
        """``DL[U_α]`` for directions ``U`` of shape (A, P, C): shape (N, A).

        float64: :meth:`_gradient_form_float64` (the same sums, regrouped into
        one product per point).
        """
        if self.arith.is_float64:
            return self._gradient_form_float64(U)
        w = self.weights
        W = self.W
        Uw = U * w.col
        uw = np.einsum("apc,npc->nap", Uw, W)  # u_p·w_p
        uwq = np.einsum("apc,nqc->napq", Uw, W)  # u_p·w_q
        self._require_rows("the gradient")
        pw, coef, b_s, tw, b_t = self._gradient_coefficients()
        out = np.einsum("np,nap->na", coef, uw)
        sub = "pq,npq,napq->na" if pw.ndim == 2 else "npq,npq,napq->na"  # chart: per point
        out = out + np.einsum(sub, pw, b_s, uwq)
        out = out - np.einsum("pc,npc,apc->na", tw, b_t, U)
        return out

    def _gradient_form_float64(self, U: np.ndarray) -> np.ndarray:
        r"""float64 :meth:`gradient_form`, regrouped by the entries ``(p, c)`` of the directions.

        .. math::

            DL[U] = \sum_{p,c} a_c u_{pc} \Bigl(c_p w_{pc} + \sum_q Ω_{pq} β_{pq} w_{qc}\Bigr)
                  − \sum_{p,c} u_{pc}\, ω_p t_c β_{pc},

        with ``c_p = ½ω_p + Σ_q Ω_pq α_pq − Σ_c ω_p t_c α_pc`` (blow-up chart as in
        :meth:`gradient_form`): one product of a ``2·P·C`` vector per point with
        the stacked directions.  Products per point only (a point's result does
        not depend on its batch).
        """
        self._require_rows("the gradient")
        W = self.W
        N, P, C = W.shape
        pw, coef, b_s, tw, b_t = self._gradient_coefficients()
        V = np.empty((N, 2, P, C))
        np.matmul(pw * b_s, W, out=V[:, 0])
        V[:, 0] += coef[:, :, None] * W
        np.multiply(tw, b_t, out=V[:, 1])
        d = _direction_data(U, self.weights)
        return np.matmul(V.reshape(N, 1, 2 * P * C), d.gradient_matrix).reshape(N, U.shape[0])

    def _gradient_coefficients(self):
        """Chart-scaled ``Ω``, ``c_p``, ``β_pq``, ``ω_p t_c`` and ``β_pc`` of the gradient form."""
        w = self.weights
        a_s, b_s = K.grad_coefficients(self.gs)
        a_t, b_t = K.grad_coefficients(self.gt)
        tw = w.row[:, None] * w.teacher[None, :]
        s = self.row_scale
        if s is None:
            pw = w.pair
            coef = w.row / 2 + np.einsum("pq,npq->np", pw, a_s)
        else:
            # in a blow-up chart (true rows s_p w_p, derivative in the true coordinates):
            # ½ω_p → s_p ω_p/2 and Ω_pq → Ω_pq s_q, per point (s has shape (N, P));
            # the teacher terms are scale-free
            pw = w.pair[None, :, :] * s[:, None, :]
            coef = s * w.row / 2 + np.einsum("npq,npq->np", pw, a_s)
        coef = coef - np.einsum("pc,npc->np", tw, a_t)
        return pw, coef, b_s, tw, b_t

    def _require_rows(self, what: str) -> None:
        if self.maybe_zero:
            raise NotDifferentiableError(
                f"{what} is not available where a row may vanish (only the loss is)"
            )

    # ------------------------------------------------------------ d/dk forms
    def _dk_geometry(self):
        """Derivatives in k of ``|w_p|²``, ``|w_p|``, the pair and teacher geometry."""
        if not self.arith.is_float64:
            raise NotImplementedError("the exact d/dk forms are implemented in float64")
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

        Includes the teacher constant ``(k/4 + k(k−1)/(4π))' = 1/4 + (2k − 1)/(4π)``
        (with explicit teacher rows: the derivative of the teacher's pair sums).
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
        if not self.layout.teacher_rows:
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
    @_in_context
    def hessian_form(self, U: np.ndarray) -> np.ndarray:
        """Matrices ``D²L[U_α, U_β]`` for directions ``U`` (A, P, C): shape (N, A, A).

        Symmetrised: ``(X + Xᵀ)/2``.  float64: :meth:`_hessian_form_float64`
        (dense batched matrix products).  Other back-ends: the row-wise
        products are formed only on the *support* of ``U`` (the pairs
        ``(α, p)`` with ``u_p ≠ 0``), the ``δ``-terms term by term with their
        bounds; the point-independent products of ``U`` with itself are cached.
        """
        self._require_rows("the Hessian")
        if self.row_scale is not None:
            raise ValueError("the Hessian is not available in a blow-up chart (row scales)")
        if self.arith.is_float64:
            return self._hessian_form_float64(U)
        w = self.weights
        ar = self.arith
        N, P, C = self.W.shape
        A = U.shape[0]
        d = _direction_data(U, w)
        a_S, p_S = d.a, d.p
        hs, ht, g, coef_same, coef_pair = self._hessian_coefficients
        Om = w.pair
        tw = w.row[:, None] * w.teacher[None, :]
        Wbar_S = self.Wbar[:, p_S]  # (N, s, C)
        uwb_S = np.einsum("ic,nic->ni", d.Uw, Wbar_S)  # u_p·w̄_p on the support
        uwb = ar.zeros((N, A, P))
        uwb[:, a_S, p_S] = uwb_S
        # u_p·r_{q|p} through the rejections r_{q|p} (fewer operations on balls): (N, s, Q)
        ur_S = np.einsum("ic,niqc->niq", d.Uw, self.R[:, p_S])
        # the products of U are sparse: only their nonzero entries
        B = ar.zeros((N, A * A))
        for coef, (ab, x, val) in ((coef_same, d.same_nz), (coef_pair, d.pair_nz)):
            np.add.at(B, (slice(None), ab), coef[:, x] * val[None])
        B = B.reshape(N, A, A)
        B = B - np.matmul(uwb * g[:, None, :], uwb.transpose(0, 2, 1))
        # ε w̄ v̄ᵀ term of K2
        B = B + np.matmul(np.matmul(uwb, Om * hs.eps), uwb.transpose(0, 2, 1))
        # teacher rejections: u·r_{e_c|w_p} = u_pc − w̄_pc (u_p·w̄_p), on the support
        ut_S = d.U[None] - Wbar_S * uwb_S[:, :, None]  # (N, s, C)
        B = B + self._delta_terms_bounded(d, ur_S, ut_S, hs, ht, Om, tw, A)
        return (B + B.transpose(0, 2, 1)) / 2

    def _hessian_form_float64(self, U: np.ndarray) -> np.ndarray:
        r"""float64 :meth:`hessian_form`: a few dense batched matrix products, no scatter.

        With ``x_{pα} = u_p·w̄_p`` and the rejections of the other rows and of
        the teacher's columns, ``ρ_{pqα} = u_p·r_{q|p}`` (a matrix product of the
        rejections ``r_{q|p}`` with the directions) and
        ``τ_{pcα} = u_{pc} − w̄_{pc} x_{pα}``,

        .. math::

            B = \sum_{p<q} e_{pq}\, G_{pq} G_{pq}^T
              − \sum_{p,c} d_{pc}\, τ_{pc} τ_{pc}^T
              + X^T M X + \sum_j c_j(W)\, Q_j(U),\qquad G_{pq} = ρ_{pq} + ρ_{qp},

        where ``e_{pq} = ½(Ω_{pq} + Ω_{qp}) δ_{pq}``: the ``δ``-terms of ``K_1``
        (``ρ_{pq}ρ_{pq}^T``, ``ρ_{qp}ρ_{qp}^T``) and of ``K_2`` (``ρ_{pq}ρ_{qp}^T`` and
        its transpose) of the two orders of a pair are one rank-one term.
        Using the symmetric part of ``Ω`` is exact: ``Ω`` is asymmetric only
        between the two generic probes ``g1, g2`` of a block, and swapping them
        (rows and columns) maps ``W`` and every direction to itself (generic
        indices are interchangeable), so both orders contribute alike.
        ``d_{pc} = ω_p t_c δ_{pc}`` (teacher), ``M = Ω∘ε − \mathrm{diag}(g)``, and
        ``Σ_j c_j Q_j`` collects every term that is a point-dependent coefficient
        times a point-independent product of ``U`` with itself (``½ω_p + g_p``
        times ``u_p·ũ_p``, ``Ω_pq β_pq`` times ``u_p·ũ_q``): one matrix product.
        The ``δ``-terms keep the rejections as factors (they are ``0·∞`` at
        nearly parallel rows); they are one product ``[eG, −dτ]ᵀ [G, τ]`` per
        point, formed for a few points at a time in reused buffers that stay
        in cache.  Symmetrised at the end.
        """
        N, P, C = self.W.shape
        A = U.shape[0]
        d = _direction_data(U, self.weights)
        h = self._hessian_float64
        # products per point (stacked), never across points: a point's result
        # does not depend on the batch it is in
        x = np.matmul(self.Wbar.reshape(N, 1, P * C), d.Uw_blockdiag).reshape(N, P, A)
        B = np.matmul(x.transpose(0, 2, 1), np.matmul(h.M, x))
        B += np.matmul(h.coef[:, None, :], d.products).reshape(N, A, A)
        # the δ-terms, a few points at a time
        PP, PC = P * P, P * C
        pq, qp = h.pairs
        X = pq.size + PC
        step = max(1, min(N, _FORM_BLOCK // (A * (PP + 2 * X) + PC * P)))
        rho_buf = np.empty((step, PP, A))
        right_buf = np.empty((step, X, A))
        left_buf = np.empty((step, A, X))
        out_buf = np.empty((step, A, A))
        wbar_buf = np.zeros((step, P, C, P))  # w̄_pc at [n, p, c, p], zero elsewhere
        wbar_diag = np.einsum("npcp->npc", wbar_buf)  # a writable view of those entries
        for lo in range(0, N, step):
            n = min(step, N - lo)
            hi = lo + n
            rho, right, left, out = rho_buf[:n], right_buf[:n], left_buf[:n], out_buf[:n]
            # ρ[n, p·P + q, α] = u_p·r_{q|p}; G_pq = ρ_pq + ρ_qp, and e G
            np.matmul(self.R[lo:hi], d.Uw_pca, out=rho.reshape(n, P, P, A))
            G = right[:, : pq.size]
            np.add(rho[:, pq], rho[:, qp], out=G)
            np.multiply(G.transpose(0, 2, 1), h.e[lo:hi, None, :], out=left[:, :, : pq.size])
            # τ[n, p·C + c, α] = u_pc − w̄_pc x_p, and −d τ
            tau = right[:, pq.size :]
            wbar_diag[:n] = self.Wbar[lo:hi]
            np.matmul(wbar_buf[:n].reshape(n, PC, P), x[lo:hi], out=tau)
            np.subtract(d.U_flat, tau, out=tau)
            np.multiply(tau.transpose(0, 2, 1), h.minus_d[lo:hi, None, :],
                        out=left[:, :, pq.size :])
            np.matmul(left, right, out=out)
            B[lo:hi] += out
        return (B + B.transpose(0, 2, 1)) / 2

    @functools.cached_property
    def _hessian_float64(self) -> _Float64HessianCoefficients:
        """Direction-independent coefficients of :meth:`_hessian_form_float64`."""
        w = self.weights
        N, P, C = self.W.shape
        hs = K.hessian_coefficients(self.gs)
        # teacher columns: γ = |w∧e_c|/(2π|w|²) and δ = 1/(2π|w∧e_c|) (0 where parallel)
        # straight from the wedge; their angles are not needed
        two_pi = 2.0 * np.pi
        wt = self.teacher_wedge
        gamma_t = wt / (two_pi * self.n2[:, :, None])
        delta_t = np.zeros(wt.shape)
        np.divide(1.0, two_pi * wt, out=delta_t, where=wt > 0.0)
        tw = w.row[:, None] * w.teacher[None, :]
        g = np.einsum("pq,npq->np", w.pair, hs.gamma) - np.einsum("pc,npc->np", tw, gamma_t)
        M = w.pair * hs.eps
        M[:, np.arange(P), np.arange(P)] -= g
        pq, qp, sym = _pair_plan(w)
        return _Float64HessianCoefficients(
            pairs=(pq, qp),
            e=sym * hs.delta.reshape(N, P * P)[:, pq],
            minus_d=-(tw * delta_t).reshape(N, P * C),
            M=M,
            coef=np.concatenate([w.row / 2 + g, (w.pair * hs.beta).reshape(N, P * P)], axis=1),
        )

    @functools.cached_property
    def _hessian_coefficients(self):
        """Point-dependent, direction-independent coefficients of the Hessian form.

        Kernel coefficients ``hs``, ``ht``; ``g_p = Σ_q Ω_pq γ_pq − Σ_c ω_p t_c γ_pc``
        (the ``I − w̄w̄ᵀ`` term); the coefficients of ``u_p·ũ_p`` (``½ω_p + g_p``) and
        of ``u_p·ũ_q`` (``Ω_pq β_pq``, the ``βI`` term of ``K_2``).  Shared by all
        direction stacks evaluated on this state (e.g. block by block).
        """
        w = self.weights
        N, P, _ = self.W.shape
        fast = self.arith.is_float64
        hs = K.hessian_coefficients(self.gs, delta=fast)
        ht = K.hessian_coefficients(self.gt, delta=fast)
        tw = w.row[:, None] * w.teacher[None, :]
        g = (w.pair * hs.gamma).sum(2) - (tw * ht.gamma).sum(2)  # (N, P)
        coef_same = w.row / 2 + g
        coef_pair = (w.pair * hs.beta).reshape(N, P * P)
        return hs, ht, g, coef_same, coef_pair

    def _delta_terms_bounded(self, d, ur_S, ut_S, hs, ht, Om, tw, A):
        """The ``δ``-terms term by term with ``small_term`` (Cauchy–Schwarz bounds)."""
        ar = self.arith
        N = self.W.shape[0]
        two_pi = 2 * ar.pi
        wedge, wedge_t = self.gs.wedge, self.gt.wedge
        unorm = ar.asqrt_nonneg((d.Uw * d.U).sum(-1))  # |u_p| on the support, (s,)
        B = ar.zeros((N, A, A))
        p = d.p
        # K1 and teacher: pairs (i, j) of support entries on the same row, and the
        # partners q (rows) and c (teacher columns) with a nonzero weight only
        I, J = d.same_row_pairs
        nz_pair = _nonzero_mask(Om)
        nz_teach = _nonzero_mask(tw)
        for mask, wdg, coef, weight, vals, sign in (
            (nz_pair, wedge, hs.gamma, Om, ur_S, 1),
            (nz_teach, wedge_t, ht.gamma, tw, ut_S, -1),
        ):
            m, q = np.nonzero(mask[p[I]])  # triples (I[m], J[m], q)
            if not m.size:
                continue
            i, j, pi = I[m], J[m], p[I[m]]
            cs = (unorm[i] * unorm[j])[None, :]
            num = vals[:, i, q] * vals[:, j, q]
            T = ar.asmall_term(wdg[:, pi, q], num, two_pi, coef[:, pi, q] * cs)
            np.add.at(B, (slice(None), d.a[i], d.a[j]), sign * T * weight[pi, q][None])
        # K2: pairs (i, j) on rows p ≠ q with a pair weight
        I, J = d.cross_row_pairs(Om)
        if I.size:
            pI, pJ = p[I], p[J]
            num = ur_S[:, I, pJ] * ur_S[:, J, pI]
            cs = (unorm[I] * unorm[J])[None, :]
            T = ar.asmall_term(wedge[:, pI, pJ], num, two_pi, hs.eps[:, pI, pJ] * cs)
            np.add.at(B, (slice(None), d.a[I], d.a[J]), T * Om[pI, pJ][None])
        return B

    @_in_context
    def gram(self, U: np.ndarray) -> np.ndarray:
        """``⟨U_α, U_β⟩`` (Frobenius inner product of the full matrices), shape (A, A)."""
        w = self.weights
        return np.einsum("p,apc,bpc->ab", w.row, U * w.col, U)


@dataclass(frozen=True, eq=False)
class _Float64HessianCoefficients:
    """Point-dependent, direction-independent arrays of the float64 Hessian form."""

    pairs: tuple[np.ndarray, np.ndarray]  # flat indices p·P + q and q·P + p of the pairs p < q
    e: np.ndarray  # (N, pairs): ½(Ω_pq + Ω_qp) δ_pq
    minus_d: np.ndarray  # (N, P·C): −ω_p t_c δ_pc
    M: np.ndarray  # (N, P, P): Ω∘ε − diag(g)
    coef: np.ndarray  # (N, P + P²): coefficients of u_p·ũ_p and u_p·ũ_q


@dataclass(frozen=True, eq=False)
class _DirectionData:
    """Point-independent data of a stack of directions ``U`` (A, P, C)."""

    a: np.ndarray  # (s,) direction of each support pair
    p: np.ndarray  # (s,) row of each support pair
    U: np.ndarray  # (s, C) the rows u_p on the support
    Uw: np.ndarray  # (s, C) weighted by the columns
    uu_same: np.ndarray  # (A, A, P) u_p·ũ_p
    uu_pair: np.ndarray  # (A, A, P, Q) u_p·ũ_q
    U_full: np.ndarray  # (A, P, C) the directions
    Uw_full: np.ndarray  # (A, P, C) weighted by the columns

    @functools.cached_property
    def Uw_blockdiag(self) -> np.ndarray:
        """``(P·C, P·A)``: weighted ``u_{pc}`` of direction ``α`` at ``[(p, c), (p, α)]``."""
        A, P, C = self.shape
        out = np.zeros((P, C, P, A))
        rows = np.arange(P)
        out[rows, :, rows, :] = self.Uw_full.transpose(1, 2, 0)
        return out.reshape(P * C, P * A)

    @functools.cached_property
    def gradient_matrix(self) -> np.ndarray:
        """``(2·P·C, A)``: ``a_c u_{pc}`` at rows ``(p, c)``, then ``−u_{pc}``."""
        return np.concatenate([self.Uw_flat, -self.U_flat])

    @functools.cached_property
    def Uw_flat(self) -> np.ndarray:
        """``(P·C, A)``: the weighted directions, ``a_c u_{pc}`` of ``α`` at ``[(p, c), α]``."""
        A, P, C = self.shape
        return np.ascontiguousarray(self.Uw_full.transpose(1, 2, 0).reshape(P * C, A))

    @functools.cached_property
    def U_flat(self) -> np.ndarray:
        """``(P·C, A)``: the directions, ``u_{pc}`` of ``α`` at ``[(p, c), α]``."""
        A, P, C = self.shape
        return np.ascontiguousarray(self.U_full.transpose(1, 2, 0).reshape(P * C, A))

    @functools.cached_property
    def Uw_pca(self) -> np.ndarray:
        """``(P, C, A)``: the column-weighted directions, direction index last."""
        return np.ascontiguousarray(self.Uw_full.transpose(1, 2, 0))

    @functools.cached_property
    def products(self) -> np.ndarray:
        """``(P + P², A·A)``: rows ``u_p·ũ_p`` (p), then ``u_p·ũ_q`` (p, q)."""
        A, P, C = self.shape
        return np.concatenate(
            [self.uu_same.reshape(A * A, P).T, self.uu_pair.reshape(A * A, P * P).T]
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.U_full.shape

    @functools.cached_property
    def same_nz(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nonzero entries of ``uu_same`` as (flat (α, β), row p, value)."""
        return _sparse(self.uu_same.reshape(self.uu_same.shape[0] ** 2, -1))

    @functools.cached_property
    def pair_nz(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nonzero entries of ``uu_pair`` as (flat (α, β), flat (p, q), value)."""
        return _sparse(self.uu_pair.reshape(self.uu_pair.shape[0] ** 2, -1))

    @functools.cached_property
    def same_row_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(i, j)`` of support entries on the same row."""
        i, j = np.nonzero(self.p[:, None] == self.p[None, :])
        return i, j

    def cross_row_pairs(self, pair_w) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(i, j)`` of support entries on rows ``p ≠ q`` with ``Ω_pq ≠ 0``."""
        i, j = np.nonzero(_nonzero_mask(pair_w)[self.p[:, None], self.p[None, :]])
        return i, j


def _sparse(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    i, j = np.nonzero(_nonzero_mask(X))
    return i, j, X[i, j]


def _nonzero_mask(weights) -> np.ndarray:
    """Boolean mask of the entries of a weight array that are not exactly zero."""
    own = getattr(weights, "nonzero_mask", None)
    if callable(own):  # interval arrays know their exact zeros
        return own()
    if weights.dtype != object:
        return weights != 0
    return np.array([not _is_exact_zero(x) for x in weights.ravel()], dtype=bool).reshape(
        weights.shape
    )


def _is_exact_zero(x) -> bool:
    """True for an exact zero (int/float 0, or a ball/number that is exactly 0)."""
    if isinstance(x, (int, float, np.integer, np.floating)):
        return x == 0
    is_exact = getattr(x, "is_exact", None)
    if callable(is_exact):  # arb ball
        return bool(is_exact() and x.is_zero())
    return bool(x == 0)


_DIRECTIONS: dict = {}
_PAIRS: dict = {}


def _pair_plan(w: LayoutWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered pairs ``p < q`` of rows with ``Ω_pq + Ω_qp ≠ 0`` (cached by identity).

    Returns the flat indices ``p·P + q`` and ``q·P + p`` and the weights
    ``½(Ω_pq + Ω_qp)``.
    """
    hit = _PAIRS.get(id(w))
    if hit is not None and hit[0] is w:
        return hit[1]
    P = w.pair.shape[0]
    sym = (w.pair + w.pair.T) / 2
    p, q = np.nonzero(np.triu(sym != 0, 1))
    out = (p * P + q, q * P + p, sym[p, q])
    if len(_PAIRS) > 256:
        _PAIRS.clear()
    _PAIRS[id(w)] = (w, out)
    return out



def _direction_data(U: np.ndarray, w: LayoutWeights) -> _DirectionData:
    """:class:`_DirectionData` of ``U`` under the column weights of ``w`` (cached by identity)."""
    key = (id(U), id(w))
    hit = _DIRECTIONS.get(key)
    if hit is not None and hit[0] is U and hit[1] is w:
        return hit[2]
    a, p = np.nonzero(np.any(_nonzero_mask(U), axis=2))
    Uw = U * w.col
    data = _DirectionData(
        a=a,
        p=p,
        U=U[a, p],
        Uw=Uw[a, p],
        uu_same=np.einsum("apc,bpc->abp", Uw, U),
        uu_pair=np.einsum("apc,bqc->abpq", Uw, U),
        U_full=U,
        Uw_full=Uw,
    )
    if len(_DIRECTIONS) > 256:
        _DIRECTIONS.clear()
    _DIRECTIONS[key] = (U, w, data)
    return data


@dataclass(frozen=True, eq=False)
class _SlotWeights:
    r"""The quadratic forms of the model written in the coordinates themselves.

    Row ``p`` of ``W`` has entry ``x_{s(p,c)}`` in column ``c`` (``s`` =
    ``layout.coord_index``), so with ``a`` the column weights

    .. math::

        |w_p|^2 = \sum_s A_{ps} x_s^2,\quad A_{ps} = \sum_{c: s(p,c)=s} a_c,\qquad
        w_p·w_q = \sum_{s,t} D_{pqst} x_s x_t,

    and ``|w_p|² − (w_p)_c² = Σ_s (A_{ps} − [s = s(p,c)]) x_s²``; Lagrange's identity
    ``|w_p ∧ w_q|² = Σ_{c<c'} a_c a_{c'} (x_{s(p,c)} x_{s(q,c')} − x_{s(p,c')} x_{s(q,c)})²``
    with the terms of equal minors merged (their weights summed; identically zero
    minors dropped).  Summing the
    weights first removes the cancellation between columns that share a
    coordinate (a weight ``size − 2 = −1`` of a block of size 1 cancels
    another column exactly); interval enclosures of these forms are then
    tight (``|w_p|²`` is a sum of squares with non-negative weights).
    """

    norm: object  # (P, S)
    minors: tuple  # (s1, s2, s3, s4) int arrays (T,): the minor x_s1 x_s4 − x_s2 x_s3
    minor_weights: object  # (R, T): |w_p ∧ w_q|² = Σ_t weight · minor_t², pairs p < q
    dot_same: object  # (P, P, S): D_pqss
    dot_cross: object  # (P, P, S, S): D_pqst, s ≠ t (0 on s = t)
    others: object  # (P, C, S)


_SLOTS: dict = {}


def _slot_weights(layout: Layout, weights: LayoutWeights, arith) -> _SlotWeights:
    key = (id(layout), id(weights), id(arith))
    hit = _SLOTS.get(key)
    if hit is not None and hit[0] is layout and hit[1] is weights:
        return hit[2]
    idx = layout.coord_index
    P, C = idx.shape
    S = int(idx.max()) + 1
    a = [weights.col[c] for c in range(C)]
    norm = np.empty((P, S), dtype=object)
    norm.fill(0)
    same = np.empty((P, P, S), dtype=object)
    same.fill(0)
    cross = np.empty((P, P, S, S), dtype=object)
    cross.fill(0)
    others = np.empty((P, C, S), dtype=object)
    for p in range(P):
        for c in range(C):
            norm[p, idx[p, c]] = norm[p, idx[p, c]] + a[c]
        for q in range(P):
            for c in range(C):
                s_, t_ = idx[p, c], idx[q, c]
                if s_ == t_:
                    same[p, q, s_] = same[p, q, s_] + a[c]
                else:
                    cross[p, q, s_, t_] = cross[p, q, s_, t_] + a[c]
        for c in range(C):
            for s_ in range(S):
                others[p, c, s_] = norm[p, s_] - (1 if s_ == idx[p, c] else 0)
    # Lagrange's identity per pair p < q, equal minors merged
    pp, qq = np.triu_indices(P, 1)
    keys: dict = {}
    entries = []
    for r, (p, q) in enumerate(zip(pp, qq)):
        for c in range(C):
            for c2 in range(c + 1, C):
                u = (idx[p, c], idx[q, c])
                v = (idx[p, c2], idx[q, c2])
                if u == v:
                    continue  # identical columns: the minor is 0
                if u > v:
                    u, v = v, u
                minor = (u[0], v[0], u[1], v[1])  # x_u0 x_v1 − x_v0 x_u1 = x_s1 x_s4 − x_s2 x_s3
                t = keys.setdefault(minor, len(keys))
                entries.append((r, t, a[c] * a[c2]))
    T = max(len(keys), 1)
    mw = np.empty((len(pp), T), dtype=object)
    mw.fill(0)
    for r, t, val in entries:
        mw[r, t] = mw[r, t] + val
    ks = list(keys) or [(0, 0, 0, 0)]
    minors = tuple(np.array([k[i] for k in ks], dtype=int) for i in range(4))
    out = _SlotWeights(
        minors=minors,
        minor_weights=arith.array(mw),
        norm=arith.array(norm),
        dot_same=arith.array(same),
        dot_cross=arith.array(cross),
        others=arith.array(others),
    )
    if len(_SLOTS) > 64:
        _SLOTS.clear()
    _SLOTS[key] = (layout, weights, out)
    return out


def _zero_row_error(
    layout: Layout, coords: np.ndarray, ok: np.ndarray, arith
) -> NotDifferentiableError:
    n, p = (int(i[0]) for i in np.nonzero(~ok))
    t, _lab = layout.rows[p]
    where = f"point {n} of the batch, " if coords.shape[0] > 1 else ""
    values = [arith.to_float(x) for x in coords[n]]
    may = "are zero" if arith.is_float64 else "may vanish"
    if p >= len(layout.student_rows):
        return NotDifferentiableError(
            f"the teacher rows of block {t + 1} {may} (coordinates of W then V: {values}): "
            "give a teacher without zero rows"
        )
    return NotDifferentiableError(
        f"the rows of block {t + 1} {may} at {where}coordinates {values}: the loss "
        "is not differentiable there (move the point off zero rows)"
    )


def compressed_state(
    layout: Layout,
    weights: LayoutWeights,
    k,
    coords,
    arith=FLOAT64,
    *,
    row_scale=None,
    zero_rows_ok: bool = False,
) -> CompressedState:
    """Evaluate the compressed model of ``W = Σ_o c_o E_o`` at a batch of points.

    Parameters
    ----------
    layout : Layout
    weights : LayoutWeights
        ``layout.float_weights(sizes, dsizes)`` for float64, or the weights in
        the back-end's numbers (:func:`~symbreak.reduced.generic.generic_weights`).
    k : float or number
    coords : ndarray, shape (N, dim)
        Finite coordinates (checked by the callers); an object array of the
        back-end's numbers for the other back-ends.
    arith : back-end, optional
        :mod:`symbreak.reduced.arithmetic` back-end (default float64).
    row_scale : array_like, shape (P,) or (N, P), optional
        A *blow-up chart*: the true rows are ``s_p w_p`` (``s_p ≥ 0``, a ball
        may contain 0).  Loss and gradient (with respect to the true
        coordinates) stay bounded as ``s_p → 0``; no Hessian.
    zero_rows_ok : bool
        Allow rows that may vanish (balls): only the loss is then available,
        every kernel value enclosed using ``0 ≤ κ(w, v) ≤ |w||v|/2``.

    Raises
    ------
    NotDifferentiableError
        If a row of ``W`` is (or, for balls, may be) zero at some point (the
        loss is not differentiable there); the message names the block and,
        for a batch, the index of the first such point.
    """
    fast = arith.is_float64
    coords = arith.coerce(coords)
    N, dim = coords.shape
    n_slots = layout.n_slots
    if n_slots > dim:
        coords_full = np.concatenate([coords, arith.zeros((N, n_slots - dim))], axis=1)
    else:
        coords_full = coords
    W = coords_full[:, layout.coord_index]
    col_w = weights.col
    slots = _slot_weights(layout, weights, arith) if arith.is_interval else None
    if slots is None:
        n2 = np.einsum("npc,c->np", arith.asquare(W), col_w)
    else:  # one weight per coordinate: no cancellation between columns (see _slot_weights)
        X2 = arith.asquare(coords_full)
        n2 = np.einsum("ns,ps->np", X2, slots.norm)
    ok = arith.apositive(n2)
    maybe_zero = not np.all(ok)
    if maybe_zero and not zero_rows_ok:
        raise _zero_row_error(layout, coords, ok, arith)
    norms = arith.asqrt_nonneg(n2) if maybe_zero else arith.asqrt(n2)
    Wbar = W / norms[:, :, None]
    # float64: per-point matrix products and two-operand einsums (three-operand
    # einsums are several times slower); every point is computed the same way
    # whatever the batch (no matrix product across points: results do not
    # depend on the batch size)
    if fast:
        dot = np.matmul(W * col_w, W.transpose(0, 2, 1))
        R = W[:, None, :, :] - np.einsum("npq,npc->npqc", dot / norms[:, :, None], Wbar)
    else:
        if slots is None:
            dot = np.einsum("npc,c,nqc->npq", W, col_w, W)
        else:
            dot = np.einsum("ns,pqs->npq", X2, slots.dot_same) + np.einsum(
                "ns,pqst,nt->npq", coords_full, slots.dot_cross, coords_full
            )
        R = W[:, None, :, :] - (dot / norms[:, :, None])[:, :, :, None] * Wbar[:, :, None, :]
    P, C = W.shape[1], W.shape[2]
    if fast:
        rej2 = np.einsum("npqc,c->npq", R * R, col_w)
        wedge = norms[:, :, None] * arith.asqrt_nonneg(rej2)
        off = layout.off_diagonal
    else:
        # Lagrange's identity: Σ_{c<c'} a_c a_c' (w_c v_c' − w_c' v_c)², a sum of squares,
        # for the pairs p < q (the wedge is symmetric, 0 on the diagonal)
        iu, ju = np.triu_indices(C, 1)
        pp, qq = np.triu_indices(P, 1)
        if slots is None:
            Wp, Wq = W[:, pp], W[:, qq]
            M = Wp[:, :, iu] * Wq[:, :, ju] - Wp[:, :, ju] * Wq[:, :, iu]
            wedge2 = np.einsum("nrm,m->nr", arith.asquare(M), col_w[iu] * col_w[ju])
        else:  # the distinct minors x_s1 x_s4 − x_s2 x_s3 once each, weights summed
            s1, s2, s3, s4 = slots.minors
            X = coords_full
            M = X[:, s1] * X[:, s4] - X[:, s2] * X[:, s3]
            wedge2 = np.einsum("nt,rt->nr", arith.asquare(M), slots.minor_weights)
        upper = arith.asqrt_nonneg(wedge2)
        wedge = arith.zeros((N, P, P))
        wedge[:, pp, qq] = upper
        wedge[:, qq, pp] = upper
        off = arith.array(1 - np.eye(C, dtype=int))
    wedge[:, np.arange(P), np.arange(P)] = 0
    nw2 = None if fast else n2[:, :, None]
    gs = K.geometry(norms[:, :, None], norms[:, None, :], dot, wedge, arith, nw2=nw2)
    # teacher e_c: |w|² − w_c² as Σ_{c'≠c} a_c' w_c'² + (a_c − 1) w_c² (no cancellation)
    if slots is None:
        W2 = arith.asquare(W)
        others = (W2 * col_w) @ off + (col_w - 1) * W2
    else:
        others = np.einsum("ns,pcs->npc", X2, slots.others)
    wt = arith.asqrt_nonneg(others)
    if row_scale is not None:  # (P,) for the whole batch or (N, P) per point
        row_scale = arith.coerce(row_scale)
        if row_scale.ndim == 1:
            row_scale = np.broadcast_to(row_scale, (N, row_scale.shape[0]))
    return CompressedState(
        layout=layout,
        k=float(k) if fast else k,
        weights=weights,
        W=W,
        n2=n2,
        norms=norms,
        Wbar=Wbar,
        R=R,
        gs=gs,
        teacher_wedge=wt,
        arith=arith,
        row_scale=row_scale,
        maybe_zero=bool(maybe_zero),
    )
