"""``symbreak linear``: JSON contract, text output, clear errors."""

import json

import numpy as np
import pytest

from symbreak.cli import main


def _run(capsys, *argv):
    code = main(["linear", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_default_target(capsys):
    code, out, _ = _run(capsys, "--widths", "4,2,3", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["widths"] == [4, 2, 3] and doc["filling"] is False and doc["r"] == 2
    points = doc["critical_points"]
    # σ = 3, 2, 1: index sets of size ≤ 2, losses Σ_{i∉I} σ_i², each listed once
    assert sorted(tuple(p["index_set"]) for p in points) == sorted(
        [(), (1,), (2,), (3,), (1, 2), (1, 3), (2, 3)]
    )
    expected = {(): 14, (1,): 5, (2,): 10, (3,): 13, (1, 2): 1, (1, 3): 4, (2, 3): 9}
    for p in points:
        assert set(p) >= {"rank", "loss", "pure", "kind"}
        assert p["loss"] == pytest.approx(expected[tuple(p["index_set"])])
        assert p["rank"] == len(p["index_set"])
        assert p["pure"] == (p["rank"] == 2)
        assert p["verified"] is True
    kinds = [p["kind"] for p in points]
    assert kinds.count("global minimum") == 1 and kinds.count("saddle") == 6
    assert doc["verified"] is True
    np.testing.assert_allclose(doc["target_singular_values"], [3, 2, 1], atol=1e-12)


def test_text_output(capsys):
    code, out, _ = _run(capsys, "--widths", "4,2,3")
    assert code == 0
    assert "non-filling" in out and "Eckart-Young" in out
    assert "global minimum" in out and "spurious" in out


def test_target_file_and_counterexample_loss(capsys, tmp_path):
    path = tmp_path / "q.npy"
    np.save(path, np.diag([1.0, 0.5]))
    code, out, _ = _run(
        capsys,
        "--widths",
        "2,1,2",
        "--target",
        str(path),
        "--loss",
        "log-cosh",
        "--scale",
        "0.1",
        "--starts",
        "10",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    kinds = {p["kind"]: p for p in doc["critical_points"]}
    assert "non-global local minimum" in kinds
    assert kinds["non-global local minimum"]["loss"] == pytest.approx(0.01 * np.log(np.cosh(10)))
    assert kinds["global minimum"]["loss"] == pytest.approx(0.01 * np.log(np.cosh(5)))


def test_weighted_and_filling(capsys, tmp_path):
    w = tmp_path / "w.npy"
    np.save(w, np.full((2, 3), 2.0))
    code, out, _ = _run(
        capsys,
        "--widths",
        "3,2,2",
        "--loss",
        "weighted",
        "--weights",
        str(w),
        "--starts",
        "4",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["filling"] is True
    assert all(p["kind"] != "non-global local minimum" for p in doc["critical_points"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--widths", "4,2,3", "--target", "missing.npy"], "no such file"),
        (["--widths", "4,x,3"], "comma-separated positive integers"),
        (["--widths", "4"], "at least two entries"),
        (["--widths", "4,0,3"], ">= 1"),
        (["--widths", "2,1,2", "--loss", "weighted"], "--weights"),
        (["--widths", "2,1,2", "--scale", "0.1"], "--scale is only used"),
        (["--widths", "2,2,2"], "repeated singular values"),
    ],
)
def test_errors(capsys, tmp_path, argv, message):
    if "2,2,2" in argv:
        np.save(tmp_path / "eye.npy", np.eye(2))
        argv = [*argv, "--target", str(tmp_path / "eye.npy")]
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err


def test_misshaped_and_unreadable_target(capsys, tmp_path):
    np.save(tmp_path / "q.npy", np.ones((2, 3)))
    code, _, err = _run(capsys, "--widths", "4,2,3", "--target", str(tmp_path / "q.npy"))
    assert code == 2 and "need a 3x4 matrix" in err
    (tmp_path / "bad.npy").write_text("not numpy")
    code, _, err = _run(capsys, "--widths", "4,2,3", "--target", str(tmp_path / "bad.npy"))
    assert code == 2 and "cannot read" in err
    np.save(tmp_path / "v.npy", np.ones(12))
    code, _, err = _run(capsys, "--widths", "4,2,3", "--target", str(tmp_path / "v.npy"))
    assert code == 2 and "shape (12,)" in err
