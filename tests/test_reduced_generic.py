"""The compressed model in generic arithmetic (floats, mpmath, arb balls, sympy).

The generic back-ends run the same model code as the float64 path, on object
arrays and with the bounded ``small_term`` rule for the ``δ``-terms instead of
batched matrix products; so agreement with the float64 :class:`ReducedSystem`
checks the arithmetic code path, not the model.  Independent references:
the dense :class:`~symbreak.TeacherStudent` (explicit ``W``, explicit sums),
high-precision finite differences of the loss, and point evaluations inside
the boxes the balls must enclose.
"""

import math

import numpy as np
import pytest
import scipy.linalg
from _helpers import TYPE_II_K6

from symbreak import IsotropyGroup, ReducedSystem, hessian_blocks
from symbreak.certify import ArbArithmetic, FloatArithmetic, GenericReducedSystem, MPArithmetic

flint = pytest.importorskip("flint")

CASES = [
    ("k-1,1", 6, None),
    ("k-1,1", 5.3, None),
    ("k", 7, None),
    ("k-2,2", 9, None),
    ("k-2,1,1", 8.5, None),
    ("k-1,1|1", 6, None),
    ("k-1,1", 6, 8),
    ("k-1,1", 5, None),  # bulk weight m - 4 - 2 < 0 in the [k-3,2] layout
]


def _random_point(rng, dim):
    return rng.normal(size=dim) * 0.4 + (np.arange(dim) % 2 == 0)


