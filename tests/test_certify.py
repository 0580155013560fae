"""Certificates: existence boxes (Krawczyk), certified kinds, eigenvalue crossings.

Expected values come from MATH.md (type II: saddle of index 3 at k = 5, minimum
at k = 6 with smallest eigenvalue 0.00470 of multiplicity 4; at W = V the
eigenvalues 1/4 ± 1/(2π)) and from independent float64 computations (Newton
on the float64 ReducedSystem, analytic_spectrum, dense eigvalsh).
"""

import math

import numpy as np
import pytest
from _helpers import TYPE_II_K6, dense_model

from symbreak import IsotropyGroup, ReducedSystem, analytic_spectrum, hessian_blocks
from symbreak.analytic import eigenvalue_crossing
from symbreak.certify import (
    ArbArithmetic,
    certify_critical_point,
)
from symbreak.certify._interval import (
    Undecided,
    krawczyk_contains,
    pencil_eigenvalue_bounds,
)
from symbreak.continuation import ContinuationOptions, continuation
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.solve import newton

pytest.importorskip("flint")

TYPE_II_K5 = np.array([0.96160683, -0.07908255, 0.37606505, 0.28754993, -0.55977841])
LAM_MINUS = 0.25 - 1 / (2 * np.pi)
LAM_PLUS = 0.25 + 1 / (2 * np.pi)


def _inside(box, point, tol=0.0):
    return all(lo - tol <= x <= hi + tol for (lo, hi), x in zip(box, point))


def _block(cert, label):
    (b,) = [b for b in cert.blocks if b.label == label]
    return b


# ----------------------------------------------------------------- global minimum
@pytest.mark.parametrize("k", [6, 7.5, 1000])
def test_global_minimum_is_a_certified_minimum(k):
    cert = certify_critical_point(IsotropyGroup.from_spec("k", k), [1.0, 0.0])
    assert cert.exists and cert.kind == "minimum" and cert.index == 0
    assert _inside(cert.enclosure, [1.0, 0.0])
    assert cert.loss[0] <= 0.0 <= cert.loss[1]
    assert cert.box_radius < 1e-10
    # MATH.md §3: at W = V, 1/4 + 1/(2π) fills [k-2,2] and 1/4 - 1/(2π) fills [k-2,1,1]
    ((lo, hi),) = _block(cert, "[k-2,2]").eigenvalues
    assert lo <= LAM_PLUS <= hi and hi - lo < 1e-12
    ((lo, hi),) = _block(cert, "[k-2,1,1]").eigenvalues
    assert lo <= LAM_MINUS <= hi and hi - lo < 1e-12


def test_global_minimum_without_polishing():
    """The box is centred exactly at the non-smooth point (every wedge interval holds 0)."""
    cert = certify_critical_point(IsotropyGroup.from_spec("k", 6), [1.0, 0.0], polish=False)
    assert cert.exists and cert.kind == "minimum"
    assert cert.center == (1.0, 0.0)


# -------------------------------------------------------------------- type II
def test_type_ii_k6_is_a_certified_minimum():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    cert = certify_critical_point(group, TYPE_II_K6)
    assert cert.exists and cert.kind == "minimum" and cert.index == 0
    # an independent float64 Newton solve lies in the certified enclosure
    ref = newton(ReducedSystem(group), TYPE_II_K6)
    assert ref.converged and ref.residual < 1e-13
    c_ref = ref.x
    assert _inside(cert.enclosure, c_ref, tol=1e-14)
    assert cert.loss[0] - 1e-7 <= 0.0250806 <= cert.loss[1] + 1e-7
    b = _block(cert, "[k-2,1] x [1]")
    assert b.dimension == 4
    assert b.lower == pytest.approx(0.00470, abs=5e-6)
    # dense Hessian (36 x 36, eigvalsh) at the embedded point
    W = FixedPointSpace(group).embed(c_ref)
    ev = np.linalg.eigvalsh(dense_model(group).hessian(W))
    assert ev[0] > 0
    assert b.lower - 1e-9 <= ev[0] <= b.upper + 1e-9
    assert np.sum(np.abs(ev - ev[0]) < 1e-8) == 4


