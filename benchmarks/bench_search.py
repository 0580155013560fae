"""Benchmark: recall and CPU time of the default critical-point search.

Run:  python benchmarks/bench_search.py [--quick]

For each group, the default search (``find_critical_points`` with default
options; ``max_loss=0.2`` for the k = 6 row, whose targets are all points
below 0.2) is compared with a long reference run: another seed and
``--ref-starts`` screened random starts with saturation switched off (the
issue's "5 000-start run"; 1 500 with ``--quick``).  Recall is the fraction
of the reference's points of interest (minima; points below 0.2 for k = 6)
that the default search finds, identified up to S_n × S_d by their orbit
canonical form.  Times are CPU seconds (``time.process_time``).

Targets (issue 12): k = 6, ``k-1,1``: all 8 points below 0.2 in ≤ 2 s;
2- and 3-block groups at k ≤ 100: every reference minimum in ≤ 5 s.
"""

from __future__ import annotations

import argparse
import time

from symbreak.critical import SearchOptions, find_critical_points
from symbreak.critical.stabiliser import stabiliser_of_coords
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation import IsotropyGroup

GROUPS = [
    ("k-1,1", 6, 0.2),
    ("k-1,1", 20, None),
    ("10,10", 20, None),
    ("5,15", 20, None),
    ("6,1,13", 20, None),
    ("k-2,1,1", 40, None),
    ("17,1,22", 40, None),
    ("k-3,3", 100, None),
    ("k-5,3,2", 100, None),
]


def _interesting(res, max_loss):
    if max_loss is None:
        return [p for p in res.points if p.index == 0]
    return [p for p in res.points if p.loss <= max_loss]


def main(quick: bool = False, ref_starts: int | None = None) -> None:
    ref_starts = ref_starts or (1500 if quick else 5000)
    groups = GROUPS[:5] if quick else GROUPS
    print(f"default search vs reference run ({ref_starts} screened starts, another seed); CPU s")
    head = (
        f"{'group':>10} {'k':>4} {'target':>10} {'default [s]':>12} {'starts':>7} "
        f"{'sat.':>5} {'p_new':>7} {'found/ref':>10} {'recall':>7} {'ref [s]':>8} {'ratio':>6}"
    )
    print(head)
    for spec, k, max_loss in groups:
        group = IsotropyGroup.from_spec(spec, k)
        space = FixedPointSpace(group)
        t = time.process_time()
        res = find_critical_points(group, options=SearchOptions(max_loss=max_loss))
        t_def = time.process_time() - t
        t = time.process_time()
        ref = find_critical_points(
            group,
            options=SearchOptions(
                max_loss=max_loss, seed=987654, starts=ref_starts, patience=10**9
            ),
        )
        t_ref = time.process_time() - t
        mine = [stabiliser_of_coords(space, p.coords).form for p in _interesting(res, max_loss)]
        want = [stabiliser_of_coords(space, p.coords).form for p in _interesting(ref, max_loss)]
        hit = sum(any(f.same_orbit(g) for g in mine) for f in want)
        target = "minima" if max_loss is None else f"L<={max_loss:g}"
        recall = hit / len(want) if want else 1.0
        print(
            f"{spec:>10} {k:>4} {target:>10} {t_def:>12.2f} {res.starts:>7} "
            f"{'yes' if res.saturated else 'no':>5} {res.new_point_probability:>7.3f} "
            f"{len(mine):>4}/{len(want):<5} {recall:>7.0%} {t_ref:>8.1f} {t_ref / t_def:>5.0f}x"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ref-starts", type=int, default=None)
    args = ap.parse_args()
    main(quick=args.quick, ref_starts=args.ref_starts)
