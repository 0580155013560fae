"""Isotypic decomposition of M(n, d): closed forms against characters and brute force."""

import itertools
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak.representation import (
    IsotropyGroup,
    character,
    character_decomposition,
    character_multiplicity,
    copy_vector_matrix,
    cycle_type,
    dimension,
    fixed_point_power_multiplicity,
    isotypic_decomposition,
    partitions,
    skew_standard_tableaux,
    young_orthogonal_form,
)
from symbreak.representation.isotropy import K_SYMBOL


def closed(group):
    return {
        c.irrep.integer_partitions(group): (c.multiplicity, int(c.dimension))
        for c in isotypic_decomposition(group)
    }


def by_characters(group, method="auto"):
    return {
        c.partitions: (c.multiplicity, c.dimension)
        for c in character_decomposition(group, method=method)
    }


# ---------------------------------------------------------------------------
# per-factor inner products ⟨fix^e, χ^λ⟩


@pytest.mark.parametrize("m", range(1, 11))
def test_class_sum_equals_youngs_rule(m):
    for lam in partitions(m):
        for e in range(5):
            a = fixed_point_power_multiplicity(lam, e, method="classes")
            b = fixed_point_power_multiplicity(lam, e, method="kostka")
            assert a == b, (lam, e)


@pytest.mark.parametrize("m", range(1, 6))
def test_per_factor_multiplicity_against_group_elements(m):
    """(1/m!) Σ_σ fix(σ)^e tr ρ^λ(σ), enumerating S_m, with Young's orthogonal form."""
    perms = [np.array(p) for p in itertools.permutations(range(m))]
    fixes = [int(np.sum(p == np.arange(m))) for p in perms]
    for lam in partitions(m):
        Y = young_orthogonal_form(lam)
        traces = [Y.character(p) for p in perms]
        for e in range(4):
            avg = sum(f**e * t for f, t in zip(fixes, traces)) / math.factorial(m)
            assert fixed_point_power_multiplicity(lam, e) == round(avg)
            assert avg == pytest.approx(round(avg), abs=1e-9)


@pytest.mark.parametrize("m", [4, 5, 8, 13, 100, 10**6])
def test_tensor_square_of_permutation_module_math_md(m):
    # R^m = [m] + [m-1,1];  R^m ⊗ R^m = 2[m] + 3[m-1,1] + [m-2,2] + [m-2,1,1]  (m >= 4)
    c = fixed_point_power_multiplicity
    assert [c((m,), e) for e in range(3)] == [1, 1, 2]
    assert [c((m - 1, 1), e) for e in range(3)] == [0, 1, 3]
    assert [c((m - 2, 2), e) for e in range(3)] == [0, 0, 1]
    assert [c((m - 2, 1, 1), e) for e in range(3)] == [0, 0, 1]
    if m >= 6:  # partitions with three cells below the first row do not occur
        assert c((m - 3, 3), 2) == 0 and c((m - 3, 2, 1), 2) == 0


def test_per_factor_small_blocks():
    c = fixed_point_power_multiplicity
    assert [c((2,), 2), c((1, 1), 2)] == [2, 2]  # R²⊗R² = 2[2] + 2[1,1]
    assert [c((3,), 2), c((2, 1), 2), c((1, 1, 1), 2)] == [2, 3, 1]
    assert c((1,), 0) == c((1,), 1) == c((1,), 2) == 1


def test_per_factor_errors():
    with pytest.raises(ValueError, match="e must be"):
        fixed_point_power_multiplicity((3,), 9)
    with pytest.raises(ValueError, match="method"):
        fixed_point_power_multiplicity((3,), 1, method="fast")
    with pytest.raises(ValueError, match="kostka"):
        fixed_point_power_multiplicity((50,), 1, method="classes")


def brute_force_skew(outer, inner):
    cells = [(i, j) for i, r in enumerate(outer) for j in range(r) if j >= (inner + (0,) * 9)[i]]
    count = 0
    for perm in itertools.permutations(range(len(cells))):
        val = dict(zip(cells, perm))
        if all(
            val.get((i, j + 1), 99) > v and val.get((i + 1, j), 99) > v for (i, j), v in val.items()
        ):
            count += 1
    return count


