"""Computer-assisted proof for a symmetric critical point at integer or real k:
Newton from the start point, then interval (ball) arithmetic on the compressed
model proves that exactly one critical point lies in a stated box of the
reduced coordinates (Krawczyk) and encloses the eigenvalues of every Hessian
block A_chi there.  kind = "minimum" when every block is certified positive
definite, "saddle" when some block has a certified negative eigenvalue
(the message names the irrep), "undecided" otherwise (with the reason).

With --crossing A,B also an interval of k in [A, B] in which the smallest
eigenvalue of a block crosses zero along the family through this point.

JSON: {"exists", "box_radius", "kind", "index", "blocks": [{"irrep",
"dimension", "lower", "upper", "eigenvalues": [[lo, hi], ...]}], "box",
"enclosure", "center", "loss", "message", "crossing"?}; "lower"/"upper"
bound the smallest eigenvalue of the block."""

from __future__ import annotations

from ..analytic import eigenvalue_crossing
from ..certify import certify_critical_point, flint_available
from ._common import CommandResult, add_json_flag, format_table, parse_coords, parse_real
from ._isotropy_args import add_group_args, group_from_args

NAME = "certify"
HELP = (
    "prove existence and kind (minimum/saddle) of a symmetric critical point (interval arithmetic)"
)
ORDER = 80


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument(
        "--start", type=parse_coords, required=True, help="candidate point c1,c2,... in Fix(H)"
    )
    parser.add_argument(
        "--no-polish",
        action="store_true",
        help="centre the box at --start itself (no Newton steps first)",
    )
    parser.add_argument(
        "--max-radius", type=parse_real, default=1e-4, help="largest box half-width (default 1e-4)"
    )
    parser.add_argument(
        "--prec", type=int, default=128, help="bits of ball arithmetic (default 128)"
    )
    parser.add_argument(
        "--crossing",
        type=parse_coords,
        default=None,
        metavar="A,B",
        help="also enclose the k in [A, B] where a block eigenvalue of the family crosses 0",
    )
    parser.add_argument(
        "--irrep", default=None, help="block for --crossing (default: the one changing sign)"
    )
    add_json_flag(parser)


def run(args) -> CommandResult:
    if not flint_available():
        raise ValueError("certify needs python-flint for ball arithmetic: pip install python-flint")
    group = group_from_args(args)
    cert = certify_critical_point(
        group,
        args.start,
        polish=not args.no_polish,
        max_radius=args.max_radius,
        prec=args.prec,
    )
    payload = cert.to_json()
    cross = None
    if args.crossing is not None:
        if len(args.crossing) != 2:
            raise ValueError(f"--crossing takes two numbers A,B, got {args.crossing}")
        extra = group.d - group.k
        cross = eigenvalue_crossing(
            args.isotropy,
            args.start,
            k0=group.k,
            k_bracket=tuple(args.crossing),
            irrep=args.irrep,
            extra_dims=extra,
            prec=args.prec,
        )
        payload["crossing"] = cross.to_json()
    rows = []
    for b in cert.blocks:
        rows.append(
            [
                b.label,
                b.dimension,
                f"{b.lower:.10g}" if b.eigenvalues else "-",
                f"{b.upper:.10g}" if b.eigenvalues else "-",
                b.message or ("> 0" if b.positive_definite else ""),
            ]
        )
    lines = [
        f"Certificate in Fix({group.name}) at k = {group.k:g}: "
        f"{'a critical point exists' if cert.exists else 'existence NOT proven'}",
    ]
    if cert.exists:
        lines.append(
            f"unique zero of the reduced gradient in the box of radius {cert.box_radius:.3g} "
            "around " + ", ".join(f"{n} = {c:.15g}" for n, c in zip(cert.names, cert.center))
        )
        if cert.loss is not None:
            lines.append(f"loss in [{cert.loss[0]:.15g}, {cert.loss[1]:.15g}]")
    idx = "" if cert.index is None else f", index {cert.index}"
    lines.append(f"kind: {cert.kind}{idx}" + (f" ({cert.message})" if cert.message else ""))
    lines.append(format_table(["block", "dim", "lower(min eig)", "upper(min eig)", "note"], rows))
    if cross is not None:
        if cross.certified:
            lines.append(
                f"eigenvalue crossing of {cross.irrep}: k in [{cross.k_lo:.15g}, {cross.k_hi:.15g}]"
                f" ({cross.direction})"
            )
        else:
            lines.append(f"eigenvalue crossing not certified: {cross.message}")
    return CommandResult(payload=payload, text="\n".join(lines))
