"""All critical points of the loss in the fixed-point space of a Young-type group,
at a given (possibly real) k, each with its exact isotropy, loss, Morse index,
kind and full Hessian spectrum (values, multiplicities, irreps).

JSON: {"k", "isotropy", "names", "points": [{"coords", "isotropy", "loss",
"index", "kind", "spectrum": [{"value", "multiplicity", "irrep"}], ...}]};
"coords" follow the order of "names" (see docs/notation.md)."""

from __future__ import annotations

from ..critical import FixedPointSpace, SearchOptions, find_critical_points
from ..progress import ProgressUpdate
from ._common import CommandResult, add_json_flag, cli_progress, format_table
from ._isotropy_args import add_group_args, group_from_args

NAME = "critical"
HELP = "find and classify the critical points in Fix(H) at a given k"
ORDER = 20


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument("--starts", type=int, default=48, help="random starts (default 48)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random starts")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def run(args) -> CommandResult:
    group = group_from_args(args)
    opts = SearchOptions(starts=args.starts, seed=args.seed)
    bar = cli_progress(args)
    progress = None
    if bar is not None:

        def progress(done, total):  # find_critical_points' callback, drawn by TqdmProgress
            bar(ProgressUpdate("starts", done, total))

    try:
        res = find_critical_points(group, options=opts, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    names = list(FixedPointSpace(group).names)
    payload = {
        "k": group.k,
        "isotropy": args.isotropy,
        "names": names,
        "starts": res.starts,
        "failures": res.failures,
        "points": [p.to_json() for p in res.points],
    }
    rows = []
    for p in res.points:
        rows.append(
            [
                " ".join(f"{x:.6f}" for x in p.coords),
                f"{p.loss:.9f}",
                p.isotropy,
                _fmt(p.index),
                p.kind + (f" (set of dim {p.set_dimension})" if p.set_dimension else ""),
                f"{p.spectrum.min_eigenvalue:.6g}",
            ]
        )
    text = (
        f"Critical points in Fix({group.name}) at k = {group.k:g}  "
        f"(coordinates {', '.join(names)}; {res.starts} starts, {res.failures} failed)\n"
        + format_table(["coords", "loss", "isotropy", "index", "kind", "min eig"], rows)
    )
    return CommandResult(payload=payload, text=text)


def _fmt(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:.6g}"
