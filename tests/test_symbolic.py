"""Exact sympy expressions (and the geometric-algebra kernel) against the numpy model."""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from symbreak import TeacherStudent
from symbreak.model import kernel as K
from symbreak.model import symbolic as S


def numpy_kappa(w, v) -> float:
    return float(K.kappa(K.pairwise_gram(np.atleast_2d(w), np.atleast_2d(v)))[0, 0])


# ----------------------------------------------------------------- symbols


def test_symbol_matrix_shape_names_and_assumptions():
    W = S.symbol_matrix(2, 3, "u")
    assert W.shape == (2, 3)
    assert str(W[1, 2]) == "u1_2"
    assert W[0, 0].is_real
    assert len(set(W)) == 6
    assert S.symbol_matrix(1, 1, real=False)[0].is_real is None


@pytest.mark.parametrize(
    ("args", "error"),
    [((0, 2), ValueError), ((2, -1), ValueError), ((1.5, 2), TypeError), ((True, 2), TypeError)],
)
def test_symbol_matrix_rejects_bad_sizes(args, error):
    with pytest.raises(error):
        S.symbol_matrix(*args)


def test_symbol_matrix_rejects_bad_names():
    with pytest.raises(ValueError, match="identifier"):
        S.symbol_matrix(2, 2, "1w")


# ----------------------------------------------------------------- kernel, exactly


def test_kappa_exact_values():
    # θ = π/4 between (1, 0) and (1, 1): |w||v| = √2, sin θ = cos θ = 1/√2
    expected = (1 + 3 * sp.pi / 4) / (2 * sp.pi)
    assert sp.simplify(S.kappa_expr([1, 0], [1, 1]) - expected) == 0
    assert S.kappa_expr([2, 0, 0], [0, 3, 0]) == 3 / sp.pi  # θ = π/2: |w||v|/(2π)
    assert S.kappa_expr([1, 2], [-2, -4]) == 0  # antiparallel
    assert S.kappa_expr([1, 2], [2, 4]) == 5  # parallel: |w||v|/2
    w = S.symbol_matrix(1, 3)
    assert sp.simplify(S.kappa_expr(w, w) - (w * w.T)[0] / 2) == 0


def test_wedge_norm_is_the_cross_product_norm_in_r3():
    w, v = [1, 2, 3], [sp.Rational(1, 2), 0, -1]
    cross = sp.Matrix(w).cross(sp.Matrix(v)).norm()
    assert sp.simplify(S.wedge_norm_expr(w, v) - cross) == 0
    assert S.dot_expr(w, v) == sp.Rational(-5, 2)


def test_kappa_expr_agrees_with_the_numpy_kernel(rng):
    for d in (1, 2, 3, 5):
        for _ in range(3):
            w, v = rng.standard_normal(d), rng.standard_normal(d)
            assert float(S.kappa_expr(w, v)) == pytest.approx(numpy_kappa(w, v), rel=1e-12)


def test_theta_is_the_angle():
    assert S.theta_expr([1, 0], [1, 1]) == sp.pi / 4
    assert S.theta_expr([1, 0], [-1, 0]) == sp.pi


@pytest.mark.parametrize(
    ("w", "v", "error", "message"),
    [
        ([0, 0], [1, 0], ValueError, "w is the zero vector"),
        ([1, 0], [0, 0], ValueError, "v is the zero vector"),
        ([1, 0], [1, 0, 0], ValueError, "same length"),
        ("ab", [1, 0], TypeError, "sequence"),
        ([1, sp.I], [1, 0], ValueError, "real"),
        ([1, sp.oo], [1, 0], ValueError, "finite"),
        (sp.eye(2), [1, 0], ValueError, "row or column"),
        ([], [], ValueError, "empty"),
    ],
)
def test_kappa_expr_rejects_bad_vectors(w, v, error, message):
    with pytest.raises(error, match=message):
        S.kappa_expr(w, v)


# ----------------------------------------------------------------- loss


@pytest.mark.parametrize(("n", "k", "d"), [(2, 2, 2), (3, 2, 3), (2, 3, 2)])
def test_lambdified_loss_equals_numpy_loss(n, k, d, rng):
    V = rng.standard_normal((k, d))
    Wsym = S.symbol_matrix(n, d)
    f = sp.lambdify(list(Wsym), S.loss_expr(Wsym, V), "numpy")
    model = TeacherStudent(V, n=n)
    for _ in range(3):
        W = rng.standard_normal((n, d))
        assert f(*W.ravel()) == pytest.approx(model.loss(W), rel=1e-12, abs=1e-14)


