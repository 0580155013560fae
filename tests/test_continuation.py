"""Pseudo-arclength continuation in real k: branches, events, statuses.

Expected values come from MATH.md, from the dense model at integer k, and from
independent computations (Newton at fixed k plus a root finder on a block
eigenvalue, a brute-force scan of all block eigenvalues on a grid of k, the
standard fold system ∇L = 0, Hv = 0).
"""

import dataclasses

import numpy as np
import pytest
import scipy.optimize

from symbreak import TeacherStudent
from symbreak.continuation import (
    Branch,
    ContinuationOptions,
    Event,
    Status,
    continuation,
)
from symbreak.continuation import events as events_mod
from symbreak.continuation.family import KFamily
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup
from symbreak.solve import newton
from symbreak.spectrum import hessian_blocks

TYPE_II_K6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
STD = "[k-2,1] x [1]"


@pytest.fixture(scope="module")
def down():
    """Type II from k = 6 down to k = 5."""
    return continuation("k-1,1", TYPE_II_K6, k0=6, k1=5)


@pytest.fixture(scope="module")
def up():
    """Type II from k = 6 up to k = 200."""
    return continuation("k-1,1", TYPE_II_K6, k0=6, k1=200)


def _fixed_k_point(spec, k, guess):
    system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
    res = newton(system, guess)
    assert res.converged and res.residual < 1e-12
    return system, res.x


def _block_eig(spec, k, c, label, j=0):
    for b in hessian_blocks(IsotropyGroup.from_spec(spec, k), c):
        if b.label == label:
            return b.eigenvalues[j]
    raise KeyError(label)


# --------------------------------------------------------------------- the public checks
def test_type_ii_from_6_to_5_has_one_symmetry_breaking_event(down):
    assert down.status is Status.COMPLETED and down.success
    inside = [e for e in down.events if 5 < e.k < 6]
    assert len(inside) == len(down.events) == 1
    ev = inside[0]
    assert ev.kind == "symmetry_breaking"
    assert ev.irrep == STD and ev.irrep_types == ("std", "triv")
    # dim [k-2,1] = k - 2 at the (real) crossing; index 0 above it, k - 2 below
    assert ev.multiplicity == pytest.approx(ev.k - 2, abs=1e-12)
    assert ev.index_before == 0
    assert ev.index_after == pytest.approx(ev.k - 2, abs=1e-12)
    assert ev.k_error < 1e-10
    # MATH §4: index 0 at k = 6 and 3 at k = 5 (loss ≈ 0.0269705)
    assert down.points[0].k == 6 and down.points[0].index == 0
    assert down.points[-1].k == 5 and down.points[-1].index == 3
    assert down.points[0].loss == pytest.approx(0.0250806, abs=1e-7)
    assert down.points[-1].loss == pytest.approx(0.0269705, abs=1e-7)


def test_event_location_agrees_with_newton_at_fixed_k_and_brent(down):
    """Independent: c(k) by Newton at fixed k, then Brent on the [k-2,1] eigenvalue."""
    guess = {"c": np.array(down.points[0].coords)}

    def g(k):
        _, c = _fixed_k_point("k-1,1", k, guess["c"])
        guess["c"] = c
        return _block_eig("k-1,1", k, c, STD)

    assert g(5.7) > 0 > g(5.5)
    k_ref = scipy.optimize.brentq(g, 5.5, 5.7, xtol=1e-14, rtol=1e-15)
    assert abs(down.events[0].k - k_ref) < 1e-10
    # the event's coordinates are the critical point there
    system, c = _fixed_k_point("k-1,1", k_ref, down.events[0].coords)
    np.testing.assert_allclose(down.events[0].coords, c, atol=1e-8)


def test_type_ii_up_to_200_succeeds_with_decreasing_loss(up):
    assert up.status is Status.COMPLETED
    assert up.points[-1].k == 200
    assert np.all(np.diff(up.k) > 0)
    assert np.all(np.diff(up.loss) < 0)
    assert up.events == ()
    assert all(p.index == 0 for p in up.points)


