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
