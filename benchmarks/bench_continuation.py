"""Benchmark: the type-II branch (Δ(S_{k-1}×S_1)) from k = 4 to k = 1000, with all events.

The cost of a step does not depend on k (compressed model, isotypic blocks), and
the continuation runs in log k, so a branch over 2.5 decades takes about as
many steps as one over a single decade.  Target: under 5 s.

Run:  python benchmarks/bench_continuation.py [--k1 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symbreak.continuation import continuation

TYPE_II_K6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
TARGET_S = 5.0


def main(k1: float = 1000.0, repeat: int = 3) -> dict:
    start = continuation("k-1,1", TYPE_II_K6, k0=6, k1=4)  # the k = 4 point of the family
    c4 = start.points[-1].coords
    times = []
    branch = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        branch = continuation("k-1,1", c4, k0=4, k1=k1)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"type II branch k = 4 -> {k1:g}: status {branch.status.value}, {len(branch)} points")
    print(
        f"  first run {times[0]:.3f} s, best of {repeat} {best:.3f} s "
        f"(target {TARGET_S:g} s, ratio {best / TARGET_S:.2f})"
    )
    print(f"  {best / len(branch) * 1e3:.2f} ms per accepted step (events included)")
    print(
        f"  loss {branch.loss[0]:.9f} at k = 4 -> {branch.loss[-1]:.3e} at k = {k1:g}; "
        f"decreasing: {bool(np.all(np.diff(branch.loss) < 0))}"
    )
    print(f"  {len(branch.events)} event(s):")
    print(f"  {'kind':<18} {'k':>20} {'irrep':<16} {'mult':>10} {'before':>10} {'after':>10}")
    for e in branch.events:
        print(
            f"  {e.kind:<18} {e.k:>20.13f} {e.irrep:<16} {float(e.multiplicity):>10.6g} "
            f"{float(e.index_before):>10.6g} {float(e.index_after):>10.6g}"
        )
    return {"seconds": best, "points": len(branch), "events": len(branch.events)}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k1", type=float, default=1000.0)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    main(a.k1, a.repeat)
