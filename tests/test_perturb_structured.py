"""Structured perturbations E in Fix(H') on the compressed model, checked against the dense
continuation (perturb with the same dense E), dense Newton referees and finite differences."""

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak.continuation import ContinuationOptions, continue_branch
from symbreak.continuation.perturb import StructuredDirection, perturb
from symbreak.continuation.structured import StructuredPerturbation
from symbreak.overparam import polish
from symbreak.reduced import ReducedSystem
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.reduced.teacher import TeacherSpace
from symbreak.representation import IsotropyGroup

TYPE_II_K6 = [0.98670382, -0.0504134, 0.30801099, 0.22451581, -0.60151192]
#: E = e_{k-1} e_{k-1}^T: the second-to-last teacher row scaled (two row norms), in
#: Fix(k-2,1,1) = [d1, o1, x12, x13, x21, d2, x23, x31, x32, d3]
ROW = StructuredDirection("k-2,1,1", (0, 0, 0, 0, 0, 1, 0, 0, 0, 0))
#: E in Fix(H) itself: the off-diagonal entries of the first block
OFF = StructuredDirection("k-1,1", (0, 1, 0, 0, 0))
#: E in Fix(H): the first k - 1 teacher rows scaled (two row norms, 1 + eps and 1)
TWO_NORMS = StructuredDirection("k-1,1", (1, 0, 0, 0, 0))


def _type_ii(k):
    if k != 6:
        opts = ContinuationOptions(detect_events=False)
        c = continue_branch("k-1,1", TYPE_II_K6, k0=6, k1=k, options=opts).points[-1].coords
    else:
        c = TYPE_II_K6
    g = IsotropyGroup.from_spec("k-1,1", k)
    return g, polish(g, c)


@pytest.fixture(scope="module")
def k6():
    return _type_ii(6)


@pytest.fixture(scope="module")
def fold_pair(k6):
    """The same structured E (a fold of the minimum at eps < 0) on both paths."""
    g, c = k6
    return perturb(g, c, ROW, -0.3), perturb(g, c, ROW.dense(g), -0.3)


def _dense_check(res, sub, E):
    """Every compressed branch point is a critical point of the dense model with V(eps),
    with the same loss, index and smallest eigenvalue (dense gradient and eigvalsh)."""
    space = FixedPointSpace(sub)
    for p in res.branch:
        W = space.embed(p.coords)
        np.testing.assert_array_equal(W, p.W)  # W_dense for integer k <= 40
        m = TeacherStudent(np.eye(W.shape[1]) + p.eps * E)
        assert np.max(np.abs(m.grad(W))) < 1e-10
        lam = np.linalg.eigvalsh(m.hessian(W))
        assert p.loss == pytest.approx(m.loss(W), abs=1e-13)
        assert p.index == int(np.sum(lam < -1e-9))
        assert p.min_eig == pytest.approx(lam[0], abs=1e-10)


def test_a_fold_in_a_strict_subgroup_against_the_dense_path(k6, fold_pair):
    g, _ = k6
    comp, dense = fold_pair
    sub = IsotropyGroup.from_spec("k-2,1,1", 6)
    assert comp.subgroup == "k-2,1,1" and comp.status.value == dense.status.value == "left_window"
    _dense_check(comp, sub, ROW.dense(g))
    (ev,) = comp.events
    (ref,) = dense.events
    assert (ev.kind, ev.index_before, ev.index_after) == ("fold", 0, 1)
    assert (ref.kind, ref.index_before, ref.index_after) == ("fold", 0, 1)
    assert ev.eps == pytest.approx(ref.eps, abs=1e-10)
    assert ev.irrep == "[k-2] x [1] x [1]"  # a fold lives in the trivial block of H'
    assert comp.survives_until == ev.eps
    # the event point: a critical point of the dense model with a zero Hessian eigenvalue
    W = FixedPointSpace(sub).embed(ev.W)
    m = TeacherStudent(np.eye(6) + ev.eps * ROW.dense(g))
    assert np.max(np.abs(m.grad(W))) < 1e-9
    assert abs(np.linalg.eigvalsh(m.hessian(W))[0]) < 1e-8


def test_a_branch_point_of_multiplicity_four_against_the_dense_path(k6):
    """E in Fix(H): the 4-fold [k-2,1] eigenvalue crosses zero, eps keeps increasing."""
    g, c = k6
    comp = perturb(g, c, OFF, 0.03)
    dense = perturb(g, c, OFF.dense(g), 0.03)
    assert comp.status.value == dense.status.value == "completed"
    _dense_check(comp, g, OFF.dense(g))
    assert [(e.kind, e.index_before, e.index_after) for e in comp.events] == [
        ("branch_point", 0, 4)
    ]
    assert comp.events[0].irrep == "[k-2,1] x [1]"
    assert comp.events[0].eps == pytest.approx(dense.events[0].eps, abs=1e-10)
    assert comp.branch[-1].loss == pytest.approx(dense.branch[-1].loss, abs=1e-13)
    assert comp.branch[-1].index == dense.branch[-1].index == 4


