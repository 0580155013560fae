"""Every example runs in its quick mode, and its results are checked."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_global_minimum_spectrum(tmp_path, capsys):
    out = load("global_minimum_spectrum").main(quick=True, plot=str(tmp_path / "s.png"))
    for k, s in out.items():
        assert s.total_multiplicity == k * k
        low = sum(
            e.multiplicity for e in s.entries if abs(e.value - (0.25 - 1 / (2 * np.pi))) < 1e-9
        )
        assert low == k * (k - 1) // 2
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_type_ii_family(capsys):
    res = load("type_ii_family").main(quick=True)
    assert res["events"] == 1 and 5 < res["k_star"] < 6
    lo, hi, certified = res["crossing"]
    assert certified and lo <= res["k_star"] <= hi
    assert res["kinds"] == {5.0: "saddle", 6.0: "minimum"}
    assert np.all(np.diff(res["loss_up"]) < 0)  # the loss decreases with k from 6 on


def test_annihilation(capsys):
    res = load("annihilation").main(quick=True)
    assert {r["spec"] for r in res} == {"k", "k-1,1"}
    for r in res:
        assert r["extra"] == 1
        # the analytic certificate is a descent direction of the dense Hessian
        assert r["rayleigh"] == pytest.approx(r["min_eig"], abs=1e-9) and r["rayleigh"] < 0


def test_robustness_table():
    """Type II at k = 6 along the seed-0 random direction: a minimum up to the first
    event, checked on the dense model with the perturbed teacher on both sides."""
    from symbreak.continuation.perturb import random_direction
    from symbreak.model import TeacherStudent

    out = load("robustness_table").main(quick=True)
    res, until = out["result"], out["survives_until"]
    assert until is not None and 0 < until < 1
    E = random_direction(6, 6, seed=0)
    before = [p for p in res.branch if 0 < p.eps < until]
    after = [p for p in res.branch if p is not res.branch[0] and p.eps < until * (1 - 1e-6)
             and p.index > 0]
    assert before
    for p in before[-2:] + after[:2]:
        model = TeacherStudent(np.eye(6) + p.eps * E)
        W = np.asarray(p.W)
        assert np.linalg.norm(model.grad(W)) < 1e-8
        lam = np.linalg.eigvalsh(model.hessian(W))
        assert (lam[0] > 0) == (p.index == 0) and int(np.sum(lam < -1e-9)) == p.index
