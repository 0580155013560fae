"""The arc-cosine kernel on Gram scalars: values, derivatives, degenerate pairs.

Expected values come from the definition κ(w, v) = E[σ(w·x) σ(v·x)]
(Monte Carlo), closed forms at special angles, central finite differences and
the cross product in R³ — never from the kernel's own output.
"""

import numpy as np
import pytest

from symbreak.model import kernel as K


def pair(w, v) -> K.KernelGeometry:
    return K.pairwise_gram(np.atleast_2d(w), np.atleast_2d(v))


def kappa(w, v) -> float:
    return float(K.kappa(pair(w, v))[0, 0])


def grad_w(w, v) -> np.ndarray:
    a, b = K.grad_coefficients(pair(w, v))
    return a[0, 0] * np.asarray(w, float) + b[0, 0] * np.asarray(v, float)


def blocks(w, v):
    """``(∂²κ/∂w², ∂²κ/∂w∂v)`` from the Hessian coefficients."""
    w, v = np.asarray(w, float), np.asarray(v, float)
    h = K.hessian_coefficients(pair(w, v))
    gamma, beta, eps, delta = (float(x[0, 0]) for x in (h.gamma, h.beta, h.eps, h.delta))
    wb, vb = w / np.linalg.norm(w), v / np.linalg.norm(v)
    r_vw = v - (v @ wb) * wb
    r_wv = w - (w @ vb) * vb
    eye = np.eye(w.size)
    ww = gamma * (eye - np.outer(wb, wb)) + delta * np.outer(r_vw, r_vw)
    wv = beta * eye + eps * np.outer(wb, vb) + delta * np.outer(r_vw, r_wv)
    return ww, wv


def fd_jacobian(f, x, h=1e-6):
    x = np.asarray(x, float)
    cols = []
    for a in range(x.size):
        e = np.zeros_like(x)
        e[a] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def rotate(v, angle, rng):
    """A vector of the same norm at exactly ``angle`` from ``v``."""
    v = np.asarray(v, float)
    u = rng.standard_normal(v.size)
    u -= (u @ v) / (v @ v) * v
    u *= np.linalg.norm(v) / np.linalg.norm(u)
    return np.cos(angle) * v + np.sin(angle) * u


# ------------------------------------------------------------------ values
def test_special_angles():
    w = np.array([3.0, 0.0, 0.0])
    assert kappa(w, w) == pytest.approx(9 / 2, rel=1e-15)  # |w|²/2
    assert kappa(w, -2 * w) == pytest.approx(0.0, abs=1e-15)  # θ = π
    v = np.array([0.0, 2.0, 0.0])
    assert kappa(w, v) == pytest.approx(3 * 2 / (2 * np.pi), rel=1e-14)  # θ = π/2
    # θ = π/3: |w||v|(sin θ + (2π/3) cos θ)/(2π)
    u = np.array([0.5, np.sqrt(3) / 2, 0.0])
    expected = 3 * 1 * (np.sqrt(3) / 2 + (2 * np.pi / 3) * 0.5) / (2 * np.pi)
    assert kappa(w, u) == pytest.approx(expected, rel=1e-14)


def test_kappa_matches_monte_carlo():
    rng = np.random.default_rng(7)
    w, v = rng.standard_normal(4), rng.standard_normal(4)
    x = rng.standard_normal((1_000_000, 4))
    samples = np.maximum(x @ w, 0) * np.maximum(x @ v, 0)
    se = samples.std() / np.sqrt(samples.size)
    assert abs(kappa(w, v) - samples.mean()) < 4 * se


def test_symmetric_and_homogeneous(rng):
    w, v = rng.standard_normal(5), rng.standard_normal(5)
    assert kappa(w, v) == pytest.approx(kappa(v, w), rel=1e-14)
    assert kappa(2.5 * w, 0.5 * v) == pytest.approx(1.25 * kappa(w, v), rel=1e-13)


