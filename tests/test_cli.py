"""CLI basics: --version, --help, ``symbreak hessian`` (text and --json), bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest

import symbreak
from symbreak.cli import main

LO, HI = 0.25 - 1 / (2 * np.pi), 0.25 + 1 / (2 * np.pi)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"symbreak {symbreak.__version__}"


def test_help_lists_the_hessian_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: symbreak")
    assert "hessian" in out and "--version" in out


def test_no_command_prints_usage_and_exits_2(capsys):
    # issue 16: "python -m symbreak" with no subcommand exited 0
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: symbreak") and "a command is required" in err
    out = subprocess.run([sys.executable, "-m", "symbreak"], capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == "" and "usage: symbreak" in out.stderr


def test_python_dash_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "symbreak", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"symbreak {symbreak.__version__}"


def spectrum_checks(spectrum, k, d):
    """Facts about the Hessian at W = V = I_k (padded to d) that do not need the code."""
    mult = {round(e["value"], 9): e["multiplicity"] for e in spectrum}
    assert sum(mult.values()) == k * d
    # every diagonal block is ½ I there (student and teacher terms cancel)
    assert sum(e["value"] * e["multiplicity"] for e in spectrum) == pytest.approx(k * d / 2)
    assert all(e["value"] > 0 for e in spectrum)  # a strict minimum
    return mult


@pytest.mark.parametrize("k", [4, 5])
def test_hessian_json(k, capsys):
    assert main(["hessian", "--k", str(k), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)  # exactly one JSON document
    assert (out["k"], out["d"], out["n"]) == (k, k, k)
    mult = spectrum_checks(out["spectrum"], k, k)
    assert mult[round(LO, 9)] == k * (k - 1) // 2
    assert mult[round(HI, 9)] == k * (k - 3) // 2


def test_hessian_json_with_padding(capsys):
    assert main(["hessian", "--k", "3", "--d", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["k"], out["d"]) == (3, 5)
    spectrum_checks(out["spectrum"], 3, 5)


def test_hessian_text(capsys):
    assert main(["hessian", "--k", "4"]) == 0
    out = capsys.readouterr().out
    assert "k = 4" in out and "16x16" in out
    row = next(line for line in out.splitlines() if line.split()[:1] == [f"{LO:.12g}"])
    assert row.split()[1] == "6"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hessian", "--k", "0"], "--k must be >= 1"),
        (["hessian", "--k", "3", "--d", "2"], "--d must be >= --k"),
        (["hessian", "--k", "3", "--d", "0"], "--d must be >= 1"),
        (["hessian", "--k", "101"], "symbreak spectrum"),
    ],
)
def test_hessian_bad_values_exit_2(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


@pytest.mark.parametrize(
    "argv",
    [["hessian"], ["hessian", "--k", "x"], ["hessian", "--k", "2.5"], ["no-such-command"]],
)
def test_argparse_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err