@pytest.mark.parametrize("k", [5, 6, 7])
def test_points_at_integer_k_are_dense_critical_points(down, up, k):
    branch = down if k == 5 else up
    c = branch.point_at(k)
    group = IsotropyGroup.from_spec("k-1,1", k)
    W = ReducedSystem(group).space.embed(c)
    model = TeacherStudent(np.eye(k))
    assert np.max(np.abs(model.grad(W))) < 1e-10
    H = model.hessian(W)
    n_neg = int(np.sum(np.linalg.eigvalsh(H) < -1e-9))
    assert n_neg == (3 if k == 5 else 0)
    assert model.loss(W) == pytest.approx(ReducedSystem(group).loss(c), abs=1e-12)


def test_index_at_real_k_is_the_polynomial_value(down):
    ev = down.events[0]
    below = [p for p in down.points if p.k < ev.k]
    assert below
    for p in below:
        assert p.index == pytest.approx(p.k - 2, abs=1e-9)  # one eigenvalue of [k-2,1]


def test_branch_points_are_critical(down):
    fam = KFamily("k-1,1")
    for p in down.points:
        assert np.max(np.abs(fam.residual(p.coords, p.k))) < 1e-10


# --------------------------------------------------------------- events: brute force
@pytest.mark.parametrize(
    "spec,k0,start,k1",
    [
        ("k-2,2", 10, [0.99756, -0.03741, 0.19101, 0.13552, 0.15326, -0.72984], 4.6),
        ("k", 6, [-0.6634, 0.33071], 4.5),
    ],
)
def test_events_match_a_brute_force_scan_of_block_eigenvalues(spec, k0, start, k1):
    branch = continuation(spec, start, k0=k0, k1=k1)
    assert branch.success
    ks = np.linspace(k0, k1, 241)
    c = np.array(branch.points[0].coords)
    prev = None
    crossings = []
    for k in ks:
        _, c = _fixed_k_point(spec, k, c)
        blocks = {
            b.label: b.eigenvalues
            for b in hessian_blocks(IsotropyGroup.from_spec(spec, k), c)
            if b.dimension > 0
        }
        if prev is not None:
            for label, vals in blocks.items():
                old = prev[1].get(label)
                if old is not None and old.size == vals.size:
                    for j in np.flatnonzero(old * vals < 0):
                        crossings.append((label, int(j), prev[0], k))
        prev = (k, blocks)
    assert len(crossings) == len(branch.events) >= 1
    for (label, j, ka, kb), ev in zip(crossings, branch.events):
        assert ev.irrep == label and ev.eigenvalue == j
        assert min(ka, kb) <= ev.k <= max(ka, kb)
        assert ev.kind == "symmetry_breaking"
        # the crossing eigenvalue vanishes at the event
        assert abs(_block_eig(spec, ev.k, ev.coords, label, j)) < 1e-8


# ------------------------------------------------------------------------ folds
S_FOLD_START = [0.26459367, 0.26459367, 0.2624342, -0.03877211, -0.92027194, 0.85177365]


@pytest.fixture(scope="module")
def s_curve():
    """A Δ(S_{k-2}×S_2) saddle (index 20 at k = 6) whose branch has two folds near 5.61."""
    return continuation("k-2,2", S_FOLD_START, k0=6, k1=5.5)


def _fold_system(spec, z0):
    """Independent fold solve: ∇L(c; k) = 0, H(c; k) v = 0, e·v = 1 in unknowns (c, v, k)."""
    n = (len(z0) - 1) // 2

    def F(z):
        c, v, k = z[:n], z[n : 2 * n], z[-1]
        s = ReducedSystem(IsotropyGroup.from_spec(spec, k))
        g = s.gradient(c) / s.space.orbit_sizes()
        Hv = (s.hessian(c) @ v) / s.space.orbit_sizes()
        return np.concatenate([g, Hv, [v @ z0[n : 2 * n] - 1.0]])

    sol = scipy.optimize.root(F, z0, method="hybr", options={"xtol": 1e-14})
    assert sol.success
    return sol.x[-1]


