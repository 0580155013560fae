"""Forced symmetry breaking: follow a symmetric critical point of the teacher V = I
to the perturbed teacher V = I + eps E by pseudo-arclength continuation in eps on the
dense closed-form model (integer k; practical up to k ~ 40), or, for a structured E
(invariant under a Young subgroup H' of the isotropy), on the compressed model of
Fix(H') (cost independent of k; k may be real).  Reports the branch,
the events in eps (folds, branch points: index changes located to 1e-10) and, for
every eigenvalue cluster of the symmetric point, its first-order splitting
eig(P^T dH/deps P) next to the computed eigenvalues at eps.

--direction random: i.i.d. Gaussian entries (--seed, default 0) scaled to unit
Frobenius norm; --direction FILE.npy: a (k, d) array, used as given;
--direction structured[:SUBSPEC] --e-coords c1,c2,...: E in Fix(H') given by its
coordinates (the teacher coordinates of Fix(H'), in the order of 'symbreak
critical'; used as given), H' = SUBSPEC (default: the --isotropy itself), whose
blocks cut those of --isotropy into consecutive parts, e.g. --isotropy k-1,1
--direction structured:k-2,1,1.  The structured path runs on the compressed model.

JSON: {"status", "message", "k", "isotropy", "eps_target", "survives_until",
"branch": [{"eps", "loss", "index", "min_eig", "W"}],
"events": [{"kind", "eps", "index_before", "index_after", "eigenvalue", "W"}],
"clusters": [{"value", "multiplicity", "irrep", "first_order", "at_eps", "eps",
"predicted"}], "direction"}.  "at_eps" are the cluster's eigenvalues at the target
eps, or at the last point before the branch turned back at a fold ("eps" says
where); "survives_until" is the eps of the first event (null if none).
Structured path ("model": "compressed"): "W" of a branch point or event is the
coordinate vector in Fix(H') (names in "coordinates"), "W_dense" the dense matrix
for integer k <= 40 (else null); "subgroup" is H'; an event has "irrep" (the block
of H' that crosses zero); a cluster lists one "first_order"/"at_eps" value per
part, with "parts": [{"irrep", "multiplicity", "first_order", "at_eps"}] (the
blocks of H' it splits into); "direction" is the coordinate vector of E.  Exit
status 0 when the run completed or turned back at a fold, 1 otherwise."""

from __future__ import annotations

import sys

import numpy as np

from ..continuation import Status
from ..continuation.perturb import StructuredDirection, perturb, random_direction
from ..overparam import polish
from ._common import (
    CommandResult,
    add_json_flag,
    format_count,
    format_table,
    parse_coords,
    parse_real,
)
from ._isotropy_args import add_group_args, group_from_args

