"""Why a continuation run stopped, with a message that says what to do."""

from __future__ import annotations

import enum

__all__ = ["Status"]


class Status(enum.Enum):
    """Outcome of :func:`~symbreak.continuation.continuation`.

    The value is the string used in JSON; :attr:`message` explains the outcome
    and what to do about it; :attr:`success` is True for ``completed`` only.
    """

    COMPLETED = "completed"
    LEFT_WINDOW = "left_window"
    START_NOT_CRITICAL = "start_not_critical"
    NEWTON_FAILED = "newton_failed"
    STEP_UNDERFLOW = "step_underflow"
    DOMAIN_BOUNDARY = "domain_boundary"
    MAX_STEPS = "max_steps"

    @property
    def success(self) -> bool:
        return self is Status.COMPLETED

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Status.COMPLETED: "reached the end of the window (k1); continue further by calling "
    "continuation again from the last point",
    Status.LEFT_WINDOW: "the branch turned back at a fold and left the window through its other "
    "end; the fold is in the events; widen the window (a smaller k0 or larger k1) to follow it, "
    "or continue from the last point towards the other end",
    Status.START_NOT_CRITICAL: "Newton's method at fixed k0 did not converge from the start "
    "coordinates: give a point closer to a critical point (more digits, or polish it with "
    "'symbreak critical' at that k) and check the isotropy spec and the coordinate order",
    Status.NEWTON_FAILED: "the corrector failed at the smallest allowed step: the branch may end "
    "at a singular point (a row of W tends to zero or rows collide); inspect the last points, "
    "lower ds_min, or restart from the last point with a smaller ds",
    Status.STEP_UNDERFLOW: "the step size fell below ds_min (the branch turns very sharply or the "
    "corrector keeps failing): lower ds_min or max_angle, or restart from the last point",
    Status.DOMAIN_BOUNDARY: "the branch reached the edge of the domain: a block given in terms of "
    "k shrank to size 1, or a row of W became zero (L is not differentiable there); continue in a "
    "group whose blocks stay larger than 1, or stop here",
    Status.MAX_STEPS: "max_steps accepted steps were taken before reaching k1: raise max_steps or "
    "ds_max, or continue from the last point",
}