def test_clusters_split_over_the_subgroup_to_first_order(k6, fold_pair):
    """Parts per irrep of H': multiplicities add up; first order against the dense path's
    eig(P^T dH/deps P) and against eigenvalues of dense-Newton points at small eps (O(eps^2))."""
    g, c = k6
    comp, dense = fold_pair
    assert sum(cl.multiplicity for cl in comp.clusters) == 36
    for cl in comp.clusters:
        assert sum(p.multiplicity for p in cl.parts) == cl.multiplicity
    # the [k-2,1] x [1] eigenvalue (4-fold) splits into [k-3,1] x [1] x [1] (3) + trivial (1)
    low = min(comp.clusters, key=lambda cl: cl.value)
    assert sorted((p.irrep, p.multiplicity) for p in low.parts) == [
        ("[k-2] x [1] x [1]", 1), ("[k-3,1] x [1] x [1]", 3)
    ]  # fmt: skip
    for a, b in zip(sorted(comp.clusters, key=lambda x: x.value), dense.clusters):
        assert a.multiplicity == b.multiplicity and a.irrep == b.irrep
        np.testing.assert_allclose(a.expanded(a.first_order), b.first_order, atol=1e-6)
    # referee: dense Newton from the symmetric point at eps = h (the dense test's method)
    E = ROW.dense(g)
    W0 = FixedPointSpace(g).embed(c)
    errs = {}
    for h in (-2e-4, -1e-4):
        m = TeacherStudent(np.eye(6) + h * E)
        W = W0.copy()
        for _ in range(30):
            W = W - np.linalg.solve(m.hessian(W), m.grad(W).ravel()).reshape(W.shape)
        lam = np.linalg.eigvalsh(m.hessian(W))
        start, worst = 0, 0.0
        for cl in sorted(comp.clusters, key=lambda x: x.value):
            got = lam[start : start + cl.multiplicity]
            start += cl.multiplicity
            worst = max(worst, float(np.max(np.abs(got - cl.expanded(cl.predicted(h))))))
        errs[h] = worst
    assert errs[-1e-4] < 1e-6
    assert 2.5 < errs[-2e-4] / errs[-1e-4] < 6
    # tracked eigenvalues at the farthest point: those of the dense Hessian there
    far = next(p for p in comp.branch if p.eps == low.eps)
    m = TeacherStudent(np.eye(6) + far.eps * E)
    lam = np.linalg.eigvalsh(m.hessian(far.W))
    tracked = np.sort(np.concatenate([cl.expanded(cl.at_eps) for cl in comp.clusters]))
    np.testing.assert_allclose(tracked, lam, atol=1e-9)


def test_real_k_branch_is_critical_and_its_events_are_zeros():
    """k = 6.5 (no dense model): every branch point solves the compressed equations, the
    index at eps = 0 is that of the start, and the fold sits where a block eigenvalue is 0."""
    g, c = _type_ii(6.5)
    res = perturb(g, c, ROW, -0.3)
    assert res.k == 6.5 and res.branch[0].index == 0 and res.branch[0].W is None
    sub = IsotropyGroup.from_spec("k-2,1,1", 6.5)
    sizes = FixedPointSpace(sub).orbit_sizes()
    e = np.asarray(ROW.coords)
    v0 = TeacherSpace(sub).identity()
    for p in res.branch:
        grad = ReducedSystem(sub, teacher=v0 + p.eps * e).gradient(p.coords)
        assert np.max(np.abs(grad / sizes)) < 1e-10
    (ev,) = res.events
    assert ev.kind == "fold" and (ev.index_before, ev.index_after) == (0, 1)
    curve = StructuredPerturbation(sub, e)
    z = curve.to_z(ev.W, ev.eps)
    assert np.max(np.abs(curve.jacobian(z)[0])) < 1e-9
    blocks = {b.label: b for b in curve.blocks(z)}
    assert abs(blocks[ev.irrep].eigenvalues[0]) < 1e-8
    # real multiplicities: [k-2,1] x [1] has dimension k - 2 = 4.5, split 3.5 + 1
    low = min(res.clusters, key=lambda cl: cl.value)
    assert low.multiplicity == pytest.approx(4.5)
    assert sorted(p.multiplicity for p in low.parts) == pytest.approx([1.0, 3.5])


@pytest.mark.parametrize("k", [1e3, 1e6])
def test_large_k(k):
    """Cost independent of k: the same continuation at k = 1e3 and 1e6 (benchmarks/
    bench_robust.py measures it); each branch point solves the compressed equations."""
    g, c = _type_ii(k)
    res = perturb(g, c, TWO_NORMS, 0.2)
    assert res.status.value == "completed" and res.branch[-1].eps == 0.2
    assert res.events == () and all(p.index == 0 for p in res.branch)
    sizes = FixedPointSpace(g).orbit_sizes()
    v0, e = TeacherSpace(g).identity(), np.asarray(TWO_NORMS.coords)
    for p in res.branch:
        grad = ReducedSystem(g, teacher=v0 + p.eps * e).gradient(p.coords)
        assert np.max(np.abs(grad / sizes)) < 1e-9
    d = res.to_json()
    assert set(d["branch"][0]) == {"eps", "loss", "index", "min_eig", "W", "W_dense"}
    assert d["branch"][0]["W_dense"] is None


