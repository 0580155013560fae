"""Benchmark: the proof that the critical points below a loss level are complete.

Run:  python benchmarks/bench_prove.py [--quick] [--budget N] [--k6] [--force3]
                                       [--groups SPEC:K ...] [--workers W]

Prints

1. the cost per box of the two engines on the same workload (the first boxes of
   ``Fix(k-1,1)``, k = 6, L0 = 0.2): ``arb`` (python-flint balls, one box at a
   time; the method before the batched engine) against ``interval`` (the box
   tests for whole batches of boxes in vectorised float64 interval arithmetic,
   :mod:`symbreak.critical._prove_batch`), and their ratio;
2. per group and k: dim Fix(H), the a priori radius R, boxes processed, boxes
   excluded per test, certified points, undecided boxes and their volume (boxes
   left open by the budget included), CPU seconds (``time.process_time``, this
   process and its workers) and microseconds per box, and whether the list is
   proved complete.  The naive comparison is the uniform grid of cubes of side
   0.05 covering the a priori box, divided by the boxes used.

``--k6`` adds the target case ``Fix(k-1,1)`` at ``k = 6``, ``L0 = 0.2`` with the
budget ``--k6-budget``.  ``--force3`` runs one 3-block group (refused up front by
``proof_scope``) with the budget to show how far it gets.
"""

from __future__ import annotations

import argparse
import time

from symbreak import IsotropyGroup
from symbreak.critical.prove import ProveOptions, prove_critical_points
from symbreak.reduced.system import ReducedSystem


def run(spec, k, max_loss, budget, workers=1, engine="interval", force=False):
    group = IsotropyGroup.from_spec(spec, k)
    opts = ProveOptions(
        max_boxes=budget,
        workers=workers,
        force=force,
        engine=engine,
        batch=4096 if engine == "interval" else 512,
    )
    t0 = time.process_time()
    res = prove_critical_points(group, max_loss, options=opts)
    cpu = max(res.cpu_time, time.process_time() - t0)
    return group, res, cpu


def per_box_cost(max_loss):
    print(f"cost per box, Fix(k-1,1), k = 6, L0 = {max_loss:g} (one process)")
    head = f"{'engine':>9} {'boxes':>7} {'CPU s':>7} {'us/box':>7}"
    print(head)
    print("-" * len(head))
    cost = {}
    for engine, budget in (("arb", 3000), ("interval", 30000)):
        _g, res, cpu = run("k-1,1", 6, max_loss, budget, engine=engine)
        cost[engine] = cpu / max(res.boxes, 1)
        print(f"{engine:>9} {res.boxes:>7} {cpu:>7.2f} {1e6 * cost[engine]:>7.0f}")
    print(f"ratio arb / interval per box: {cost['arb'] / cost['interval']:.1f}x")
    print()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only Fix(k) at a few k")
    ap.add_argument("--budget", type=int, default=50_000, help="box budget per 2-block group")
    ap.add_argument("--k6", action="store_true", help="add Fix(k-1,1) at k = 6")
    ap.add_argument("--k6-budget", type=int, default=2_000_000)
    ap.add_argument("--force3", action="store_true", help="try one 3-block group with the budget")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--max-loss", type=float, default=0.2)
    ap.add_argument("--no-engines", action="store_true", help="skip the per-box cost table")
    ap.add_argument("--groups", nargs="*", default=None, help="extra cases SPEC:K (e.g. k-2,2:8)")
    args = ap.parse_args(argv)
    if not args.quick and not args.no_engines:
        per_box_cost(args.max_loss)
    cases = [("k", 4), ("k", 6), ("k", 10), ("k", 20), ("k", 100)]
    if not args.quick:
        cases += [
            ("k-1,1", 4),
            ("k-1,1", 6),
            ("k-1,1", 10),
            ("k-1,1", 20),
            ("k-2,2", 6),
            ("k-2,2", 10),
            ("k-3,3", 8),
            ("k-3,3", 20),
        ]
    for g in args.groups or []:
        spec, k = g.rsplit(":", 1)
        cases.append((spec, float(k)))
    if args.force3:
        cases.append(("k-2,1,1", 6))
    if args.k6:
        cases.append(("k-1,1 (target)", 6))
    head = (
        f"{'group':>14} {'k':>5} {'dim':>3} {'R':>6} {'boxes':>8} {'loss':>7} {'grad':>7} "
        f"{'krawc':>7} {'points':>6} {'undec':>6} {'und.vol':>9} {'CPU s':>8} {'us/box':>7} "
        f"{'grid/boxes':>10}  complete"
    )
    print(f"L0 = {args.max_loss}, workers = {args.workers}, budget = {args.budget} boxes")
    print(head)
    print("-" * len(head))
    for label, k in cases:
        spec = label.split()[0]
        budget = args.k6_budget if label.endswith("(target)") else args.budget
        force = spec.count(",") >= 2
        group, res, cpu = run(spec, k, args.max_loss, budget, args.workers, force=force)
        dim = ReducedSystem(group).space.dim
        grid = (2 * res.radius / 0.05) ** dim
        ex = res.excluded
        print(
            f"{label:>14} {k:>5g} {dim:>3} {res.radius:>6.2f} {res.boxes:>8} {ex['loss']:>7} "
            f"{ex['gradient']:>7} {ex['krawczyk']:>7} {len(res.points):>6} "
            f"{len(res.undecided):>6} {res.undecided_volume:>9.3g} {cpu:>8.2f} "
            f"{1e6 * cpu / max(res.boxes, 1):>7.0f} {grid / max(res.boxes, 1):>10.2g}  "
            f"{res.complete}",
            flush=True,
        )
        if res.complete and res.points:
            print("   points:", ", ".join(f"{p.kind} {p.loss[0]:.10f}" for p in res.points))
    print(
        "grid/boxes: a uniform grid of cubes of side 0.05 (orthonormal coordinates) over the "
        "a priori box, divided by the boxes used"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
