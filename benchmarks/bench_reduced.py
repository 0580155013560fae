"""Benchmark: the compressed model (ReducedSystem and the generic back-ends), before/after.

Run:  python benchmarks/bench_reduced.py [--quick] [--before REV] [--rounds R]

Before/after table (CPU time, ``time.process_time``, best of several repeats,
BLAS limited to one thread; see ``_before_after.py``): "before" is git
revision ``REV`` (default ``0ffc9b2``, the base of issue 11), "after" this
checkout, on ``Δ(S_{k−1}×S_1)`` near the type-II point at ``k = 6``:

* float64 loss / gradient / Hessian, one point, and N points (before: N
  single calls; after: one batched call);
* ∂/∂k of the gradient (before: central finite difference in k, two gradient
  evaluations at ``k ± h``; after: the exact ``gradient_dk``);
* the same model in ``mpmath`` (60 digits) and ``arb`` balls (128 bits, on a
  box of radius 1e-6): gradient + Hessian, and all Hessian blocks.  Before, a
  separate sparse implementation (the former ``certify/generic_model.py``);
  after, the one model on object arrays.  The naive reference for the float64 rows is the
  loop of single calls.
"""

from __future__ import annotations

import numpy as np
from _before_after import before_after, best_of, cli, print_table

TYPE_II = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])


def worker(n_points: int, repeat: int) -> dict:
    """CPU times (µs) per call or per point, with whatever ``symbreak`` is importable."""
    from symbreak.certify import ArbArithmetic, GenericReducedSystem, MPArithmetic
    from symbreak.reduced import ReducedSystem
    from symbreak.representation import IsotropyGroup

    rng = np.random.default_rng(0)
    group = IsotropyGroup.from_spec("k-1,1", 6)
    system = ReducedSystem(group)
    C = TYPE_II + 0.01 * rng.normal(size=(n_points, 5))
    try:
        system.gradient(C[:2])
        batched = True
    except ValueError:
        batched = False
    out = {}
    for name in ("loss", "gradient", "hessian"):
        meth = getattr(system, name)
        out[f"ReducedSystem.{name}, 1 point"] = best_of(lambda m=meth: m(TYPE_II), repeat * 20)
        fn = (lambda m=meth: m(C)) if batched else (lambda m=meth: [m(c) for c in C])
        out[f"ReducedSystem.{name}, N={n_points} (per point)"] = best_of(fn, repeat) / n_points
    if hasattr(system, "gradient_dk"):
        dk = lambda: system.gradient_dk(TYPE_II)  # noqa: E731
        dk_batch = lambda: system.gradient_dk(C)  # noqa: E731
    else:
        h = 1e-6 * group.k
        lo, hi = system.with_k(group.k - h), system.with_k(group.k + h)
        dk = lambda: (hi.gradient(TYPE_II) - lo.gradient(TYPE_II)) / (2 * h)  # noqa: E731
        dk_batch = lambda: [(hi.gradient(c) - lo.gradient(c)) / (2 * h) for c in C]  # noqa: E731
    out["d/dk gradient, 1 point"] = best_of(dk, repeat * 20)
    out[f"d/dk gradient, N={n_points} (per point)"] = best_of(dk_batch, repeat) / n_points
    c = [float(x) for x in TYPE_II]
    mp_ar = MPArithmetic(60)
    gen = GenericReducedSystem(group, mp_ar)
    with mp_ar:
        out["mpmath 60 digits: gradient + Hessian"] = best_of(
            lambda: (gen.gradient(c), gen.hessian(c)), repeat
        )
        out["mpmath 60 digits: all Hessian blocks"] = best_of(lambda: gen.blocks(c), repeat)
    ab = ArbArithmetic(128)
    gab = GenericReducedSystem(group, ab)
    with ab:
        box = [ab.number(x) + ab.ball(-1e-6, 1e-6) for x in c]
        out["arb 128 bits, box: gradient + Hessian"] = best_of(
            lambda: (gab.gradient(box), gab.hessian(box)), repeat
        )
        out["arb 128 bits, box: all Hessian blocks"] = best_of(lambda: gab.blocks(box), repeat)
    return {key: val * 1e6 for key, val in out.items()}


def main(quick: bool = False, rev: str = "0ffc9b2", rounds: int = 1) -> None:
    n_points = 200 if quick else 1000
    before, after = before_after(__file__, rev, [str(n_points), "3" if quick else "5"], rounds)
    print_table(before, after, rev)


if __name__ == "__main__":
    cli(__doc__, main, worker)
