r"""Conjugacy classes of ``S_n`` by cycle type.

Two permutations are conjugate in ``S_n`` iff they have the same cycle type, a
partition ``μ ⊢ n``.  Writing ``μ = (1^{a_1} 2^{a_2} …)`` (``a_i`` cycles of
length ``i``), the centraliser of an element of type ``μ`` has order

.. math::

    z_μ = \prod_i i^{a_i}\, a_i!,

so the class has ``|C_μ| = n!/z_μ`` elements, and the inner product of class
functions is ``⟨f, g⟩ = Σ_μ f(μ) g(μ) / z_μ`` (for real-valued ``f, g``).

No function here enumerates group elements.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .partition import as_partition, partitions

__all__ = [
    "ConjugacyClass",
    "centralizer_order",
    "class_inner_product",
    "class_size",
    "conjugacy_classes",
    "cycle_type",
]


@dataclass(frozen=True)
class ConjugacyClass:
    """The conjugacy class of ``S_n`` of a cycle type.

    Attributes
    ----------
    cycle_type : tuple of int
        A partition ``μ`` of ``n`` (cycle lengths, largest first).
    size : int
        ``|C_μ| = n!/z_μ``.
    centralizer_order : int
        ``z_μ = Π_i i^{a_i} a_i!``.
    """

    cycle_type: tuple[int, ...]
    size: int
    centralizer_order: int

    @property
    def n(self) -> int:
        """Degree of the symmetric group."""
        return sum(self.cycle_type)


def centralizer_order(mu) -> int:
    """``z_μ = Π_i i^{a_i} a_i!`` with ``a_i`` the number of parts equal to ``i``."""
    return _z(as_partition(mu, "cycle type"))


@lru_cache(maxsize=8192)
def _z(mu: tuple[int, ...]) -> int:
    out = 1
    for i, a in Counter(mu).items():
        out *= i**a * math.factorial(a)
    return out


def class_size(mu) -> int:
    """``|C_μ| = n!/z_μ``, the number of permutations of cycle type ``μ``."""
    mu = as_partition(mu, "cycle type")
    return math.factorial(sum(mu)) // _z(mu)


def conjugacy_classes(n: int) -> tuple[ConjugacyClass, ...]:
    """The classes of ``S_n``, in the order of :func:`~.partition.partitions` (identity first).

    Their sizes add up to ``n!``.
    """
    return _classes(_check_n(n))


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


@lru_cache(maxsize=64)
def _classes(n: int) -> tuple[ConjugacyClass, ...]:
    fact = math.factorial(n)
    return tuple(ConjugacyClass(mu, fact // _z(mu), _z(mu)) for mu in partitions(n))


def cycle_type(perm) -> tuple[int, ...]:
    """Cycle type of a permutation given as an array ``p`` with ``p[i]`` the image of ``i``.

    Raises
    ------
    ValueError
        If ``perm`` is not a permutation of ``range(len(perm))``.
    """
    p = np.asarray(perm)
    if p.ndim != 1 or not np.issubdtype(p.dtype, np.integer):
        raise ValueError(f"perm must be a 1-D integer array, got {perm!r}")
    n = p.size
    if not np.array_equal(np.sort(p), np.arange(n)):
        raise ValueError(f"perm must be a permutation of range({n}), got {p.tolist()}")
    seen = np.zeros(n, dtype=bool)
    lengths = []
    for start in range(n):
        if seen[start]:
            continue
        length = 0
        i = start
        while not seen[i]:
            seen[i] = True
            i = int(p[i])
            length += 1
        lengths.append(length)
    return tuple(sorted(lengths, reverse=True))


def class_inner_product(f, g, n: int) -> Fraction:
    r"""``⟨f, g⟩_{S_n} = Σ_μ f(μ) g(μ) / z_μ`` for real class functions (exact).

    Parameters
    ----------
    f, g : callable or sequence
        A function of the cycle type, or the values on the classes in the
        order of :func:`conjugacy_classes`.  Integer or ``Fraction`` values
        give an exact result.
    n : int

    Returns
    -------
    fractions.Fraction
        An integer (a multiplicity) when ``f`` and ``g`` are characters.
    """
    classes = conjugacy_classes(n)
    fv = _values(f, classes, "f")
    gv = _values(g, classes, "g")
    return sum(
        (Fraction(a) * Fraction(b) / c.centralizer_order for a, b, c in zip(fv, gv, classes)),
        Fraction(0),
    )


def _values(f, classes, name: str) -> list:
    if callable(f):
        return [f(c.cycle_type) for c in classes]
    vals = list(f)
    if len(vals) != len(classes):
        raise ValueError(
            f"{name} has {len(vals)} values but S_{classes[0].n} has {len(classes)} classes "
            "(give one value per class, in the order of conjugacy_classes(n))"
        )
    return vals
