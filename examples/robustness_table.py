"""How robust is each spurious minimum of an atlas?  Survival under a random teacher
perturbation and annihilation by extra neurons, one row per family.

For every family of ``atlas.json`` that is a spurious minimum, at the first integer
``k`` of its minimum window (its ``overparam`` record, where the atlas tested
annihilation), this follows the minimum from ``V = I`` to ``V = I + εE`` with ``E``
a random direction of unit Frobenius norm (seed 0) by continuation in ``ε`` on the
dense model (:func:`symbreak.continuation.perturb.perturb`), and reports the first
``ε`` at which it stops being a minimum (``survives_until``) next to the atlas's
``annihilated_at`` (every embedding with that many extra neurons is a saddle).

Run ``python examples/robustness_table.py DIR/atlas.json`` (``--eps`` sets the
largest ``ε`` followed, default 1).  ``main(quick=True)`` does the type-II family at
``k = 6`` only, from the critical-point search instead of an atlas.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from symbreak.atlas.run import family_key
from symbreak.continuation.perturb import perturb, random_direction
from symbreak.representation.isotropy import IsotropyGroup


def survival(spec: str, k: int, coords, *, eps: float = 1.0, seed: int = 0):
    """``(survives_until, status, result)`` of the minimum ``coords`` of ``Fix(spec)`` at ``k``."""
    group = IsotropyGroup.from_spec(spec, k)
    res = perturb(group, coords, random_direction(k, int(round(group.d)), seed=seed), eps)
    return res.survives_until, res.status, res


def rows_from_atlas(path, *, eps: float = 1.0, seed: int = 0):
    """One row per spurious-minimum family of the atlas at ``path``."""
    with open(path) as fh:
        atlas = json.load(fh)
    rows = []
    for fam in atlas["families"]:
        if fam["kind"] != "spurious_minimum" or not fam.get("overparam"):
            continue
        over = fam["overparam"]
        k = int(round(over["k"]))
        row = next(r for r in fam["at_integer_k"] if int(round(r["k"])) == k)
        t0 = time.process_time()
        until, status, res = survival(fam["isotropy"], k, over["coords"], eps=eps, seed=seed)
        first = res.events[0] if res.events else None
        rows.append({
            "key": fam.get("key") or family_key(fam["isotropy"], fam["k0"], fam["loss"]),
            "id": fam["id"], "isotropy": fam["isotropy"],
            "k": k, "loss": row["loss"], "min_eig": row["min_eig"],
            "survives_until": until, "first_event": None if first is None else first.kind,
            "status": str(status), "annihilated_at": over.get("annihilated_at"),
            "min_directional_derivative": over.get("min_directional_derivative"),
            "cpu_s": time.process_time() - t0,
        })
        print(_line(rows[-1]), flush=True)
    return rows


def _line(r) -> str:
    until = "-" if r["survives_until"] is None else f"{r['survives_until']:.10g}"
    dd = r["min_directional_derivative"]
    return (f"| {r['id']} | `{r['key']}` | {r['isotropy']} | {r['k']} | {r['min_eig']:.3g} | "
            f"{until} | {r['first_event'] or '-'} | {r['annihilated_at']} | "
            f"{'-' if dd is None else f'{dd:.4g}'} | {r['cpu_s']:.1f} |")


HEADER = ("| id | key | isotropy | k | min eig | survives to ε | first event | annihilated_at "
          "| min D⁺L[u] | CPU s |\n|---|---|---|---|---|---|---|---|---|---|")


def main(atlas=None, *, quick: bool = False, eps: float = 1.0, seed: int = 0):
    if quick or atlas is None:
        from symbreak.critical import SearchOptions, find_critical_points

        group = IsotropyGroup.from_spec("k-1,1", 6)
        pts = find_critical_points(group, options=SearchOptions(max_loss=0.03)).points
        p = next(p for p in pts if p.kind == "spurious_minimum")
        until, status, res = survival("k-1,1", 6, p.coords, eps=eps, seed=seed)
        print(f"type II at k = 6: a minimum until eps = {until} ({status})")
        return {"coords": np.asarray(p.coords), "survives_until": until, "result": res}
    print(HEADER)
    return rows_from_atlas(atlas, eps=eps, seed=seed)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("atlas", nargs="?", help="atlas.json of a `symbreak atlas` run")
    ap.add_argument("--eps", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write the rows to this JSON file")
    args = ap.parse_args()
    out = main(args.atlas, eps=args.eps, seed=args.seed)
    if args.json and args.atlas:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
