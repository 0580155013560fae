"""Events that say what happened (issue 17), each checked independently.

The families are those of the default atlas (coordinates at k0 from its
``atlas.json``).  Independent checks: critical points found by Newton's
method at fixed k on *both* fixed-point spaces (the branch's and the more
symmetric one) with their block eigenvalues at k* ± δ and a Brent root on the
larger family; dense gradients and Hessians from ``TeacherStudent`` at the
neighbouring integer k; the structural zero from coinciding rows of W.
"""

import functools

import numpy as np
import pytest
import scipy.optimize

from symbreak import TeacherStudent
from symbreak.continuation import EVENT_KIND_HELP, EVENT_KINDS, Branch, Status, continue_branch
from symbreak.continuation.events import check_branch, larger_symmetry
from symbreak.continuation.family import KFamily
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup
from symbreak.spectrum import hessian_blocks

F49 = [-0.29070650825829375, 0.7287701607656762, -0.035167436299566486, 0.27406864958905497,
       0.013527173287334025, 1.177703142794894, -0.0156359270320286, 0.013527173287340955,
       0.2740686495890367, -0.035167436299569435, 0.7287701607656384, -0.2907065082583089]
F33 = [-0.5158322861007918, 0.667614458445307, 0.297710311936122, -0.1890963015037461,
       0.2002325844134875, -0.1907621568768275, -0.19076215687682752, 0.3529060502478302,
       -0.2009856426715055, 0.49657928981192806, 0.8842316958728013]
F32 = [-0.5925168978802533, 0.40554539347229357, 0.09904041903533968, 0.02313737358562186,
       0.24222656770778295, -0.5220077288570781, 0.616832540645925, 0.6826213447898865,
       0.285247663153975, 0.6055915477135964, -0.4351293119681595]
F56 = [0.9972719271956554, -0.03718631156808878, 0.1272594695750837, 0.22482567322770944,
       0.09625327551465958, 0.5652022947176641, -0.6247943427756255, 0.1737865290775109,
       -0.6103794333176593, -0.21898706229961595]
TRIV3 = "[k-4] x [2] x [2]"
SIGN_A, SIGN_B = "[k-4] x [1,1] x [2]", "[k-4] x [2] x [1,1]"


def _fixed_k(spec, k, guess):
    """Plain Newton at fixed k in Fix(spec): c ← c − H⁻¹∇L (independent of the continuation)."""
    system = ReducedSystem(IsotropyGroup.from_spec(spec, k))
    scale = system.space.orbit_sizes()
    c = np.asarray(guess, float).copy()
    for _ in range(40):
        g = system.gradient(c)
        if np.max(np.abs(g / scale)) < 1e-13:
            break
        c = c - np.linalg.solve(system.hessian(c), g)
    assert np.max(np.abs(system.gradient(c) / scale)) < 1e-11
    return c


def _nearest_zero(spec, k, c, label):
    """The eigenvalue of block ``label`` nearest zero, ignoring exact (structural) zeros."""
    blk = next(b for b in hessian_blocks(IsotropyGroup.from_spec(spec, k), c) if b.label == label)
    vals = blk.eigenvalues[np.abs(blk.eigenvalues) > 1e-12]
    return float(vals[np.argmin(np.abs(vals))])


def _sheets(branch, k):
    """Every point of the branch at ``k`` (one per passage), by Newton at fixed k from the chord."""
    out = []
    pts = branch.points
    for a, b in zip(pts[:-1], pts[1:]):
        if min(a.k, b.k) < k < max(a.k, b.k):
            w = (k - a.k) / (b.k - a.k)
            out.append(_fixed_k(branch.spec, k, (1 - w) * a.coords + w * b.coords))
    return out


def _dense(spec, k, c):
    """Dense W, |grad L|, number of negative Hessian eigenvalues and loss at integer k."""
    W = ReducedSystem(IsotropyGroup.from_spec(spec, k)).space.embed(c)
    model = TeacherStudent(np.eye(int(k)))
    ev = np.linalg.eigvalsh(model.hessian(W))
    return W, float(np.max(np.abs(model.grad(W)))), int(np.sum(ev < -1e-9)), model.loss(W), ev


