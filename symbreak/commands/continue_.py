"""Continue a critical point of the loss in the fixed-point space of a Young-type
group through real k, from K0 to K1 (downward when K1 < K0), by pseudo-arclength
continuation; record every step and locate every event: a zero of an eigenvalue
of an isotypic Hessian block (fold for the trivial block, symmetry-breaking
otherwise, "touch" when it does not cross), with its irrep, multiplicity and
the index before and after.

JSON: {"status", "message", "isotropy", "names", "k0", "k1",
"branch": [{"k", "coords", "loss", "index"}],
"events": [{"kind", "k", "irrep", "multiplicity", "index_before", "index_after",
"coords"}]}; with --switch also "switched": the branches started at each
symmetry-breaking event.  Exit status 0 when the run completed or left the
window after a fold, 1 when it stopped early (the message says why)."""

from __future__ import annotations

import sys

from ..continuation import ContinuationOptions, Status, continuation
from ..continuation.switching import switch_branch
from ._common import CommandResult, add_json_flag, format_table, parse_coords, parse_real

NAME = "continue"
HELP = "continue a critical point through real k: index changes, folds, symmetry breaking"
ORDER = 40


def configure(parser) -> None:
    parser.add_argument(
        "--isotropy",
        required=True,
        metavar="SPEC",
        help="Young-type isotropy group with sizes in terms of k, e.g. 'k-1,1', 'k-2,1,1'",
    )
    parser.add_argument(
        "--start", type=parse_coords, required=True, help="critical point c1,c2,... at k0"
    )
    parser.add_argument("--k0", type=parse_real, required=True, help="k of the start point")
    parser.add_argument("--k1", type=parse_real, required=True, help="where to continue to")
    parser.add_argument(
        "--extra-dims",
        "--d-extra",  # its former name
        dest="extra_dims",
        type=parse_real,
        default=0.0,
        help="extra input dimensions d - k, held fixed (default 0)",
    )
    parser.add_argument("--ds", type=parse_real, default=None, help="initial arclength step")
    parser.add_argument("--ds-max", type=parse_real, default=None, help="largest step")
    parser.add_argument("--max-steps", type=int, default=None, help="cap on accepted steps")
    parser.add_argument(
        "--switch",
        action="store_true",
        help="also follow the branches that bifurcate at each symmetry-breaking event",
    )
    parser.add_argument("--save", metavar="FILE", default=None, help="save the branch (JSON)")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def _options(args) -> ContinuationOptions:
    kw = {}
    if args.ds is not None:
        kw["ds"] = args.ds
    if args.ds_max is not None:
        kw["ds_max"] = args.ds_max
        kw.setdefault("ds", min(ContinuationOptions().ds, args.ds_max))
    if args.max_steps is not None:
        kw["max_steps"] = args.max_steps
    return ContinuationOptions(**kw)


def _progress(args):
    if args.quiet or (args.json and not sys.stderr.isatty()):
        return None
    tty = sys.stderr.isatty()

    def progress(update):
        step, k, index = update.done, update.info["k"], update.info["index"]
        if tty:
            print(f"\rstep {step:5d}  k = {k:<14.8g} index {index:<10.6g}", end="", file=sys.stderr)
        elif step % 50 == 0:
            print(f"step {step}  k = {k:.8g}  index {index:.6g}", file=sys.stderr)

    return progress


def _fmt(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:.6g}"


def run(args) -> CommandResult:
    opts = _options(args)
    progress = _progress(args)
    branch = continuation(
        args.isotropy,
        args.start,
        k0=args.k0,
        k1=args.k1,
        extra_dims=args.extra_dims,
        options=opts,
        progress=progress,
    )
    if progress is not None and sys.stderr.isatty():
        print(file=sys.stderr)
    payload = branch.to_json(full=False)
    switched = []
    if args.switch:
        for ev in branch.events:
            if ev.kind != "symmetry_breaking":
                continue
            try:
                res = switch_branch(branch, ev, progress=progress)
            except ValueError as exc:
                switched.append({"event_k": ev.k, "irrep": ev.irrep, "error": str(exc)})
                continue
            for b in res.branches:
                d = b.to_json(full=False)
                d.update(event_k=ev.k, irrep=ev.irrep, origin=b.origin)
                switched.append(d)
        payload["switched"] = switched
    if args.save:
        branch.save(args.save)
        payload["saved"] = str(args.save)
    text = _text(branch, switched)
    ok = branch.status in (Status.COMPLETED, Status.LEFT_WINDOW)
    return CommandResult(payload=payload, text=text, exit_code=0 if ok else 1)


def _text(branch, switched) -> str:
    lines = [
        f"Continuation in Fix({branch.spec}) from k = {branch.k0:g} to k = {branch.k1:g}: "
        f"{len(branch.points)} points, status {branch.status.value}",
        branch.message,
    ]
    if branch.points:
        p0, p1 = branch.points[0], branch.points[-1]
        lines.append(
            f"start k = {p0.k:g}: loss {p0.loss:.10g}, index {_fmt(p0.index)};  "
            f"end k = {p1.k:.10g}: loss {p1.loss:.10g}, index {_fmt(p1.index)}"
        )
    if branch.events:
        rows = [
            [
                e.kind,
                f"{e.k:.12g}",
                e.irrep,
                _fmt(e.multiplicity),
                _fmt(e.index_before),
                _fmt(e.index_after),
            ]
            for e in branch.events
        ]
        lines.append(
            format_table(["kind", "k", "irrep", "multiplicity", "index before", "after"], rows)
        )
    else:
        lines.append("no events")
    for s in switched:
        if "error" in s:
            lines.append(f"switching at k = {s['event_k']:.10g}: {s['error']}")
        else:
            lines.append(
                f"{s['origin']}: {len(s['branch'])} points, status {s['status']}, "
                f"{len(s['events'])} events"
            )
    return "\n".join(lines)
