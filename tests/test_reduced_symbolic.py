"""Symbolic reduced loss (sympy) against the numeric compressed model."""

import numpy as np
import pytest
import sympy as sp

from symbreak.reduced import ReducedSystem
from symbreak.reduced.symbolic import reduced_loss_expr
from symbreak.representation import IsotropyGroup


@pytest.mark.parametrize("spec", ["k", "k-1,1", "k-1,1|1"])
def test_symbolic_loss_and_gradient_match_numeric(spec, rng):
    L = reduced_loss_expr(spec)
    f = L.lambdify()
    grad = sp.lambdify((L.k, *L.coords), L.gradient(), "numpy")
    for k in (5.0, 6.5, 40.0):
        system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
        c = rng.normal(size=system.space.dim)
        assert f(k, *c) == pytest.approx(system.loss(c), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grad(k, *c), system.gradient(c), rtol=1e-10, atol=1e-10)


def test_symbolic_global_minimum_is_exactly_zero():
    L = reduced_loss_expr("k")
    a, b = L.coords
    val = sp.simplify(L.loss.subs({a: 1, b: 0}))
    assert val == 0


def test_symbolic_needs_k_dependent_spec():
    with pytest.raises(ValueError, match="in terms of k"):
        reduced_loss_expr("5,1")


def test_symbolic_loss_with_extra_input_dimensions(rng):
    L = reduced_loss_expr("k", extra_dims=1)
    f = L.lambdify()
    for k in (4.0, 7.5):
        system = ReducedSystem(IsotropyGroup.from_spec("k", k, d=k + 1))
        c = rng.normal(size=system.space.dim)
        assert f(k, *c) == pytest.approx(system.loss(c), rel=1e-12, abs=1e-12)