def _root_on(spec, label, k_star, c_star, delta=0.01):
    """Independent k*: Brent on the block eigenvalue along Fix(spec), Newton at each k."""
    guess = {"c": np.asarray(c_star, float)}

    def g(k):
        guess["c"] = _fixed_k(spec, k, guess["c"])
        return _nearest_zero(spec, k, guess["c"], label)

    lo, hi = g(k_star - delta), g(k_star + delta)
    assert lo * hi < 0
    guess["c"] = np.asarray(c_star, float)
    return scipy.optimize.brentq(g, k_star - delta, k_star + delta, xtol=1e-13), lo, hi


# ------------------------------------------------------------------ F49
@pytest.fixture(scope="module")
def f49():
    return continue_branch("k-4,2,2", F49, k0=6, k1=6.7)


def test_f49_reads_as_a_turn_through_a_point_of_fix_k_4_4(f49):
    assert f49.status is Status.LEFT_WINDOW
    assert [e.kind for e in f49.events] == ["branch_point"]
    ev = f49.events[0]
    assert ev.meets == "k-4,4" and ev.turns
    assert ev.k == pytest.approx(6.5982415, abs=1e-7)
    changes = {b.irrep: b.change for b in ev.blocks}
    assert changes[TRIV3] == "touch"
    assert {changes[SIGN_A], changes[SIGN_B]} == {"up", "down"}
    assert ev.index_before == ev.index_after
    assert ev.around == (ev.segment, ev.segment + 1)
    # the event point is the point of Fix(k-4,4) given in meets_coords
    back = larger_symmetry(KFamily("k-4,2,2"), ev.coords, ev.k)
    assert back[0] == "k-4,4"
    np.testing.assert_allclose(back[1], ev.meets_coords, atol=1e-9)
    assert check_branch(f49) == ()


def test_f49_against_both_families_at_k_star_pm_delta(f49):
    ev = f49.events[0]
    # the larger family: its [k-4] x [3,1] block crosses zero at k* (Brent, Newton at fixed k)
    k_ref, lo, hi = _root_on("k-4,4", "[k-4] x [3,1]", ev.k, ev.meets_coords)
    assert abs(ev.k - k_ref) < 1e-9
    assert lo < 0 < hi  # -3.9e-5, +3.6e-5 (issue 17)
    # the branch below k*: two sheets; the sign blocks have opposite signs on them, the
    # trivial block the same sign (a touch); above k* there is no point off Fix(k-4,4)
    sheets = _sheets(f49, ev.k - 0.01)
    assert len(sheets) == 2
    for label in (SIGN_A, SIGN_B):
        a, b = (_nearest_zero("k-4,2,2", ev.k - 0.01, c, label) for c in sheets)
        assert a * b < 0
    a, b = (_nearest_zero("k-4,2,2", ev.k - 0.01, c, TRIV3) for c in sheets)
    assert a * b > 0
    c_up = _fixed_k("k-4,2,2", ev.k + 0.01, ev.coords)
    assert larger_symmetry(KFamily("k-4,2,2"), c_up, ev.k + 0.01)[0] == "k-4,4"


def test_f49_dense_at_k_6_the_turn_exchanges_the_two_size_2_blocks(f49):
    first, last = f49.points[0], f49.points[-1]
    assert first.k == last.k == 6
    W1, g1, n1, L1, _ = _dense("k-4,2,2", 6, first.coords)
    W2, g2, n2, L2, _ = _dense("k-4,2,2", 6, last.coords)
    assert max(g1, g2) < 1e-10
    assert n1 == n2 == first.index == last.index == 3  # the index is the same on both sides
    assert L1 == pytest.approx(L2, abs=1e-12)
    perm = [0, 1, 4, 5, 2, 3]  # swap the two size-2 blocks (rows and columns)
    np.testing.assert_allclose(W2, W1[np.ix_(perm, perm)], atol=1e-9)


# ------------------------------------------------------------------ F32
@pytest.fixture(scope="module")
def f32():
    return continue_branch("k-3,2,1", F32, k0=6, k1=6.3)


