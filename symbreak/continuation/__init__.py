"""Continuation of symmetric critical points through real ``k``, with events per isotypic block.

:func:`continue_branch` follows a critical point of the reduced system in ``k``
(pseudo-arclength, through folds) and locates the zeros of the eigenvalues of
every Hessian block ``A_χ`` (:mod:`~symbreak.continuation.events`);
:func:`switch_branch` starts the branches that bifurcate at a
symmetry-breaking event (equivariant branching lemma).  The
parameter-generic core (:func:`~symbreak.continuation.arclength.follow`, any
curve ``F(x, λ) = 0``) is in :mod:`~symbreak.continuation.arclength`.

``symbreak.continuation`` is this subpackage; the function is
:func:`continue_branch` (also ``symbreak.continue_branch``).  Calling the
subpackage itself, ``symbreak.continuation(...)`` (the spelling
``from symbreak import continuation`` used to give), still works with a
:class:`DeprecationWarning`.
"""

import sys
import types
import warnings

from .arclength import Path, follow
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
from .pseudo_arclength import branch_point_at, continuation, continue_branch
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
    "Path",
    "branch_point_at",
    "check_branch",
    "continuation",
    "continue_branch",
    "follow",
    "refine",
    "switch_branch",
]


class _CallableSubpackage(types.ModuleType):
    """``symbreak.continuation(...)`` → :func:`continue_branch`, with a deprecation warning."""

    def __call__(self, *args, **kwargs):
        warnings.warn(
            "calling the subpackage symbreak.continuation is deprecated: call "
            "symbreak.continue_branch (the same function)",
            DeprecationWarning,
            stacklevel=2,
        )
        return continue_branch(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableSubpackage
