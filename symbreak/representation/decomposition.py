r"""Character-based isotypic decomposition of ``M(n, d)`` under a Young-type group.

This is the independent cross-check of the closed forms in
:mod:`~symbreak.representation.isotypic`: multiplicities come from character
inner products over conjugacy classes, never from group elements.

Let ``H = Π_t S_{m_t}`` (:class:`~.isotropy.IsotropyGroup`) and
``χ = ⊠_t χ^{λ_t}`` an irrep of ``H``.  ``M(n, d)`` is a permutation
representation; at ``g = (σ_t)`` its character is

.. math::

    χ_M(g) = \Big(\sum_{a ∈ \mathrm{rows}} \mathrm{fix}(σ_a)\Big)
             \Big(\sum_{b ∈ \mathrm{cols}} \mathrm{fix}(σ_b)\Big)
           = \sum_{a, b} \prod_t \mathrm{fix}(σ_t)^{e_t(a, b)},
    \qquad e_t(a, b) = [t = a] + [t = b],

so the inner product factorises over the factors:

.. math::

    ⟨χ_M, χ⟩_H = \sum_{a ∈ \mathrm{rows},\ b ∈ \mathrm{cols}}
                  \prod_t c_{e_t(a, b)}(λ_t),
    \qquad c_e(λ) = ⟨\mathrm{fix}^e, χ^λ⟩_{S_m}.

``c_e(λ)`` (:func:`fixed_point_power_multiplicity`) has two independent
evaluations:

``"classes"``
    ``Σ_{μ ⊢ m} fix(μ)^e χ^λ(μ) / z_μ`` with Murnaghan–Nakayama characters
    (cost grows with the number ``p(m)`` of classes; ``m ≤ 30``).
``"kostka"``
    ``fix^e`` is the character of ``(R^m)^{⊗e}``, the permutation module on
    ``e``-tuples; its ``S_m``-orbits are the set partitions of ``{1…e}`` into
    ``p ≤ m`` blocks, each orbit ``≅ S_m / S_{m−p}`` with permutation module
    ``M^{(m−p, 1^p)}``.  Young's rule (``[M^ν : χ^λ] = K_{λν}``) gives

    .. math::

        c_e(λ) = \sum_{p=0}^{\min(e, m)} S(e, p)\, K_{λ, (m−p, 1^p)},
        \qquad K_{λ, (m−p, 1^p)} = f^{λ / (m−p)},

    ``S(e, p)`` Stirling numbers of the second kind and ``f^{λ/(m−p)}`` the
    number of standard tableaux of the skew shape ``λ/(m−p)`` (``p`` cells;
    zero unless ``λ_1 ≥ m − p``).  The cost depends on ``e`` and the cells
    below the first row only, **not on m**: this is what evaluates
    ``Δ(S_{k−1}×S_1)`` at ``k = 10⁶``.

References
----------
.. [1] B. E. Sagan, *The Symmetric Group*, 2nd ed., Springer 2001, §2.11
   (Young's rule) and §1.9 (characters of products).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from .characters import character
from .classes import conjugacy_classes
from .isotropy import IsotropyGroup
from .partition import as_partition, dimension, partitions

__all__ = [
    "CharacterComponent",
    "character_decomposition",
    "character_multiplicity",
    "fixed_point_power_multiplicity",
    "skew_standard_tableaux",
]

_METHODS = ("auto", "classes", "kostka")
#: ``"auto"`` sums over classes up to this degree, and uses Young's rule above
_CLASS_SUM_MAX = 12
_CLASS_SUM_LIMIT = 30


@lru_cache(maxsize=64)
def _stirling2(e: int, p: int) -> int:
    if e == p:
        return 1
    if p == 0 or p > e:
        return 0
    return p * _stirling2(e - 1, p) + _stirling2(e - 1, p - 1)


def skew_standard_tableaux(outer, inner) -> int:
    """Number ``f^{λ/ν}`` of standard tableaux of the skew shape ``λ/ν``.

    Parameters
    ----------
    outer, inner : sequence of int
        Partitions with ``ν ⊆ λ`` (``ν_i ≤ λ_i``).

    Notes
    -----
    Recursion on the largest entry, which sits in a corner of ``λ`` outside
    ``ν``: ``f^{λ/ν} = Σ_c f^{(λ−c)/ν}``.  The cost depends on the number of
    cells of ``λ/ν`` (and their row structure), not on the row lengths.
    """
    lam = as_partition(outer, "outer")
    nu = as_partition(inner, "inner")
    if len(nu) > len(lam) or any(a < b for a, b in zip(lam, nu)):
        raise ValueError(f"inner shape {nu} is not contained in outer shape {lam}")
    return _skew(lam, nu + (0,) * (len(lam) - len(nu)))


@lru_cache(maxsize=4096)
def _skew(lam: tuple[int, ...], nu: tuple[int, ...]) -> int:
    if lam == nu:
        return 1
    total = 0
    ell = len(lam)
    for i in range(ell):
        if lam[i] > nu[i] and (i + 1 == ell or lam[i + 1] < lam[i]):
            smaller = lam[:i] + (lam[i] - 1,) + lam[i + 1 :]
            total += _skew(smaller, nu)
    return total


def fixed_point_power_multiplicity(lam, e: int, *, method: str = "auto") -> int:
    r"""``c_e(λ) = ⟨fix^e, χ^λ⟩_{S_m}``: multiplicity of ``χ^λ`` in ``(R^m)^{⊗e}``.

    Parameters
    ----------
    lam : sequence of int
        A partition of ``m``.
    e : int
        Power, ``0 ≤ e ≤ 8``.
    method : {"auto", "classes", "kostka"}
        Sum over conjugacy classes, Young's rule (cost independent of ``m``),
        or classes for ``m ≤ 12`` and Young's rule above (see the module
        docstring).

    Returns
    -------
    int

    Examples
    --------
    ``R^m ⊗ R^m = 2[m] ⊕ 3[m−1,1] ⊕ [m−2,2] ⊕ [m−2,1,1]``:

    >>> [fixed_point_power_multiplicity(lam, 2) for lam in [(6,), (5, 1), (4, 2), (4, 1, 1)]]
    [2, 3, 1, 1]
    """
    lam = as_partition(lam, "lam")
    if isinstance(e, bool) or not isinstance(e, numbers.Integral) or not 0 <= e <= 8:
        raise ValueError(f"e must be an integer in [0, 8], got {e!r}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    m = sum(lam)
    if method == "auto":
        method = "classes" if m <= _CLASS_SUM_MAX else "kostka"
    if method == "classes":
        if m > _CLASS_SUM_LIMIT:
            raise ValueError(
                f"the class sum over S_{m} is too large (p({m}) classes); use method='kostka'"
            )
        return _by_classes(lam, int(e))
    return _by_kostka(lam, int(e))


@lru_cache(maxsize=4096)
def _by_classes(lam: tuple[int, ...], e: int) -> int:
    m = sum(lam)
    total = Fraction(0)
    for c in conjugacy_classes(m):
        fix = c.cycle_type.count(1)
        if fix or e == 0:
            total += Fraction(fix**e * character(lam, c.cycle_type), c.centralizer_order)
    if total.denominator != 1:  # pragma: no cover - characters are orthonormal
        raise RuntimeError(f"non-integral multiplicity {total} for {lam}, e = {e}")
    return int(total)


@lru_cache(maxsize=4096)
def _by_kostka(lam: tuple[int, ...], e: int) -> int:
    m = sum(lam)
    if not lam:
        return 1 if e == 0 else 0
    total = 0
    for p in range(min(e, m) + 1):
        first = m - p
        if lam[0] < first:
            continue
        inner = (first,) + (0,) * (len(lam) - 1)
        total += _stirling2(e, p) * _skew(lam, inner)
    return total


@dataclass(frozen=True)
class CharacterComponent:
    """An irrep of ``H = Π_t S_{m_t}`` occurring in ``M(n, d)``.

    Attributes
    ----------
    partitions : tuple of tuple of int
        One partition ``λ_t ⊢ m_t`` per factor (``χ = ⊠_t χ^{λ_t}``).
    multiplicity : int
        ``⟨χ_M, χ⟩_H``.
    dimension : int
        ``Π_t f^{λ_t}`` (hook-length formula).
    """

    partitions: tuple[tuple[int, ...], ...]
    multiplicity: int
    dimension: int


def _integer_sizes(group: IsotropyGroup) -> tuple[int, ...]:
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if not group.is_integral:
        raise ValueError(
            f"the character-based decomposition needs integer block sizes, got {group.sizes}; "
            "for real sizes use isotypic_decomposition (closed forms)"
        )
    return tuple(int(round(s)) for s in group.sizes)


def character_multiplicity(group: IsotropyGroup, partitions, *, method: str = "auto") -> int:
    r"""Multiplicity ``⟨χ_M, ⊠_t χ^{λ_t}⟩_H`` of an irrep of ``H`` in ``M(n, d)``.

    Parameters
    ----------
    group : IsotropyGroup
        Integer block sizes.
    partitions : sequence of partitions
        One ``λ_t ⊢ m_t`` per factor of ``group``.
    method : {"auto", "classes", "kostka"}
        Passed to :func:`fixed_point_power_multiplicity`.

    Notes
    -----
    ``Σ_{a ∈ rows, b ∈ cols} Π_t c_{e_t(a,b)}(λ_t)`` (module docstring): cost
    ``O(#rows · #cols · #factors)`` plus the per-factor inner products.
    """
    sizes = _integer_sizes(group)
    lams = _check_partitions(partitions, sizes)
    c = [[fixed_point_power_multiplicity(lam, e, method=method) for e in range(3)] for lam in lams]
    total = 0
    for a in group.row_factors:
        for b in group.col_factors:
            term = 1
            for t in range(len(sizes)):
                term *= c[t][(t == a) + (t == b)]
                if not term:
                    break
            total += term
    return total


def _check_partitions(parts, sizes) -> tuple[tuple[int, ...], ...]:
    parts = tuple(parts)
    if len(parts) != len(sizes):
        raise ValueError(f"need one partition per factor ({len(sizes)}), got {len(parts)}")
    out = []
    for t, (lam, m) in enumerate(zip(parts, sizes)):
        lam = as_partition(lam, f"partitions[{t}]")
        if sum(lam) != m:
            raise ValueError(f"partitions[{t}] = {lam} must be a partition of the block size {m}")
        out.append(lam)
    return tuple(out)


def _shallow_partitions(m: int, depth: int) -> list[tuple[int, ...]]:
    """Partitions of ``m`` with at most ``depth`` cells below the first row."""
    out = []
    for q in range(min(depth, m) + 1):
        for nu in partitions(q):
            if not nu or nu[0] <= m - q:
                out.append((m - q,) + nu)
    return out


def character_decomposition(
    group: IsotropyGroup, *, method: str = "auto"
) -> tuple[CharacterComponent, ...]:
    r"""All irreps of ``H`` in ``M(n, d)`` with multiplicities, from characters.

    Parameters
    ----------
    group : IsotropyGroup
        Integer block sizes (any size: with ``method="kostka"`` or ``"auto"``
        the cost does not grow with the sizes).
    method : {"auto", "classes", "kostka"}

    Returns
    -------
    tuple of CharacterComponent
        Sorted by the number of non-trivial factors, then factor index, then
        partition.  ``Σ multiplicity × dimension = n·d``.

    Notes
    -----
    Candidates: for the term ``(a, b)`` a factor with ``e_t = 0`` must carry
    the trivial irrep (``c_0(λ) = δ_{λ,(m)}``) and one with ``e_t ≤ 2`` an irrep
    with at most ``e_t`` cells below the first row (``c_e(λ) = 0`` otherwise,
    since ``K_{λ,(m−p,1^p)} = 0`` when ``λ_1 < m − p``).  Every candidate's
    multiplicity is then computed by :func:`character_multiplicity`.
    """
    sizes = _integer_sizes(group)
    T = len(sizes)
    trivial = [(m,) for m in sizes]
    candidates = set()
    for a in group.row_factors:
        for b in group.col_factors:
            choices = []
            for t in range(T):
                e = (t == a) + (t == b)
                choices.append(_shallow_partitions(sizes[t], e) if e else [trivial[t]])
            stack = [()]
            for ch in choices:
                stack = [s + (lam,) for s in stack for lam in ch]
            candidates.update(stack)

    def order(parts):
        nz = [t for t in range(T) if parts[t] != trivial[t]]
        return (len(nz), nz, [tuple(-x for x in parts[t]) for t in nz])

    out = []
    for parts in sorted(candidates, key=order):
        mult = character_multiplicity(group, parts, method=method)
        if mult:
            dim = math.prod(dimension(lam) for lam in parts)
            out.append(CharacterComponent(parts, mult, dim))
    return tuple(out)
