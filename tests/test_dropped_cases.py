"""Failures are visible, never silent (issue 11, item 7).

The event scan survives only the failures it expects (a point outside the
domain or where the loss is not differentiable, a corrector that cannot
deliver a reliable point, a singular matrix) and records what it drops:
an ``"unlocated"`` event, or a sentence in ``Branch.notes``.  Anything else
(a bug) propagates.
"""

import json
import warnings

import numpy as np
import pytest

from symbreak.continuation import Branch, continue_branch
from symbreak.continuation import events as events_mod
from symbreak.continuation.events import check_branch
from symbreak.continuation.refinement import refine
from symbreak.errors import ConvergenceError, DomainError, NotDifferentiableError
from symbreak.model import TeacherStudent
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup

# the type-II family at k = 6 (its [k-2,1] x [1] block crosses zero between k = 6 and 5)
TYPE_II = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
# a k-4,2,2 family that meets k-4,4 at a branch point near k = 6.598
F49 = [-0.29070650825829375, 0.7287701607656762, -0.035167436299566486, 0.27406864958905497,
       0.013527173287334025, 1.177703142794894, -0.0156359270320286, 0.013527173287340955,
       0.2740686495890367, -0.035167436299569435, 0.7287701607656384, -0.2907065082583089]


def _interior_fails(exc_type, message):
    """Wrap ``_Path.value`` so that every point strictly inside a segment fails."""
    original = events_mod._Path.value

    def value(self, seg, sigma, label, j, drop=0):
        if 0.0 < abs(sigma) < abs(self.ends[seg]):
            raise exc_type(message)
        return original(self, seg, sigma, label, j, drop)

    return value


def test_a_zero_row_at_the_crossing_becomes_an_unlocated_event(monkeypatch):
    """The loss is not differentiable next to the crossing: the event is recorded as unlocated."""
    monkeypatch.setattr(
        events_mod._Path,
        "value",
        _interior_fails(NotDifferentiableError, "row 3 of W is zero (simulated)"),
    )
    with pytest.warns(events_mod.UnlocatedEventWarning, match=r"\[k-2,1\] x \[1\]"):
        b = continue_branch("k-1,1", TYPE_II, k0=6, k1=5)
    assert [e.kind for e in b.events] == ["unlocated"]
    ev = b.events[0]
    a, c = b.points[ev.segment], b.points[ev.segment + 1]
    # the index change between the two points is carried by the unlocated event
    assert (ev.index_before, ev.index_after) == (a.index, c.index) and a.index != c.index
    assert any("unlocated" in p for p in check_branch(b))


@pytest.mark.parametrize("exc_type", [ValueError, TypeError, KeyError, IndexError])
def test_an_unrelated_error_is_not_swallowed(monkeypatch, exc_type):
    """A plain ValueError (or any other error) inside the scan is a bug: it propagates."""
    monkeypatch.setattr(events_mod._Path, "value", _interior_fails(exc_type, "a bug"))
    with pytest.raises(exc_type, match="a bug"):
        continue_branch("k-1,1", TYPE_II, k0=6, k1=5)


def test_an_unrelated_error_in_the_meeting_is_not_swallowed(monkeypatch):
    original = events_mod._solve_on

    def solve_on(fam, coords, k, options):
        if fam.spec == "k-4,4":
            raise ValueError("a bug in the larger family")
        return original(fam, coords, k, options)

    monkeypatch.setattr(events_mod, "_solve_on", solve_on)
    with pytest.raises(ValueError, match="a bug in the larger family"):
        continue_branch("k-4,2,2", F49, k0=6, k1=6.7)


def test_a_meeting_not_refined_is_noted_on_the_branch(monkeypatch):
    """Newton fails on the larger family: the branch point keeps the crossing's k, and says so."""
    clean = continue_branch("k-4,2,2", F49, k0=6, k1=6.7)
    (ev0,) = [e for e in clean.events if e.meets == "k-4,4"]
    # next to the branch point the corrector cannot examine the trivial block's touch; the
    # branch says so (the block is still recorded, as a touch of the branch point itself)
    assert [n for n in clean.notes if "not refined" in n] == []
    assert all(n.startswith("touch not examined") for n in clean.notes)
    assert ("[k-4] x [2] x [2]", "touch") in [(x.irrep, x.change) for x in ev0.blocks]

    original = events_mod._solve_on
    calls = {"n": 0}

    def solve_on(fam, coords, k, options):
        if fam.spec == "k-4,4":
            calls["n"] += 1
            if calls["n"] > 1:  # the meeting point is found, its k cannot be refined
                return None
        return original(fam, coords, k, options)

    monkeypatch.setattr(events_mod, "_solve_on", solve_on)
    b = continue_branch("k-4,2,2", F49, k0=6, k1=6.7)
    (ev,) = [e for e in b.events if e.meets == "k-4,4"]
    assert ev.kind == "branch_point"
    (note,) = [n for n in b.notes if "not refined" in n]
    assert "not refined" in note and "Fix(k-4,4)" in note and "Newton at fixed k" in note
    # the unrefined k is the crossing's own estimate (from the corrector next to the branch
    # point, the module notes' 1e-7..1e-9): close to the refined one, with a larger k_error
    assert ev.k_error > 100 * ev0.k_error
    assert abs(ev.k - ev0.k) <= 1e-7
    # the note survives the JSON round trip (and appears only when there is one)
    data = json.loads(json.dumps(b.to_json(full=True)))
    assert data["notes"] == list(b.notes)
    assert Branch.from_json(data).notes == b.notes


def test_refine_raises_domain_error_for_a_block_too_small():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    with pytest.raises(DomainError, match="cannot split"):
        refine(g, 1, (1,))  # the constant block of size 1 cannot lose a row
    with pytest.raises(ValueError, match="factor") as info:
        refine(g, 7, (1,))  # a wrong argument is not a domain question
    assert not isinstance(info.value, DomainError)


def test_models_raise_narrow_errors():
    """Zero rows: NotDifferentiableError; non-finite points: DomainError (both ValueErrors)."""
    m = TeacherStudent(np.eye(3), n=3)
    W = np.eye(3)
    W[1] = 0.0
    with pytest.raises(NotDifferentiableError, match="zero row"):
        m.grad(W)
    W[1] = np.nan
    with pytest.raises(DomainError, match="NaN"):
        m.grad(W)
    sys_ = ReducedSystem(IsotropyGroup.from_spec("k-1,1", 6))
    with pytest.raises(DomainError, match="finite"):
        sys_.gradient([np.inf, 0.0, 0.0, 0.0, 0.0])
    assert issubclass(ConvergenceError, RuntimeError)
    assert not issubclass(ConvergenceError, ValueError)


def test_unlocated_by_convergence_failure_warns_once():
    """Sanity of the helper: without failures the type-II crossing is located (no warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", events_mod.UnlocatedEventWarning)
        b = continue_branch("k-1,1", TYPE_II, k0=6, k1=5)
    assert [e.kind for e in b.events] == ["symmetry_breaking"] and b.notes == ()
