r"""Dense closed-form loss, gradient, Hessian and Hessian–vector product.

The Gaussian-input teacher–student problem (MATH.md §1):

.. math::

    L(W) = \tfrac12 \sum_{i,i'} κ(w_i, w_{i'}) − \sum_{i,j} κ(w_i, v_j)
           + \tfrac12 \sum_{j,j'} κ(v_j, v_{j'}),

with ``W ∈ M(n, d)`` the student, ``V ∈ M(k, d)`` the teacher and κ the
arc-cosine kernel of :mod:`symbreak.model.kernel`.  This is the *dense* path:
it forms ``n×d`` and ``(n·d)×(n·d)`` arrays and is used for integer sizes and
to cross-check the symmetry-reduced (analytic) path.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_matrix, as_positive_int, check_nonzero_rows
from ..errors import DomainError
from . import kernel as K

__all__ = ["TeacherStudent", "gradient_stack", "loss_stack"]

# Extreme scales may overflow; the public methods then raise DomainError (a ValueError) instead.
_QUIET = {"over": "ignore", "divide": "ignore", "invalid": "ignore", "under": "ignore"}


def _self_geometry(W: np.ndarray) -> K.KernelGeometry:
    """Geometry of the pairs of rows of ``W`` (shape (..., n, d)); exact on the diagonal."""
    g = K.pairwise_gram(W, W)
    for M in (g.wedge, g.theta):  # exact: a row is parallel to itself (so sin θ = 0 too)
        np.einsum("...ii->...i", M)[...] = 0.0
    return g


def gradient_stack(W: np.ndarray, V: np.ndarray) -> np.ndarray:
    r"""``∇L`` for a stack of students at once (no validation, no rescaling).

    .. math::

        ∇_{w_i}L = \sum_{i'} (α_{ii'} w_i + β_{ii'} w_{i'}) − \sum_j (α_{ij} w_i + β_{ij} v_j)

    with ``∂_wκ(w, v) = α w + β v`` (:func:`~symbreak.model.kernel.grad_coefficients`);
    the self term ``∂_wκ(w_i, w_i) = ½ w_i`` supplies the ``½ w_i``.  This is
    the formula of :meth:`TeacherStudent.grad`, which calls it.

    Parameters
    ----------
    W : ndarray, shape (..., n, d)
        Students with non-zero rows (not checked: the caller's hot loop does).
    V : ndarray, shape (k, d)
        Teacher.

    Returns
    -------
    ndarray, shape (..., n, d)
        Each student's gradient, computed exactly as for that student alone.
    """
    a_s, b_s = K.grad_coefficients(_self_geometry(W))
    m = _unit_teacher(V)
    if m:  # V = [I_m 0]: the geometry is read off W, and b_t @ V pads b_t with zeros
        a_t, b_t = K.grad_coefficients(K.basis_gram(W, m))
        G = (a_s.sum(-1) - a_t.sum(-1))[..., None] * W + b_s @ W
        G[..., :m] -= b_t
        return G
    a_t, b_t = K.grad_coefficients(K.pairwise_gram(W, V))
    return (a_s.sum(-1) - a_t.sum(-1))[..., None] * W + b_s @ W - b_t @ V


def _unit_teacher(V: np.ndarray) -> int:
    """``m`` if ``V = [I_m 0]`` (the symmetric teacher), else 0."""
    m, d = V.shape
    if m > d or np.count_nonzero(V) != m:
        return 0
    return m if np.array_equal(V[:, :m], np.eye(m)) else 0


def loss_stack(W: np.ndarray, V: np.ndarray, teacher_energy: float | None = None) -> np.ndarray:
    r"""``L(W)`` for a stack of students (no validation, no rescaling).

    ``L = ½ Σ_{i,i'} κ(w_i, w_{i'}) − Σ_{i,j} κ(w_i, v_j) + ½ Σ_{j,j'} κ(v_j, v_{j'})``.

    Parameters
    ----------
    W : ndarray, shape (..., n, d)
    V : ndarray, shape (k, d)
    teacher_energy : float, optional
        ``½ Σ κ(v_j, v_{j'})`` if already known.

    Returns
    -------
    ndarray, shape (...)
    """
    if teacher_energy is None:
        teacher_energy = 0.5 * float(K.kappa(_self_geometry(V)).sum())
    return (
        0.5 * K.kappa(_self_geometry(W)).sum((-2, -1))
        - K.kappa(K.pairwise_gram(W, V)).sum((-2, -1))
        + teacher_energy
    )


def _exponent(A: np.ndarray) -> int:
    """``e`` with ``max|A| = f·2^e``, ``f ∈ [0.5, 1)`` (0 for a zero array)."""
    return int(np.frexp(np.max(np.abs(A)))[1])


def _check_rows(M: np.ndarray, Ms: np.ndarray, name: str, *, scale_of: str) -> None:
    """Zero rows of ``M`` are an error naming the row; so are rows of the rescaled
    ``Ms`` whose norm underflows (entries below ~1e-154 relative to the largest)."""
    check_nonzero_rows(np.any(M != 0.0, axis=1, keepdims=True).astype(float), name)
    tiny = np.flatnonzero(np.linalg.norm(Ms, axis=1) == 0.0)
    if tiny.size:
        i = int(tiny[0])
        raise DomainError(
            f"row {i} of {name} is more than ~1e150 times smaller than the largest entry "
            f"of {scale_of}, beyond double precision; rescale that row or remove the neuron"
        )


class TeacherStudent:
    r"""Two-layer ReLU student fitted to a ReLU teacher with Gaussian inputs.

    Parameters
    ----------
    V : array_like, shape (k, d)
        Teacher weights (rows ``v_j``, all non-zero).
    n : int, optional
        Student width (number of rows of ``W``); default ``k``.

    Notes
    -----
    ``f(x; W) = Σ_i σ(w_i·x)``, ``L(W) = ½ E[(f(x; W) − f(x; V))²]`` with
    ``x ~ N(0, I_d)``.  Gradient rows
    ``∇_{w_i}L = ½ w_i + Σ_{j≠i} ∂_wκ(w_i, w_j) − Σ_j ∂_wκ(w_i, v_j)``; the
    Hessian is returned for ``W`` flattened row-major (index ``i·d + a``).

    Parallel or antiparallel rows are legal (κ is C² there and the limits are
    returned).  Every method computes at a common power-of-two scale of ``W``
    and ``V`` (exact, using ``L(cW; cV) = c² L(W; V)``), so entries of any
    magnitude work as long as the results are representable.

    Raises
    ------
    ValueError
        A zero row of ``W`` or ``V`` (naming the row: ``L`` is not
        differentiable there), NaN or inf entries, a wrong shape (``W`` and
        ``U`` must be ``n × d``), ``n < 1``, or a result that overflows double
        precision.  Never a silent NaN.
    TypeError
        Input that is not a real matrix, or a non-integer ``n``.

    Examples
    --------
    >>> import numpy as np
    >>> from symbreak import TeacherStudent
    >>> model = TeacherStudent(np.eye(3))
    >>> float(model.loss(np.eye(3)))
    0.0
    >>> W = np.eye(3) + 0.1
    >>> model.grad(W).shape, model.hessian(W).shape, model.hvp(W, W).shape
    ((3, 3), (9, 9), (3, 3))
    """

    def __init__(self, V, n: int | None = None):
        V = as_matrix(V, "V")
        self._eV = _exponent(V)
        Vu = np.ldexp(V, -self._eV)  # exact rescaling: max |entry| in [0.5, 1)
        _check_rows(V, Vu, "V", scale_of="V")
        self.V = V.copy()
        self.V.flags.writeable = False  # the cached teacher energy depends on it
        self.k, self.d = V.shape
        self.n = self.k if n is None else as_positive_int(n, "n")
        # ½ Σ κ(v_j, v_j') at that scale; E(V) = 4^eV · E_unit
        gv = K.pairwise_gram(Vu, Vu)
        np.fill_diagonal(gv.wedge, 0.0)
        gv = K.geometry(gv.nw, gv.nv, gv.dot, gv.wedge)
        self._energy_unit = 0.5 * float(K.kappa(gv).sum())

    def __repr__(self) -> str:
        return f"TeacherStudent(k={self.k}, d={self.d}, n={self.n})"

    # ------------------------------------------------------------------ checks
    def _prepare(self, W) -> tuple[np.ndarray, np.ndarray, int]:
        """Validate ``W``; return ``W/2^e``, ``V/2^e`` and ``e``.

        ``L(cW; cV) = c² L(W; V)``, so the model computes at a common power-of-two
        scale (exact in floating point) where the largest entry lies in
        ``[0.5, 1)``; values far from 1 then neither overflow nor underflow.
        """
        W = as_matrix(W, "W", shape=(self.n, self.d))
        e = max(_exponent(W), self._eV)
        Ws, Vs = np.ldexp(W, -e), np.ldexp(self.V, -e)
        _check_rows(W, Ws, "W", scale_of="W and V")
        _check_rows(self.V, Vs, "V", scale_of="W and V")
        return Ws, Vs, e

    @staticmethod
    def _finite(what: str, *arrays) -> None:
        for a in arrays:
            if not np.all(np.isfinite(a)):
                raise DomainError(
                    f"{what} overflowed in double precision (rows of W and V whose norms "
                    "differ by a factor beyond ~1e150, or a result beyond ~1e308); "
                    "rescale W and V"
                )

    # ------------------------------------------------------------------- value
    def loss(self, W) -> float:
        """Loss ``L(W)`` (a float, ``>= 0``)."""
        W, V, e = self._prepare(W)
        with np.errstate(**_QUIET):  # overflow is reported below, as an error
            energy = np.ldexp(self._energy_unit, 2 * (self._eV - e))
            val = np.ldexp(loss_stack(W, V, energy), 2 * e)
        self._finite("the loss", val)
        return float(val)

    def grad(self, W) -> np.ndarray:
        r"""Gradient ``∇L(W)``, shape (n, d).

        Using ``∂_wκ(w, v) = α w + β v`` and that the self term
        ``∂_wκ(w_i, w_i) = ½ w_i`` supplies the ``½ w_i``:
        ``∇_{w_i}L = Σ_{i'} (α_{ii'} w_i + β_{ii'} w_{i'}) − Σ_j (α_{ij} w_i + β_{ij} v_j)``
        (:func:`gradient_stack`, here at a common power-of-two scale).
        """
        W, V, e = self._prepare(W)
        with np.errstate(**_QUIET):  # overflow is reported below, as an error
            g = np.ldexp(gradient_stack(W, V), e)
        self._finite("the gradient", g)
        return g

    # ----------------------------------------------------------------- Hessian
    def hessian(self, W, *, out: np.ndarray | None = None) -> np.ndarray:
        r"""Dense Hessian, shape ``(n·d, n·d)``, ``W`` flattened row-major.

        Diagonal blocks (``γ``, ``δ`` and the rejections ``r`` as in
        :class:`~symbreak.model.kernel.HessianCoefficients`)

        .. math::

            H_{ii} = \tfrac12 I + Γ_i (I − \bar w_i \bar w_i^T)
                     + \sum_{i'≠i} δ_{ii'} r_{i'|i} r_{i'|i}^T
                     − \sum_j δ^V_{ij} r_{v_j|i} r_{v_j|i}^T,
            \qquad Γ_i = \sum_{i'≠i} γ_{ii'} − \sum_j γ^V_{ij},

        and off-diagonal blocks ``H_{ii'} = ∂²_{wv}κ(w_i, w_{i'})``.  Writing
        ``r_{i'|i} = w_{i'} − P_{ii'} \bar w_i`` with ``P_{ii'} = w_{i'}·\bar w_i``,

        .. math::

            H_{ii'} = β_{ii'} I + w_{i'} G_{ii'}^T + \bar w_i F_{ii'}^T,\qquad
            G_{ii'} = δ_{ii'} r_{i|i'},\quad
            F_{ii'} = ε_{ii'} \bar w_{i'} − δ_{ii'} P_{ii'} r_{i|i'}.

        ``G`` and ``F`` stay bounded when rows are (nearly) parallel
        (``|G_{ii'}| = 1/(2π|w_{i'}|)`` although ``δ_{ii'} → ∞``), so no large
        terms cancel.

        Parameters
        ----------
        W : array_like, shape (n, d)
        out : ndarray, shape (n·d, n·d), optional
            C-contiguous float64 array to write the Hessian into (returned):
            reuse one buffer across calls instead of allocating ``8(n·d)²``
            bytes each time.

        Notes
        -----
        Assembled with array operations and no Python loop: every off-diagonal
        block is the product ``[w_{i'}\; \bar w_i]\,[G_{ii'}\; F_{ii'}]^T`` of a
        ``d×2`` and a ``2×d`` matrix, computed as one batched ``matmul`` written
        straight into the output (a single pass over the ``(n·d)²`` entries).
        Peak memory is the output plus ``O(n²d)``.
        """
        W, V, _ = self._prepare(W)  # ∇²L is homogeneous of degree 0
        with np.errstate(**_QUIET):  # overflow is reported below, as an error
            n, d = W.shape
            nd = n * d
            gs = _self_geometry(W)
            gt = K.pairwise_gram(W, V)
            hs, ht = K.hessian_coefficients(gs), K.hessian_coefficients(gt)
            Wbar = W / gs.nw[:, 0][:, None]
            Rs = self._rejections(Wbar, W)  # Rs[i, i'] = r_{i'|i}
            Rt = self._rejections(Wbar, V)  # Rt[i, j] = r_{v_j|i}
            beta, eps, delta = hs.beta.copy(), hs.eps.copy(), hs.delta.copy()
            for M in (beta, eps, delta):
                np.fill_diagonal(M, 0.0)
            DR = delta[:, :, None] * Rs  # DR[i, i'] = δ_{ii'} r_{i'|i}
            diag = self._diag_blocks(Wbar, hs, ht, DR, Rs, Rt)

            # Off-diagonal factors G[i, i'] = δ_{ii'} r_{i|i'} = DR[i', i] (δ symmetric)
            # and F[i, i'] = ε_{ii'} w̄_{i'} − P_{ii'} G[i, i'].
            G = DR.transpose(1, 0, 2)
            P = Wbar @ W.T  # P[i, i'] = w_{i'}·w̄_i
            F = eps[:, :, None] * Wbar[None, :, :] - P[:, :, None] * G
            self._finite("the Hessian", diag, G, F, beta)

            # Every block at once: H_{ii'} = [w_{i'}  w̄_i] @ [G_{ii'}; F_{ii'}]ᵀ, a batch
            # of (d×2)(2×d) products written straight into the output (one pass).
            X = np.empty((n, n, d, 2))
            X[:, :, :, 0] = W[None, :, :]
            X[:, :, :, 1] = Wbar[:, None, :]
            Y = np.empty((n, n, 2, d))
            Y[:, :, 0, :] = G
            Y[:, :, 1, :] = F
            H = _output_buffer(out, nd).reshape(n, d, n, d)
            np.matmul(X, Y, out=H.transpose(0, 2, 1, 3))
            Hdiag = np.einsum("iaja->iaj", H)  # writeable view of the entries a = b
            Hdiag += beta[:, None, :]  # β_{ii'} I
            idx = np.arange(n)
            H[idx, :, idx, :] = diag
        return H.reshape(nd, nd) if out is None else out

    @staticmethod
    def _diag_blocks(Wbar, hs, ht, DR, Rs, Rt) -> np.ndarray:
        """Diagonal blocks ``H_ii`` (shape (n, d, d)); ``DR[i, i'] = δ_{ii'} r_{i'|i}``."""
        gam = hs.gamma.sum(1) - ht.gamma.sum(1)
        D = DR.transpose(0, 2, 1) @ Rs
        D -= (ht.delta[:, :, None] * Rt).transpose(0, 2, 1) @ Rt
        D -= (gam[:, None] * Wbar)[:, :, None] * Wbar[:, None, :]
        np.einsum("iaa->ia", D)[...] += (gam + 0.5)[:, None]  # (Γ_i + ½) I
        return D

    @staticmethod
    def _rejections(Abar: np.ndarray, B: np.ndarray) -> np.ndarray:
        """``R[i, j] = b_j − (b_j·ā_i) ā_i`` (shape (n, m, d))."""
        P = Abar @ B.T
        return B[None, :, :] - P[:, :, None] * Abar[:, None, :]

    def hvp(self, W, U) -> np.ndarray:
        r"""Hessian–vector product ``∇²L(W)[U]``, shape (n, d), without the Hessian.

        Uses ``r_{j|i} = w_j − (w_j·w̄_i) w̄_i`` only through inner products, so
        the cost is a few ``n×n`` by ``n×d`` matrix products.
        """
        W, V, _ = self._prepare(W)  # ∇²L is homogeneous of degree 0
        U = as_matrix(U, "U", shape=(self.n, self.d))
        with np.errstate(**_QUIET):  # overflow is reported below, as an error
            eU = _exponent(U)  # linear in U: compute at a scale where max|U| is O(1)
            U = np.ldexp(U, -eU)
            gs = _self_geometry(W)
            gt = K.pairwise_gram(W, V)
            hs, ht = K.hessian_coefficients(gs), K.hessian_coefficients(gt)
            nw = gs.nw[:, 0]
            Wbar = W / nw[:, None]
            wu = np.einsum("ia,ia->i", Wbar, U)  # w̄_i·u_i
            out = 0.5 * U
            # diagonal blocks: γ (u − w̄(w̄·u)) + Σ_j δ_ij r_{j|i}(r_{j|i}·u_i)
            gam = hs.gamma.sum(1) - ht.gamma.sum(1)
            out = out + gam[:, None] * (U - Wbar * wu[:, None])
            for B, h, sign in ((W, hs, 1.0), (V, ht, -1.0)):
                P = Wbar @ B.T  # P[i, j] = b_j·w̄_i
                delta = h.delta.copy()
                if B is W:
                    np.fill_diagonal(delta, 0.0)
                q = U @ B.T - P * wu[:, None]  # q_ij = r_{j|i}·u_i
                c = delta * q
                out = out + sign * (c @ B - (c * P).sum(1)[:, None] * Wbar)
            # off-diagonal blocks: β u_j + ε w̄_i (w̄_j·u_j) + δ r_{j|i} (r_{i|j}·u_j)
            beta, eps, delta = hs.beta.copy(), hs.eps.copy(), hs.delta.copy()
            for M in (beta, eps, delta):
                np.fill_diagonal(M, 0.0)
            out = out + beta @ U + (eps @ wu)[:, None] * Wbar
            P = Wbar @ W.T  # P[i, j] = w_j·w̄_i
            # t[i, j] = r_{i|j}·u_j = w_i·u_j − (w_i·w̄_j)(w̄_j·u_j)
            t = W @ U.T - P.T * wu[None, :]
            c = delta * t
            out = np.ldexp(out + c @ W - (c * P).sum(1)[:, None] * Wbar, eU)
        self._finite("the Hessian-vector product", out)
        return out

    # ------------------------------------------------------- teacher derivative
    def grad_teacher_derivative(self, W, E) -> np.ndarray:
        r"""Derivative of the gradient in the teacher: ``∂_s ∇L(W; V + sE)`` at ``s = 0``.

        Only the teacher term ``−Σ_j κ(w_i, v_j)`` depends on ``V``, so

        .. math::

            ∂_s ∇_{w_i}L = −\sum_j ∂^2_{wv}κ(w_i, v_j)\, e_j
            = −\sum_j \bigl(β_{ij} e_j + ε_{ij} \bar w_i (\bar v_j·e_j)
              + δ_{ij} r_{v_j|w_i} (r_{w_i|v_j}·e_j)\bigr)

        with the coefficients of :class:`~symbreak.model.kernel.HessianCoefficients`
        (the mixed block ``∂²_{wv}κ = β I + ε \bar w\bar v^T + δ r_{v|w} r_{w|v}^T``).
        Used for ``W′ = −H^{-1} ∂_ε∇L`` along a perturbed teacher ``V + εE``.

        Parameters
        ----------
        W : array_like, shape (n, d)
        E : array_like, shape (k, d)
            Direction of the teacher perturbation.

        Returns
        -------
        ndarray, shape (n, d)
        """
        W, V, _ = self._prepare(W)  # ∂_V ∇L is homogeneous of degree 0
        E = as_matrix(E, "E", shape=(self.k, self.d))
        with np.errstate(**_QUIET):
            g = K.pairwise_gram(W, V)
            h = K.hessian_coefficients(g)
            Wbar = W / g.nw[:, :1]
            Vbar = V / g.nv[:1, :].T
            ve = np.einsum("ja,ja->j", Vbar, E)  # v̄_j·e_j
            P = Wbar @ V.T  # v_j·w̄_i
            q = W @ E.T - (W @ Vbar.T) * ve[None, :]  # r_{w_i|v_j}·e_j
            c = h.delta * q
            out = h.beta @ E + (h.eps @ ve)[:, None] * Wbar + c @ V - (c * P).sum(1)[:, None] * Wbar
        self._finite("the teacher derivative of the gradient", out)
        return -out

    # ------------------------------------------------------------ dead neurons
    def dead_neuron_derivative(self, W, U, *, order: int = 0):
        r"""One-sided derivative of ``L`` at a zero extra row, in directions ``u`` (MATH §5).

        Adding a row ``s·u`` (``s ≥ 0``) to ``W`` changes the loss by
        ``s·D⁺L[u] + O(s²)`` with

        .. math::

            D^+L[u] = E[(f_W − f_V)(x)\,σ(u·x)]
                    = \sum_i κ(w_i, u) − \sum_j κ(v_j, u),

        positively homogeneous of degree 1 in ``u`` (``L`` is not differentiable
        at the zero row; this is its directional derivative there).

        Parameters
        ----------
        W : array_like, shape (n, d)
            The student (rows non-zero).
        U : array_like, shape (m, d)
            Directions (rows non-zero; any norm).
        order : {0, 1, 2}
            Also return the gradient (``order ≥ 1``) and the Hessian
            (``order = 2``) of ``u ↦ D⁺L[u]``.

        Returns
        -------
        value : ndarray, shape (m,)
        grad : ndarray, shape (m, d)
            ``Σ_i ∂_uκ(u, w_i) − Σ_j ∂_uκ(u, v_j)`` (``order ≥ 1``).
        hess : ndarray, shape (m, d, d)
            ``Σ_i ∂²_{uu}κ(u, w_i) − Σ_j ∂²_{uu}κ(u, v_j)`` (``order = 2``).
        """
        if order not in (0, 1, 2):
            raise ValueError(f"order must be 0, 1 or 2, got {order!r}")
        W = as_matrix(W, "W", shape=(self.n, self.d))
        U = as_matrix(U, "U")
        if U.shape[1] != self.d:
            raise ValueError(f"U must have d = {self.d} columns, got shape {U.shape}")
        check_nonzero_rows(np.any(W != 0.0, axis=1, keepdims=True).astype(float), "W")
        check_nonzero_rows(np.any(U != 0.0, axis=1, keepdims=True).astype(float), "U")
        B = np.vstack([W, self.V])
        sign = np.concatenate([np.ones(self.n), -np.ones(self.k)])
        g = K.pairwise_gram(U, B)  # κ(u, b) = κ(b, u)
        value = K.kappa(g) @ sign
        if order == 0:
            return value
        alpha, beta = K.grad_coefficients(g)  # ∂_uκ(u, b) = α u + β b
        grad = (alpha @ sign)[:, None] * U + (beta * sign) @ B
        if order == 1:
            return value, grad
        h = K.hessian_coefficients(g)  # ∂²_{uu}κ = γ (I − ūūᵀ) + δ r rᵀ
        Ubar = U / g.nw[:, :1]
        R = self._rejections(Ubar, B)  # R[p, b] = r_{b|u_p}
        gam = h.gamma @ sign
        hess = np.einsum("pb,pba,pbc->pac", h.delta * sign, R, R)
        hess += gam[:, None, None] * (np.eye(self.d) - Ubar[:, :, None] * Ubar[:, None, :])
        return value, grad, hess


def _output_buffer(out, nd: int) -> np.ndarray:
    """A fresh ``(nd, nd)`` array, or ``out`` after checking it can hold the Hessian."""
    if out is None:
        return np.empty((nd, nd))
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array, got {type(out).__name__}")
    if out.shape != (nd, nd) or out.dtype != np.float64 or not out.flags.c_contiguous:
        raise ValueError(
            f"out must be a C-contiguous float64 array of shape ({nd}, {nd}), got "
            f"{out.dtype} {out.shape}{'' if out.flags.c_contiguous else ' (not C-contiguous)'}"
        )
    return out
