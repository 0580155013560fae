"""The certify subcommand (JSON promises, honest failures, crossing option)."""

import json

import pytest
from _helpers import TYPE_II_K6

from symbreak.cli import main

pytest.importorskip("flint")

START6 = ",".join(str(x) for x in TYPE_II_K6)
START5 = "0.96160683,-0.07908255,0.37606505,0.28754993,-0.55977841"


def run_json(capsys, argv, code=0):
    assert main(argv + ["--json"]) == code
    return json.loads(capsys.readouterr().out)


def test_certify_type_ii_k6_json(capsys):
    out = run_json(capsys, ["certify", "--k", "6", "--isotropy", "k-1,1", "--start", START6])
    assert set(out) >= {"exists", "box_radius", "kind", "blocks"}
    assert out["exists"] is True and out["kind"] == "minimum" and out["index"] == 0
    assert 0 < out["box_radius"] < 1e-10
    labels = [b["irrep"] for b in out["blocks"]]
    assert labels == ["[k-1] x [1]", "[k-2,1] x [1]", "[k-3,2] x [1]", "[k-3,1,1] x [1]"]
    for b in out["blocks"]:
        assert 0 < b["lower"] <= b["upper"]


def test_certify_type_ii_k5_saddle_with_crossing(capsys):
    argv = ["certify", "--k", "5", "--isotropy", "k-1,1", "--start", START5, "--crossing", "5,6"]
    out = run_json(capsys, argv)
    assert out["kind"] == "saddle" and out["index"] == 3
    neg = [b for b in out["blocks"] if b["upper"] < 0]
    assert [b["irrep"] for b in neg] == ["[k-2,1] x [1]"]
    cross = out["crossing"]
    assert cross["certified"] and 5 < cross["k_lo"] < cross["k_hi"] < 6
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "saddle" in text and "eigenvalue crossing" in text


def test_certify_global_minimum_text(capsys):
    assert main(["certify", "--k", "1000", "--isotropy", "k", "--start", "1,0"]) == 0
    text = capsys.readouterr().out
    assert "a critical point exists" in text and "kind: minimum" in text


def test_certify_perturbed_point_is_undecided(capsys):
    start = ",".join(str(x + 0.01) for x in TYPE_II_K6)
    argv = ["certify", "--k", "6", "--isotropy", "k-1,1", "--start", start, "--no-polish"]
    out = run_json(capsys, argv)
    assert out["exists"] is False and out["kind"] == "undecided"
    assert out["box_radius"] is None and "Krawczyk" in out["message"]


@pytest.mark.parametrize(
    "argv,match",
    [
        (["certify", "--k", "6", "--isotropy", "k-1,1", "--start", "1,0"], "5 coordinates"),
        (
            ["certify", "--k", "6", "--isotropy", "k-1,1", "--start", START6, "--crossing", "5"],
            "two numbers",
        ),
    ],
)
def test_certify_errors(capsys, argv, match):
    assert main(argv) == 2
    assert match in capsys.readouterr().err
