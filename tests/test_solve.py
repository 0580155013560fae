"""symbreak.solve: one orbit-scaled Newton (float64, batched, mpmath) and the generic solver."""

import math

import numpy as np
import pytest

from symbreak.errors import DomainError
from symbreak.model import TeacherStudent
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup
from symbreak.solve import NewtonStatus, newton, newton_batch, orbit_weights, solve
from symbreak.tolerances import Tolerances

TYPE_II_K6 = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])


def test_generic_newton_converges_quadratically_on_a_known_root():
    # F(x) = (x0^2 - 2, x1^3 - 27): root (sqrt 2, 3), regular Jacobian
    root = np.array([math.sqrt(2.0), 3.0])

    def fun(x):
        return np.array([x[0] ** 2 - 2.0, x[1] ** 3 - 27.0]), np.diag([2 * x[0], 3 * x[1] ** 2])

    errors = []
    for n in range(1, 6):
        r = solve(fun, [1.6, 3.4], max_iter=n, gradient_tol=0.0, step_tol=0.0)
        errors.append(float(np.max(np.abs(r.x - root))))
    # e_{n+1} <= C e_n^2 while above rounding (Newton's quadratic convergence)
    for a, b in zip(errors, errors[1:]):
        if a > 1e-7:
            assert b <= 2.0 * a**2
    full = solve(fun, [1.6, 3.4])
    assert full.converged and np.allclose(full.x, root, atol=1e-14, rtol=0)


def test_reduced_newton_converges_quadratically_to_w_equals_v():
    # W = V = I_6 is the exact root (1, 0) of Fix(S_6)
    g = IsotropyGroup.from_spec("k", 6)
    errs = [
        float(np.max(np.abs(newton(g, [1.1, 0.03], max_iter=n).x - [1.0, 0.0])))
        for n in range(1, 5)
    ]
    for a, b in zip(errs, errs[1:]):
        if a > 1e-7:
            assert b <= 5.0 * a**2
    r = newton(g, [1.1, 0.03])
    assert r.converged and r.status is NewtonStatus.CONVERGED
    assert np.allclose(r.x, [1.0, 0.0], atol=1e-13)


def test_batched_equals_serial():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    rng = np.random.default_rng(1)
    X0 = TYPE_II_K6 + 0.05 * rng.normal(size=(6, 5))
    X0[2] = rng.normal(size=5)  # a rough start
    X0[4] = 0.0  # every row zero: L is not differentiable there
    batch = newton_batch(g, X0)
    assert len(batch) == 6
    for x0, rb in zip(X0, batch):
        rs = newton(g, x0)
        # the batch is evaluated by stacked einsums: equal up to rounding
        assert rs.status is rb.status and abs(rs.iterations - rb.iterations) <= 1
        assert np.allclose(rs.x, rb.x, rtol=0, atol=1e-12)
    assert batch[4].status is NewtonStatus.DOMAIN and "zero" in batch[4].message
    assert batch[0].converged


def test_residual_is_the_dense_gradient_per_entry():
    # independent check: the dense gradient of L at the embedded point, entry by entry
    g = IsotropyGroup.from_spec("k-1,1", 5)
    system = ReducedSystem(g)
    c = TYPE_II_K6 + np.array([0.01, 0.02, -0.03, 0.01, 0.02])
    W = system.space.embed(c)
    dense = TeacherStudent(np.eye(5)).grad(W)
    per_entry = system.gradient(c) / orbit_weights(system.space)
    # entries (0,0) diag a, (0,1) off b, (0,4) c, (4,0) e, (4,4) f
    expected = [dense[0, 0], dense[0, 1], dense[0, 4], dense[4, 0], dense[4, 4]]
    assert np.allclose(per_entry, expected, atol=1e-14)
    tol = Tolerances()
    assert tol.gradient_norm(system.gradient(c), system.space.orbit_sizes()) == pytest.approx(
        np.max(np.abs(dense)), rel=1e-12
    )


