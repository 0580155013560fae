"""Multi-start search and Newton polishing; the filling / non-filling contrast."""

import numpy as np
import pytest

from symbreak.linear import (
    CustomLoss,
    Kind,
    LinearNetwork,
    LogCoshLoss,
    ParameterLoss,
    PseudoHuberLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
    default_target,
    eckart_young,
    find_critical_points,
    newton_polish,
)


def test_newton_polish_converges_fast_onto_the_critical_fibre():
    net = LinearNetwork((4, 2, 3))
    loss = QuadraticLoss(default_target(net.shape, seed=0))
    obj = ParameterLoss(net, loss)
    saddle = next(p for p in eckart_young(net, loss).points if p.index_set == (1, 3))
    x0 = saddle.theta + 1e-3 * np.random.default_rng(0).standard_normal(net.n_params)
    res = newton_polish(obj, x0)
    assert res.gradient_norm <= 1e-12
    assert res.iterations <= 8  # quadratic convergence despite the singular Hessian
    np.testing.assert_allclose(net.matrix(res.theta), net.matrix(saddle.theta), atol=1e-9)
    with pytest.raises(TypeError, match="ParameterLoss"):
        newton_polish(loss, x0)


def test_non_filling_quadratic_has_only_the_global_minimum():
    net = LinearNetwork((4, 2, 3))
    loss = QuadraticLoss(default_target(net.shape, seed=1))
    ey = eckart_young(net, loss)
    search = find_critical_points(net, loss, rng=2, n_starts=8)
    assert search.reference == "exact"
    assert search.converged == search.runs == 16
    minima = [p for p in search.points if p.kind in (Kind.GLOBAL_MINIMUM, Kind.LOCAL_MINIMUM)]
    assert minima and all(p.kind == Kind.GLOBAL_MINIMUM for p in minima)
    assert all(p.loss == pytest.approx(ey.minimum.loss, rel=1e-10) for p in minima)
    # every point found is one of the Eckart–Young critical values, with the same labels
    by_loss = {round(p.loss, 6): p for p in ey.points}
    for p in search.points:
        match = by_loss[round(p.loss, 6)]
        assert (p.rank, p.pure, p.kind) == (match.rank, match.pure, match.kind)
        assert p.kind != Kind.DEGENERATE
        if p.kind == Kind.SADDLE:
            obj = ParameterLoss(net, loss)
            assert obj.value(p.theta + p.escape_step * p.escape) < p.loss
    assert sum(p.count for p in search.points) == search.converged


@pytest.mark.parametrize("loss_name", ["log-cosh", "pseudo-huber", "weighted", "custom"])
def test_filling_architecture_has_no_non_global_minimum(loss_name):
    rng = np.random.default_rng(4)
    net = LinearNetwork((3, 4, 2))  # r = 2 = min(d_0, d_h): filling
    Q = rng.standard_normal(net.shape)
    loss = {
        "log-cosh": LogCoshLoss(Q, scale=0.1),
        "pseudo-huber": PseudoHuberLoss(Q, delta=0.1),
        "weighted": WeightedQuadraticLoss(Q, rng.uniform(0.1, 10.0, net.shape)),
        "custom": CustomLoss(
            net.shape,
            value=lambda M: float(np.sum(np.cosh(M - Q))),
            gradient=lambda M: np.sinh(M - Q),
            hessian=lambda M: np.diag(np.cosh(M - Q).ravel()),
        ),
    }[loss_name]
    search = find_critical_points(net, loss, rng=5, n_starts=6, method="minimize")
    assert search.converged >= 5
    assert not search.of_kind(Kind.LOCAL_MINIMUM)
    minima = search.of_kind(Kind.GLOBAL_MINIMUM)
    assert minima
    # M_r is every matrix, so the global minimum is the unconstrained one, μ = Q
    for p in minima:
        np.testing.assert_allclose(p.matrix, Q, atol=1e-7)


def test_search_validation():
    net = LinearNetwork((2, 1, 2))
    loss = QuadraticLoss(np.diag([2.0, 1.0]))
    with pytest.raises(ValueError, match="method"):
        find_critical_points(net, loss, rng=0, method="annealing")
    with pytest.raises(ValueError, match="n_starts"):
        find_critical_points(net, loss, rng=0, n_starts=0)
    with pytest.raises(ValueError, match="init_scale"):
        find_critical_points(net, loss, rng=0, init_scale=-1.0)
    with pytest.raises(ValueError, match="outputs"):
        find_critical_points(net, QuadraticLoss(np.ones((3, 2))), rng=0)
    with pytest.raises(TypeError):
        find_critical_points(net, loss)  # rng is required
    res = find_critical_points(net, loss, rng=0, n_starts=2, global_minimum=1.0)
    assert res.reference == "supplied" and res.global_minimum == 1.0
    with pytest.raises(ValueError, match="below the reference global minimum"):
        find_critical_points(net, loss, rng=0, n_starts=2, global_minimum=2.0)
