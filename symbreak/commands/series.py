"""Asymptotic series in t = k^(-1/2) of a family of symmetric critical points
(an isotropy spec and a start point at k0): its coordinates, its loss and the
eigenvalues of every Hessian block A_chi, up to t^order beyond the leading
power, with estimated errors.  The family is followed in float64 to k_min,
solved at high precision (mpmath) at Chebyshev points of t in (0, k_min^(-1/2)]
and fitted by least squares (two degrees; their difference is the error).

JSON: {"variable": "k^(-1/2)", "names", "coords": [[c_0, c_1, ...], ...],
"loss": [c_0, c_1, ...], "blocks": [{"irrep", "dimension", "eigenvalues":
[[...], ...], "powers": [p, ...]}], "error": {"max_coefficient_error",
"coefficients": {...}, "tail": {...}, "fit": {...}, "method"}, "status",
"message"}.  loss = sum_j loss[j] t^j; an eigenvalue with power p is
sum_j c_j t^(p + j) (p = -2 for eigenvalues growing like k)."""

from __future__ import annotations

from ..analytic import SeriesOptions, asymptotic_series
from ._common import CommandResult, add_json_flag, format_table, parse_coords, parse_real

NAME = "series"
HELP = "asymptotic series in k^(-1/2) of a family of critical points (coords, loss, blocks)"
ORDER = 70


def configure(parser) -> None:
    parser.add_argument(
        "--isotropy", required=True, metavar="SPEC", help="isotropy spec in terms of k, e.g. k-1,1"
    )
    parser.add_argument(
        "--start", type=parse_coords, required=True, help="point c1,c2,... of the family at k0"
    )
    parser.add_argument("--k0", type=parse_real, required=True, help="k of the start point")
    parser.add_argument("--order", type=int, default=4, help="highest power reported (default 4)")
    parser.add_argument(
        "--k-min", type=parse_real, default=1e4, help="smallest k of the fit window (default 1e4)"
    )
    parser.add_argument(
        "--extra-degree", type=int, default=8, help="fit degree minus order (default 8)"
    )
    parser.add_argument(
        "--dps", type=int, default=40, help="digits kept after cancellations (default 40)"
    )
    parser.add_argument(
        "--extra-dims",
        "--extra-columns",  # its former name
        dest="extra_dims",
        type=parse_real,
        default=0.0,
        help="d - k, kept fixed (default 0)",
    )
    add_json_flag(parser)


def run(args) -> CommandResult:
    opts = SeriesOptions(k_min=args.k_min, extra_degree=args.extra_degree, dps=args.dps)
    res = asymptotic_series(
        args.isotropy,
        args.start,
        k0=args.k0,
        order=args.order,
        extra_dims=args.extra_dims,
        options=opts,
    )
    payload = res.to_json()
    if not res.ok:
        return CommandResult(
            payload=payload,
            text=f"series of Fix({args.isotropy}) failed: {res.message}",
            exit_code=1,
        )
    rows = []
    for name, s in res.all_series():
        coeffs = " ".join(f"{c:.12g}" for c in s.coefficients)
        rows.append([name, s.power, coeffs, f"{max(s.errors):.1e}"])
    fit = res.fit
    text = (
        f"Series in t = k^(-1/2) of the family in Fix({args.isotropy}) through k0 = {args.k0:g}\n"
        f"(q = sum_j c_j t^(p+j), j = 0..{res.order}; fit of degree {fit.degree} to "
        f"{fit.samples} solves with k in [{fit.k_min:.3g}, {fit.k_max:.3g}] at {fit.dps} digits)\n"
        + format_table(["quantity", "p", "coefficients c_0 c_1 ...", "max err"], rows)
    )
    return CommandResult(payload=payload, text=text)
