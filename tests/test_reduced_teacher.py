"""The compressed model with a teacher V in Fix(H) (explicit teacher rows) against the dense
model TeacherStudent(V), finite differences and dense eigvalsh."""

import numpy as np
import pytest

from symbreak import TeacherStudent, analytic_spectrum, hessian_blocks
from symbreak._numerics import cluster_eigenvalues
from symbreak.errors import NotDifferentiableError
from symbreak.reduced import ReducedSystem
from symbreak.reduced.arithmetic import MPArithmetic
from symbreak.reduced.fixed_point import FixedPointSpace, inclusion_matrix
from symbreak.reduced.generic import GenericReducedSystem
from symbreak.reduced.teacher import Teacher, TeacherSpace
from symbreak.representation import IsotropyGroup

CASES = [("k-1,1", 6, None), ("k-2,1,1", 7, None), ("k-2,2", 8, None), ("k-1,1|1", 6, None),
         ("k", 5, 7), ("k-3,2,1", 9, None)]  # fmt: skip


def _point(group, seed):
    """A random point of Fix(H) near I and a random teacher of Fix(H) near I."""
    rng = np.random.default_rng(seed)
    space, tspace = FixedPointSpace(group), TeacherSpace(group)
    diag = np.array([pat == "diag" for _, _, pat in space.keys], dtype=float)
    c = diag + 0.4 * rng.standard_normal(space.dim)
    v = tspace.identity() + 0.3 * rng.standard_normal(tspace.dim)
    return c, v


def _basis(group):
    space = FixedPointSpace(group)
    return np.column_stack([space.embed(e).ravel() for e in np.eye(space.dim)])


@pytest.mark.parametrize("spec,k,d", CASES)
def test_loss_gradient_hessian_against_the_dense_model(spec, k, d):
    g = IsotropyGroup.from_spec(spec, k, d=d)
    c, v = _point(g, seed=k)
    sys_ = ReducedSystem(g, teacher=v)
    W, V = FixedPointSpace(g).embed(c), TeacherSpace(g).embed(v)
    m = TeacherStudent(V, n=W.shape[0])
    B = _basis(g)
    assert sys_.loss(c) == pytest.approx(m.loss(W), abs=1e-12)
    np.testing.assert_allclose(sys_.gradient(c), B.T @ m.grad(W).ravel(), atol=1e-12)
    np.testing.assert_allclose(sys_.hessian(c), B.T @ m.hessian(W) @ B, atol=1e-11)
    E = 0.5 * np.random.default_rng(1).standard_normal(TeacherSpace(g).dim)
    dense = B.T @ m.grad_teacher_derivative(W, TeacherSpace(g).embed(E)).ravel()
    np.testing.assert_allclose(sys_.gradient_teacher_derivative(c, E), dense, atol=1e-12)


