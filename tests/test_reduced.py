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
        raw = float(system.state([1.0 + delta[0], delta[1]]).loss()[0])
        assert abs(raw - quad) > 1e-3 * quad
    # the extended-precision path is an independent implementation: same values at small k
    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6.5))
    c = np.array([0.98, -0.05, 0.3, 0.22, -0.6])
    assert system.loss_precise(c) == pytest.approx(float(system.state(c).loss()[0]), abs=1e-13)


# ---------------------------------------------------------------------------
# batched evaluation and the exact derivative in k

BATCH_GROUPS = [("k", 6.0), ("k-1,1", 6.5), ("k-2,1,1", 7.25), ("k-1,1|2,1", 5.0), ("k-3,2,1", 9.0)]


@pytest.mark.parametrize("spec,k", BATCH_GROUPS)
def test_batched_calls_equal_single_calls(spec, k, rng):
    system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
    C = rng.normal(size=(7, system.space.dim))
    L, G, H = system.loss(C), system.gradient(C), system.hessian(C)
    Gk = system.gradient_dk(C)
    assert L.shape == (7,) and G.shape == (7, system.space.dim)
    assert H.shape == (7, system.space.dim, system.space.dim) and Gk.shape == G.shape
    for i, c in enumerate(C):
        assert L[i] == pytest.approx(system.loss(c), abs=1e-14)
        np.testing.assert_allclose(G[i], system.gradient(c), atol=1e-14)
        np.testing.assert_allclose(H[i], system.hessian(c), atol=1e-14)
        np.testing.assert_allclose(Gk[i], system.gradient_dk(c), atol=1e-14)
    loss, grad, hess = system.loss_gradient_hessian(C)
    np.testing.assert_allclose(loss, L, atol=1e-14)
    np.testing.assert_allclose(grad, G, atol=1e-14)
    np.testing.assert_allclose(hess, H, atol=1e-14)


@pytest.mark.parametrize(
    "spec,k", [("k", 6.0), ("k-1,1", 6.5), ("k-2,1,1", 7.25), ("k-1,1|2,1", 5.5), ("k-2,2", 40.0)]
)
def test_gradient_dk_matches_central_differences_in_k(spec, k, rng):
    system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
    C = rng.normal(size=(4, system.space.dim))
    h = 1e-5 * k
    fd = (system.with_k(k + h).gradient(C) - system.with_k(k - h).gradient(C)) / (2 * h)
    exact = system.gradient_dk(C)
    np.testing.assert_allclose(exact, fd, rtol=1e-6, atol=1e-7 * max(1.0, np.abs(fd).max()))
    fd_loss = (system.with_k(k + h).loss(C) - system.with_k(k - h).loss(C)) / (2 * h)
    np.testing.assert_allclose(system.loss_dk(C), fd_loss, rtol=1e-6, atol=1e-7)


def test_gradient_dk_at_parallel_rows_matches_finite_differences():
    # W = I_k: every pair of rows orthogonal, teacher rows parallel to the student rows
    for c in ([1.0, 0.0], [0.7, 0.7]):  # the second: all rows of W parallel
        system = ReducedSystem(IsotropyGroup.from_spec("k", 8.5))
        h = 1e-4
        fd = (system.with_k(8.5 + h).gradient(c) - system.with_k(8.5 - h).gradient(c)) / (2 * h)
        np.testing.assert_allclose(system.gradient_dk(c), fd, rtol=1e-6, atol=1e-8)


def test_zero_rows_in_a_batch_name_the_point():
    from symbreak.errors import NotDifferentiableError

    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6))
    C = np.array([[1.0, 0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0, 0.0], [1.0, 0, 0, 0, 1.0]])
    for method in (system.loss, system.gradient, system.hessian, system.gradient_dk):
        with pytest.raises(NotDifferentiableError, match="block 2 .*point 1 of the batch"):
            method(C)
    np.testing.assert_array_equal(system.differentiable(C), [True, False, True])
    assert system.differentiable(C[0]) is True
    with pytest.raises(ValueError, match="finite.*point 2"):
        system.gradient(np.vstack([C[[0, 2]], [np.inf, 0, 0, 0, 1]]))
    with pytest.raises(ValueError, match=r"shape \(5,\) or \(N, 5\)"):
        system.gradient(np.ones((3, 4)))


# --------------------------------------------------------------------------- float64 path
FLOAT64_CASES = [("k-1,1", 6.0), ("k-3,2,1", 9.0), ("k-2,2", 7.5), ("k", 20.0), ("k-1,1|2,1", 5.5)]


