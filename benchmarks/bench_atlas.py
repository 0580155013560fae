"""Benchmark: CPU time of today's default atlas, and its families and events against a saved run.

Workload (issue 11): ``run_atlas`` with ``--k-values 6,10 --k-range 3,20
--max-blocks 3``, serial, no plots.  Before the change it took about 90 s of
CPU (95 % continuation: a finite-difference derivative in k, decompositions
recomputed, the spec parsed again in the hot loop); target <= 15 s.

With ``--before path/to/atlas.json`` (a run of the same options made before
the change) the families (matched by isotropy, k0 and loss) and their events
(kind, irrep, k) are compared: events must agree to ``1e-9`` in k.

With ``--before-rev REV`` the atlas is computed twice, in subprocesses (BLAS
limited to one thread, see ``_before_after.py``): with the ``symbreak`` package
of git revision ``REV`` and with this checkout; the table gives both CPU
times (best of ``--repeat``), and the two ``atlas.json`` are compared: the
same family keys, losses equal to ``1e-9``, the same events with ``k`` equal
to ``1e-9`` (plus the ``k_error`` of events located by a fit).

``--profile N`` prints where the time goes: CPU seconds per stage and the
``N`` functions with the most self time (cProfile; the profiler itself adds
about 40 %).

Run:  python benchmarks/bench_atlas.py [--before-rev 107b90c [--repeat 2]]
      python benchmarks/bench_atlas.py [--before /work/wt/atlas-before/atlas.json] [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _before_after import before_after

from symbreak.atlas import AtlasOptions, run_atlas

BEFORE_CPU_S = 90.0  # issue 11, measured on the reference machine
TARGET_S = 15.0


def _family_key(f: dict) -> tuple:
    return (f["isotropy"], f["found_in"], float(f["k0"]), round(float(f["loss"]), 7))


def compare(before: dict, after: dict, *, k_tol: float = 1e-9) -> dict:
    """Match families by (isotropy, found_in, k0, loss) and compare their events.

    Also: the citable family keys (``key``, when the atlas has them) of both
    runs, and the largest loss difference of matched families.
    """
    fb = {_family_key(f): f for f in before["families"]}
    fa = {_family_key(f): f for f in after["families"]}
    common = sorted(set(fb) & set(fa))
    keys_b = sorted(f.get("key", "") for f in before["families"])
    keys_a = sorted(f.get("key", "") for f in after["families"])
    max_dloss = max((abs(float(fb[c]["loss"]) - float(fa[c]["loss"])) for c in common), default=0.0)
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
        "same_family_keys": keys_b == keys_a,
        "max_dloss": max_dloss,
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


OPTIONS = dict(k_values=(6, 10), k_range=(3.0, 20.0), max_blocks=3)


def _run(out_dir: Path, profile: int = 0):
    opts = AtlasOptions(**OPTIONS)
    if (out_dir / ".cache").exists():
        raise SystemExit(f"{out_dir} holds a cache from an earlier run; give a fresh --out")
    prof = cProfile.Profile() if profile else None
    t0 = time.process_time()
    if prof:
        prof.enable()
    atlas = run_atlas(out_dir, opts, workers=1, plots=False, progress=None)
    if prof:
        prof.disable()
    return atlas, time.process_time() - t0, prof


def print_comparison(cmp: dict, label: str) -> None:
    print(f"against {label}:")
    print(
        f"  families {cmp['families_before']} -> {cmp['families_after']} "
        f"(matched {cmp['matched']}; same family keys: {cmp['same_family_keys']}; "
        f"max |dloss| {cmp['max_dloss']:.3g}); events {cmp['events_before']} -> "
        f"{cmp['events_after']}"
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


def print_profile(prof, atlas: dict, cpu: float, top: int) -> None:
    """CPU per stage (the atlas's own timing) and the functions with the most self time."""
    t = atlas["timing"]
    print(f"where the time goes (under cProfile, CPU {cpu:.1f} s):")
    for stage in ("search_s", "continuation_s", "overparam_s"):
        print(f"  {stage[:-2]:<14} {t[stage]:>8.1f} s  {t[stage] / t['total_s']:>6.1%} (wall)")
    st = pstats.Stats(prof)
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
    total = sum(v[2] for v in st.stats.values())
    print(f"  {'self s':>8} {'share':>6} {'calls':>9}  function")
    for (file, line, name), (_cc, nc, tt, _ct, _callers) in rows:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        print(f"  {tt:>8.2f} {tt / total:>6.1%} {nc:>9}  {name} ({where})")


def worker(repeat: int) -> None:
    """Best-of-``repeat`` CPU of the atlas with the importable ``symbreak`` (subprocess)."""
    best, path = float("inf"), None
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="bench-atlas-"))
        _, cpu, _ = _run(out)
        if cpu < best:
            best, path = cpu, out / "atlas.json"
    print(json.dumps({"cpu_s": best, "atlas": str(path)}))