def test_type_ii_k5_is_a_certified_saddle():
    group = IsotropyGroup.from_spec("k-1,1", 5)
    cert = certify_critical_point(group, TYPE_II_K5)
    assert cert.exists and cert.kind == "saddle" and cert.index == 3
    assert "[k-2,1] x [1]" in cert.message
    b = _block(cert, "[k-2,1] x [1]")
    assert b.upper < 0 and b.negative_count == 1 and b.dimension == 3
    assert cert.loss[0] - 1e-7 <= 0.0269705 <= cert.loss[1] + 1e-7
    c_ref = newton(ReducedSystem(group), TYPE_II_K5).x
    ev = np.linalg.eigvalsh(dense_model(group).hessian(FixedPointSpace(group).embed(c_ref)))
    assert np.sum(ev < -1e-9) == 3
    assert b.lower - 1e-9 <= ev[0] <= b.upper + 1e-9


def test_type_ii_kind_for_k_5_to_20_agrees_with_float64_index():
    opts = ContinuationOptions(detect_events=False)
    down = continuation("k-1,1", TYPE_II_K6, k0=6, k1=5, options=opts)
    points = {5: down.points[-1].coords}
    up = continuation("k-1,1", TYPE_II_K6, k0=6, k1=20, options=opts)
    for k in range(6, 21):
        points[k] = up.point_at(k)
    kinds = {}
    for k, c in points.items():
        group = IsotropyGroup.from_spec("k-1,1", k)
        cert = certify_critical_point(group, c)
        assert cert.exists
        kinds[k] = cert.kind
        c_ref = newton(ReducedSystem(group), c).x
        index = analytic_spectrum(group, c_ref).index
        assert cert.index == index
        assert cert.kind == ("minimum" if index == 0 else "saddle")
    assert kinds[5] == "saddle"
    assert all(kinds[k] == "minimum" for k in range(6, 21))


@pytest.mark.parametrize("k,kind", [(5.5, "saddle"), (5.7, "minimum"), (6.5, "minimum")])
def test_certificates_at_real_k(k, kind):
    branch = continuation(
        "k-1,1", TYPE_II_K6, k0=6, k1=k, options=ContinuationOptions(detect_events=False)
    )
    cert = certify_critical_point(IsotropyGroup.from_spec("k-1,1", k), branch.points[-1].coords)
    assert cert.exists and cert.kind == kind
    if kind == "saddle":  # index is the polynomial dim [k-2,1] = k - 2 at real k
        assert cert.index == pytest.approx(k - 2)


# ---------------------------------------------------------------- honest failure
def test_perturbed_point_is_undecided():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    cert = certify_critical_point(group, TYPE_II_K6 + 0.01, polish=False)
    assert not cert.exists and cert.kind == "undecided" and cert.index is None
    assert cert.box_radius is None and cert.box == ()
    assert "Krawczyk" in cert.message


def test_unpolished_six_digit_point_gets_a_wider_box():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    cert = certify_critical_point(group, TYPE_II_K6, polish=False)
    assert cert.exists and cert.kind == "minimum"
    assert 1e-7 < cert.box_radius <= 1e-4
    c_ref = newton(ReducedSystem(group), TYPE_II_K6).x
    assert _inside(cert.enclosure, c_ref)


def test_polishing_far_from_the_start_is_reported():
    start = TYPE_II_K6 + np.array([0.02, -0.01, 0.03, 0.0, 0.02])
    cert = certify_critical_point(IsotropyGroup.from_spec("k-1,1", 6), start)
    assert cert.exists and cert.kind == "minimum"
    assert cert.start == tuple(start) and "Newton moved the point" in cert.message


