"""Partitions, conjugates and the hook-length formula against independent counts."""

import itertools
import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbreak.representation import (
    as_partition,
    conjugate,
    dimension,
    hook_lengths,
    partitions,
)


def euler_partition_numbers(N):
    """p(0..N) by Euler's pentagonal-number recurrence (independent of the generator)."""
    p = [1] + [0] * N
    for n in range(1, N + 1):
        k, total = 1, 0
        while True:
            for g in (k * (3 * k - 1) // 2, k * (3 * k + 1) // 2):
                if g <= n:
                    total += (-1) ** (k + 1) * p[n - g]
            if k * (3 * k - 1) // 2 > n:
                break
            k += 1
        p[n] = total
    return p


def brute_force_standard_count(lam):
    """Count fillings of the Ferrers diagram by 0..n-1 increasing along rows and columns."""
    cells = [(i, j) for i, r in enumerate(lam) for j in range(r)]
    count = 0
    for perm in itertools.permutations(range(len(cells))):
        val = dict(zip(cells, perm))
        if all(
            (j + 1 >= lam[i] or val[(i, j)] < val[(i, j + 1)])
            and (i + 1 >= len(lam) or j >= lam[i + 1] or val[(i, j)] < val[(i + 1, j)])
            for i, j in cells
        ):
            count += 1
    return count


partition_strategy = st.integers(0, 25).flatmap(lambda n: st.sampled_from(partitions(n)))


def test_partition_counts_match_euler_recurrence():
    p = euler_partition_numbers(30)
    assert [len(partitions(n)) for n in range(31)] == p
    assert len(partitions(20)) == 627


@pytest.mark.parametrize("n", range(0, 13))
def test_partitions_are_distinct_sorted_and_in_reverse_lex_order(n):
    ps = partitions(n)
    assert len(set(ps)) == len(ps)
    for lam in ps:
        assert sum(lam) == n
        assert list(lam) == sorted(lam, reverse=True)
        assert all(p > 0 for p in lam)
    assert list(ps) == sorted(ps, reverse=True)
    if n:
        assert ps[0] == (n,) and ps[-1] == (1,) * n


@given(partition_strategy)
def test_conjugate_is_an_involution_and_transposes_the_diagram(lam):
    cells = {(i, j) for i, r in enumerate(lam) for j in range(r)}
    lamc = conjugate(lam)
    assert {(j, i) for i, j in cells} == {(i, j) for i, r in enumerate(lamc) for j in range(r)}
    assert conjugate(lamc) == lam


@given(partition_strategy)
def test_hook_lengths_by_counting_cells(lam):
    cells = {(i, j) for i, r in enumerate(lam) for j in range(r)}
    hooks = hook_lengths(lam)
    for i, j in cells:
        arm = sum(1 for (a, b) in cells if a == i and b > j)
        leg = sum(1 for (a, b) in cells if b == j and a > i)
        assert hooks[i][j] == arm + leg + 1


@pytest.mark.parametrize("lam", [lam for n in range(1, 8) for lam in partitions(n)])
def test_dimension_counts_standard_tableaux(lam):
    assert dimension(lam) == brute_force_standard_count(lam)


@pytest.mark.parametrize("n", range(0, 16))
def test_sum_of_squared_dimensions_is_group_order(n):
    assert sum(dimension(lam) ** 2 for lam in partitions(n)) == math.factorial(n)


@given(partition_strategy)
def test_dimension_equals_plain_hook_length_formula(lam):
    denom = math.prod(h for row in hook_lengths(lam) for h in row)
    assert dimension(lam) * denom == math.factorial(sum(lam))
    assert dimension(conjugate(lam)) == dimension(lam)


@pytest.mark.parametrize("m", [4, 5, 17, 1000, 10**6])
def test_dimensions_of_the_four_types_match_math_md(m):
    assert dimension((m,)) == 1
    assert dimension((m - 1, 1)) == m - 1
    assert dimension((m - 2, 2)) == m * (m - 3) // 2
    assert dimension((m - 2, 1, 1)) == (m - 1) * (m - 2) // 2


def test_dimension_cost_does_not_grow_with_the_first_row():
    t = time.perf_counter()
    for m in range(10**6, 10**6 + 200):
        dimension((m - 3, 2, 1))
    assert time.perf_counter() - t < 0.5
    m = 10**6
    # f^{(m-3,2,1)} = m(m-2)(m-4)/3 (hook-length formula by hand)
    assert dimension((m - 3, 2, 1)) == m * (m - 2) * (m - 4) // 3


def test_as_partition_validates():
    assert as_partition([3, 1, 0, 0]) == (3, 1)
    assert as_partition((2.0, 1)) == (2, 1)
    assert as_partition(()) == ()
    with pytest.raises(ValueError, match="non-increasing"):
        as_partition((1, 2))
    with pytest.raises(ValueError, match="negative"):
        as_partition((2, -1))
    with pytest.raises(TypeError, match="sequence of integers"):
        as_partition("31")
    with pytest.raises(TypeError, match="integers"):
        as_partition((2.5, 1))
    with pytest.raises(TypeError):
        as_partition(3)
    with pytest.raises(ValueError, match="non-negative integer"):
        partitions(-1)


@pytest.mark.parametrize("n", range(1, 8))
def test_partitions_of_n_enumerate_all_cycle_types(n):
    # every permutation's sorted cycle lengths is one of partitions(n), and all occur
    seen = set()
    for perm in itertools.permutations(range(n)):
        visited, lengths = set(), []
        for s in range(n):
            if s in visited:
                continue
            length, x = 0, s
            while x not in visited:
                visited.add(x)
                x = perm[x]
                length += 1
            lengths.append(length)
        seen.add(tuple(sorted(lengths, reverse=True)))
    assert seen == set(partitions(n))