def test_json_promise(fold_pair):
    d = fold_pair[0].to_json()
    assert {"status", "branch", "events", "clusters"} <= set(d)
    assert d["model"] == "compressed" and d["subgroup"] == "k-2,1,1"
    assert len(d["coordinates"]) == len(d["branch"][0]["W"]) == 10
    assert {"eps", "loss", "index", "min_eig", "W"} <= set(d["branch"][0])
    assert {"kind", "eps", "index_before", "index_after", "irrep"} <= set(d["events"][0])
    cl = d["clusters"][0]
    assert {"value", "multiplicity", "irrep", "first_order", "at_eps", "parts"} <= set(cl)
    assert len(cl["first_order"]) == len(cl["at_eps"]) == len(cl["parts"])


@pytest.mark.parametrize(
    "direction,exc,match",
    [
        (StructuredDirection("k-2,2", (0, 1, 0, 0, 0, 0)), ValueError, "not a Young subgroup"),
        (StructuredDirection("k-2,1,1", (0, 1)), ValueError, "10 coordinates"),
    ],
)
def test_bad_directions(k6, direction, exc, match):
    g, c = k6
    with pytest.raises(exc, match=match):
        perturb(g, c, direction, 0.1)


def test_bad_direction_records():
    with pytest.raises(ValueError, match="zero"):
        StructuredDirection("k-1,1", (0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="finite"):
        StructuredDirection("k-1,1", (0, np.inf, 0, 0, 0))
    with pytest.raises(TypeError, match="spec"):
        StructuredDirection(3, (1, 0))
    g = IsotropyGroup.from_spec("k-1,1", 6)
    with pytest.raises(ValueError, match="not critical"):
        perturb(g, [1.0, 0.3, 0.2, 0.1, 0.9], OFF, 0.1)


def test_from_dense_round_trip(k6):
    g, _ = k6
    sub = IsotropyGroup.from_spec("k-2,1,1", 6)
    E = ROW.dense(g)
    assert E[4, 4] == 1.0 and np.count_nonzero(E) == 1
    assert StructuredDirection.from_dense(sub, E) == ROW


def test_a_threefold_branch_point_in_a_strict_subgroup(k6):
    """E = e_5 e_5^T at eps = 0.3: the 3-fold eigenvalue of the block [k-3,1] x [1] x [1]
    crosses zero while eps keeps increasing.  Referee: dense Newton restricted to Fix(k-2,1,1)
    at eps* -+ 1e-9 has those 3 eigenvalues on either side of zero."""
    g, c = k6
    res = perturb(g, c, ROW, 0.3)
    assert res.status.value == "completed"
    (ev,) = res.events
    assert (ev.kind, ev.index_before, ev.index_after) == ("branch_point", 0, 3)
    assert ev.irrep == "[k-3,1] x [1] x [1]"
    sub = IsotropyGroup.from_spec("k-2,1,1", 6)
    space = FixedPointSpace(sub)
    B = np.column_stack([space.embed(e).ravel() for e in np.eye(space.dim)])
    E = ROW.dense(g)
    for delta, sign in ((-1e-9, 1), (1e-9, -1)):
        m = TeacherStudent(np.eye(6) + (ev.eps + delta) * E)
        x = np.array(ev.W)
        for _ in range(20):
            W = space.embed(x)
            x = x - np.linalg.solve(B.T @ m.hessian(W) @ B, B.T @ m.grad(W).ravel())
        W = space.embed(x)
        assert np.max(np.abs(m.grad(W))) < 1e-12
        lam = np.linalg.eigvalsh(m.hessian(W))
        assert np.all(np.sign(lam[:3]) == sign) and lam[3] > 1e-4


@pytest.mark.parametrize("k", [5, 6.5])
def test_the_global_minimum_follows_the_teacher(k):
    """W = V is the global minimum of L(.; V) for every V: the branch from W = [I 0] is
    W(eps) = V(eps) with loss 0, also with extra input columns (d = k + 2) and at real k."""
    g = IsotropyGroup.from_spec("k", k, d=k + 2)
    d = StructuredDirection("k-2,2", (0.3, 0.1, 0.2, -0.1, 0.4, 0.05, 0.3, 0.1))
    res = perturb(g, [1.0, 0.0, 0.0], d, 0.5)
    assert res.status.value == "completed" and res.events == ()
    sub = IsotropyGroup.from_spec("k-2,2", k, d=k + 2)
    v0 = TeacherSpace(sub).identity()  # n = k: the teacher's coordinates are those of Fix(H')
    for p in res.branch:
        np.testing.assert_allclose(p.coords, v0 + p.eps * np.asarray(d.coords), atol=1e-12)
        assert abs(p.loss) < 1e-13 and p.index == 0 and p.min_eig > 0
    if k == 5:  # the same smallest eigenvalue as the dense model
        dense = perturb(g, [1.0, 0.0, 0.0], d.dense(g), 0.5)
        assert res.branch[-1].min_eig == pytest.approx(dense.branch[-1].min_eig, abs=1e-12)
