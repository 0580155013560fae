"""`symbreak annihilate`: the strong annihilation fields (every embedding)."""

import json

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak.cli import main
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

START = "0.98670382,-0.0504134,0.30801099,0.22451581,-0.60151192"


def test_annihilate_reports_every_embedding(capsys):
    argv = ["annihilate", "--k", "6", "--isotropy", "k-1,1", "--start", START, "--extra", "2"]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["annihilated_at"] == 1 and out["smallest_extra"] == 1
    kinds = {r["kind"] for r in out["embedding_classes"]}
    assert kinds == {"split", "dead_neuron", "split+dead_neuron"}
    assert all(r["extra"] == 2 and r["saddle"] for r in out["embedding_classes"])
    assert {c["neuron_class"]: c["decision"] for c in out["neuron_classes"]} == {
        "k-1": "saddle",
        "1": "saddle",
    }
    # the dead-neuron value against the dense (k + 1)-neuron loss along s u
    dead = [r for r in out["embedding_classes"] if r["kind"] == "dead_neuron"][0]
    u = np.asarray(dead["certificate"]["direction"])
    g = IsotropyGroup.from_spec("k-1,1", 6)
    W = FixedPointSpace(g).embed(out["coords"])
    s = 1e-6
    slope = (TeacherStudent(np.eye(6), n=7).loss(np.vstack([W, s * u])) - 0) / s
    slope -= TeacherStudent(np.eye(6)).loss(W) / s
    assert slope == pytest.approx(out["min_directional_derivative"], abs=1e-4)
    assert out["min_directional_derivative"] < 0
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "every embedding is a saddle from L = 1" in text and "splitting gives" in text
