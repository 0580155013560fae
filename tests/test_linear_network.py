"""LinearNetwork: μ, dμ (finite differences), rank of dμ (two algorithms), fibres."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak.linear import LinearNetwork, numerical_rank


def _product(ws):
    out = np.eye(ws[0].shape[1])
    for w in ws:
        out = w @ out
    return out


def _low_rank_layers(rng, widths, ranks):
    return [
        rng.standard_normal((widths[i + 1], k)) @ rng.standard_normal((k, widths[i]))
        for i, k in enumerate(ranks)
    ]


@pytest.mark.parametrize(
    "widths, r, filling, dim",
    [
        ((4, 2, 3), 2, False, 2 * (4 + 3 - 2)),
        ((3, 4, 2), 2, True, 2 * (3 + 2 - 2)),
        ((2, 1, 2), 1, False, 3),
        ((3, 5), 3, True, 15),
        ((3, 2, 2, 3), 2, False, 8),
    ],
)
def test_attributes(widths, r, filling, dim):
    net = LinearNetwork(widths)
    assert (net.r, net.filling, net.functional_dimension) == (r, filling, dim)
    assert net.shape == (widths[-1], widths[0])
    assert net.n_params == sum(a * b for a, b in zip(widths[1:], widths[:-1]))
    # dim M_r is the generic rank of dμ (an independent count)
    theta = net.random_parameters(np.random.default_rng(1))
    assert numerical_rank(net.differential(theta)) == dim


@pytest.mark.parametrize(
    "widths, exc",
    [
        ((3,), ValueError),
        ((), ValueError),
        ((3, 0), ValueError),
        ((3, -1), ValueError),
        ((3, 2.5), TypeError),
        ((3, "2"), TypeError),
        ("4,2,3", TypeError),
        (5, TypeError),
        ((3, True), TypeError),
    ],
)
def test_bad_widths(widths, exc):
    with pytest.raises(exc):
        LinearNetwork(widths)


def test_theta_forms_and_validation():
    net = LinearNetwork((4, 2, 3))
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal(s) for s in net.layer_shapes]
    flat = net.flatten(ws)
    assert flat.shape == (14,)
    np.testing.assert_array_equal(net.matrix(flat), net.matrix(ws))
    np.testing.assert_allclose(net.matrix(ws), ws[1] @ ws[0], rtol=1e-14)
    with pytest.raises(ValueError, match="length 14"):
        net.matrix(np.zeros(13))
    with pytest.raises(ValueError, match=r"W_2 must have shape \(3, 2\)"):
        net.matrix([ws[0], np.zeros((2, 3))])
    with pytest.raises(ValueError, match="NaN"):
        net.matrix(np.full(14, np.nan))
    with pytest.raises(TypeError):
        net.matrix(object())


@pytest.mark.parametrize("widths", [(3, 4), (3, 2, 4), (2, 3, 2, 3), (3, 2, 4, 2, 3)])
def test_differential_matches_finite_differences(widths):
    net = LinearNetwork(widths)
    rng = np.random.default_rng(2)
    x = net.random_parameters(rng)
    J = net.differential(x)
    h = 1e-6
    E = np.eye(net.n_params)
    fd = np.array([(net.matrix(x + h * e) - net.matrix(x - h * e)).ravel() / (2 * h) for e in E]).T
    np.testing.assert_allclose(J, fd, atol=1e-8)
    np.testing.assert_allclose(net.matrix(x), _product(net.weights(x)), rtol=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(1, 4), min_size=2, max_size=5),
    data=st.data(),
)
def test_flag_formula_equals_dense_rank(widths, data):
    net = LinearNetwork(widths)
    ranks = [data.draw(st.integers(0, min(a, b))) for a, b in net.layer_shapes]
    seed = data.draw(st.integers(0, 2**16))
    ws = _low_rank_layers(np.random.default_rng(seed), net.widths, ranks)
    assert net.differential_rank(ws) == net.differential_rank(ws, method="svd")


def test_rank_of_differential_special_points():
    rng = np.random.default_rng(3)
    net = LinearNetwork((3, 2, 2, 3))
    assert net.differential_rank(np.zeros(net.n_params)) == 0
    assert LinearNetwork((3, 2)).differential_rank(np.zeros(6)) == 6  # μ = W_1 is linear
    # rank μ = r forces rank dμ = dim M_r (Trager–Kohn–Bruna); rank μ < r lowers it here
    ws = _low_rank_layers(rng, net.widths, [2, 2, 2])
    assert numerical_rank(net.matrix(ws)) == 2
    assert net.differential_rank(ws) == net.functional_dimension
    ws = _low_rank_layers(rng, net.widths, [2, 1, 2])
    assert net.differential_rank(ws) < net.functional_dimension
    with pytest.raises(ValueError, match="flags"):
        net.differential_rank(ws, method="qr")


def test_fibre_kernel_and_action():
    rng = np.random.default_rng(4)
    net = LinearNetwork((4, 2, 3))
    x = net.random_parameters(rng)
    F = net.fibre(x)
    J = net.differential(x)
    assert F.dimension == net.n_params - net.functional_dimension == 4
    np.testing.assert_allclose(F.kernel.T @ F.kernel, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(J @ F.kernel, 0.0, atol=1e-12)
    # the GL(d_1) action stays in the fibre and its velocity is a flat direction
    y = F.sample(rng, spread=0.3)
    np.testing.assert_allclose(net.matrix(y), net.matrix(x), atol=1e-12)
    X = rng.standard_normal((2, 2))
    h = 1e-6
    vel = (F.move([np.eye(2) + h * X]) - F.move([np.eye(2) - h * X])) / (2 * h)
    np.testing.assert_allclose(vel, F.kernel @ (F.kernel.T @ vel), atol=1e-7)
    assert np.linalg.norm(vel) > 1e-3
    with pytest.raises(ValueError, match="one invertible matrix per hidden layer"):
        F.move([])
    with pytest.raises(ValueError, match="invertible"):
        F.move([np.zeros((2, 2))])
    with pytest.raises(ValueError, match="shape"):
        F.move([np.eye(3)])


def test_fibre_of_deep_network_contains_orbit():
    rng = np.random.default_rng(5)
    net = LinearNetwork((2, 3, 3, 2))
    x = net.random_parameters(rng)
    F = net.fibre(x)
    # generic point: n_params − dim M_2 = 21 − 4 flat directions
    assert F.dimension == net.n_params - net.functional_dimension == 17
    for _ in range(3):
        np.testing.assert_allclose(net.matrix(F.sample(rng)), F.matrix, atol=1e-11)
