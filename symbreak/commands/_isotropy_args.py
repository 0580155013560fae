"""Arguments shared by the commands that work on a Young-type isotropy group."""

from __future__ import annotations

from ..representation.isotropy import IsotropyGroup
from ._common import parse_real

__all__ = ["add_group_args", "group_from_args", "check_start"]


def add_group_args(parser, *, k_required: bool = True) -> None:
    """``--k K`` (real), ``--isotropy SPEC`` and ``--d D``."""
    parser.add_argument(
        "--k", type=parse_real, required=k_required, help="teacher width k (may be real)"
    )
    parser.add_argument(
        "--isotropy",
        required=True,
        metavar="SPEC",
        help="Young-type isotropy group, e.g. 'k', 'k-1,1', 'k-2,1,1', '5,1', 'k-1,1|1' "
        "(diagonal blocks | extra student rows | extra columns)",
    )
    parser.add_argument("--d", type=parse_real, default=None, help="input dimension (default k)")


def group_from_args(args, k=None) -> IsotropyGroup:
    """Build the group from ``--isotropy``, ``--k`` (or ``k``) and ``--d``."""
    return IsotropyGroup.from_spec(args.isotropy, args.k if k is None else k, d=args.d)


def check_start(group: IsotropyGroup, coords) -> None:
    """Refuse a start point where the loss is not differentiable.

    Raises the compressed model's own error (the same one-line message as
    ``spectrum`` and ``annihilate``: "the rows of block ... are zero ...")
    instead of letting Newton's method fail on it later.
    """
    from ..reduced import ReducedSystem

    system = ReducedSystem(group)
    system.gradient(system.space.check_coords(coords))