@pytest.mark.parametrize(
    "outer,inner",
    [((3, 2), (1,)), ((3, 2, 1), (2, 1)), ((4, 2, 2), (2, 1)), ((3, 3), (3,)), ((5, 1, 1), (3,))],
)
def test_skew_tableaux_by_brute_force(outer, inner):
    assert skew_standard_tableaux(outer, inner) == brute_force_skew(outer, inner)


def test_skew_tableaux_straight_shapes_and_errors():
    for lam in partitions(7):
        assert skew_standard_tableaux(lam, ()) == dimension(lam)
    assert skew_standard_tableaux((10**6, 1), (10**6 - 1,)) == 2
    with pytest.raises(ValueError, match="not contained"):
        skew_standard_tableaux((2, 1), (3,))


# ---------------------------------------------------------------------------
# whole decompositions: closed form == characters


@st.composite
def young_specs(draw):
    def composition(total):
        parts = []
        while total:
            p = draw(st.integers(1, total))
            parts.append(p)
            total -= p
        return parts

    k = draw(st.integers(1, 8))
    diag = composition(k)
    rows = composition(draw(st.integers(0, 3)))
    cols = composition(draw(st.integers(0, 3)))
    spec = ",".join(map(str, diag)) + "|" + ",".join(map(str, rows)) + "|"
    spec += ",".join(map(str, cols))
    return IsotropyGroup.from_spec(spec, k, d=k + sum(cols))


@settings(max_examples=80, deadline=None)
@given(young_specs())
def test_closed_form_equals_character_decomposition(group):
    ch = by_characters(group)
    assert closed(group) == ch
    n, d = group.shape
    assert sum(m * dim for m, dim in ch.values()) == n * d


NAMED = ["k", "k-1,1", "k-2,2", "k-2,1,1", "k-1,1|1", "k-1,1|2,1", "k-2,2||2", "k|1|1"]


def extra_columns(spec):
    parts = spec.split("|")
    return sum(int(x) for x in parts[2].split(",")) if len(parts) == 3 else 0


@pytest.mark.parametrize("spec", NAMED)
@pytest.mark.parametrize("k", [3, 4, 5, 6, 9])
def test_named_families_at_integer_k(spec, k):
    try:
        group = IsotropyGroup.from_spec(spec, k, d=k + extra_columns(spec))
    except ValueError:
        pytest.skip("block too small at this k")
    assert closed(group) == by_characters(group, method="classes")
    assert closed(group) == by_characters(group, method="kostka")


@pytest.mark.parametrize("spec", NAMED)
@pytest.mark.parametrize("k", [10**3, 10**6])
def test_named_families_at_huge_k_cost_flat(spec, k):
    group = IsotropyGroup.from_spec(spec, k, d=k + extra_columns(spec))
    t = time.perf_counter()
    ch = by_characters(group)
    assert time.perf_counter() - t < 0.5  # independent of k (≈ 1 ms)
    assert closed(group) == ch
    n, d = group.shape
    assert sum(m * dim for m, dim in ch.values()) == n * d


def test_type_ii_multiplicities_math_md():
    # Δ(S_{k−1}×S_1): blocks 5×5 ([k−1]), 5×5 ([k−2,1]), 1×1, 1×1
    for k in (6, 10, 10**6):
        group = IsotropyGroup.from_spec("k-1,1", k)
        got = {c.partitions: c.multiplicity for c in character_decomposition(group)}
        assert got == {
            ((k - 1,), (1,)): 5,
            ((k - 2, 1), (1,)): 5,
            ((k - 3, 2), (1,)): 1,
            ((k - 3, 1, 1), (1,)): 1,
        }


@pytest.mark.parametrize("spec", NAMED)
@pytest.mark.parametrize("k", [5.5, 7.25, 12.5])
def test_real_sizes_generic_polynomials(spec, k):
    d = k + extra_columns(spec)
    group = IsotropyGroup.from_spec(spec, k, d=d)
    comps = isotypic_decomposition(group)
    assert sum(c.multiplicity * c.dimension for c in comps) == pytest.approx(group.n * group.d)
    for c in comps:
        assert float(c.dimension_expr.subs(K_SYMBOL, k)) == pytest.approx(c.dimension)
    # multiplicities at a real size are the generic ones (those of a large integer k)
    big = IsotropyGroup.from_spec(spec, 40, d=40 + d - k)
    assert [(c.label, c.multiplicity) for c in comps] == [
        (c.label, c.multiplicity) for c in isotypic_decomposition(big)
    ]