def test_folds_are_located_in_the_trivial_block(s_curve):
    folds = [e for e in s_curve.events if e.kind == "fold"]
    assert len(folds) == 2
    assert s_curve.success
    for ev in folds:
        assert ev.irrep_types == ("triv", "triv")
        assert ev.multiplicity == 1
        assert abs(ev.index_after - ev.index_before) == 1
        # independent: the fold system started at the event
        spec = "k-2,2"
        s = ReducedSystem(IsotropyGroup.from_spec(spec, ev.k))
        w, V = np.linalg.eigh(s.hessian(ev.coords))
        v = V[:, np.argmin(np.abs(w))]
        k_ref = _fold_system(spec, np.concatenate([ev.coords, v, [ev.k]]))
        assert abs(ev.k - k_ref) < 1e-9
    # k turns: a minimum of k along the branch, then a maximum
    assert folds[0].k < folds[1].k
    ks = s_curve.k
    assert ks.min() < folds[0].k or np.isclose(ks.min(), 5.5)
    tangents = np.array([p.tangent[-1] for p in s_curve.points])
    assert np.count_nonzero(np.diff(np.sign(tangents)) != 0) == 2


def test_left_window_after_a_fold(s_curve):
    k0 = 5.6131  # between the two folds, on the first sheet
    start = s_curve.point_at(k0)
    # the S is 1e-3 wide in k: steps must be smaller than that to resolve it
    b = continuation("k-2,2", start, k0=k0, k1=5.6, options=ContinuationOptions(ds=1e-3))
    assert b.status is Status.LEFT_WINDOW
    assert "fold" in b.status.message and "widen" in b.status.message
    assert b.points[-1].k == pytest.approx(k0, abs=1e-12)
    assert [e.kind for e in b.events] == ["fold"]


# ------------------------------------------------------------ events: synthetic
def _fake(label, f):
    def block_samples(family, coords, k):
        return (
            events_mod.BlockSample(
                label=label, types=("std", "triv"), dimension=1.0, eigenvalues=np.array([f(k)])
            ),
        )

    return block_samples


@pytest.mark.parametrize(
    "f,kinds,roots",
    [
        (lambda k: (k - 5.4) ** 2, ["touch"], [5.4]),
        (lambda k: (k - 5.4) ** 2 - 1e-4, ["symmetry_breaking"] * 2, [5.39, 5.41]),
        (lambda k: (k - 5.4) ** 2 + 1e-2, [], []),
    ],
)
def test_touching_and_double_crossings_inside_one_step(down, monkeypatch, f, kinds, roots):
    """A fake block eigenvalue f(k) on the real branch: zeros that a sign test misses."""
    label = "[fake] x [1]"
    monkeypatch.setattr(events_mod, "block_samples", _fake(label, f))
    pts = tuple(
        dataclasses.replace(p, eigenvalues=((label, np.array([f(p.k)])),)) for p in down.points
    )
    # the steps are much longer than the distance between the two zeros
    assert np.min(np.abs(np.diff([p.k for p in pts]))) > 0.1
    fam = KFamily("k-1,1")
    found = events_mod.locate_events(fam, pts, down.options)
    assert [e.kind for e in found] == kinds
    for ev, r in zip(sorted(found, key=lambda e: e.k), roots):
        assert ev.k == pytest.approx(r, abs=1e-7)
    if kinds == ["touch"]:
        assert found[0].index_before == found[0].index_after == 0


# ------------------------------------------------------------ statuses and input
def test_start_not_critical_and_domain_boundary():
    b = continuation("k-1,1", [0.0] * 5, k0=6, k1=5)
    assert b.status is Status.START_NOT_CRITICAL and not b.success and b.points == ()
    assert "closer to a critical point" in b.message
    # the k-1 block stays larger than 1 down to k = 2: the branch reaches 2.2
    b = continuation("k-1,1", TYPE_II_K6, k0=6, k1=2.2)
    assert b.success and b.points[-1].k == pytest.approx(2.2)
    with pytest.raises(ValueError, match="outside the domain"):
        continuation("k-1,1", TYPE_II_K6, k0=6, k1=1.5)


