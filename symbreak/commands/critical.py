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

from ..critical import FixedPointSpace, SearchOptions, find_critical_points
from ..critical.prove import ProveOptions
from ._common import CommandResult, add_json_flag, cli_progress, format_table
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
    prove = parser.add_argument_group("proof of completeness (--prove)")
    prove.add_argument(
        "--prove",
        action="store_true",
        help="prove that the list of critical points with loss <= --max-loss is complete "
        "(interval branch-and-bound; needs python-flint)",
    )
    prove.add_argument("--workers", type=int, default=1, help="processes for the proof (default 1)")
    prove.add_argument(
        "--max-boxes", type=int, default=10_000_000, help="box budget of the proof (default 1e7)"
    )
    prove.add_argument(
        "--frontier",
        default=None,
        metavar="PATH",
        help="JSON file holding the proof's open boxes; written as it runs, resumed if it exists",
    )
    prove.add_argument(
        "--force", action="store_true", help="run the proof even where it is estimated out of reach"
    )
    add_json_flag(parser)


def run(args) -> CommandResult:
    group = group_from_args(args)
    opts = SearchOptions(starts=args.starts, seed=args.seed, max_loss=args.max_loss)
    progress = cli_progress(args)
    prove_options = None
    if args.prove:
        if args.max_loss is None:
            raise ValueError("--prove needs --max-loss L0 (the loss level of the proof)")
        prove_options = ProveOptions(
            workers=args.workers,
            max_boxes=args.max_boxes,
            frontier=args.frontier,
            force=args.force,
        )
    try:
        res = find_critical_points(
            group, options=opts, progress=progress, prove=args.prove, prove_options=prove_options
        )
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
    if res.proof is not None:
        payload["search"] = {**payload["search"], **res.proof.search_record()}
        for point, cert in zip(payload["points"], res.proof.points):
            point["certificate"] = cert.to_json()
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
    if res.proof is not None:  # the list comes from the proof, not from a search
        how = "found by the branch-and-bound of --prove"
    else:
        how = (
            f"{res.starts} starts, {res.failures} failed; "
            + ("saturated" if res.saturated else "not saturated: stopped at the --starts cap")
            + f", estimated chance of a new point per start {res.new_point_probability:.3g}"
        )
    text = (
        f"Critical points in Fix({group.name}) at k = {group.k:g}  "
        f"(coordinates {', '.join(names)}; {how})\n"
        + format_table(
            ["#", "coords", "loss", "isotropy", "order", "index", "kind", "min eig", "same f as"],
            [[str(i)] + r for i, r in enumerate(rows)],
        )
    )
    if res.proof is not None:
        text += "\n" + _proof_text(res.proof)
    return CommandResult(payload=payload, text=text)


def _proof_text(proof) -> str:
    head = (
        f"PROVED COMPLETE below loss {proof.max_loss:g}: exactly these {len(proof.points)} "
        "critical points (each in a Krawczyk box)"
        if proof.complete
        else f"NOT proved complete below loss {proof.max_loss:g}: "
        f"{len(proof.undecided)} undecided box(es), volume {proof.undecided_volume:.3g}"
    )
    lines = [
        head,
        f"{proof.boxes} boxes, CPU {proof.cpu_time:.1f} s; excluded by "
        + ", ".join(f"{k} {v}" for k, v in proof.excluded.items()),
    ]
    lines += [f"note: {n}" for n in proof.notes]
    lines += [
        f"certificate {i + 1}: {c.kind}, loss in [{c.loss[0]:.10f}, {c.loss[1]:.10f}], "
        f"box radius {c.box_radius:.2g}"
        for i, c in enumerate(proof.points)
    ]
    return "\n".join(lines)


def _fmt(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:.6g}"
