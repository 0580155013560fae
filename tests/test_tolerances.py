"""symbreak.tolerances: one policy, scaled by orbit sizes."""

import dataclasses

import numpy as np
import pytest

from symbreak.critical import find_critical_points
from symbreak.representation import IsotropyGroup
from symbreak.tolerances import DEFAULT_TOLERANCES, Tolerances, as_tolerances


def test_validation():
    with pytest.raises(ValueError):
        Tolerances(gradient=0.0)
    with pytest.raises(TypeError):
        Tolerances(step="1e-9")
    with pytest.raises(TypeError):
        as_tolerances(1e-9)
    assert as_tolerances(None) is DEFAULT_TOLERANCES
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_TOLERANCES.gradient = 1.0  # frozen


def test_gradient_is_scaled_by_orbit_sizes_and_floored_by_rounding():
    tol = Tolerances(gradient=1e-10)
    # an off-diagonal orbit of k(k-1) entries at k = 1e4 carries 1e8 copies of one entry
    assert tol.gradient_norm([1e-12, 5e-3], [1e4, 1e8]) == pytest.approx(5e-11)
    assert tol.is_critical([1e-12, 5e-3], [1e4, 1e8], k=1e4)
    assert not tol.is_critical([1e-12, 5e-1], [1e4, 1e8], k=1e4)
    batch = tol.gradient_norm(np.array([[1.0, 2.0], [4.0, 2.0]]), [1.0, 2.0])
    assert np.allclose(batch, [1.0, 4.0])
    assert tol.gradient_tol(10.0) == 1e-10
    eps = np.finfo(float).eps
    assert tol.gradient_tol(1e9) == pytest.approx(16 * eps * 1e9)


def test_zero_threshold_is_relative():
    tol = Tolerances(eigenvalue=1e-9)
    assert tol.zero_threshold(0.5) == 1e-9
    assert tol.zero_threshold(-1e6) == pytest.approx(1e-3)


def test_default_search_finds_type_ii_at_k_1e4():
    # issue 11: with absolute tolerances 45 of 50 starts failed and the spurious minima were missed
    group = IsotropyGroup.from_spec("k-1,1", 1e4)
    res = find_critical_points(group)
    minima = [p for p in res.points if p.kind == "spurious_minimum" and p.isotropy == "k-1,1"]
    # type II: W close to I except the last row, which carries the teacher's last direction
    # with the opposite sign (c_f < 0); its loss is O(1/k) (MATH.md §4 family, followed in k)
    type_ii = [p for p in minima if p.coords[0] > 0.99 and p.coords[4] < -0.9]
    assert type_ii, [(p.kind, p.loss, p.coords) for p in res.points]
    assert 0 < type_ii[0].loss < 1e-3


def test_classification_counts_zero_relative_to_the_spectral_radius():
    from symbreak.critical import classify
    from symbreak.reduced import ReducedSystem

    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6))
    p = classify(system, [0.986704, -0.050413, 0.308011, 0.224516, -0.601512])
    radius = max(abs(e.value) for e in p.spectrum.entries)
    assert radius > 1.0  # so the relative threshold differs from the absolute one
    assert p.spectrum.zero_tol == pytest.approx(DEFAULT_TOLERANCES.eigenvalue * radius)
    loose = classify(system, p.coords, tolerances=Tolerances(eigenvalue=1.0))
    # smallest eigenvalue of type II at k = 6 is 0.0047 (MATH.md §4): zero for a loose policy
    assert p.kind == "spurious_minimum" and loose.kind == "degenerate"
