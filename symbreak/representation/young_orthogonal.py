r"""Explicit irreps of ``S_n``: Young's orthogonal form.

The irrep ``λ ⊢ n`` has an orthonormal basis ``v_T`` indexed by the standard
Young tableaux ``T`` of shape ``λ`` (entries ``0 … n−1``, increasing along rows
and down columns).  Let ``c_T(x) = column − row`` be the content of the cell
holding ``x`` and ``a = c_T(i+1) − c_T(i)`` the axial distance.  The adjacent
transposition ``s_i = (i, i+1)`` acts by

.. math::

    ρ(s_i) v_T = \frac{1}{a}\, v_T + \sqrt{1 − \frac{1}{a^2}}\; v_{s_i T},

where ``s_i T`` swaps the entries ``i, i+1`` (a standard tableau whenever
``|a| > 1``; for ``a = ±1`` the second term vanishes).  Every ``ρ(s_i)`` is a
symmetric orthogonal involution; they satisfy the Coxeter relations
``(s_i s_{i+1})^3 = 1`` and ``(s_i s_j)^2 = 1`` for ``|i − j| ≥ 2``, and
``tr ρ(σ) = χ^λ(σ)``.  ``ρ`` of an arbitrary permutation multiplies the
generators along a reduced word (bubble sort).

Limited to ``n ≤ 10`` (``f^λ ≤ 768``).

References
----------
.. [1] G. James, A. Kerber, *The Representation Theory of the Symmetric
   Group*, Addison-Wesley 1981, §3.4.
.. [2] A. Okounkov, A. Vershik, A new approach to representation theory of
   symmetric groups, Selecta Math. 2 (1996).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .partition import as_partition

__all__ = [
    "MAX_DEGREE",
    "YoungOrthogonalForm",
    "reduced_word",
    "standard_tableaux",
    "young_orthogonal_form",
]

#: largest ``n`` for which :func:`young_orthogonal_form` builds matrices
MAX_DEGREE = 10


def standard_tableaux(lam) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The standard Young tableaux of shape ``λ``.

    Each tableau is given by the cell ``(row, column)`` of each entry
    ``0 … n−1``.  The order is the *last-letter order*: tableaux are sorted
    by the row of ``n−1``, then of ``n−2``, …  (their number is ``f^λ``).
    """
    return _tableaux(as_partition(lam))


