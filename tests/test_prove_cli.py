"""``symbreak critical --prove``: JSON record, certificates, bad input."""

import json

import numpy as np
import pytest

from symbreak.cli import main
from symbreak.reduced.system import ReducedSystem
from symbreak.representation import IsotropyGroup

pytest.importorskip("flint")


def test_critical_prove_json(capsys):
    argv = ["critical", "--isotropy", "k", "--k", "4", "--prove", "--max-loss", "0.2"]
    assert main(argv + ["--quiet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rec = out["search"]
    assert rec["method"] == "proof" and rec["complete"] is True
    assert rec["undecided"] == [] and rec["undecided_volume"] == 0.0
    assert 0 < sum(rec["excluded"].values()) <= rec["boxes"]
    system = ReducedSystem(IsotropyGroup.from_spec("k", 4))
    for p in out["points"]:
        cert = p["certificate"]
        assert cert["exists"] is True
        # the certified enclosure contains a point with (float64) zero gradient: the reported one
        c = np.array(p["coords"])
        assert np.linalg.norm(system.gradient(c)) < 1e-9
        assert all(lo - 1e-9 <= x <= hi + 1e-9 for (lo, hi), x in zip(cert["enclosure"], c))
        assert cert["loss"][0] <= 0.2
    assert main(argv + ["--quiet"]) == 0
    text = capsys.readouterr().out
    assert "PROVED COMPLETE below loss 0.2" in text


def test_critical_prove_needs_max_loss(capsys):
    assert main(["critical", "--isotropy", "k", "--k", "4", "--prove", "--quiet"]) == 2
    assert "--max-loss" in capsys.readouterr().err


def test_critical_prove_bad_workers(capsys):
    argv = ["critical", "--isotropy", "k", "--k", "4", "--prove", "--max-loss", "0.2"]
    assert main(argv + ["--workers", "0", "--quiet"]) == 2
    assert "workers" in capsys.readouterr().err
