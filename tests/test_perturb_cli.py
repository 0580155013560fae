"""`symbreak perturb`: JSON promise, direction files, errors."""

import json

import numpy as np
import pytest

from symbreak.cli import main

START = "0.98670382,-0.0504134,0.30801099,0.22451581,-0.60151192"
BASE = ["perturb", "--k", "6", "--isotropy", "k-1,1", "--start", START]


def test_perturb_json_and_file_direction(capsys, tmp_path):
    assert main([*BASE, "--direction", "random", "--seed", "3", "--eps", "0.004", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"status", "branch", "events", "clusters"} <= set(out)
    assert out["status"] == "completed" and out["branch"][-1]["eps"] == 0.004
    assert set(out["branch"][0]) == {"eps", "loss", "index", "min_eig", "W"}
    assert sum(c["multiplicity"] for c in out["clusters"]) == 36
    # the same direction from a file gives the same branch
    E = np.asarray(out["direction"])
    assert np.linalg.norm(E) == pytest.approx(1.0)
    f = tmp_path / "E.npy"
    np.save(f, E)
    assert main([*BASE, "--direction", str(f), "--eps", "0.004", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(again["branch"][-1]["W"], out["branch"][-1]["W"], atol=1e-12)
    assert main([*BASE, "--direction", str(f), "--eps", "0.004"]) == 0
    assert "clusters" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--direction", "random", "--eps", "0"], "non-zero"),
        (["--direction", "nothing", "--eps", "0.1"], "random' or a .npy"),
        (["--direction", "missing.npy", "--eps", "0.1"], "cannot read"),
    ],
)
def test_perturb_bad_input(capsys, argv, match):
    assert main([*BASE, *argv]) == 2
    assert match in capsys.readouterr().err


def test_perturb_wrong_shape(capsys, tmp_path):
    f = tmp_path / "E.npy"
    np.save(f, np.ones((5, 6)))
    assert main([*BASE, "--direction", str(f), "--eps", "0.1"]) == 2
    assert "(6, 6)" in capsys.readouterr().err


def test_perturb_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "eig.png"
    argv = [*BASE, "--direction", "random", "--eps", "0.05", "--plot", str(png), "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["plot"] == str(png) and png.stat().st_size > 1000
    assert out["events"][0]["kind"] == "fold"


K65 = "0.9928747770626106,-0.041687486234987595,0.28284061391689536,0.2031960022339943,-0.6180014343932667"  # noqa: E501


def test_perturb_structured_at_real_k(capsys):
    """--direction structured:SUBSPEC --e-coords: the compressed path, at a real k."""
    argv = ["perturb", "--k", "6.5", "--isotropy", "k-1,1", "--start", K65,
            "--direction", "structured:k-2,1,1", "--e-coords", "0,0,0,0,0,1,0,0,0,0",
            "--eps", "-0.3"]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "compressed" and out["subgroup"] == "k-2,1,1" and out["k"] == 6.5
    assert out["status"] == "left_window"
    assert [e["kind"] for e in out["events"]] == ["fold"]
    assert out["events"][0]["irrep"] == "[k-2] x [1] x [1]"
    assert out["branch"][0]["W_dense"] is None and len(out["branch"][0]["W"]) == 10
    mult = [c["multiplicity"] for c in out["clusters"]]
    assert sum(mult) == pytest.approx(6.5 * 6.5)  # n d = k^2 at real k too
    assert main(argv) == 0
    assert "block of H'" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--direction", "structured"], "--e-coords"),
        (["--direction", "random", "--e-coords", "1,0,0,0,0"], "goes with --direction structured"),
        (["--direction", "structured:k-2,2", "--e-coords", "1,0,0,0,0,0"], "not a Young subgroup"),
        (["--direction", "structured", "--e-coords", "1,0"], "5 coordinates"),
    ],
)
def test_perturb_structured_bad_input(capsys, argv, match):
    assert main([*BASE, *argv, "--eps", "0.1"]) == 2
    assert match in capsys.readouterr().err
