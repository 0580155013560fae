"""Young-type isotropy groups: spec parsing, real sizes, the action on W, generators, detection."""

import math

import numpy as np
import pytest
from _helpers import index_owners
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak.representation import IsotropyGroup, detect_isotropy, parse_spec


def random_fixed_point(group, rng):
    """A generic W in Fix(H): one random value per H-orbit of index pairs.

    The orbit of (i, j) is determined by the owning factors and, when both
    belong to the same diagonal factor, by whether i and j are the same index.
    """
    rows, cols = index_owners(group)
    values = {}
    W = np.empty(group.shape)
    for i, (ta, xa) in enumerate(rows):
        for j, (tb, xb) in enumerate(cols):
            key = (ta, tb, ta == tb and xa == xb)
            if key not in values:
                values[key] = rng.normal()
            W[i, j] = values[key]
    return W


def permutation_matrix(p):
    P = np.zeros((p.size, p.size))
    P[p, np.arange(p.size)] = 1.0  # P e_i = e_{p(i)}
    return P


# ---------------------------------------------------------------------------
# construction and layout


@pytest.mark.parametrize(
    "spec,k,d,kinds,sizes,n,name",
    [
        ("k", 7, None, ("diag",), (7,), 7, "k"),
        ("k-1,1", 7, None, ("diag", "diag"), (6, 1), 7, "k-1,1"),
        ("k-2,2", 7, None, ("diag", "diag"), (5, 2), 7, "k-2,2"),
        ("k-2,1,1", 7, None, ("diag",) * 3, (5, 1, 1), 7, "k-2,1,1"),
        ("6,1,13", 20, None, ("diag",) * 3, (6, 1, 13), 20, "6,1,13"),
        ("k-1,1|2,1", 5, None, ("diag", "diag", "row", "row"), (4, 1, 2, 1), 8, "k-1,1|2,1"),
        ("k", 4, 6, ("diag", "col"), (4, 2), 4, "k||2"),
        ("k||1,1", 4, 6, ("diag", "col", "col"), (4, 1, 1), 4, "k||1,1"),
        ("k-1, 1 | 1 | 2", 4, 6, ("diag", "diag", "row", "col"), (3, 1, 1, 2), 5, "k-1,1|1|2"),
        ("k/2,k/2", 6, None, ("diag", "diag"), (3, 3), 6, "k/2,k/2"),
        ("2*k-10,10-k", 7, None, ("diag", "diag"), (4, 3), 7, "2*k-10,10-k"),
    ],
)
def test_from_spec_factors_sizes_and_name(spec, k, d, kinds, sizes, n, name):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    assert tuple(f.kind for f in g.factors) == kinds
    assert g.sizes == sizes
    assert g.n == n and g.d == (k if d is None else d) and g.k == k
    assert g.name == name
    assert g.is_integral
    assert IsotropyGroup.from_spec(g.name, k, d=d).sizes == sizes  # name round-trips
    assert g.row_factors == tuple(t for t, kd in enumerate(kinds) if kd in ("diag", "row"))
    assert g.col_factors == tuple(t for t, kd in enumerate(kinds) if kd in ("diag", "col"))
    assert str(g).startswith(f"IsotropyGroup({name!r}")


def test_index_layout_is_consecutive_in_spec_order():
    g = IsotropyGroup.from_spec("k-2,1,1|2,1|3", 5, d=8)
    assert g.shape == (8, 8)
    assert [g.row_indices(t).tolist() for t in range(6)] == [
        [0, 1, 2], [3], [4], [5, 6], [7], [],
    ]  # fmt: skip
    assert [g.col_indices(t).tolist() for t in range(6)] == [
        [0, 1, 2], [3], [4], [], [], [5, 6, 7],
    ]  # fmt: skip
    # every row and column is owned by exactly one factor
    rows = np.concatenate([g.row_indices(t) for t in range(6)])
    cols = np.concatenate([g.col_indices(t) for t in range(6)])
    assert sorted(rows.tolist()) == list(range(8)) and sorted(cols.tolist()) == list(range(8))


