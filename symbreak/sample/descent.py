r"""Batched gradient descent on the dense model, with a Newton shortcut that keeps the limit.

Many runs advance together: the students are one array of shape ``(R, n, d)``
and each iteration evaluates the closed-form gradient of all active runs at
once (:func:`symbreak.model.teacher_student.gradient_stack`); runs that stop
leave the array (an active-run mask, no Python loop over runs).

Stopping rule (the published protocol): ``‖∇L(W_t)‖_F ≤ gtol``.

The Newton shortcut
-------------------
Plain gradient descent ``W_{t+1} = W_t − η∇L(W_t)`` converges linearly, at
rate ``1 − ηλ_min`` near a minimum whose smallest Hessian eigenvalue is
``λ_min``; for the slow families this takes tens of thousands of steps.  Once
``‖∇L(W_t)‖ ≤ newton_gtol`` the run tries to jump to its limit:

1. Newton's method from ``W_t`` gives ``W*`` with ``‖∇L(W*)‖_F ≤ gtol`` (the
   same criterion gradient descent would stop at).
2. ``W*`` is accepted only if gradient descent from ``W_t`` provably goes
   there.  With ``μ`` and ``Λ`` the extreme eigenvalues of ``∇²L(W*)``
   (dense ``eigvalsh``):

   * ``μ > 10⁻⁷·max(1, Λ)``: a strict, isolated minimum (descent does not
     converge to a saddle from an open set of starts, and on a degenerate
     limit set only descent itself decides which point it reaches);
   * ``‖W_t − W*‖_F ≤ 2‖∇L(W_t)‖_F/μ``: ``W*`` lies in the ball where
     gradient descent is heading (the linearisation predicts
     ``‖W_t − W*‖ ≤ ‖∇L(W_t)‖/μ``);
   * at ``W_t``, at the midpoint and at ``W*`` the Hessian satisfies
     ``μ/2 · I ≼ ∇²L ≺ (2/η) I`` (Cholesky factorisations of
     ``∇²L − μ/2·I`` and ``2/η·I − ∇²L``).

   Then the gradient-descent map ``T(W) = W − η∇L(W)`` has
   ``‖I − η∇²L‖ < 1`` on the segment from ``W_t`` to ``W*``; with the Hessian
   Lipschitz there (it is smooth away from zero and parallel rows, and the
   ball is small) ``T`` is a contraction of the ball ``B(W*, ‖W_t − W*‖)``
   into itself with fixed point ``W*``: every later iterate stays in the ball
   and the descent limit is ``W*``.
3. Otherwise the run continues with gradient descent and tries again once its
   gradient norm has dropped by a further factor ``newton_retry``; a run for
   which no try succeeds (a degenerate minimum, a saddle region) is finished
   by gradient descent alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ..errors import DomainError
from ..model.teacher_student import TeacherStudent, gradient_stack, loss_stack
from .options import SampleOptions

__all__ = ["DescentResult", "descend", "newton_shortcut", "STATUSES"]

#: per-run outcome of :func:`descend`
STATUSES = ("converged", "max_iter", "zero_row", "diverged")

#: the shortcut needs ``λ_min > _MIN_EIG_RTOL · max(1, λ_max)``: a numerically zero
#: eigenvalue means a non-isolated limit, whose point gradient descent picks is its own
_MIN_EIG_RTOL = 1e-7

_QUIET = {"over": "ignore", "divide": "ignore", "invalid": "ignore", "under": "ignore"}


@dataclass(frozen=True)
class DescentResult:
    """Final state of a batch of gradient-descent runs (arrays indexed by run).

    Attributes
    ----------
    W : ndarray, shape (R, n, d)
        Limit points (or the last iterate of a run that did not converge).
    loss, grad_norm : ndarray, shape (R,)
        ``L`` and ``‖∇L‖_F`` there.
    iterations : ndarray of int, shape (R,)
        Gradient-descent steps taken.
    status : ndarray of str, shape (R,)
        One of :data:`STATUSES`: ``converged`` (``‖∇L‖_F ≤ gtol``),
        ``max_iter``, ``zero_row`` (a neuron reached 0, where ``L`` is not
        differentiable: the run stops there) or ``diverged`` (the iterates
        overflowed: the step is too large for this problem, e.g. ``n > k``
        with the published step; use a smaller ``step_scale``).
    newton : ndarray of bool, shape (R,)
        True where the limit was reached by the Newton shortcut.
    min_eig : ndarray, shape (R,)
        Smallest Hessian eigenvalue at the limit where the shortcut computed
        it, NaN elsewhere.
    newton_tries : ndarray of int, shape (R,)
        Shortcut attempts (accepted or not).
    """

    W: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    iterations: np.ndarray
    status: np.ndarray
    newton: np.ndarray
    min_eig: np.ndarray
    newton_tries: np.ndarray

    def arrays(self) -> dict:
        """The fields as a dict of arrays (for NPZ files)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _cholesky_ok(M: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return False
    return True


def newton_shortcut(model: TeacherStudent, W_t, grad_norm_t: float, *, step: float, gtol: float,
                    max_newton: int = 30):
    """Try to jump from ``W_t`` to the limit of gradient descent (module docstring, steps 1–2).

    Parameters
    ----------
    model : TeacherStudent
    W_t : ndarray, shape (n, d)
        The current iterate.
    grad_norm_t : float
        ``‖∇L(W_t)‖_F``.
    step : float
        The gradient-descent step ``η``.
    gtol : float
        Convergence tolerance of the limit.
    max_newton : int
        Newton iterations allowed.

    Returns
    -------
    (W*, min_eig) or None
        The certified limit and the smallest Hessian eigenvalue there, or
        ``None`` when the jump is not accepted (descent must continue).
    """
    x = np.array(W_t, dtype=float)
    try:
        for _ in range(max_newton + 1):
            g = model.grad(x)
            gn = float(np.linalg.norm(g))
            if gn <= gtol:
                break
            if gn > 10.0 * grad_norm_t + gtol:
                return None  # Newton is going astray: not where descent is heading
            dx = np.linalg.solve(model.hessian(x), -g.ravel())
            x = x + dx.reshape(x.shape)
        else:
            return None
        lam = np.linalg.eigvalsh(model.hessian(x))
    except (DomainError, np.linalg.LinAlgError):  # a zero row, overflow, singular Hessian
        return None
    mu, big = float(lam[0]), float(lam[-1])
    limit = 2.0 / step
    if not (mu > _MIN_EIG_RTOL * max(1.0, big) and big < limit):
        return None  # a saddle, a degenerate (non-isolated) limit, or unstable for this step
    if np.linalg.norm(W_t - x) > 2.0 * grad_norm_t / mu:
        return None
    eye = np.eye(lam.size)
    for s in (1.0, 0.5):
        try:
            H = model.hessian(x + s * (W_t - x))
        except DomainError:
            return None
        if not (_cholesky_ok(H - 0.5 * mu * eye) and _cholesky_ok(limit * eye - H)):
            return None
    return x, mu


def descend(W0, V, options: SampleOptions, *, step: float) -> DescentResult:
    """Gradient descent for a batch of runs at once (see the module docstring).

    Parameters
    ----------
    W0 : ndarray, shape (R, n, d)
        Initial weights, one student per run.
    V : ndarray, shape (k, d)
        Teacher.
    options : SampleOptions
        ``gtol``, ``max_iter`` and the Newton-shortcut settings.
    step : float
        Step size ``η``.

    Returns
    -------
    DescentResult
    """
    with threadpool_limits(limits=1):  # threaded BLAS only spins at these sizes
        return _descend(W0, V, options, step)


def _descend(W0, V, options: SampleOptions, step: float) -> DescentResult:
    W0 = np.asarray(W0, dtype=float)
    if W0.ndim != 3:
        raise ValueError(f"W0 must have shape (runs, n, d), got {W0.shape}")
    R, n, d = W0.shape
    V = np.asarray(V, dtype=float)
    model = TeacherStudent(V, n=n)
    W = W0.copy()
    gnorm = np.full(R, np.inf)
    iters = np.zeros(R, dtype=np.int64)
    status = np.full(R, "", dtype="<U10")
    newton = np.zeros(R, dtype=bool)
    min_eig = np.full(R, np.nan)
    tries = np.zeros(R, dtype=np.int64)
    next_try = np.full(R, options.newton_gtol)
    active = np.arange(R)
    Wa = W.copy()
    it = 0
    while active.size:
        with np.errstate(**_QUIET):  # a zero row gives NaN: reported as status zero_row
            G = gradient_stack(Wa, V)
        g = np.sqrt(np.einsum("rij,rij->r", G, G))
        bad = ~np.isfinite(g)
        done = g <= options.gtol
        if options.newton:
            cand = np.flatnonzero((g <= next_try[active]) & ~done & ~bad)
            for t in cand:  # rare: a run tries at most a few times
                r = active[t]
                tries[r] += 1
                jump = newton_shortcut(model, Wa[t], float(g[t]), step=step, gtol=options.gtol)
                if jump is None:
                    next_try[r] = g[t] / options.newton_retry
                    continue
                Wa[t], min_eig[r] = jump
                newton[r] = True
                done[t] = True
                g[t] = np.linalg.norm(model.grad(Wa[t]))
        limit = np.full(active.size, it >= options.max_iter)
        finish = done | bad | limit
        if finish.any():
            idx = active[finish]
            W[idx] = Wa[finish]
            gnorm[idx] = g[finish]
            iters[idx] = it
            zero = np.any(np.all(Wa[finish] == 0.0, axis=2), axis=1)
            status[idx] = np.where(done[finish], "converged",
                                   np.where(~bad[finish], "max_iter",
                                            np.where(zero, "zero_row", "diverged")))
            keep = ~finish
            active, Wa, G = active[keep], Wa[keep], G[keep]
        Wa -= step * G
        it += 1
    with np.errstate(**_QUIET):
        loss = loss_stack(W, V)
    loss = np.where(np.isin(status, ("zero_row", "diverged")), np.nan, loss)
    return DescentResult(W=W, loss=loss, grad_norm=gnorm, iterations=iters, status=status,
                         newton=newton, min_eig=min_eig, newton_tries=tries)
