"""Exact stabilisers and orbit forms against brute force over S_n × S_k × S_{d−k}."""

import itertools

import numpy as np
import pytest

from symbreak.atlas.options import young_specs
from symbreak.critical.stabiliser import (
    function_form,
    stabiliser,
    stabiliser_of_coords,
)
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup


def _col_perms(k, d):
    out = []
    for p in itertools.permutations(range(k)):
        for q in itertools.permutations(range(k, d)):
            out.append(list(p) + list(q))
    return np.array(out)


def brute_order(W, k=None):
    """|{(π, ρ) : P_π W P_ρᵀ = W}| by enumerating every row and column permutation."""
    n, d = W.shape
    k = d if k is None else k
    cols = W[:, _col_perms(k, d)].transpose(1, 0, 2)  # (|S_k×S_{d−k}|, n, d)
    total = 0
    for pi in itertools.permutations(range(n)):
        total += int(np.sum(np.all(np.abs(cols - W[list(pi)]) < 1e-9, axis=(1, 2))))
    return total


def brute_same_orbit(W1, W2, k=None):
    n, d = W1.shape
    k = d if k is None else k
    cols = W2[:, _col_perms(k, d)].transpose(1, 0, 2)
    for pi in itertools.permutations(range(n)):
        if np.any(np.all(np.abs(cols - W1[list(pi)]) < 1e-9, axis=(1, 2))):
            return True
    return False


CASES = [(spec, k, k) for k in (4, 5) for spec in young_specs(k, 3) + [",".join(["1"] * k)]]
CASES += [
    ("k-1,1|1,1", 3, 3),
    ("k|2", 3, 4),
    ("k-1,1|2|1,1", 3, 5),
    ("1,1,1|1,1", 3, 4),
]


@pytest.mark.parametrize("spec,k,d", CASES)
def test_order_matches_brute_force(spec, k, d):
    # entries from {0, 1, 2}: many coincidences, so non-Young stabilisers occur
    rng = np.random.default_rng(abs(hash((spec, k, d))) % 2**32)
    space = FixedPointSpace(IsotropyGroup.from_spec(spec, k, d=d))
    for _ in range(8):
        c = rng.integers(0, 3, size=space.dim).astype(float)
        W = space.embed(c)
        expected = brute_order(W, k)
        dense = stabiliser(W, k=k)
        blocks = stabiliser_of_coords(space, c)
        assert dense.order == expected
        assert blocks.order == expected
        assert blocks.form.same_orbit(dense.form)


@pytest.mark.parametrize(
    "coords,order,label",
    [
        ([1.0, 0.0, 0.0, 0.0, 1.0], 720, "6"),  # W = I: ΔS_6
        ([0.3, 0.1, 0.2, 0.4, 0.9], 120, "5,1"),  # generic Δ(S_5×S_1)
        ([0.5, 0.5, 0.2, 0.3, 0.9], 14_400, "R5×C5"),  # five equal rows: S_5 × S_5
        ([0.5, 0.5, 0.2, 0.5, 0.2], 86_400, "R6×C5"),  # six equal rows: S_6 × S_5
    ],
)
def test_k6_examples_against_full_brute_force(coords, order, label):
    space = FixedPointSpace(IsotropyGroup.from_spec("k-1,1", 6))
    W = space.embed(coords)
    assert brute_order(W) == order  # all 720² pairs (π, ρ)
    s = stabiliser(W)
    assert (s.order, s.label) == (order, label)
    assert stabiliser_of_coords(space, coords).order == order


def test_non_young_wreath_product():
    # blocks 2 and 3 of Δ(S_2×S_2×S_2) identical, swapped as units: (ΔS_2 ≀ S_2) × ΔS_2
    space = FixedPointSpace(IsotropyGroup.from_spec("2,2,2", 6))
    names = space.names
    val = dict(zip(names, [0.0] * len(names)))
    val.update(d1=1.0, o1=0.2, d2=0.7, o2=0.3, d3=0.7, o3=0.3, x23=0.9, x32=0.9)
    val.update(x12=0.1, x13=0.1, x21=0.4, x31=0.4)
    c = [val[n] for n in names]
    W = space.embed(c)
    expected = brute_order(W)
    assert expected == 2 * 2 * 2 * 2  # ΔS_2 × (ΔS_2 × ΔS_2) ⋊ S_2
    s = stabiliser_of_coords(space, c)
    assert s.order == expected and s.young is None
    assert s.label == "[Δ2×Δ2×Δ2]·2"
    assert stabiliser(W).order == expected


def test_orbit_form_decides_orbit_equality():
    rng = np.random.default_rng(3)
    space = FixedPointSpace(IsotropyGroup.from_spec("k-2,1,1", 4))
    pts = [space.embed(rng.integers(0, 2, size=space.dim).astype(float)) for _ in range(12)]
    for W in pts[:4]:  # a random group element maps W to the same form
        P, Q = rng.permutation(4), rng.permutation(4)
        assert stabiliser(W[P][:, Q]).form.same_orbit(stabiliser(W).form)
    for A, B in itertools.combinations(pts, 2):
        assert stabiliser(A).form.same_orbit(stabiliser(B).form) == brute_same_orbit(A, B)


def test_extra_columns_are_not_teacher_columns():
    # a zero extra column and a zero teacher column are not interchangeable
    W = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert stabiliser(W, k=2).order == brute_order(W, 2) == 1
    assert stabiliser(W, k=3).order == brute_order(W, 3) == 2


def test_function_form_merges_parallel_rows():
    # rows 2w and w act as one neuron 3w; the same function as a single row 3w plus a zero row
    W1 = np.array([[2.0, 1.0], [1.0, 0.5]])
    W2 = np.array([[0.0, 0.0], [3.0, 1.5]])
    W3 = np.array([[1.5, 3.0], [0.0, 0.0]])  # columns swapped: same function up to Γ
    assert not stabiliser(W1).form.same_orbit(stabiliser(W2).form)
    assert function_form(W1).same_orbit(function_form(W2))
    assert function_form(W1).same_orbit(function_form(W3))
    assert not function_form(W1).same_orbit(function_form(np.eye(2)))
    assert function_form(np.array([[1.0, 0.0], [-1.0, 0.0]])) is None


def test_bad_input():
    with pytest.raises(ValueError):
        stabiliser(np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        stabiliser(np.eye(2), k=3)
