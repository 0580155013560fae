r"""Smooth convex losses ``ℓ`` on matrices ``M ∈ M(m, n)``.

Each loss gives its value, gradient (a matrix of the same shape) and Hessian
(an ``(mn) × (mn)`` matrix acting on the row-major ``vec M``).  The
classification of critical points (:mod:`symbreak.linear.critical`) assumes
``ℓ`` is convex, as every built-in one is.

Built-ins:

=============================  ============================================
:class:`QuadraticLoss`         ``‖M − Q‖²_F``
:class:`DataLoss`              ``‖M X − Y‖²_F``
:class:`WeightedQuadraticLoss` ``Σ_ij Λ_ij (M_ij − Q_ij)²``
:class:`LogCoshLoss`           ``Σ_ij c² log cosh((M_ij − Q_ij)/c)``
:class:`PseudoHuberLoss`       ``Σ_ij δ² (√(1 + ((M_ij − Q_ij)/δ)²) − 1)``
:class:`CustomLoss`            user-supplied value, gradient and Hessian
=============================  ============================================
"""

from __future__ import annotations

import abc

import numpy as np

from .._validation import as_finite_real, as_matrix, as_positive_int

__all__ = [
    "MatrixLoss",
    "QuadraticLoss",
    "DataLoss",
    "WeightedQuadraticLoss",
    "LogCoshLoss",
    "PseudoHuberLoss",
    "CustomLoss",
]


