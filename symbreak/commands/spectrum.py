"""Full Hessian spectrum (values, exact multiplicities, irrep labels) at a given
point of the fixed-point space of a Young-type group, from the isotypic blocks
A_chi: the cost does not depend on k, and k may be real.  No solving is done:
the point need not be critical (its gradient norm is reported).

JSON: {"k", "isotropy", "coords", "loss", "gradient_norm", "index",
"spectrum": [{"value", "multiplicity", "irrep"}]}."""

from __future__ import annotations

import numpy as np

from ..reduced import ReducedSystem
from ..spectrum import analytic_spectrum
from ._common import CommandResult, add_json_flag, format_table, parse_coords
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
    }
    rows = [[f"{e.value:.12g}", _fmt(e.multiplicity), e.irrep] for e in spec.entries]
    text = (
        f"Hessian spectrum in Fix({group.name}) at k = {group.k:g}, "
        f"{', '.join(system.space.names)} = {', '.join(f'{x:g}' for x in coords)}\n"
        f"loss {loss:.10g}, |grad| {gnorm:.3g}, index {_fmt(spec.index)}\n"
        + format_table(["value", "multiplicity", "irrep"], rows)
    )
    return CommandResult(payload=payload, text=text)


def _fmt(x) -> str:
    return str(x) if isinstance(x, int) else f"{x:.6g}"
