"""Fixed-rank manifold: tangent basis, Riemannian Hessian (curve second derivatives,
Eckart–Young closed form, parameter Hessian on (ker dμ)^⊥)."""

import numpy as np
import pytest

from symbreak.linear import (
    FixedRankPoint,
    LinearNetwork,
    LogCoshLoss,
    ParameterLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
    default_target,
    eckart_young,
    riemannian_hessian,
)


def _random_rank(rng, m, n, r):
    return rng.standard_normal((m, r)) @ rng.standard_normal((r, n))


def _truncate(M, r):
    u, s, vt = np.linalg.svd(M)
    return (u[:, :r] * s[:r]) @ vt[:r]


@pytest.mark.parametrize("m, n, r", [(3, 4, 2), (4, 3, 1), (3, 3, 3), (2, 5, 2)])
def test_tangent_basis(m, n, r):
    rng = np.random.default_rng(m * 10 + n + r)
    M = _random_rank(rng, m, n, r)
    P = FixedRankPoint.at(M, r)
    B = P.basis
    assert P.dimension == r * (m + n - r)
    np.testing.assert_allclose(B.T @ B, np.eye(P.dimension), atol=1e-12)
    for xi in B.T:
        np.testing.assert_allclose(P.normal_part(xi.reshape(m, n)), 0.0, atol=1e-12)
    # T_M is the image of dμ at any θ of a network with μ(θ) = M (an independent description)
    net = LinearNetwork((n, r, m))
    u, s, vt = np.linalg.svd(M)
    theta = [s[:r, None] * vt[:r], u[:, :r]]
    J = net.differential(theta)
    assert np.linalg.matrix_rank(np.hstack([B, J]), tol=1e-9) == P.dimension


def test_fixed_rank_point_validation():
    with pytest.raises(ValueError, match="rank < 2"):
        FixedRankPoint.at(np.outer([1.0, 2.0], [1.0, 0.0, 0.0]), 2)
    with pytest.raises(ValueError, match="exceeds"):
        FixedRankPoint.at(np.eye(2), 3)
    with pytest.raises(TypeError, match="MatrixLoss"):
        riemannian_hessian(np.eye(2), np.eye(2), 1)


@pytest.mark.parametrize("loss_name", ["log-cosh", "weighted"])
def test_riemannian_hessian_is_second_derivative_along_retraction(loss_name):
    # the metric projection R(M + tξ) (truncated SVD) is a second-order retraction, so
    # d²/dt² ℓ(R(M + tξ)) at t = 0 equals Hess ℓ(M)[ξ, ξ] at any point of the manifold
    rng = np.random.default_rng(7)
    m, n, r = 3, 4, 2
    Q = rng.standard_normal((m, n))
    loss = (
        LogCoshLoss(Q, scale=0.5)
        if loss_name == "log-cosh"
        else WeightedQuadraticLoss(Q, rng.uniform(0.5, 2.0, (m, n)))
    )
    M = _random_rank(rng, m, n, r)
    P = FixedRankPoint.at(M, r)
    Hr = riemannian_hessian(loss, M, r)
    t = 1e-3
    for _ in range(4):
        c = rng.standard_normal(P.dimension)
        xi = (P.basis @ c).reshape(m, n)

        def f(s, xi=xi):
            return loss.value(_truncate(M + s * xi, r))

        d2 = (f(t) - 2 * f(0.0) + f(-t)) / t**2
        assert d2 == pytest.approx(c @ Hr @ c, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("widths", [(4, 2, 3), (5, 3, 4), (3, 2, 2, 3)])
def test_eckart_young_riemannian_spectrum(widths):
    # at M_I, ℓ = ‖M − Q‖²: eigenvalues 2 ± 2σ_j/σ_k for k ∈ I, j ∉ I, and 2 otherwise
    net = LinearNetwork(widths)
    Q = default_target(net.shape, seed=3)
    m, n = net.shape
    s = np.linalg.svd(Q, compute_uv=False)
    ey = eckart_young(net, Q)
    for p in ey.points:
        if p.rank != net.r:
            continue
        lam = np.linalg.eigvalsh(riemannian_hessian(QuadraticLoss(Q), p.verification.matrix, net.r))
        I = [i - 1 for i in p.index_set]
        rest = [j for j in range(s.size) if j not in I]
        pairs = [2 + sgn * 2 * s[j] / s[k] for k in I for j in rest for sgn in (1, -1)]
        expected = np.sort(pairs + [2.0] * (net.functional_dimension - len(pairs)))
        np.testing.assert_allclose(lam, expected, atol=1e-10)


def test_parameter_hessian_is_pullback_of_riemannian_hessian():
    # at a critical θ with rank μ = r and dμ onto T_M: ∇²L = (Bᵀ dμ)ᵀ Hess ℓ (Bᵀ dμ)
    net = LinearNetwork((4, 2, 3))
    Q = default_target(net.shape, seed=0)
    loss = QuadraticLoss(Q)
    obj = ParameterLoss(net, loss)
    for p in eckart_young(net, loss).points:
        if p.rank != net.r:
            continue
        P = FixedRankPoint.at(p.verification.matrix, net.r)
        C = P.basis.T @ net.differential(p.theta)
        Hr = riemannian_hessian(loss, p.verification.matrix, net.r)
        np.testing.assert_allclose(obj.hessian(p.theta), C.T @ Hr @ C, atol=1e-10)


def test_full_rank_stratum_is_open_so_hessian_is_euclidean():
    rng = np.random.default_rng(9)
    Q = rng.standard_normal((3, 2))
    loss = LogCoshLoss(Q, scale=0.4)
    M = rng.standard_normal((3, 2))
    np.testing.assert_allclose(
        np.linalg.eigvalsh(riemannian_hessian(loss, M, 2)),
        np.linalg.eigvalsh(loss.hessian(M)),
        atol=1e-12,
    )
