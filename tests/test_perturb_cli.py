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
