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


# ---------------------------------------------------------------------------
# spec strings and the relative zero threshold


def _dense_eigenvalues(group, coords):
    W = FixedPointSpace(group).embed(coords)
    return np.linalg.eigvalsh(dense_model(group).hessian(W))


def test_spec_string_with_k_equals_the_group(rng):
    from symbreak.reduced import ReducedSystem

    group = IsotropyGroup.from_spec("k-1,1|1", 5, d=6)
    C = rng.normal(size=(3, FixedPointSpace(group).dim))
    by_spec = analytic_spectrum("k-1,1|1", C, k=5, extra_dims=1)
    blocks = hessian_blocks("k-1,1|1", C[0], k=5, extra_dims=1)
    system = ReducedSystem("k-1,1|1", k=5, extra_dims=1)
    assert system.group.shape == group.shape == (6, 6)  # a row block; d = k + 1
    np.testing.assert_allclose(system.gradient(C), ReducedSystem(group).gradient(C), atol=1e-14)
    for c, s in zip(C, by_spec):  # independent: the dense Hessian of the embedded point
        dense = _dense_eigenvalues(group, c)
        vals = np.sort(np.repeat([e.value for e in s.entries], [e.multiplicity for e in s.entries]))
        np.testing.assert_allclose(vals, dense, atol=1e-9)
    for b1, b2 in zip(blocks, hessian_blocks(group, C[0])):
        np.testing.assert_allclose(b1.matrix, b2.matrix, atol=1e-14)


def test_spec_string_bad_input():
    with pytest.raises(ValueError, match="give k"):
        analytic_spectrum("k-1,1", TYPE_II_K6)
    with pytest.raises(ValueError, match="give k"):
        hessian_blocks("k-1,1", TYPE_II_K6)
    with pytest.raises(TypeError, match="spec string"):
        analytic_spectrum(6, TYPE_II_K6)
    with pytest.raises(ValueError, match="zero_tol"):
        analytic_spectrum("k-1,1", TYPE_II_K6, k=6, zero_tol=-1.0)


def test_default_zero_threshold_is_relative_to_the_spectral_radius():
    from symbreak.tolerances import DEFAULT_TOLERANCES, Tolerances

    # "k" at W = V = I, k = 20: spectral radius ~5 (dense), smallest eigenvalue ~0.09
    group = IsotropyGroup.from_spec("k", 20)
    c = np.array([1.0, 0.0])
    dense = _dense_eigenvalues(group, c)
    radius = np.abs(dense).max()
    assert radius > 2  # a scaled case: relative and absolute thresholds differ
    s = analytic_spectrum(group, c)
    assert s.zero_tol == pytest.approx(DEFAULT_TOLERANCES.eigenvalue * radius, rel=1e-9)
    # a policy whose relative threshold lies above the smallest eigenvalue, while the
    # same number as an absolute threshold lies below it
    lam = np.abs(dense).min()
    eig = lam / np.sqrt(radius)
    rel = analytic_spectrum(group, c, tolerances=Tolerances(eigenvalue=eig))
    absolute = analytic_spectrum(group, c, zero_tol=eig)
    assert rel.zero_tol == pytest.approx(eig * radius, rel=1e-9)
    assert absolute.zero_tol == eig
    assert rel.nullity == np.sum(np.abs(dense) <= eig * radius) > 0
    assert absolute.nullity == np.sum(np.abs(dense) <= eig) == 0
    assert rel.is_degenerate and not absolute.is_degenerate
    # batched: each point its own radius, equal to single calls
    C = np.array([[1.0, 0.0], [2.0, 0.1]])
    batch = analytic_spectrum(group, C)
    for c2, s2 in zip(C, batch):
        assert s2.zero_tol == analytic_spectrum(group, c2).zero_tol
        r2 = np.abs(_dense_eigenvalues(group, c2)).max()
        assert s2.zero_tol == pytest.approx(DEFAULT_TOLERANCES.eigenvalue * max(1.0, r2), rel=1e-9)
    assert batch[0].zero_tol != batch[1].zero_tol


