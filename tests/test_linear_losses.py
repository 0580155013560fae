"""Losses on matrices: derivatives against finite differences, closed forms, validation."""

import numpy as np
import pytest

from symbreak.linear import (
    CustomLoss,
    DataLoss,
    LogCoshLoss,
    PseudoHuberLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
)

RNG = np.random.default_rng(0)
Q = RNG.standard_normal((3, 4))
X = RNG.standard_normal((4, 7))
Y = RNG.standard_normal((3, 7))


def _custom():
    return CustomLoss(
        (3, 4),
        value=lambda M: np.sum(np.cosh(M - Q)),
        gradient=lambda M: np.sinh(M - Q),
        hessian=lambda M: np.diag(np.cosh(M - Q).ravel()),
    )


LOSSES = {
    "quadratic": lambda: QuadraticLoss(Q),
    "weighted": lambda: WeightedQuadraticLoss(Q, RNG.uniform(0.5, 2.0, Q.shape)),
    "log-cosh": lambda: LogCoshLoss(Q, scale=0.3),
    "pseudo-huber": lambda: PseudoHuberLoss(Q, delta=0.5),
    "data": lambda: DataLoss(X, Y),
    "custom": _custom,
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_derivatives_match_finite_differences_and_convexity(name):
    loss = LOSSES[name]()
    M = RNG.standard_normal((3, 4))
    h = 1e-6
    E = np.eye(12)
    g_fd = np.array(
        [loss.value(M + h * e.reshape(3, 4)) - loss.value(M - h * e.reshape(3, 4)) for e in E]
    ) / (2 * h)
    np.testing.assert_allclose(loss.gradient(M).ravel(), g_fd, atol=1e-7)
    H_fd = np.array(
        [
            (
                loss.gradient(M + h * e.reshape(3, 4)) - loss.gradient(M - h * e.reshape(3, 4))
            ).ravel()
            for e in E
        ]
    ).T / (2 * h)
    H = loss.hessian(M)
    np.testing.assert_allclose(H, H_fd, atol=1e-6)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    assert np.linalg.eigvalsh(H).min() >= -1e-12  # convex


def test_closed_forms():
    M = RNG.standard_normal((3, 4))
    assert QuadraticLoss(Q).value(M) == pytest.approx(np.linalg.norm(M - Q) ** 2, rel=1e-14)
    W = RNG.uniform(0.5, 2.0, Q.shape)
    assert WeightedQuadraticLoss(Q, W).value(M) == pytest.approx(np.sum(W * (M - Q) ** 2))
    c = 0.7
    assert LogCoshLoss(Q, scale=c).value(M) == pytest.approx(
        np.sum(c**2 * np.log(np.cosh((M - Q) / c))), rel=1e-12
    )
    d = 0.4
    assert PseudoHuberLoss(Q, delta=d).value(M) == pytest.approx(
        np.sum(d**2 * (np.sqrt(1 + ((M - Q) / d) ** 2) - 1)), rel=1e-12
    )
    assert DataLoss(X, Y).value(M) == pytest.approx(np.linalg.norm(M @ X - Y) ** 2)


def test_log_cosh_is_stable_for_huge_residuals():
    loss = LogCoshLoss(np.zeros((1, 2)), scale=1e-3)
    M = np.array([[1e6, -1e6]])
    # c² log cosh(x/c) = c|x| − c² log 2 + O(e^{−2|x|/c})
    assert loss.value(M) == pytest.approx(2 * (1e-3 * 1e6 - 1e-6 * np.log(2)), rel=1e-14)
    np.testing.assert_allclose(loss.gradient(M), [[1e-3, -1e-3]])
    np.testing.assert_allclose(np.diag(loss.hessian(M)), 0.0, atol=1e-300)


def test_data_loss_whitening_identity():
    loss = DataLoss(X, Y)
    Qt, S, const = loss.whitened()
    np.testing.assert_allclose(S @ S, X @ X.T, atol=1e-10)
    for _ in range(3):
        M = RNG.standard_normal((3, 4))
        assert loss.value(M) == pytest.approx(np.linalg.norm(M @ S - Qt) ** 2 + const, rel=1e-10)
    with pytest.raises(ValueError, match="singular"):
        DataLoss(X[:, :2], Y[:, :2]).whitened()


def test_quadratic_whitened_is_trivial():
    Qt, S, const = QuadraticLoss(Q).whitened()
    np.testing.assert_array_equal(Qt, Q)
    np.testing.assert_array_equal(S, np.eye(4))
    assert const == 0.0


def test_validation():
    with pytest.raises(ValueError, match="shape"):
        QuadraticLoss(Q).value(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="strictly positive"):
        WeightedQuadraticLoss(Q, np.zeros_like(Q))
    with pytest.raises(ValueError, match="shape"):
        WeightedQuadraticLoss(Q, np.ones((2, 2)))
    with pytest.raises(ValueError, match="scale"):
        LogCoshLoss(Q, scale=0.0)
    with pytest.raises(ValueError, match="delta"):
        PseudoHuberLoss(Q, delta=-1.0)
    with pytest.raises(ValueError, match="shape"):
        DataLoss(X, Y[:, :3])
    with pytest.raises(TypeError, match="callable"):
        CustomLoss((3, 4), value=1.0, gradient=lambda M: M, hessian=lambda M: M)
    with pytest.raises(TypeError, match="pair"):
        CustomLoss(3, value=np.sum, gradient=lambda M: M, hessian=lambda M: M)
    bad = CustomLoss((3, 4), value=np.sum, gradient=lambda M: M[:2], hessian=lambda M: np.eye(2))
    with pytest.raises(ValueError, match="gradient"):
        bad.gradient(Q)
    with pytest.raises(ValueError, match="hessian"):
        bad.hessian(Q)
    with pytest.raises(ValueError, match="NaN"):
        QuadraticLoss(np.array([[np.nan]]))
