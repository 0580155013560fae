"""The proof that a list of critical points below a loss level is complete (critical/prove.py).

Independent checks:

* the a priori bound against random dense weights (loss from the dense model);
* ``complete`` against a dense enumeration: Newton on the dense model
  (``TeacherStudent``, projected onto Fix(H)) from a grid of starts covering
  the a priori box;
* roots planted on the faces between plain boxes and blow-up charts, and a
  critical point next to a zero-row face (found by float Newton from a known
  approximation) certified in blow-up coordinates.
"""

import json
import math

import numpy as np
import pytest
from _helpers import dense_model

from symbreak import IsotropyGroup
from symbreak.critical import find_critical_points
from symbreak.critical import prove as pv
from symbreak.critical.prove import (
    ProveOptions,
    a_priori_radius,
    proof_scope,
    prove_critical_points,
    prove_or_certify,
)
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.reduced.system import ReducedSystem

pytest.importorskip("flint")


def newton_polish(system, c, iters=40):
    """Plain float64 Newton on the reduced gradient (independent of the proof's code)."""
    c = np.asarray(c, dtype=float)
    for _ in range(iters):
        g = system.gradient(c)
        if np.linalg.norm(g) < 1e-13:
            break
        c = c - np.linalg.solve(system.hessian(c), g)
    return c, float(np.linalg.norm(system.gradient(c)))


# --------------------------------------------------------------------------- a priori bound
def test_a_priori_radius_formula_and_dense_check():
    k = 4
    group = IsotropyGroup.from_spec("k", k)
    model = dense_model(group)
    # ½‖f_V‖² is the loss at W → 0 (dense model, tiny W)
    rng = np.random.default_rng(0)
    W = 1e-9 * rng.normal(size=(k, k))
    fv2 = 2 * model.loss(W)
    assert math.isclose(fv2, k / 2 + k * (k - 1) / (2 * math.pi), rel_tol=1e-6)
    R = a_priori_radius(k, 0.3)
    assert math.isclose(R, math.sqrt(2) * (math.sqrt(fv2) + math.sqrt(0.6)), rel_tol=1e-6)
    # every random W with L ≤ L0 has ‖W‖_F ≤ R (and the bound is not vacuous: some come close)
    worst = 0.0
    for scale in (0.3, 1.0, 2.0):
        for _ in range(300):
            W = np.eye(k) + scale * rng.normal(size=(k, k))
            L = model.loss(W)
            R_L = a_priori_radius(k, L)
            assert np.linalg.norm(W) <= R_L
            worst = max(worst, np.linalg.norm(W) / R_L)
    assert worst > 0.3


# --------------------------------------------------------------------------- dense enumeration
def _dense_enumeration(group, max_loss, grid=14):
    """Critical points in Fix(H) with L ≤ max_loss, by Newton on the dense model from a grid."""
    space = FixedPointSpace(group)
    model = dense_model(group)
    E = np.stack([space.embed(np.eye(space.dim)[o]).ravel() for o in range(space.dim)], axis=1)
    R = a_priori_radius(group.k, max_loss)
    bound = R / np.sqrt(space.orbit_sizes())
    axes = [np.linspace(-b, b, grid) for b in bound]
    found = []
    for start in np.array(np.meshgrid(*axes)).reshape(space.dim, -1).T:
        c = start.copy()
        try:
            for _ in range(40):
                W = space.embed(c)
                g = E.T @ model.grad(W).ravel()
                if np.linalg.norm(g) < 1e-12:
                    break
                H = E.T @ model.hessian(W) @ E
                c = c - np.linalg.lstsq(H, g, rcond=None)[0]
            W = space.embed(c)
            g = E.T @ model.grad(W).ravel()
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        if not np.all(np.isfinite(c)) or np.linalg.norm(g) > 1e-10:
            continue
        if np.min(np.linalg.norm(W, axis=1)) < 1e-6 or model.loss(W) > max_loss:
            continue
        if not any(np.max(np.abs(c - f)) < 1e-7 for f in found):
            found.append(c)
    return found