def test_geometry_broadcasts_and_theta_range(rng):
    A, B = rng.standard_normal((4, 3)), rng.standard_normal((6, 3))
    B[0] = -A[1]
    B[1] = 2 * A[2]
    g = K.pairwise_gram(A, B)
    assert g.theta.shape == (4, 6)
    assert np.all((g.theta >= 0) & (g.theta <= np.pi))
    assert g.theta[1, 0] == pytest.approx(np.pi, abs=1e-7)
    assert g.theta[2, 1] == pytest.approx(0.0, abs=1e-7)
    cos = (A @ B.T) / np.outer(np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1))
    np.testing.assert_allclose(g.cos, cos, rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------ wedge
def test_wedge_equals_cross_product_norm(rng):
    A, B = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    g = K.pairwise_gram(A, B)
    cross = np.linalg.norm(np.cross(A[:, None, :], B[None, :, :]), axis=-1)
    np.testing.assert_allclose(g.wedge, cross, rtol=1e-12)


def test_wedge_of_parallel_rows_is_tiny_and_near_parallel_is_accurate(rng):
    a = rng.standard_normal(6)
    g = pair(a, 3 * a)
    assert g.wedge[0, 0] <= 1e-15 * 3 * (a @ a)
    angle = 1e-9
    b = rotate(a, angle, rng)
    g = pair(a, b)
    assert g.wedge[0, 0] == pytest.approx(np.sin(angle) * (a @ a), rel=1e-6)
    assert g.theta[0, 0] == pytest.approx(angle, rel=1e-6)


def test_basis_gram_equals_pairwise_gram_with_unit_rows(rng):
    """``basis_gram(A, m)`` is ``pairwise_gram(A, [I_m 0])``, also for near-parallel rows,
    where the wedge must be the exact ``sqrt(Σ_{l≠j} A_il²)`` (no cancellation)."""
    m, d = 4, 6
    A = rng.standard_normal((3, 5, d))
    A[0, 1] = 2.0 * np.eye(d)[2]
    A[1, 3] = -np.eye(d)[0]
    A[1, 3, 4] = 1e-9  # nearly parallel to -e_0: wedge 1e-9 exactly
    A[2, 0] = np.eye(d)[1] * 1e3
    A[2, 0, 0] = 1e-7
    B = np.eye(m, d)
    g, h = K.basis_gram(A, m), K.pairwise_gram(A, B)
    for name in ("nw", "dot", "wedge", "theta", "sin", "cos"):
        x, y = np.broadcast_arrays(getattr(g, name), getattr(h, name))
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15, err_msg=name)
    assert g.wedge[0, 1, 2] == 0.0 and g.theta[0, 1, 2] == 0.0
    assert g.wedge[1, 3, 0] == pytest.approx(1e-9, rel=1e-14)
    assert g.theta[1, 3, 0] == pytest.approx(np.pi - 1e-9, rel=1e-15)
    assert g.wedge[2, 0, 1] == pytest.approx(1e-7, rel=1e-14)
    for (a, b), (c, e) in zip((K.grad_coefficients(g),), (K.grad_coefficients(h),)):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b, e, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ derivatives
@pytest.mark.parametrize("d", [2, 3, 5])
def test_gradient_matches_finite_differences(d, rng):
    for _ in range(3):
        w, v = rng.standard_normal(d), rng.standard_normal(d)
        fd = fd_jacobian(lambda x, v=v: kappa(x, v), w)
        np.testing.assert_allclose(grad_w(w, v), fd, atol=1e-8)


def test_gradient_formula_of_math_md(rng):
    """∂κ/∂w = (|v| sin θ w̄ + (π − θ) v)/(2π)."""
    w, v = rng.standard_normal(4), rng.standard_normal(4)
    nw, nv = np.linalg.norm(w), np.linalg.norm(v)
    theta = np.arccos(w @ v / (nw * nv))
    expected = (nv * np.sin(theta) * w / nw + (np.pi - theta) * v) / (2 * np.pi)
    np.testing.assert_allclose(grad_w(w, v), expected, rtol=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_hessian_blocks_match_finite_differences(d, rng):
    for _ in range(3):
        w, v = rng.standard_normal(d), rng.standard_normal(d)
        ww, wv = blocks(w, v)
        np.testing.assert_allclose(ww, fd_jacobian(lambda x, v=v: grad_w(x, v), w), atol=1e-7)
        np.testing.assert_allclose(wv, fd_jacobian(lambda y, w=w: grad_w(w, y), v), atol=1e-7)
        np.testing.assert_allclose(ww, ww.T, atol=1e-14)


@pytest.mark.parametrize("scale", [2.0, -0.5])
def test_parallel_and_antiparallel_limits(scale, rng):
    """κ is C² at θ ∈ {0, π}: coefficients are finite and blocks are continuous."""
    w = rng.standard_normal(4)
    v = scale * w
    h = K.hessian_coefficients(pair(w, v))
    for field in (h.gamma, h.beta, h.eps, h.delta):
        assert np.all(np.isfinite(field))
    assert h.delta[0, 0] == 0.0
    ww0, wv0 = blocks(w, v)
    # the limit: ∂²_ww κ = 0, ∂²_wv κ = (π − θ)/(2π) I
    np.testing.assert_allclose(ww0, 0.0, atol=1e-15)
    beta = 0.5 if scale > 0 else 0.0
    np.testing.assert_allclose(wv0, beta * np.eye(4), atol=1e-15)
    # nearby (angle 1e-9 from parallel or antiparallel) the blocks are O(1e-9) away
    angle = 1e-9
    v_near = rotate(v, angle, rng)
    ww1, wv1 = blocks(w, v_near)
    np.testing.assert_allclose(ww1, ww0, atol=1e-8)
    np.testing.assert_allclose(wv1, wv0, atol=1e-8)
    # and the gradient there still matches finite differences of κ (C¹ at least)
    fd = fd_jacobian(lambda x: kappa(x, v), w)
    np.testing.assert_allclose(grad_w(w, v), fd, atol=1e-7)