def main(
    before: str | None = None,
    profile: int = 0,
    out: str | None = None,
    before_rev: str | None = None,
    repeat: int = 1,
) -> dict:
    opts = ", ".join(f"{k}={v}" for k, v in OPTIONS.items())
    if before_rev:
        b, a = before_after(__file__, before_rev, [str(repeat)])
        print(f"default atlas ({opts}), serial, no plots: CPU s, best of {repeat}")
        print(f"  {'':<28} {'CPU s':>9} {'ratio':>8}")
        print(f"  {'before = ' + before_rev:<28} {b['cpu_s']:>9.1f} {1.0:>8.2f}")
        print(f"  {'after = this checkout':<28} {a['cpu_s']:>9.1f} {a['cpu_s'] / b['cpu_s']:>8.2f}")
        print(f"  {'target':<28} {TARGET_S:>9.1f}")
        ab, aa = (json.loads(Path(x["atlas"]).read_text()) for x in (b, a))
        for x in (b, a):
            shutil.rmtree(Path(x["atlas"]).parent, ignore_errors=True)
        cmp = compare(ab, aa)
        print_comparison(cmp, f"the atlas of {before_rev}")
        return {"before": b, "after": a, "compare": cmp}
    out_dir = Path(out) if out else Path(tempfile.mkdtemp(prefix="bench-atlas-"))
    atlas, cpu, prof = _run(out_dir, profile)
    s = atlas["summary"]
    print(f"default atlas ({opts}), serial, no plots")
    print(f"  {'':<28} {'CPU s':>9} {'ratio':>8}")
    print(f"  {'before (issue 11)':<28} {BEFORE_CPU_S:>9.1f} {1.0:>8.2f}")
    print(f"  {'now':<28} {cpu:>9.1f} {cpu / BEFORE_CPU_S:>8.2f}")
    print(f"  {'target':<28} {TARGET_S:>9.1f} {TARGET_S / BEFORE_CPU_S:>8.2f}")
    print(f"  families {s['families']}, events {s['events']}, timing {atlas['timing']}")
    result = {"cpu_s": cpu, "families": s["families"], "events": s["events"]}
    if before:
        cmp = compare(json.loads(Path(before).read_text()), atlas)
        print_comparison(cmp, before)
        result["compare"] = cmp
    if prof:
        print_profile(prof, atlas, cpu, profile)
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]))
        raise SystemExit(0)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default=None, help="atlas.json of a run before the change")
    p.add_argument("--before-rev", default=None, help="git revision to run and compare against")
    p.add_argument("--repeat", type=int, default=1, help="best of this many runs (--before-rev)")
    p.add_argument("--profile", type=int, default=0, help="print the N top cProfile entries")
    p.add_argument("--out", default=None, help="output directory (default: a fresh temp dir)")
    p.add_argument("--after", default=None, help="compare this atlas.json to --before, no run")
    a = p.parse_args()
    if a.after:
        cmp = compare(json.loads(Path(a.before).read_text()), json.loads(Path(a.after).read_text()))
        print_comparison(cmp, a.before)
    else:
        main(a.before, a.profile, a.out, a.before_rev, a.repeat)
