"""Dense Hessian assembly and Hessian–vector product: vectorised vs a per-pair loop.

Run ``python benchmarks/bench_model.py`` (options: ``--sizes 10 20 40 80``,
``--repeats 5``, ``--loop-rows 10``).  For every ``k = d`` it times, at a
generic point ``W = I_k + 0.1·noise`` with teacher ``V = I_k``:

* ``TeacherStudent.hessian`` and ``TeacherStudent.hvp`` (best of ``--repeats``),
* the same quantities from a plain Python loop over pairs of neurons written
  below (one ``d × d`` block per pair, kernel coefficients from
  :mod:`symbreak.model.kernel`), checked against the vectorised result,
* the peak memory of one call (``tracemalloc``; numpy reports its buffers).

The loop visits all ``n(n − 1) + n·k`` pairs when ``n <= --loop-rows-full``;
above that it is timed on the first ``--loop-rows`` block rows and scaled by
``n / rows`` (each block row costs the same), which the table marks with ``*``.

Targets (issue 7): ratio >= 30 at k = 40; the 6400 × 6400 Hessian at k = 80 in
under 2 s with under 1 GB peak.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np

from symbreak import TeacherStudent
from symbreak.model import kernel as K


# --------------------------------------------------------------- per-pair loop
def pair_blocks(w: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(∂²κ/∂w², ∂²κ/∂w∂v)`` for one pair, from the kernel's scalar coefficients."""
    nw, nv = np.linalg.norm(w), np.linalg.norm(v)
    wb, vb = w / nw, v / nv
    r_vw = v - (v @ wb) * wb  # rejection of v from w
    r_wv = w - (w @ vb) * vb
    g = K.geometry(nw, nv, w @ v, nw * np.linalg.norm(r_vw))
    h = K.hessian_coefficients(g)
    gamma, beta, eps, delta = (float(h.gamma), float(h.beta), float(h.eps), float(h.delta))
    eye = np.eye(w.size)
    ww = gamma * (eye - np.outer(wb, wb)) + delta * np.outer(r_vw, r_vw)
    wv = beta * eye + eps * np.outer(wb, vb) + delta * np.outer(r_vw, r_wv)
    return ww, wv


def hessian_loop(W: np.ndarray, V: np.ndarray, rows) -> np.ndarray:
    """Block rows ``rows`` of the Hessian, one pair of neurons at a time."""
    n, d = W.shape
    H = np.zeros((n * d, n * d))
    for i in rows:
        diag = 0.5 * np.eye(d)
        for j in range(n):
            if j != i:
                ww, wv = pair_blocks(W[i], W[j])
                diag += ww
                H[i * d : (i + 1) * d, j * d : (j + 1) * d] = wv
        for j in range(V.shape[0]):
            diag -= pair_blocks(W[i], V[j])[0]
        H[i * d : (i + 1) * d, i * d : (i + 1) * d] = diag
    return H


def hvp_loop(W: np.ndarray, V: np.ndarray, U: np.ndarray, rows) -> np.ndarray:
    """Rows ``rows`` of ``∇²L(W)[U]``, one pair of neurons at a time."""
    n, _ = W.shape
    out = np.zeros_like(W)
    for i in rows:
        acc = 0.5 * U[i]
        for j in range(n):
            if j != i:
                ww, wv = pair_blocks(W[i], W[j])
                acc = acc + ww @ U[i] + wv @ U[j]
        for j in range(V.shape[0]):
            acc = acc - pair_blocks(W[i], V[j])[0] @ U[i]
        out[i] = acc
    return out


