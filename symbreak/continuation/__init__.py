"""Continuation of symmetric critical points through real ``k``, with events per isotypic block.

:func:`continuation` follows a critical point of the reduced system in ``k``
(pseudo-arclength, through folds) and locates the zeros of the eigenvalues of
every Hessian block ``A_χ`` (:mod:`~symbreak.continuation.events`);
:func:`switch_branch` starts the branches that bifurcate at a
symmetry-breaking event (equivariant branching lemma).
"""

from .branch import (
    EVENT_KIND_HELP,
    EVENT_KINDS,
    BlockChange,
    Branch,
    BranchPoint,
    Event,
    EventBlock,
)
from .events import UnlocatedEventWarning, check_branch
from .family import KFamily
from .options import ContinuationOptions
from .pseudo_arclength import branch_point_at, continuation
from .refinement import Refinement, refine
from .status import Status
from .switching import AxialSubgroup, SwitchResult, axial_subgroups, switch_branch

__all__ = [
    "EVENT_KINDS",
    "EVENT_KIND_HELP",
    "AxialSubgroup",
    "BlockChange",
    "Branch",
    "BranchPoint",
    "ContinuationOptions",
    "Event",
    "EventBlock",
    "KFamily",
    "Refinement",
    "Status",
    "SwitchResult",
    "UnlocatedEventWarning",
    "axial_subgroups",
    "branch_point_at",
    "check_branch",
    "continuation",
    "refine",
    "switch_branch",
]