def test_f32_opposite_crossings_read_as_a_branch_point_with_fix_k_3_3(f32):
    assert f32.success
    ev = next(e for e in f32.events if abs(e.k - 6.1961784014) < 1e-8)
    assert ev.kind == "branch_point" and ev.meets == "k-3,3" and not ev.turns
    changes = {b.irrep: b.change for b in ev.blocks}
    assert {changes["[k-3] x [2] x [1]"], changes["[k-3] x [1,1] x [1]"]} == {"up", "down"}
    assert ev.index_before == ev.index_after
    assert check_branch(f32) == ()
    # independent: the larger family's [k-3] x [2,1] block crosses at k*; on the branch the
    # two blocks change sign the opposite way across k*
    k_ref, _, _ = _root_on("k-3,3", "[k-3] x [2,1]", ev.k, ev.meets_coords)
    assert abs(ev.k - k_ref) < 1e-9
    lo, hi = (_fixed_k("k-3,2,1", ev.k + d, f32.point_at(ev.k + d)) for d in (-0.01, 0.01))
    for label in ("[k-3] x [2] x [1]", "[k-3] x [1,1] x [1]"):
        a = _nearest_zero("k-3,2,1", ev.k - 0.01, lo, label)
        b = _nearest_zero("k-3,2,1", ev.k + 0.01, hi, label)
        assert a * b < 0
        assert (a > 0) == (changes[label] == "down")


# ------------------------------------------------------------------ F33
@pytest.fixture(scope="module")
def f33():
    return continue_branch("k-3,2,1", F33, k0=6, k1=17)


def test_f33_structural_zero_makes_no_event(f33):
    block = "[k-3] x [1,1] x [1]"
    assert f33.success and check_branch(f33) == ()
    here = [e for e in f33.events if any(b.irrep == block for b in e.blocks)]
    # one real crossing, between k = 15 and 16 (none at 14.1244 or 15.2484)
    assert len(here) == 1 and 15 < here[0].k < 16
    assert here[0].kind == "symmetry_breaking"
    # the structural zero: the two rows of the size-2 block coincide at every point
    # (d2 = o2), so the Hessian is singular along (w, -w) on them
    names = f33.names
    d2, o2 = names.index("d2"), names.index("o2")
    assert np.max(np.abs(f33.coords[:, d2] - f33.coords[:, o2])) < 1e-12
    # dense: at k = 15 and 16 one exactly zero eigenvalue, and the next one changes sign
    signs = []
    for k in (15, 16):
        W, g, n, _, ev = _dense("k-3,2,1", k, f33.point_at(k))
        assert g < 1e-10
        np.testing.assert_allclose(W[k - 3], W[k - 2], atol=1e-12)  # the coinciding rows
        order = np.argsort(np.abs(ev))
        assert abs(ev[order[0]]) < 1e-12 < abs(ev[order[1]])
        signs.append(np.sign(ev[order[1]]))
        assert n == _index_at(f33, k)
    assert signs == [1.0, -1.0]


def _index_at(branch, k):
    """The branch's analytic index at integer k (Newton at fixed k, blocks, ZERO_TOL)."""
    c = _fixed_k(branch.spec, k, branch.point_at(k))
    total = 0
    for b in hessian_blocks(IsotropyGroup.from_spec(branch.spec, k), c):
        total += int(b.dimension) * int(np.sum(b.eigenvalues < -1e-9))
    return total


# ------------------------------------------------------------------ F56
@pytest.fixture(scope="module")
def f56():
    return continue_branch("k-2,1,1", F56, k0=10, k1=5)


def test_f56_down_half_turns_through_a_point_of_fix_k_2_2(f56):
    assert f56.status is Status.LEFT_WINDOW and check_branch(f56) == ()
    ev = next(e for e in f56.events if e.k < 6.5)
    assert ev.kind == "branch_point" and ev.meets == "k-2,2" and ev.turns
    assert ev.k == pytest.approx(6.0144, abs=5e-4)  # "turns near 6.0144" (issue 17)
    assert [(b.irrep, b.change) for b in ev.blocks] == [("[k-2] x [1] x [1]", "touch")]
    assert ev.index_before == ev.index_after
    # independent: on Fix(k-2,2) the [k-2] x [1,1] block crosses zero at k*
    k_ref, _, _ = _root_on("k-2,2", "[k-2] x [1,1]", ev.k, ev.meets_coords)
    assert abs(ev.k - k_ref) < 1e-9
    # dense at k = 7: the two sheets are exchanged by swapping the two size-1 blocks
    sheets = _sheets(f56, 7.0)
    assert len(sheets) >= 2
    dense = [_dense("k-2,1,1", 7, c) for c in sheets]
    W1, W2 = dense[-2][0], dense[-1][0]
    perm = [0, 1, 2, 3, 4, 6, 5]
    assert dense[-2][2] == dense[-1][2]
    np.testing.assert_allclose(W2, W1[np.ix_(perm, perm)], atol=1e-9)


