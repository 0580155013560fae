"""Small shared numerical helpers."""

from symbreak._numerics import (
    as_count,
    cluster_eigenvalues,
    merge_equal_values,
    same_loss_and_spectrum,
)


def test_merge_equal_values_sums_multiplicities_across_blocks():
    pairs = [(0.5, 3), (0.1, 1), (0.5 + 1e-12, 2.5), (0.2, 1)]
    assert merge_equal_values(pairs) == [(0.1, 1.0), (0.2, 1.0), (0.5, 5.5)]


def test_same_loss_and_spectrum_is_blind_to_block_splitting_only():
    a = [(0.1, 1), (0.5, 5)]
    b = [(0.5, 2), (0.1, 1), (0.5, 3)]
    assert same_loss_and_spectrum(0.02, a, 0.02, b)
    assert not same_loss_and_spectrum(0.02, a, 0.0200001, b)
    assert not same_loss_and_spectrum(0.02, a, 0.02, [(0.1, 1), (0.5, 4)])
    assert not same_loss_and_spectrum(0.02, a, 0.02, [(0.1, 1), (0.51, 5)])


def test_counts_and_clusters():
    assert as_count(3.0000000001) == 3 and isinstance(as_count(2.5), float)
    clusters = cluster_eigenvalues([1.0, 2.0, 1.0 + 1e-12])
    assert [m for _, m in clusters] == [2, 1]
    assert abs(clusters[0][0] - 1.0) < 1e-11 and clusters[1][0] == 2.0
