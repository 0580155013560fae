"""Benchmarks of the linear-network hot paths, each against a naive method.

1. rank dμ(θ): the flag formula ``Σ (u_i − u_{i−1}) v_i`` (2h small SVDs) vs the
   numerical rank of the dense ``(d_h d_0) × n_params`` Jacobian;
2. ∇²L(θ): the closed-form assembly vs central finite differences of ∇L;
3. min L for the quadratic loss: Eckart–Young (closed form, and the full
   enumeration with numerical verification of every point) vs a multi-start
   numerical search.

Run ``python benchmarks/bench_linear.py`` (about half a minute; ``--quick``
for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import time

# Every matrix here is small: single-threaded BLAS gives stable timings (thread start-up
# dominates otherwise, badly so on a shared machine).  Set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from symbreak.linear import (  # noqa: E402
    LinearNetwork,
    ParameterLoss,
    QuadraticLoss,
    default_target,
    eckart_young,
    exact_minimum,
    find_critical_points,
)


def _best_time(f, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def _table(headers, rows) -> None:
    cells = [headers] + [[str(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for k, r in enumerate(cells):
        print("  ".join(c.rjust(wi) for c, wi in zip(r, w)))
        if k == 0:
            print("  ".join("-" * wi for wi in w))


def bench_rank(sizes) -> None:
    print("\n1. rank of dμ(θ), widths (n, n/2, n/2, n), layers of rank n/4 (rank-deficient dμ)")
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        net = LinearNetwork((n, n // 2, n // 2, n))
        k = max(1, n // 4)
        ws = [
            rng.standard_normal((a, k)) @ rng.standard_normal((k, b)) for a, b in net.layer_shapes
        ]
        r_flag = net.differential_rank(ws)
        r_svd = net.differential_rank(ws, method="svd")
        t_flag = _best_time(lambda ws=ws, net=net: net.differential_rank(ws))
        t_svd = _best_time(lambda ws=ws, net=net: net.differential_rank(ws, method="svd"), 1)
        rows.append(
            [
                n,
                net.n_params,
                r_flag,
                r_svd,
                f"{t_flag * 1e3:.2f}",
                f"{t_svd * 1e3:.1f}",
                f"{t_svd / t_flag:.0f}x",
            ]
        )
    _table(["n", "params", "rank(flags)", "rank(svd)", "flags ms", "svd ms", "ratio"], rows)


def bench_hessian(sizes) -> None:
    print("\n2. parameter Hessian ∇²L(θ), widths (n, n/2, n), quadratic loss")
    rows = []
    rng = np.random.default_rng(1)
    for n in sizes:
        net = LinearNetwork((n, n // 2, n))
        obj = ParameterLoss(net, QuadraticLoss(rng.standard_normal(net.shape)))
        x = net.random_parameters(rng)

        def fd(x=x, obj=obj, h=1e-6):
            E = np.eye(x.size)
            return np.array(
                [(obj.gradient(x + h * e) - obj.gradient(x - h * e)) / (2 * h) for e in E]
            )

        err = float(np.abs(obj.hessian(x) - fd()).max())
        t_an = _best_time(lambda x=x, obj=obj: obj.hessian(x))
        t_fd = _best_time(fd, 1)
        rows.append(
            [
                n,
                net.n_params,
                f"{t_an * 1e3:.2f}",
                f"{t_fd * 1e3:.1f}",
                f"{t_fd / t_an:.0f}x",
                f"{err:.1e}",
            ]
        )
    _table(["n", "params", "closed form ms", "finite diff ms", "ratio", "max |diff|"], rows)


def bench_minimum(cases, n_starts: int) -> None:
    print(f"\n3. min L, quadratic loss, default target: Eckart–Young vs {n_starts}-start search")
    rows = []
    for widths in cases:
        net = LinearNetwork(widths)
        loss = QuadraticLoss(default_target(net.shape, seed=0))
        exact = exact_minimum(net, loss)
        t_exact = _best_time(lambda net=net, loss=loss: exact_minimum(net, loss))
        t_enum = _best_time(lambda net=net, loss=loss: eckart_young(net, loss), 1)
        n_points = len(eckart_young(net, loss).points)
        t0 = time.perf_counter()
        search = find_critical_points(net, loss, rng=0, n_starts=n_starts, method="minimize")
        t_search = time.perf_counter() - t0
        best = min(p.loss for p in search.points)
        rows.append(
            [
                ",".join(map(str, widths)),
                f"{exact:.6g}",
                f"{best - exact:.1e}",
                f"{t_exact * 1e3:.3f}",
                f"{t_enum * 1e3:.1f} ({n_points} pts)",
                f"{t_search * 1e3:.0f}",
                f"{t_search / t_exact:.0f}x",
            ]
        )
    _table(
        [
            "widths",
            "min L",
            "search - min",
            "EY ms",
            "EY enumerate+verify ms",
            "search ms",
            "search/EY",
        ],
        rows,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        bench_rank([4, 8])
        bench_hessian([4, 8])
        bench_minimum([(4, 2, 3)], n_starts=3)
    else:
        bench_rank([4, 8, 16, 24, 32])
        bench_hessian([4, 8, 12, 16])
        bench_minimum([(4, 2, 3), (6, 3, 5), (6, 4, 3, 5), (8, 3, 4, 3, 7)], n_starts=20)


if __name__ == "__main__":
    main()
