"""Asymptotic series in t = k^(-1/2): checked against direct solves at k = 10³ … 10⁶.

Direct solves are independent of the fit: different values of k, float64
Newton on the float64 ReducedSystem, and 60-digit Newton followed by a
general (non-symmetric) mpmath eigen-solver.  Exact values at the global
minimum come from MATH.md §3.
"""

import json

import mpmath as mp
import numpy as np
import pytest
from _helpers import TYPE_II_K6

from symbreak import IsotropyGroup, ReducedSystem, hessian_blocks
from symbreak.analytic import VARIABLE, SeriesOptions, asymptotic_series
from symbreak.certify import GenericReducedSystem, MPArithmetic
from symbreak.cli import main
from symbreak.continuation import ContinuationOptions, continuation
from symbreak.solve import newton
from symbreak.tolerances import Tolerances

K_CHECK = (1e3, 1e4, 1e5, 1e6)


@pytest.fixture(scope="module")
def type_ii():
    return asymptotic_series("k-1,1", TYPE_II_K6, k0=6, order=4)


@pytest.fixture(scope="module")
def float_solves():
    """Float64 orbit-scaled Newton on the float64 ReducedSystem along the continued family."""
    opts = ContinuationOptions(detect_events=False)
    branch = continuation("k-1,1", TYPE_II_K6, k0=6, k1=K_CHECK[-1], options=opts)
    assert branch.status.success, branch.message
    out = {}
    for k in K_CHECK:
        system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", k))
        near = branch.points[int(np.argmin(np.abs(np.log(branch.k / k))))].coords
        res = newton(system, near)
        assert res.converged
        out[k] = res.x
    return out


@pytest.fixture(scope="module")
def mp_solves(float_solves):
    """60-digit Newton at each k, loss and block eigenvalues (mpmath.eig of G⁻¹B)."""
    out = {}
    for k, c in float_solves.items():
        group = IsotropyGroup.from_spec("k-1,1", k)
        arith = MPArithmetic(60)
        gen = GenericReducedSystem(group, arith)
        res = newton(gen, c, tolerances=Tolerances(gradient=1e-40, step=1e-40))
        assert res.converged
        cm = list(res.x)
        with arith:
            loss = gen.loss(cm)
            eigs = {}
            for b in gen.blocks(cm):
                if len(b.G) == 1:
                    E = [b.B[0][0] / b.G[0][0]]
                else:
                    M = mp.inverse(mp.matrix(b.G)) * mp.matrix(b.B)
                    E = mp.eig(M, left=False, right=False)
                eigs[b.label] = sorted(float(mp.re(e)) for e in E)
        out[k] = ([float(x) for x in cm], float(loss), eigs)
    return out


def test_type_ii_series_shape(type_ii):
    assert type_ii.ok, type_ii.message
    js = type_ii.to_json()
    assert js["variable"] == VARIABLE == "k^(-1/2)"
    assert len(js["coords"]) == 5 and all(len(c) == 5 for c in js["coords"])
    assert len(js["loss"]) == 5
    group = IsotropyGroup.from_spec("k-1,1", 1e4)
    blocks = hessian_blocks(group, TYPE_II_K6)
    assert [b["irrep"] for b in js["blocks"]] == [b.label for b in blocks]
    for jb, b in zip(js["blocks"], blocks):
        assert len(jb["eigenvalues"]) == b.size == len(jb["powers"])
    assert set(js["error"]) >= {"coefficients", "tail", "max_coefficient_error", "fit"}
    json.dumps(js, allow_nan=False)


def test_type_ii_coordinates_match_direct_solves(type_ii, float_solves, mp_solves):
    for k in K_CHECK:
        c_mp = mp_solves[k][0]
        for s, x_mp, x_f in zip(type_ii.coords, c_mp, float_solves[k]):
            err = s.error_bound(k)
            assert abs(s(k) - x_mp) <= err + 1e-15, (k, s(k), x_mp, err)
            # float64 Newton: its own rounding (~1e-16 k in orthonormal units) on top
            assert abs(s(k) - x_f) <= err + 1e-9


def test_type_ii_loss_matches_direct_solves(type_ii, mp_solves):
    for k in K_CHECK:
        loss = mp_solves[k][1]
        assert abs(type_ii.loss(k) - loss) <= type_ii.loss.error_bound(k) + 1e-18
    # float64 loss (the constant k²/(4π) cancels: only usable at moderate k)
    system = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 1e3))
    c = newton(system, mp_solves[1e3][0]).x
    assert abs(type_ii.loss(1e3) - system.loss(c)) <= type_ii.loss.error_bound(1e3) + 1e-9


def test_type_ii_block_eigenvalues_match_direct_solves(type_ii, float_solves, mp_solves):
    for k in K_CHECK:
        eigs = mp_solves[k][2]
        for b in type_ii.blocks:
            for s, lam in zip(b.eigenvalues, eigs[b.label]):
                tol = s.error_bound(k) + 1e-13 * max(1.0, abs(lam))
                assert abs(s(k) - lam) <= tol, (k, b.label, s(k), lam)
    for k in (1e3, 1e4):
        group = IsotropyGroup.from_spec("k-1,1", k)
        for fb in hessian_blocks(group, float_solves[k]):
            (sb,) = [b for b in type_ii.blocks if b.label == fb.label]
            for s, lam in zip(sb.eigenvalues, fb.eigenvalues):
                assert abs(s(k) - lam) <= s.error_bound(k) + 1e-9 * max(1.0, abs(lam))


