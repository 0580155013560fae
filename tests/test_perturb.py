"""Perturbed teachers V = I + eps E: branches, events and cluster splitting (MATH §7)."""

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak.continuation.perturb import perturb, random_direction
from symbreak.overparam import polish
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

TYPE_II_K6 = [0.98670382, -0.0504134, 0.30801099, 0.22451581, -0.60151192]


@pytest.fixture(scope="module")
def type_ii():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    c = polish(g, TYPE_II_K6)
    return g, c, FixedPointSpace(g).embed(c)


def _newton(V, W, *, iters=40):
    """An independent dense Newton on ∇L(W; V) = 0 (the referee)."""
    m = TeacherStudent(V, n=W.shape[0])
    for _ in range(iters):
        g = m.grad(W)
        if np.max(np.abs(g)) < 1e-13:
            break
        W = W - np.linalg.solve(m.hessian(W), g.ravel()).reshape(W.shape)
    assert np.max(np.abs(m.grad(W))) < 1e-12
    return W, np.linalg.eigvalsh(m.hessian(W))


@pytest.fixture(scope="module")
def run(type_ii):
    g, c, _ = type_ii
    return perturb(g, c, random_direction(6, seed=0), 0.05)


def test_branch_points_are_critical_points_of_the_perturbed_teacher(type_ii, run):
    _, _, W0 = type_ii
    E = run.direction
    assert np.linalg.norm(E) == pytest.approx(1.0)
    assert run.branch[0].eps == 0.0 and run.branch[0].index == 0
    checked = 0
    for p in run.branch[1:]:
        if p.tangent_eps <= 0:  # past the fold: the saddle branch
            break
        W, lam = _newton(np.eye(6) + p.eps * E, W0)  # referee from the symmetric point
        np.testing.assert_allclose(p.W, W, atol=1e-9)
        assert p.loss == pytest.approx(TeacherStudent(np.eye(6) + p.eps * E).loss(W), abs=1e-13)
        assert p.min_eig == pytest.approx(lam[0], abs=1e-10)
        checked += 1
    assert checked >= 1


def test_fold_is_located_to_1e10(run):
    """For a random E the minimum dies at a fold (it meets an index-1 saddle)."""
    assert run.status.value == "left_window"  # the branch turned back towards eps = 0
    folds = [e for e in run.events if e.kind == "fold"]
    assert len(folds) == 1
    f = folds[0]
    assert (f.index_before, f.index_after) == (0, 1)
    assert abs(f.eigenvalue) < 1e-8
    assert run.survives_until == f.eps
    i = max(j for j, p in enumerate(run.branch) if p.tangent_eps > 0)
    assert run.branch[i].eps < f.eps + 1e-10 and run.branch[i + 1].eps < f.eps + 1e-10
    # the referee: just below the fold dense Newton finds a critical point next to the fold
    # point; just above it there is none nearby
    for delta, exists in ((-1e-9, True), (1e-9, False)):
        m = TeacherStudent(np.eye(6) + (f.eps + delta) * run.direction)
        W = f.W.copy()
        for _ in range(60):
            W = W - np.linalg.solve(m.hessian(W), m.grad(W).ravel()).reshape(W.shape)
        near = bool(np.max(np.abs(m.grad(W))) < 1e-11 and np.max(np.abs(W - f.W)) < 1e-2)
        assert near is exists


def test_clusters_split_to_first_order(type_ii, run):
    """λ_i(ε) = λ + ε μ_i + O(ε²): μ against eigenvalues at dense-Newton points (FD in ε)."""
    _, _, W0 = type_ii
    E = run.direction
    total = sum(cl.multiplicity for cl in run.clusters)
    assert total == 36
    errs = {}
    for h in (2e-4, 1e-4):
        _, lam = _newton(np.eye(6) + h * E, W0)
        start = 0
        worst = 0.0
        for cl in sorted(run.clusters, key=lambda c: c.value):
            got = np.sort(lam[start : start + cl.multiplicity])
            start += cl.multiplicity
            assert cl.first_order == tuple(sorted(cl.first_order))
            worst = max(worst, float(np.max(np.abs(got - cl.predicted(h)))))
        errs[h] = worst
    assert errs[1e-4] < 1e-6
    # O(ε²): halving ε divides the error by about 4
    assert 2.5 < errs[2e-4] / errs[1e-4] < 6


def test_cluster_labels_come_from_the_symmetric_spectrum(run):
    by = {cl.irrep: cl.multiplicity for cl in run.clusters}
    assert "[k-2,1] x [1]" in by and by["[k-2,1] x [1]"] == 4
    lowest = min(run.clusters, key=lambda c: c.value)
    assert lowest.value == pytest.approx(0.00470035, abs=1e-7)  # MATH §4
    for cl in run.clusters:
        assert len(cl.at_eps) == cl.multiplicity == cl.track.shape[1]
        assert cl.track.shape[0] == len(run.branch)


def test_a_symmetric_perturbation_keeps_the_multiplicities(type_ii):
    """E in Fix(H): the branch keeps the isotropy, so no cluster splits (Schur)."""
    g, c, _ = type_ii
    E = FixedPointSpace(g).embed([1.0, 0.2, -0.3, 0.1, 0.5])
    E /= np.linalg.norm(E)
    r = perturb(g, c, E, 0.01, locate=False)
    assert r.status.value == "completed" and r.branch[-1].eps == 0.01
    for cl in r.clusters:
        mu = np.asarray(cl.first_order)
        assert np.ptp(mu) < 1e-6
        assert np.ptp(cl.at_eps) < 1e-8
    assert g.fixes(r.branch[-1].W, atol=1e-9)


