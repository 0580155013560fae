"""Benchmark: the analytic Hessian spectrum, before/after batching, and against dense eigvalsh.

Run:  python benchmarks/bench_spectrum.py [--quick] [--before REV] [--rounds R]

(1) Before/after table (CPU time, ``time.process_time``, best of several
repeats, BLAS limited to one thread; see ``_before_after.py``): the "before"
column runs the code of git revision ``REV`` (default ``0ffc9b2``, the base of
issue 11), the "after" column this checkout.  Before batching, N points cost N
single calls; after, one batched call.  The compressed model itself
(gradient, Hessian, d/dk, other arithmetic) is in ``bench_reduced.py``.
Targets (issue 11): single ``analytic_spectrum`` ≤ 0.3 ms; batched
(N = 1000, ``k-1,1``) ≤ 20 µs per point and ≥ 20× cheaper than single calls.

(2) Analytic vs dense ``eigvalsh`` at k = 10 … 60, (3) the analytic spectrum
at k = 10³ … 10⁶ (flat in k).
"""

from __future__ import annotations

import numpy as np
from _before_after import before_after, best_of, cli, print_table

TYPE_II = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])


def _batched_or_loop(fn, group, C):
    """One batched call if the API takes (N, dim), else N single calls (old code)."""
    try:
        out = fn(group, C)
    except (ValueError, TypeError):
        return lambda: [fn(group, c) for c in C]
    if isinstance(out, list) and len(out) == len(C):
        return lambda: fn(group, C)
    return lambda: [fn(group, c) for c in C]  # pragma: no cover - old API


def worker(n_points: int, repeat: int) -> dict:
    """Per-call / per-point CPU times (µs) with whatever ``symbreak`` is importable."""
    from symbreak.representation import IsotropyGroup
    from symbreak.spectrum import analytic_spectrum, hessian_blocks

    rng = np.random.default_rng(0)
    group = IsotropyGroup.from_spec("k-1,1", 6)
    C = TYPE_II + 0.01 * rng.normal(size=(n_points, 5))
    out = {}
    single = lambda: analytic_spectrum(group, TYPE_II)  # noqa: E731
    out["analytic_spectrum, 1 point"] = best_of(single, repeat * 20)
    fn = _batched_or_loop(analytic_spectrum, group, C)
    out[f"analytic_spectrum, N={n_points} (per point)"] = best_of(fn, repeat) / n_points
    single = lambda: hessian_blocks(group, TYPE_II)  # noqa: E731
    out["hessian_blocks, 1 point"] = best_of(single, repeat * 20)
    fn = _batched_or_loop(hessian_blocks, group, C)
    out[f"hessian_blocks, N={n_points} (per point)"] = best_of(fn, repeat) / n_points
    return {key: val * 1e6 for key, val in out.items()}


def before_after_table(rev: str, n_points: int, repeat: int, rounds: int = 1) -> None:
    before, after = before_after(__file__, rev, [str(n_points), str(repeat)], rounds)
    print_table(before, after, rev)
    n_key = f"analytic_spectrum, N={n_points} (per point)"
    single = after["analytic_spectrum, 1 point"]
    print(
        f"batched analytic_spectrum: {after[n_key]:.1f} µs/point (target ≤ 20), "
        f"{single / after[n_key]:.0f}x cheaper than a single call (target ≥ 20x); "
        f"single call {single / 1e3:.3f} ms (target ≤ 0.3 ms)"
    )


def analytic_vs_dense(quick: bool) -> None:
    from symbreak import TeacherStudent
    from symbreak.critical import FixedPointSpace
    from symbreak.representation import IsotropyGroup
    from symbreak.spectrum import analytic_spectrum

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


def main(quick: bool = False, rev: str = "0ffc9b2", rounds: int = 1) -> None:
    before_after_table(rev, 200 if quick else 1000, 3 if quick else 5, rounds)
    print()
    analytic_vs_dense(quick)


if __name__ == "__main__":
    cli(__doc__, main, worker)
