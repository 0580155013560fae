"""Benchmark: dead-neuron directional derivative (batched over directions) and perturbed teachers.

Run:  python benchmarks/bench_robust.py [--quick]

Prints (1) ``D⁺L[u] = Σ_i κ(w_i, u) − Σ_j κ(v_j, u)`` with gradient and Hessian for
S directions at once (``TeacherStudent.dead_neuron_derivative``) against a
Python loop over the directions (the naive method), CPU time and ratio;
(2) the sphere minimisation ``min_directional_derivative`` and the whole
``annihilation`` per k; (3) a perturbed-teacher run (``perturb``) per k, CPU
time per branch point; (4) a *structured* perturbation (``E = e_{k−1}e_{k−1}ᵀ``,
one teacher row scaled, ``E ∈ Fix(k-2,1,1)``) followed on the compressed model
(``perturb`` with a ``StructuredDirection``) against the same ``E`` on the dense
model, k = 6 … 40, and the compressed path alone at k = 10³, 10⁶ (its cost does
not grow with k).  Times are CPU time (``time.process_time``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _before_after import best_of

from symbreak import TeacherStudent
from symbreak.continuation import ContinuationOptions, continuation
from symbreak.continuation.perturb import StructuredDirection, perturb, random_direction
from symbreak.overparam import annihilation, min_directional_derivative, polish
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

TYPE_II = [0.98670382, -0.0504134, 0.30801099, 0.22451581, -0.60151192]


def cpu(fn, repeat=3):
    """Smallest CPU time of ``repeat`` calls (the shared ``best_of``)."""
    return best_of(fn, repeat)


def type_ii(k):
    c = TYPE_II
    if k != 6:
        opts = ContinuationOptions(detect_events=False)
        c = continuation("k-1,1", TYPE_II, k0=6, k1=k, options=opts).points[-1].coords
    g = IsotropyGroup.from_spec("k-1,1", k)
    return g, polish(g, c)


def main(quick: bool = False) -> None:
    ks = (6, 10) if quick else (6, 10, 20, 40)
    print("(1) D+L[u], value + gradient + Hessian, S directions")
    print(f"{'k':>4} {'S':>5} {'batched s':>11} {'loop s':>10} {'ratio':>7}")
    for k in ks:
        g, c = type_ii(k)
        W = FixedPointSpace(g).embed(c)
        model = TeacherStudent(np.eye(k))
        S = 200
        U = np.random.default_rng(0).standard_normal((S, k))
        tb = cpu(lambda m=model, W=W, U=U: m.dead_neuron_derivative(W, U, order=2))
        tl = cpu(
            lambda m=model, W=W, U=U: [m.dead_neuron_derivative(W, u[None], order=2) for u in U], 1
        )
        print(f"{k:>4} {S:>5} {tb:>11.4f} {tl:>10.4f} {tl / tb:>7.1f}")
    print("\n(2) dead-neuron sphere minimisation and the whole annihilation (max_extra = 2)")
    print(f"{'k':>4} {'min D+L s':>10} {'annihilation s':>15} {'annihilated_at':>15}")
    for k in ks[:3]:
        g, c = type_ii(k)
        W = FixedPointSpace(g).embed(c)
        model = TeacherStudent(np.eye(k))
        t1 = cpu(lambda m=model, W=W: min_directional_derivative(m, W), 1)
        t = time.process_time()
        res = annihilation(g, c, max_extra=2)
        t2 = time.process_time() - t
        print(f"{k:>4} {t1:>10.3f} {t2:>15.3f} {res.annihilated_at!s:>15}")
    print("\n(3) perturbed teacher (random E, seed 0, eps = 0.01)")
    print(f"{'k':>4} {'points':>7} {'total s':>9} {'s/point':>9}")
    for k in ks[:3]:
        g, c = type_ii(k)
        t = time.process_time()
        r = perturb(g, c, random_direction(k, seed=0), 0.01)
        dt = time.process_time() - t
        print(f"{k:>4} {len(r.branch):>7} {dt:>9.2f} {dt / len(r.branch):>9.3f}")
    structured(quick)


#: one teacher row scaled: E = e_{k-1} e_{k-1}^T in Fix(k-2,1,1)
ROW = StructuredDirection("k-2,1,1", (0, 0, 0, 0, 0, 1, 0, 0, 0, 0))


def structured(quick: bool = False) -> None:
    """(4) compressed (best of 3) vs dense (one run) eps-continuation of the same structured E."""
    eps = 0.1
    print(f"\n(4) structured perturbation E in Fix(k-2,1,1) (row k-1 scaled), eps = {eps}")
    print(
        f"{'k':>8} {'compressed s':>13} {'points':>7} {'s/point':>8} "
        f"{'dense s':>9} {'points':>7} {'s/point':>8} {'dense/compr':>12}"
    )
    for k in (6, 10) if quick else (6, 10, 20, 40, 1e3, 1e6):
        g, c = type_ii(k)
        r = perturb(g, c, ROW, eps)
        tc = cpu(lambda g=g, c=c: perturb(g, c, ROW, eps))  # best of 3
        line = f"{k:>8g} {tc:>13.3f} {len(r.branch):>7} {tc / len(r.branch):>8.4f}"
        if k <= 40:
            t = time.process_time()
            rd = perturb(g, c, ROW.dense(g), eps)
            td = time.process_time() - t
            same = [e.kind for e in r.events] == [e.kind for e in rd.events]
            line += f" {td:>9.2f} {len(rd.branch):>7} {td / len(rd.branch):>8.3f} {td / tc:>12.1f}"
            line += "" if same else "  (events differ!)"
        print(line)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--structured", action="store_true", help="only table (4)")
    args = ap.parse_args()
    if args.structured:
        structured(args.quick)
    else:
        main(args.quick)