def test_error_estimate_is_consistent_across_windows(type_ii):
    """A fit on another window and degree agrees within the two stated errors."""
    other = asymptotic_series(
        "k-1,1", TYPE_II_K6, k0=6, order=4, options=SeriesOptions(k_min=2e3, extra_degree=6)
    )
    assert other.ok
    pairs = list(zip(type_ii.all_series(), other.all_series()))
    assert len(pairs) == len(type_ii.all_series())
    for (name, s1), (_, s2) in pairs:
        assert s1.power == s2.power, name
        for c1, e1, c2, e2 in zip(s1.coefficients, s1.errors, s2.coefficients, s2.errors):
            assert abs(c1 - c2) <= e1 + e2, (name, c1, c2, e1, e2)


def test_global_minimum_series_has_the_exact_values():
    r = asymptotic_series("k", [1.0, 0.0], k0=6, order=3, options=SeriesOptions(extra_degree=6))
    assert r.ok
    assert r.coords[0].coefficients == (1.0, 0.0, 0.0, 0.0)
    assert r.coords[1].coefficients == (0.0, 0.0, 0.0, 0.0)
    assert r.loss.coefficients == (0.0, 0.0, 0.0, 0.0)
    by = {b.label: b for b in r.blocks}
    (two,) = by["[k-2,2]"].eigenvalues
    (alt,) = by["[k-2,1,1]"].eigenvalues
    for s, value in ((two, 0.25 + 1 / (2 * np.pi)), (alt, 0.25 - 1 / (2 * np.pi))):
        assert s.power == 0
        assert abs(s.coefficients[0] - value) <= s.errors[0] + 1e-15
        assert s.coefficients[1:] == (0.0, 0.0, 0.0)
    # the trivial block has eigenvalues growing like k: power -2
    assert [e.power for e in by["[k]"].eigenvalues] == [-2, -2]
    group = IsotropyGroup.from_spec("k", 1e5)
    ref = {b.label: b.eigenvalues for b in hessian_blocks(group, [1.0, 0.0])}
    for s, lam in zip(by["[k]"].eigenvalues, ref["[k]"]):
        assert abs(s(1e5) - lam) <= s.error_bound(1e5) + 1e-11 * lam


def test_failures_are_reported_not_raised():
    r = asymptotic_series("k-1,1", [1.0, 0.0, 0.0, 0.0, 0.0], k0=6, order=2)
    assert r.status == "failed" and not r.ok and "could not follow" in r.message
    assert r.to_json()["status"] == "failed"


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(spec="5,1", start=TYPE_II_K6, k0=6, order=2), ValueError, "depending on k"),
        (dict(spec="k-1,1", start=TYPE_II_K6, k0=6, order=-1), ValueError, "order"),
        (dict(spec="k-1,1", start=TYPE_II_K6, k0=6, order=2.5), TypeError, "order"),
        (dict(spec="k-1,1", start=[1.0], k0=6, order=2), ValueError, "5 coordinates"),
        (dict(spec="k-1,1", start=TYPE_II_K6, k0="6", order=2), TypeError, "k0"),
    ],
)
def test_input_errors(kwargs, exc, match):
    spec = kwargs.pop("spec")
    start = kwargs.pop("start")
    with pytest.raises(exc, match=match):
        asymptotic_series(spec, start, **kwargs)


def test_options_validation():
    with pytest.raises(ValueError, match="k_min"):
        SeriesOptions(k_min=5)
    with pytest.raises(ValueError, match="dps"):
        SeriesOptions(dps=10)
    with pytest.raises(TypeError, match="extra_degree"):
        SeriesOptions(extra_degree=2.0)


def test_series_cli_json(capsys):
    argv = ["series", "--isotropy", "k", "--start", "1,0", "--k0", "6", "--order", "2"]
    assert main(argv + ["--extra-degree", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["variable"] == "k^(-1/2)"
    assert out["coords"] == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert out["loss"] == [0.0, 0.0, 0.0]
    assert {b["irrep"] for b in out["blocks"]} == {"[k]", "[k-1,1]", "[k-2,2]", "[k-2,1,1]"}
    assert "error" in out
    assert main(argv + ["--extra-degree", "4"]) == 0
    assert "Series in t = k^(-1/2)" in capsys.readouterr().out


def test_series_cli_failure_exit_code(capsys):
    argv = ["series", "--isotropy", "k-1,1", "--start", "3,2,-1,2,-3", "--k0", "6", "--json"]
    assert main(argv) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "failed"


@pytest.mark.parametrize("k1", [1e6, 1e9])
def test_type_ii_continues_to_huge_k_and_its_loss_matches_the_series(type_ii, k1):
    # issue 11: float64 continuation used to stop at k = 463 318 (newton_failed).  The series is an
    # independent computation (mpmath solves at Chebyshev nodes in k^(-1/2), least-squares fit).
    opts = ContinuationOptions(detect_events=False)
    branch = continuation("k-1,1", TYPE_II_K6, k0=6, k1=k1, options=opts)
    assert branch.status.success, branch.message
    end = branch.points[-1]
    assert end.k == k1
    assert abs(end.loss - type_ii.loss(k1)) <= type_ii.loss.error_bound(k1) + 1e-12 * end.loss
    for s, x in zip(type_ii.coords, end.coords):
        assert abs(s(k1) - x) <= s.error_bound(k1) + 1e-15
    # still the type-II minimum: index 0 all the way
    assert all(p.index == 0 for p in branch.points if p.k > 6)
