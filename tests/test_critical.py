"""Critical-point search, symmetry handling and classification."""

import numpy as np
import pytest
from _helpers import TYPE_II_K6, dense_model

from symbreak.critical import (
    FixedPointSpace,
    SearchOptions,
    block_permutations,
    classify,
    exact_isotropy,
    find_critical_points,
)
from symbreak.critical.symmetry import permute_coords
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup, detect_isotropy


def test_found_points_are_critical_for_the_dense_model():
    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    res = find_critical_points(group, options=SearchOptions(starts=12))
    model = dense_model(group)
    space = FixedPointSpace(group)
    assert len(res.points) >= 5
    for p in res.points:
        W = space.embed(p.coords)
        assert np.abs(model.grad(W)).max() < 1e-8
        assert model.loss(W) == pytest.approx(p.loss, abs=1e-12)
        # index from the dense Hessian
        ev = np.linalg.eigvalsh(model.hessian(W))
        assert int(np.sum(ev < -1e-9)) == p.index


def test_exact_isotropy_matches_dense_detection():
    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    res = find_critical_points(group, options=SearchOptions(starts=12))
    space = FixedPointSpace(group)
    for p in res.points:
        detected = detect_isotropy(space.embed(p.coords), 6)
        sizes_detected = sorted(len(b) for b in detected.diag_blocks)
        sizes_exact = sorted(
            int(round(f.size)) for f in IsotropyGroup.from_spec(p.exact_isotropy, 6).factors
        )
        assert sizes_detected == sizes_exact


def test_points_are_not_duplicated_up_to_symmetry():
    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    res = find_critical_points(group, options=SearchOptions(starts=16))
    # the global minimum (W = V, up to permutations) appears once
    assert sum(p.kind == "global_minimum" for p in res.points) == 1
    # the type-II minimum (isotropy k-1,1) appears once
    t2 = [p for p in res.points if abs(p.loss - 0.0250806) < 1e-6]
    assert len(t2) == 1 and t2[0].isotropy == "k-1,1"


def test_block_permutations_of_equal_blocks():
    g = IsotropyGroup.from_spec("k-2,1,1", 6)
    perms = block_permutations(g)
    assert perms[0] == (0, 1, 2) and set(perms) == {(0, 1, 2), (0, 2, 1)}
    space = FixedPointSpace(g)
    c = np.arange(space.dim, dtype=float)
    swapped = permute_coords(space, perms[1], c)
    # the permuted point is the dense point with rows and columns of blocks 2, 3 swapped
    W = space.embed(c)
    P = np.arange(6)
    P[[4, 5]] = [5, 4]
    np.testing.assert_array_equal(space.embed(swapped), W[np.ix_(P, P)])


def test_exact_isotropy_merges_blocks_at_real_k():
    space = FixedPointSpace(IsotropyGroup.from_spec("k-1,1", 7.5))
    iso = exact_isotropy(space, [0.9, 0.1, 0.1, 0.1, 0.9])
    assert iso.spec == "k"
    np.testing.assert_allclose(iso.coords, [0.9, 0.1])
    assert exact_isotropy(space, TYPE_II_K6).spec == "k-1,1"


def test_type_ii_is_more_symmetric_inside_a_three_block_space():
    space = FixedPointSpace(IsotropyGroup.from_spec("k-2,1,1", 6))
    W = FixedPointSpace(IsotropyGroup.from_spec("k-1,1", 6)).embed(TYPE_II_K6)
    c = space.project(W)
    system = ReducedSystem(space.group)
    from symbreak.solve import newton

    res = newton(system, c)
    p = classify(system, res.x)
    assert p.isotropy == "k-1,1" and p.kind == "spurious_minimum" and res.converged


def test_search_at_real_k_and_large_k():
    def type_ii_loss(k):
        res = find_critical_points(IsotropyGroup.from_spec("k-1,1", k))
        t2 = [p for p in res.points if p.isotropy == "k-1,1" and p.index == 0]
        nearest = min(t2, key=lambda p: np.linalg.norm(p.coords - TYPE_II_K6))
        assert np.linalg.norm(nearest.coords - TYPE_II_K6) < 0.1
        return nearest.loss

    # the family's loss decreases with k; the real-k point sits between its neighbours
    assert type_ii_loss(7) < type_ii_loss(6.5) < type_ii_loss(6)
    big = find_critical_points(IsotropyGroup.from_spec("k", 1e5), options=SearchOptions(starts=2))
    assert big.points[0].kind == "global_minimum"


def test_over_parameterised_global_minimum_is_a_critical_set():
    res = find_critical_points(
        IsotropyGroup.from_spec("k-1,1|1", 5), options=SearchOptions(starts=16)
    )
    gm = [p for p in res.points if p.kind == "global_minimum"]
    assert len(gm) == 1 and gm[0].set_dimension >= 1


def test_zero_row_limits_are_rejected():
    res = find_critical_points(
        IsotropyGroup.from_spec("k-1,1|1", 5), options=SearchOptions(starts=16)
    )
    for p in res.points:
        W = FixedPointSpace(IsotropyGroup.from_spec("k-1,1|1", 5)).embed(p.coords)
        assert np.linalg.norm(W, axis=1).min() > 1e-6


def test_search_options_are_validated():
    with pytest.raises(ValueError):
        SearchOptions(starts=0)
    with pytest.raises(ValueError):
        SearchOptions(gtol=-1.0)
    with pytest.raises(TypeError):
        SearchOptions(seed=1.5)
    with pytest.raises(ValueError, match="give k"):
        find_critical_points("k-1,1")  # a spec string needs its k
    with pytest.raises(TypeError, match="IsotropyGroup or a spec"):
        find_critical_points(6)
