"""Regression tests for the rough edges of issue 16 (one test or more per item)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symbreak.cli import main

ATLAS_SMALL = [
    "--k-values", "6", "--group", "k", "--group", "k-1,1", "--k-range", "5,7",
    "--starts", "6", "--max-extra", "1", "--no-plots",
]  # fmt: skip


def _env():
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


# --- negative coordinates without "=" ----------------------------------------------


def test_negative_coordinates_need_no_equals_sign(capsys):
    coords = "-0.6633973683167405,0.330709783291597"
    assert main(["spectrum", "--k", "6", "--isotropy", "k", "--coords", coords, "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert main(["spectrum", "--k", "6", "--isotropy", "k", f"--coords={coords}", "--json"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert a == b and a["coords"][0] == pytest.approx(-0.6633973683167405)
    # a single negative number and exponents too
    assert main(["spectrum", "--k", "6", "--isotropy", "k", "--coords", "-1e-1,2E-1"]) == 0
    capsys.readouterr()


def test_negative_values_do_not_swallow_options(capsys):
    # an option after a value option stays an option
    assert main(["spectrum", "--k", "6", "--isotropy", "k", "--coords", "-0.5,1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["coords"] == [-0.5, 1.0]
    # something that is not a number list is not taken as a value
    with pytest.raises(SystemExit) as exc:
        main(["spectrum", "--k", "6", "--isotropy", "k", "--coords", "-x,1"])
    assert exc.value.code == 2 and "--coords" in capsys.readouterr().err


# --- atlas --out --------------------------------------------------------------------


def test_atlas_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["atlas", "--out", str(f), *ATLAS_SMALL]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is an existing file" in err
    assert main(["atlas", "--out", str(f / "sub"), *ATLAS_SMALL]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a file, not a directory" in err
    assert f.read_text() == "x"


# --- Ctrl-C -------------------------------------------------------------------------


def test_interrupt_prints_one_line_and_exits_130(monkeypatch, tmp_path, capsys):
    import symbreak.commands.atlas as atlas_cmd

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atlas_cmd, "run_atlas", interrupted)
    assert main(["atlas", "--out", str(tmp_path / "a"), *ATLAS_SMALL]) == 130
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "interrupted" in err and "rerun the same command to resume" in err


@pytest.mark.slow
def test_ctrl_c_on_a_real_atlas_run_then_resume(tmp_path):
    # SIGINT to the whole process group, as a terminal sends it (workers included)
    out = tmp_path / "atlas"
    cmd = [sys.executable, "-m", "symbreak", "atlas", "--out", str(out), *ATLAS_SMALL]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob(".cache/*/search-*.json")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    last = err.strip().splitlines()[-1]
    assert "interrupted" in last and "resume" in last
    assert not (out / "atlas.json").exists()
    # the rerun resumes: the units finished before the interrupt are reused
    again = subprocess.run([*cmd, "--json", "--quiet"], capture_output=True, text=True, env=_env())
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "atlas.json").read_text())["units"]["reused"] >= 1


# --- the atlas in the terminal and report.md ---------------------------------------


@pytest.fixture(scope="module")
def atlas_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas") / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "symbreak", "atlas", "--out", str(out), *ATLAS_SMALL],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    atlas = json.loads((out / "atlas.json").read_text())
    return out, proc, atlas


def test_terminal_shows_a_short_summary_with_the_report_path(atlas_run):
    out, proc, atlas = atlas_run
    lines = proc.stdout.strip().splitlines()
    # no family table: a few lines, the report path last
    assert len(lines) <= 4 + len(atlas["families"]) // 2
    assert not any(re.match(r"\s*F\d+\s+k", line) for line in lines)
    assert lines[-1].startswith(f"Report: {out / 'report.md'}")
    assert f"{atlas['summary']['families']} families" in proc.stdout
    # progress went to stderr, one line per stage when stderr is not a terminal
    stages = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert any(s.startswith("[search]") for s in stages)
    assert all(s.endswith("done") or ", cached" in s for s in stages)


def test_terminal_and_report_give_the_same_run_time(atlas_run):
    out, proc, atlas = atlas_run
    t = f"{atlas['timing']['total_s']:.1f} s"
    assert f"computed in {t}" in proc.stdout
    assert f"this run took {t}" in (out / "report.md").read_text()


def test_report_opens_with_a_summary(atlas_run):
    out, _, atlas = atlas_run
    text = (out / "report.md").read_text()
    head = text.split("## Families")[0]
    assert "d = k + 0" not in text and "(d = k)" in head
    o = atlas["options"]
    assert "k = 6" in head and "k in [5, 7]" in head and f"{o['starts']} random starts" in head
    for g in ("`k`", "`k-1,1`"):
        assert g in head
    s = atlas["summary"]
    assert f"{s['families']} families" in head and f"{s['events']} event" in head
    # every family that is a spurious minimum somewhere is listed with its window
    spurious = [
        f for f in atlas["families"] if f["minimum_window"] and f["kind"] != "global_minimum"
    ]
    assert spurious, "the type-II family is a minimum for k in [5.59, 7]"
    for f in spurious:
        line = next(x for x in head.splitlines() if x.startswith(f"- {f['id']} "))
        a, b = f["minimum_window"][0]
        assert f"[{a:.4f}, {b:.4f}" in line
        op = f["overparam"]
        if op is not None and op["smallest_extra"] is not None:
            assert f"{op['smallest_extra']} extra neuron" in line
        elif op is None:
            assert "not tested" in line
    # the column guide explains the kinds and real multiplicities
    assert "How to read the tables" in head
    for kind in {e["kind"] for f in atlas["families"] for e in f["events"]}:
        assert f"`{kind}`:" in head
    assert "value of its dimension polynomial" in head


def test_report_explains_a_real_multiplicity_by_its_polynomial(atlas_run):
    out, _, atlas = atlas_run
    text = (out / "report.md").read_text()
    m = re.search(r"event at k = ([0-9.]+) in (\S+) has multiplicity (.+?) = ([0-9.]+)\.", text)
    assert m, "the guide names one event's dimension polynomial"
    k = float(m.group(1))
    poly = m.group(3).replace("^", "**")
    # evaluate the printed polynomial at the printed k: it is the printed multiplicity
    assert eval(poly, {"k": k}) == pytest.approx(float(m.group(4)), rel=1e-5)


def test_bad_numbers_in_a_report_cannot_hide_dimension_polynomials():
    from symbreak.atlas.report import dimension_polynomial

    # dim [k-2,1,1] = (k-1)(k-2)/2 and dim [k-2,2] = k(k-3)/2 (MATH.md section 3)
    for irrep, ref in (
        ("[k-2,1,1]", lambda k: (k - 1) * (k - 2) / 2),
        ("[k-2,2]", lambda k: k * (k - 3) / 2),
    ):
        poly = dimension_polynomial("k", irrep, 7.3).replace("^", "**")
        assert eval(poly, {"k": 7.3}) == pytest.approx(ref(7.3))
    assert dimension_polynomial("k", "[no such irrep]", 7.3) is None


def test_cache_and_atlas_json_follow_the_umask(atlas_run):
    import stat

    out, _, _ = atlas_run
    mask = os.umask(0)
    os.umask(mask)
    expected = 0o666 & ~mask
    files = [out / "atlas.json", out / "report.md", *out.glob(".cache/*/*.json")]
    assert len(files) > 3
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == expected, f
