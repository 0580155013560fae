r"""The degree-1 arc-cosine kernel and its first and second derivatives.

This module is the only home of the kernel: the dense teacher--student model,
the reduced (symmetry-compressed) model and the certificates all call it.

Every function works on *Gram scalars* and broadcasts over arrays:

``nw = |w|``, ``nv = |v|``, ``dot = w·v`` and ``wedge = |w∧v|``.

Passing ``wedge`` separately (instead of recomputing it from the other three)
keeps parallel and nearly parallel pairs accurate: callers compute it as
``|w| · |v − (v·w̄) w̄|`` (the rejection), which is exact for identical vectors.

Formulas (Cho & Saul 2009; MATH.md §1), with ``θ = atan2(|w∧v|, w·v)``:

.. math::

    κ(w, v) = \frac{|w||v|}{2π} (\sin θ + (π − θ)\cos θ),\qquad
    ∂_w κ = \frac{|v|\sin θ\, \bar w + (π − θ) v}{2π},

    ∂^2_{ww} κ = \frac{|v|\sin θ}{2π|w|}(I − \bar w\bar w^T + n_{v|w}n_{v|w}^T),\qquad
    ∂^2_{wv} κ = \frac{(π − θ) I + \sin θ(\bar w\bar v^T + n_{v|w}n_{w|v}^T)}{2π},

with unit vectors ``n_{v|w} = (v̄ − cos θ w̄)/sin θ``.  Writing the rejections
``r_{v|w} = v − (v·w̄) w̄`` (norm ``|v| sin θ``), both ``n n^T`` terms become

.. math::

    \frac{|v|\sin θ}{2π|w|} n_{v|w}n_{v|w}^T = δ\, r_{v|w} r_{v|w}^T, \qquad
    \frac{\sin θ}{2π} n_{v|w} n_{w|v}^T = δ\, r_{v|w} r_{w|v}^T,\qquad
    δ = \frac{1}{2π |w||v| \sin θ},

and ``δ`` is set to 0 where ``sin θ = 0``: the kernel is C² there (parallel or
antiparallel rows) and these terms vanish in the limit.

**Arithmetic.**  Every function is written with ``+ − × /`` and ``atan2``/``π``
only, so it also runs on object arrays of ``mpmath``/``arb``/sympy numbers:
pass ``arith`` (a back-end of :mod:`symbreak.reduced.arithmetic`) to
:func:`geometry`; the result carries its ``π``.  For the ``δ`` coefficient
(``0/0`` at parallel rows) non-float back-ends use their ``small_term`` rule
instead (``hessian_coefficients(g, delta=False)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = [
    "KernelGeometry",
    "HessianCoefficients",
    "geometry",
    "kappa",
    "grad_coefficients",
    "hessian_coefficients",
    "pairwise_gram",
    "basis_gram",
]

TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class KernelGeometry:
    """Angles of a batch of pairs ``(w, v)``.

    Attributes
    ----------
    nw, nv : ndarray
        Norms ``|w|`` and ``|v|``.
    dot, wedge : ndarray
        ``w·v`` and ``|w∧v|``.
    theta : ndarray
        ``θ = atan2(|w∧v|, w·v)`` in ``[0, π]``.
    sin, cos : ndarray
        ``sin θ = |w∧v|/(|w||v|)`` and ``cos θ = w·v/(|w||v|)``, computed on
        first use (the gradient needs neither).
    pi : float or number
        ``π`` in the arithmetic of the arrays.
    nw2 : ndarray or None
        ``|w|²`` when known separately (balls: ``|w|²`` is tighter than
        ``|w|·|w|``, which contains 0 for a wide ball); used by ``α = γ``.
    """

    nw: np.ndarray
    nv: np.ndarray
    dot: np.ndarray
    wedge: np.ndarray
    theta: np.ndarray
    pi: object = np.pi
    nw2: np.ndarray | None = None

    @cached_property
    def sin(self) -> np.ndarray:
        return self.wedge / (self.nw * self.nv)

    @cached_property
    def cos(self) -> np.ndarray:
        return self.dot / (self.nw * self.nv)


def geometry(nw, nv, dot, wedge, arith=None, *, nw2=None) -> KernelGeometry:
    """Angles from Gram scalars.

    Parameters
    ----------
    nw, nv, dot, wedge : array_like
        ``|w|``, ``|v|``, ``w·v`` and ``|w∧v|`` (broadcast together).  The
        norms must be positive: the kernel is not differentiable at 0.
    arith : back-end, optional
        :mod:`symbreak.reduced.arithmetic` back-end of object arrays
        (default: float64).  ``wedge`` must then already be ``>= 0``.

    Returns
    -------
    KernelGeometry
    """
    fast = arith is None or arith.is_float64
    if fast:  # broadcasting happens in the arithmetic below (theta, sin, cos are full size)
        nw, nv, dot = (x if type(x) is np.ndarray else np.asarray(x, float) for x in (nw, nv, dot))
        wedge = np.maximum(wedge, 0.0)
        theta, pi = np.arctan2(wedge, dot), np.pi
    else:
        nw, nv, dot, wedge = arith.abroadcast(nw, nv, dot, wedge)
        theta, pi = arith.aatan2(wedge, dot), arith.pi
    dtype = float if fast else object
    if nw2 is not None:
        nw2 = np.broadcast_to(nw2 if not fast else np.asarray(nw2, dtype=dtype), nw.shape)
    return KernelGeometry(nw=nw, nv=nv, dot=dot, wedge=wedge, theta=theta, pi=pi, nw2=nw2)


def kappa(g: KernelGeometry) -> np.ndarray:
    r"""Arc-cosine kernel ``κ(w, v) = |w||v|(sin θ + (π − θ) cos θ)/(2π)``."""
    return (g.wedge + (g.pi - g.theta) * g.dot) / (2 * g.pi)


def grad_coefficients(g: KernelGeometry) -> tuple[np.ndarray, np.ndarray]:
    r"""Coefficients of ``∂κ/∂w = α w + β v``.

    Returns
    -------
    alpha, beta : ndarray
        ``α = |v| sin θ / (2π|w|)`` (the coefficient of ``w``, not ``w̄``) and
        ``β = (π − θ)/(2π)``.
    """
    two_pi = 2 * g.pi
    alpha = _gamma(g, two_pi)
    beta = (g.pi - g.theta) / two_pi
    return alpha, beta


def _gamma(g: KernelGeometry, two_pi):
    """``|v| sin θ/(2π|w|) = |w∧v|/(2π|w|²)`` (through ``|w|²`` when known)."""
    if g.nw2 is not None:
        return g.wedge / (two_pi * g.nw2)
    return g.nv * g.sin / (two_pi * g.nw)


@dataclass(frozen=True)
class HessianCoefficients:
    r"""Scalar coefficients of the two Hessian blocks of κ.

    .. math::

        ∂^2_{ww}κ = γ (I − \bar w \bar w^T) + δ\, r_{v|w} r_{v|w}^T,\qquad
        ∂^2_{wv}κ = β I + ε\, \bar w \bar v^T + δ\, r_{v|w} r_{w|v}^T

    with ``γ = |v| sin θ/(2π|w|)``, ``β = (π − θ)/(2π)``, ``ε = sin θ/(2π)``,
    ``δ = 1/(2π|w||v| sin θ)`` (0 where ``sin θ = 0``) and the rejections
    ``r_{v|w} = v − (v·w̄) w̄``.
    """

    gamma: np.ndarray
    beta: np.ndarray
    eps: np.ndarray
    delta: np.ndarray


def hessian_coefficients(g: KernelGeometry, *, delta: bool = True) -> HessianCoefficients:
    """Coefficients of ``∂²κ/∂w²`` and ``∂²κ/∂w∂v`` (see :class:`HessianCoefficients`).

    With ``delta=False`` the ``δ`` field is ``None`` (back-ends other than
    float64 evaluate the ``δ``-terms with their bounded ``small_term`` rule).
    """
    two_pi = 2 * g.pi
    gamma = _gamma(g, two_pi)
    beta = (g.pi - g.theta) / two_pi
    eps = g.sin / two_pi
    dlt = None
    if delta:  # 1/(2π|w||v| sin θ), 0 at sin θ = 0 (no division by zero, no errstate)
        den = two_pi * (g.nw * g.nv * g.sin)
        dlt = np.zeros(den.shape)
        np.divide(1.0, den, out=dlt, where=g.wedge > 0.0)
    return HessianCoefficients(gamma=gamma, beta=beta, eps=eps, delta=dlt)


def pairwise_gram(A: np.ndarray, B: np.ndarray) -> KernelGeometry:
    """Geometry of every pair of rows ``(a_i, b_j)`` of two matrices (or stacks of them).

    ``|a_i ∧ b_j|`` is computed as ``|a_i| · |b_j − (b_j·ā_i) ā_i|`` through
    ``|b_j|² − (b_j·ā_i)²`` evaluated as a sum of squares of the rejection,
    which is exact (zero) for parallel rows up to rounding of the rejection
    itself.

    Parameters
    ----------
    A : ndarray, shape (..., n, d)
    B : ndarray, shape (..., m, d)
        Rows must be non-zero (checked by the callers).  Leading (batch) axes
        broadcast: a stack of students ``A`` of shape ``(R, n, d)`` against one
        teacher ``B`` of shape ``(m, d)`` gives ``R`` independent geometries,
        each computed exactly as for a single pair of matrices.  When ``B is
        A`` the diagonal (a row against itself) is left to the caller, which
        knows it exactly.

    Returns
    -------
    KernelGeometry
        Arrays of shape (..., n, m).
    """
    na2 = np.einsum("...i,...i->...", A, A)
    nb2 = na2 if B is A else np.einsum("...i,...i->...", B, B)
    na, nb = np.sqrt(na2), np.sqrt(nb2)
    dot = A @ np.swapaxes(B, -1, -2)
    # |b_j − (b_j·ā_i) ā_i|² = |b_j|² − (b_j·ā_i)², computed stably through
    # the rejection for the near-parallel pairs only.
    proj = dot / na[..., :, None]
    scale = nb2[..., None, :]
    rej2 = scale - proj**2
    close = rej2 < 1e-6 * scale
    if A is B:  # a row against itself: callers set the diagonal exactly (wedge 0)
        np.einsum("...ii->...i", close)[...] = False
    if np.any(close):
        idx = np.nonzero(close)
        batch, ii, jj = idx[:-2], idx[-2], idx[-1]
        Bb = np.broadcast_to(B, close.shape[:-2] + B.shape[-2:])
        Ab = np.broadcast_to(A, close.shape[:-2] + A.shape[-2:])
        nab = np.broadcast_to(na, close.shape[:-1])
        Abar = Ab[(*batch, ii)] / nab[(*batch, ii)][:, None]
        R = Bb[(*batch, jj)] - proj[idx][:, None] * Abar
        rej2[idx] = np.einsum("pa,pa->p", R, R)
    wedge = na[..., :, None] * np.sqrt(np.maximum(rej2, 0.0))
    return geometry(na[..., :, None], nb[..., None, :], dot, wedge, nw2=na2[..., :, None])


def basis_gram(A: np.ndarray, m: int) -> KernelGeometry:
    """Geometry of every pair ``(a_i, e_j)``, ``j < m``: :func:`pairwise_gram` for ``B = [I_m 0]``.

    With unit rows the Gram scalars are read off ``A``: ``a_i·e_j = A_ij``,
    ``|e_j| = 1`` and ``|a_i ∧ e_j|² = Σ_{l≠j} A_il²`` (a sum of squares, so
    exact for parallel pairs).  It is evaluated as ``|a_i|² − A_ij²`` and,
    where that loses more than half the digits (``< 10⁻⁶ |a_i|²``, the
    near-parallel pairs of :func:`pairwise_gram`), as the sum itself.  This
    is the teacher ``V = I`` of every symmetric computation, without the
    product ``A Bᵀ`` and the rejections of the general case.

    Parameters
    ----------
    A : ndarray, shape (..., n, d)
        Non-zero rows (checked by the callers).
    m : int
        Number of basis vectors, ``m ≤ d``.

    Returns
    -------
    KernelGeometry
        Arrays of shape (..., n, m).
    """
    na2 = np.einsum("...i,...i->...", A, A)
    dot = A[..., :m]
    rest2 = na2[..., None] - dot * dot
    close = rest2 < 1e-6 * na2[..., None]
    if np.any(close):
        idx = np.nonzero(close)
        rows = np.array(A[idx[:-1]])  # (p, d): the row of each close pair
        rows[np.arange(rows.shape[0]), idx[-1]] = 0.0
        rest2[idx] = np.einsum("pa,pa->p", rows, rows)
    return geometry(np.sqrt(na2)[..., None], 1.0, dot, np.sqrt(np.maximum(rest2, 0.0)),
                    nw2=na2[..., None])
