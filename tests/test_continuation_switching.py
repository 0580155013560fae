"""Refinement of Young-type groups and branch switching at symmetry-breaking events."""

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak.continuation import Status, continuation
from symbreak.continuation.family import KFamily
from symbreak.continuation.refinement import refine
from symbreak.continuation.switching import axial_subgroups, switch_branch
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup, detect_isotropy

TYPE_II_K6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]


@pytest.mark.parametrize(
    "spec,k,factor,parts,new",
    [
        ("k-1,1", 7, 0, (1,), "k-2,1,1"),
        ("k-1,1", 7, 0, (2,), "k-3,2,1"),
        ("k-2,2", 8, 1, (1,), "k-2,1,1"),
        ("k", 6, 0, (1, 1), "k-2,1,1"),
        ("k-1,1|2", 6, 2, (1,), "k-1,1|1,1"),
        ("k-2,1,1", 7, 0, (1,), "k-3,1,1,1"),
    ],
)
def test_refinement_embeds_the_same_matrix(spec, k, factor, parts, new, rng):
    old = IsotropyGroup.from_spec(spec, k)
    r = refine(old, factor, parts)
    assert r.spec == new
    g = r.group(old)
    c = rng.normal(size=ReducedSystem(old).space.dim)
    W_old = ReducedSystem(old).space.embed(c)
    W_new = ReducedSystem(g).space.embed(r.embed(old, c))
    np.testing.assert_array_equal(W_old, W_new)
    # and the loss agrees at a real k as well (no dense matrix there)
    old_r = IsotropyGroup.from_spec(spec, k + 0.37)
    g_r = r.group(old_r)
    assert ReducedSystem(g_r).loss(r.embed(old_r, c)) == pytest.approx(
        ReducedSystem(old_r).loss(c), rel=1e-12
    )


def test_refine_rejects_bad_splits():
    g = IsotropyGroup.from_spec("k-1,1", 4)
    with pytest.raises(ValueError, match="cannot split"):
        refine(g, 1, (1,))  # a block of size 1
    with pytest.raises(ValueError, match="factor"):
        refine(g, 5, (1,))
    with pytest.raises(ValueError, match="positive"):
        refine(g, 0, (0,))


def test_axial_subgroups():
    g = IsotropyGroup.from_spec("k-1,1", 8)
    specs = [a.spec for a in axial_subgroups(g, ("std", "triv"))]
    # m = k - 1 = 7: S_{m-p} x S_p for p = 1, 2, 3 (p <= m/2)
    assert specs == ["k-2,1,1", "k-3,2,1", "k-4,3,1"]
    assert [a.spec for a in axial_subgroups(g, ("two", "triv"))] == ["k-3,2,1", "k-4,3,1"]
    assert [a.spec for a in axial_subgroups(g, ("alt", "triv"))] == ["k-3,1,1,1"]
    assert axial_subgroups(g, ("triv", "triv")) == ()
    g2 = IsotropyGroup.from_spec("k-2,2", 8)
    assert [a.spec for a in axial_subgroups(g2, ("std", "std"))] == ["k-3,1,1,1"]
    with pytest.raises(ValueError, match="one irrep type per factor"):
        axial_subgroups(g, ("std",))


@pytest.fixture(scope="module")
def switched():
    branch = continuation("k-1,1", TYPE_II_K6, k0=6, k1=5)
    ev = branch.events[0]
    return branch, switch_branch(branch, ev, k_window=(5, 6.5))


def test_switching_at_the_type_ii_event(switched):
    branch, res = switched
    ev = branch.events[0]
    assert res.subgroup.spec == "k-2,1,1"
    assert res.kernel_dimension == 1
    # std of S_m (m >= 3) has a quadratic equivariant: transcritical
    assert res.transcritical
    assert len(res.branches) == 2
    fam = KFamily("k-2,1,1")
    P = res.subgroup.refinement.matrix(IsotropyGroup.from_spec("k-1,1", 6))
    Pp = np.linalg.pinv(P)
    sides = []
    for b in res.branches:
        assert b.status is Status.COMPLETED and len(b.points) >= 2
        assert "switched" in b.origin
        for p in b.points:
            assert np.max(np.abs(fam.residual(p.coords, p.k))) < 1e-10
            # not on the old branch: a component outside Fix(Δ(S_{k-1}×S_1))
            assert np.linalg.norm(p.coords - P @ (Pp @ p.coords)) > 1e-3
        sides.append(np.sign(b.points[0].k - ev.k))
    # transcritical: the two half-branches leave on opposite sides of k*
    assert sorted(sides) == [-1, 1]


