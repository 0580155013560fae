r"""Characters of ``S_n`` by the Murnaghan–Nakayama rule (exact integers, cached).

For ``λ, μ ⊢ n`` and any part ``r`` of ``μ``,

.. math::

    χ^λ(μ) = \sum_{ξ} (−1)^{\mathrm{ht}(ξ)}\, χ^{λ∖ξ}(μ ∖ r),

the sum over the rim hooks (border strips) ``ξ`` of ``λ`` with ``r`` cells,
``ht(ξ)`` = number of rows of ``ξ`` minus one, ``χ^∅(∅) = 1``.

Implementation: a partition with ``ℓ`` parts is stored as its *beta-set*
``{λ_i + ℓ − i}`` (an abacus), encoded as the bits of a Python int.  Removing
a rim hook of length ``r`` is moving one bead from position ``b`` to a free
position ``b − r``; its height is the number of beads strictly between.  The
recursion removes the largest part of ``μ`` first and is memoised on
``(beta-set, remaining cycle type)``.

A whole table uses the dual form of the rule, ``p_r s_ν = Σ_ξ (−1)^{ht(ξ)}
s_{ν+ξ}`` (add rim hooks; ``χ^λ(μ)`` is the coefficient of the Schur function
``s_λ`` in the power sum ``p_μ``): the columns are built by a depth-first walk
over the cycle types with parts in increasing order, so all classes sharing
their smaller parts share the work and nothing is cached globally
(``S_20``: 627 × 627 values in a fraction of a second).

References
----------
.. [1] B. E. Sagan, *The Symmetric Group*, 2nd ed., Springer 2001, §4.10.
.. [2] G. James, A. Kerber, *The Representation Theory of the Symmetric
   Group*, Addison-Wesley 1981, §2.4 (abacus).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .classes import ConjugacyClass, conjugacy_classes
from .partition import as_partition, partitions

__all__ = ["CharacterTable", "character", "character_table"]


def _beta_mask(lam: tuple[int, ...]) -> int:
    """Beta-set ``{λ_i + ℓ − 1 − i}`` (0-based ``i``) as a bit mask."""
    ell = len(lam)
    mask = 0
    for i, p in enumerate(lam):
        mask |= 1 << (p + ell - 1 - i)
    return mask


def _normalise(mask: int) -> int:
    """Drop beads at the bottom of the abacus (they encode zero parts)."""
    while mask & 1:
        mask >>= 1
    return mask


@lru_cache(maxsize=1 << 17)
def _mn(mask: int, mu: tuple[int, ...]) -> int:
    """``χ^λ(μ)`` with ``λ`` given by its (normalised) beta-set, ``μ`` non-increasing."""
    if not mu:
        return 1
    r = mu[0]
    rest = mu[1:]
    total = 0
    m = mask
    while m:
        top = m.bit_length() - 1
        m ^= 1 << top
        if top < r:
            break
        low = top - r
        if (mask >> low) & 1:
            continue
        between = (mask >> (low + 1)) & ((1 << (r - 1)) - 1)
        value = _mn(_normalise((mask ^ (1 << top)) | (1 << low)), rest)
        if value:
            total += -value if between.bit_count() & 1 else value
    return total


def character(lam, mu) -> int:
    r"""The character value ``χ^λ(μ)`` of the irrep ``λ`` of ``S_n`` on cycle type ``μ``.

    Parameters
    ----------
    lam : sequence of int
        A partition of ``n`` labelling the irrep (``(n,)`` trivial, ``(1,)*n`` sign).
    mu : sequence of int
        A cycle type (partition of ``n``) labelling the conjugacy class; the
        order of its parts does not matter.

    Returns
    -------
    int
        Exact value (Murnaghan–Nakayama rule, see the module docstring);
        ``character(lam, (1,)*n) == dimension(lam)``.

    Raises
    ------
    ValueError
        If ``lam`` and ``mu`` are not partitions of the same ``n``.

    Examples
    --------
    >>> character((2, 1), (1, 1, 1)), character((2, 1), (2, 1)), character((2, 1), (3,))
    (2, 0, -1)
    """
    lam = as_partition(lam, "lam")
    mu = _as_cycle_type(mu)
    if sum(lam) != sum(mu):
        raise ValueError(
            f"lam {lam} is a partition of {sum(lam)} but the cycle type {mu} is of {sum(mu)}; "
            "both must be partitions of the same n"
        )
    return _mn(_normalise(_beta_mask(lam)), mu)


def _as_cycle_type(mu) -> tuple[int, ...]:
    if isinstance(mu, (str, bytes)) or not hasattr(mu, "__iter__"):
        raise TypeError(f"cycle type must be a sequence of integers such as (2, 1), got {mu!r}")
    return as_partition(sorted(mu, reverse=True), "cycle type")


@dataclass(frozen=True, eq=False)
class CharacterTable:
    """The character table of ``S_n``.

    Attributes
    ----------
    n : int
    irreps : tuple of tuple of int
        Row labels: the partitions of ``n`` (:func:`~.partition.partitions` order).
    classes : tuple of ConjugacyClass
        Column labels, in the same partition order.
    values : numpy.ndarray
        ``values[i, j] = χ^{irreps[i]}(classes[j].cycle_type)``; ``int64``
        when every value fits, Python ints (``object``) otherwise.
    """

    n: int
    irreps: tuple[tuple[int, ...], ...]
    classes: tuple[ConjugacyClass, ...]
    values: np.ndarray

    def row(self, lam) -> np.ndarray:
        """The character ``χ^λ`` on all classes."""
        lam = as_partition(lam, "lam")
        try:
            return self.values[self.irreps.index(lam)]
        except ValueError:
            raise ValueError(f"{lam} is not a partition of n = {self.n}") from None


def character_table(n: int) -> CharacterTable:
    """The full character table of ``S_n`` (Murnaghan–Nakayama, exact).

    Rows are irreps and columns classes, both labelled by
    :func:`~.partition.partitions` in the same order.  See the module
    docstring for the algorithm (rim hooks are added, column by column).
    """
    classes = conjugacy_classes(n)
    n = classes[0].n  # validated int (S_0 has the one class of the empty cycle type)
    irreps = partitions(n)
    rows = _table_by_columns(n, irreps)
    biggest = max(abs(v) for row in rows for v in row)
    dtype = np.int64 if biggest < 2**62 else object
    values = np.array(rows, dtype=dtype)
    values.setflags(write=False)
    return CharacterTable(n=n, irreps=irreps, classes=classes, values=values)


def _add_rim_hooks(expansion: dict[int, int], r: int) -> dict[int, int]:
    """``p_r · Σ c_ν s_ν`` on beta-sets with a fixed number of beads (beads move up by r)."""
    out: dict[int, int] = {}
    low_bits = (1 << (r - 1)) - 1
    for mask, c in expansion.items():
        m = mask
        while m:
            bead = m & -m
            m ^= bead
            pos = bead.bit_length() - 1
            if (mask >> (pos + r)) & 1:
                continue
            new = mask ^ bead | (1 << (pos + r))
            between = (mask >> (pos + 1)) & low_bits
            out[new] = out.get(new, 0) + (-c if between.bit_count() & 1 else c)
    return {key: v for key, v in out.items() if v}


def _table_by_columns(n: int, irreps: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    if n == 0:
        return [[1]]
    row_of = {}
    for i, lam in enumerate(irreps):
        padded = lam + (0,) * (n - len(lam))
        row_of[sum(1 << (p + n - 1 - j) for j, p in enumerate(padded))] = i
    col_of = {mu: j for j, mu in enumerate(irreps)}
    rows = [[0] * len(irreps) for _ in irreps]
    # depth-first over cycle types written with non-decreasing parts
    stack = [({(1 << n) - 1: 1}, (), n)]
    while stack:
        expansion, used, remaining = stack.pop()
        last = used[-1] if used else 1
        for r in range(last, remaining + 1):
            rest = remaining - r
            if 0 < rest < r:
                continue
            new = _add_rim_hooks(expansion, r)
            if rest:
                stack.append((new, used + (r,), rest))
                continue
            j = col_of[tuple(sorted(used + (r,), reverse=True))]
            for mask, c in new.items():
                rows[row_of[mask]][j] = c
    return rows
