"""The ``symbreak sample`` command: JSON layout, outputs and clear errors."""

import json

import pytest

from symbreak.cli import main


def test_sample_json_and_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["sample", "--k", "5..6", "--runs", "3", "--seed", "2", "--no-search",
                 "--quiet", "--out", str(out), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["protocol"]["published"] and doc["protocol"]["runs"] == 3
    assert [r["k"] for r in doc["results"]] == [5, 6]
    for r in doc["results"]:
        assert r["runs"] == 3 and r["converged"] == 3
        assert r["global_hits"] == sum(m["hits"] for m in r["minima"]
                                       if m["kind"] == "global_minimum")
    assert {"spurious_minima", "young", "share", "non_young"} <= set(doc["young_finding"])
    for name in ("sample.json", "report.md", "protocol.json"):
        assert (out / name).exists()
    assert "| k | runs |" in (out / "report.md").read_text()


def test_sample_text(capsys):
    assert main(["sample", "--k", "4", "--runs", "2", "--no-search", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "global" in text and "spurious" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--k", "1", "--runs", "2"], "k must be >= 2"),
        (["--k", "abc", "--runs", "2"], "cannot read k values"),
        (["--k", "5", "--runs", "0"], "runs must be >= 1"),
        (["--k", "5", "--runs", "2", "--step-scale", "-1"], "step_scale must be"),
        (["--k", "5", "--runs", "2", "--workers", "0"], "workers must be >= 1"),
    ],
)
def test_sample_bad_input(argv, message, capsys):
    assert main(["sample", *argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