@pytest.mark.parametrize("engine", ["interval", "arb"])
@pytest.mark.parametrize("k,max_loss", [(3, 0.5), (4, 0.2)])
def test_complete_matches_dense_enumeration(k, max_loss, engine):
    group = IsotropyGroup.from_spec("k", k)
    res = prove_critical_points(group, max_loss, options=ProveOptions(engine=engine))
    assert res.complete
    assert not res.undecided
    dense = _dense_enumeration(group, max_loss)
    assert len(res.points) == len(dense)
    for c in dense:
        hits = [p for p in res.points if all(lo <= x <= hi for (lo, hi), x in zip(p.box, c))]
        assert len(hits) == 1
        lo_e, hi_e = zip(*hits[0].enclosure)
        assert np.all(np.asarray(lo_e) - 1e-9 <= c) and np.all(c <= np.asarray(hi_e) + 1e-9)
    # the global minimum W = V is in the list, as a certified minimum
    gm = [p for p in res.points if p.loss[0] <= 0 <= p.loss[1]]
    assert len(gm) == 1 and gm[0].kind == "minimum"


# --------------------------------------------------------------------------- planted roots
def test_root_on_the_face_between_plain_boxes_and_a_chart_is_found_once():
    """Put the tube's boundary plane y_b = s0 through a critical point (b ≠ 0)."""
    group = IsotropyGroup.from_spec("k", 6)
    system = ReducedSystem(group)
    c, gn = newton_polish(system, [-0.66, 0.33])
    assert gn < 1e-12
    y = c * np.sqrt(system.space.orbit_sizes())
    s0 = float(abs(y[1]))  # the plane |y_b| = s0 passes through the root (up to rounding)
    assert abs(y[0]) < s0
    res = prove_critical_points(group, 0.2, options=ProveOptions(tube=s0))
    assert res.complete
    near = [p for p in res.points if np.max(np.abs(np.asarray(p.center) - c)) < 1e-8]
    assert len(near) == 1
    assert len(res.points) == 2  # the same list as with the default tube
    default = prove_critical_points(group, 0.2)
    assert sorted(round(p.loss[0], 10) for p in default.points) == sorted(
        round(p.loss[0], 10) for p in res.points
    )


def test_root_with_zero_coordinate_and_split_planes():
    """W = V has b = 0: with a tube of width 0 ± s0 around b = 0 the root sits inside a chart
    region of block 1 only if |y_a| <= s0; here it is a plain box touching y_b = ±s0."""
    group = IsotropyGroup.from_spec("k", 5)
    for tube in (1e-3, 2.0):
        res = prove_critical_points(group, 0.05, options=ProveOptions(tube=tube))
        assert res.complete
        zero = [p for p in res.points if p.loss[0] <= 0 <= p.loss[1]]
        assert len(zero) == 1
        lo, hi = zip(*zero[0].enclosure)
        assert lo[0] <= 1.0 <= hi[0] and lo[1] <= 0.0 <= hi[1]


# The k = 6 Fix(k-1,1) critical point with loss 0.0603848833 (discovery issue): its last row
# w_k = (e, ..., e, f) has |w_k| ≈ 0.08, next to the face where the last row vanishes.
NEAR_FACE_K6 = [1.1447, -0.0266, 0.1982, -0.0320, -0.0359]


def test_point_next_to_a_zero_row_face_is_certified_in_blow_up_coordinates():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    system = ReducedSystem(group)
    c, gn = newton_polish(system, NEAR_FACE_K6)
    assert gn < 1e-12
    assert math.isclose(system.loss(c), 0.0603848833, abs_tol=1e-9)
    P = pv._Problem(group, 0.2, ProveOptions(tube=0.5))
    y = c / P.sigma
    t = P.block_of[3]
    j = int(np.argmax(np.abs(y[P.block_coords[t]])))
    j = P.block_coords[t][j]
    chart = ((t, j, int(np.sign(y[j]))),)
    z = P.z_of_y(chart, list(y))
    assert z is not None and 0 < z[j] < 0.5
    # a box around it in chart coordinates (not centred at the root) is certified or carved
    box = (chart, tuple(v - 0.003 for v in z), tuple(v + 0.004 for v in z))
    out = pv._box_outcome(P, box)
    while out[0] == "split" and len(out[1]) == 1:  # Krawczyk shrinking
        box = out[1][0]
        out = pv._box_outcome(P, box)
    assert out[0] == "root"
    rec = out[1]
    assert all(lo - 1e-12 <= x <= hi + 1e-12 for (lo, hi), x in zip(rec["enclosure"], c))
    assert rec["loss"][0] - 1e-12 <= system.loss(c) <= rec["loss"][1] + 1e-12
    assert math.isclose(rec["loss"][0], 0.0603848833, abs_tol=1e-9)
    # the same root, certified from a plain box, is recognised as the same point
    plain = ((), tuple(v - 0.004 for v in y), tuple(v + 0.003 for v in y))
    out2 = pv._box_outcome(P, plain)
    while out2[0] == "split" and len(out2[1]) == 1:
        out2 = pv._box_outcome(P, out2[1][0])
    assert out2[0] == "root"
    assert pv._same_root(P, rec, out2[1])


