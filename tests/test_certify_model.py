"""The generic compressed model (floats, mpmath, arb balls) against independent computations.

References: the float64 :class:`ReducedSystem` and :func:`hessian_blocks` (a
separate implementation), high-precision finite differences of the loss, and
point evaluations inside the boxes the balls must enclose.
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
