"""Benchmark: representation theory of S_n and of the Young-type isotropy groups.

Run:  python benchmarks/bench_representation.py [--quick]

Prints (1) full character tables of S_n (Murnaghan–Nakayama) at n = 10, 15, 20
and single values at n = 20, (2) the character-based multiplicities of
Δ(S_{k−1}×S_1) in M(k, k) at k = 10, 10³, 10⁶ (cost flat in k) against the
closed forms, (3) the dense symmetry-adapted basis at k = 10, 20, 40 and the
block diagonalisation of a dense teacher–student Hessian with it.

BLAS runs single-threaded unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS are
set: on a small shared machine multi-threaded BLAS timings measure contention.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from symbreak import TeacherStudent  # noqa: E402
from symbreak.representation import (  # noqa: E402
    IsotropyGroup,
    character,
    character_decomposition,
    character_table,
    isotypic_decomposition,
    symmetry_adapted_basis,
)
from symbreak.representation import characters as _characters  # noqa: E402
from symbreak.representation import decomposition as _decomposition  # noqa: E402
from symbreak.representation import partition as _partition  # noqa: E402

TYPE_II = (0.986704, -0.050413, 0.308011, 0.224516, -0.601512)


def clear_caches() -> None:
    """Cold timings: drop the memoised per-partition values."""
    _characters._mn.cache_clear()
    _decomposition._by_kostka.cache_clear()
    _decomposition._by_classes.cache_clear()
    _decomposition._skew.cache_clear()
    _partition._dimension.cache_clear()


def best_of(fn, *args, repeat=3, cold=True, **kwargs):
    """Best wall time of ``fn(*args, **kwargs)`` over ``repeat`` runs."""
    best = np.inf
    for _ in range(repeat):
        if cold:
            clear_caches()
        t = time.perf_counter()
        fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t)
    return best


def type_ii_point(k):
    a, b, c, e, f = TYPE_II
    W = np.full((k, k), b)
    np.fill_diagonal(W, a)
    W[:-1, -1], W[-1, :-1], W[-1, -1] = c, e, f
    return W


def main(quick: bool = False) -> None:
    print("1. character tables of S_n (Murnaghan–Nakayama, exact integers, cold caches)")
    print(f"{'n':>4} {'p(n)':>6} {'table [ms]':>11} {'Σ (f^λ)² = n!':>15}")
    for n in (10, 15, 20):
        t = best_of(character_table, n, repeat=1 if n == 20 else 3)
        T = character_table(n)
        dims = [int(x) for x in T.values[:, -1]]
        ok = sum(x * x for x in dims) == math.factorial(n)
        print(f"{n:>4} {len(T.irreps):>6} {t * 1e3:>11.1f} {str(ok):>15}")
    lam, mu = (7, 5, 4, 2, 1, 1), (5, 4, 3, 3, 2, 2, 1)
    t1 = best_of(character, lam, mu, repeat=5)
    t2 = best_of(character, (6, 5, 4, 3, 2), (1,) * 20, repeat=5)
    print(
        f"single values at n = 20 (cold): χ^{lam}{mu} {t1 * 1e3:.2f} ms, "
        f"f^(6,5,4,3,2) = χ(1^20) {t2 * 1e3:.2f} ms"
    )
    print()

    print("2. multiplicities of Δ(S_{k−1}×S_1) in M(k, k) from characters (cost flat in k)")
    print(
        f"{'k':>9} {'method':>8} {'chars [ms]':>11} {'closed [ms]':>12} {'agree':>6} "
        f"{'Σ μ·dim = k²':>13}   multiplicities"
    )
    base = None
    for k in (10, 10**3, 10**6):
        group = IsotropyGroup.from_spec("k-1,1", k)
        method = "classes" if k == 10 else "kostka"
        t_ch = best_of(character_decomposition, group, method=method, repeat=20)
        t_cf = best_of(isotypic_decomposition, group, repeat=20, cold=False)
        ch = character_decomposition(group, method=method)
        cf = isotypic_decomposition(group)
        agree = {c.partitions: (c.multiplicity, c.dimension) for c in ch} == {
            c.irrep.integer_partitions(group): (c.multiplicity, int(c.dimension)) for c in cf
        }
        total = sum(c.multiplicity * c.dimension for c in ch) == k * k
        if method == "kostka":
            base = base or t_ch
        ratio = f"  ({t_ch / base:.2f}x the k=1e3 time)" if method == "kostka" else ""
        print(
            f"{k:>9.0e} {method:>8} {t_ch * 1e3:>11.3f} {t_cf * 1e3:>12.3f} {str(agree):>6} "
            f"{str(total):>13}   {[c.multiplicity for c in ch]}{ratio}"
        )
    print()

    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(
        f"3. dense symmetry-adapted basis Q for Δ(S_{{k−1}}×S_1), type-II coordinates "
        f"(BLAS threads: {threads})"
    )
    print(
        f"{'k':>4} {'n·d':>6} {'build Q [ms]':>13} {'|QᵀQ−I|':>9} {'Hessian [ms]':>13} "
        f"{'blocks [ms]':>12} {'eigvalsh [ms]':>14} {'off-block':>10} {'max |Δλ|':>9}"
    )
    for k in (10, 20) if quick else (10, 20, 40):
        group = IsotropyGroup.from_spec("k-1,1", k)
        t_q = best_of(symmetry_adapted_basis, group, cold=False)
        basis = symmetry_adapted_basis(group)
        N = k * k
        orth = np.abs(basis.Q.T @ basis.Q - np.eye(N)).max()
        W = type_ii_point(k)
        model = TeacherStudent(np.eye(k))
        t_h = best_of(model.hessian, W, repeat=1, cold=False)
        H = model.hessian(W)
        t_b = best_of(basis.blocks, H, cold=False)
        t_e = best_of(np.linalg.eigvalsh, H, cold=False)
        ev = np.sort(
            np.concatenate(
                [
                    np.repeat(np.linalg.eigvalsh(b), c.dimension)
                    for b, c in zip(basis.blocks(H), basis.components)
                ]
            )
        )
        err = np.abs(ev - np.linalg.eigvalsh(H)).max()
        print(
            f"{k:>4} {N:>6} {t_q * 1e3:>13.1f} {orth:>9.1e} {t_h * 1e3:>13.1f} "
            f"{t_b * 1e3:>12.1f} {t_e * 1e3:>14.1f} {basis.residual(H):>10.1e} {err:>9.1e}"
        )
    if not quick:
        print("   components (label, multiplicity, dimension) at k = 40:")
        for row in symmetry_adapted_basis(IsotropyGroup.from_spec("k-1,1", 40)).summary:
            print(f"     {row}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    main(ap.parse_args().quick)