def test_switched_branch_at_integer_k_is_a_dense_critical_point(switched):
    branch, res = switched
    upper = next(b for b in res.branches if b.points[0].k > branch.events[0].k)
    c = upper.point_at(6)
    group = IsotropyGroup.from_spec("k-2,1,1", 6)
    W = ReducedSystem(group).space.embed(c)
    model = TeacherStudent(np.eye(6))
    assert np.max(np.abs(model.grad(W))) < 1e-10
    assert detect_isotropy(W).group.sizes == (4.0, 1.0, 1.0)  # exactly Δ(S_4×S_1×S_1)
    # a different critical point from the type II one at k = 6
    type_ii = branch.points[0]
    W_ii = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6)).space.embed(type_ii.coords)
    assert np.max(np.abs(W - W_ii)) > 1e-2
    assert abs(model.loss(W) - type_ii.loss) > 1e-6


def test_switching_needs_a_symmetry_breaking_event(switched):
    branch, _ = switched
    ev = branch.events[0]
    fold = type(ev)(**{**ev.__dict__, "kind": "fold"})
    with pytest.raises(ValueError, match="symmetry_breaking"):
        switch_branch(branch, fold)
    with pytest.raises(ValueError, match="not an axial subgroup"):
        switch_branch(branch, ev, subgroup="k-2,2")


def _kostka_fixed_dimension(m: int, p: int, partition) -> int:
    """dim Fix(S_{m-p} x S_p) in the irrep ``partition`` of S_m, by characters (brute force).

    ``(1/|K|) Σ_{g ∈ K} χ(g)`` over the Young subgroup ``K``, with ``χ`` from
    the permutation characters: ``[m-1,1] = R^m − 1``, ``[m-2,2] = Sym-pairs −
    R^m`` (pairs {i, j} minus the points), evaluated element by element.
    """
    import itertools
    import math

    fixed = 0
    count = 0
    for a in itertools.permutations(range(m - p)):
        for b in itertools.permutations(range(p)):
            perm = list(a) + [m - p + x for x in b]
            pts = sum(1 for i in range(m) if perm[i] == i)
            pairs = sum(
                1
                for i in range(m)
                for j in range(i + 1, m)
                if {perm[i], perm[j]} == {i, j}
            )
            chi = pts - 1 if partition == "std" else pairs - pts
            fixed += chi
            count += 1
    assert count == math.factorial(m - p) * math.factorial(p)
    return fixed // count


@pytest.mark.parametrize("m", [6, 7])
def test_axial_subgroups_are_all_those_of_the_branching_lemma(m):
    """Independent: dim Fix_χ(S_{m−p} × S_p) = 1 by brute-force characters, for every p <= m/2."""
    g = IsotropyGroup.from_spec("k-1,1", m + 1)  # the k-1 block has size m
    for ty in ("std", "two"):
        want = [p for p in range(1, m // 2 + 1) if _kostka_fixed_dimension(m, p, ty) == 1]
        got = [
            a.refinement.description for a in axial_subgroups(g, (ty, "triv"))
        ]
        assert got == [f"k-1 -> k-{1 + p},{p}" for p in want]
    # m = 6: the std irrep has S_3 x S_3 among them (p = 3, never offered before)
    assert m < 6 or any(
        a.spec == "k-4,3,1" for a in axial_subgroups(g, ("std", "triv"))
    )


F62 = [0.9802144290871714, -0.06382938493998325, 0.22277373567559847, 0.0806908863896818,
       0.09526386234918932, -0.6790887550227028, 0.2515142960176856, 0.48948424749164365,
       0.22062720400204677, -0.16786838874243878, -0.5536468830206345]


def test_switching_into_s_m_minus_3_x_s_3():
    """Atlas family F62 (k-3,2,1): [k-4,1] crosses at k* = 10.2824 with m = k - 3 > 6, so
    S_{m-3} x S_3 is axial; its branch is followed and is a dense critical point at k = 10."""
    branch = continuation("k-3,2,1", F62, k0=10, k1=10.6)
    ev = branch.events[0]
    assert ev.kind == "symmetry_breaking" and ev.irrep == "[k-4,1] x [2] x [1]"
    res = switch_branch(branch, ev, subgroup="k-6,3,2,1", k_window=(10.0, 10.6))
    assert res.kernel_dimension == 1
    P = res.subgroup.refinement.matrix(IsotropyGroup.from_spec("k-3,2,1", 10.3))
    Pp = np.linalg.pinv(P)
    below = [b for b in res.branches if b.points and b.points[-1].k == 10.0]
    assert below
    for b in res.branches:
        assert b.success
        for p in b.points:
            assert np.linalg.norm(p.coords - P @ (Pp @ p.coords)) > 1e-4  # off the old branch
    group = IsotropyGroup.from_spec("k-6,3,2,1", 10)
    W = ReducedSystem(group).space.embed(below[0].points[-1].coords)
    assert np.max(np.abs(TeacherStudent(np.eye(10)).grad(W))) < 1e-10
    assert detect_isotropy(W).group.sizes == (4.0, 3.0, 2.0, 1.0)
