"""Benchmark: the proof that the critical points below a loss level are complete.

Run:  python benchmarks/bench_prove.py [--quick] [--budget N] [--k6] [--groups SPEC:K ...]

Prints, per group and k: dim Fix(H), the a priori radius R, boxes processed,
boxes excluded per test, certified points, undecided boxes and their volume,
CPU seconds (``time.process_time``, this process and its workers) and
microseconds per box, and whether the list is proved complete.  The naive
comparison is the uniform grid a proof without bisection would need: the
number of cubes of the smallest side used, covering the a priori box
(``(2R/h_min)^dim``), and the ratio grid / boxes.

``--k6`` adds the target case ``Fix(k-1,1)`` at ``k = 6``, ``L0 = 0.2``
(several minutes of CPU).  3-block groups are out of reach (refused up front
by ``proof_scope``); ``--force3`` runs one with the box budget to show how far
it gets.
"""

from __future__ import annotations

import argparse
import time

from symbreak import IsotropyGroup
from symbreak.critical.prove import ProveOptions, prove_critical_points
from symbreak.reduced.system import ReducedSystem


def run(spec, k, max_loss, budget, workers=1, tube=None, force=False):
    group = IsotropyGroup.from_spec(spec, k)
    kw = {"max_boxes": budget, "workers": workers, "force": force}
    if tube is not None:
        kw["tube"] = tube
    t0 = time.process_time()
    res = prove_critical_points(group, max_loss, options=ProveOptions(**kw))
    cpu = max(res.cpu_time, time.process_time() - t0)
    return group, res, cpu


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only Fix(k) at a few k")
    ap.add_argument("--budget", type=int, default=50_000, help="box budget per 2-block group")
    ap.add_argument("--k6", action="store_true", help="add Fix(k-1,1) at k = 6 (minutes)")
    ap.add_argument("--force3", action="store_true", help="try one 3-block group with the budget")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--max-loss", type=float, default=0.2)
    ap.add_argument("--groups", nargs="*", default=None, help="extra cases SPEC:K (e.g. k-2,2:8)")
    args = ap.parse_args(argv)
    cases = [("k", 4), ("k", 6), ("k", 10), ("k", 20), ("k", 100)]
    if not args.quick:
        cases += [("k-1,1", 4), ("k-2,2", 5)]
    if args.k6:
        cases += [("k-1,1", 6)]
    for g in args.groups or []:
        spec, k = g.rsplit(":", 1)
        cases.append((spec, float(k)))
    if args.force3:
        cases.append(("k-2,1,1", 6))
    head = (
        f"{'group':>10} {'k':>5} {'dim':>3} {'R':>6} {'boxes':>8} {'loss':>7} {'grad':>7} "
        f"{'krawc':>7} {'points':>6} {'undec':>6} {'und.vol':>9} {'CPU s':>8} {'us/box':>7} "
        f"{'grid/boxes':>10}  complete"
    )
    print(f"L0 = {args.max_loss}, workers = {args.workers}")
    print(head)
    print("-" * len(head))
    for spec, k in cases:
        force = spec.count(",") >= 2
        group, res, cpu = run(spec, k, args.max_loss, args.budget, args.workers, force=force)
        dim = ReducedSystem(group).space.dim
        grid = (2 * res.radius / 0.05) ** dim
        ex = res.excluded
        print(
            f"{spec:>10} {k:>5g} {dim:>3} {res.radius:>6.2f} {res.boxes:>8} {ex['loss']:>7} "
            f"{ex['gradient']:>7} {ex['krawczyk']:>7} {len(res.points):>6} "
            f"{len(res.undecided):>6} {res.undecided_volume:>9.3g} {cpu:>8.2f} "
            f"{1e6 * cpu / max(res.boxes, 1):>7.0f} {grid / max(res.boxes, 1):>10.2g}  "
            f"{res.complete}"
        )
        if spec == "k-1,1" and k == 6:
            print("   losses:", ", ".join(f"{p.loss[0]:.10f}" for p in res.points))
    print(
        "grid/boxes: a uniform grid of cubes of side 0.05 (orthonormal coordinates) over the "
        "a priori box, divided by the boxes used"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
