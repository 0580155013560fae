"""L = ℓ∘μ: gradient and Hessian against finite differences; validation."""

import numpy as np
import pytest

from symbreak.linear import (
    LinearNetwork,
    LogCoshLoss,
    ParameterLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
)


def _fd_gradient(f, x, h=1e-6):
    E = np.eye(x.size)
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in E])


@pytest.mark.parametrize("widths", [(3, 4), (3, 2, 4), (2, 3, 2, 3), (3, 2, 4, 2, 3)])
@pytest.mark.parametrize("loss_name", ["quadratic", "weighted", "log-cosh"])
def test_gradient_and_hessian_match_finite_differences(widths, loss_name):
    rng = np.random.default_rng(sum(widths))
    net = LinearNetwork(widths)
    Q = rng.standard_normal(net.shape)
    loss = {
        "quadratic": QuadraticLoss(Q),
        "weighted": WeightedQuadraticLoss(Q, rng.uniform(0.5, 2.0, net.shape)),
        "log-cosh": LogCoshLoss(Q, scale=0.3),
    }[loss_name]
    obj = ParameterLoss(net, loss)
    x = net.random_parameters(rng)
    np.testing.assert_allclose(obj.gradient(x), _fd_gradient(obj.value, x), atol=1e-7)
    H = obj.hessian(x)
    H_fd = np.array([_fd_gradient(lambda y, k=k: obj.gradient(y)[k], x) for k in range(x.size)])
    np.testing.assert_allclose(H, H_fd, atol=1e-6)
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_hessian_vanishes_at_origin_for_depth_three():
    # every term of d²μ at θ = 0 keeps a zero factor when h ≥ 3
    net = LinearNetwork((3, 2, 2, 3))
    obj = ParameterLoss(net, QuadraticLoss(np.ones((3, 3))))
    np.testing.assert_array_equal(obj.hessian(np.zeros(net.n_params)), 0.0)


def test_validation():
    net = LinearNetwork((4, 2, 3))
    with pytest.raises(ValueError, match="3x4"):
        ParameterLoss(net, QuadraticLoss(np.ones((4, 3))))
    with pytest.raises(TypeError, match="MatrixLoss"):
        ParameterLoss(net, np.ones((3, 4)))
    with pytest.raises(TypeError, match="LinearNetwork"):
        ParameterLoss((4, 2, 3), QuadraticLoss(np.ones((3, 4))))
