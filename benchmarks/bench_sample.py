"""Gradient-descent sampling: batched runs with the Newton shortcut vs one run at a time.

Run ``nice python benchmarks/bench_sample.py`` (options: ``--cases 10:500 20:500``,
``--single 6``, ``--seed 0``, ``--no-classify``, ``--chunk 50``).  For each ``k:runs`` it
measures CPU time (``time.process_time``) of

* ``batched``: :func:`symbreak.sample.run.run_chunk` over the sweep's chunks
  (``--chunk`` runs advanced together, the Newton shortcut on) — the gradient
  descent of ``symbreak sample``;
* ``classify``: merging the limits into orbits and classifying each (dense
  spectrum, stabiliser, family by reduced Newton; no critical-point search);
* ``one at a time``: plain gradient descent of single runs (a batch of one,
  no shortcut) on the first ``--single`` runs, scaled to all runs;

and prints the table with the throughput ratio ``one at a time / batched``.
It also checks that the shortcut did not change any limit of the runs timed
one at a time (largest distance between the two limits).

Targets (issue 14): k = 10, 500 runs ≤ 20 s; k = 20, 500 runs ≤ 3 min; ratio ≥ 10.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symbreak.sample import SampleOptions, classify_limits, descend, initial_weights, teacher
from symbreak.sample.descent import DescentResult
from symbreak.sample.run import chunks_of, run_chunk


def bench(k: int, runs: int, seed: int, single: int, classify: bool, chunk: int = 50) -> dict:
    opts = SampleOptions(chunk=chunk)
    t0 = time.process_time()
    parts = [run_chunk(k, seed, a, b, opts.to_json()) for a, b in chunks_of(runs, opts.chunk)]
    t_batch = time.process_time() - t0
    res = DescentResult(**{n: np.concatenate([p[n] for p in parts]) for n in parts[0]})
    t_cls = float("nan")
    n_classes = 0
    if classify:
        t0 = time.process_time()
        classes = classify_limits(res.W, res.status == "converged", k, teacher(opts, k),
                                  search=None)
        t_cls = time.process_time() - t0
        n_classes = len(classes)
    plain = SampleOptions(newton=False)
    t0 = time.process_time()
    dist = 0.0
    for r in range(single):
        one = descend(initial_weights(plain, k, seed, [r]), teacher(plain, k), plain,
                      step=plain.step(k))
        dist = max(dist, float(np.abs(one.W[0] - res.W[r]).max()))
    t_single = (time.process_time() - t0) / single * runs
    return {
        "k": k,
        "runs": runs,
        "batched_s": t_batch,
        "classify_s": t_cls,
        "single_s": t_single,
        "ratio": t_single / t_batch,
        "converged": int(np.sum(res.status == "converged")),
        "newton": int(res.newton.sum()),
        "iter_max": int(res.iterations.max()),
        "iter_mean": float(res.iterations.mean()),
        "classes": n_classes,
        "limit_dist": dist,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["10:500", "20:500"], help="k:runs pairs")
    ap.add_argument("--single", type=int, default=6, help="runs timed one at a time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-classify", action="store_true")
    ap.add_argument("--chunk", type=int, default=50, help="runs advanced together per task")
    args = ap.parse_args()
    rows = []
    for case in args.cases:
        k, runs = (int(x) for x in case.split(":"))
        rows.append(bench(k, runs, args.seed, args.single, not args.no_classify, args.chunk))
        r = rows[-1]
        print(f"k={r['k']} done: batched {r['batched_s']:.1f} s", flush=True)
    head = (f"{'k':>3} {'runs':>5} {'batched CPU s':>13} {'classify s':>10} "
            f"{'1-at-a-time s':>13} {'ratio':>6} {'conv':>5} {'newton':>6} "
            f"{'iter max':>8} {'iter mean':>9} {'orbits':>6} {'|dW| shortcut':>13}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['k']:>3} {r['runs']:>5} {r['batched_s']:>13.1f} {r['classify_s']:>10.1f} "
              f"{r['single_s']:>13.1f} {r['ratio']:>6.1f} {r['converged']:>5} {r['newton']:>6} "
              f"{r['iter_max']:>8} {r['iter_mean']:>9.0f} {r['classes']:>6} "
              f"{r['limit_dist']:>13.1e}")
    print("targets: k=10/500 <= 20 s, k=20/500 <= 180 s of CPU; ratio >= 10")


if __name__ == "__main__":
    main()
