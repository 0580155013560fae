"""classify: pure/spurious, second-order test with flat fibre directions, escape directions."""

import numpy as np
import pytest

from symbreak.linear import (
    Kind,
    LinearNetwork,
    LogCoshLoss,
    ParameterLoss,
    QuadraticLoss,
    Tolerances,
    classify,
    default_target,
    exact_minimum,
)


def test_origin_of_depth_three_is_a_higher_order_saddle():
    # ∇²L(0) = 0, so only the rank-one insertion escapes: μ(tη) = t³ a bᵀ exactly
    net = LinearNetwork((3, 2, 2, 3))
    Q = default_target(net.shape, seed=0)
    loss = QuadraticLoss(Q)
    p = classify(net, loss, np.zeros(net.n_params))
    assert p.kind == Kind.SADDLE and not p.pure and p.rank == 0
    assert p.curvature_space == "parameter"
    np.testing.assert_array_equal(p.curvature, 0.0)
    t = 0.3
    M = net.matrix(t * p.escape)
    s = np.linalg.svd(M, compute_uv=False)
    # η = (x_i x_{i−1}ᵀ)_i / √h with unit x_i, so μ(tη) has the single singular value (t/√3)³
    assert s[0] == pytest.approx((t / np.sqrt(3)) ** 3, rel=1e-12)
    assert np.sum(s[1:]) <= 1e-14
    u, sq, vt = np.linalg.svd(Q)
    # the inserted rank-one matrix points along the top singular pair of −∇ℓ(0) = 2Q
    np.testing.assert_allclose(abs(u[:, 0] @ M @ vt[0]), s[0], rtol=1e-10)
    obj = ParameterLoss(net, loss)
    assert obj.value(p.escape_step * p.escape) < obj.value(np.zeros(net.n_params))


def test_global_minimum_by_vanishing_gradient_in_filling_case():
    net = LinearNetwork((3, 4, 2))
    Q = default_target(net.shape, seed=0)
    u, s, vt = np.linalg.svd(Q, full_matrices=False)
    W1 = np.zeros((4, 3))
    W1[:2] = s[:, None] * vt
    W2 = np.zeros((2, 4))
    W2[:, :2] = u
    p = classify(net, LogCoshLoss(Q, scale=0.2), [W1, W2])
    assert p.kind == Kind.GLOBAL_MINIMUM and p.pure
    assert p.loss == pytest.approx(0.0, abs=1e-15)


def test_non_critical_and_reference_errors():
    net = LinearNetwork((2, 1, 2))
    Q = np.diag([1.0, 0.5])
    with pytest.raises(ValueError, match="not a critical point"):
        classify(net, QuadraticLoss(Q), np.ones(4))
    theta = [np.array([[0.0, np.sqrt(0.5)]]), np.array([[0.0], [np.sqrt(0.5)]])]
    loss = LogCoshLoss(Q, scale=0.1)
    with pytest.raises(ValueError, match="global_minimum="):
        classify(net, loss, theta)
    with pytest.raises(ValueError, match="below the reference global minimum"):
        classify(net, loss, theta, global_minimum=1.0)
    assert classify(net, loss, theta, global_minimum=0.01).kind == Kind.LOCAL_MINIMUM
    with pytest.raises(TypeError, match="Tolerances"):
        classify(net, loss, theta, tolerances={"gradient": 1e-3})


@pytest.mark.parametrize("field", ["gradient", "rank", "purity", "curvature", "loss"])
def test_tolerances_validation(field):
    with pytest.raises(ValueError, match=field):
        Tolerances(**{field: 0.0})
    with pytest.raises(TypeError):
        Tolerances(**{field: "small"})


def test_kind_messages_and_exact_minimum():
    assert all(k.message for k in Kind)
    assert Kind("saddle") is Kind.SADDLE
    net = LinearNetwork((4, 2, 3))
    Q = default_target(net.shape, seed=5)
    assert exact_minimum(net, QuadraticLoss(Q)) == pytest.approx(1.0)  # σ = 3, 2, 1
    assert exact_minimum(net, LogCoshLoss(Q)) is None


def test_spurious_points_have_rank_deficient_differential():
    # Trager–Kohn–Bruna: a spurious critical point needs rank dμ(θ) < dim M_r
    net = LinearNetwork((3, 2, 2, 3))
    from symbreak.linear import eckart_young

    for p in eckart_young(net, default_target(net.shape, seed=4)).points:
        v = p.verification
        if not v.pure:
            assert v.differential_rank < net.functional_dimension
        else:
            assert v.differential_rank == net.functional_dimension