# --------------------------------------------------------------------- timing
def best_time(repeats: int, fn, *args) -> float:
    """Smallest wall time of ``fn(*args)`` over ``repeats`` calls (result discarded)."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def peak_bytes(fn, *args) -> int:
    """Peak traced memory of one call ``fn(*args)``, its result included."""
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(sizes, repeats: int, loop_rows: int, loop_rows_full: int) -> list[dict]:
    rng = np.random.default_rng(0)
    records = []
    for k in sizes:
        V = np.eye(k)
        W = V + 0.1 * rng.standard_normal((k, k))
        U = rng.standard_normal((k, k))
        model = TeacherStudent(V)
        n, d = W.shape

        first = best_time(1, model.hessian, W)  # includes first-touch page faults
        t_hess = best_time(repeats, model.hessian, W)
        t_hvp = best_time(max(repeats, 20), model.hvp, W, U)
        peak_hess = peak_bytes(model.hessian, W)
        peak_hvp = peak_bytes(model.hvp, W, U)

        extrapolated = n > loop_rows_full
        rows = range(min(n, loop_rows)) if extrapolated else range(n)
        scale = n / len(rows)
        t0 = time.perf_counter()
        H_loop = hessian_loop(W, V, rows)
        t_hess_loop = (time.perf_counter() - t0) * scale
        t0 = time.perf_counter()
        hvp_rows = hvp_loop(W, V, U, rows)
        t_hvp_loop = (time.perf_counter() - t0) * scale

        H = model.hessian(W)
        m = len(rows) * d
        err_h = float(np.abs(H_loop[:m] - H[:m]).max())
        err_v = float(np.abs(hvp_rows[: len(rows)] - model.hvp(W, U)[: len(rows)]).max())
        records.append(
            dict(
                k=k,
                d=d,
                first=first,
                hess=t_hess,
                hess_loop=t_hess_loop,
                hvp=t_hvp,
                hvp_loop=t_hvp_loop,
                peak_hess=peak_hess,
                peak_hvp=peak_hvp,
                err=max(err_h, err_v),
                extrapolated=extrapolated,
                rows=len(rows),
            )
        )
    return records


def _ms(t: float) -> str:
    return f"{t * 1e3:.3g}" if t < 1 else f"{t * 1e3:.0f}"


def format_table(records) -> str:
    headers = [
        "k",
        "d",
        "H [ms]",
        "H 1st [ms]",
        "H loop [ms]",
        "ratio",
        "HVP [ms]",
        "HVP loop [ms]",
        "ratio",
        "peak H [MB]",
        "peak HVP [MB]",
        "max|diff|",
    ]
    rows = []
    for r in records:
        star = "*" if r["extrapolated"] else ""
        rows.append(
            [
                r["k"],
                r["d"],
                _ms(r["hess"]),
                _ms(r["first"]),
                _ms(r["hess_loop"]) + star,
                f"{r['hess_loop'] / r['hess']:.0f}",
                _ms(r["hvp"]),
                _ms(r["hvp_loop"]) + star,
                f"{r['hvp_loop'] / r['hvp']:.0f}",
                f"{r['peak_hess'] / 2**20:.1f}",
                f"{r['peak_hvp'] / 2**20:.2f}",
                f"{r['err']:.1e}",
            ]
        )
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 40, 80])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-rows", type=int, default=10)
    parser.add_argument(
        "--loop-rows-full",
        type=int,
        default=40,
        help="largest n for which the loop visits every block row",
    )
    args = parser.parse_args(argv)
    records = run(args.sizes, args.repeats, args.loop_rows, args.loop_rows_full)
    print("Dense Hessian (assembly) and HVP at W = I + 0.1 noise, V = I_k, n = k = d")
    print("times: best of repeats; 'H 1st' is the first call (includes page faults)")
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        print(f"1-min load average at the end: {load:.2f} on {os.cpu_count()} CPUs", end="")
        print(" (other work running: times are inflated)" if load > 0.5 else "")
    print(format_table(records))
    if any(r["extrapolated"] for r in records):
        r = next(r for r in records if r["extrapolated"])
        print(
            f"* loop timed on the first {r['rows']} of {r['k']} block rows and scaled by "
            "n/rows (every block row has the same number of pairs)"
        )
    print("max|diff|: largest |loop − vectorised| entry over the rows the loop computed")
    by_k = {r["k"]: r for r in records}
    if 40 in by_k:
        ratio = by_k[40]["hess_loop"] / by_k[40]["hess"]
        print(f"target ratio >= 30 at k = 40: {ratio:.1f} ({'met' if ratio >= 30 else 'MISSED'})")
    if 80 in by_k:
        r = by_k[80]
        worst = max(r["hess"], r["first"])
        ok = worst < 2 and r["peak_hess"] < 2**30
        print(
            f"target k = 80 under 2 s and 1 GB: {_ms(worst)} ms (worst of first/best), "
            f"{r['peak_hess'] / 2**20:.0f} MB ({'met' if ok else 'MISSED'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
