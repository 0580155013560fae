r"""Options of the pseudo-arclength continuation (an immutable, validated record).

The continuation works in the variables ``z = (c, θ τ)`` where ``c`` are the
coordinates of ``Fix(H)`` and ``τ = log k`` (default) or ``τ = k``; arclength
``s`` is the Euclidean length in ``z``.  With ``τ = log k`` a step ``ds``
moves ``k`` by a factor of at most ``e^{ds/θ}``, so a branch from ``k = 4`` to
``k = 1000`` needs a number of steps independent of the scale of ``k``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ContinuationOptions"]


def _positive(name: str, value, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _count(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


@dataclass(frozen=True, kw_only=True)
class ContinuationOptions:
    r"""Step control, corrector and event options of :func:`continuation`.

    Parameters
    ----------
    ds : float
        Initial arclength step (in ``z = (c, θτ)``), default 0.02.
    ds_min, ds_max : float
        Bounds of the step; a step that must shrink below ``ds_min`` stops the
        run with :attr:`Status.STEP_UNDERFLOW`.
    max_steps : int
        Accepted steps before the run stops with :attr:`Status.MAX_STEPS`.
    log_k : bool
        Use ``τ = log k`` (default) rather than ``τ = k``.
    theta : float
        Weight ``θ`` of ``τ`` in the arclength ``ds² = |dc|² + θ² dτ²``.
    newton_tol : float
        The corrector has converged when its update satisfies
        ``‖Δz‖_∞ ≤ newton_tol``.
    gradient_tol : float
        …and the gradient of ``L``, per entry of ``W`` (``∂L/∂c_o / |o|``,
        ``|o|`` the orbit size), is at most ``gradient_tol``.
    max_newton : int
        Corrector iterations per step.
    contraction : float
        A corrector whose update does not shrink by this factor from the
        second iteration on is declared divergent (the step is retried with
        half the size).
    grow, shrink : float
        Step factors after an easy step (at most ``fast_newton`` iterations)
        and after a failed or hard one.
    fast_newton, slow_newton : int
        Iteration counts that trigger growth, resp. shrinking, of the step.
    max_angle : float
        Largest angle (radians) between consecutive tangents; a sharper turn
        is rejected and retried with a smaller step (it usually means the
        corrector jumped to another branch).
    detect_events : bool
        Locate zeros of the eigenvalues of every isotypic block ``A_χ``.
    event_tol : float
        Required accuracy of an event's ``k`` (default ``1e-11``; the
        located value satisfies ``|Δk| ≤ event_tol`` unless the event says
        otherwise in ``k_error``).
    touch_tol : float
        An eigenvalue whose absolute value has a local minimum below
        ``touch_tol`` at a branch point without changing sign is examined
        closely: a double crossing inside the step is located as two events,
        a zero without sign change is recorded with kind ``"touch"``.
    touch_zero : float
        A local minimum of ``|λ|`` below this counts as touching zero.
    fd_step : float
        Relative step of the central difference ``∂F/∂k``
        (``h = fd_step · max(1, k)``).
    """

    ds: float = 0.02
    ds_min: float = 1e-7
    ds_max: float = 0.08
    max_steps: int = 5000
    log_k: bool = True
    theta: float = 1.0
    newton_tol: float = 1e-10
    gradient_tol: float = 1e-10
    max_newton: int = 10
    contraction: float = 0.5
    grow: float = 1.5
    shrink: float = 0.5
    fast_newton: int = 3
    slow_newton: int = 6
    max_angle: float = 0.5
    detect_events: bool = True
    event_tol: float = 1e-11
    touch_tol: float = 1e-3
    touch_zero: float = 1e-8
    fd_step: float = 1e-6

    def __post_init__(self) -> None:
        for name in (
            "ds",
            "ds_min",
            "ds_max",
            "theta",
            "newton_tol",
            "gradient_tol",
            "event_tol",
            "touch_tol",
            "touch_zero",
            "fd_step",
            "max_angle",
        ):
            _positive(name, getattr(self, name))
        if not self.ds_min <= self.ds <= self.ds_max:
            raise ValueError(
                f"need ds_min <= ds <= ds_max, got ds_min={self.ds_min}, ds={self.ds}, "
                f"ds_max={self.ds_max}"
            )
        _count("max_steps", self.max_steps, 1)
        _count("max_newton", self.max_newton, 2)
        _count("fast_newton", self.fast_newton, 1)
        _count("slow_newton", self.slow_newton, self.fast_newton + 1)
        for name in ("log_k", "detect_events"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        _positive("contraction", self.contraction)
        if self.contraction >= 1:
            raise ValueError(f"contraction must be < 1, got {self.contraction}")
        _positive("grow", self.grow)
        _positive("shrink", self.shrink)
        if self.grow < 1:
            raise ValueError(f"grow must be >= 1, got {self.grow}")
        if self.shrink >= 1:
            raise ValueError(f"shrink must be < 1, got {self.shrink}")
        if self.max_angle >= math.pi:
            raise ValueError(f"max_angle must be < pi, got {self.max_angle}")
        if self.fd_step > 1e-2:
            raise ValueError(f"fd_step must be small (<= 1e-2), got {self.fd_step}")

    def to_json(self) -> dict:
        """The options as a plain dict (for saved branches)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict) -> ContinuationOptions:
        """Inverse of :meth:`to_json` (unknown keys are an error)."""
        if not isinstance(data, dict):
            raise TypeError("options must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown continuation options {sorted(unknown)}")
        return cls(**data)