def test_zero_row_start_is_undecided_not_an_exception():
    cert = certify_critical_point(IsotropyGroup.from_spec("k-1,1", 6), [1.0, 0.0, 0.0, 0.0, 0.0])
    assert not cert.exists and cert.kind == "undecided"
    assert cert.message


def test_tiny_max_radius_is_undecided():
    cert = certify_critical_point(
        IsotropyGroup.from_spec("k-1,1", 6), TYPE_II_K6, polish=False, max_radius=1e-9
    )
    assert not cert.exists and cert.kind == "undecided"


def test_input_errors():
    with pytest.raises(TypeError, match="IsotropyGroup"):
        certify_critical_point(6, TYPE_II_K6)
    with pytest.raises(ValueError, match="5 coordinates"):
        certify_critical_point(IsotropyGroup.from_spec("k-1,1", 6), [1.0, 0.0])
    with pytest.raises(ValueError, match="max_radius"):
        certify_critical_point(IsotropyGroup.from_spec("k", 6), [1.0, 0.0], max_radius=-1.0)


def test_certificate_json_contract():
    cert = certify_critical_point(IsotropyGroup.from_spec("k-1,1", 6), TYPE_II_K6)
    js = cert.to_json()
    assert set(js) >= {"exists", "box_radius", "kind", "blocks"}
    for b in js["blocks"]:
        assert set(b) >= {"irrep", "lower", "upper"}
        assert b["lower"] <= b["upper"]


# --------------------------------------------------------------------- crossing
def _float_crossing_root():
    """Bisection on the smallest [k-2,1] x [1] eigenvalue along float64 Newton solves."""
    label = "[k-2,1] x [1]"

    def lam(k):
        group = IsotropyGroup.from_spec("k-1,1", k)
        c = newton(ReducedSystem(group), TYPE_II_K6 + (TYPE_II_K5 - TYPE_II_K6) * (6 - k)).x
        return {b.label: b.eigenvalues[0] for b in hessian_blocks(group, c)}[label]

    a, b = 5.0, 6.0
    assert lam(a) < 0 < lam(b)
    for _ in range(40):
        m = 0.5 * (a + b)
        a, b = (m, b) if lam(m) < 0 else (a, m)
    return 0.5 * (a + b)


def test_crossing_interval_of_the_type_ii_family():
    r = eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(5, 6))
    assert r.certified and r.irrep == "[k-2,1] x [1]"
    assert r.direction == "negative to positive"
    assert 5 < r.k_lo < r.k_hi < 6 and r.k_hi - r.k_lo < 1e-5
    assert r.at_lo[1] < 0 < r.at_hi[0]
    root = _float_crossing_root()
    assert r.k_lo - 1e-9 <= root <= r.k_hi + 1e-9


def test_crossing_narrow_interval_and_explicit_irrep():
    r = eigenvalue_crossing(
        "k-1,1", TYPE_II_K6, k0=6, k_bracket=(5, 6), irrep="[k-2,1] x [1]", rel_width=1e-11
    )
    assert r.certified and r.k_hi - r.k_lo < 1e-9
    assert r.to_json()["certified"] is True


def test_crossing_failures_are_reported():
    r = eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(6, 7))
    assert not r.certified and "changes sign" in r.message and math.isnan(r.k_lo)
    r = eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(5, 6), irrep="[k-9] x [1]")
    assert not r.certified and "no block" in r.message
    r = eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(5, 6), irrep="[k-3,2] x [1]")
    assert not r.certified and "same sign" in r.message
    with pytest.raises(ValueError, match="k_bracket"):
        eigenvalue_crossing("k-1,1", TYPE_II_K6, k0=6, k_bracket=(6, 5))


