"""Dense teacher–student model: values, derivatives, symmetry, degenerate and bad input.

Reference values are independent of the code under test: Monte Carlo over
Gaussian inputs, central finite differences, permutation identities, dense
``eigvalsh`` against the known spectrum at ``W = V = I_k``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak import TeacherStudent

# ----------------------------------------------------------------- helpers


def fd_grad(model, W, h=1e-6):
    G = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        G[idx] = (model.loss(W + E) - model.loss(W - E)) / (2 * h)
    return G


def fd_hessian(model, W, h=1e-6):
    n, d = W.shape
    H = np.zeros((n * d, n * d))
    for p in range(n * d):
        E = np.zeros(n * d)
        E[p] = h
        E = E.reshape(n, d)
        H[:, p] = ((model.grad(W + E) - model.grad(W - E)) / (2 * h)).ravel()
    return H


def mc_loss(W, V, samples, rng, chunk=250_000):
    """Monte Carlo ½E[(f(x;W) − f(x;V))²] and its standard error."""
    vals = []
    for start in range(0, samples, chunk):
        x = rng.standard_normal((min(chunk, samples - start), W.shape[1]))
        diff = np.maximum(x @ W.T, 0).sum(1) - np.maximum(x @ V.T, 0).sum(1)
        vals.append(0.5 * diff**2)
    vals = np.concatenate(vals)
    return vals.mean(), vals.std() / np.sqrt(vals.size)


def perm_matrix(p):
    return np.eye(len(p))[list(p)]


# ----------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("n", "k", "d", "seed"),
    [(3, 2, 4, 1), (2, 3, 3, 2), (4, 4, 4, 3)],
)
def test_loss_matches_monte_carlo(n, k, d, seed):
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((k, d))
    W = rng.standard_normal((n, d))
    if n > 2:
        W[2] = -0.7 * W[0]  # an antiparallel pair inside the student
    model = TeacherStudent(V, n=n)
    mean, se = mc_loss(W, V, 1_000_000, rng)
    assert abs(model.loss(W) - mean) < 4 * se


def test_loss_at_teacher_is_zero_and_gradient_vanishes(rng):
    V = rng.standard_normal((4, 6))
    model = TeacherStudent(V)
    assert model.loss(V) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.grad(V), 0.0, atol=1e-12)
    # a permuted copy of the teacher is also a global minimum
    W = V[[2, 0, 3, 1]]
    assert model.loss(W) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.grad(W), 0.0, atol=1e-12)


def test_identity_teacher_loss_closed_form():
    """At W = c·I_k the loss is a closed form in c (MATH.md §1).

    κ(c e_i, c e_j) = c²/(2π) (i ≠ j), c²/2 (i = j); κ(c e_i, e_j) = c/(2π), c/2.
    """
    k, c = 5, 0.7
    model = TeacherStudent(np.eye(k))
    off = k * (k - 1)
    expected = (
        0.5 * (k * c**2 / 2 + off * c**2 / (2 * np.pi))
        - (k * c / 2 + off * c / (2 * np.pi))
        + 0.5 * (k / 2 + off / (2 * np.pi))
    )
    assert model.loss(c * np.eye(k)) == pytest.approx(expected, rel=1e-13)


# ----------------------------------------------------------------- derivatives


@pytest.mark.parametrize(("n", "k", "d"), [(3, 3, 3), (4, 2, 3), (2, 3, 5)])
def test_gradient_and_hessian_match_finite_differences(n, k, d, rng):
    V = rng.standard_normal((k, d))
    W = rng.standard_normal((n, d))
    model = TeacherStudent(V, n=n)
    np.testing.assert_allclose(model.grad(W), fd_grad(model, W), atol=1e-8)
    H = model.hessian(W)
    assert H.shape == (n * d, n * d)
    np.testing.assert_allclose(H, fd_hessian(model, W), atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-14)


def test_hvp_matches_hessian_and_finite_differences(rng):
    V = rng.standard_normal((3, 4))
    W = rng.standard_normal((5, 4))
    U = rng.standard_normal((5, 4))
    model = TeacherStudent(V, n=5)
    hv = model.hvp(W, U)
    assert hv.shape == (5, 4)
    np.testing.assert_allclose(hv.ravel(), model.hessian(W) @ U.ravel(), atol=1e-13)
    h = 1e-6
    fd = (model.grad(W + h * U) - model.grad(W - h * U)) / (2 * h)
    np.testing.assert_allclose(hv, fd, atol=1e-7)


# ----------------------------------------------------------------- symmetry


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 4),
    k=st.integers(1, 4),
    d=st.integers(1, 4),
    data=st.data(),
)
def test_equivariance_under_row_and_column_permutations(n, k, d, data):
    """L(P W Qᵀ; P' V Qᵀ) = L(W; V), ∇ ↦ P ∇ Qᵀ, H ↦ (P⊗Q) H (P⊗Q)ᵀ."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    p = data.draw(st.permutations(range(n)), label="row perm of W")
    p2 = data.draw(st.permutations(range(k)), label="row perm of V")
    q = data.draw(st.permutations(range(d)), label="column perm")
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((k, d))
    W = rng.standard_normal((n, d))
    P, P2, Q = perm_matrix(p), perm_matrix(p2), perm_matrix(q)
    m0 = TeacherStudent(V, n=n)
    m1 = TeacherStudent(P2 @ V @ Q.T, n=n)
    W1 = P @ W @ Q.T
    assert m1.loss(W1) == pytest.approx(m0.loss(W), rel=1e-12, abs=1e-13)
    np.testing.assert_allclose(m1.grad(W1), P @ m0.grad(W) @ Q.T, atol=1e-12)
    PQ = np.kron(P, Q)
    np.testing.assert_allclose(m1.hessian(W1), PQ @ m0.hessian(W) @ PQ.T, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(k=st.integers(2, 5), data=st.data())
def test_invariance_for_identity_teacher(k, data):
    """V = I_k, d = k: Γ = S_k × S_k acts and L is invariant (teacher fixed by P_ρ V P_ρᵀ)."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    pi = perm_matrix(data.draw(st.permutations(range(k)), label="pi"))
    rho = perm_matrix(data.draw(st.permutations(range(k)), label="rho"))
    W = np.random.default_rng(seed).standard_normal((k, k))
    model = TeacherStudent(np.eye(k))
    W1 = pi @ W @ rho.T
    assert model.loss(W1) == pytest.approx(model.loss(W), rel=1e-12)
    np.testing.assert_allclose(model.grad(W1), pi @ model.grad(W) @ rho.T, atol=1e-12)


# ----------------------------------------------------------------- spectrum at W = V = I


@pytest.mark.parametrize("k", [4, 5, 6])
def test_hessian_spectrum_at_global_minimum(k):
    """Eigenvalues 1/4 ∓ 1/(2π) with multiplicities k(k−1)/2 and k(k−3)/2 (MATH.md §3)."""
    V = np.eye(k)
    H = TeacherStudent(V).hessian(V)
    ev = np.linalg.eigvalsh(H)
    lo, hi = 0.25 - 1 / (2 * np.pi), 0.25 + 1 / (2 * np.pi)
    assert np.sum(np.abs(ev - lo) < 1e-9) == k * (k - 1) // 2
    assert np.sum(np.abs(ev - hi) < 1e-9) == k * (k - 3) // 2
    assert ev.min() > 0  # a strict local minimum
    # the diagonal blocks are exactly ½ I there (student and teacher terms cancel)
    assert np.trace(H) == pytest.approx(k * k / 2, rel=1e-13)


# ----------------------------------------------------------------- degenerate input


def degenerate_point(rng):
    V = rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 4))
    W[1] = 2.0 * W[0]  # parallel student rows
    W[2] = -0.5 * W[0]  # antiparallel
    W[3] = 1.3 * V[1]  # parallel to a teacher row
    return V, W


def test_parallel_rows_give_finite_derivatives_matching_finite_differences(rng):
    V, W = degenerate_point(rng)
    model = TeacherStudent(V, n=4)
    H = model.hessian(W)
    assert np.all(np.isfinite(H))
    assert np.isfinite(model.loss(W))
    np.testing.assert_allclose(model.grad(W), fd_grad(model, W), atol=1e-8)
    # κ is C² but not C³ at θ ∈ {0, π}: the central-difference error is O(h) there.
    np.testing.assert_allclose(H, fd_hessian(model, W, h=1e-7), atol=5e-6)
    U = rng.standard_normal(W.shape)
    np.testing.assert_allclose(model.hvp(W, U).ravel(), H @ U.ravel(), atol=1e-13)


def test_near_parallel_rows_approach_the_parallel_limit(rng):
    V, W = degenerate_point(rng)
    model = TeacherStudent(V, n=4)
    W_near = W.copy()
    for i in (1, 2, 3):  # rotate each degenerate row by 1e-9 rad, norm kept
        u = rng.standard_normal(4)
        u -= (u @ W[i]) / (W[i] @ W[i]) * W[i]
        u *= np.linalg.norm(W[i]) / np.linalg.norm(u)
        W_near[i] = np.cos(1e-9) * W[i] + np.sin(1e-9) * u
    # W_near − W is O(1e-9): first-order Taylor holds to rounding, and the
    # Hessian (Lipschitz, since κ is C²,¹) moves by O(1e-9) — no 1/sin θ blow-up.
    D = W_near - W
    H = model.hessian(W)
    taylor_loss = model.loss(W) + np.sum(model.grad(W) * D)
    assert model.loss(W_near) == pytest.approx(taylor_loss, abs=1e-13)
    taylor_grad = model.grad(W) + (H @ D.ravel()).reshape(W.shape)
    np.testing.assert_allclose(model.grad(W_near), taylor_grad, atol=1e-13)
    np.testing.assert_allclose(model.hessian(W_near), H, atol=1e-8)
    U = rng.standard_normal(W.shape)
    np.testing.assert_allclose(model.hvp(W_near, U), model.hvp(W, U), atol=1e-8)


def test_teacher_with_parallel_rows_is_legal(rng):
    v = rng.standard_normal(3)
    V = np.stack([v, 2 * v, -v])
    model = TeacherStudent(V)
    assert model.loss(V) == pytest.approx(0.0, abs=1e-12)
    # the student is a sum of ReLUs: relu(v·x) + relu(2v·x) = relu(3v·x) on every x
    W = np.stack([3 * v, -v, rng.standard_normal(3)])
    mean, se = mc_loss(W, V, 200_000, rng)
    assert abs(model.loss(W) - mean) < 4 * se


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("method", ["loss", "grad", "hessian"])
def test_zero_row_error_names_the_row(method, rng):
    V = rng.standard_normal((3, 3))
    W = rng.standard_normal((3, 3))
    W[2] = 0.0
    with pytest.raises(ValueError, match=r"W has a zero row \(index 2\)"):
        getattr(TeacherStudent(V), method)(W)
    with pytest.raises(ValueError, match=r"index 2"):
        TeacherStudent(V).hvp(W, W)


def test_zero_teacher_row_is_rejected():
    V = np.eye(3)
    V[1] = 0
    with pytest.raises(ValueError, match=r"V has a zero row \(index 1\)"):
        TeacherStudent(V)


@pytest.mark.parametrize("n", [0, -2])
def test_width_below_one_is_rejected(n):
    with pytest.raises(ValueError, match="n must be >= 1"):
        TeacherStudent(np.eye(2), n=n)


@pytest.mark.parametrize("n", [1.5, "3", [2]])
def test_width_must_be_an_integer(n):
    with pytest.raises(TypeError, match="n must be an integer"):
        TeacherStudent(np.eye(2), n=n)


def test_default_width_is_k_and_repr():
    model = TeacherStudent(np.ones((3, 5)), n=None)
    assert (model.n, model.k, model.d) == (3, 3, 5)
    assert "k=3" in repr(model) and "n=3" in repr(model)
    assert TeacherStudent(np.eye(2), n=4).n == 4


@pytest.mark.parametrize(
    ("W", "message"),
    [
        (np.ones((3, 2)), r"W must have shape \(2, 3\), got \(3, 2\)"),
        (np.ones((2, 4)), r"axis 1: expected 3, got 4"),  # mismatched d
        (np.ones(3), "W must be a 2-D array"),
        (np.ones((2, 3, 1)), "W must be a 2-D array"),
        (np.zeros((0, 3)), "must not be empty"),
    ],
)
def test_wrong_shapes_are_rejected(W, message):
    with pytest.raises(ValueError, match=message):
        TeacherStudent(np.eye(3)[:2]).loss(W)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_entries_are_rejected(bad):
    W = np.eye(3)
    W[1, 2] = bad
    model = TeacherStudent(np.eye(3))
    for method in (model.loss, model.grad, model.hessian):
        with pytest.raises(ValueError, match=r"W contains NaN or inf \(first at index \(1, 2\)\)"):
            method(W)
    with pytest.raises(ValueError, match="U contains NaN or inf"):
        model.hvp(np.eye(3), W)
    with pytest.raises(ValueError, match="V contains NaN or inf"):
        TeacherStudent(W)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="V must be a 2-D array of real numbers"):
        TeacherStudent("identity")
    with pytest.raises(TypeError, match="W must be a 2-D array of real numbers"):
        TeacherStudent(np.eye(2)).loss([["a", "b"], ["c", "d"]])
    with pytest.raises(TypeError):
        TeacherStudent(None)


def test_hvp_direction_shape_is_checked():
    model = TeacherStudent(np.eye(3))
    with pytest.raises(ValueError, match=r"U must have shape \(3, 3\)"):
        model.hvp(np.eye(3), np.ones((3, 2)))


@pytest.mark.parametrize("e", [-1000, -400, 400, 1000])
def test_homogeneity_at_extreme_scales(e, rng):
    """L(cW; cV) = c² L(W; V), ∇ scales by c, ∇² by 1 (c = 2^e: exact in floating point)."""
    V, W, U = (rng.standard_normal((3, 4)) for _ in range(3))
    c = 2.0**e
    m1, mc = TeacherStudent(V), TeacherStudent(c * V)
    if abs(e) < 500:  # c² L itself is representable
        assert np.ldexp(mc.loss(c * W), -2 * e) == pytest.approx(m1.loss(W), rel=1e-14)
    np.testing.assert_allclose(np.ldexp(mc.grad(c * W), -e), m1.grad(W), rtol=1e-14)
    np.testing.assert_allclose(mc.hessian(c * W), m1.hessian(W), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(mc.hvp(c * W, U), m1.hvp(W, U), rtol=1e-14, atol=1e-15)
    # and the direction of an HVP may be huge or tiny on its own
    np.testing.assert_allclose(np.ldexp(m1.hvp(W, c * U), -e), m1.hvp(W, U), rtol=1e-14)


def test_unrepresentable_results_raise_instead_of_nan():
    with pytest.raises(ValueError, match="the loss overflowed"):
        TeacherStudent(1e200 * np.eye(2)).loss(np.full((2, 2), 1e200))  # L ~ 1e400
    model = TeacherStudent(np.eye(2))
    W = np.eye(2)
    W[1] *= 1e-200
    with pytest.raises(ValueError, match="row 1 of W is more than ~1e150 times smaller"):
        model.grad(W)
    with pytest.raises(ValueError, match="row 1 of V is more than ~1e150 times smaller"):
        TeacherStudent([[1e300, 0.0], [0.0, 1e-300]])
    with pytest.raises(ValueError, match="the Hessian overflowed"):
        TeacherStudent(np.eye(3)).hessian(1e-160 * np.arange(1.0, 10.0).reshape(3, 3))


def test_hessian_into_a_buffer():
    rng = np.random.default_rng(3)
    model = TeacherStudent(np.eye(4), n=5)
    W = rng.normal(size=(5, 4))
    buf = np.full((20, 20), np.nan)
    out = model.hessian(W, out=buf)
    assert out is buf
    np.testing.assert_array_equal(buf, model.hessian(W))
    with pytest.raises(ValueError, match="C-contiguous float64 array of shape"):
        model.hessian(W, out=np.empty((20, 19)))
    with pytest.raises(TypeError):
        model.hessian(W, out=[[0.0]])


def test_dead_neuron_derivative_is_the_one_sided_derivative_and_differentiates():
    """D⁺L[u] = lim (L(W ⊕ s u) − L(W))/s; its gradient and Hessian by finite differences."""
    rng = np.random.default_rng(5)
    V = np.eye(4) + 0.2 * rng.standard_normal((4, 4))
    W = rng.standard_normal((3, 4))
    model, bigger = TeacherStudent(V, n=3), TeacherStudent(V, n=4)
    U = rng.standard_normal((2, 4))
    val, grad, hess = model.dead_neuron_derivative(W, U, order=2)
    h = 1e-5
    for p in range(2):
        s = 1e-7
        slope = (bigger.loss(np.vstack([W, s * U[p]])) - model.loss(W)) / s
        assert slope == pytest.approx(val[p], abs=1e-6)
        e = rng.standard_normal(4)
        f = lambda x: model.dead_neuron_derivative(W, x[None], order=1)  # noqa: E731
        fd = (f(U[p] + h * e)[0] - f(U[p] - h * e)[0]) / (2 * h)
        assert fd[0] == pytest.approx(grad[p] @ e, rel=1e-7)
        fdg = (f(U[p] + h * e)[1] - f(U[p] - h * e)[1]) / (2 * h)
        np.testing.assert_allclose(fdg[0], hess[p] @ e, atol=1e-8)
    # degree-1 homogeneity in u
    np.testing.assert_allclose(model.dead_neuron_derivative(W, 3 * U), 3 * val, rtol=1e-12)
    with pytest.raises(ValueError, match="zero row"):
        model.dead_neuron_derivative(W, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="order"):
        model.dead_neuron_derivative(W, U, order=3)


def test_grad_teacher_derivative_matches_finite_differences():
    """∂_s ∇L(W; V + sE) against a central difference in s (generic and parallel rows)."""
    rng = np.random.default_rng(7)
    V = np.eye(4) + 0.1 * rng.standard_normal((4, 4))
    E = rng.standard_normal((4, 4))
    h = 1e-6
    for W in (rng.standard_normal((5, 4)), np.vstack([2 * V[0], V[1:], V[2]])):
        exact = TeacherStudent(V, n=5).grad_teacher_derivative(W, E)
        fd = (TeacherStudent(V + h * E, n=5).grad(W) - TeacherStudent(V - h * E, n=5).grad(W)) / (
            2 * h
        )
        # κ is C² but not C³ at parallel pairs: the difference is then only O(h)
        np.testing.assert_allclose(exact, fd, atol=2e-6)
    with pytest.raises(ValueError, match="shape"):
        TeacherStudent(V, n=5).grad_teacher_derivative(W, np.ones((3, 4)))
