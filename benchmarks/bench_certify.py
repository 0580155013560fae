"""Benchmark: certificates (ball arithmetic) against plain float64 evaluation; series cost.

Run:  python benchmarks/bench_certify.py [--quick]

Prints (1) per group and k: the float64 reduced loss/gradient/Hessian plus all
Hessian blocks (``ReducedSystem`` + ``hessian_blocks``), the same quantities as
``arb`` balls on the generic model at a point, and a full certificate
(Newton polish, Krawczyk, block enclosures), with the ratio certificate / float;
(2) the eigenvalue-crossing interval of the type-II family; (3) the asymptotic
series of the type-II family for several orders.  Targets: a certificate
< 0.1 s at any k for Δ(S_{k-1}×S_1); series of order 4 < 5 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _before_after import best_of

from symbreak import IsotropyGroup, ReducedSystem, hessian_blocks
from symbreak.analytic import asymptotic_series, eigenvalue_crossing
from symbreak.certify import (
    ArbArithmetic,
    GenericReducedSystem,
    certify_critical_point,
)
from symbreak.continuation import ContinuationOptions, continuation
from symbreak.solve import newton

TYPE_II = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])
S211 = np.array(
    [1.012282, -0.008816, -0.032981, 0.130632, -0.042853, 0.817345, 0.546898, 0.094925, 0.456468,
     -0.633415]
)  # fmt: skip


def point_on_family(spec, start, k0, k):
    if k == k0:
        return newton(IsotropyGroup.from_spec(spec, k0), start).x
    opts = ContinuationOptions(detect_events=False)
    return continuation(spec, start, k0=k0, k1=k, options=opts).points[-1].coords


def main(quick: bool = False) -> None:
    rep = 2 if quick else 5
    cases = [("k", [1.0, 0.0], 6, 6), ("k-1,1", TYPE_II, 6, 6), ("k-1,1", TYPE_II, 6, 1e3)]
    if not quick:
        cases += [("k-1,1", TYPE_II, 6, 1e6), ("k-2,1,1", S211, 10, 10)]
    print("certificate vs float64 evaluation (loss, gradient, Hessian, all blocks A_chi)")
    head = f"{'group':>8} {'k':>8} {'float64 [ms]':>13} {'arb point [ms]':>15} "
    print(head + f"{'certificate [ms]':>17} {'ratio':>7}  result")
    for spec, start, k0, k in cases:
        group = IsotropyGroup.from_spec(spec, k)
        c = point_on_family(spec, start, k0, k)
        system = ReducedSystem(group)

        def plain(system=system, group=group, c=c):
            system.loss_gradient_hessian(c)
            hessian_blocks(group, c)

        A = ArbArithmetic(128)

        def balls(group=group, c=c, A=A):
            gen = GenericReducedSystem(group, A)
            with A:
                gen.loss_gradient_hessian(list(c))
                gen.blocks(list(c))

        t_f = best_of(plain, rep)
        t_a = best_of(balls, rep)
        t_c = best_of(lambda group=group, c=c: certify_critical_point(group, c), rep)
        cert = certify_critical_point(group, c)
        res = f"{cert.kind}, radius {cert.box_radius:.1e}" if cert.exists else cert.kind
        print(
            f"{spec:>8} {k:>8.3g} {t_f * 1e3:>13.2f} {t_a * 1e3:>15.2f} {t_c * 1e3:>17.1f} "
            f"{t_c / t_f:>6.0f}x  {res}"
        )
    print()
    t = time.perf_counter()
    r = eigenvalue_crossing("k-1,1", TYPE_II, k0=6, k_bracket=(5, 6))
    dt = time.perf_counter() - t
    print(
        f"eigenvalue crossing, type II, {r.irrep}: k in [{r.k_lo:.12f}, {r.k_hi:.12f}] "
        f"(certified={r.certified}) in {dt:.2f} s"
    )
    print()
    print("asymptotic series of the type-II family (default options: k_min = 1e4, degree N + 8)")
    print(f"{'order N':>8} {'time [s]':>9} {'samples':>8} {'max coefficient error':>22}")
    for order in (2, 4) if quick else (2, 4, 6, 8):
        t = time.perf_counter()
        s = asymptotic_series("k-1,1", TYPE_II, k0=6, order=order)
        dt = time.perf_counter() - t
        print(f"{order:>8} {dt:>9.2f} {s.fit.samples:>8} {s.max_coefficient_error:>22.1e}")
    if not quick:
        t = time.perf_counter()
        s = asymptotic_series("k-2,1,1", S211, k0=10, order=4)
        print(
            f"Δ(S_(k-2)×S_1×S_1), order 4: {time.perf_counter() - t:.2f} s, "
            f"max coefficient error {s.max_coefficient_error:.1e}"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer cases and repeats")
    main(quick=ap.parse_args().quick)
