"""The contrast of Trager, Kohn and Bruna (ICLR 2020) for linear networks.

Three experiments with the target ``Q = diag(1, 1/2)``:

1. filling architecture (2, 2, 2) + smooth convex loss (log-cosh, c = 0.1):
   a multi-start search finds no non-global local minimum;
2. non-filling architecture (2, 1, 2) + quadratic loss: the Eckart–Young
   critical points, of which only the global minimum is a minimum;
3. non-filling (2, 1, 2) + log-cosh: a non-global local minimum, constructed,
   polished by Newton's method and verified.

Run ``python examples/linear_contrast.py`` (about a second).
"""

from __future__ import annotations

import numpy as np

from symbreak.linear import (
    Kind,
    LinearNetwork,
    LogCoshLoss,
    eckart_young,
    find_critical_points,
    nonfilling_counterexample,
)


def _row(architecture: str, loss: str, points) -> tuple:
    """(architecture, loss, #global minima, #non-global minima, #saddles)."""
    kinds = [p.kind for p in points]
    counts = (kinds.count(k) for k in (Kind.GLOBAL_MINIMUM, Kind.LOCAL_MINIMUM, Kind.SADDLE))
    return (architecture, loss, *counts)


def main(*, n_starts: int = 40, seed: int = 0) -> dict:
    """Run the three experiments, print a summary, return the numbers."""
    Q = np.diag([1.0, 0.5])
    search = find_critical_points(
        LinearNetwork((2, 2, 2)),
        LogCoshLoss(Q, scale=0.1),
        rng=seed,
        n_starts=n_starts,
        method="minimize",
    )
    ey = eckart_young(LinearNetwork((2, 1, 2)), Q)
    ce = nonfilling_counterexample(loss="log-cosh", rng=seed, n_starts=n_starts)
    rows = [
        _row("(2,2,2) filling", "log-cosh", search.points),
        _row("(2,1,2) non-filling", "quadratic (all EY)", ey.points),
        _row("(2,1,2) non-filling", "log-cosh", ce.search.points),
    ]

    print("architecture          loss                 global  non-global  saddles")
    for arch, loss, g, nl, s in rows:
        print(f"{arch:<21} {loss:<20} {g:>6}  {nl:>10}  {s:>7}")
    p = ce.point
    print()
    print("non-filling + log-cosh counterexample (Q = diag(1, 1/2), c = 0.1):")
    print(f"  mu(theta)            = {np.round(p.matrix, 12).tolist()}")
    print(f"  loss                 = {p.loss:.12f}")
    print(f"  global minimum       = {ce.global_minimum:.12f} (best of {ce.search.runs} runs)")
    print(f"  |grad L|             = {p.gradient_norm:.2e}")
    print(f"  Riemannian Hessian   = {np.round(p.curvature, 10).tolist()} on M_1")
    print(f"  pure                 = {p.pure}, kind = {p.kind.value}")
    basin = sum(q.count for q in ce.search.of_kind(Kind.LOCAL_MINIMUM))
    print(f"  search runs ending there: {basin} of {ce.search.runs}")
    return {"rows": rows, "counterexample": ce}


if __name__ == "__main__":
    main()