@pytest.mark.parametrize("spec,k", [("k-1,1", 6.5), ("k-2,1,1", 9.25), ("k-2,2", 1000.0)])
def test_derivatives_by_finite_differences_at_real_k(spec, k):
    """Real k (no dense model): gradient, Hessian, teacher derivative and d/dk by central
    differences of the loss, the gradient and the model at k ± h."""
    g = IsotropyGroup.from_spec(spec, k)
    c, v = _point(g, seed=3)
    sys_ = ReducedSystem(g, teacher=v)
    h = 1e-6
    eye = np.eye(c.size)
    fd_g = np.array([(sys_.loss(c + h * e) - sys_.loss(c - h * e)) / (2 * h) for e in eye])
    scale = max(1.0, np.max(np.abs(fd_g)))
    np.testing.assert_allclose(sys_.gradient(c), fd_g, atol=1e-6 * scale)
    fd_H = np.array([(sys_.gradient(c + h * e) - sys_.gradient(c - h * e)) / (2 * h) for e in eye])
    H = sys_.hessian(c)
    np.testing.assert_allclose(H, fd_H, atol=1e-6 * max(1.0, np.max(np.abs(H))))
    E = np.linspace(-1.0, 1.0, v.size)
    up = ReducedSystem(g, teacher=v + h * E).gradient(c)
    down = ReducedSystem(g, teacher=v - h * E).gradient(c)
    ge = sys_.gradient_teacher_derivative(c, E)
    np.testing.assert_allclose(ge, (up - down) / (2 * h), atol=1e-6 * max(1.0, np.max(np.abs(ge))))
    hk = 1e-5 * k
    gk = (sys_.with_k(k + hk).gradient(c) - sys_.with_k(k - hk).gradient(c)) / (2 * hk)
    np.testing.assert_allclose(sys_.gradient_dk(c), gk, rtol=1e-6, atol=1e-8 * np.max(np.abs(gk)))
    lk = (sys_.with_k(k + hk).loss(c) - sys_.with_k(k - hk).loss(c)) / (2 * hk)
    assert sys_.loss_dk(c) == pytest.approx(lk, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("spec,k", [("k-1,1", 6), ("k-2,1,1", 10.5), ("k-1,1|1", 40.0)])
def test_the_identity_teacher_reproduces_the_fast_path(spec, k):
    """Explicit teacher rows with V = I against the teacher-column path (a separate code path:
    weights of the identity columns and the constant k/4 + k(k-1)/(4π))."""
    g = IsotropyGroup.from_spec(spec, k)
    c, _ = _point(g, seed=5)
    fast, rows = ReducedSystem(g), ReducedSystem(g, teacher=Teacher.identity(g))
    assert rows.loss(c) == pytest.approx(fast.loss(c), abs=1e-12 * max(1.0, k))
    np.testing.assert_allclose(rows.gradient(c), fast.gradient(c), atol=1e-12 * k * k)
    np.testing.assert_allclose(rows.hessian(c), fast.hessian(c), atol=1e-11 * k * k)
    np.testing.assert_allclose(rows.gradient_dk(c), fast.gradient_dk(c), atol=1e-11 * k)
    assert rows.loss_dk(c) == pytest.approx(fast.loss_dk(c), abs=1e-10 * k)
    for a, b in zip(analytic_spectrum(g, c).entries, analytic_spectrum(g, c, teacher=rows.teacher)
                    .entries):  # fmt: skip
        assert a.multiplicity == b.multiplicity and a.irrep == b.irrep
        assert a.value == pytest.approx(b.value, abs=1e-10 * max(1.0, abs(a.value)))


@pytest.mark.parametrize("spec,k,d", CASES)
def test_spectrum_against_dense_eigvalsh(spec, k, d):
    """Values and multiplicities of the H-blocks of L(.; V) against eigvalsh of the dense
    Hessian with the same teacher (at a non-critical point: Schur needs only W, V in Fix(H))."""
    g = IsotropyGroup.from_spec(spec, k, d=d)
    c, v = _point(g, seed=11 + k)
    W, V = FixedPointSpace(g).embed(c), TeacherSpace(g).embed(v)
    dense = cluster_eigenvalues(
        np.linalg.eigvalsh(TeacherStudent(V, n=W.shape[0]).hessian(W)), tol=1e-8
    )
    merged: list[list] = []
    for e in sorted(analytic_spectrum(g, c, teacher=v).entries, key=lambda e: e.value):
        if merged and abs(e.value - merged[-1][0]) < 1e-8:
            merged[-1][1] += e.multiplicity
        else:
            merged.append([e.value, e.multiplicity])
    assert [m for _, m in merged] == [m for _, m in dense]
    np.testing.assert_allclose([x for x, _ in merged], [x for x, _ in dense], atol=1e-10)
    # hessian_blocks takes the teacher the same way, batched too
    batch = hessian_blocks(g, np.stack([c, c]), teacher=v)
    for b1, b2 in zip(batch[0], hessian_blocks(g, c, teacher=Teacher(g, tuple(v)))):
        np.testing.assert_allclose(b1.eigenvalues, b2.eigenvalues, atol=1e-13)


def test_extended_precision_loss_with_a_teacher():
    """The mpmath back-end runs the same model with the teacher rows (loss_precise, k > 1e4)."""
    g = IsotropyGroup.from_spec("k-2,1,1", 12)
    c, v = _point(g, seed=2)
    sys_ = ReducedSystem(g, teacher=v)
    exact = GenericReducedSystem(g, MPArithmetic(dps=40), teacher=v)
    assert float(exact.loss(list(c))) == pytest.approx(sys_.loss(c), abs=1e-13)
    np.testing.assert_allclose(
        [float(x) for x in exact.gradient(list(c))], sys_.gradient(c), atol=1e-12
    )
    W, V = FixedPointSpace(g).embed(c), TeacherSpace(g).embed(v)
    assert sys_.loss_precise(c) == pytest.approx(TeacherStudent(V).loss(W), abs=1e-13)


def test_teacher_space_maps():
    g = IsotropyGroup.from_spec("k-1,1|1", 5)  # one extra student row: V has no such rows
    ts = TeacherSpace(g)
    assert ts.names == ("d1", "o1", "x12", "x21", "d2")  # x31, x32 belong to the extra row
    np.testing.assert_array_equal(ts.embed(ts.identity()), np.eye(5))
    v = np.arange(1.0, 6.0)
    np.testing.assert_allclose(ts.project(ts.embed(v)), v)
    assert Teacher.from_dense(g, ts.embed(v)).coords == tuple(v)
    assert Teacher.identity(g).is_identity and not Teacher(g, tuple(v)).is_identity


def test_bad_teachers_are_refused():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    c, _ = _point(g, seed=0)
    with pytest.raises(ValueError, match="5 coordinates"):
        ReducedSystem(g, teacher=[1.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        Teacher(g, (1.0, 0.0, 0.0, 0.0, np.nan))
    with pytest.raises(TypeError, match="real numbers"):
        Teacher(g, ("a", 0, 0, 0, 1))
    V = np.eye(6)
    V[0, 1] = 0.3  # breaks the symmetry of the first block
    with pytest.raises(ValueError, match="not invariant"):
        Teacher.from_dense(g, V)
    with pytest.raises(NotDifferentiableError, match="teacher rows of block 2"):
        ReducedSystem(g, teacher=[1.0, 0.0, 0.0, 0.0, 0.0]).gradient(c)  # v_k = 0
    with pytest.raises(ValueError, match="explicit teacher"):
        ReducedSystem(g).gradient_teacher_derivative(c, np.ones(5))
    with pytest.raises(ValueError, match="Fix"):
        Teacher.identity(g).at(IsotropyGroup.from_spec("k-2,2", 6))


def test_inclusion_of_fixed_point_spaces():
    """Fix(H) ⊂ Fix(H′) for a Young subgroup: the same dense W (and refusals)."""
    pairs = (("k-1,1", "k-2,1,1", 7), ("k", "k-3,2,1", 8), ("k-1,1|2", "k-1,1|1,1", 6))
    for big, small, k in pairs:
        g, h = IsotropyGroup.from_spec(big, k), IsotropyGroup.from_spec(small, k)
        c = np.random.default_rng(0).standard_normal(FixedPointSpace(g).dim)
        M = inclusion_matrix(g, h)
        np.testing.assert_array_equal(FixedPointSpace(h).embed(M @ c), FixedPointSpace(g).embed(c))
    for small in ("k-2,2", "1,k-1", "k-1,1|1"):
        with pytest.raises(ValueError, match="not a Young subgroup"):
            inclusion_matrix(IsotropyGroup.from_spec("k-1,1", 7), IsotropyGroup.from_spec(small, 7))


def test_large_k_uses_extended_precision_for_the_loss():
    """Above k = 1e4 the loss (a sum of O(k^2)-weighted terms) is evaluated in mpmath, with the
    teacher rows too; loss_gradient_hessian agrees with the three single calls."""
    g = IsotropyGroup.from_spec("k-1,1", 2e4)
    c, v = _point(g, seed=4)
    sys_ = ReducedSystem(g, teacher=v)
    loss, grad, hess = sys_.loss_gradient_hessian(c)
    assert loss == sys_.loss(c) == sys_.loss_precise(c)
    np.testing.assert_array_equal(grad, sys_.gradient(c))
    np.testing.assert_array_equal(hess, sys_.hessian(c))
    losses, _, _ = sys_.loss_gradient_hessian(np.stack([c, c]))
    assert losses.shape == (2,) and losses[1] == loss