def test_exact_loss_at_the_teacher_is_zero():
    V = sp.Matrix([[1, 0, 0], [0, 1, 0]])
    assert S.loss_expr(V, V) == 0
    # and at W = c·I_2 (d = 2) it equals the closed form of MATH.md §1
    c = sp.Rational(7, 10)
    expected = (c - 1) ** 2 / 2 + (c - 1) ** 2 / (2 * sp.pi)
    assert sp.simplify(S.loss_expr(c * sp.eye(2), sp.eye(2)) - expected) == 0


def test_sympy_gradient_and_hessian_equal_numpy(rng):
    n, k, d = 2, 2, 3
    V = rng.standard_normal((k, d))
    Wsym = S.symbol_matrix(n, d)
    L = S.loss_expr(Wsym, V)
    args = list(Wsym)
    grad = sp.lambdify(args, S.gradient_expr(L, Wsym), "numpy")
    hess = sp.lambdify(args, S.hessian_expr(L, Wsym), "numpy")
    model = TeacherStudent(V, n=n)
    W = rng.standard_normal((n, d))
    np.testing.assert_allclose(np.asarray(grad(*W.ravel()), float), model.grad(W), atol=1e-12)
    np.testing.assert_allclose(np.asarray(hess(*W.ravel()), float), model.hessian(W), atol=1e-11)


def test_loss_expr_input_errors():
    W = S.symbol_matrix(2, 2)
    with pytest.raises(ValueError, match="same number of columns"):
        S.loss_expr(W, np.eye(3))
    with pytest.raises(ValueError, match="2-D"):
        S.loss_expr(W, [1, 0])
    with pytest.raises(TypeError, match="kernel must be callable"):
        S.loss_expr(W, np.eye(2), kernel=3)
    with pytest.raises(TypeError, match="matrix of symbols"):
        S.gradient_expr(W[0, 0], sp.eye(2))


# ----------------------------------------------------------------- geometric algebra


def test_ga_module_imports_without_loading_galgebra():
    code = (
        "import sys, symbreak, symbreak.model.symbolic, symbreak.model.geometric_algebra; "
        "print('galgebra' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("d", [2, 3])
def test_ga_kernel_equals_numpy_kernel(d, rng):
    pytest.importorskip("galgebra")
    from symbreak.model import geometric_algebra as G

    for _ in range(3):
        w, v = rng.standard_normal(d), rng.standard_normal(d)
        assert float(G.kappa_ga(w, v)) == pytest.approx(numpy_kappa(w, v), rel=1e-12)
        g = K.pairwise_gram(w[None], v[None])
        assert float(G.wedge_norm_ga(w, v)) == pytest.approx(float(g.wedge[0, 0]), rel=1e-12)
        assert float(G.dot_ga(w, v)) == pytest.approx(float(w @ v), rel=1e-12, abs=1e-14)


def test_ga_kernel_exact_and_symbolic():
    pytest.importorskip("galgebra")
    from symbreak.model import geometric_algebra as G

    assert sp.simplify(G.kappa_ga([1, 0], [1, 1]) - (1 + 3 * sp.pi / 4) / (2 * sp.pi)) == 0
    assert G.kappa_ga([1, 2, 2], [2, 4, 4]) == 9  # parallel: |w||v|/2
    assert G.kappa_ga([1, 2, 2], [-1, -2, -2]) == 0
    # |w∧v|² from the bivector equals Lagrange's identity |w|²|v|² − (w·v)², symbolically
    w, v = S.symbol_matrix(1, 3, "a"), S.symbol_matrix(1, 3, "b")
    lagrange = (w * w.T)[0] * (v * v.T)[0] - (w * v.T)[0] ** 2
    assert sp.expand(G.wedge_norm_ga(w, v) ** 2 - lagrange) == 0
    with pytest.raises(ValueError, match="d = 2 or 3"):
        G.kappa_ga([1, 0, 0, 0], [0, 1, 0, 0])


def test_loss_from_ga_kernel_equals_numpy_loss(rng):
    pytest.importorskip("galgebra")
    from symbreak.model import geometric_algebra as G

    V = rng.standard_normal((2, 3))
    Wsym = S.symbol_matrix(2, 3)
    f = sp.lambdify(list(Wsym), S.loss_expr(Wsym, V, kernel=G.kappa_ga), "numpy")
    W = rng.standard_normal((2, 3))
    assert f(*W.ravel()) == pytest.approx(TeacherStudent(V, n=2).loss(W), rel=1e-12)