def test_extended_precision_newton_agrees_with_float64_and_goes_further():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    r64 = newton(g, TYPE_II_K6)
    rmp = newton(g, TYPE_II_K6, dps=50, tolerances=Tolerances(gradient=1e-40, step=1e-40))
    assert rmp.converged and rmp.residual < 1e-40
    assert np.allclose([float(v) for v in rmp.x], r64.x, atol=1e-14)


def test_newton_statuses_and_messages():
    g = IsotropyGroup.from_spec("k", 6)
    r = newton(g, [0.0, 0.0])
    assert r.status is NewtonStatus.DOMAIN and not r.converged
    assert "not differentiable" in r.message
    r = newton(g, [1.3, 0.2], max_iter=1)
    assert r.status is NewtonStatus.MAX_ITER and "max_iter" in r.message

    def singular(x):
        return np.array([x[0] ** 2 + 1.0]), np.array([[0.0]])

    assert solve(singular, [0.0]).status is NewtonStatus.SINGULAR

    def outside(x):
        raise DomainError("outside")

    assert solve(outside, [0.0]).status is NewtonStatus.DOMAIN


def test_bad_input():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    with pytest.raises(ValueError, match="5 coordinates"):
        newton(g, [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        newton_batch(g, np.zeros((3, 4)))
    with pytest.raises(TypeError):
        newton("k-1,1", TYPE_II_K6)
    with pytest.raises(TypeError):
        newton(g, TYPE_II_K6, tolerances=1e-10)


def test_d_minus_k_has_one_name_and_old_spellings_warn():
    from symbreak.analytic import eigenvalue_crossing
    from symbreak.continuation import continue_branch

    b = continue_branch("k-1,1|1", [1.0] + [0.0] * 6, k0=6, k1=6.2, extra_dims=0.0)
    assert b.extra_dims == 0.0
    with pytest.warns(DeprecationWarning, match="extra_dims"):
        continue_branch("k-1,1", TYPE_II_K6, k0=6, k1=5.9, d_extra=0.0)
    with pytest.raises(TypeError, match="extra_dims"):
        continue_branch("k-1,1", TYPE_II_K6, k0=6, k1=5.9, d_extra=0.0, extra_dims=1.0)
    with pytest.warns(DeprecationWarning, match="extra_dims"), pytest.raises(ValueError):
        eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(6, 5), extra_columns=0.0)


def test_continuation_reports_progress_updates():
    from symbreak.continuation import continue_branch
    from symbreak.progress import ProgressUpdate

    seen = []
    b = continue_branch("k-1,1", TYPE_II_K6, k0=6, k1=6.5, progress=seen.append)
    assert seen and all(isinstance(u, ProgressUpdate) for u in seen)
    assert [u.done for u in seen] == list(range(len(b.points)))
    assert seen[-1].info["k"] == b.points[-1].k == 6.5
    assert {u.stage for u in seen} == {"continuation"}


def test_family_entry_points_accept_a_group_or_a_spec():
    from symbreak.analytic import SeriesOptions, asymptotic_series
    from symbreak.continuation import continue_branch
    from symbreak.representation.isotropy import family_of

    g = IsotropyGroup.from_spec("k-1,1", 6)
    assert family_of(g) == ("k-1,1", 6.0, 0.0)
    assert family_of("k-1,1", 6) == ("k-1,1", 6.0, 0.0)
    with pytest.raises(ValueError, match="k0"):
        family_of("k-1,1")
    with pytest.raises(TypeError):
        family_of(6)
    a = continue_branch(g, TYPE_II_K6, k1=6.3)
    b = continue_branch("k-1,1", TYPE_II_K6, k0=6, k1=6.3)
    assert np.array_equal(a.k, b.k)
    cheap = SeriesOptions(k_min=100, extra_degree=3, dps=20)
    s_group = asymptotic_series(g, newton(g, TYPE_II_K6).x, order=0, options=cheap)
    assert s_group.ok and s_group.k0 == 6.0
