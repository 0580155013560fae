r"""The parameterisation map of a linear network, its differential and its fibres.

A linear network with widths ``(d_0, d_1, …, d_h)`` has parameters
``θ = (W_1, …, W_h)`` with ``W_i ∈ M(d_i, d_{i−1})`` and computes the matrix

.. math::

    μ(θ) = W_h W_{h−1} ⋯ W_1 ∈ M(d_h, d_0).

Its image is the determinantal variety ``M_r = {rank ≤ r}``, ``r = min_i d_i``
(MATH.md §6).  A flat parameter vector is the concatenation of the row-major
``W_1.ravel(), …, W_h.ravel()``; every method accepts either that vector or the
sequence of ``h`` matrices.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import as_positive_int

__all__ = ["LinearNetwork", "Fibre", "numerical_rank", "null_space_basis"]

#: default relative tolerance of every numerical rank in this package
RANK_TOL = 1e-8


def _rank_of(s: np.ndarray, tol: float) -> int:
    return int(np.count_nonzero(s > tol * max(1.0, float(s[0])))) if s.size else 0


def numerical_rank(A, *, tol: float = RANK_TOL) -> int:
    r"""Number of singular values ``σ_k > tol · max(1, σ_1)``.

    The floor ``max(1, σ_1)`` makes the test absolute for matrices of norm
    below one, so a product of round-off-sized factors has rank 0; the data are
    assumed to be scaled to order one.
    """
    A = np.asarray(A, dtype=float)
    return _rank_of(np.linalg.svd(A, compute_uv=False), tol) if A.size else 0


def null_space_basis(A, *, tol: float = RANK_TOL) -> np.ndarray:
    """Orthonormal basis (columns) of ``ker A``, with the rank of :func:`numerical_rank`."""
    A = np.asarray(A, dtype=float)
    _, s, vt = np.linalg.svd(A, full_matrices=True)
    return vt[_rank_of(s, tol) :].T.copy()


def _as_widths(widths) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(
            f"widths must be a sequence of positive integers like (4, 2, 3), got {widths!r}"
        )
    out = []
    for i, w in enumerate(widths):
        if isinstance(w, bool) or not isinstance(w, numbers.Real):
            raise TypeError(f"widths[{i}] must be a positive integer, got {w!r}")
        out.append(as_positive_int(w, f"widths[{i}]"))
    if len(out) < 2:
        raise ValueError(
            f"widths needs at least two entries (d_0, d_1) for one layer, got {tuple(out)}"
        )
    return tuple(out)


class LinearNetwork:
    r"""Linear network ``μ(θ) = W_h ⋯ W_1`` with widths ``(d_0, …, d_h)``.

    Parameters
    ----------
    widths : sequence of int
        ``(d_0, d_1, …, d_h)``, at least two positive integers; ``W_i`` has
        shape ``(d_i, d_{i−1})``.

    Attributes
    ----------
    widths : tuple of int
    depth : int
        ``h``, the number of layers.
    shape : tuple of int
        ``(d_h, d_0)``, the shape of ``μ(θ)``.
    r : int
        ``min_i d_i``, the largest rank ``μ`` can reach.
    filling : bool
        ``r == min(d_0, d_h)``: the functional space ``M_r`` is all of
        ``M(d_h, d_0)``.
    functional_dimension : int
        ``dim M_r = r (d_0 + d_h − r)``.
    n_params : int
        ``Σ_i d_i d_{i−1}``.

    Examples
    --------
    >>> net = LinearNetwork((4, 2, 3))
    >>> net.r, net.filling, net.functional_dimension, net.n_params
    (2, False, 10, 14)
    """

    def __init__(self, widths):
        self.widths = _as_widths(widths)
        self.depth = len(self.widths) - 1
        self.shape = (self.widths[-1], self.widths[0])
        self.r = min(self.widths)
        self.filling = self.r == min(self.shape)
        m, n = self.shape
        self.functional_dimension = self.r * (m + n - self.r)
        self.layer_shapes = tuple((self.widths[i + 1], self.widths[i]) for i in range(self.depth))
        self.n_params = sum(a * b for a, b in self.layer_shapes)

    def __repr__(self) -> str:
        return f"LinearNetwork(widths={self.widths})"

    # ---------------------------------------------------------------- theta
    def weights(self, theta) -> tuple[np.ndarray, ...]:
        """``θ`` as the tuple ``(W_1, …, W_h)`` (validated copies)."""
        if isinstance(theta, (list, tuple)) and len(theta) == self.depth and self.depth > 0:
            if all(np.ndim(w) == 2 for w in theta):
                out = []
                for i, (w, shp) in enumerate(zip(theta, self.layer_shapes)):
                    w = np.array(w, dtype=float)
                    if w.shape != shp:
                        raise ValueError(
                            f"W_{i + 1} must have shape {shp} = (d_{i + 1}, d_{i}), got {w.shape}"
                        )
                    out.append(w)
                return self._finite(tuple(out))
        try:
            flat = np.asarray(theta, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"theta must be a flat vector of {self.n_params} numbers or a sequence of "
                f"{self.depth} matrices with shapes {self.layer_shapes}: {exc}"
            ) from None
        if flat.ndim != 1 or flat.size != self.n_params:
            raise ValueError(
                f"theta must be a flat vector of length {self.n_params} or {self.depth} "
                f"matrices with shapes {self.layer_shapes}, got an array of shape {flat.shape}"
            )
        out, start = [], 0
        for a, b in self.layer_shapes:
            out.append(flat[start : start + a * b].reshape(a, b).copy())
            start += a * b
        return self._finite(tuple(out))

    @staticmethod
    def _finite(ws):
        for i, w in enumerate(ws):
            if not np.all(np.isfinite(w)):
                raise ValueError(f"W_{i + 1} contains NaN or inf")
        return ws

    def flatten(self, theta) -> np.ndarray:
        """``θ`` as one flat vector of length ``n_params`` (row-major per layer)."""
        return np.concatenate([w.ravel() for w in self.weights(theta)])

    def random_parameters(self, rng, *, scale: float = 1.0) -> np.ndarray:
        r"""Flat ``θ`` with independent entries ``(W_i)_{ab} ~ N(0, scale² / d_{i−1})``."""
        rng = np.random.default_rng(rng)
        return np.concatenate(
            [rng.normal(0.0, scale / np.sqrt(b), size=a * b) for a, b in self.layer_shapes]
        )

    # ------------------------------------------------------------- products
    def partial_products(self, theta) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""``(A, B)`` with ``A[i] = W_h ⋯ W_{i+2}`` and ``B[i] = W_i ⋯ W_1`` (0-based).

        So that ``μ(θ) = A[i] W_{i+1} B[i]`` for every layer index ``i``; empty
        products are identities.
        """
        ws = self.weights(theta)
        B = [np.eye(self.widths[0])]
        for w in ws[:-1]:
            B.append(w @ B[-1])
        A = [np.eye(self.widths[-1])]
        for w in ws[:0:-1]:
            A.append(A[-1] @ w)
        return A[::-1], B

    def matrix(self, theta) -> np.ndarray:
        """``μ(θ) = W_h ⋯ W_1``, shape ``(d_h, d_0)``."""
        ws = self.weights(theta)
        out = ws[0]
        for w in ws[1:]:
            out = w @ out
        return out

    def differential(self, theta) -> np.ndarray:
        r"""Jacobian of ``vec μ`` at ``θ``, shape ``(d_h d_0, n_params)``.

        ``dμ(θ)[Ẇ] = Σ_i W_h⋯W_{i+1} Ẇ_i W_{i−1}⋯W_1``; with row-major ``vec``,
        ``vec(A X B) = (A ⊗ Bᵀ) vec X``, so the block of layer ``i`` is
        ``A_i ⊗ B_iᵀ`` in the notation of :meth:`partial_products`.
        """
        A, B = self.partial_products(theta)
        return np.hstack([np.kron(a, b.T) for a, b in zip(A, B)])

    def differential_rank(self, theta, *, method: str = "flags", tol: float = RANK_TOL) -> int:
        r"""Rank of ``dμ(θ)``.

        Parameters
        ----------
        theta : array_like or sequence of matrices
        method : {"flags", "svd"}
            ``"svd"``: numerical rank of the dense Jacobian (cost
            ``O((d_h d_0)² n_params)``).  ``"flags"``: the closed form below,
            from ``2h`` small ranks.
        tol : float
            Relative tolerance of :func:`numerical_rank`.

        Notes
        -----
        The image of ``dμ(θ)`` is ``Σ_i U_i ⊗ V_i`` with ``U_i = col(W_h⋯W_{i+1})``
        and ``V_i = row(W_{i−1}⋯W_1)``.  These are flags,
        ``U_1 ⊆ ⋯ ⊆ U_h = R^{d_h}`` and ``R^{d_0} = V_1 ⊇ ⋯ ⊇ V_h``, so in bases
        adapted to both flags the sum is spanned by distinct basis tensors and

        .. math:: \operatorname{rank} dμ(θ) = Σ_{i=1}^{h} (u_i − u_{i−1})\, v_i,

        ``u_i = dim U_i`` (``u_0 = 0``), ``v_i = dim V_i``.
        """
        if method == "svd":
            return numerical_rank(self.differential(theta), tol=tol)
        if method != "flags":
            raise ValueError(f"method must be 'flags' or 'svd', got {method!r}")
        A, B = self.partial_products(theta)
        u = [0] + [numerical_rank(a, tol=tol) for a in A]
        v = [numerical_rank(b, tol=tol) for b in B]
        return int(sum((u[i + 1] - u[i]) * v[i] for i in range(self.depth)))

    def fibre(self, theta, *, tol: float = RANK_TOL) -> Fibre:
        r"""The fibre ``μ^{-1}(μ(θ))`` through ``θ`` (see :class:`Fibre`)."""
        flat = self.flatten(theta)
        kernel = null_space_basis(self.differential(flat), tol=tol)
        return Fibre(
            network=self,
            theta=flat,
            matrix=self.matrix(flat),
            kernel=kernel,
            differential_rank=self.n_params - kernel.shape[1],
        )