def test_batched_spectra_behave_like_records(rng):
    # the records of a batch are built on first access: same fields and behaviour
    from dataclasses import replace

    from symbreak.spectrum import Spectrum

    group = IsotropyGroup.from_spec("k-1,1", 6)
    C = TYPE_II_K6 + 0.01 * rng.normal(size=(3, 5))
    batch = analytic_spectrum(group, C)
    one = analytic_spectrum(group, C[1])
    s = batch[1]
    assert isinstance(s, Spectrum)
    hand = Spectrum(s.entries, s.blocks, s.zero_tol)  # the plain record, from its fields
    assert s.entries is batch[1].entries  # built once
    assert repr(hand.entries) == repr(s.entries)
    assert s.index == hand.index == one.index and s.nullity == hand.nullity
    assert s.to_json() == hand.to_json()
    np.testing.assert_allclose(
        [e.value for e in s.entries], [e.value for e in one.entries], atol=1e-12
    )
    r = replace(s, zero_tol=10.0)
    assert r.zero_tol == 10.0 and r.entries == s.entries and s.zero_tol != 10.0
    assert r.nullity == sum(e.multiplicity for e in s.entries if abs(e.value) <= 10.0)
    dense = _dense_eigenvalues(group, C[2])  # untouched point: still right when first read
    assert np.min(dense) == pytest.approx(batch[2].min_eigenvalue, abs=1e-9)
    assert [b.label for b in batch[0].blocks] == [b.label for b in hessian_blocks(group, C[0])]


def test_chunked_batch_equals_single_calls(monkeypatch, rng):
    # a batch larger than the chunk size: chunks of 7 (and a last one of 5) glued back
    import symbreak.spectrum as spectrum

    group = IsotropyGroup.from_spec("k-2,1,1", 7.5)
    C = _point(group) + 0.05 * rng.normal(size=(40, _point(group).size))
    monkeypatch.setattr(spectrum, "_CHUNK", 7)
    batch = analytic_spectrum(group, C)
    blocks = hessian_blocks(group, C)
    monkeypatch.setattr(spectrum, "_CHUNK", 10**6)
    for n in (0, 6, 7, 13, 34, 35, 39):
        one = analytic_spectrum(group, C[n])
        assert [(e.multiplicity, e.irrep) for e in batch[n].entries] == [
            (e.multiplicity, e.irrep) for e in one.entries
        ]
        np.testing.assert_allclose(
            [e.value for e in batch[n].entries], [e.value for e in one.entries], atol=1e-12
        )
        for b1, b2 in zip(blocks[n], hessian_blocks(group, C[n])):
            np.testing.assert_allclose(b1.matrix, b2.matrix, atol=1e-12)
            np.testing.assert_allclose(b1.eigenvectors, b2.eigenvectors, atol=1e-9)


def test_block_eigenvectors_are_eigenvectors_of_the_dense_hessian(rng):
    # eigenvectors are computed on first access to the blocks; on the copy vectors
    # (coefficients c, direction Σ c_i U_i) they are eigenvectors of the dense Hessian
    from symbreak.representation.isotypic import copy_vector_matrix, isotypic_decomposition

    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    space = FixedPointSpace(group)
    C = rng.normal(size=(3, space.dim))
    comps = {c.label: c for c in isotypic_decomposition(group)}
    for c, spec in zip(C, analytic_spectrum(group, C)):
        H = dense_model(group).hessian(space.embed(c))
        for b in spec.blocks:
            comp = comps[b.label]
            U = np.array([copy_vector_matrix(group, comp.irrep, cv).ravel() for cv in comp.copies])
            for lam, coef in zip(b.eigenvalues, b.eigenvectors.T):
                v = coef @ U
                np.testing.assert_allclose(H @ v, lam * v, atol=1e-9 * max(1.0, abs(lam)))
                assert v @ v == pytest.approx(1.0, rel=1e-9)  # G-orthonormal coefficients