def test_chart_gradient_is_the_limit_of_the_true_gradient():
    """In a blow-up chart the gradient at s equals the float64 gradient at the true point,
    and stays bounded (an enclosure containing the s → 0 limit) on [0, s]."""
    group = IsotropyGroup.from_spec("k-1,1", 5)
    system = ReducedSystem(group)
    P = pv._Problem(group, 0.2, ProveOptions(prec=80))
    A, gsys, U = P.A, P.gsys, P.U
    direction = np.array([0.9, -0.05, 0.3, 0.4, -0.7])
    with A:
        for s in (0.5, 1e-3):
            st = gsys.state(list(direction), row_scales={1: A.number(s)})
            true = direction.copy()
            true[3:] *= s
            g = system.gradient(true)
            for gi, ball in zip(g, st.gradient_form(U)[0]):
                assert abs(A.to_float(ball) - gi) < 1e-12
        st0 = gsys.state(list(direction), row_scales={1: A.ball(0.0, 1e-3)})
        G0 = st0.gradient_form(U)[0]
        assert all(ball.is_finite() for ball in G0)
        true = direction.copy()
        true[3:] *= 1e-7
        for gi, ball in zip(system.gradient(true), G0):
            assert A.lower(ball) <= gi <= A.upper(ball)


def test_loss_enclosure_where_a_row_may_vanish_contains_the_loss():
    group = IsotropyGroup.from_spec("k-1,1", 5)
    system = ReducedSystem(group)
    P = pv._Problem(group, 0.2, ProveOptions())
    A, gsys = P.A, P.gsys
    rng = np.random.default_rng(3)
    with A:
        lo = np.array([-0.2, -0.1, -0.3, -0.05, -0.1])
        hi = np.array([0.3, 0.2, 0.1, 0.05, 0.1])
        L = gsys.state([A.ball(a, b) for a, b in zip(lo, hi)], zero_rows_ok=True).loss()[0]
        for _ in range(200):
            c = lo + (hi - lo) * rng.random(5)
            assert A.lower(L) <= system.loss(c) <= A.upper(L)


# --------------------------------------------------------------------------- resume, workers
def test_resume_from_frontier_gives_the_same_result(tmp_path):
    group = IsotropyGroup.from_spec("k", 4)
    straight = prove_critical_points(group, 0.2, options=ProveOptions(batch=64))
    path = str(tmp_path / "frontier.json")
    first = prove_critical_points(
        group, 0.2, options=ProveOptions(batch=64, max_boxes=128, frontier=path)
    )
    assert not first.complete and first.undecided
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["processed"] == 128 and data["open"]
    resumed = prove_critical_points(group, 0.2, options=ProveOptions(batch=64, frontier=path))
    assert resumed.complete
    assert resumed.boxes == straight.boxes
    assert resumed.excluded == straight.excluded
    assert [p.enclosure for p in resumed.points] == [p.enclosure for p in straight.points]
    # a frontier written for another problem is refused
    with pytest.raises(ValueError, match="frontier"):
        prove_critical_points(group, 0.3, options=ProveOptions(batch=64, frontier=path))


def test_workers_give_the_serial_result():
    group = IsotropyGroup.from_spec("k", 3)
    serial = prove_critical_points(group, 0.3, options=ProveOptions(batch=64))
    parallel = prove_critical_points(group, 0.3, options=ProveOptions(batch=64, workers=2))
    assert serial.complete and parallel.complete
    assert serial.boxes == parallel.boxes and serial.excluded == parallel.excluded
    assert [p.enclosure for p in serial.points] == [p.enclosure for p in parallel.points]


