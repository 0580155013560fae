"""Small numerical utilities shared across modules."""

from __future__ import annotations

import numpy as np

__all__ = ["cluster_eigenvalues", "as_count", "merge_equal_values", "same_loss_and_spectrum"]


def cluster_eigenvalues(values, *, tol: float = 1e-8) -> list[tuple[float, int]]:
    """Group sorted eigenvalues whose consecutive gaps are below ``tol``.

    Parameters
    ----------
    values : array_like
        Real eigenvalues (any order).
    tol : float
        Absolute gap (scaled by ``max(1, |value|)``) below which neighbours are
        considered equal.

    Returns
    -------
    list of (value, multiplicity)
        The mean of each cluster and its size, in increasing order.
    """
    v = np.sort(np.asarray(values, dtype=float).ravel())
    if v.size == 0:
        return []
    out: list[tuple[float, int]] = []
    start = 0
    for i in range(1, v.size + 1):
        if i == v.size or v[i] - v[i - 1] > tol * max(1.0, abs(v[i])):
            out.append((float(v[start:i].mean()), i - start))
            start = i
    return out


def as_count(x):
    """A multiplicity or index: an ``int`` when within 1e-9 of one, else a ``float``.

    Multiplicities are exact integers at integer block sizes and values of
    their polynomials at real sizes.
    """
    x = float(x)
    return int(round(x)) if abs(x - round(x)) < 1e-9 else x


def merge_equal_values(pairs, *, tol: float = 1e-8) -> list[tuple[float, float]]:
    """``(value, multiplicity)`` pairs with equal values merged (multiplicities summed).

    Different isotypic blocks can share an eigenvalue; this gives the spectrum
    as a multiset, independent of how it was split into blocks.
    """
    out: list[tuple[float, float]] = []
    for v, m in sorted((float(v), float(m)) for v, m in pairs):
        if out and abs(v - out[-1][0]) <= tol * max(1.0, abs(v)):
            out[-1] = (out[-1][0], out[-1][1] + m)
        else:
            out.append((v, m))
    return out


def same_loss_and_spectrum(
    loss_a, pairs_a, loss_b, pairs_b, *, loss_tol: float = 1e-9, value_tol: float = 1e-6
) -> bool:
    """Equal loss and equal spectrum (values with multiplicities) within tolerances.

    Both are invariant under every symmetry of the problem, so points related by
    a symmetry pass; distinct critical points essentially never do.
    """
    if abs(float(loss_a) - float(loss_b)) > loss_tol * max(1.0, abs(float(loss_a))):
        return False
    a, b = merge_equal_values(pairs_a), merge_equal_values(pairs_b)
    return len(a) == len(b) and all(
        abs(x - y) <= value_tol * max(1.0, abs(x)) and abs(m - n) < 1e-6
        for (x, m), (y, n) in zip(a, b)
    )