@pytest.mark.parametrize("spec,k,d", CASES)
def test_float_backend_matches_reduced_system(spec, k, d, rng):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    ref = ReducedSystem(group)
    c = _random_point(rng, ref.space.dim)
    F = FloatArithmetic()
    gen = GenericReducedSystem(group, F)
    with F:
        L, g, H = gen.loss_gradient_hessian(list(c))
        blocks = gen.blocks(list(c))
    L0, g0, H0 = ref.loss_gradient_hessian(c)
    scale = max(1.0, np.abs(H0).max())
    assert L == pytest.approx(L0, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(g, g0, rtol=1e-11, atol=1e-11 * scale)
    np.testing.assert_allclose(H, H0, rtol=1e-11, atol=1e-11 * scale)
    ref_blocks = hessian_blocks(group, c)
    assert [b.label for b in blocks] == [b.label for b in ref_blocks]
    for b, rb in zip(blocks, ref_blocks):
        ev = scipy.linalg.eigh(np.array(b.B, float), np.array(b.G, float), eigvals_only=True)
        np.testing.assert_allclose(ev, rb.eigenvalues, rtol=1e-10, atol=1e-10 * scale)


def test_mp_gradient_and_hessian_are_derivatives_of_the_loss(rng):
    """Central differences at 40 digits (step 1e-12: truncation ~1e-24)."""
    import mpmath as mp

    group = IsotropyGroup.from_spec("k-1,1", 6.5)
    M = MPArithmetic(40)
    gen = GenericReducedSystem(group, M)
    c = list(TYPE_II_K6 + 0.05 * rng.normal(size=5))
    with M:
        g = gen.gradient(c)
        H = gen.hessian(c)
        h = mp.mpf("1e-12")
        for i in range(5):
            e = [M.number(x) for x in c]
            up, dn = list(e), list(e)
            up[i] += h
            dn[i] -= h
            fd = (gen.loss(up) - gen.loss(dn)) / (2 * h)
            assert abs(fd - g[i]) < mp.mpf("1e-18")
            gu, gd = gen.gradient(up), gen.gradient(dn)
            for j in range(5):
                assert abs((gu[j] - gd[j]) / (2 * h) - H[i][j]) < mp.mpf("1e-18")


def test_arb_point_enclosure_contains_mp_value(rng):
    group = IsotropyGroup.from_spec("k-2,1,1", 9.25)
    c = list(_random_point(rng, 10))
    M, A = MPArithmetic(50), ArbArithmetic(128)
    gm, ga = GenericReducedSystem(group, M), GenericReducedSystem(group, A)
    with M:
        Lm, gmv, Hm = gm.loss_gradient_hessian(c)
        vals = [Lm, *gmv, *(x for r in Hm for x in r)]
        vals = [str(v) for v in vals]
    with A:
        La, gav, Ha = ga.loss_gradient_hessian(c)
        balls = [La, *gav, *(x for r in Ha for x in r)]
        for v, b in zip(vals, balls):
            assert b.contains(flint.arb(v)), (v, b)
            assert float(b.rad()) < 1e-30 * max(1.0, abs(float(b.mid())))


def _box(A, x, r):
    return [A.number(float(v)) + A.ball(-r, r) for v in x]


def _contains(A, ball, value, tol):
    return A.lower(ball) - tol <= value <= A.upper(ball) + tol


@pytest.mark.parametrize(
    "spec,k,center,r",
    [
        ("k-1,1", 6, TYPE_II_K6, 1e-4),
        ("k", 6, np.array([1.0, 0.0]), 1e-4),  # every row parallel to a teacher row
        ("k", 50, np.array([1.0, 0.0]), 1e-6),
    ],
)
def test_box_enclosures_contain_point_values(spec, k, center, r, rng):
    """Loss, gradient, Hessian and block eigenvalues at points of the box lie in the balls."""
    group = IsotropyGroup.from_spec(spec, k)
    ref = ReducedSystem(group)
    A = ArbArithmetic(128)
    gen = GenericReducedSystem(group, A)
    from symbreak.certify._interval import pencil_eigenvalue_bounds

    with A:
        X = _box(A, center, r)
        L, g, H = gen.loss_gradient_hessian(X)
        bounds = {b.label: pencil_eigenvalue_bounds(A, b.B, b.G) for b in gen.blocks(X)}
    pts = [center] + [center + r * rng.uniform(-1, 1, size=center.size) for _ in range(6)]
    for p in pts:
        L0, g0, H0 = ref.loss_gradient_hessian(p)
        assert _contains(A, L, L0, 1e-12)
        for i in range(len(g0)):
            assert _contains(A, g[i], g0[i], 1e-11)
            for j in range(len(g0)):
                assert _contains(A, H[i][j], H0[i, j], 1e-11 * max(1.0, abs(H0[i, j])))
        for b in hessian_blocks(group, p):
            for (lo, hi), lam in zip(bounds[b.label], b.eigenvalues):
                assert lo - 1e-10 <= lam <= hi + 1e-10
    # the enclosures are tight: widths of the order of the box, not unbounded
    assert all(math.isfinite(A.upper(x)) for x in g)
    rel = max((A.upper(x) - A.lower(x)) / max(1.0, abs(A.to_float(x))) for row in H for x in row)
    assert rel < 1e3 * r * k


def test_k_interval_enclosure_contains_values_at_each_k():
    group = IsotropyGroup.from_spec("k-1,1", 5.5)
    A = ArbArithmetic(128)
    with A:
        gen = GenericReducedSystem(group, A, k=A.ball(5.4, 5.6))
        g = gen.gradient(list(TYPE_II_K6))
        H = gen.hessian(list(TYPE_II_K6))
    for k in (5.4, 5.47, 5.5, 5.6):
        ref = ReducedSystem(IsotropyGroup.from_spec("k-1,1", k))
        g0 = ref.gradient(TYPE_II_K6)
        H0 = ref.hessian(TYPE_II_K6)
        for i in range(5):
            assert _contains(A, g[i], g0[i], 1e-12)
            for j in range(5):
                assert _contains(A, H[i][j], H0[i, j], 1e-12)


def test_zero_row_is_a_value_error():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    F = FloatArithmetic()
    gen = GenericReducedSystem(group, F)
    with F, pytest.raises(ValueError, match="not differentiable"):
        gen.gradient([1.0, 0.1, 0.0, 0.0, 0.0])


def test_box_reaching_a_zero_row_is_a_value_error():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    A = ArbArithmetic(128)
    gen = GenericReducedSystem(group, A)
    with A, pytest.raises(ValueError, match="vanish"):
        gen.hessian(_box(A, [1.0, 0.0, 0.0, 0.0, 0.0], 1e-3))


def test_backend_validation_and_directed_rounding():
    with pytest.raises(ValueError, match="prec"):
        ArbArithmetic(20)
    with pytest.raises(ValueError, match="dps"):
        MPArithmetic(5)
    with pytest.raises(TypeError, match="IsotropyGroup"):
        GenericReducedSystem("k-1,1", FloatArithmetic())
    A = ArbArithmetic(200)
    with A:
        third = A.number(1) / 3
        assert A.lower(third) < 1 / 3 < A.upper(third) or A.lower(third) <= 1 / 3 <= A.upper(third)
        assert flint.arb(A.upper(third)) >= third
        assert flint.arb(A.lower(third)) <= third
        assert flint.ctx.prec == 200
    assert flint.ctx.prec != 200  # restored


def test_small_term_rules():
    """δ-terms: 0 at wedge 0 for points; the Cauchy–Schwarz ball when the wedge ball holds 0."""
    F = FloatArithmetic()
    assert F.small_term(0.0, 1.0, 2 * math.pi, 5.0) == 0.0
    assert F.small_term(2.0, 1.0, 2 * math.pi, 5.0) == pytest.approx(1 / (4 * math.pi))
    A = ArbArithmetic(128)
    with A:
        w = A.ball(0.0, 1e-3)
        t = A.small_term(w, A.number(1), A.pi * 2, A.number(0.25))
        assert A.lower(t) == pytest.approx(-0.25) and A.upper(t) == pytest.approx(0.25)
        t = A.small_term(A.number(1.0), A.number(1), A.pi * 2, A.number(10.0))
        assert t.contains(1 / (2 * flint.arb.pi()))


# ---------------------------------------------------------------------------
# one model over back-ends: independent references


@pytest.mark.parametrize("spec,k", [("k-1,1", 5), ("k-2,1,1", 6), ("k-1,1|1", 4)])
def test_mp_model_matches_the_dense_model_at_integer_k(spec, k, rng):
    """mpmath values against the dense teacher–student model (float64, explicit W)."""
    from _helpers import dense_model

    group = IsotropyGroup.from_spec(spec, k)
    space = ReducedSystem(group).space
    c = _random_point(rng, space.dim)
    W = space.embed(c)
    model = dense_model(group)
    E = [space.embed(np.eye(space.dim)[o]) for o in range(space.dim)]
    grad = np.array([np.sum(model.grad(W) * e) for e in E])
    H = model.hessian(W)
    hess = np.array([[e1.ravel() @ H @ e2.ravel() for e2 in E] for e1 in E])
    gen = GenericReducedSystem(group, MPArithmetic(40))
    L, g, Hm = gen.loss_gradient_hessian(list(c))
    assert float(L) == pytest.approx(model.loss(W), abs=1e-12)
    np.testing.assert_allclose([float(x) for x in g], grad, atol=1e-11)
    np.testing.assert_allclose(np.array(Hm, dtype=float), hess, atol=1e-11)


def test_mp_and_float64_agree_to_1e13_on_a_batch(rng):
    group = IsotropyGroup.from_spec("k-2,1,1", 7.5)
    ref = ReducedSystem(group)
    C = np.array([_random_point(rng, ref.space.dim) for _ in range(4)])
    gen = GenericReducedSystem(group, MPArithmetic(30))
    L, G, H = ref.loss(C), ref.gradient(C), ref.hessian(C)
    for n, c in enumerate(C):
        Lm, gm, Hm = gen.loss_gradient_hessian(list(c))
        assert abs(float(Lm) - L[n]) < 1e-13
        assert np.abs(np.array(gm, dtype=float) - G[n]).max() < 1e-13
        assert np.abs(np.array(Hm, dtype=float) - H[n]).max() < 1e-12 * max(1, np.abs(H[n]).max())


def test_generic_model_runs_at_its_precision_outside_a_context_manager():
    import mpmath as mp

    group = IsotropyGroup.from_spec("k-1,1", 6.5)
    c = [0.98, -0.05, 0.3, 0.22, -0.6]
    before = mp.mp.dps
    low = GenericReducedSystem(group, MPArithmetic(50)).loss(c)  # no ``with``
    assert mp.mp.dps == before  # the caller's precision is restored
    with mp.workdps(80):
        high = GenericReducedSystem(group, MPArithmetic(80)).loss(c)
        err = abs(low - high)
    assert err < mp.mpf(10) ** -45  # 50 digits, not the default 15
    assert err > 0 or low == high


def test_arb_ball_in_k_encloses_float_values():
    """A ball of k: the enclosure contains the float64 values at sample k inside it."""
    A = ArbArithmetic(128)
    group = IsotropyGroup.from_spec("k-1,1", 6.0)
    c = list(TYPE_II_K6)
    with A:
        k_ball = A.ball(5.99, 6.01)
    gen = GenericReducedSystem(group, A, k=k_ball)
    g = gen.gradient(c)
    L = gen.loss(c)
    for k in (5.99, 6.0, 6.005, 6.01):
        ref = ReducedSystem(IsotropyGroup.from_spec("k-1,1", k))
        gk = ref.gradient(TYPE_II_K6)
        assert all(A.lower(g[o]) - 1e-15 <= gk[o] <= A.upper(g[o]) + 1e-15 for o in range(5))
        Lk = ref.loss(TYPE_II_K6)
        assert A.lower(L) - 1e-15 <= Lk <= A.upper(L) + 1e-15


def test_sympy_backend_with_symbolic_k_evaluates_to_the_float_values(rng):
    import sympy as sp

    from symbreak.reduced.arithmetic import SymPyArithmetic
    from symbreak.representation.isotropy import K_SYMBOL

    group = IsotropyGroup.from_spec("k-1,1", 40)
    gen = GenericReducedSystem(group, SymPyArithmetic(), k=K_SYMBOL)
    xs = sp.symbols("x0:5", real=True)
    g = gen.gradient(list(xs))
    f = sp.lambdify((K_SYMBOL, *xs), g, "numpy")
    c = _random_point(rng, 5)
    for k in (5.5, 9.0):
        ref = ReducedSystem(IsotropyGroup.from_spec("k-1,1", k)).gradient(c)
        np.testing.assert_allclose(f(k, *c), ref, rtol=1e-10, atol=1e-10)


def test_blow_up_chart_loss_and_gradient_equal_the_true_ones(rng):
    """Rows of block t scaled by s: same loss and gradient as at the scaled coordinates."""
    group = IsotropyGroup.from_spec("k-1,1", 6.5)
    gen = GenericReducedSystem(group, MPArithmetic(40))
    keys = ReducedSystem(group).space.keys
    c = _random_point(rng, len(keys))
    s = 0.37
    true = [s * x if a == 1 else x for x, (a, _b, _pat) in zip(c, keys)]
    st = gen.state(list(c), row_scales={1: s})
    assert float(st.loss()[0]) == pytest.approx(float(gen.loss(true)), abs=1e-25)
    U = gen._directions(st.layout, (gen.components()[0],))[0]
    g_chart = [float(x) for x in st.gradient_form(U)[0]]
    np.testing.assert_allclose(g_chart, [float(x) for x in gen.gradient(true)], atol=1e-25)
    with pytest.raises(ValueError, match="blow-up"):
        st.hessian_form(U)


def test_loss_enclosure_where_a_row_may_vanish():
    """A box around a zero row: the loss ball contains the loss at points with nonzero rows."""
    A = ArbArithmetic(128)
    group = IsotropyGroup.from_spec("k-1,1", 6)
    gen = GenericReducedSystem(group, A)
    c = np.array([1.0, 0.05, 0.1, 0.0, 0.0])  # last block's row (e, f) = 0
    with A:
        box = [A.number(x) + A.ball(-1e-3, 1e-3) for x in c]
    with pytest.raises(ValueError, match="may vanish"):
        gen.loss(box)
    st = gen.state(box, zero_rows_ok=True)
    assert st.maybe_zero
    L = st.loss()[0]
    ref = ReducedSystem(group)
    for e, f in [(1e-3, 1e-3), (-5e-4, 2e-4), (1e-4, -1e-3)]:
        val = ref.loss([1.0, 0.05, 0.1, e, f])
        assert A.lower(L) <= val <= A.upper(L)
    with pytest.raises(ValueError, match="only the loss"):
        st.gradient_form(gen._directions(st.layout, (gen.components()[0],))[0])
