"""Atlas hookup: over-parameterisation where a family is a spurious minimum (inside its window)."""

from types import SimpleNamespace

import numpy as np

from symbreak import TeacherStudent
from symbreak.atlas.records import Annihilation, AnnihilationSkipped
from symbreak.atlas.run import _annihilation_k
from symbreak.atlas.tasks import annihilate_task
from symbreak.continuation import ContinuationOptions, continuation
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

# the `k-2,2` family F19 of the default atlas at k0 = 6, a saddle there, a minimum for k >= 7.56
F19_K6 = [0.9024021236, -0.1428702089, 0.3340932602, 0.2692356136, -0.6458564244, 0.2731355957]


def test_the_k_of_the_analysis():
    def fam(**kw):
        base = {"kind": "saddle", "k0": 6.0, "minimum_window": ((7.5612, 20.0),)}
        return SimpleNamespace(**(base | kw))

    assert _annihilation_k(fam()) == 8.0
    assert _annihilation_k(fam(minimum_window=((7.2, 7.8),))) == 7.5
    assert _annihilation_k(fam(minimum_window=())) is None
    assert _annihilation_k(fam(kind="spurious_minimum")) == 6.0
    assert _annihilation_k(fam(kind="global_minimum")) is None


def test_a_saddle_at_k0_is_analysed_inside_its_minimum_window():
    br = continuation("k-2,2", F19_K6, k0=6, k1=8, options=ContinuationOptions(detect_events=False))
    approx = np.asarray(br.points[-1].coords) + 1e-4  # as if interpolated on the branch
    out = annihilate_task("k-2,2", list(approx), 8.0, 0, 1, True)
    assert isinstance(out, Annihilation) and out.k == 8.0
    assert Annihilation.from_json(out.to_json()) == out
    g = IsotropyGroup.from_spec("k-2,2", 8)
    W = FixedPointSpace(g).embed(out.coords)
    model = TeacherStudent(np.eye(8))
    assert np.max(np.abs(model.grad(W))) < 1e-10
    assert np.linalg.eigvalsh(model.hessian(W))[0] > 0  # a spurious minimum at k = 8 (dense)
    assert out.annihilated_at == 1 and out.smallest_extra == 1
    assert {c["decision"] for c in out.neuron_classes.value} == {"saddle"}
    # outside the window the refined point is not a minimum, and says so
    br6 = annihilate_task("k-2,2", F19_K6, 6.0, 0, 1, True)
    assert isinstance(br6, AnnihilationSkipped) and br6.status == "not_a_minimum"
