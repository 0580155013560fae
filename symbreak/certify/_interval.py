r"""Interval linear algebra on ``arb`` balls: Krawczyk operator and eigenvalue enclosures.

Matrices are nested lists of ``arb`` balls; floating-point matrices (the
preconditioner ``Y``, approximate eigenvectors ``X``) enter exactly (floats are
dyadic), so every enclosure below holds for the exact real matrices inside the
balls.

Eigenvalues of a symmetric pencil
---------------------------------
For an interval pencil ``(B, G)`` (``G`` positive definite), take approximate
generalised eigenvectors ``X`` of the midpoints (``X^T G X ≈ I``) and enclose
``M = X^T B X`` and ``N = X^T G X``.  The pencil ``(M, N)`` has the
eigenvalues of ``(B, G)`` (congruence).  With

.. math::

    η ≥ \|N − I\|_F,\quad ρ ≥ \|M − \operatorname{diag}(d)\|_F,\quad
    d_i = \operatorname{mid} M_{ii},

Weyl's inequality gives ``μ_i(M) ∈ [d_{(i)} − ρ, d_{(i)} + ρ]`` (``d`` sorted),
and, if ``η < 1``, the Courant–Fischer characterisation of the pencil with
``x^T N x ∈ [(1 − η)|x|², (1 + η)|x|²]`` gives

.. math::

    λ_i ∈ [f(μ_i^-), g(μ_i^+)],\qquad
    f(q) = \frac{q}{1 + η}\ (q ≥ 0),\ \frac{q}{1 − η}\ (q < 0),\qquad
    g(q) = \frac{q}{1 − η}\ (q ≥ 0),\ \frac{q}{1 + η}\ (q < 0),

because ``f`` and ``g`` are increasing and bound the Rayleigh quotient
``x^T M x / x^T N x`` below and above in terms of ``x^T M x/|x|²``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

__all__ = [
    "Undecided",
    "mid_matrix",
    "pencil_eigenvalue_bounds",
    "krawczyk_box",
    "krawczyk_contains",
]


class Undecided(Exception):
    """Raised internally when an enclosure cannot decide; carries the explanation."""


def mid_matrix(A, M) -> np.ndarray:
    """Midpoints of a nested list of balls as a float array."""
    return np.array([[A.to_float(x) for x in row] for row in M], dtype=float)


def _exact(A, X: np.ndarray):
    return [[A.number(float(x)) for x in row] for row in X]


def _matmul(A, P, Q):
    n, m, r = len(P), len(Q), len(Q[0])
    return [
        [sum((P[i][l] * Q[l][j] for l in range(m)), A.number(0)) for j in range(r)]
        for i in range(n)
    ]


def _transpose(P):
    return [list(col) for col in zip(*P)]


def frobenius_upper(A, E) -> float:
    """A float ``>= ‖E‖_F`` for every matrix in the interval matrix ``E``."""
    s = A.number(0)
    for row in E:
        for x in row:
            m = x.abs_upper()
            s += m * m
    return A.upper(s.sqrt())


def pencil_eigenvalue_bounds(A, B, G) -> list[tuple[float, float]]:
    """Enclosures ``[lo_i, hi_i]`` of the eigenvalues of ``B x = λ G x``, increasing.

    Raises
    ------
    Undecided
        If the midpoint of ``G`` is not positive definite, or ``‖X^T G X − I‖``
        cannot be bounded below 1.
    """
    Bm, Gm = mid_matrix(A, B), mid_matrix(A, G)
    Bm = 0.5 * (Bm + Bm.T)
    Gm = 0.5 * (Gm + Gm.T)
    if not (np.all(np.isfinite(Bm)) and np.all(np.isfinite(Gm))):
        raise Undecided("the block's enclosure is unbounded")
    try:
        _lam, X = scipy.linalg.eigh(Bm, Gm)
    except np.linalg.LinAlgError:  # scipy's "not positive definite" (anything else is a bug)
        raise Undecided("the Gram matrix of the copy vectors is not positive definite") from None
    Xa = _exact(A, X)
    Xt = _transpose(Xa)
    M = _matmul(A, _matmul(A, Xt, B), Xa)
    N = _matmul(A, _matmul(A, Xt, G), Xa)
    n = len(M)
    one = A.number(1)
    eta = frobenius_upper(
        A, [[N[i][j] - (one if i == j else 0) for j in range(n)] for i in range(n)]
    )
    if not eta < 1.0:
        raise Undecided(f"‖X^T G X − I‖ ≤ {eta:.3g} is not below 1")
    d = [A.to_float(M[i][i]) for i in range(n)]
    rho = frobenius_upper(
        A, [[M[i][j] - (A.number(d[i]) if i == j else 0) for j in range(n)] for i in range(n)]
    )
    e = A.number(eta)
    out = []
    for di in sorted(d):
        q_lo = A.lower(A.number(di) - A.number(rho))
        q_hi = A.upper(A.number(di) + A.number(rho))
        lo = A.number(q_lo) / (1 + e) if q_lo >= 0 else A.number(q_lo) / (1 - e)
        hi = A.number(q_hi) / (1 - e) if q_hi >= 0 else A.number(q_hi) / (1 + e)
        out.append((A.lower(lo), A.upper(hi)))
    return out


def krawczyk_box(A, X, x_t, F_t, J_box, Y):
    r"""Krawczyk operator on a box of balls ``X`` with centre ``x̃ ∈ X`` (balls allowed).

    .. math::

        K(X) = x̃ − Y F(x̃) + (I − Y J(X))(X − x̃).

    Every zero of ``F`` in ``X`` lies in ``K(X)`` (for every ``x̃`` in the
    ball ``x_t``; ``x_t`` must lie in ``X``).

    Parameters
    ----------
    A : ArbArithmetic
    X : list of balls
        The box (balls covering it).
    x_t : list of balls
        ``x̃`` (exact points or small balls inside ``X``).
    F_t : list of balls
        An enclosure of ``F`` over ``x_t``.
    J_box : nested list of balls
        Enclosure of the Jacobian over ``X``.
    Y : ndarray
        Float preconditioner (``≈ J^{-1}``).

    Returns
    -------
    inside : bool
        ``K(X) ⊂ interior(X)``: then ``F`` has exactly one zero in ``X``.
    K : list of balls
    disjoint : bool
        ``K(X) ∩ X = ∅`` in some coordinate: ``F`` has no zero in ``X``.
    """
    n = len(X)
    Ya = _exact(A, Y)
    YF = [sum((Ya[i][j] * F_t[j] for j in range(n)), A.number(0)) for i in range(n)]
    YJ = _matmul(A, Ya, J_box)
    D = [X[j] - x_t[j] for j in range(n)]
    K = []
    for i in range(n):
        s = x_t[i] - YF[i]
        for j in range(n):
            coef = (1 if i == j else 0) - YJ[i][j]
            s += coef * D[j]
        K.append(s)
    inside = all(X[i].contains_interior(K[i]) for i in range(n))
    disjoint = any(K[i].is_finite() and not X[i].overlaps(K[i]) for i in range(n))
    return inside, K, disjoint


def krawczyk_contains(A, x_mid, radii, F_mid, J_box, Y):
    r"""Krawczyk operator on the box ``X = x̃ ± r`` (see :func:`krawczyk_box`).

    Parameters
    ----------
    A : ArbArithmetic
    x_mid : sequence of float
    radii : sequence of float
    F_mid : list of balls
        ``F(x̃)`` (an enclosure).
    J_box : nested list of balls
        Enclosure of the Jacobian over ``X``.
    Y : ndarray
        Float preconditioner (``≈ J(x̃)^{-1}``).

    Returns
    -------
    inside : bool
        ``K(X) ⊂ interior(X)``: then ``F`` has exactly one zero in ``X``, and it lies in ``K(X)``.
    K : list of balls
    X : list of balls
    """
    n = len(x_mid)
    X = [A.number(float(x_mid[i])) + A.ball(-float(radii[i]), float(radii[i])) for i in range(n)]
    xt = [A.number(float(x_mid[i])) for i in range(n)]
    inside, K, _disjoint = krawczyk_box(A, X, xt, F_mid, J_box, Y)
    return inside, K, X