def test_constant_and_expression_blocks():
    g = IsotropyGroup.from_spec("k-2,1,1", 10)
    assert [f.is_constant for f in g.factors] == [False, True, True]
    assert [f.label() for f in g.factors] == ["k-2", "1", "1"]
    assert parse_spec("k-1,1|2")[1] == parse_spec(" k - 1 , 1 | 2 ")[1]
    assert parse_spec("k")[2] is None and parse_spec("k||")[2] == ()


def test_real_block_sizes():
    g = IsotropyGroup.from_spec("k-1,1", 5.5)
    assert g.sizes == (4.5, 1.0) and not g.is_integral and g.n == 5.5
    assert IsotropyGroup.from_spec("k/2,k/2", 5).sizes == (2.5, 2.5)
    assert IsotropyGroup.from_spec("k-2,1,1", np.float64(7.25)).sizes == (5.25, 1.0, 1.0)
    for call in (lambda: g.shape, g.generators, lambda: g.row_indices(0)):
        with pytest.raises(ValueError, match="integer block sizes"):
            call()
    with pytest.raises(ValueError, match="integer block sizes"):
        g.random_element(np.random.default_rng(0))
    # log10 |H| through the Gamma function
    assert g.order_log10() == pytest.approx((math.lgamma(5.5) + math.lgamma(2.0)) / math.log(10))
    h = IsotropyGroup.from_spec("k-2,2|3", 9)
    assert h.order_log10() == pytest.approx(math.log10(math.factorial(7) * 2 * 6))


@pytest.mark.parametrize(
    "args,kwargs,exc,match",
    [
        ((3, 5), {}, TypeError, "must be a string"),
        (("k-1,1", "5"), {}, TypeError, "k must be a real number"),
        (("k-1,1", True), {}, TypeError, "k must be a real number"),
        (("k-1,1", -1), {}, ValueError, "positive finite"),
        (("k-1,1", float("nan")), {}, ValueError, "positive finite"),
        (("k-1,x", 5), {}, ValueError, "may only contain"),
        (("k-1,,1", 5), {}, ValueError, "empty block size"),
        (("k|1|1|1", 5), {}, ValueError, "more than three"),
        (("|1", 5), {}, ValueError, "no diagonal block"),
        (("k-1", 5), {}, ValueError, "add up to k-1, not k"),
        (("3,1", 5), {}, ValueError, "they must add up to k"),
        (("k-1,1", 2), {}, ValueError, "must have size > 1"),
        (("k-1.5,1.5", 5), {}, ValueError, "positive integer"),
        (("k-2,2", 5), {"d": 4}, ValueError, "d must be >= k"),
        (("k-1,1", 5), {"d": "6"}, TypeError, "d must be a real number"),
        (("k||1", 5), {"d": 7}, ValueError, "d - k = 2"),
        (("k*k-k*k+k", 5), {}, None, None),
        (("k-1/k,1/k", 5), {}, ValueError, "polynomial"),
        (("k-1,(1", 5), {}, ValueError, "cannot parse"),
    ],
)
def test_spec_errors_are_actionable(args, kwargs, exc, match):
    if exc is None:
        assert IsotropyGroup.from_spec(*args, **kwargs).sizes == (5,)
        return
    with pytest.raises(exc, match=match):
        IsotropyGroup.from_spec(*args, **kwargs)


# ---------------------------------------------------------------------------
# the action on W

GROUPS = [
    ("k", 4, None),
    ("k-1,1", 5, None),
    ("k-2,2", 6, None),
    ("k-2,1,1", 5, None),
    ("k-1,1|2,1", 4, None),
    ("3,1||2", 4, 6),
    ("2,2|1|1,1", 4, 6),
]


