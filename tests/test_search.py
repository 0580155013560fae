"""Recall of the critical-point search against an independent enumeration; saturation; orbits."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.optimize
from _helpers import dense_model

from symbreak.critical import SearchOptions, find_critical_points, stabiliser
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

#: the eight critical values below 0.2 in Fix(k-1,1) at k = 6 (issue 12; re-derived below)
K6_LOSSES = [
    0.0,
    0.0250805810,
    0.0473957753,
    0.0556685813,
    0.0603848833,
    0.0604630247,
    0.1011575559,
    0.1085876138,
]


def _independent_k6_enumeration(starts=400):
    """Critical points of Fix(k-1,1), k = 6, below loss 0.2 by a different path.

    The dense model (TeacherStudent, not the compressed one), its gradient
    averaged over the orbits of the group (the gradient of L restricted to
    Fix(H)), MINPACK's hybrid root finder with a forward-difference Jacobian,
    uniform starts in [-1.2, 1.2]^5 from another generator; a root is kept
    when the full dense gradient is below 1e-9 and no row is near zero.
    """
    g = IsotropyGroup.from_spec("k-1,1", 6)
    space, model = FixedPointSpace(g), dense_model(g)
    rng = np.random.default_rng(2024)
    found = []
    for _ in range(starts):
        sol = scipy.optimize.root(
            lambda c: space.project(model.grad(space.embed(c))),
            rng.uniform(-1.2, 1.2, size=5),
            method="hybr",
            options={"xtol": 1e-13},
        )
        W = space.embed(sol.x)
        if np.linalg.norm(W, axis=1).min() < 1e-3 or np.abs(model.grad(W)).max() > 1e-9:
            continue
        if model.loss(W) < 0.2 and not any(
            stabiliser(W).form.same_orbit(stabiliser(V).form) for V in found
        ):
            found.append(W)
    return found


@pytest.mark.slow
def test_recall_at_k6_against_independent_enumeration():
    reference = _independent_k6_enumeration()
    g = IsotropyGroup.from_spec("k-1,1", 6)
    res = find_critical_points(g, options=SearchOptions(max_loss=0.2))
    space, model = FixedPointSpace(g), dense_model(g)
    assert sorted(model.loss(W) for W in reference) == pytest.approx(K6_LOSSES, abs=1e-9)
    ours = [space.embed(p.coords) for p in res.points]
    for W in reference:  # every independently found orbit is found
        assert any(stabiliser(W).form.same_orbit(stabiliser(V).form) for V in ours)
    assert len(ours) == len(reference) == 8  # and nothing else below 0.2
    for W, p in zip(ours, res.points):  # each is critical for the dense model
        assert np.abs(model.grad(W)).max() < 1e-8
        assert model.loss(W) == pytest.approx(p.loss, abs=1e-12)
    assert res.saturated and res.new_point_probability <= 0.01


def test_no_orbit_reported_twice_and_orders_match_brute_orbit_counting():
    g = IsotropyGroup.from_spec("k-2,1,1", 5)
    res = find_critical_points(g, options=SearchOptions(starts=64))
    space = FixedPointSpace(g)
    forms = [stabiliser(space.embed(p.coords)).form for p in res.points]
    for i in range(len(forms)):
        for j in range(i):
            assert not forms[i].same_orbit(forms[j]), (i, j)
    # isotropy_order against brute force over S_5 × S_5
    from test_stabiliser import brute_order

    for p in res.points[:6]:
        assert p.isotropy_order == brute_order(space.embed(p.coords))


def test_same_function_points_compute_the_same_function():
    # k = 6, Fix(k-1,1): the two R5×C5 points with loss 0.5601511162 (five equal rows)
    g = IsotropyGroup.from_spec("k-1,1", 6)
    res = find_critical_points(g, options=SearchOptions(max_loss=0.6, seed=1))
    space, model = FixedPointSpace(g), dense_model(g)
    pairs = [(i, j) for i, p in enumerate(res.points) for j in p.same_function_as]
    assert pairs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 6))
    for i, j in pairs:
        Wi, Wj = space.embed(res.points[i].coords), space.embed(res.points[j].coords)
        assert not stabiliser(Wi).form.same_orbit(stabiliser(Wj).form)
        # same function up to a column permutation: compare sorted outputs on the
        # orbit-averaged inputs is not enough; check directly that some column
        # permutation makes f_Wi = f_Wj on random inputs
        fi = np.maximum(X @ Wi.T, 0).sum(1)
        assert any(
            np.allclose(fi, np.maximum(X[:, perm] @ Wj.T, 0).sum(1), atol=1e-8)
            for perm in _col_perms_k6()
        )
        assert model.loss(Wi) == pytest.approx(model.loss(Wj), abs=1e-12)


def _col_perms_k6():
    import itertools

    return [list(p) for p in itertools.permutations(range(6))]


def test_seeds_are_used_and_cap_respected():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    seed_point = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])
    res = find_critical_points(
        g, options=SearchOptions(starts=1, dead_rows=False), seeds=[seed_point]
    )
    assert res.random_starts == 1 and not res.saturated
    assert any(abs(p.loss - 0.0250805810) < 1e-9 for p in res.points)
    with pytest.raises(ValueError):
        find_critical_points(g, seeds=np.zeros((1, 3)))
    with pytest.raises(ValueError):
        SearchOptions(max_loss=float("nan"))
    with pytest.raises(ValueError):
        SearchOptions(patience=0)


def test_cli_json_search_record(tmp_path):
    env = dict(os.environ)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "symbreak",
            "critical",
            "--isotropy",
            "k-1,1",
            "--k",
            "6",
            "--max-loss",
            "0.03",
            "--starts",
            "40",
            "--quiet",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(out.stdout)
    assert set(data["search"]) >= {"starts_used", "saturated", "new_point_probability"}
    assert [p["isotropy_order"] for p in data["points"]] == [720, 120]
    assert all(p["loss"] <= 0.03 for p in data["points"])
    assert all(p["same_function_as"] == [] for p in data["points"])
