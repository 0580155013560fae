"""Shared helper of the benchmarks: CPU time of a workload, before and after a change.

``before_after(script, rev, args)`` runs ``script --worker *args`` twice in a
subprocess (BLAS limited to one thread): once against the ``symbreak`` package
of git revision ``rev`` (extracted with ``git archive`` into a temporary
directory), once against this checkout.  The worker prints one JSON object
``{workload: microseconds}`` on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def best_of(fn, repeat: int) -> float:
    """Smallest CPU time (``time.process_time``) of ``repeat`` calls, in seconds."""
    best = np.inf
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def _run(script: str, pythonpath: str, args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=pythonpath, **ONE_THREAD)
    cmd = [sys.executable, script, "--worker", *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def before_after(
    script: str, rev: str, args: list[str], rounds: int = 1
) -> tuple[dict, dict]:
    """Worker results with revision ``rev`` and with this checkout.

    With ``rounds > 1`` the two run alternately that many times and each
    workload keeps its smallest time (fair when other jobs share the cores
    and the load changes during the benchmark).
    """
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "symbreak"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        runs = [(_run(script, tmp, args), _run(script, str(ROOT), args)) for _ in range(rounds)]
    if rounds == 1:
        return runs[0]
    return tuple(
        {key: min(r[i][key] for r in runs) for key in runs[0][i]} for i in (0, 1)
    )


def print_table(before: dict, after: dict, rev: str) -> None:
    """One row per workload: before, after (µs) and the ratio."""
    print(f"CPU time per call or per point [µs], before = {rev}, after = this checkout")
    print(f"{'workload':<52} {'before':>10} {'after':>10} {'ratio':>8}")
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            print(f"{key:<52} {'-':>10} {new:>10.1f} {'-':>8}")
        else:
            print(f"{key:<52} {old:>10.1f} {new:>10.1f} {old / new:>7.1f}x")


def cli(doc: str, main, worker) -> None:
    """Command line of a before/after benchmark.

    ``--worker N REPEAT`` (internal) or ``[--quick] [--before REV] [--rounds R]``
    (``--rounds``: alternate before/after runs, best of each; passed to
    ``main`` as ``rounds=`` when given).
    """
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
        return
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--before", default="0ffc9b2", help="git revision for the 'before' column")
    ap.add_argument("--rounds", type=int, default=None, help="alternating before/after rounds")
    args = ap.parse_args()
    if args.rounds is None:
        main(args.quick, args.before)
    else:
        main(args.quick, args.before, rounds=args.rounds)