def test_max_steps():
    b = continuation("k-1,1", TYPE_II_K6, k0=6, k1=50, options=ContinuationOptions(max_steps=3))
    assert b.status is Status.MAX_STEPS and "max_steps" in b.message
    assert len(b.points) == 4


def test_progress_is_reported():
    seen = []

    def progress(update):  # symbreak.progress protocol: one ProgressUpdate per accepted step
        assert update.stage == "continuation"
        seen.append((update.done, update.info["k"], update.info["index"]))

    continuation("k", [1.0, 0.0], k0=4, k1=8, progress=progress)
    assert [s for s, _, _ in seen] == list(range(len(seen)))
    assert seen[0][1] == 4 and seen[-1][1] == 8
    assert all(i == 0 for _, _, i in seen)


def test_global_minimum_has_no_events():
    b = continuation(IsotropyGroup.from_spec("k", 4), [1.0, 0.0], k1=20)
    assert b.success and b.events == ()
    assert np.all(np.abs(b.loss) < 1e-12)
    np.testing.assert_allclose(b.coords, np.tile([1.0, 0.0], (len(b.points), 1)), atol=1e-12)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(group="k-1,1", start=TYPE_II_K6, k1=5), ValueError, "give k0"),
        (dict(group="k-1,1", start=TYPE_II_K6, k0=6, k1=6), ValueError, "differ"),
        (dict(group="k-1,1", start=TYPE_II_K6, k0=6, k1=1.5), ValueError, "outside the domain"),
        (dict(group="k-1,1", start=[1.0, 0.0], k0=6, k1=5), ValueError, "5 coordinates"),
        (dict(group="k-1,1", start=TYPE_II_K6, k0=6, k1=-1), ValueError, "positive"),
        (dict(group="k-1,1", start=TYPE_II_K6, k0="6", k1=5), TypeError, "real number"),
        (dict(group=3, start=TYPE_II_K6, k0=6, k1=5), TypeError, "spec"),
        (dict(group="k-1,1", start=TYPE_II_K6, k0=6, k1=5, options={}), TypeError, "options"),
    ],
)
def test_bad_input(kwargs, exc, match):
    group = kwargs.pop("group")
    start = kwargs.pop("start")
    with pytest.raises(exc, match=match):
        continuation(group, start, **kwargs)


@pytest.mark.parametrize(
    "kwargs,exc",
    [
        (dict(ds=1.0), ValueError),
        (dict(ds_min=-1.0), ValueError),
        (dict(max_steps=0), ValueError),
        (dict(max_steps=2.5), TypeError),
        (dict(theta=float("nan")), ValueError),
        (dict(log_k=1), TypeError),
        (dict(shrink=1.5), ValueError),
        (dict(slow_newton=2, fast_newton=3), ValueError),
        (dict(fd_step=0.5), ValueError),
    ],
)
def test_options_are_validated(kwargs, exc):
    with pytest.raises(exc):
        ContinuationOptions(**kwargs)


def test_options_are_keyword_only_and_frozen():
    with pytest.raises(TypeError):
        ContinuationOptions(0.01)  # noqa: B018 - keyword-only
    opts = ContinuationOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.ds = 0.1
    assert ContinuationOptions.from_json(opts.to_json()) == opts
    with pytest.raises(ValueError, match="unknown"):
        ContinuationOptions.from_json({"dss": 1})


def test_status_messages_say_what_to_do():
    for st in Status:
        assert len(st.message) > 40
        assert st.success == (st is Status.COMPLETED)


