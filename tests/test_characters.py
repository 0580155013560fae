"""Characters (Murnaghan–Nakayama) and conjugacy classes of S_n.

Expected values: a brute force with permutation matrices (n ≤ 6), the
orthogonality relations, textbook tables, and algebraic identities.
"""

import itertools
import math
import time
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak.representation import (
    character,
    character_table,
    class_inner_product,
    class_size,
    conjugacy_classes,
    conjugate,
    cycle_type,
    dimension,
    partitions,
)
from symbreak.representation.classes import centralizer_order

# ---------------------------------------------------------------------------
# brute force: permutation characters of Young subgroups + Jacobi–Trudi


def element_of_type(mu):
    """A permutation (array) with cycle type mu: consecutive cycles."""
    n = sum(mu)
    p = np.arange(n)
    start = 0
    for length in mu:
        block = np.arange(start, start + length)
        p[block] = np.roll(block, -1)
        start += length
    return p


def tabloids(composition):
    """Ordered set partitions of range(n) into blocks of the given sizes."""
    n = sum(composition)

    def rec(remaining, sizes):
        if not sizes:
            yield ()
            return
        for block in itertools.combinations(remaining, sizes[0]):
            rest = tuple(x for x in remaining if x not in block)
            for tail in rec(rest, sizes[1:]):
                yield (frozenset(block),) + tail

    return list(rec(tuple(range(n)), tuple(composition)))


@cache
def young_permutation_character(composition, mu):
    """Trace of the permutation matrix of an element of type mu on tabloids."""
    tabs = tabloids(composition)
    index = {t: i for i, t in enumerate(tabs)}
    sigma = element_of_type(mu)
    P = np.zeros((len(tabs), len(tabs)), dtype=int)
    for i, t in enumerate(tabs):
        image = tuple(frozenset(int(sigma[x]) for x in block) for block in t)
        P[index[image], i] = 1
    return int(np.trace(P))


def brute_force_character(lam, mu):
    """χ^λ = Σ_w sgn(w) ξ^{λ + δ − w(δ)} (Jacobi–Trudi) with ξ from permutation matrices."""
    ell = len(lam)
    total = 0
    for w in itertools.permutations(range(ell)):
        comp = [lam[i] - i + w[i] for i in range(ell)]
        if any(c < 0 for c in comp):
            continue
        inversions = sum(1 for a in range(ell) for b in range(a + 1, ell) if w[a] > w[b])
        comp = tuple(sorted((c for c in comp if c), reverse=True))
        total += (-1) ** inversions * young_permutation_character(comp, tuple(mu))
    return total


@pytest.mark.parametrize("n", range(1, 7))
def test_characters_match_brute_force_with_permutation_matrices(n):
    for lam in partitions(n):
        for mu in partitions(n):
            assert character(lam, mu) == brute_force_character(lam, mu), (lam, mu)


# ---------------------------------------------------------------------------
# textbook tables and identities

S3 = {  # rows (3), (2,1), (1,1,1); columns (1,1,1), (2,1), (3)
    (3,): [1, 1, 1],
    (2, 1): [2, 0, -1],
    (1, 1, 1): [1, -1, 1],
}
S4 = {  # columns (1^4), (2,1,1), (2,2), (3,1), (4)
    (4,): [1, 1, 1, 1, 1],
    (3, 1): [3, 1, -1, 0, -1],
    (2, 2): [2, 0, 2, -1, 0],
    (2, 1, 1): [3, -1, -1, 0, 1],
    (1, 1, 1, 1): [1, -1, 1, 1, -1],
}


@pytest.mark.parametrize("table,n", [(S3, 3), (S4, 4)])
def test_textbook_tables(table, n):
    cols = [(1,) * n] + [mu for mu in reversed(partitions(n)) if mu != (1,) * n]
    for lam, row in table.items():
        assert [character(lam, mu) for mu in cols] == row


@pytest.mark.parametrize("n", range(0, 13))
def test_orthogonality_relations(n):
    T = character_table(n)
    z = np.array([c.centralizer_order for c in T.classes], dtype=object)
    V = T.values.astype(object)
    # rows: Σ_μ χ^λ(μ) χ^ν(μ) / z_μ = δ_{λν}
    for i in range(len(T.irreps)):
        for j in range(len(T.irreps)):
            s = sum(Fraction(int(V[i, c] * V[j, c]), int(z[c])) for c in range(len(z)))
            assert s == (1 if i == j else 0)
    # columns: Σ_λ χ^λ(μ) χ^λ(ν) = z_μ δ_{μν}
    G = V.T @ V
    assert np.array_equal(G, np.diag(z))


