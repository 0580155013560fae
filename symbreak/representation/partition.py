r"""Integer partitions and the hook-length formula.

A partition ``λ = (λ_1 ≥ λ_2 ≥ … ≥ λ_ℓ > 0)`` of ``n = |λ| = Σ λ_i`` labels an
irreducible representation of the symmetric group ``S_n`` (``(n)`` the trivial
one, ``(1^n)`` the sign) and, as a cycle type, a conjugacy class of ``S_n``.
Partitions are plain tuples of Python ints, largest part first.

The dimension of the irrep ``λ`` is given by the hook-length formula

.. math::

    f^λ = \frac{n!}{\prod_{(i, j) ∈ λ} h(i, j)},\qquad
    h(i, j) = (λ_i − j) + (λ'_j − i) + 1,

with ``λ'`` the conjugate partition (cells ``(i, j)`` 1-based: arm ``λ_i − j``,
leg ``λ'_j − i``).  The first-row cells beyond the rows below have hooks
``λ_1 − j + 1``, so :func:`dimension` evaluates their product as a falling
factorial whose length is the number of cells below the first row: its cost
does not grow with ``λ_1`` (``dimension((10**6 - 2, 1, 1))`` is instant).

References
----------
.. [1] B. E. Sagan, *The Symmetric Group*, 2nd ed., Springer 2001, §2.8 and §3.10.
"""

from __future__ import annotations

import numbers
from functools import lru_cache

__all__ = ["as_partition", "conjugate", "dimension", "hook_lengths", "partitions"]


def as_partition(lam, name: str = "partition") -> tuple[int, ...]:
    """Validate ``lam`` and return it as a tuple of positive ints, largest first.

    Parameters
    ----------
    lam : sequence of int
        Non-increasing positive integers (trailing zeros are dropped).
    name : str
        Used in error messages.

    Raises
    ------
    TypeError
        If ``lam`` is not a sequence of integers.
    ValueError
        If the parts are negative or not non-increasing.
    """
    if isinstance(lam, (str, bytes)) or not hasattr(lam, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers such as (3, 1), got {lam!r}")
    parts = []
    for p in lam:
        if isinstance(p, bool) or not isinstance(p, numbers.Integral):
            if isinstance(p, numbers.Real) and float(p).is_integer():
                p = int(p)
            else:
                raise TypeError(f"{name} must contain integers, got {p!r} in {tuple(lam)!r}")
        parts.append(int(p))
    while parts and parts[-1] == 0:
        parts.pop()
    if any(p < 0 for p in parts):
        raise ValueError(f"{name} {tuple(parts)} has a negative part")
    if any(a < b for a, b in zip(parts, parts[1:])):
        fixed = tuple(sorted(parts, reverse=True))
        raise ValueError(f"{name} {tuple(parts)} must be non-increasing (write it as {fixed})")
    return tuple(parts)


def partitions(n: int) -> tuple[tuple[int, ...], ...]:
    """All partitions of ``n`` in reverse lexicographic order.

    ``partitions(4) == ((4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1))``; the
    trivial irrep comes first, the sign last.  ``partitions(0) == ((),)``.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return _partitions(int(n), int(n))


@lru_cache(maxsize=256)
def _partitions(n: int, largest: int) -> tuple[tuple[int, ...], ...]:
    if n == 0:
        return ((),)
    out = []
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            out.append((first,) + rest)
    return tuple(out)


def conjugate(lam) -> tuple[int, ...]:
    """The conjugate partition ``λ'`` (``λ'_j = #{i : λ_i > j}``, the column lengths)."""
    lam = as_partition(lam)
    if not lam:
        return ()
    return tuple(sum(1 for p in lam if p > j) for j in range(lam[0]))


def hook_lengths(lam) -> tuple[tuple[int, ...], ...]:
    """Hook lengths ``h(i, j) = (λ_i − j − 1) + (λ'_j − i − 1) + 1`` row by row (0-based cells).

    Forms every cell, so it costs ``O(|λ|)``; :func:`dimension` avoids that.
    """
    lam = as_partition(lam)
    lamc = conjugate(lam)
    return tuple(
        tuple(lam[i] - j + lamc[j] - i - 1 for j in range(lam[i])) for i in range(len(lam))
    )


def dimension(lam) -> int:
    r"""Dimension ``f^λ`` of the irrep ``λ`` of ``S_{|λ|}`` (hook-length formula).

    Parameters
    ----------
    lam : sequence of int
        A partition.

    Returns
    -------
    int
        ``f^λ = |λ|! / Π_{cells} h(i, j)`` (exact).

    Notes
    -----
    Write ``λ = (λ_1, ν)`` with ``ν ⊢ q`` the rows below the first.  First-row
    cells in columns ``j ≥ ν_1`` have hooks ``λ_1 − j``, whose product is
    ``(λ_1 − ν_1)!``; hence

    .. math::

        f^λ = \frac{|λ|!}{(λ_1 − ν_1)!}
              \Big/ \Big(\prod_{j < ν_1} (λ_1 − j + ν'_j)\ \prod_{c ∈ ν} h_ν(c)\Big),

    a falling factorial of ``q + ν_1`` terms: the cost is ``O(q)`` whatever
    ``λ_1``.

    Examples
    --------
    >>> dimension((3, 1)), dimension((2, 2)), dimension((5,)), dimension((1, 1, 1))
    (3, 2, 1, 1)
    """
    return _dimension(as_partition(lam))


@lru_cache(maxsize=4096)
def _dimension(lam: tuple[int, ...]) -> int:
    if not lam:
        return 1
    nu = lam[1:]
    q = sum(nu)
    n = lam[0] + q
    nu1 = nu[0] if nu else 0
    numer = 1
    for x in range(lam[0] - nu1 + 1, n + 1):  # n! / (λ_1 − ν_1)!
        numer *= x
    nuc = conjugate(nu)
    denom = 1
    for j in range(nu1):
        denom *= lam[0] - j + nuc[j]
    for row in hook_lengths(nu):
        for h in row:
            denom *= h
    value, rem = divmod(numer, denom)
    if rem:  # pragma: no cover - the hook-length formula always divides
        raise RuntimeError(f"hook-length formula did not divide for {lam}")
    return value
