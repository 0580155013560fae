"""Gradient-descent sampling: batched runs with the Newton shortcut vs one run at a time.

Run ``nice python benchmarks/bench_sample.py`` (options: ``--cases 10:500 20:500``,
``--single 6``, ``--seed 0``, ``--no-classify``, ``--chunk 50``).  For each ``k:runs`` it
measures CPU time (``time.process_time``) of

* ``batched``: the gradient descent of a serial ``symbreak sample``: the
  sweep's chunks streamed through one batch of in-flight runs
  (:func:`symbreak.sample.run.run_chunks`, Newton shortcut on);
* ``classify``: merging the limits into orbits and classifying each (dense
  spectrum, stabiliser, family by reduced Newton; no critical-point search);
* ``one at a time``: the naive method, plain gradient descent of one run at a
  time (``W ← W − η∇L(W)`` until ``‖∇L‖_F ≤ 10⁻¹²``, no shortcut) with the
  public ``TeacherStudent.grad``, timed on ``--single`` runs drawn at random
  (seeded) from the sweep and scaled to all runs; ``lean 1x1`` is the same
  loop on the unvalidated kernel ``gradient_stack`` (a stricter baseline);

and prints the table with the throughput ratio ``one at a time / batched``.
It also checks that the shortcut did not change any limit of the runs timed
one at a time (largest distance between the two limits).  ``--batch-scan``
prints the cost of one gradient step per run against the batch size, which
sets :func:`symbreak.sample.descent.batch_size`.

Targets (issue 14): k = 10, 500 runs ≤ 20 s; k = 20, 500 runs ≤ 3 min; ratio ≥ 10.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from symbreak.model import TeacherStudent
from symbreak.model.teacher_student import gradient_stack
from symbreak.sample import SampleOptions, classify_limits, initial_weights, teacher
from symbreak.sample.descent import DescentResult, batch_size
from symbreak.sample.run import chunks_of, run_chunks


def one_at_a_time(W0: np.ndarray, model: TeacherStudent, step: float, gtol: float,
                  max_iter: int = 1_000_000, *, lean: bool = False) -> tuple[np.ndarray, int]:
    """The naive method: plain gradient descent of one run, one gradient call per step.

    ``lean=False`` calls the public ``TeacherStudent.grad`` (what a user's loop
    does); ``lean=True`` calls the unvalidated kernel ``gradient_stack`` on a
    batch of one, the cheapest single-run step this package has.
    """
    W = W0.copy()
    V = model.V
    for it in range(max_iter):
        G = gradient_stack(W[None], V)[0] if lean else model.grad(W)
        if np.sqrt(np.einsum("ij,ij->", G, G)) <= gtol:
            return W, it
        W -= step * G
    return W, max_iter


def bench(k: int, runs: int, seed: int, single: int, classify: bool, chunk: int = 50) -> dict:
    opts = SampleOptions(chunk=chunk)
    V = teacher(opts, k)
    t0 = time.process_time()
    with threadpool_limits(limits=1):
        parts = run_chunks(k, seed, chunks_of(runs, opts.chunk), opts.to_json())
    t_batch = time.process_time() - t0
    res = DescentResult(**{n: np.concatenate([p[n] for _, p in parts]) for n in parts[0][1]})
    t_cls = float("nan")
    n_classes = 0
    if classify:
        t0 = time.process_time()
        classes = classify_limits(res.W, res.status == "converged", k, V, search=None)
        t_cls = time.process_time() - t0
        n_classes = len(classes)
    picked = np.sort(np.random.default_rng(1000 + k).choice(runs, min(single, runs),
                                                            replace=False))
    model = TeacherStudent(V)
    dist = 0.0
    t_single = {}
    with threadpool_limits(limits=1):
        for lean in (False, True):
            t0 = time.process_time()
            for r in picked:
                W, _ = one_at_a_time(initial_weights(opts, k, seed, [r])[0], model, opts.step(k),
                                     opts.gtol, lean=lean)
                dist = max(dist, float(np.abs(W - res.W[r]).max()))
            t_single[lean] = (time.process_time() - t0) / len(picked) * runs
    return {
        "k": k,
        "runs": runs,
        "batched_s": t_batch,
        "classify_s": t_cls,
        "single_s": t_single[False],
        "ratio": t_single[False] / t_batch,
        "single_lean_s": t_single[True],
        "ratio_lean": t_single[True] / t_batch,
        "converged": int(np.sum(res.status == "converged")),
        "newton": int(res.newton.sum()),
        "iter_max": int(res.iterations.max()),
        "iter_mean": float(res.iterations.mean()),
        "classes": n_classes,
        "limit_dist": dist,
    }


def batch_scan(ks=(6, 10, 20, 40), sizes=(1, 4, 16, 32, 64, 128, 256)) -> None:
    """µs of CPU per run and gradient step against the batch size (random students)."""
    rng = np.random.default_rng(0)
    print("batch scan: CPU µs per run per gradient step (* = batch_size's choice)")
    print(f"{'k':>4} " + " ".join(f"{b:>7}" for b in sizes))
    with threadpool_limits(limits=1):
        for k in ks:
            V, cells = np.eye(k), []
            for b in sizes:
                W = rng.standard_normal((b, k, k)) / np.sqrt(k)
                reps = max(5, 2000 // b)
                t0 = time.process_time()
                for _ in range(reps):
                    gradient_stack(W, V)
                us = (time.process_time() - t0) / reps / b * 1e6
                cells.append(f"{us:>6.1f}" + ("*" if b == batch_size(k, k, k) else " "))
            print(f"{k:>4} " + " ".join(cells) + f"   batch_size = {batch_size(k, k, k)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=["10:500", "20:500"], help="k:runs pairs")
    ap.add_argument("--single", type=int, default=25,
                    help="runs timed one at a time (drawn at random)")
    ap.add_argument("--batch-scan", action="store_true",
                    help="only print the per-run step cost against the batch size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-classify", action="store_true")
    ap.add_argument("--chunk", type=int, default=50, help="runs per saved chunk")
    args = ap.parse_args()
    if args.batch_scan:
        batch_scan()
        return
    rows = []
    for case in args.cases:
        k, runs = (int(x) for x in case.split(":"))
        rows.append(bench(k, runs, args.seed, args.single, not args.no_classify, args.chunk))
        r = rows[-1]
        print(f"k={r['k']} done: batched {r['batched_s']:.1f} s", flush=True)
    head = (f"{'k':>3} {'runs':>5} {'batched CPU s':>13} {'classify s':>10} "
            f"{'1-at-a-time s':>13} {'ratio':>6} {'lean 1x1 s':>9} {'ratio':>6} "
            f"{'conv':>5} {'newton':>6} "
            f"{'iter max':>8} {'iter mean':>9} {'orbits':>6} {'|dW| shortcut':>13}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['k']:>3} {r['runs']:>5} {r['batched_s']:>13.1f} {r['classify_s']:>10.1f} "
              f"{r['single_s']:>13.1f} {r['ratio']:>6.1f} {r['single_lean_s']:>9.1f} "
              f"{r['ratio_lean']:>6.1f} {r['converged']:>5} {r['newton']:>6} "
              f"{r['iter_max']:>8} {r['iter_mean']:>9.0f} {r['classes']:>6} "
              f"{r['limit_dist']:>13.1e}")
    print("targets: k=10/500 <= 20 s, k=20/500 <= 180 s of CPU; ratio >= 10")
    print("1-at-a-time: a loop over TeacherStudent.grad per run; lean 1x1: the same loop on the")
    print("unvalidated kernel gradient_stack (no checks, no rescaling), a stricter baseline")


if __name__ == "__main__":
    main()