def element_strategy(group):
    return st.tuples(*(st.permutations(list(range(int(m)))) for m in group.sizes)).map(
        lambda ps: tuple(np.array(p, dtype=int) for p in ps)
    )


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_action_is_p_w_p_transpose(spec, k, d, rng):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    W = rng.normal(size=g.shape)
    for _ in range(5):
        perms = g.random_element(rng)
        pi, rho = g.permutations(perms)
        expected = permutation_matrix(pi) @ W @ permutation_matrix(rho).T
        assert np.array_equal(g.act(perms, W), expected)


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_action_axioms(spec, k, d):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    W = np.random.default_rng(7).normal(size=g.shape)
    identity = tuple(np.arange(int(m)) for m in g.sizes)

    @settings(max_examples=25, deadline=None)
    @given(element_strategy(g), element_strategy(g))
    def check(a, b):
        composed = tuple(x[y] for x, y in zip(a, b))  # (a∘b)(i) = a(b(i))
        assert np.array_equal(g.act(a, g.act(b, W)), g.act(composed, W))
        inverse = tuple(np.argsort(x) for x in a)
        assert np.array_equal(g.act(inverse, g.act(a, W)), W)
        assert np.linalg.norm(g.act(a, W)) == pytest.approx(np.linalg.norm(W))

    assert np.array_equal(g.act(identity, W), W)
    check()


def test_action_input_errors():
    g = IsotropyGroup.from_spec("k-1,1", 4)
    ident = (np.arange(3), np.arange(1))
    with pytest.raises(ValueError, match="shape"):
        g.act(ident, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="one permutation per factor"):
        g.act((np.arange(3),), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="permutation of range\\(3\\)"):
        g.act((np.array([0, 0, 1]), np.arange(1)), np.zeros((4, 4)))


def closure_order(group):
    """Order of the group generated by ``generators()`` (breadth-first search)."""
    gens = group.generators()
    start = tuple(tuple(range(int(m))) for m in group.sizes)
    seen, frontier = {start}, [start]
    while frontier:
        nxt = []
        for elem in frontier:
            for gen in gens:
                prod = tuple(tuple(int(x) for x in gt[list(et)]) for gt, et in zip(gen, elem))
                if prod not in seen:
                    seen.add(prod)
                    nxt.append(prod)
        frontier = nxt
    return len(seen)


@pytest.mark.parametrize("spec,k,d", [("k-1,1", 4, None), ("2,2|2", 4, None), ("3,1||2", 4, 6)])
def test_generators_generate_the_whole_product_group(spec, k, d):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    gens = g.generators()
    assert len(gens) == sum(int(m) - 1 for m in g.sizes)
    assert closure_order(g) == math.prod(math.factorial(int(m)) for m in g.sizes)
    W = np.random.default_rng(0).normal(size=g.shape)
    for gen in gens:  # adjacent transpositions are involutions
        assert np.array_equal(g.act(gen, g.act(gen, W)), W)


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_fixed_points_are_fixed_and_generic_points_are_not(spec, k, d, rng):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    W = random_fixed_point(g, rng)
    assert g.fixes(W)
    for _ in range(3):
        assert np.allclose(g.act(g.random_element(rng), W), W)
    V = W + 1e-3 * rng.normal(size=W.shape)
    assert not g.fixes(V)
    assert g.fixes(W + 1e-12, atol=1e-10)


def test_trivial_group_has_no_generators_and_fixes_everything():
    g = IsotropyGroup.from_spec("1,1,1", 3)
    assert g.generators() == []
    assert g.fixes(np.random.default_rng(1).normal(size=(3, 3)))


# ---------------------------------------------------------------------------
# detect_isotropy


def relabel(group, W, rng):
    """Apply a random permutation of teacher indices (rows and columns together),
    of the extra rows and of the extra columns.  Returns the new W and the maps."""
    n, d = group.shape
    k = int(group.k)
    tau = rng.permutation(k)
    pi = np.concatenate([tau, k + rng.permutation(n - k)])
    rho = np.concatenate([tau, k + rng.permutation(d - k)])
    out = np.empty_like(W)
    out[np.ix_(pi, rho)] = W
    return out, pi, rho