def test_json_promise(run):
    d = run.to_json()
    assert {"status", "branch", "events", "clusters"} <= set(d)
    assert set(d["branch"][0]) == {"eps", "loss", "index", "min_eig", "W"}
    assert {"kind", "eps", "index_before", "index_after"} <= set(d["events"][0])
    assert {"value", "multiplicity", "irrep", "first_order", "at_eps"} <= set(d["clusters"][0])


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(eps=0.0), ValueError, "non-zero"),
        (dict(eps="x"), TypeError, "real number"),
        (dict(direction=np.ones((5, 6))), ValueError, "shape"),
    ],
)
def test_bad_input(type_ii, kwargs, exc, match):
    g, c, _ = type_ii
    args = dict(direction=random_direction(6), eps=0.1) | kwargs
    with pytest.raises(exc, match=match):
        perturb(g, c, args["direction"], args["eps"])


def test_not_critical_and_real_k_are_refused():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    with pytest.raises(ValueError, match="not critical"):
        perturb(g, [1.0, 0.3, 0.2, 0.1, 0.9], random_direction(6), 0.1)
    with pytest.raises(ValueError, match="integer"):
        perturb(IsotropyGroup.from_spec("k-1,1", 6.5), TYPE_II_K6, random_direction(6), 0.1)


def test_a_structured_perturbation_has_a_branch_point(type_ii):
    """E in Fix(H) keeps the isotropy; the 4-fold [k-2,1] eigenvalue crosses zero while eps
    keeps increasing: a branch point of multiplicity 4, located to 1e-10 (referee: dense Newton
    at eps* -+ 1e-9 finds the 4 eigenvalues on either side of zero)."""
    g, c, _ = type_ii
    E = FixedPointSpace(g).embed([0.0, 1.0, 0.0, 0.0, 0.0])
    E /= np.linalg.norm(E)
    r = perturb(g, c, E, 0.12)
    assert r.status.value == "completed"
    (ev,) = r.events
    assert ev.kind == "branch_point" and (ev.index_before, ev.index_after) == (0, 4)
    low = min(r.clusters, key=lambda cl: cl.value)
    assert low.multiplicity == 4 and np.ptp(low.first_order) < 1e-6
    # first-order estimate of where it crosses, as a sanity bound
    assert ev.eps == pytest.approx(-low.value / low.first_order[0], rel=0.3)
    # referee: dense Newton restricted to Fix(H) (the branch keeps the isotropy; near a branch
    # point an unrestricted Newton may slide onto the bifurcating branch)
    space = FixedPointSpace(g)
    B = np.column_stack([space.embed(e).ravel() for e in np.eye(space.dim)])
    for delta, sign in ((-1e-9, 1), (1e-9, -1)):
        m = TeacherStudent(np.eye(6) + (ev.eps + delta) * E)
        x = np.linalg.lstsq(B, ev.W.ravel(), rcond=None)[0]
        for _ in range(20):
            W = (B @ x).reshape(6, 6)
            x = x - np.linalg.solve(B.T @ m.hessian(W) @ B, B.T @ m.grad(W).ravel())
        W = (B @ x).reshape(6, 6)
        assert np.max(np.abs(m.grad(W))) < 1e-12
        lam = np.linalg.eigvalsh(m.hessian(W))
        assert np.all(np.sign(lam[:4]) == sign) and lam[4] > 1e-3


def test_progress_reports_every_step(type_ii):
    g, c, _ = type_ii
    seen = []
    r = perturb(g, c, random_direction(6, seed=1), 0.003, progress=seen.append, locate=False)
    assert [u.done for u in seen] == list(range(len(r.branch)))
    assert all(u.stage == "perturb" and set(u.info) == {"eps", "index"} for u in seen)
    assert seen[-1].info["eps"] == r.branch[-1].eps


def test_the_fold_does_not_depend_on_the_step_size(type_ii, run):
    from symbreak.continuation import ContinuationOptions

    g, c, _ = type_ii
    opts = ContinuationOptions(ds=0.3, ds_max=0.3, max_steps=200)
    coarse = perturb(g, c, run.direction, 0.05, options=opts)
    assert [e.kind for e in coarse.events] == ["fold"]
    assert coarse.events[0].eps == pytest.approx(run.events[0].eps, abs=1e-11)


def test_several_crossings_in_one_step_are_separated():
    """The `k-4,4` family F102 of the default atlas at k = 11, just inside its minimum window:
    a near-degenerate smallest eigenvalue, and one default step crosses a fold and further
    zeros.  Each is located; the first (where the minimum ends) is checked by the referee: at
    the located eps the dense model has a critical point there with a zero eigenvalue."""
    from symbreak.continuation import ContinuationOptions, continue_branch

    start = [0.9366967339752883, -0.1105191500094497, 0.20653434275082982, 0.15634335519701478,
             -0.7761348282725128, 0.1678673904868317]  # fmt: skip
    opts = ContinuationOptions(detect_events=False)
    c = continue_branch("k-4,4", start, k0=10, k1=11, options=opts).points[-1].coords
    g = IsotropyGroup.from_spec("k-4,4", 11)
    c = polish(g, c)
    E = random_direction(11, seed=0)
    coarse = perturb(g, c, E, 1.0)
    assert abs(coarse.branch[1].index - coarse.branch[0].index) > 1  # several in one step
    first = coarse.events[0]
    assert (first.kind, first.index_before, first.index_after) == ("fold", 0, 1)
    assert [e.kind for e in coarse.events].count("unlocated") == 0
    assert coarse.survives_until == first.eps
    m = TeacherStudent(np.eye(11) + first.eps * E)
    assert np.max(np.abs(m.grad(first.W))) < 1e-9
    assert abs(np.linalg.eigvalsh(m.hessian(first.W))[0]) < 1e-8