# ---------------------------------------------------------- interval linear algebra
def test_pencil_bounds_contain_eigenvalues_of_every_realisation(rng):
    import scipy.linalg

    A = ArbArithmetic(128)
    n, r = 5, 1e-9
    Q = rng.normal(size=(n, n))
    Gm = Q @ Q.T + n * np.eye(n)
    Bm = rng.normal(size=(n, n))
    Bm = Bm + Bm.T
    with A:
        B = [[A.number(Bm[i, j]) + A.ball(-r, r) for j in range(n)] for i in range(n)]
        G = [[A.number(Gm[i, j]) + A.ball(-r, r) for j in range(n)] for i in range(n)]
        bounds = pencil_eigenvalue_bounds(A, B, G)
    for _ in range(20):
        E = rng.uniform(-r, r, size=(n, n))
        F = rng.uniform(-r, r, size=(n, n))
        ev = scipy.linalg.eigh(Bm + (E + E.T) / 2, Gm + (F + F.T) / 2, eigvals_only=True)
        for (lo, hi), lam in zip(bounds, ev):
            assert lo <= lam <= hi
    assert max(hi - lo for lo, hi in bounds) < 1e-6


def test_pencil_bounds_refuse_an_indefinite_gram_matrix():
    A = ArbArithmetic(128)
    with A:
        B = [[A.number(1.0), A.number(0.0)], [A.number(0.0), A.number(1.0)]]
        G = [[A.number(1.0), A.number(0.0)], [A.number(0.0), A.number(-1.0)]]
        with pytest.raises(Undecided):
            pencil_eigenvalue_bounds(A, B, G)


def test_krawczyk_on_a_linear_system(rng):
    """F(x) = M x − b has the unique zero M⁻¹b; K(X) ⊂ X for a box around it."""
    n = 4
    M = rng.normal(size=(n, n)) + 4 * np.eye(n)
    b = rng.normal(size=n)
    x = np.linalg.solve(M, b)
    A = ArbArithmetic(128)
    with A:
        Ma = [[A.number(M[i, j]) for j in range(n)] for i in range(n)]
        F = [
            sum((Ma[i][j] * A.number(float(x[j])) for j in range(n)), A.number(0)) - b[i]
            for i in range(n)
        ]
        inside, K, _X = krawczyk_contains(A, x, [1e-10] * n, F, Ma, np.linalg.inv(M))
        assert inside
        # a box that does not contain the zero is not mapped into itself
        far = x + 1e-3
        F2 = [
            sum((Ma[i][j] * A.number(float(far[j])) for j in range(n)), A.number(0)) - b[i]
            for i in range(n)
        ]
        inside2, _, _ = krawczyk_contains(A, far, [1e-6] * n, F2, Ma, np.linalg.inv(M))
        assert not inside2


def test_crossing_moved_to_analytic_with_a_deprecation_path():
    import symbreak.analytic
    import symbreak.certify

    with pytest.warns(DeprecationWarning, match="symbreak.analytic.eigenvalue_crossing"):
        old = symbreak.certify.eigenvalue_crossing
    assert old is symbreak.analytic.eigenvalue_crossing
    with pytest.raises(AttributeError):
        symbreak.certify.no_such_name  # noqa: B018


def test_spec_string_with_k_certifies_the_same_point():
    # the spec string gives the group of k = 5: a saddle of index 3 (dense eigvalsh)
    cert = certify_critical_point("k-1,1", TYPE_II_K5, k=5)
    assert cert.exists and cert.kind == "saddle" and cert.index == 3
    c_ref = newton(ReducedSystem("k-1,1", k=5), TYPE_II_K5).x
    group = IsotropyGroup.from_spec("k-1,1", 5)
    ev = np.linalg.eigvalsh(dense_model(group).hessian(FixedPointSpace(group).embed(c_ref)))
    assert np.sum(ev < -1e-9) == cert.index
    assert _inside(cert.enclosure, c_ref, tol=1e-12)
    with pytest.raises(ValueError, match="give k"):
        certify_critical_point("k-1,1", TYPE_II_K5)