# ------------------------------------------------------------------ kinds, JSON
def test_event_kinds_are_explained_and_roundtrip(f49, tmp_path):
    assert set(EVENT_KINDS) == set(EVENT_KIND_HELP) >= {
        "symmetry_breaking", "fold", "branch_point", "touch", "unlocated"
    }
    back = Branch.load(f49.save(tmp_path / "f49.json"))
    ev, ev0 = back.events[0], f49.events[0]
    assert (ev.kind, ev.meets, ev.turns, ev.blocks) == (ev0.kind, ev0.meets, ev0.turns, ev0.blocks)
    np.testing.assert_array_equal(ev.meets_coords, ev0.meets_coords)
    assert back.block_changes == f49.block_changes
    assert check_branch(back) == ()


# ------------------------------------------------------- consistency on atlas families
F12 = [-0.606785451514435, 0.5364433784674482, -0.04769640032978963, 0.24660924189886216,
       -0.04043860713179516, -0.025410461748616716, -0.04058990449453424, 0.029757314594525422,
       1.2185025838658972, 0.042531469549941664]
F124 = [-0.03013830957575567, -0.030138309575755685, -0.03680565323936133, 0.20098817254898454,
        0.3708244485967057, 1.5955497017134372, -0.2796059244539953, 0.23463541936791393,
        0.010765881467972678, 0.08483957657022716, 0.3791665989154715, -1.1130676771927488]
F52 = [0.4182148725746403, 0.41821487257464035, -0.043941943119623995, -0.04394194312097365,
       0.04363574751771556, -0.6029073864551774, 0.5690133334803619, 0.5690133334811818,
       0.043635747516087245, 0.569013333481618, 0.5690133334823481, -0.6029073864534353]


@pytest.mark.parametrize(
    "spec,start,k0,k1",
    [
        ("k-2,1,1", F12, 6, 5),  # one crossing
        ("k-2,1,1", F12, 6, 20),  # a fold, crossings on both sheets
        ("k-5,3,2", F124, 10, 8),  # a fold
        ("k-4,2,2", F52, 6, 7.3),  # blocks that change size at k = 6 and 7
    ],
)
def test_consistency_check_on_atlas_families(spec, start, k0, k1):
    """No 'unlocated' event (it would warn, an error here), and the stored data re-check."""
    b = _cached(spec, tuple(start), k0, k1)
    assert b.points and check_branch(b) == ()
    assert all(e.kind != "unlocated" for e in b.events)
    # every sign change of dk/ds is a turning event
    t = np.array([p.tangent[-1] for p in b.points])
    turns = int(np.count_nonzero(np.diff(np.sign(t)) != 0))
    assert sum(e.turns for e in b.events) == turns
    # the index at integer k is the dense one (eigvalsh of the full Hessian)
    for k in range(int(np.ceil(min(b.k))), int(np.floor(max(b.k))) + 1):
        for c in _sheets(b, float(k)) or [b.point_at(k)]:
            _, g, n, _, _ = _dense(spec, k, c)
            assert g < 1e-10 and n == _index_at_coords(spec, k, c)


@functools.cache
def _cached(spec, start, k0, k1):
    return continue_branch(spec, list(start), k0=k0, k1=k1)


def _index_at_coords(spec, k, c):
    return sum(
        int(b.dimension) * int(np.sum(b.eigenvalues < -1e-9))
        for b in hessian_blocks(IsotropyGroup.from_spec(spec, k), c)
    )


def test_block_changes_at_degenerate_sizes_are_recorded():
    """k-4,2,2 at k = 6: the k-4 block has size 2, [k-5,1] loses a copy and [k-6,1,1] is absent."""
    b = _cached("k-4,2,2", tuple(F52), 6, 7.3)
    rec = {(c.irrep, round(c.k, 3)): c for c in b.block_changes}
    lost = rec[("[k-5,1] x [2] x [2]", 6.0)]
    assert lost.sizes == (6, 7) and lost.negatives == (3, 4) and lost.limit_negatives == 4
    # the real-k index jumps by dim [k-5,1] = k - 5 = 1 at k = 6: dense index 9 at k = 6
    assert lost.index_jump == pytest.approx(1.0) and not lost.index_continuous
    assert _dense("k-4,2,2", 6, b.points[0].coords)[2] == b.points[0].index == 9
    # blocks whose dimension polynomial vanishes there appear continuously
    assert rec[("[k-6,1,1] x [2] x [2]", 6.0)].index_continuous
    assert rec[("[k-6,2] x [2] x [2]", 7.0)].index_continuous