@dataclass(frozen=True)
class Fibre:
    r"""The fibre ``F = μ^{-1}(μ(θ))`` of the parameterisation through ``θ``.

    Attributes
    ----------
    network : LinearNetwork
    theta : ndarray
        The flat base point.
    matrix : ndarray
        ``μ(θ)``, constant on ``F``.
    kernel : ndarray, shape (n_params, k)
        Orthonormal basis of ``ker dμ(θ)``: it contains the tangent space of
        ``F`` at ``θ`` and equals it where ``dμ`` has locally constant rank
        (for instance where ``rank μ(θ) = r``).  These are the flat directions
        of ``L = ℓ∘μ``.
    differential_rank : int
        ``rank dμ(θ)``; ``kernel`` has ``n_params − differential_rank`` columns.

    Notes
    -----
    ``F`` contains the orbit of ``θ`` under
    ``GL(d_1) × ⋯ × GL(d_{h−1})`` acting by ``W_i ↦ G_i W_i G_{i−1}^{-1}``
    (``G_0 = I``, ``G_h = I``); :meth:`move` applies that action.
    """

    network: LinearNetwork
    theta: np.ndarray
    matrix: np.ndarray
    kernel: np.ndarray
    differential_rank: int

    @property
    def dimension(self) -> int:
        """``dim ker dμ(θ) = n_params − rank dμ(θ)``."""
        return int(self.kernel.shape[1])

    def move(self, G) -> np.ndarray:
        r"""The flat point ``(G_1 W_1, G_2 W_2 G_1^{-1}, …, W_h G_{h−1}^{-1})`` of ``F``.

        Parameters
        ----------
        G : sequence of ``h − 1`` invertible matrices, ``G_i`` of shape ``(d_i, d_i)``.
        """
        net = self.network
        if len(G) != net.depth - 1:
            raise ValueError(
                f"G needs one invertible matrix per hidden layer ({net.depth - 1}), got {len(G)}"
            )
        Gs = [np.eye(net.widths[0])]
        for i, g in enumerate(G, start=1):
            g = np.asarray(g, dtype=float)
            if g.shape != (net.widths[i], net.widths[i]):
                raise ValueError(
                    f"G_{i} must have shape ({net.widths[i]}, {net.widths[i]}), got {g.shape}"
                )
            if numerical_rank(g, tol=1e-12) < g.shape[0]:
                raise ValueError(f"G_{i} must be invertible")
            Gs.append(g)
        Gs.append(np.eye(net.widths[-1]))
        ws = net.weights(self.theta)
        moved = [Gs[i + 1] @ w @ np.linalg.inv(Gs[i]) for i, w in enumerate(ws)]
        return net.flatten(moved)

    def sample(self, rng, *, spread: float = 0.1) -> np.ndarray:
        """A random point of ``F``: :meth:`move` with ``G_i = I + spread · N(0, 1)``."""
        rng = np.random.default_rng(rng)
        G = [np.eye(d) + spread * rng.standard_normal((d, d)) for d in self.network.widths[1:-1]]
        return self.move(G)
