"""Benchmark: CPU time of today's default atlas, and its families and events against a saved run.

Workload (issue 11): ``run_atlas`` with ``--k-values 6,10 --k-range 3,20
--max-blocks 3``, serial, no plots.  Before the change it took about 90 s of
CPU (95 % continuation: a finite-difference derivative in k, decompositions
recomputed, the spec parsed again in the hot loop); target <= 15 s.

With ``--before path/to/atlas.json`` (a run of the same options made before
the change) the families (matched by isotropy, k0 and loss) and their events
(kind, irrep, k) are compared: events must agree to ``1e-9`` in k.

Run:  python benchmarks/bench_atlas.py [--before /work/wt/atlas-before/atlas.json] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time
from pathlib import Path

from symbreak.atlas import AtlasOptions, run_atlas

BEFORE_CPU_S = 90.0  # issue 11, measured on the reference machine
TARGET_S = 15.0


def _family_key(f: dict) -> tuple:
    return (f["isotropy"], f["found_in"], float(f["k0"]), round(float(f["loss"]), 7))


def compare(before: dict, after: dict, *, k_tol: float = 1e-9) -> dict:
    """Match families by (isotropy, found_in, k0, loss) and compare their events."""
    fb = {_family_key(f): f for f in before["families"]}
    fa = {_family_key(f): f for f in after["families"]}
    common = sorted(set(fb) & set(fa))
    worst = 0.0
    differing = []
    agree_events: list[bool] = []
    n_events_b = sum(len(f["events"]) for f in before["families"])
    n_events_a = sum(len(f["events"]) for f in after["families"])
    for key in common:
        eb, ea = fb[key]["events"], fa[key]["events"]
        sig_b = [(e["kind"], e.get("irrep")) for e in eb]
        sig_a = [(e["kind"], e.get("irrep")) for e in ea]
        if sig_b != sig_a:
            differing.append((key, "kinds", sig_b, sig_a))
            continue
        for x, y in zip(eb, ea):
            d = abs(float(x["k"]) - float(y["k"]))
            # an event near a branch point is located by a fit; its k_error says how well
            err = float(x.get("k_error") or 0.0) + float(y.get("k_error") or 0.0)
            worst = max(worst, d)
            agree_events.append(d <= k_tol + err)
            if d > k_tol + err:
                differing.append((key, "k", x["k"], y["k"], err))
    return {
        "families_before": len(fb),
        "families_after": len(fa),
        "matched": len(common),
        "only_before": sorted(set(fb) - set(fa)),
        "only_after": sorted(set(fa) - set(fb)),
        "events_before": n_events_b,
        "events_after": n_events_a,
        "max_dk": worst,
        "events_compared": len(agree_events),
        "events_agreeing": int(sum(agree_events)),
        "families_same_event_kinds": len(common) - sum(1 for d in differing if d[1] == "kinds"),
        "differing": differing,
    }


def main(before: str | None = None, profile: int = 0, out: str | None = None) -> dict:
    opts = AtlasOptions(k_values=(6, 10), k_range=(3.0, 20.0), max_blocks=3)
    out_dir = Path(out) if out else Path(tempfile.mkdtemp(prefix="bench-atlas-"))
    if (out_dir / ".cache").exists():
        raise SystemExit(f"{out_dir} holds a cache from an earlier run; give a fresh --out")
    prof = cProfile.Profile() if profile else None
    t0 = time.process_time()
    if prof:
        prof.enable()
    atlas = run_atlas(out_dir, opts, workers=1, plots=False, progress=None)
    if prof:
        prof.disable()
    cpu = time.process_time() - t0
    s = atlas["summary"]
    print("default atlas (--k-values 6,10 --k-range 3,20 --max-blocks 3), serial, no plots")
    print(f"  {'':<28} {'CPU s':>9} {'ratio':>8}")
    print(f"  {'before (issue 11)':<28} {BEFORE_CPU_S:>9.1f} {1.0:>8.2f}")
    print(f"  {'now':<28} {cpu:>9.1f} {cpu / BEFORE_CPU_S:>8.2f}")
    print(f"  {'target':<28} {TARGET_S:>9.1f} {TARGET_S / BEFORE_CPU_S:>8.2f}")
    print(f"  families {s['families']}, events {s['events']}, timing {atlas['timing']}")
    result = {"cpu_s": cpu, "families": s["families"], "events": s["events"]}
    if before:
        cmp = compare(json.loads(Path(before).read_text()), atlas)
        print(f"against {before}:")
        print(
            f"  families {cmp['families_before']} -> {cmp['families_after']} "
            f"(matched {cmp['matched']}); events {cmp['events_before']} -> {cmp['events_after']}"
        )
        print(
            f"  matched families with the same event kinds: {cmp['families_same_event_kinds']}; "
            f"their events agreeing to 1e-9 (+ k_error): {cmp['events_agreeing']} of "
            f"{cmp['events_compared']}; max |dk| {cmp['max_dk']:.3g}"
        )
        for key in cmp["only_before"]:
            print(f"  only before: {key}")
        for key in cmp["only_after"]:
            print(f"  only after:  {key}")
        for d in cmp["differing"][:20]:
            print(f"  differs: {d}")
        result["compare"] = cmp
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(profile)
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default=None, help="atlas.json of a run before the change")
    p.add_argument("--profile", type=int, default=0, help="print the N top cProfile entries")
    p.add_argument("--out", default=None, help="output directory (default: a fresh temp dir)")
    p.add_argument("--after", default=None, help="compare this atlas.json to --before, no run")
    a = p.parse_args()
    if a.after:
        cmp = compare(json.loads(Path(a.before).read_text()), json.loads(Path(a.after).read_text()))
        print({k: v for k, v in cmp.items() if k not in ("only_before", "only_after", "differing")})
        for d in cmp["differing"]:
            print("  differs:", d)
    else:
        main(a.before, a.profile, a.out)
