"""The type-II family: a saddle at k = 5, a spurious minimum at k = 6.

Finds the Safran-Shamir type-II critical point in Fix(Δ(S_{k-1}×S_1)) at
k = 6, continues it through real k, and reports where the smallest eigenvalue
of the [k-2,1] x [1] block crosses zero (the saddle becomes a minimum), with
an interval-arithmetic enclosure of that k and certificates of the kind at
k = 5 and k = 6.

Run:  python examples/type_ii_family.py [--quick] [--plot FILE.png]
"""

from __future__ import annotations

import argparse

import numpy as np

from symbreak import (
    IsotropyGroup,
    SearchOptions,
    certify_critical_point,
    continue_branch,
    eigenvalue_crossing,
    find_critical_points,
)


def type_ii_point(k: float = 6.0) -> np.ndarray:
    """The type-II point: the spurious minimum of Fix(k-1,1) with isotropy k-1,1."""
    res = find_critical_points(IsotropyGroup.from_spec("k-1,1", k), options=SearchOptions())
    cands = [p for p in res.points if p.isotropy == "k-1,1" and p.index == 0 and p.loss > 1e-6]
    return min(cands, key=lambda p: p.loss).coords


def main(quick: bool = False, plot: str | None = None) -> dict:
    c6 = type_ii_point(6.0)
    print("type-II point at k = 6 (a, b, c, e, f):", np.round(c6, 6))
    k_hi = 20.0 if quick else 200.0
    down = continue_branch("k-1,1", c6, k0=6.0, k1=5.0)
    up = continue_branch("k-1,1", c6, k0=6.0, k1=k_hi)
    print(f"continued down to k = 5: {down.status.value}; up to k = {k_hi:g}: {up.status.value}")
    for e in down.events + up.events:
        print(
            f"  {e.kind} at k = {e.k:.10f} in {e.irrep}: index {e.index_before} -> "
            f"{e.index_after} (multiplicity {e.multiplicity:.4g})"
        )
    print(
        f"loss at k = 5: {down.points[-1].loss:.7f} (index {down.points[-1].index}); "
        f"at k = {k_hi:g}: {up.points[-1].loss:.7f}"
    )
    k_star = down.events[0].k
    crossing = eigenvalue_crossing("k-1,1", c6, k0=6.0, k_bracket=(5.0, 6.0), irrep="[k-2,1] x [1]")
    print(
        f"certified ({crossing.certified}) crossing: k* in "
        f"[{crossing.k_lo:.12f}, {crossing.k_hi:.12f}]"
    )
    kinds = {}
    for k, c in ((5.0, down.points[-1].coords), (6.0, c6)):
        cert = certify_critical_point(IsotropyGroup.from_spec("k-1,1", k), c)
        kinds[k] = cert.kind
        print(f"certificate at k = {k:g}: exists {cert.exists}, kind {cert.kind}")
    if plot:
        from symbreak.plotting import require_matplotlib

        plt = require_matplotlib()
        fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
        ks = np.concatenate([down.k[::-1], up.k])
        mins = [p.block("[k-2,1] x [1]").min() for p in list(down.points)[::-1] + list(up.points)]
        ax.plot(ks, mins)
        ax.axhline(0, color="k", lw=0.8)
        ax.axvline(k_star, color="r", ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("k")
        ax.set_ylabel("smallest eigenvalue of A_[k-2,1]x[1]")
        fig.savefig(plot, dpi=120)
    return {
        "k_star": k_star,
        "events": len(down.events),
        "kinds": kinds,
        "crossing": (crossing.k_lo, crossing.k_hi, crossing.certified),
        "loss_up": up.loss,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--plot", default=None)
    args = ap.parse_args()
    main(quick=args.quick, plot=args.plot)
