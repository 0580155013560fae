"""Analytic spectrum (isotypic blocks) against dense eigvalsh and known values."""

import numpy as np
import pytest
from _helpers import TYPE_II_K6, dense_model, spectrum_multiset

from symbreak._numerics import cluster_eigenvalues
from symbreak.critical import FixedPointSpace, SearchOptions, find_critical_points
from symbreak.representation import IsotropyGroup
from symbreak.spectrum import analytic_spectrum, dense_spectrum, hessian_blocks


def _compare(group, coords):
    W = FixedPointSpace(group).embed(coords)
    analytic = spectrum_multiset(analytic_spectrum(group, coords), tol=1e-7)
    dense = cluster_eigenvalues(np.linalg.eigvalsh(dense_model(group).hessian(W)), tol=1e-7)
    assert [m for _, m in analytic] == [m for _, m in dense]
    np.testing.assert_allclose([v for v, _ in analytic], [v for v, _ in dense], atol=1e-9)


def _groups(k):
    out = ["k", "k-1,1", "k-2,2", "k-2,1,1"]
    out.append("k-3,2,1" if k >= 5 else "2,1,1")
    return out


@pytest.mark.parametrize("k", [4, 5, 6, 7, 8, 9, 10, 11, 12, 20])
def test_analytic_spectrum_equals_dense_at_critical_points(k):
    for spec in _groups(k):
        group = IsotropyGroup.from_spec(spec, k)
        res = find_critical_points(group, options=SearchOptions(starts=2, seed=k))
        assert res.points, spec
        for p in res.points[:3]:
            _compare(group, p.coords)


def test_analytic_spectrum_at_random_points_of_many_groups(rng):
    for spec, k, d in [
        ("k-1,1|1", 5, None),
        ("3,1,2||2", 6, 8),
        ("2,2", 4, None),
        ("1,1,1", 3, None),
        ("3,2|2,1", 5, None),
        ("k", 2, None),
    ]:
        group = IsotropyGroup.from_spec(spec, k, d=d)
        space = FixedPointSpace(group)
        _compare(group, rng.normal(size=space.dim))


def test_global_minimum_spectrum_closed_form():
    # MATH §3: 1/4 - 1/(2π) with multiplicity k(k-1)/2, 1/4 + 1/(2π) with k(k-3)/2
    for k in (5, 50, 10_000):
        s = analytic_spectrum(IsotropyGroup.from_spec("k", k), [1.0, 0.0])
        low = [e for e in s.entries if abs(e.value - (0.25 - 1 / (2 * np.pi))) < 1e-9]
        high = [e for e in s.entries if abs(e.value - (0.25 + 1 / (2 * np.pi))) < 1e-9]
        assert sum(e.multiplicity for e in low) == k * (k - 1) // 2
        assert sum(e.multiplicity for e in high) == k * (k - 3) // 2
        assert s.total_multiplicity == k * k
        assert s.index == 0


def test_type_ii_known_values():
    # MATH §4: k = 6 minimum, smallest eigenvalue ≈ 0.00470 (mult 4, [k-2,1] block)
    res = find_critical_points(IsotropyGroup.from_spec("k-1,1", 6), options=SearchOptions(starts=8))
    t2 = min(
        (p for p in res.points if p.loss > 1e-6),
        key=lambda p: np.linalg.norm(p.coords - TYPE_II_K6),
    )
    assert t2.loss == pytest.approx(0.0250806, abs=1e-7)
    assert t2.index == 0 and t2.kind == "spurious_minimum"
    smallest = t2.spectrum.entries[0]
    assert smallest.value == pytest.approx(0.00470, abs=1e-5)
    assert smallest.multiplicity == 4 and smallest.irrep == "[k-2,1] x [1]"
    res5 = find_critical_points(
        IsotropyGroup.from_spec("k-1,1", 5), options=SearchOptions(starts=8)
    )
    t5 = [p for p in res5.points if abs(p.loss - 0.0269705) < 1e-6]
    assert len(t5) == 1 and t5[0].index == 3 and t5[0].kind == "saddle"


def test_multiplicities_are_polynomials_at_real_k():
    k = 7.5
    s = analytic_spectrum(IsotropyGroup.from_spec("k-1,1", k), TYPE_II_K6)
    dims = {e.irrep: e.multiplicity for e in s.entries}
    assert dims["[k-2,1] x [1]"] == pytest.approx(k - 2)
    assert dims["[k-3,2] x [1]"] == pytest.approx((k - 1) * (k - 4) / 2)
    assert dims["[k-3,1,1] x [1]"] == pytest.approx((k - 2) * (k - 3) / 2)
    assert s.total_multiplicity == pytest.approx(k * k)