def test_an_unlocated_sign_change_is_an_event_and_a_warning(monkeypatch):
    """If a crossing cannot be located, it is recorded (kind 'unlocated') and warned about."""
    from symbreak.continuation import UnlocatedEventWarning
    from symbreak.continuation import events as events_mod
    from symbreak.errors import ConvergenceError

    def fail(*args, **kwargs):
        raise ConvergenceError("simulated failure")

    monkeypatch.setattr(events_mod, "_root", fail)
    start = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
    with pytest.warns(UnlocatedEventWarning, match=r"\[k-2,1\] x \[1\]"):
        b = continue_branch("k-1,1", start, k0=6, k1=5)
    assert [e.kind for e in b.events] == ["unlocated"]
    ev = b.events[0]
    a, c = b.points[ev.segment], b.points[ev.segment + 1]
    assert min(a.k, c.k) < ev.k < max(a.k, c.k) and ev.k_error == pytest.approx(abs(a.k - c.k) / 2)
    assert (ev.index_before, ev.index_after) == (a.index, c.index)
    assert [(x.irrep, x.change) for x in ev.blocks] == [("[k-2,1] x [1]", "down")]
    assert any("unlocated" in p for p in check_branch(b))


def test_f49_reads_the_same_when_no_zero_can_be_located(monkeypatch):
    """Next to a branch point the corrector is unreliable: sign changes that cannot be located
    there belong to the meeting found from the turn, if their blocks vanish at the meeting point."""
    from symbreak.continuation import events as events_mod
    from symbreak.errors import ConvergenceError

    def fail(*args, **kwargs):
        raise ConvergenceError("simulated failure")

    monkeypatch.setattr(events_mod, "_root", fail)
    b = continue_branch("k-4,2,2", F49, k0=6, k1=6.7)
    assert [e.kind for e in b.events] == ["branch_point"]
    ev = b.events[0]
    assert ev.meets == "k-4,4" and ev.turns and ev.k == pytest.approx(6.5982415449, abs=1e-9)
    changes = {x.irrep: x.change for x in ev.blocks}
    assert changes[TRIV3] == "touch" and {changes[SIGN_A], changes[SIGN_B]} == {"up", "down"}
    assert check_branch(b) == ()


F83 = [1.1515, -0.1324, 0.2225, 0.2225, 0.1345, 0.1152, 0.1152, -0.287, 0.1345, -0.287, 0.1152,
       0.1152]


def test_f83_structural_zeros_and_a_lone_trivial_crossing():
    """F83 (k-4,2,2 at k = 10): the rows inside each size-2 block coincide (structural zeros in
    both sign blocks, no event from them); the two sign blocks, exchanged by swapping the two
    size-2 blocks, cross together (symmetry breaking of the larger isotropy, index -2); the
    trivial block alone crosses at 13.5079 without a turn: a branch point in Fix(H)."""
    b = continue_branch("k-4,2,2", _fixed_k("k-4,2,2", 10, F83), k0=10, k1=14)
    assert b.success and check_branch(b) == ()
    got = [(e.kind, round(e.k, 4), sorted((x.irrep, x.change) for x in e.blocks)) for e in b.events]
    assert got == [
        ("symmetry_breaking", 11.7911, [("[k-5,1] x [2] x [2]", "up")]),
        ("symmetry_breaking", 12.464, [(SIGN_A, "up"), (SIGN_B, "up")]),
        ("branch_point", 13.5079, [(TRIV3, "up")]),
    ]
    # dense at k = 12 and 13: the index there is Σ dim χ(k) · #negatives, and the counts at 13
    # are those at 12 changed by the events in between (both sign blocks lose one)
    counts = {}
    for k in (12, 13):
        c = b.point_at(k)
        W, g, idx, _, ev = _dense("k-4,2,2", k, c)
        assert g < 1e-10
        np.testing.assert_allclose(W[k - 4], W[k - 3], atol=1e-12)
        assert int(np.sum(np.abs(ev) < 1e-12)) >= 2  # (w, -w) in each size-2 block
        blocks = hessian_blocks(IsotropyGroup.from_spec("k-4,2,2", k), c)
        counts[k] = {
            x.label: (int(x.dimension), int(np.sum(x.eigenvalues < -1e-9))) for x in blocks
        }
        assert idx == sum(d * m for d, m in counts[k].values())
    for label, (_, m13) in counts[13].items():
        m12 = counts[12].get(label, (0, 0))[1]
        assert m13 - m12 == (-1 if label in (SIGN_A, SIGN_B) else 0)
