"""Non-filling network + non-quadratic convex loss: a verified non-global local minimum."""

import numpy as np
import pytest

from symbreak.linear import (
    Kind,
    LinearNetwork,
    ParameterLoss,
    QuadraticLoss,
    classify,
    nonfilling_counterexample,
)


def _rank_one_grid_minimum(name):
    """min ℓ over rank-one 2×2 matrices s·x yᵀ by exhaustive enumeration of a grid.

    The loss is written out here (not taken from the library): Q = diag(1, 1/2) and
    log-cosh with c = 0.1, or weights Λ = [[1, 4], [4, 1]].
    """
    a = np.linspace(0, np.pi, 61)
    b = np.linspace(0, 2 * np.pi, 121)
    s = np.linspace(0, 1.6, 81)
    A, B, S = np.meshgrid(a, b, s, indexing="ij")
    x = np.stack([np.cos(A), np.sin(A)])
    y = np.stack([np.cos(B), np.sin(B)])
    R = S * x[:, None] * y[None, :] - np.diag([1.0, 0.5])[:, :, None, None, None]
    if name == "log-cosh":
        values = (0.01 * np.log(np.cosh(R / 0.1))).sum(axis=(0, 1))
    else:
        values = (np.array([[1.0, 4.0], [4.0, 1.0]])[:, :, None, None, None] * R**2).sum(
            axis=(0, 1)
        )
    return float(values.min())


@pytest.fixture(scope="module", params=["log-cosh", "weighted"])
def example(request):
    return request.param, nonfilling_counterexample(loss=request.param, rng=0, n_starts=30)


def test_counterexample_is_a_verified_non_global_minimum(example):
    name, ce = example
    p = ce.point
    assert ce.network.widths == (2, 1, 2) and not ce.network.filling
    assert p.kind == Kind.LOCAL_MINIMUM and p.pure
    assert p.gradient_norm <= 1e-10
    assert p.curvature_space == "functional" and p.curvature.min() > 0
    np.testing.assert_allclose(p.matrix, np.diag([0.0, 0.5]), atol=1e-12)
    a = 0.5
    if name == "log-cosh":
        c = 0.1
        g11 = c * np.tanh(1 / c)
        expected = np.sort([1.0, 1 - g11 / a, 1 + g11 / a])
        assert p.loss == pytest.approx(c**2 * np.log(np.cosh(1 / c)), rel=1e-12)
        assert ce.global_minimum == pytest.approx(c**2 * np.log(np.cosh(a / c)), rel=1e-9)
    else:
        expected = [2.0, 8.0 - 4.0, 8.0 + 4.0]
        assert p.loss == pytest.approx(1.0)
        assert ce.global_minimum == pytest.approx(a**2, rel=1e-9)
    np.testing.assert_allclose(np.sort(p.curvature), expected, rtol=1e-10)
    assert ce.gap > 0.04


def test_global_minimum_by_exhaustive_grid(example):
    name, ce = example
    grid_min = _rank_one_grid_minimum(name)
    # the grid bounds min ℓ on M_1 from above, and the search reaches that value
    assert ce.global_minimum <= grid_min + 1e-12
    assert grid_min <= ce.global_minimum + 2e-3
    assert ce.point.loss > grid_min + 0.04


def test_no_nearby_point_is_lower(example):
    # a local minimum in parameter space, flat fibre directions included
    _, ce = example
    obj = ParameterLoss(ce.network, ce.loss)
    rng = np.random.default_rng(1)
    for _ in range(300):
        d = rng.standard_normal(ce.network.n_params)
        d *= 1e-3 / np.linalg.norm(d)
        assert obj.value(ce.point.theta + d) >= ce.point.loss - 1e-15


def test_plain_quadratic_turns_it_into_a_saddle():
    net = LinearNetwork((2, 1, 2))
    theta = [np.array([[0.0, np.sqrt(0.5)]]), np.array([[0.0], [np.sqrt(0.5)]])]
    p = classify(net, QuadraticLoss(np.diag([1.0, 0.5])), theta)
    assert p.kind == Kind.SADDLE and p.pure
    # Eckart–Young: eigenvalues 2 ± 2σ_1/σ_2 = 2 ± 4 and 2
    np.testing.assert_allclose(np.sort(p.curvature), [-2.0, 2.0, 6.0], atol=1e-12)


def test_validation():
    with pytest.raises(ValueError, match="loss"):
        nonfilling_counterexample(loss="quadratic")
    with pytest.raises(ValueError, match="n_starts"):
        nonfilling_counterexample(n_starts=0)
