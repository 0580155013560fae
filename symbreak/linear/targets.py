r"""Deterministic target matrices with prescribed singular values."""

from __future__ import annotations

import numpy as np

from .._validation import as_positive_int

__all__ = ["default_target"]


def _haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """Haar-distributed orthogonal matrix: QR of a Gaussian with ``diag(R) > 0``."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def default_target(shape, *, seed: int = 0) -> np.ndarray:
    r"""``Q = U diag(N, N−1, …, 1) Vᵀ`` of shape ``(m, n)``, ``N = min(m, n)``.

    ``U ∈ O(m)`` and ``V ∈ O(n)`` are Haar-random from
    ``numpy.random.default_rng(seed)`` (``U`` drawn first).  The singular
    values ``N, …, 1`` are distinct, so the Eckart–Young critical losses are
    the integers ``Σ_{i∉I} i²`` whatever the seed.
    """
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"shape must be a pair (m, n), got {shape!r}")
    m, n = as_positive_int(shape[0], "shape[0]"), as_positive_int(shape[1], "shape[1]")
    rng = np.random.default_rng(seed)
    U, V = _haar_orthogonal(rng, m), _haar_orthogonal(rng, n)
    N = min(m, n)
    return (U[:, :N] * np.arange(N, 0, -1.0)) @ V[:, :N].T