def test_progress_reports_boxes_done_and_open():
    updates = []
    prove_critical_points(IsotropyGroup.from_spec("k", 3), 0.1, progress=updates.append)
    assert updates and updates[-1].stage == "prove"
    assert updates[-1].done == updates[-1].total and updates[-1].info["open"] == 0
    assert all(u.done <= u.total for u in updates)


# --------------------------------------------------------------------------- scope, validation
def test_scope_and_fallback_for_large_groups():
    ok, why = proof_scope(IsotropyGroup.from_spec("k", 5))
    assert ok
    big = IsotropyGroup.from_spec("k-2,1,1", 6)
    ok, why = proof_scope(big)
    assert not ok and "dim Fix(H) = 10" in why
    with pytest.raises(ValueError, match="out of reach"):
        prove_critical_points(big, 0.2)
    system = ReducedSystem(big)
    start = np.zeros(system.space.dim)
    start[[0, 5, 9]] = 1.0  # W = V
    res = prove_or_certify(big, 0.2, fallback=lambda: [start])
    assert not res.complete and any("out of reach" in n for n in res.notes)
    assert len(res.points) == 1 and res.points[0].exists


def test_find_critical_points_prove_hook():
    group = IsotropyGroup.from_spec("k", 4)
    res = find_critical_points(group, prove=True, max_loss=0.2)
    assert res.proof is not None and res.proof.complete
    assert len(res.points) == len(res.proof.points)
    for p, cert in zip(res.points, res.proof.points):
        assert cert.loss[0] - 1e-12 <= p.loss <= cert.loss[1] + 1e-12
    rec = res.proof.search_record()
    assert rec["complete"] is True and rec["undecided"] == []
    with pytest.raises(ValueError, match="max_loss"):
        find_critical_points(group, prove=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tube": 0.0},
        {"max_boxes": 0},
        {"prec": 32},
        {"workers": 1.5},
        {"min_width": -1},
        {"engine": "gpu"},
    ],
)
def test_options_are_validated(kwargs):
    with pytest.raises((ValueError, TypeError)):
        ProveOptions(**kwargs)


def test_bad_max_loss():
    group = IsotropyGroup.from_spec("k", 3)
    with pytest.raises(ValueError):
        prove_critical_points(group, -1.0)
    with pytest.raises(TypeError):
        prove_critical_points(group, "0.2")


@pytest.mark.parametrize("spec,k", [("k", 5), ("k-1,1", 5), ("k-1,1|1", 4), ("k-2,2", 6)])
def test_hermite_loss_bound_is_below_the_dense_loss(spec, k):
    """L ≥ the Hermite degree-0/1/2 bound at random points (loss from the dense model), on
    points and on small boxes."""
    from symbreak.critical.prove import hermite_loss_bound

    group = IsotropyGroup.from_spec(spec, k)
    P = pv._Problem(group, 0.2, ProveOptions(force=True))
    space = FixedPointSpace(group)
    model = dense_model(group)
    A = P.A
    rng = np.random.default_rng(1)
    ratios = []
    for _ in range(60):
        c = rng.normal(size=P.dim) * rng.choice([0.3, 1.0, 2.0])
        L = model.loss(space.embed(c))
        with A:
            C = [A.number(float(x)) for x in c]
            lb = hermite_loss_bound(P, P.gsys.state(C), C)
            box = [A.ball(float(x) - 1e-3, float(x) + 1e-3) for x in c]
            lb_box = hermite_loss_bound(P, P.gsys.state(box, zero_rows_ok=True), box)
        assert lb <= L + 1e-12
        assert lb_box <= L + 1e-12
        ratios.append(lb / L)
    assert np.median(ratios) > 0.5  # not vacuous


def test_region_restricts_the_proof():
    """Fix(k), k = 5: the full list has the global minimum and one saddle; a region around
    the saddle's first coordinate (a ≈ −0.594) holds exactly that one."""
    group = IsotropyGroup.from_spec("k", 5)
    system = ReducedSystem(group)
    c, gn = newton_polish(system, [-0.59, 0.4])
    assert gn < 1e-12
    res = prove_critical_points(group, 0.2, options=ProveOptions(region=((0, -0.7, -0.5),)))
    assert res.complete and len(res.points) == 1
    assert np.max(np.abs(np.asarray(res.points[0].center) - c)) < 1e-9
    with pytest.raises(ValueError):
        ProveOptions(region=((0, 1.0, 0.0),))