partition_strategy = st.integers(1, 20).flatmap(
    lambda n: st.tuples(st.sampled_from(partitions(n)), st.sampled_from(partitions(n)))
)


@settings(max_examples=60, deadline=None)
@given(partition_strategy)
def test_conjugate_partition_is_tensor_with_sign(pair):
    lam, mu = pair
    n = sum(lam)
    sign = (-1) ** (n - len(mu))
    assert character(conjugate(lam), mu) == sign * character(lam, mu)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 20).flatmap(lambda n: st.sampled_from(partitions(n))))
def test_character_at_identity_is_dimension(lam):
    assert character(lam, (1,) * sum(lam)) == dimension(lam)


@pytest.mark.parametrize("m", [3, 5, 9, 20])
def test_standard_character_is_fixed_points_minus_one(m):
    for mu in partitions(m):
        fix = mu.count(1)
        assert character((m - 1, 1), mu) == fix - 1
        assert character((m,), mu) == 1


def test_character_order_of_cycle_type_does_not_matter_and_validates():
    assert character((3, 2), (1, 2, 2)) == character((3, 2), (2, 2, 1))
    with pytest.raises(ValueError, match="same n"):
        character((3, 1), (2, 1))
    with pytest.raises(ValueError, match="non-increasing"):
        character((1, 3), (2, 2))
    with pytest.raises(TypeError):
        character((2, 1), "21")


def test_n20_values_in_milliseconds_and_full_table():
    t = time.perf_counter()
    value = character((7, 5, 4, 2, 1, 1), (5, 4, 3, 3, 2, 2, 1))
    single = time.perf_counter() - t
    assert isinstance(value, int)
    assert single < 0.25  # milliseconds in practice; generous bound for CI
    T = character_table(20)
    assert T.values.shape == (627, 627)
    assert T.values[T.irreps.index((7, 5, 4, 2, 1, 1)), T.irreps.index((5, 4, 3, 3, 2, 2, 1))] == (
        value
    )
    dims = T.values[:, T.irreps.index((1,) * 20)]
    assert sum(int(x) ** 2 for x in dims) == math.factorial(20)
    assert np.array_equal(T.row((20,)), np.ones(627, dtype=np.int64))


def test_character_table_matches_character_function():
    T = character_table(9)
    for i, lam in enumerate(T.irreps):
        for j, c in enumerate(T.classes):
            assert T.values[i, j] == character(lam, c.cycle_type)
    with pytest.raises(ValueError, match="not a partition"):
        T.row((5, 5))


# ---------------------------------------------------------------------------
# conjugacy classes


@pytest.mark.parametrize("n", range(0, 8))
def test_class_sizes_by_counting_permutations(n):
    counts = {}
    for perm in itertools.permutations(range(n)):
        mu = cycle_type(np.array(perm, dtype=int))
        counts[mu] = counts.get(mu, 0) + 1
    classes = conjugacy_classes(n)
    assert {c.cycle_type: c.size for c in classes} == counts
    for c in classes:
        assert c.size * c.centralizer_order == math.factorial(n)
        assert class_size(c.cycle_type) == c.size
        assert c.n == n


def test_centralizer_order_examples():
    assert centralizer_order((1, 1, 1, 1)) == 24
    assert centralizer_order((2, 2)) == 8
    assert centralizer_order((3, 2, 2, 1)) == 3 * 2**2 * 2 * 1


def test_cycle_type_validates():
    assert cycle_type(np.array([1, 2, 0, 4, 3])) == (3, 2)
    assert cycle_type(np.array([], dtype=int)) == ()
    with pytest.raises(ValueError, match="permutation"):
        cycle_type(np.array([0, 0]))
    with pytest.raises(ValueError, match="integer"):
        cycle_type(np.array([0.0, 1.0]))


def test_class_inner_product_gives_multiplicities():
    # fix² = character of R^m ⊗ R^m = 2[m] + 3[m-1,1] + [m-2,2] + [m-2,1,1] (MATH.md §3)
    m = 6

    def fix2(mu):
        return mu.count(1) ** 2

    expected = {(6,): 2, (5, 1): 3, (4, 2): 1, (4, 1, 1): 1}
    for lam in partitions(m):
        got = class_inner_product(fix2, lambda mu, lam=lam: character(lam, mu), m)
        assert got == expected.get(lam, 0)
    T = character_table(m)
    assert class_inner_product(T.row((5, 1)), T.row((5, 1)), m) == 1
    with pytest.raises(ValueError, match="one value per class"):
        class_inner_product([1, 2], T.row((6,)), m)


@pytest.mark.parametrize("module", ["partition", "classes", "characters", "decomposition"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"symbreak.representation.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
