"""Small numerical utilities shared across modules."""

from __future__ import annotations

import numpy as np

__all__ = ["cluster_eigenvalues", "as_count"]


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