NAME = "perturb"
HELP = "perturbed teacher V = I + eps E: follow a critical point in eps, split its spectrum"
ORDER = 55


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument(
        "--start", type=parse_coords, required=True, help="critical point c1,c2,... at k"
    )
    parser.add_argument(
        "--direction",
        required=True,
        metavar="{random,FILE.npy,structured[:SUBSPEC]}",
        help="perturbation E: 'random' (Gaussian, unit Frobenius norm), a (k, d) .npy file, "
        "or 'structured[:SUBSPEC]' (E in Fix(H'), H' = SUBSPEC, default the --isotropy; "
        "give --e-coords; compressed model, real k allowed)",
    )
    parser.add_argument(
        "--e-coords",
        type=parse_coords,
        default=None,
        metavar="c1,c2,...",
        help="with --direction structured: E's teacher coordinates in Fix(H')",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random direction")
    parser.add_argument("--eps", type=parse_real, required=True, help="target eps (non-zero)")
    parser.add_argument("--plot", metavar="FILE", default=None, help="save eigenvalues vs eps")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def _structured(args, group) -> StructuredDirection | None:
    """The structured direction of ``--direction structured[:SUBSPEC] --e-coords``, or None."""
    kind, _, sub = args.direction.partition(":")
    if kind != "structured":
        if args.e_coords is not None:
            raise ValueError("--e-coords goes with --direction structured[:SUBSPEC]")
        return None
    if args.e_coords is None:
        raise ValueError("--direction structured needs --e-coords c1,c2,... (E in Fix(H'))")
    direction = StructuredDirection(sub.strip() or args.isotropy, tuple(args.e_coords))
    direction.group_for(group)  # H′ ⊂ H and the number of coordinates, checked early
    return direction


def _direction(args, k: int, d: int) -> np.ndarray:
    if args.direction == "random":
        return random_direction(k, d, seed=args.seed)
    if not args.direction.endswith(".npy"):
        raise ValueError(
            "--direction must be 'random' or a .npy file (or 'structured[:SUBSPEC]' with "
            f"--e-coords), got {args.direction!r}"
        )
    try:
        E = np.load(args.direction, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read --direction {args.direction}: {exc}") from None
    if E.shape != (k, d) or not np.issubdtype(E.dtype, np.number):
        raise ValueError(f"--direction must hold a real ({k}, {d}) array, got {E.dtype} {E.shape}")
    return np.asarray(E, dtype=float)


def _progress(args):
    if args.quiet or args.json or not sys.stderr.isatty():
        return None

    def progress(update):
        eps, index = update.info["eps"], update.info["index"]
        print(f"\rstep {update.done:5d}  eps = {eps:<14.8g} index {index}", end="", file=sys.stderr)

    return progress


def run(args) -> CommandResult:
    group = group_from_args(args)
    E = _structured(args, group)
    if E is None:
        if not group.is_integral:
            raise ValueError(
                f"--k must be an integer for the dense model, got {args.k:g} (a structured "
                "direction, --direction structured, runs on the compressed model at any k)"
            )
        n, d = group.shape
        E = _direction(args, int(round(group.k)), d)
    coords = polish(group, args.start)
    progress = _progress(args)
    res = perturb(group, coords, E, args.eps, progress=progress)
    if progress is not None:
        print(file=sys.stderr)
    payload = res.to_json()
    payload["seed"] = args.seed if args.direction == "random" else None
    if isinstance(E, StructuredDirection):
        payload.pop("seed")
    if args.plot:
        from ..plotting import perturbation_plot, require_matplotlib

        ax = perturbation_plot(res, title=f"Fix({group.name}) at k = {group.k:g}")
        ax.figure.savefig(args.plot, dpi=150)
        require_matplotlib().close(ax.figure)
        payload["plot"] = str(args.plot)
    ok = res.status in (Status.COMPLETED, Status.LEFT_WINDOW)
    return CommandResult(payload=payload, text=_text(res), exit_code=0 if ok else 1)


def _text(res) -> str:
    p0, far = res.branch[0], max(res.branch, key=lambda p: abs(p.eps))
    structured = hasattr(res, "subgroup")
    where = f"Fix({res.isotropy}) at k = {res.k:g}"
    if structured:
        where += f", E in Fix({res.subgroup}) (compressed model)"
    lines = [
        f"{where}, teacher I + eps E up to eps = {res.eps_target:g}: "
        f"{len(res.branch)} points, status {res.status.value}",
        res.message,
        f"eps = 0: loss {p0.loss:.10g}, index {format_count(p0.index)};  farthest eps = "
        f"{far.eps:.10g}: loss {far.loss:.10g}, index {format_count(far.index)}",
    ]
    if res.events:
        head = ["kind", "eps", "index before", "after"] + (["block of H'"] if structured else [])
        lines.append(
            format_table(
                head,
                [
                    [e.kind, f"{e.eps:.12g}", format_count(e.index_before)]
                    + [format_count(e.index_after)]
                    + ([e.irrep] if structured else [])
                    for e in res.events
                ],
            )
        )
    else:
        lines.append("no events (the index does not change)")
    rows = []
    for c in res.clusters:
        parts = c.parts if structured else [None]
        for i, part in enumerate(parts):
            first = (
                f"{part.first_order:.4g}"
                if structured
                else f"{min(c.first_order):.4g} .. {max(c.first_order):.4g}"
            )
            at = (
                f"{part.at_eps:.6g}"
                if structured
                else f"{min(c.at_eps):.6g} .. {max(c.at_eps):.6g}"
            )
            head = [f"{c.value:.6g}", format_count(c.multiplicity), c.irrep] if i == 0 else [""] * 3
            tail = [part.irrep, format_count(part.multiplicity)] if structured else []
            rows.append(head + tail + [first, at])
    cols = ["value", "mult", "irrep"] + (["part (irrep of H')", "mult"] if structured else [])
    lines.append(f"clusters (eigenvalues at eps = {res.clusters[0].eps:.6g}):")
    lines.append(format_table(cols + ["first order (d/deps)", "at eps"], rows))
    return "\n".join(lines)