@pytest.mark.parametrize("spec,k", FLOAT64_CASES)
def test_float64_results_do_not_depend_on_the_batch(spec, k, rng):
    # every point is evaluated by the same operations whatever batch it is in:
    # a batch equals single calls exactly, not only up to rounding
    system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
    C = rng.normal(size=(40, system.space.dim))
    for name in ("loss", "gradient", "hessian"):
        fn = getattr(system, name)
        batch = fn(C)
        np.testing.assert_array_equal(batch, np.array([fn(c) for c in C]), err_msg=name)
        np.testing.assert_array_equal(batch[7:19], fn(C[7:19]), err_msg=name)
        assert fn(C[:0]).shape == (0, *batch.shape[1:])  # an empty batch


def _mp_hessian(group, c):
    from symbreak.reduced.arithmetic import MPArithmetic
    from symbreak.reduced.generic import GenericReducedSystem

    gen = GenericReducedSystem(group, MPArithmetic(40))
    return np.array([[float(x) for x in row] for row in gen.hessian([float(x) for x in c])])


@pytest.mark.parametrize("spec,k", [("k-1,1", 9.0), ("k-2,1,1", 8.5), ("k-3,2,1", 10.0)])
def test_float64_hessian_matches_40_digits_with_nearly_parallel_rows(spec, k, rng):
    # the float64 Hessian form (dense products; the δ-terms of a pair of rows as one
    # rank-one term with the symmetric part of Ω) against the term-by-term mpmath
    # evaluation (asymmetric Ω, bounded δ-terms): random points, points with all
    # rows nearly parallel (δ ~ 1/sin θ large) and exactly parallel (δ = 0)
    group = IsotropyGroup.from_spec(spec, k)
    system = ReducedSystem(group)
    w = system._weights
    assert not np.array_equal(w.pair, w.pair.T)  # Ω is asymmetric here: the claim is tested
    dim = system.space.dim
    # float64 rejections of rows at angle θ lose about log10(1/sin θ) digits
    points = [(rng.normal(size=dim), 1e-13) for _ in range(2)]
    for eps in (1e-6, 1e-9, 0.0):
        c = np.full(dim, 0.3)
        c[0] += eps
        c[-1] = -0.2
        points.append((c, 1e-13 + (1e-16 / eps if eps else 0.0)))
    for c, tol in points:
        ref = _mp_hessian(group, c)
        np.testing.assert_allclose(system.hessian(c), ref, rtol=0, atol=tol * np.abs(ref).max())


def test_inert_probe_rows():
    # k-1,1 at k = 6: blocks of sizes 5 and 1.  With marks (4, 0) the second generic
    # probe g2 of each block stands for no row: ω = 0 and Ω(g1, g2) = m'(m' − 1) = 0
    # with m' = m − μ = 1 generic rows; the singleton's g2 has constant weights (its
    # d/dk vanishes too), block 0's g2 does not (d/dk m'(m' − 1) = 2m' − 1 = 1)
    from symbreak.reduced.evaluate import compressed_state
    from symbreak.reduced.layout import G2, layout_for

    group = IsotropyGroup.from_spec("k-1,1", 6)
    layout = layout_for(group, (4, 0))
    w = layout.float_weights(group.sizes, group.size_derivatives)
    g2 = [p for p, (_, lab) in enumerate(layout.rows) if lab == G2]
    assert w.inert_rows(derivatives=False).tolist() == g2
    singleton_g2 = [p for p in g2 if layout.rows[p][0] == 1]
    assert w.inert_rows().tolist() == singleton_g2
    keep = [p for p in range(len(layout.rows)) if p not in g2]
    small, ws = layout.restrict_rows(keep), w.restrict_rows(keep)
    assert small is layout.restrict_rows(keep) and len(small.rows) == len(layout.rows) - 2
    U = np.random.default_rng(0).normal(size=(3, *layout.coord_index.shape))
    C = np.random.default_rng(1).normal(size=(4, FixedPointSpace(group).dim))
    full, cut = compressed_state(layout, w, 6, C), compressed_state(small, ws, 6, C)
    np.testing.assert_allclose(cut.loss(), full.loss(), rtol=1e-13)
    np.testing.assert_allclose(cut.gradient_form(U[:, keep]), full.gradient_form(U), atol=1e-12)
    np.testing.assert_allclose(cut.hessian_form(U[:, keep]), full.hessian_form(U), atol=1e-12)
