"""All critical points of the loss in the fixed-point space of a Young-type group,
at a given (possibly real) k, each with its exact isotropy, loss, Morse index,
kind and full Hessian spectrum (values, multiplicities, irreps).

The search stops when it is saturated (no new local minimum, or with
--max-loss no new point up to that loss, in many consecutive starts) or after
--starts random starts.

JSON: {"k", "isotropy", "names", "search": {"starts_used", "saturated",
"new_point_probability", ...}, "points": [{"coords", "isotropy",
"isotropy_order", "exact_isotropy", "same_function_as", "loss", "index",
"kind", "spectrum": [{"value", "multiplicity", "irrep"}], ...}]}; "coords"
follow the order of "names" (see docs/notation.md); "isotropy" is the exact
stabiliser in S_n x S_d (notation in docs/notation.md), "same_function_as"
lists the indices of other points computing the same network function."""

from __future__ import annotations

import sys

from ..critical import FixedPointSpace, SearchOptions, find_critical_points
from ..progress import TqdmProgress
from ._common import CommandResult, add_json_flag, format_table
from ._isotropy_args import add_group_args, group_from_args

NAME = "critical"
HELP = "find and classify the critical points in Fix(H) at a given k"
ORDER = 20


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument(
        "--starts",
        type=int,
        default=SearchOptions.starts,
        help=f"cap on the random starts (default {SearchOptions.starts}; the search usually "
        "stops earlier, when saturated)",
    )
    parser.add_argument(
        "--max-loss",
        type=float,
        default=None,
        help="report the points up to this loss, and search until no new one appears "
        "(default: report every point found, search until no new local minimum appears)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def run(args) -> CommandResult:
    group = group_from_args(args)
    opts = SearchOptions(starts=args.starts, seed=args.seed, max_loss=args.max_loss)
    progress = None if args.quiet else TqdmProgress(sys.stderr)
    try:
        res = find_critical_points(group, options=opts, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    names = list(FixedPointSpace(group).names)
    payload = {
        "k": group.k,
        "isotropy": args.isotropy,
        "names": names,
        "starts": res.starts,
        "failures": res.failures,
        "search": res.search_json(),
        "points": [p.to_json() for p in res.points],
    }
    rows = []
    for p in res.points:
        rows.append(
            [
                " ".join(f"{x:.6f}" for x in p.coords),
                f"{p.loss:.9f}",
                p.isotropy,
                str(p.isotropy_order) if p.isotropy_order is not None else "-",
                _fmt(p.index),
                p.kind + (f" (set of dim {p.set_dimension})" if p.set_dimension else ""),
                f"{p.spectrum.min_eigenvalue:.6g}",
                ",".join(str(j) for j in p.same_function_as),
            ]
        )
    text = (
        f"Critical points in Fix({group.name}) at k = {group.k:g}  "
        f"(coordinates {', '.join(names)}; {res.starts} starts, {res.failures} failed; "
        + ("saturated" if res.saturated else "not saturated: stopped at the --starts cap")
        + f", estimated chance of a new point per start {res.new_point_probability:.3g})\n"
        + format_table(
            ["#", "coords", "loss", "isotropy", "order", "index", "kind", "min eig", "same f as"],
            [[str(i)] + r for i, r in enumerate(rows)],
        )
    )
    return CommandResult(payload=payload, text=text)


def _fmt(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:.6g}"
