"""The analysis subcommands: critical and spectrum (JSON promises)."""

import json

import numpy as np
import pytest
from _helpers import TYPE_II_K6

from symbreak.cli import main


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_critical_json_schema(capsys):
    out = run_json(
        capsys, ["critical", "--k", "6", "--isotropy", "k-1,1", "--starts", "6", "--json"]
    )
    assert set(out) >= {"k", "isotropy", "points"}
    assert out["k"] == 6 and out["isotropy"] == "k-1,1"
    kinds = {p["kind"] for p in out["points"]}
    assert {"global_minimum", "spurious_minimum", "saddle"} <= kinds
    for p in out["points"]:
        assert set(p) >= {"coords", "isotropy", "loss", "index", "kind", "spectrum"}
        assert len(p["coords"]) == 5
        assert sum(e["multiplicity"] for e in p["spectrum"]) == 36
        assert p["index"] == sum(e["multiplicity"] for e in p["spectrum"] if e["value"] < -1e-9)
        for e in p["spectrum"]:
            assert set(e) >= {"value", "multiplicity", "irrep"}


def test_spectrum_json_at_real_k(capsys):
    coords = ",".join(str(x) for x in TYPE_II_K6)
    out = run_json(
        capsys, ["spectrum", "--k", "6.5", "--isotropy", "k-1,1", "--coords", coords, "--json"]
    )
    assert "spectrum" in out
    total = sum(e["multiplicity"] for e in out["spectrum"])
    assert total == pytest.approx(6.5**2)


def test_spectrum_large_k(capsys):
    out = run_json(
        capsys, ["spectrum", "--k", "1000000", "--isotropy", "k", "--coords", "1,0", "--json"]
    )
    vals = {round(e["value"], 9): e["multiplicity"] for e in out["spectrum"]}
    assert vals[round(0.25 + 1 / (2 * np.pi), 9)] == 10**6 * (10**6 - 3) // 2


@pytest.mark.parametrize(
    "argv,match",
    [
        (["spectrum", "--k", "6", "--isotropy", "k-1,1", "--coords", "1,0"], "5 coordinates"),
        (["spectrum", "--k", "6", "--isotropy", "k-1,2", "--coords", "1,0"], "add up"),
        (["critical", "--k", "6", "--isotropy", "k-x"], "may only contain"),
        (["critical", "--k", "6.5", "--isotropy", "5,1"], "must add up to k"),
        (["critical", "--k", "-2", "--isotropy", "k"], "positive"),
    ],
)
def test_bad_input_gives_a_clear_error(capsys, argv, match):
    assert main(argv) == 2
    assert match in capsys.readouterr().err
