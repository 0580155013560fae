r"""The manifold of fixed-rank matrices: tangent space, projections, Hessian.

At ``M = U Σ Vᵀ`` of rank exactly ``r`` (``U ∈ M(m, r)``, ``V ∈ M(n, r)``
orthonormal, ``U_⊥``, ``V_⊥`` orthonormal complements) the smooth stratum
``{rank = r}`` of ``M_r`` has tangent space

.. math:: T_M = \{U K Vᵀ + U_⊥ Y Vᵀ + U Zᵀ V_⊥ᵀ\},
          \qquad \dim T_M = r(m + n − r),

and normal space ``N_M = \{U_⊥ X V_⊥ᵀ\}``.  The three parts are orthogonal
and isometric in the coordinates ``(K, Y, Z)``, which gives an orthonormal
basis of ``T_M``.

For the curve ``c(t) = (UΣ + t(U_⊥Y + UK))(V + t V_⊥ZΣ^{−1})ᵀ`` with
``c'(0) = ξ`` the normal part of ``c''(0)`` is the second fundamental form
``II(ξ, ξ) = 2 U_⊥ Y Σ^{−1} Zᵀ V_⊥ᵀ``, so the Riemannian Hessian of ``ℓ``
restricted to the stratum is the quadratic form

.. math::

    \operatorname{Hess} ℓ(M)[ξ, ξ] = ⟨∇²ℓ(M) ξ, ξ⟩
        + 2 ⟨U_⊥ᵀ ∇ℓ(M) V_⊥,\; Y Σ^{−1} Zᵀ⟩.

References
----------
B. Vandereycken, Low-rank matrix completion by Riemannian optimization,
SIAM J. Optim. 23 (2013).  P.-A. Absil, R. Mahony, J. Trumpf, An extrinsic
look at the Riemannian Hessian, GSI 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_matrix, as_positive_int
from .losses import MatrixLoss

__all__ = ["FixedRankPoint", "riemannian_hessian"]


@dataclass(frozen=True)
class FixedRankPoint:
    r"""A point ``M`` of the rank-``r`` stratum with the frames of its tangent space.

    Build with :meth:`at`; ``M`` is truncated to its best rank-``r``
    approximation (it should already have rank ``r``; ``sigma[-1]`` tells).

    Attributes
    ----------
    U, sigma, V : ndarray
        ``M = U diag(sigma) Vᵀ``.
    U_perp, V_perp : ndarray
        Orthonormal complements.
    basis : ndarray, shape (m n, r(m + n − r))
        Orthonormal basis of ``T_M`` in row-major ``vec`` coordinates, in the
        order ``K`` (r×r), ``Y`` ((m−r)×r), ``Z`` ((n−r)×r), each row-major.
    """

    U: np.ndarray
    sigma: np.ndarray
    V: np.ndarray
    U_perp: np.ndarray
    V_perp: np.ndarray
    basis: np.ndarray

    @classmethod
    def at(cls, M, r: int) -> FixedRankPoint:
        """Frames at the rank-``r`` truncation of ``M``."""
        M = as_matrix(M, "M")
        r = as_positive_int(r, "r")
        m, n = M.shape
        if r > min(m, n):
            raise ValueError(f"r = {r} exceeds min(m, n) = {min(m, n)} for a {m}x{n} matrix")
        u, s, vt = np.linalg.svd(M)
        if s[r - 1] <= 0.0:
            raise ValueError(
                f"M has rank < {r}: it is a singular point of M_{r}, not on the rank-{r} manifold"
            )
        U, V = u[:, :r], vt[:r].T
        Up, Vp = u[:, r:], vt[r:].T
        z = np.kron(U, Vp).reshape(m * n, r, n - r).transpose(0, 2, 1).reshape(m * n, -1)
        basis = np.hstack([np.kron(U, V), np.kron(Up, V), z])
        return cls(U=U, sigma=s[:r].copy(), V=V, U_perp=Up, V_perp=Vp, basis=basis)

    @property
    def dimension(self) -> int:
        """``r(m + n − r)``."""
        return int(self.basis.shape[1])

    def normal_part(self, X) -> np.ndarray:
        """``U_⊥U_⊥ᵀ X V_⊥V_⊥ᵀ``, the orthogonal projection of ``X`` onto ``N_M``."""
        X = np.asarray(X, dtype=float)
        return self.U_perp @ (self.U_perp.T @ X @ self.V_perp) @ self.V_perp.T

    def tangent_part(self, X) -> np.ndarray:
        """``X − normal_part(X)``, the orthogonal projection onto ``T_M``."""
        X = np.asarray(X, dtype=float)
        return X - self.normal_part(X)


def riemannian_hessian(loss: MatrixLoss, M, r: int) -> np.ndarray:
    r"""Riemannian Hessian of ``ℓ`` on ``{rank = r}`` at ``M`` (basis of :class:`FixedRankPoint`).

    Parameters
    ----------
    loss : MatrixLoss
    M : array_like
        A matrix of rank ``r`` (truncated to rank ``r`` if not exactly).
    r : int

    Returns
    -------
    ndarray, shape (r(m + n − r), r(m + n − r))
        Symmetric matrix of the quadratic form in the module docstring.  When
        ``r = min(m, n)`` the stratum is open in ``M(m, n)`` and this is
        ``∇²ℓ(M)`` in an orthonormal basis.
    """
    if not isinstance(loss, MatrixLoss):
        raise TypeError(f"loss must be a MatrixLoss, got {type(loss).__name__}")
    P = FixedRankPoint.at(M, r)
    Mr = (P.U * P.sigma) @ P.V.T
    B = P.basis
    H = B.T @ loss.hessian(Mr) @ B
    N = P.U_perp.T @ loss.gradient(Mr) @ P.V_perp  # (m − r) × (n − r)
    m, n = Mr.shape
    y0 = r * r
    z0 = y0 + (m - r) * r
    # 2⟨N, Y Σ^{-1} Zᵀ⟩ = Σ_{a,b,k} 2 N_ab Y_ak Z_bk / σ_k; symmetric entries N_ab / σ_k
    for k in range(r):
        block = N / P.sigma[k]
        rows = y0 + np.arange(m - r) * r + k
        cols = z0 + np.arange(n - r) * r + k
        H[np.ix_(rows, cols)] += block
        H[np.ix_(cols, rows)] += block.T
    return 0.5 * (H + H.T)
