"""Eckart–Young enumeration: every index set, explicit critical θ, theory vs numerics."""

import itertools
import math

import numpy as np
import pytest

from symbreak.linear import (
    DataLoss,
    Kind,
    LinearNetwork,
    LogCoshLoss,
    ParameterLoss,
    QuadraticLoss,
    default_target,
    eckart_young,
    find_critical_points,
)


@pytest.mark.parametrize(
    "widths", [(4, 2, 3), (3, 2, 2), (3, 2, 2, 3), (4, 3, 1, 3), (2, 3, 3), (5, 2, 3, 2, 4)]
)
def test_enumeration_against_theory(widths):
    net = LinearNetwork(widths)
    Q = default_target(net.shape, seed=2)
    u, s, vt = np.linalg.svd(Q)
    N, r = s.size, net.r
    ey = eckart_young(net, Q)
    assert len(ey.points) == sum(math.comb(N, e) for e in range(r + 1))
    expected_sets = {I for e in range(r + 1) for I in itertools.combinations(range(1, N + 1), e)}
    assert {p.index_set for p in ey.points} == expected_sets
    obj = ParameterLoss(net, QuadraticLoss(Q))
    for p in ey.points:
        idx = [i - 1 for i in p.index_set]
        # μ(θ_I) is the projection of Q onto span{u_i : i ∈ I} (independent of the construction)
        np.testing.assert_allclose(net.matrix(p.theta), u[:, idx] @ u[:, idx].T @ Q, atol=1e-10)
        assert np.linalg.norm(obj.gradient(p.theta)) <= 1e-10
        assert p.loss == pytest.approx(obj.value(p.theta), abs=1e-10)
        # default_target has σ_i = N + 1 − i, so the losses are integers
        assert p.loss == pytest.approx(
            sum((N + 1 - i) ** 2 for i in range(1, N + 1) if i not in p.index_set)
        )
        assert p.pure == (p.rank == r) == p.verification.pure
        assert p.verified, (p.index_set, p.verification.kind, p.verification.pure)
        if p.verification.kind == Kind.SADDLE:
            eta, t = p.verification.escape, p.verification.escape_step
            assert obj.value(p.theta + t * eta) < obj.value(p.theta)
            assert obj.value(p.theta + 0.5 * t * eta) < obj.value(p.theta)
    assert ey.minimum.index_set == tuple(range(1, r + 1))
    assert ey.minimum.loss == pytest.approx(np.sum(s[r:] ** 2))
    assert sum(p.kind == Kind.GLOBAL_MINIMUM for p in ey.points) == 1
    assert ey.verified


def test_filling_only_the_target_is_pure():
    net = LinearNetwork((3, 4, 2))  # r = 2 = min(d_0, d_h)
    ey = eckart_young(net, default_target(net.shape, seed=0))
    pure = [p for p in ey.points if p.pure]
    assert [p.index_set for p in pure] == [(1, 2)]
    assert pure[0].loss == pytest.approx(0.0, abs=1e-20)
    assert pure[0].verification.curvature_space == "none"  # ∇ℓ = 0: global by convexity


def test_depth_one_has_a_single_critical_point():
    net = LinearNetwork((4, 3))
    Q = default_target(net.shape, seed=1)
    ey = eckart_young(net, Q)
    assert [p.index_set for p in ey.points] == [(1, 2, 3)]
    np.testing.assert_allclose(net.matrix(ey.points[0].theta), Q, atol=1e-12)


def test_data_loss_matches_multistart_minimum():
    rng = np.random.default_rng(3)
    net = LinearNetwork((3, 1, 2))
    X = rng.standard_normal((3, 8))
    Y = rng.standard_normal((2, 8))
    loss = DataLoss(X, Y)
    ey = eckart_young(net, loss)
    assert ey.verified
    assert len(ey.points) == 1 + 2  # N = 2, r = 1
    search = find_critical_points(net, loss, rng=0, n_starts=6, method="minimize")
    best = min(p.loss for p in search.points)
    assert best == pytest.approx(ey.minimum.loss, rel=1e-10)
    # and the closed-form minimiser reaches it: ‖MX − Y‖² at μ(θ)
    M = net.matrix(ey.minimum.theta)
    assert np.linalg.norm(M @ X - Y) ** 2 == pytest.approx(ey.minimum.loss, rel=1e-12)


def test_errors():
    net = LinearNetwork((3, 2, 3))
    with pytest.raises(ValueError, match="repeated singular values"):
        eckart_young(net, np.eye(3))
    with pytest.raises(ValueError, match="zero singular value"):
        eckart_young(net, np.diag([3.0, 2.0, 0.0]))
    with pytest.raises(TypeError, match="find_critical_points"):
        eckart_young(net, LogCoshLoss(np.eye(3)))
    with pytest.raises(ValueError, match="outputs"):
        eckart_young(net, np.ones((2, 3)))
    with pytest.raises(ValueError, match="max_index_sets"):
        eckart_young(net, np.diag([3.0, 2.0, 1.0]), max_index_sets=3)
    with pytest.raises(TypeError, match="LinearNetwork"):
        eckart_young((3, 2, 3), np.diag([3.0, 2.0, 1.0]))
