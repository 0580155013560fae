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

import numpy as np
import pytest

from symbreak.cli import main

ATLAS_SMALL = [
    "--k-values", "6", "--group", "k", "--group", "k-1,1", "--k-range", "4,7",
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
    spurious = [
        f for f in atlas["families"] if f["minimum_window"] and f["kind"] != "global_minimum"
    ]
    assert len(lines) <= 4 + len(spurious)  # a line per spurious minimum, no family table
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
    assert "k = 6" in head and "k in [4, 7]" in head and f"{o['starts']} random starts" in head
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
        assert f"`{kind}`:" in text
    assert "value of its dimension polynomial" in head


def test_report_explains_a_real_multiplicity_by_its_polynomial(atlas_run):
    out, _, atlas = atlas_run
    text = (out / "report.md").read_text()
    m = re.search(r"event at k = ([0-9.]+) in (.+?) has multiplicity (.+?) = ([0-9.]+)\.", text)
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


# --- huge k: a clear error, not an OverflowError traceback --------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["critical", "--k", "1e300", "--isotropy", "k", "--starts", "2"],
        ["spectrum", "--k", "1e300", "--isotropy", "k", "--coords", "1,0"],
        ["series", "--isotropy", "k", "--start", "-0.66,0.33", "--k0", "1e300"],
        ["continue", "--isotropy", "k", "--start", "1,0", "--k0", "1e300", "--k1", "2e300"],
    ],
)
def test_k_1e300_is_a_domain_error(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "too large for floating point" in err


def test_k_1e300_in_the_api_raises_domain_error():
    from symbreak.errors import DomainError
    from symbreak.representation.isotropy import IsotropyGroup
    from symbreak.spectrum import analytic_spectrum

    for k in (1e300, 1e17, 2.0**53 + 4):
        with pytest.raises(DomainError, match="too large for floating point"):
            analytic_spectrum(IsotropyGroup.from_spec("k", k), [1.0, 0.0])
    # at k = 2^53 the sizes are still exact; k^2 = total multiplicity (M(k, k))
    k = 2.0**53
    s = analytic_spectrum(IsotropyGroup.from_spec("k", k), [1.0, 0.0])
    assert s.total_multiplicity == pytest.approx(k * k, rel=1e-12)


# --- only the digits the computation guarantees --------------------------------------


def _printed_rows(text):
    rows = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[2].startswith("["):
            rows.append((parts[0], parts[2]))
    return rows


def _unit_in_last_place(s: str) -> float:
    mant = s.lower().split("e")[0].lstrip("-")
    exp = int(s.lower().split("e")[1]) if "e" in s.lower() else 0
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 10.0 ** (exp - decimals)


@pytest.mark.parametrize("k", ["1e3", "1e6", "1e8"])
def test_eigenvalues_at_the_global_minimum_print_only_correct_digits(k, capsys):
    # at W = I: [k-2,1,1] has 1/4 - 1/(2 pi), [k-2,2] has 1/4 + 1/(2 pi) (MATH.md section 3)
    import mpmath

    exact = {
        "[k-2,1,1]": mpmath.mpf(1) / 4 - 1 / (2 * mpmath.pi),
        "[k-2,2]": mpmath.mpf(1) / 4 + 1 / (2 * mpmath.pi),
    }
    assert main(["spectrum", "--k", k, "--isotropy", "k", "--coords", "1,0"]) == 0
    rows = dict((irrep, v) for v, irrep in _printed_rows(capsys.readouterr().out))
    for irrep, ref in exact.items():
        s = rows[irrep]
        assert abs(mpmath.mpf(s) - ref) <= _unit_in_last_place(s), (irrep, s)
        sig = len(s.replace("-", "").replace(".", "").lstrip("0"))
        assert sig >= {"1e3": 10, "1e6": 7, "1e8": 5}[k], s  # not vacuous
    assert main(["spectrum", "--k", k, "--isotropy", "k", "--coords", "1,0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for e in out["spectrum"]:
        if e["irrep"] in exact:
            assert abs(e["value"] - float(exact[e["irrep"]])) <= out["eigenvalue_error"]


def _mp_block_eigenvalues(group, coords, dps=40):
    """Eigenvalues of every block from the independent generic model in mpmath."""
    import mpmath

    try:
        from symbreak.certify._arith import MPArithmetic
        from symbreak.certify.generic_model import GenericReducedSystem
    except ImportError:  # moved to symbreak.reduced
        from symbreak.reduced.arithmetic import MPArithmetic
        from symbreak.reduced.generic import GenericReducedSystem
    arith = MPArithmetic(dps=dps)
    out = {}
    with arith:
        model = GenericReducedSystem(group, arith)
        for b in model.blocks([mpmath.mpf(float(c)) for c in coords]):
            L = mpmath.cholesky(mpmath.matrix(b.G)) ** -1
            M = L * mpmath.matrix(b.B) * L.T
            out[b.label] = sorted(mpmath.eigsy((M + M.T) / 2, eigvals_only=True))
    return out


@pytest.mark.parametrize(
    "spec,coords,k",
    [
        ("k", "-0.6633973683167405,0.330709783291597", 1e6),
        ("k-1,1", "0.986704,-0.050413,0.308011,0.224516,-0.601512", 1e5),
    ],
)
def test_printed_eigenvalues_agree_with_mpmath(spec, coords, k, capsys):
    from symbreak.representation.isotropy import IsotropyGroup

    group = IsotropyGroup.from_spec(spec, k)
    ref = _mp_block_eigenvalues(group, [float(c) for c in coords.split(",")])
    assert main(["spectrum", "--k", str(k), "--isotropy", spec, "--coords", coords]) == 0
    rows = _printed_rows(capsys.readouterr().out)
    assert len(rows) == sum(len(v) for v in ref.values())
    for s, irrep in rows:
        if "(±" in s:  # at the round-off level: "4e-09(±2e-09)"
            value = float(s.split("(")[0])
            unit = float(s.split("±")[1][:-1]) + _unit_in_last_place(s.split("(")[0]) / 2
        else:
            value, unit = float(s), _unit_in_last_place(s)
        nearest = min(abs(value - float(r)) for r in ref[irrep])
        assert nearest <= unit, (irrep, s)


# --- zero rows: the same message everywhere ------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["continue", "--isotropy", "k-1,1", "--start=0,0,0,0,0", "--k0", "5", "--k1", "6"],
        ["spectrum", "--isotropy", "k-1,1", "--coords=0,0,0,0,0", "--k", "5"],
        ["annihilate", "--isotropy", "k-1,1", "--start=0,0,0,0,0", "--k", "5", "--extra", "1"],
        ["series", "--isotropy", "k-1,1", "--start=0,0,0,0,0", "--k0", "5"],
        ["certify", "--isotropy", "k-1,1", "--start=0,0,0,0,0", "--k", "5"],
        # only the last row (block 2) is zero
        ["continue", "--isotropy", "k-1,1", "--start=1,0,0,0,0", "--k0", "5", "--k1", "6"],
    ],
)
def test_zero_rows_are_reported_as_such(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "are zero" in err and "nan" not in err.lower()


# --- figures never drop a block --------------------------------------------------------


def test_block_series_keeps_blocks_that_appear_later():
    from symbreak.atlas.figures import block_series

    pts = [
        {"k": 4.5, "eigenvalues": {"[k]": [1.0, 2.0], "[k-1,1]": [0.5]}},
        {"k": 5.5, "eigenvalues": {"[k]": [1.1, 2.1], "[k-1,1]": [0.6], "[k-3,2] x [1]": [3.0]}},
        {"k": 6.5, "eigenvalues": {"[k]": [1.2], "[k-3,2] x [1]": [3.1]}},
    ]
    blocks = block_series(pts)
    assert list(blocks) == ["[k]", "[k-1,1]", "[k-3,2] x [1]"]
    # every eigenvalue of the input is in the output, at its point
    for i, p in enumerate(pts):
        for lab, vals in p["eigenvalues"].items():
            assert blocks[lab][i, : len(vals)].tolist() == vals
    assert np.isnan(blocks["[k-3,2] x [1]"][0, 0]) and np.isnan(blocks["[k]"][2, 1])
    total = sum(len(v) for p in pts for v in p["eigenvalues"].values())
    assert sum(int(np.isfinite(b).sum()) for b in blocks.values()) == total


def test_block_figures_show_every_block_of_the_branch(atlas_run, monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    import symbreak.plotting as plotting
    from symbreak.atlas.figures import branch_series, write_figures

    _, _, atlas = atlas_run
    drawn = {}
    real = plotting.block_eigenvalue_plot

    def spy(k, blocks, **kw):
        drawn[kw["title"].split()[0]] = {lab: np.asarray(v) for lab, v in blocks.items()}
        return real(k, blocks, **kw)

    monkeypatch.setattr(plotting, "block_eigenvalue_plot", spy)
    write_figures(atlas, tmp_path)
    assert drawn
    fams = {f["id"]: f for f in atlas["families"]}
    late = 0
    for fid, blocks in drawn.items():
        pts = [p for p in branch_series(fams[fid]) if p.eigenvalues is not None]
        labels = {lab for p in pts for lab, _ in p.eigenvalues}
        assert set(blocks) == labels, fid
        late += len(labels - {lab for lab, _ in pts[0].eigenvalues})
        n = sum(len(v) for p in pts for _, v in p.eigenvalues)
        assert sum(int(np.isfinite(b).sum()) for b in blocks.values()) == n, fid
    assert late > 0, "the small atlas has a block ([k-3,2] x [1]) that appears along the branch"


# --- linear: bad targets, huge widths ----------------------------------------------------


def test_linear_target_complex_or_directory(tmp_path, capsys):
    q = tmp_path / "q.npy"
    np.save(q, np.arange(12.0).reshape(3, 4) * (1 + 1j))
    assert main(["linear", "--widths", "4,2,3", "--target", str(q)]) == 2
    err = capsys.readouterr().err
    assert "complex" in err and "real matrix" in err
    assert main(["linear", "--widths", "4,2,3", "--target", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    np.save(q, np.diag([3.0, 2.0, 1.0]) @ np.eye(3, 4))  # a real one works
    assert main(["linear", "--widths", "4,2,3", "--target", str(q), "--json"]) == 0
    capsys.readouterr()


def test_linear_huge_widths_are_refused_at_once(capsys):
    import math

    t = time.process_time()
    assert main(["linear", "--widths", "1000,1000,1000"]) == 2
    assert main(["linear", "--widths", "30,30,30", "--loss", "log-cosh"]) == 2
    assert time.process_time() - t < 5  # no SVD of a 1000 x 1000 target (CPU time)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    # sum_{e <= 1000} binom(1000, e) = 2^1000 = 1.07...e301, not as 302 digits
    assert f"about {str(2**1000)[0]}.{str(2**1000)[1:3]}e+301" in err[0]
    assert not re.search(r"\d{16,}", err[0]) and math.comb(1000, 500) > 10**16
    for name in ("max_index_sets", "find_critical_points", "n_starts"):
        assert name not in err[0] and name not in err[1]
    assert "300" not in err[1] or "200" in err[1]


def test_annihilate_extra_is_bounded(capsys):
    argv = ["annihilate", "--k", "6", "--isotropy", "k-1,1"]
    argv += ["--start", "0.986704,-0.050413,0.308011,0.224516,-0.601512", "--extra", "1000"]
    t = time.process_time()
    assert main(argv) == 2
    assert time.process_time() - t < 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--extra is at most 100" in err


# --- documentation of exit statuses -------------------------------------------------------


def test_series_help_documents_exit_1(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["series", "--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Exit status 0" in out and "1 when it stopped early" in out


def test_docs_list_every_exit_status():
    from symbreak import cli

    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    table = text.split("## Exit statuses")[1].split("\n## ")[0]
    for code in (cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_USAGE, cli.EXIT_INTERRUPTED):
        assert f"\n| {code} |" in table