def _positive(x, name: str) -> float:
    value = as_finite_real(x, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


class MatrixLoss(abc.ABC):
    """A twice-differentiable convex function ``ℓ`` on ``M(m, n)``.

    Subclasses set ``shape = (m, n)`` and implement :meth:`value`,
    :meth:`gradient` and :meth:`hessian`; public methods validate ``M``.
    """

    shape: tuple[int, int]

    def _check(self, M) -> np.ndarray:
        return as_matrix(M, "M", shape=self.shape)

    def value(self, M) -> float:
        """``ℓ(M)``."""
        return float(self._value(self._check(M)))

    def gradient(self, M) -> np.ndarray:
        """``∇ℓ(M)``, shape ``(m, n)``."""
        return self._gradient(self._check(M))

    def hessian(self, M) -> np.ndarray:
        """``∇²ℓ(M)``, shape ``(mn, mn)``, on the row-major ``vec M``."""
        return self._hessian(self._check(M))

    @abc.abstractmethod
    def _value(self, M: np.ndarray) -> float:
        """``ℓ(M)`` for a validated ``M``."""

    @abc.abstractmethod
    def _gradient(self, M: np.ndarray) -> np.ndarray:
        """``∇ℓ(M)`` for a validated ``M``."""

    @abc.abstractmethod
    def _hessian(self, M: np.ndarray) -> np.ndarray:
        """``∇²ℓ(M)`` for a validated ``M``."""


class _EntrywiseLoss(MatrixLoss):
    r"""``ℓ(M) = Σ_ij φ_ij(M_ij − Q_ij)``: diagonal Hessian ``diag(φ''_ij)``."""

    def __init__(self, target):
        self.target = as_matrix(target, "target")
        self.shape = self.target.shape

    @abc.abstractmethod
    def _phi(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(φ(x), φ'(x), φ''(x))`` entrywise."""

    def _value(self, M):
        return float(self._phi(M - self.target)[0].sum())

    def _gradient(self, M):
        return self._phi(M - self.target)[1]

    def _hessian(self, M):
        return np.diag(self._phi(M - self.target)[2].ravel())


class QuadraticLoss(_EntrywiseLoss):
    r"""``ℓ(M) = ‖M − Q‖²_F``; ``∇ℓ = 2(M − Q)``, ``∇²ℓ = 2I``.

    Parameters
    ----------
    target : array_like, shape (m, n)
        ``Q``.
    """

    def _phi(self, x):
        return x * x, 2.0 * x, np.full_like(x, 2.0)

    def whitened(self) -> tuple[np.ndarray, np.ndarray, float]:
        """``(Q, I, 0)``: the form ``ℓ(M) = ‖MS − Q̃‖²_F + c`` shared with :class:`DataLoss`."""
        return self.target.copy(), np.eye(self.shape[1]), 0.0

    def __repr__(self) -> str:
        return f"QuadraticLoss(shape={self.shape})"


class WeightedQuadraticLoss(_EntrywiseLoss):
    r"""``ℓ(M) = Σ_ij Λ_ij (M_ij − Q_ij)²`` with weights ``Λ_ij > 0``.

    The quadratic loss of the inner product ``⟨A, B⟩_Λ = Σ Λ_ij A_ij B_ij``;
    unlike ``Λ = 1`` it has no Eckart–Young theorem, and restricted to a
    non-filling ``M_r`` it can have non-global local minima.
    """

    def __init__(self, target, weights):
        super().__init__(target)
        self.weights = as_matrix(weights, "weights", shape=self.shape)
        if np.any(self.weights <= 0):
            raise ValueError(
                "weights must be strictly positive (a zero weight makes ℓ not strictly convex)"
            )

    def _phi(self, x):
        w = self.weights
        return w * x * x, 2.0 * w * x, 2.0 * w

    def __repr__(self) -> str:
        return f"WeightedQuadraticLoss(shape={self.shape})"


class LogCoshLoss(_EntrywiseLoss):
    r"""``ℓ(M) = Σ_ij c² log cosh((M_ij − Q_ij)/c)``, a smooth absolute loss.

    ``φ'(x) = c tanh(x/c)``, ``φ''(x) = sech²(x/c)``: quadratic (``x²/2``) for
    ``|x| ≪ c`` and ``c|x| − c² log 2`` for ``|x| ≫ c``.

    Parameters
    ----------
    target : array_like
        ``Q``.
    scale : float
        ``c > 0``.
    """

    def __init__(self, target, *, scale: float = 1.0):
        super().__init__(target)
        self.scale = _positive(scale, "scale")

    def _phi(self, x):
        c = self.scale
        y = np.abs(x) / c
        # log cosh y = y + log1p(e^{-2y}) − log 2, stable for large y
        val = c * c * (y + np.log1p(np.exp(-2.0 * y)) - np.log(2.0))
        t = np.tanh(x / c)
        return val, c * t, 1.0 - t * t

    def __repr__(self) -> str:
        return f"LogCoshLoss(shape={self.shape}, scale={self.scale})"


class PseudoHuberLoss(_EntrywiseLoss):
    r"""``ℓ(M) = Σ_ij δ² (√(1 + (x_ij/δ)²) − 1)``, ``x = M − Q`` (smooth Huber).

    ``φ'(x) = x / √(1 + (x/δ)²)``, ``φ''(x) = (1 + (x/δ)²)^{−3/2}``.
    """

    def __init__(self, target, *, delta: float = 1.0):
        super().__init__(target)
        self.delta = _positive(delta, "delta")

    def _phi(self, x):
        d = self.delta
        q = np.sqrt(1.0 + (x / d) ** 2)
        return d * d * (q - 1.0), x / q, q**-3

    def __repr__(self) -> str:
        return f"PseudoHuberLoss(shape={self.shape}, delta={self.delta})"


class DataLoss(MatrixLoss):
    r"""``ℓ(M) = ‖M X − Y‖²_F`` for data ``X ∈ M(n, N)``, ``Y ∈ M(m, N)``.

    ``∇ℓ = 2(MX − Y)Xᵀ`` and, on row-major ``vec``, ``∇²ℓ = 2 I_m ⊗ XXᵀ``.

    Notes
    -----
    If ``XXᵀ`` is invertible, with ``S = (XXᵀ)^{1/2}`` and ``Q̃ = Y Xᵀ S^{−1}``,

    .. math:: ‖MX − Y‖²_F = ‖MS − Q̃‖²_F + ‖Y‖²_F − ‖Q̃‖²_F,

    and ``M ↦ MS`` preserves rank, so the critical points on ``M_r`` are those
    of the quadratic loss with target ``Q̃`` mapped back by ``S^{−1}``
    (:meth:`whitened`, used by :func:`~symbreak.linear.eckart_young`).
    """

    def __init__(self, X, Y):
        self.X = as_matrix(X, "X")
        self.Y = as_matrix(Y, "Y", shape=(None, self.X.shape[1]))
        self.shape = (self.Y.shape[0], self.X.shape[0])
        self._xxt = self.X @ self.X.T

    def _value(self, M):
        R = M @ self.X - self.Y
        return float(np.sum(R * R))

    def _gradient(self, M):
        return 2.0 * (M @ self.X - self.Y) @ self.X.T

    def _hessian(self, M):
        return 2.0 * np.kron(np.eye(self.shape[0]), self._xxt)

    def whitened(self) -> tuple[np.ndarray, np.ndarray, float]:
        r"""``(Q̃, S, c)`` with ``ℓ(M) = ‖MS − Q̃‖²_F + c`` (see Notes).

        Raises ``ValueError`` when ``XXᵀ`` is singular (fewer independent
        samples than input features).
        """
        w, P = np.linalg.eigh(self._xxt)
        if w[0] <= 1e-12 * max(1.0, w[-1]):
            raise ValueError(
                "X Xᵀ is singular: the data loss has no Eckart–Young reduction; give X full "
                "row rank (at least as many independent samples as input features)"
            )
        S = (P * np.sqrt(w)) @ P.T
        S_inv = (P / np.sqrt(w)) @ P.T
        Qt = self.Y @ self.X.T @ S_inv
        return Qt, S, float(np.sum(self.Y**2) - np.sum(Qt**2))

    def __repr__(self) -> str:
        return f"DataLoss(shape={self.shape}, samples={self.X.shape[1]})"


class CustomLoss(MatrixLoss):
    r"""A user-supplied smooth convex ``ℓ`` given by three callables.

    Parameters
    ----------
    shape : (int, int)
        ``(m, n)``.
    value : callable ``M -> float``
    gradient : callable ``M -> (m, n) array``
    hessian : callable ``M -> (mn, mn) array``
        On the row-major ``vec M``.

    Notes
    -----
    Outputs are checked for shape and finiteness on every call; convexity is
    the caller's promise (the classification of minima relies on it).
    """

    def __init__(self, shape, *, value, gradient, hessian):
        if not isinstance(shape, (tuple, list)) or len(shape) != 2:
            raise TypeError(f"shape must be a pair (m, n), got {shape!r}")
        self.shape = (as_positive_int(shape[0], "shape[0]"), as_positive_int(shape[1], "shape[1]"))
        for name, f in (("value", value), ("gradient", gradient), ("hessian", hessian)):
            if not callable(f):
                raise TypeError(f"{name} must be callable, got {type(f).__name__}")
        self._f, self._g, self._h = value, gradient, hessian

    def _value(self, M):
        v = self._f(M)
        return as_finite_real(float(np.asarray(v, dtype=float)), "value(M)")

    def _gradient(self, M):
        return as_matrix(self._g(M), "gradient(M)", shape=self.shape)

    def _hessian(self, M):
        k = self.shape[0] * self.shape[1]
        return as_matrix(self._h(M), "hessian(M)", shape=(k, k))

    def __repr__(self) -> str:
        return f"CustomLoss(shape={self.shape})"