@lru_cache(maxsize=256)
def _tableaux(lam: tuple[int, ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not lam:
        return ((),)
    out = []
    for i in range(len(lam)):
        # the largest entry sits in a removable corner of row i
        if i + 1 < len(lam) and lam[i + 1] == lam[i]:
            continue
        smaller = list(lam)
        smaller[i] -= 1
        cell = (i, lam[i] - 1)
        for t in _tableaux(as_partition(smaller)):
            out.append(t + (cell,))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class YoungOrthogonalForm:
    """The irrep ``λ`` of ``S_n`` in Young's orthogonal form.

    Build it with :func:`young_orthogonal_form`.

    Attributes
    ----------
    partition : tuple of int
    tableaux : tuple
        The basis (see :func:`standard_tableaux`).
    diagonal : numpy.ndarray, shape (n−1, f)
        ``diagonal[i, T] = 1/a`` (``a`` the axial distance of ``i, i+1`` in ``T``).
    partner : numpy.ndarray of int, shape (n−1, f)
        Index of ``s_i T`` (``T`` itself when ``s_i T`` is not standard).
    off : numpy.ndarray, shape (n−1, f)
        ``sqrt(1 − 1/a²)``.
    """

    partition: tuple[int, ...]
    tableaux: tuple
    diagonal: np.ndarray
    partner: np.ndarray
    off: np.ndarray

    @property
    def n(self) -> int:
        return sum(self.partition)

    @property
    def dimension(self) -> int:
        """``f^λ``, the number of standard tableaux."""
        return len(self.tableaux)

    def generator(self, i: int) -> np.ndarray:
        """``ρ(s_i)`` for the adjacent transposition ``s_i = (i, i+1)``, ``0 ≤ i < n−1``."""
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < self.n - 1:
            raise ValueError(f"i must be an integer in [0, {self.n - 2}] for S_{self.n}, got {i!r}")
        return self._apply(i, np.eye(self.dimension))

    def _apply(self, i: int, M: np.ndarray) -> np.ndarray:
        """``ρ(s_i) @ M`` in ``O(f · columns)`` (two non-zeros per row)."""
        return self.diagonal[i][:, None] * M + self.off[i][:, None] * M[self.partner[i]]

    def matrix(self, perm) -> np.ndarray:
        """``ρ(σ)`` for a permutation given as an array with ``perm[x] = σ(x)``.

        ``ρ`` is a homomorphism for composition ``(στ)(x) = σ(τ(x))``:
        ``matrix(σ∘τ) = matrix(σ) @ matrix(τ)``.
        """
        word = reduced_word(perm, self.n)
        M = np.eye(self.dimension)
        for i in word:  # σ = s_{word[-1]} ⋯ s_{word[0]}: apply s_{word[0]} first
            M = self._apply(i, M)
        return M

    def character(self, perm) -> float:
        """``tr ρ(σ)``."""
        return float(np.trace(self.matrix(perm)))


def reduced_word(perm, n: int) -> list[int]:
    """Indices ``[i_1, …, i_L]`` with ``σ = s_{i_L} ⋯ s_{i_1}`` and ``L`` = inversions of ``σ``.

    Bubble sort: while ``σ`` has a descent ``σ(i) > σ(i+1)``, record ``i`` and
    replace ``σ`` by ``σ ∘ s_i`` (one inversion fewer).
    """
    p = np.asarray(perm)
    if p.shape != (n,) or not np.issubdtype(p.dtype, np.integer):
        raise ValueError(f"perm must be an integer array of length {n}, got {perm!r}")
    if not np.array_equal(np.sort(p), np.arange(n)):
        raise ValueError(f"perm must be a permutation of range({n}), got {p.tolist()}")
    p = [int(x) for x in p]
    word = []
    swapped = True
    while swapped:
        swapped = False
        for i in range(n - 1):
            if p[i] > p[i + 1]:
                p[i], p[i + 1] = p[i + 1], p[i]
                word.append(i)
                swapped = True
    return word


def young_orthogonal_form(lam) -> YoungOrthogonalForm:
    """Young's orthogonal form of the irrep ``λ`` (``|λ| ≤ 10``; cached).

    Raises
    ------
    ValueError
        If ``|λ| > 10`` (use :func:`~.characters.character` for characters of
        larger symmetric groups).
    """
    lam = as_partition(lam)
    if sum(lam) > MAX_DEGREE:
        raise ValueError(
            f"Young's orthogonal form is built for n <= {MAX_DEGREE} only, got n = {sum(lam)}; "
            "use character() for characters of larger symmetric groups"
        )
    return _build(lam)


@lru_cache(maxsize=64)
def _build(lam: tuple[int, ...]) -> YoungOrthogonalForm:
    tabs = _tableaux(lam)
    n = sum(lam)
    f = len(tabs)
    where = {t: idx for idx, t in enumerate(tabs)}
    diagonal = np.zeros((max(n - 1, 0), f))
    off = np.zeros((max(n - 1, 0), f))
    partner = np.tile(np.arange(f), (max(n - 1, 0), 1))
    for idx, t in enumerate(tabs):
        for i in range(n - 1):
            (r0, c0), (r1, c1) = t[i], t[i + 1]
            a = (c1 - r1) - (c0 - r0)
            diagonal[i, idx] = 1.0 / a
            if abs(a) > 1:
                swapped = t[:i] + (t[i + 1], t[i]) + t[i + 2 :]
                partner[i, idx] = where[swapped]
                off[i, idx] = np.sqrt(1.0 - 1.0 / a**2)
    for arr in (diagonal, off, partner):
        arr.setflags(write=False)
    return YoungOrthogonalForm(lam, tabs, diagonal, partner, off)