def test_spectrum_is_continuous_in_k_through_integers():
    group = lambda k: IsotropyGroup.from_spec("k-1,1", k)  # noqa: E731
    a = analytic_spectrum(group(6.0), TYPE_II_K6)
    b = analytic_spectrum(group(6.0 + 1e-9), TYPE_II_K6)
    np.testing.assert_allclose(
        [e.value for e in a.entries], [e.value for e in b.entries], atol=1e-6
    )


def test_blocks_are_symmetric_and_orthonormalised():
    group = IsotropyGroup.from_spec("k-2,1,1", 9)
    for b in hessian_blocks(group, np.linspace(0.1, 1.0, 10)):
        np.testing.assert_allclose(b.matrix, b.matrix.T, atol=1e-14)
        np.testing.assert_allclose(np.linalg.eigvalsh(b.matrix), b.eigenvalues, atol=1e-12)


def test_dense_spectrum_helper_matches_hessian_command_values():
    vals = dict(dense_spectrum(np.eye(4)))
    assert any(abs(v - (0.25 - 1 / (2 * np.pi))) < 1e-10 for v in vals)


# ---------------------------------------------------------------------------
# batched spectra


@pytest.mark.parametrize("spec,k", [("k-1,1", 6.0), ("k-2,1,1", 7.5), ("k-1,1|1", 5.0)])
def test_batched_spectrum_equals_single_calls(spec, k, rng):
    group = IsotropyGroup.from_spec(spec, k)
    # 40 points: the block-by-block path (N >= 32); 6 points: the stacked one
    C = _point(group) + 0.05 * rng.normal(size=(40, _point(group).size))
    batch = analytic_spectrum(group, C) + analytic_spectrum(group, C[:6])
    blocks = hessian_blocks(group, C) + hessian_blocks(group, C[:6])
    C = np.vstack([C, C[:6]])
    assert isinstance(batch, list) and len(batch) == 46 and len(blocks) == 46
    for n, c in enumerate(C):
        one = analytic_spectrum(group, c)
        assert [(e.multiplicity, e.irrep) for e in batch[n].entries] == [
            (e.multiplicity, e.irrep) for e in one.entries
        ]
        np.testing.assert_allclose(
            [e.value for e in batch[n].entries], [e.value for e in one.entries], atol=1e-12
        )
        for b1, b2 in zip(blocks[n], hessian_blocks(group, c)):
            assert b1.label == b2.label and b1.dimension == b2.dimension
            np.testing.assert_allclose(b1.matrix, b2.matrix, atol=1e-12)
            np.testing.assert_allclose(b1.eigenvalues, b2.eigenvalues, atol=1e-12)


def _point(group):
    from symbreak.reduced import ReducedSystem

    dim = ReducedSystem(group).space.dim
    return np.linspace(0.3, 1.1, dim)


def test_batched_blocks_match_the_dense_hessian(rng):
    # independent check: every block eigenvalue of every point is a dense eigenvalue
    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    from symbreak.reduced import ReducedSystem

    space = ReducedSystem(group).space
    C = rng.normal(size=(3, space.dim))
    for c, spec in zip(C, analytic_spectrum(group, C)):
        dense = np.linalg.eigvalsh(dense_model(group).hessian(space.embed(c)))
        for e in spec.entries:
            assert np.min(np.abs(dense - e.value)) < 1e-9
            assert np.sum(np.abs(dense - e.value) < 1e-7) >= e.multiplicity


def test_dependent_copies_are_dropped_and_recorded():
    from symbreak.spectrum import _orthonormalising_map

    V = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1e-9]])  # copy 2 ≈ copy 0 + copy 1
    G = V.T @ V
    T, kept = _orthonormalising_map(G)
    assert kept.size == 2 and T.shape == (3, 2)
    np.testing.assert_allclose(T.T @ G @ T, np.eye(2), atol=1e-9)
    assert np.count_nonzero(np.abs(T).sum(1) == 0) == 1  # exactly one copy left out
    # ordinary points drop nothing
    group = IsotropyGroup.from_spec("k-1,1", 6)
    assert all(b.dropped_copies == () for b in hessian_blocks(group, TYPE_II_K6))


def test_batch_with_a_zero_row_names_the_point():
    from symbreak.errors import NotDifferentiableError

    group = IsotropyGroup.from_spec("k-1,1", 6)
    C = np.array([TYPE_II_K6, [1.0, 0.0, 0.0, 0.0, 0.0]])
    with pytest.raises(NotDifferentiableError, match="point 1 of the batch"):
        analytic_spectrum(group, C)
