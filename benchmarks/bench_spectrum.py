"""Benchmark: analytic Hessian spectrum (isotypic blocks) against dense eigvalsh.

Run:  python benchmarks/bench_spectrum.py [--quick]

Prints (1) analytic vs dense at k = 10, 20, 40, 60 at the type-II point
(Δ(S_{k-1}×S_1)) with the ratio, (2) the analytic spectrum alone at
k = 10³, 10⁵, 10⁶ (flat in k), (3) a full critical-point search for one
two-block group at one k.  Targets: < 20 ms at k = 10⁵; search < 10 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symbreak import TeacherStudent
from symbreak.critical import FixedPointSpace, find_critical_points
from symbreak.representation import IsotropyGroup
from symbreak.spectrum import analytic_spectrum

TYPE_II = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])


def best_of(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(quick: bool = False) -> None:
    ks = [10, 20, 40] if quick else [10, 20, 40, 60]
    print("analytic spectrum vs dense Hessian + eigvalsh, Δ(S_{k-1}×S_1), type-II coordinates")
    print(f"{'k':>6} {'analytic [ms]':>14} {'dense [ms]':>12} {'ratio':>9} {'max |Δλ|':>10}")
    for k in ks:
        group = IsotropyGroup.from_spec("k-1,1", k)
        W = FixedPointSpace(group).embed(TYPE_II)
        t_an = best_of(lambda g=group: analytic_spectrum(g, TYPE_II), 5)

        def dense(k=k, W=W):
            return np.linalg.eigvalsh(TeacherStudent(np.eye(k)).hessian(W))

        t_de = best_of(dense, 1 if k >= 40 else 3)
        s = analytic_spectrum(group, TYPE_II)
        vals = np.sort(np.concatenate([[e.value] * e.multiplicity for e in s.entries]))
        err = np.abs(vals - dense()).max()
        print(f"{k:>6} {t_an * 1e3:>14.2f} {t_de * 1e3:>12.1f} {t_de / t_an:>8.0f}x {err:>10.1e}")
    print()
    print("analytic spectrum alone (cost must not grow with k)")
    print(f"{'k':>10} {'time [ms]':>10} {'entries':>8} {'Σ multiplicity = k²':>22}")
    base = None
    for k in (1e3, 1e5, 1e6):
        group = IsotropyGroup.from_spec("k-1,1", k)
        t = best_of(lambda g=group: analytic_spectrum(g, TYPE_II), 20)
        base = base or t
        s = analytic_spectrum(group, TYPE_II)
        print(
            f"{k:>10.0e} {t * 1e3:>10.2f} {len(s.entries):>8} {s.total_multiplicity:>22}"
            f"   ({t / base:.2f}x the k=1e3 time)"
        )
    print()
    group = IsotropyGroup.from_spec("k-1,1", 6)
    t = time.perf_counter()
    res = find_critical_points(group)
    dt = time.perf_counter() - t
    print(
        f"critical-point search in Fix(k-1,1) at k = 6: {dt:.2f} s, {res.starts} starts, "
        f"{len(res.points)} points (target < 10 s)"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)
