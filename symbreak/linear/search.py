r"""Numerical search for critical points of ``L = ℓ ∘ μ``: multi-start plus Newton.

Each start ``θ_0`` (entries ``N(0, scale²/d_{i−1})``) is driven to a critical
point by one or both of

* ``"minimize"``: BFGS on ``L`` (scipy) (finds minima);
* ``"newton"``: Levenberg–Marquardt on ``∇L(θ) = 0`` with Jacobian ``∇²L``
  (also converges to saddles);

and then polished by :func:`newton_polish`.  Points with
``‖∇L‖ ≤ tolerances.gradient`` are deduplicated by ``μ(θ)`` (and kind) and
classified by :func:`~symbreak.linear.classify`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg
import scipy.optimize

from .._validation import as_finite_real, as_positive_int
from ..solve import solve
from .critical import CriticalPoint, Kind, Tolerances, _analyse, _checked, _label, exact_minimum
from .losses import MatrixLoss
from .network import LinearNetwork
from .objective import ParameterLoss

__all__ = ["PolishResult", "newton_polish", "CriticalPointSearch", "find_critical_points"]

_METHODS = ("both", "minimize", "newton")
_MINIMA = (Kind.GLOBAL_MINIMUM, Kind.LOCAL_MINIMUM)


@dataclass(frozen=True, eq=False)
class PolishResult:
    """Output of :func:`newton_polish`: flat ``theta``, ``‖∇L‖`` and iterations used."""

    theta: np.ndarray
    gradient_norm: float
    iterations: int


def newton_polish(
    objective: ParameterLoss, theta, *, tol: float = 1e-13, max_iter: int = 50
) -> PolishResult:
    r"""Newton's method on ``∇L(θ) = 0`` with the least-squares step.

    The one Newton solver (:func:`symbreak.solve.solve`) with
    ``δ = −(∇²L)^+ ∇L`` (least squares, singular values below ``1e-13`` of
    the largest dropped), halved until ``‖∇L‖`` decreases.  The Hessian is
    singular along the fibres of ``μ``; the minimum-norm step ignores those
    flat directions and converges quadratically to the critical manifold.
    Stops at ``‖∇L‖ ≤ tol``, after ``max_iter`` steps, or when no halving
    decreases ``‖∇L‖``.
    """
    if not isinstance(objective, ParameterLoss):
        raise TypeError(f"objective must be a ParameterLoss, got {type(objective).__name__}")
    max_iter = as_positive_int(max_iter, "max_iter")
    x = objective.network.flatten(theta)
    gn = float(np.linalg.norm(objective.gradient(x)))
    if gn <= tol:
        return PolishResult(theta=x, gradient_norm=gn, iterations=0)
    res = solve(
        lambda y: (objective.gradient(y), objective.hessian(y)),
        x,
        gradient_tol=tol,
        step_tol=np.inf,
        max_iter=max_iter,
        line_search=True,
        lstsq=True,
        norm=np.linalg.norm,
    )
    return PolishResult(theta=res.x, gradient_norm=res.residual, iterations=res.iterations)


@dataclass(frozen=True, eq=False)
class CriticalPointSearch:
    """Result of :func:`find_critical_points`.

    Attributes
    ----------
    points : tuple of CriticalPoint
        Distinct points (by ``μ(θ)`` and kind), by increasing loss; ``count``
        says how many runs reached each.
    runs : int
        Local solves performed.
    converged : int
        Runs that ended at ``‖∇L‖ ≤ tolerances.gradient``.
    global_minimum : float or None
        The reference used to label minima (``None`` if no minimum was found
        and none was supplied).
    reference : str
        ``"exact"`` (Eckart–Young), ``"supplied"`` or ``"best found"``.
    """

    points: tuple[CriticalPoint, ...]
    runs: int
    converged: int
    global_minimum: float | None
    reference: str

    def of_kind(self, kind: Kind) -> tuple[CriticalPoint, ...]:
        """The points with ``point.kind == kind``."""
        return tuple(p for p in self.points if p.kind == Kind(kind))


def _solve(obj: ParameterLoss, x0: np.ndarray, method: str) -> np.ndarray:
    if method == "minimize":
        res = scipy.optimize.minimize(
            obj.value,
            x0,
            jac=obj.gradient,
            method="BFGS",
            options={"maxiter": 5000, "gtol": 1e-10},
        )
        return res.x
    res = scipy.optimize.least_squares(
        obj.gradient, x0, jac=obj.hessian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    return res.x


def find_critical_points(
    network: LinearNetwork,
    loss: MatrixLoss,
    *,
    rng,
    n_starts: int = 20,
    method: str = "both",
    init_scale: float = 1.0,
    global_minimum: float | None = None,
    tolerances: Tolerances | None = None,
) -> CriticalPointSearch:
    r"""Critical points of ``L = ℓ ∘ μ`` from ``n_starts`` random starts.

    Parameters
    ----------
    network : LinearNetwork
    loss : MatrixLoss
    rng : numpy.random.Generator or int
        Source of the starts.
    n_starts : int
    method : {"both", "minimize", "newton"}
        Local solver(s) run from each start (module docstring).
    init_scale : float
        Scale of the starts.
    global_minimum : float, optional
        Reference ``min L``; default :func:`exact_minimum` when it exists, else
        the lowest minimum found (``reference == "best found"``: a local
        minimum is then *non-global* only relative to what the search saw).
    tolerances : Tolerances, optional

    Returns
    -------
    CriticalPointSearch
    """
    obj, _, tol = _checked(network, loss, np.zeros(network.n_params), tolerances)
    n_starts = as_positive_int(n_starts, "n_starts")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    init_scale = as_finite_real(init_scale, "init_scale")
    if init_scale <= 0:
        raise ValueError(f"init_scale must be > 0, got {init_scale}")
    rng = np.random.default_rng(rng)
    methods = ("minimize", "newton") if method == "both" else (method,)

    found: list[CriticalPoint] = []
    runs = converged = 0
    for _ in range(n_starts):
        x0 = network.random_parameters(rng, scale=init_scale)
        for m in methods:
            runs += 1
            polished = newton_polish(obj, _solve(obj, x0, m))
            if not polished.gradient_norm <= tol.gradient:
                continue
            converged += 1
            point = _analyse(obj, polished.theta, tol)
            for j, other in enumerate(found):
                if other.kind == point.kind and _same_matrix(other.matrix, point.matrix):
                    found[j] = replace(other, count=other.count + 1)
                    break
            else:
                found.append(point)

    if global_minimum is not None:
        reference, how = as_finite_real(global_minimum, "global_minimum"), "supplied"
    else:
        reference, how = exact_minimum(network, loss), "exact"
        if reference is None:
            losses = [p.loss for p in found if p.kind in _MINIMA]
            reference, how = (min(losses) if losses else None), "best found"
    points = [_label(p, reference, tol) for p in found]
    points.sort(key=lambda p: (p.loss, p.rank, p.kind.value))
    return CriticalPointSearch(
        points=tuple(points),
        runs=runs,
        converged=converged,
        global_minimum=reference,
        reference=how,
    )


def _same_matrix(A: np.ndarray, B: np.ndarray) -> bool:
    return float(np.linalg.norm(A - B)) <= 1e-6 * max(1.0, float(np.linalg.norm(A)))
