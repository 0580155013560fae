"""Full Hessian spectrum (values, exact multiplicities, irrep labels) at a given
point of the fixed-point space of a Young-type group, from the isotypic blocks
A_chi: the cost does not depend on k, and k may be real.  No solving is done:
the point need not be critical (its gradient norm is reported).

Eigenvalues are printed with the digits that float64 round-off leaves
correct: each carries an absolute error of about eps times the largest
eigenvalue (which grows like k/4), reported as "eigenvalue_error".

JSON: {"k", "isotropy", "coords", "loss", "gradient_norm", "index",
"spectrum": [{"value", "multiplicity", "irrep"}], "eigenvalue_error"}."""

from __future__ import annotations

import numpy as np

from ..reduced import ReducedSystem
from ..spectrum import analytic_spectrum
from ._common import (
    CommandResult,
    add_json_flag,
    eigenvalue_error,
    format_count,
    format_table,
    format_with_error,
    parse_coords,
)
from ._isotropy_args import add_group_args, group_from_args

NAME = "spectrum"
HELP = "analytic Hessian spectrum at a point of Fix(H) (any k, even real)"
ORDER = 30


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument(
        "--coords", type=parse_coords, required=True, help="point c1,c2,... in Fix(H) order"
    )
    add_json_flag(parser)


def run(args) -> CommandResult:
    group = group_from_args(args)
    system = ReducedSystem(group)
    coords = system.space.check_coords(args.coords)
    spec = analytic_spectrum(group, coords)
    err = eigenvalue_error(e.value for e in spec.entries)
    loss = system.loss(coords)
    gnorm = float(np.linalg.norm(system.gradient(coords)))
    payload = {
        "k": group.k,
        "isotropy": args.isotropy,
        "names": list(system.space.names),
        "coords": coords.tolist(),
        "loss": loss,
        "gradient_norm": gnorm,
        "index": spec.index,
        "spectrum": spec.to_json(),
        "eigenvalue_error": err,
    }
    rows = [
        [format_with_error(e.value, err), format_count(e.multiplicity), e.irrep]
        for e in spec.entries
    ]
    text = (
        f"Hessian spectrum in Fix({group.name}) at k = {group.k:g}, "
        f"{', '.join(system.space.names)} = {', '.join(f'{x:g}' for x in coords)}\n"
        f"loss {loss:.10g}, |grad| {gnorm:.3g}, index {format_count(spec.index)}; "
        f"eigenvalues to ±{err:.1e} (float64 round-off; only correct digits shown)\n"
        + format_table(["value", "multiplicity", "irrep"], rows)
    )
    return CommandResult(payload=payload, text=text)
