"""The continue and annihilate subcommands (JSON promises, errors, exit status)."""

import json

import pytest

from symbreak.cli import main
from symbreak.continuation import Branch

START = "0.986704,-0.050413,0.308011,0.224516,-0.601512"


def run_json(capsys, argv, code=0):
    assert main(argv) == code
    captured = capsys.readouterr()
    return json.loads(captured.out)


def test_continue_json(capsys):
    out = run_json(
        capsys,
        ["continue", "--isotropy", "k-1,1", "--start", START, "--k0", "6", "--k1", "5", "--json"],
    )
    assert out["status"] == "completed"
    assert set(out) >= {"status", "branch", "events", "message"}
    assert out["branch"][0]["k"] == 6 and out["branch"][-1]["k"] == 5
    for p in out["branch"]:
        assert set(p) == {"k", "coords", "loss", "index"}
        assert len(p["coords"]) == 5
    assert out["branch"][-1]["index"] == 3
    assert len(out["events"]) == 1
    ev = out["events"][0]
    assert set(ev) == {
        "kind",
        "k",
        "irrep",
        "multiplicity",
        "index_before",
        "index_after",
        "coords",
        "blocks",
        "meets",
        "meets_coords",
        "turns",
    }
    assert ev["kind"] == "symmetry_breaking" and ev["irrep"] == "[k-2,1] x [1]"
    assert ev["meets"] is None and ev["turns"] is False
    assert [(b["irrep"], b["change"]) for b in ev["blocks"]] == [("[k-2,1] x [1]", "down")]
    assert 5 < ev["k"] < 6 and ev["multiplicity"] == pytest.approx(ev["k"] - 2)


def test_continue_text_switch_and_save(capsys, tmp_path):
    path = tmp_path / "branch.json"
    argv = ["continue", "--isotropy", "k-1,1", "--start", START, "--k0", "6", "--k1", "5"]
    assert main(argv + ["--switch", "--save", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "symmetry_breaking" in out and "Fix(k-2,1,1)" in out
    b = Branch.load(path)
    assert len(b.events) == 1 and b.spec == "k-1,1"
    out = run_json(capsys, argv + ["--switch", "--json"])
    assert {s["isotropy"] for s in out["switched"]} == {"k-2,1,1"}
    assert len(out["switched"]) == 2


def test_continue_stops_with_a_status(capsys):
    out = run_json(
        capsys,
        [
            "continue",
            "--isotropy",
            "k-1,1",
            "--start",
            "0,0,0,0,0",
            "--k0",
            "6",
            "--k1",
            "5",
            "--json",
        ],
        code=1,
    )
    assert out["status"] == "start_not_critical" and out["branch"] == []
    assert "critical point" in out["message"]


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--k0", "6", "--k1", "1.5"], "outside the domain"),
        (["--k0", "6", "--k1", "6"], "differ"),
        (["--k0", "6", "--k1", "5", "--ds", "5"], "ds_min <= ds <= ds_max"),
    ],
)
def test_continue_bad_input(capsys, argv, match):
    assert main(["continue", "--isotropy", "k-1,1", "--start", START, *argv]) == 2
    assert match in capsys.readouterr().err


def test_annihilate_json(capsys):
    out = run_json(
        capsys,
        [
            "annihilate",
            "--k",
            "6",
            "--isotropy",
            "k-1,1",
            "--start",
            START,
            "--extra",
            "1",
            "--json",
        ],
    )
    assert out["saddle"] is True and out["smallest_extra"] == 1
    assert {e["split"] for e in out["embeddings"]} >= {0.5}
    assert {e["neuron_class"] for e in out["embeddings"]} == {"k-1", "1"}
    for e in out["embeddings"]:
        assert set(e) >= {"neuron_class", "split", "min_eig", "index", "certificate"}
        assert e["min_eig"] < 0 and e["index"] >= 1
        cert = e["certificate"]
        assert cert["rayleigh_quotient"] == pytest.approx(e["min_eig"])
        # checked on the dense (k + 1)-neuron Hessian
        assert cert["dense_rayleigh_quotient"] == pytest.approx(cert["rayleigh_quotient"], abs=1e-9)


def test_annihilate_global_minimum_text(capsys):
    assert (
        main(
            [
                "annihilate",
                "--k",
                "5",
                "--isotropy",
                "k",
                "--start",
                "1,0",
                "--extra",
                "1",
                "--splits",
                "0.3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "no negative eigenvalue" in out and "0.5" in out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--extra", "0"], ">= 1"),
        (["--extra", "1", "--splits", "1.5"], "(0, 1)"),
        (["--extra", "1", "--start", "1,0.3,0.2,0.1,0.9"], "not critical"),
    ],
)
def test_annihilate_bad_input(capsys, argv, match):
    base = ["annihilate", "--k", "6", "--isotropy", "k-1,1"]
    if "--start" not in argv:
        base += ["--start", START]
    assert main(base + argv) == 2
    assert match in capsys.readouterr().err