# ------------------------------------------------------------------ save and load
def test_branch_roundtrip(down, tmp_path):
    path = down.save(tmp_path / "b.json")
    back = Branch.load(path)
    assert back.status is down.status and back.spec == down.spec
    assert back.options == down.options and back.names == down.names
    np.testing.assert_array_equal(back.k, down.k)
    np.testing.assert_array_equal(back.coords, down.coords)
    assert back.points[0].eigenvalues[0][0] == down.points[0].eigenvalues[0][0]
    assert len(back.events) == 1
    ev, ev0 = back.events[0], down.events[0]
    assert isinstance(ev, Event)
    assert (ev.kind, ev.k, ev.irrep, ev.irrep_types) == (
        ev0.kind,
        ev0.k,
        ev0.irrep,
        ev0.irrep_types,
    )
    # the loaded branch still works
    np.testing.assert_allclose(back.point_at(5.5), down.point_at(5.5), atol=1e-12)


def test_point_at_outside_the_branch(down):
    with pytest.raises(ValueError, match="not on the branch"):
        down.point_at(7.5)


def test_start_far_from_a_critical_point_is_refused():
    b = continuation("k-1,1", [1.0, 0.3, 0.2, 0.1, 0.9], k0=6, k1=5)
    assert b.status is Status.START_NOT_CRITICAL


def test_benchmark_runs(capsys):
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "bench_continuation.py"
    spec = importlib.util.spec_from_file_location("bench_continuation", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(k1=60.0, repeat=1)
    assert out["events"] == 1 and out["seconds"] < 5
    assert "symmetry_breaking" in capsys.readouterr().out


def test_extra_input_columns_are_held_fixed():
    """d = k + 1: the zero extra column stays zero; the type-II crossing is unchanged."""
    g = IsotropyGroup.from_spec("k-1,1", 6, d=7)
    c = np.array([0.986704, -0.050413, 0.308011, 0.0, 0.224516, -0.601512, 0.0])
    b = continuation(g, c, k1=5)
    assert b.success and b.extra_dims == 1
    assert [e.irrep for e in b.events] == ["[k-2,1] x [1] x [1]"]
    ref = continuation("k-1,1", TYPE_II_K6, k0=6, k1=5).events[0].k
    assert b.events[0].k == pytest.approx(ref, abs=1e-10)
    g5 = IsotropyGroup.from_spec("k-1,1", 5, d=6)
    W = ReducedSystem(g5).space.embed(b.points[-1].coords)
    V = np.eye(5, 6)
    assert np.max(np.abs(TeacherStudent(V).grad(W))) < 1e-10


def test_structural_zero_eigenvalue_is_not_an_event():
    # a k-2,1,1 family whose k-2 rows coincide (a = b): its [k-3,1] x [1] x [1] block has an
    # identically zero eigenvalue, and another eigenvalue crosses zero right through it
    from symbreak.reduced import ReducedSystem
    from symbreak.spectrum import hessian_blocks

    start = [0.14311299261014146, 0.1431129926101415, -0.2583670099205061, 0.20907895041571953,
             0.572451970440568, 0.8363158016628713, -1.0334680396820255, -0.058197407327928684,
             1.2742279880330742, 1.274227988033069]
    b = continuation("k-2,1,1", start, k0=6.0, k1=6.2)
    assert len(b.events) == 1
    ev = b.events[0]
    assert ev.irrep == "[k-3,1] x [1] x [1]" and 6.0 < ev.k < 6.2

    # independent bracket: Newton at fixed k, then the block's non-zero eigenvalue nearest 0
    def crossing_value(k):
        g = IsotropyGroup.from_spec("k-2,1,1", k)
        res = newton(ReducedSystem(g), b.point_at(k))
        assert res.converged
        c = res.x
        blk = next(x for x in hessian_blocks(g, c) if x.label == ev.irrep)
        vals = blk.eigenvalues[np.abs(blk.eigenvalues) > 1e-10]
        return vals[np.argmin(np.abs(vals))]

    assert crossing_value(ev.k - 1e-6) * crossing_value(ev.k + 1e-6) < 0
    assert ev.index_before - ev.index_after == pytest.approx(ev.k - 3, abs=1e-9)
