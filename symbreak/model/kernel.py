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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "KernelGeometry",
    "HessianCoefficients",
    "geometry",
    "kappa",
    "grad_coefficients",
    "hessian_coefficients",
    "pairwise_gram",
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
        ``sin θ`` and ``cos θ``.
    """

    nw: np.ndarray
    nv: np.ndarray
    dot: np.ndarray
    wedge: np.ndarray
    theta: np.ndarray
    sin: np.ndarray
    cos: np.ndarray


def geometry(nw, nv, dot, wedge) -> KernelGeometry:
    """Angles from Gram scalars.

    Parameters
    ----------
    nw, nv, dot, wedge : array_like
        ``|w|``, ``|v|``, ``w·v`` and ``|w∧v|`` (broadcast together).  The
        norms must be positive: the kernel is not differentiable at 0.

    Returns
    -------
    KernelGeometry
    """
    nw, nv, dot, wedge = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (nw, nv, dot, wedge))
    )
    wedge = np.maximum(wedge, 0.0)
    theta = np.arctan2(wedge, dot)
    prod = nw * nv
    return KernelGeometry(
        nw=nw,
        nv=nv,
        dot=dot,
        wedge=wedge,
        theta=theta,
        sin=wedge / prod,
        cos=dot / prod,
    )


def kappa(g: KernelGeometry) -> np.ndarray:
    r"""Arc-cosine kernel ``κ(w, v) = |w||v|(sin θ + (π − θ) cos θ)/(2π)``."""
    return (g.wedge + (np.pi - g.theta) * g.dot) / TWO_PI


def grad_coefficients(g: KernelGeometry) -> tuple[np.ndarray, np.ndarray]:
    r"""Coefficients of ``∂κ/∂w = α w + β v``.

    Returns
    -------
    alpha, beta : ndarray
        ``α = |v| sin θ / (2π|w|)`` (the coefficient of ``w``, not ``w̄``) and
        ``β = (π − θ)/(2π)``.
    """
    alpha = g.nv * g.sin / (TWO_PI * g.nw)
    beta = (np.pi - g.theta) / TWO_PI
    return alpha, beta


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


def hessian_coefficients(g: KernelGeometry) -> HessianCoefficients:
    """Coefficients of ``∂²κ/∂w²`` and ``∂²κ/∂w∂v`` (see :class:`HessianCoefficients`)."""
    gamma = g.nv * g.sin / (TWO_PI * g.nw)
    beta = (np.pi - g.theta) / TWO_PI
    eps = g.sin / TWO_PI
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(g.wedge > 0.0, 1.0 / (TWO_PI * g.nw * g.nv * g.sin), 0.0)
    return HessianCoefficients(gamma=gamma, beta=beta, eps=eps, delta=delta)


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
    na = np.linalg.norm(A, axis=-1)
    nb = np.linalg.norm(B, axis=-1)
    dot = A @ np.swapaxes(B, -1, -2)
    Abar = A / na[..., :, None]
    # |b_j − (b_j·ā_i) ā_i|² = |b_j|² − (b_j·ā_i)², computed stably through
    # the rejection for the near-parallel pairs only.
    proj = dot / na[..., :, None]
    scale = nb[..., None, :] ** 2
    rej2 = scale - proj**2
    close = rej2 < 1e-6 * scale
    if A is B:  # a row against itself: callers set the diagonal exactly (wedge 0)
        np.einsum("...ii->...i", close)[...] = False
    if np.any(close):
        idx = np.nonzero(close)
        batch, ii, jj = idx[:-2], idx[-2], idx[-1]
        Bb = np.broadcast_to(B, close.shape[:-2] + B.shape[-2:])
        Ab = np.broadcast_to(Abar, close.shape[:-2] + A.shape[-2:])
        R = Bb[(*batch, jj)] - proj[idx][:, None] * Ab[(*batch, ii)]
        rej2[idx] = np.einsum("pa,pa->p", R, R)
    wedge = na[..., :, None] * np.sqrt(np.maximum(rej2, 0.0))
    return geometry(na[..., :, None], nb[..., None, :], dot, wedge)