@pytest.mark.parametrize("spec", NAMED)
def test_dimension_polynomials_match_hook_lengths(spec):
    for k in (6, 11):
        group = IsotropyGroup.from_spec(spec, k, d=k + extra_columns(spec))
        for c in isotypic_decomposition(group):
            hook = math.prod(dimension(lam) for lam in c.irrep.integer_partitions(group))
            assert c.dimension == hook
            assert int(c.dimension_expr.subs(K_SYMBOL, k)) == hook


# ---------------------------------------------------------------------------
# Fix(H) and copy vectors, by enumerating small groups (in the test only)


def group_elements(group):
    for perms in itertools.product(*(itertools.permutations(range(int(m))) for m in group.sizes)):
        yield tuple(np.array(p, dtype=int) for p in perms)


def orbit_count(group):
    """Number of H-orbits on index pairs (i, j), by union-find over the generators."""
    n, d = group.shape
    parent = list(range(n * d))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for gen in group.generators():
        pi, rho = group.permutations(gen)
        for i in range(n):
            for j in range(d):
                a, b = find(i * d + j), find(pi[i] * d + rho[j])
                parent[max(a, b)] = min(a, b)
    return len({find(x) for x in range(n * d)})


SMALL = [
    ("k", 4, None),
    ("k-1,1", 4, None),
    ("k-2,2", 5, None),
    ("k-2,1,1", 5, None),
    ("2,2|1", 4, None),
    ("3||2", 3, 5),
    ("2,1|2|1", 3, 4),
]


@pytest.mark.parametrize("spec,k,d", SMALL + [("k-1,1|2", 6, None), ("3,3,1||2", 7, 9)])
def test_trivial_multiplicity_is_number_of_orbits(spec, k, d):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    triv = isotypic_decomposition(group)[0]
    assert all(ty == "triv" for ty in triv.irrep.types)
    assert triv.multiplicity == orbit_count(group)


@pytest.mark.parametrize("spec,k,d", SMALL)
def test_copy_vectors_lie_in_their_isotypic_component(spec, k, d):
    """P_χ u = u with P_χ = (dim χ/|H|) Σ_h χ(h) ρ(h), and the copies are independent."""
    group = IsotropyGroup.from_spec(spec, k, d=d)
    elements = list(group_elements(group))
    order = len(elements)
    for comp in isotypic_decomposition(group):
        parts = comp.irrep.integer_partitions(group)
        U = [copy_vector_matrix(group, comp.irrep, cv) for cv in comp.copies]
        projected = [np.zeros_like(u) for u in U]
        for h in elements:
            chi = math.prod(character(lam, cycle_type(p)) for lam, p in zip(parts, h))
            if chi:
                for acc, u in zip(projected, U):
                    acc += chi * group.act(h, u)
        for acc, u in zip(projected, U):
            assert np.allclose(acc * comp.dimension / order, u, atol=1e-10)
        flat = np.array([u.ravel() for u in U])
        assert np.linalg.matrix_rank(flat, tol=1e-9) == comp.multiplicity


# ---------------------------------------------------------------------------
# errors


def test_character_multiplicity_errors():
    group = IsotropyGroup.from_spec("k-1,1", 5)
    assert character_multiplicity(group, [(4,), (1,)]) == 5
    with pytest.raises(ValueError, match="one partition per factor"):
        character_multiplicity(group, [(4,)])
    with pytest.raises(ValueError, match="partition of the block size 4"):
        character_multiplicity(group, [(3,), (1,)])
    with pytest.raises(ValueError, match="integer block sizes"):
        character_decomposition(IsotropyGroup.from_spec("k-1,1", 5.5))
    with pytest.raises(TypeError, match="IsotropyGroup"):
        character_decomposition("k-1,1")