@pytest.mark.parametrize(
    "spec,k,d",
    [
        ("k", 5, None),
        ("k-1,1", 6, None),
        ("k-2,2", 6, None),
        ("k-2,1,1", 6, None),
        ("3,2,2", 7, None),
        ("k-1,1|2,1", 4, None),
        ("k-1,1||2,1", 4, 7),
        ("2,2|3|2", 4, 6),
    ],
)
def test_detect_recovers_the_blocks_after_relabelling(spec, k, d, rng):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    W0 = random_fixed_point(g, rng)
    W, pi, rho = relabel(g, W0, rng)
    det = detect_isotropy(W, k)
    expected_diag = {frozenset(pi[g.row_indices(t)].tolist()) for t, f in enumerate(g.factors)
                     if f.kind == "diag"}  # fmt: skip
    expected_rows = {frozenset(pi[g.row_indices(t)].tolist()) for t, f in enumerate(g.factors)
                     if f.kind == "row"}  # fmt: skip
    expected_cols = {frozenset(rho[g.col_indices(t)].tolist()) for t, f in enumerate(g.factors)
                     if f.kind == "col"}  # fmt: skip
    assert {frozenset(b) for b in det.diag_blocks} == expected_diag
    assert {frozenset(b) for b in det.row_blocks} == expected_rows
    assert {frozenset(b) for b in det.col_blocks} == expected_cols
    assert sorted(det.group.sizes) == sorted(g.sizes)
    assert det.spec == det.group.spec
    # the detected group, laid out consecutively, fixes the correspondingly permuted W
    order_r = [i for b in det.diag_blocks + det.row_blocks for i in b]
    order_c = [j for b in det.diag_blocks for j in b] + [j for b in det.col_blocks for j in b]
    assert det.group.fixes(W[np.ix_(order_r, order_c)])


def test_detect_global_minimum_and_generic_points(rng):
    k = 5
    det = detect_isotropy(np.eye(k))
    assert det.group.sizes == (5,) and det.group.name == "5"
    W = rng.normal(size=(k, k))
    assert detect_isotropy(W).group.sizes == (1,) * k
    # padded teacher: d > k, the extra zero columns form one column block
    det = detect_isotropy(np.hstack([np.eye(4), np.zeros((4, 2))]), 4)
    assert det.group.sizes == (4, 2) and det.col_blocks == ((4, 5),)


def test_detect_tolerance(rng):
    g = IsotropyGroup.from_spec("k-1,1", 6)
    W = random_fixed_point(g, rng)
    assert detect_isotropy(W + 1e-11 * rng.normal(size=W.shape)).group.sizes == (5, 1)
    noisy = W + 1e-4 * rng.normal(size=W.shape)
    assert detect_isotropy(noisy).group.sizes == (1,) * 6
    assert detect_isotropy(noisy, atol=1e-2).group.sizes == (5, 1)


def test_detect_errors():
    with pytest.raises(ValueError, match="finite 2-D"):
        detect_isotropy(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="finite 2-D"):
        detect_isotropy(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="between 1 and"):
        detect_isotropy(np.eye(3), 4)


def test_fractional_extra_columns_are_rejected_clearly():
    with pytest.raises(ValueError, match="whole number of extra input columns"):
        IsotropyGroup.from_spec("k", 5, d=5.5)
    g = IsotropyGroup.from_spec("k-1,1", 5.5, d=7.5)
    assert [f.kind for f in g.factors] == ["diag", "diag", "col"] and g.factors[2].size == 2


def test_group_at_follows_column_blocks_in_k():
    from symbreak.representation.isotropy import group_at

    g = group_at("k-1,1|1|k-3", 5.5)
    assert (g.n, g.d) == (6.5, 8.0)
    h = g.at(7)
    assert (h.k, h.n, h.d) == (7.0, 8.0, 11.0)  # the column block k-3 grows with k
    p = IsotropyGroup.from_spec("k-1,1", 5, d=8)
    assert p.at(7.5).d == 10.5  # without listed columns d - k is held fixed
