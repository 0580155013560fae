"""The compressed (reduced) model against the dense model and finite differences."""

import numpy as np
import pytest
from _helpers import dense_model

from symbreak.critical import FixedPointSpace
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup

GROUPS = [
    ("k", 6, None),
    ("k-1,1", 6, None),
    ("k-2,2", 7, None),
    ("k-2,1,1", 7, None),
    ("k-3,2,1", 8, None),
    ("k-1,1|1", 5, None),
    ("k-1,1|2,1", 5, None),
    ("3,1,2||2", 6, 8),
    ("2,2", 4, None),
    ("1,1,1", 3, None),
    ("k", 2, None),
]


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_loss_gradient_hessian_match_dense(spec, k, d, rng):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    system = ReducedSystem(group)
    space = system.space
    model = dense_model(group)
    for _ in range(3):
        c = rng.normal(size=space.dim)
        W = space.embed(c)
        E = [space.embed(np.eye(space.dim)[o]) for o in range(space.dim)]
        G = model.grad(W)
        H = model.hessian(W)
        grad_dense = np.array([np.sum(G * e) for e in E])
        hess_dense = np.array([[e1.ravel() @ H @ e2.ravel() for e2 in E] for e1 in E])
        loss, grad, hess = system.loss_gradient_hessian(c)
        assert loss == pytest.approx(model.loss(W), abs=1e-12)
        np.testing.assert_allclose(grad, grad_dense, atol=1e-11)
        np.testing.assert_allclose(hess, hess_dense, atol=1e-11)


@pytest.mark.parametrize("k", [5.5, 7.25, 1e3, 1e6])
def test_reduced_derivatives_match_finite_differences_at_real_k(k, rng):
    system = ReducedSystem(IsotropyGroup.from_spec("k-2,1,1", k))
    c = rng.normal(size=system.space.dim)
    h = 1e-6 * max(1.0, np.abs(c).max())
    g = system.gradient(c)
    H = system.hessian(c)
    scale = max(1.0, np.abs(g).max())
    for o in range(system.space.dim):
        e = np.zeros_like(c)
        e[o] = h
        fd = (system.loss(c + e) - system.loss(c - e)) / (2 * h)
        assert fd == pytest.approx(g[o], rel=1e-5, abs=1e-6 * scale)
        fd_col = (system.gradient(c + e) - system.gradient(c - e)) / (2 * h)
        np.testing.assert_allclose(fd_col, H[:, o], rtol=1e-5, atol=1e-5 * max(1, np.abs(H).max()))


def test_global_minimum_is_critical_with_zero_loss_at_any_k():
    for k in (3.5, 6, 1e4):
        system = ReducedSystem(IsotropyGroup.from_spec("k", k))
        assert abs(system.loss([1.0, 0.0])) < 1e-9 * max(1, k)
        assert np.linalg.norm(system.gradient([1.0, 0.0])) < 1e-9 * max(1, k)


def test_fixed_point_coordinates_documented_order():
    group = IsotropyGroup.from_spec("k-1,1", 4)
    space = FixedPointSpace(group)
    assert space.names == ("a", "b", "c", "e", "f")
    W = space.embed([1, 2, 3, 4, 5])
    expected = np.array([[1, 2, 2, 3], [2, 1, 2, 3], [2, 2, 1, 3], [4, 4, 4, 5]], float)
    np.testing.assert_array_equal(W, expected)
    np.testing.assert_allclose(space.project(W), [1, 2, 3, 4, 5])
    assert FixedPointSpace(IsotropyGroup.from_spec("k", 3)).names == ("a", "b")


def test_embedded_points_are_fixed_and_projection_is_orthogonal(rng):
    group = IsotropyGroup.from_spec("k-2,1,1|1", 6)
    space = FixedPointSpace(group)
    c = rng.normal(size=space.dim)
    W = space.embed(c)
    assert group.fixes(W)
    X = rng.normal(size=W.shape)
    P = space.embed(space.project(X))
    # X - P is orthogonal to every Fix(H) basis matrix
    for o in range(space.dim):
        assert abs(np.sum((X - P) * space.embed(np.eye(space.dim)[o]))) < 1e-12
    # orthonormal coordinates preserve the Frobenius norm
    assert np.linalg.norm(space.to_orthonormal(c)) == pytest.approx(np.linalg.norm(W))


def test_zero_rows_raise_a_clear_error():
    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6))
    with pytest.raises(ValueError, match="zero"):
        system.loss([1.0, 0.0, 0.0, 0.0, 0.0])  # last row zero
    with pytest.raises(ValueError, match="5 coordinates"):
        system.loss([1.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        system.loss([np.nan, 0, 0, 0, 1])


def test_loss_at_large_k_is_precise():
    # near W = V the loss is the quadratic form of the (accurate) reduced Hessian
    for k in (1e5, 1e6):
        system = ReducedSystem(IsotropyGroup.from_spec("k", k))
        H = system.hessian([1.0, 0.0])
        delta = np.array([0.0, 1e-10])  # off-diagonal entries 1e-10: L ≈ 1e-6 … 1e-3
        quad = 0.5 * delta @ H @ delta
        assert system.loss([1.0 + delta[0], delta[1]]) == pytest.approx(quad, rel=1e-6)
        # the float64 sum alone cannot resolve it: its error is about 1e-16·k²
        raw = system.state([1.0 + delta[0], delta[1]]).loss()
        assert abs(raw - quad) > 1e-3 * quad
    # the extended-precision path is an independent implementation: same values at small k
    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6.5))
    c = np.array([0.98, -0.05, 0.3, 0.22, -0.6])
    assert system.loss_precise(c) == pytest.approx(system.state(c).loss(), abs=1e-13)
