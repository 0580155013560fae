r"""The loss on parameters ``L = ℓ ∘ μ`` with exact gradient and Hessian.

With ``A_i = W_h⋯W_{i+1}``, ``B_i = W_{i−1}⋯W_1`` and ``G = ∇ℓ(μ(θ))``:

.. math::

    ∇_{W_i} L = A_iᵀ G B_iᵀ,
    \qquad
    ∇²L = dμᵀ ∇²ℓ\, dμ + ⟨G, d²μ⟩,

where the second term has, for layers ``i < j`` with
``C = W_{j−1}⋯W_{i+1}``, the block
``∂²/∂(W_j)_{pq} ∂(W_i)_{st} ⟨G, μ⟩ = (A_jᵀ G B_iᵀ)_{pt} C_{qs}`` and zero
diagonal blocks (``μ`` is linear in each ``W_i``).
"""

from __future__ import annotations

import numpy as np

from .losses import MatrixLoss
from .network import LinearNetwork

__all__ = ["ParameterLoss"]


class ParameterLoss:
    """``L(θ) = ℓ(μ(θ))`` for a :class:`LinearNetwork` and a :class:`MatrixLoss`.

    Parameters
    ----------
    network : LinearNetwork
    loss : MatrixLoss
        Its ``shape`` must be ``network.shape = (d_h, d_0)``.

    Notes
    -----
    Methods take ``θ`` flat or as layer matrices and return flat vectors /
    ``(n_params, n_params)`` matrices in the order of
    :meth:`LinearNetwork.flatten`.
    """

    def __init__(self, network: LinearNetwork, loss: MatrixLoss):
        if not isinstance(network, LinearNetwork):
            raise TypeError(f"network must be a LinearNetwork, got {type(network).__name__}")
        if not isinstance(loss, MatrixLoss):
            raise TypeError(
                f"loss must be a MatrixLoss (e.g. QuadraticLoss(Q)), got {type(loss).__name__}"
            )
        if tuple(loss.shape) != network.shape:
            raise ValueError(
                f"the loss acts on {loss.shape[0]}x{loss.shape[1]} matrices but the network "
                f"with widths {network.widths} outputs {network.shape[0]}x{network.shape[1]} "
                "matrices (d_h x d_0)"
            )
        self.network = network
        self.loss = loss

    def __repr__(self) -> str:
        return f"ParameterLoss({self.network!r}, {self.loss!r})"

    def value(self, theta) -> float:
        """``L(θ) = ℓ(μ(θ))``."""
        return self.loss.value(self.network.matrix(theta))

    def gradient(self, theta) -> np.ndarray:
        """Flat ``∇L(θ)``: blocks ``A_iᵀ ∇ℓ(μ) B_iᵀ``."""
        net = self.network
        G = self.loss.gradient(net.matrix(theta))
        A, B = net.partial_products(theta)
        return np.concatenate([(a.T @ G @ b.T).ravel() for a, b in zip(A, B)])

    def hessian(self, theta) -> np.ndarray:
        """Dense ``∇²L(θ)``, shape ``(n_params, n_params)`` (formula in the module doc)."""
        net = self.network
        ws = net.weights(theta)
        M = net.matrix(ws)
        G = self.loss.gradient(M)
        J = net.differential(ws)
        H = J.T @ self.loss.hessian(M) @ J
        A, B = net.partial_products(ws)
        offsets = np.cumsum([0] + [a * b for a, b in net.layer_shapes])
        for j in range(net.depth):
            C = np.eye(net.widths[j])  # W_{j-1}⋯W_{i+1} for i = j − 1 (0-based layers)
            for i in range(j - 1, -1, -1):
                K = A[j].T @ G @ B[i].T  # (d_{j+1}, d_i) in 0-based widths
                block = np.einsum("pt,qs->pqst", K, C).reshape(
                    offsets[j + 1] - offsets[j], offsets[i + 1] - offsets[i]
                )
                H[offsets[j] : offsets[j + 1], offsets[i] : offsets[i + 1]] += block
                H[offsets[i] : offsets[i + 1], offsets[j] : offsets[j + 1]] += block.T
                C = C @ ws[i]
        return H
