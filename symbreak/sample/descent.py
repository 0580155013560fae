r"""Batched gradient descent on the dense model, with a Newton shortcut that keeps the limit.

Many runs advance together: the runs in flight are one array of shape
``(B, n, d)`` and each iteration evaluates the closed-form gradient of all of
them at once (:func:`symbreak.model.teacher_student.gradient_stack`); a run
that stops leaves the array and the next waiting run takes its place
(:func:`descend_stream`), so slow runs never iterate alone while others wait.
There is no Python loop over runs, and a run's arithmetic is the same whatever
the other runs in flight are.

Stopping rule (the published protocol): ``‖∇L(W_t)‖_F ≤ gtol``.

The Newton shortcut
-------------------
Plain gradient descent ``W_{t+1} = W_t − η∇L(W_t)`` converges linearly, at
rate ``1 − ηλ_min`` near a minimum whose smallest Hessian eigenvalue is
``λ_min``; for the slow families this takes tens of thousands of steps.  Once
``‖∇L(W_t)‖ ≤ newton_gtol`` the run tries to jump to its limit:

1. Newton's method from ``W_t`` gives ``W*`` with ``‖∇L(W*)‖_F ≤ gtol`` (the
   same criterion gradient descent would stop at).  It reuses the Cholesky
   factor of ``∇²L(W_t)`` (chord steps) while the gradient drops at least
   fourfold per step and factors the Hessian afresh otherwise; a Hessian that
   is not positive definite ends the try (the test below needs ``∇²L ≻ 0``).
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
     ``μ/2 · I ≼ ∇²L ≺ (2/η) I`` (by Weyl's inequality from the eigenvalues
     at ``W*`` when ``‖∇²L − ∇²L(W*)‖_F`` is small enough, else by Cholesky
     factorisations of ``∇²L − μ/2·I`` and ``2/η·I − ∇²L``).

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
from scipy.linalg import cho_factor, cho_solve
from threadpoolctl import threadpool_limits

from .._validation import as_positive_int
from ..errors import DomainError
from ..model.teacher_student import TeacherStudent, gradient_stack, loss_stack
from .options import SampleOptions

__all__ = [
    "DescentResult", "descend", "descend_stream", "batch_size", "newton_shortcut", "STATUSES",
]

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
        H_t = model.hessian(x)
        factor = _cholesky(H_t)
        if factor is None:
            return None  # the certificate below needs ∇²L(W_t) ≻ μ/2·I anyway
        previous = np.inf
        for _ in range(max_newton + 1):
            g = model.grad(x)
            gn = float(np.linalg.norm(g))
            if gn <= gtol:
                break
            if gn > 10.0 * grad_norm_t + gtol:
                return None  # Newton is going astray: not where descent is heading
            if gn > 0.25 * previous:  # the chord is too slow here: factor ∇²L(x) afresh
                factor = _cholesky(model.hessian(x))
                if factor is None:
                    return None
            x = x - cho_solve(factor, g.ravel(), check_finite=False).reshape(x.shape)
            previous = gn
        else:
            return None
        H_star = model.hessian(x)
        lam = np.linalg.eigvalsh(H_star)
        H_mid = model.hessian(0.5 * (x + W_t))
    except (DomainError, np.linalg.LinAlgError):  # a zero row, overflow, singular Hessian
        return None
    mu, big = float(lam[0]), float(lam[-1])
    limit = 2.0 / step
    if not (mu > _MIN_EIG_RTOL * max(1.0, big) and big < limit):
        return None  # a saddle, a degenerate (non-isolated) limit, or unstable for this step
    if np.linalg.norm(W_t - x) > 2.0 * grad_norm_t / mu:
        return None
    if not all(_between(H, H_star, mu, big, 0.5 * mu, limit) for H in (H_t, H_mid)):
        return None
    return x, mu


def _cholesky(H: np.ndarray):
    """The Cholesky factor of ``H`` for ``cho_solve``, or ``None`` if ``H`` is not ≻ 0."""
    try:
        return cho_factor(H, check_finite=False)
    except np.linalg.LinAlgError:
        return None


def _between(H, H_star, mu: float, big: float, lower: float, upper: float) -> bool:
    """``lower·I ≺ H ≺ upper·I``, given the extreme eigenvalues ``mu, big`` of ``H_star``.

    Weyl's inequality ``|λ_i(H) − λ_i(H*)| ≤ ‖H − H*‖₂ ≤ ‖H − H*‖_F`` settles
    both sides without a factorisation when ``H`` is close to ``H*``;
    otherwise Cholesky factorisations of ``H − lower·I`` and ``upper·I − H``
    decide.
    """
    r = float(np.linalg.norm(H - H_star))
    if mu - r > lower and big + r < upper:
        return True
    eye = np.eye(H.shape[0])
    return _cholesky_ok(H - lower * eye) and _cholesky_ok(upper * eye - H)


def batch_size(n: int, d: int, k: int) -> int:
    """Runs advanced together by :func:`descend_stream` for students ``n×d`` and ``k`` teachers.

    The per-iteration cost of :func:`~symbreak.model.teacher_student.gradient_stack`
    is a fixed overhead plus a part proportional to the runs; per run it is
    smallest while the batch's pairwise arrays (``batch·n·max(n, k)`` entries
    each) stay in cache, about ``2¹⁵`` entries (measured in
    ``benchmarks/bench_sample.py --batch-scan``).  The batch size never changes
    a run's result: every run's arithmetic is the same whatever the other runs
    of the batch are (tested bit for bit).
    """
    return int(min(256, max(4, _BATCH_ENTRIES // max(1, n * max(n, k)))))


#: cache budget of :func:`batch_size` (entries of one pairwise array of the batch)
_BATCH_ENTRIES = 32768


def descend(W0, V, options: SampleOptions, *, step: float,
            batch: int | None = None) -> DescentResult:
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
    batch : int, optional
        Runs advanced together (default: all ``R``).  The result does not
        depend on it.

    Returns
    -------
    DescentResult
    """
    W0 = _as_stack(W0)
    [(_, result)] = descend_stream([(None, W0)], V, options, step=step,
                                   batch=W0.shape[0] if batch is None else batch)
    return result


def descend_stream(groups, V, options: SampleOptions, *, step: float, batch: int | None = None):
    r"""Gradient descent over groups of runs, keeping ``batch`` runs in flight.

    The runs of all groups queue up in order; at most ``batch`` of them advance
    together, and a finished run's place is taken by the next queued run at
    once.  So a few slow runs never iterate alone while other runs wait (the
    tail of a fixed batch), and a group is handed back as soon as its last run
    has finished.  Each run's iterates, limit and counters are exactly those of
    :func:`descend` on that run alone.

    Parameters
    ----------
    groups : iterable of (key, W0)
        ``W0`` of shape ``(R_g, n, d)`` (the same ``n, d`` for all groups);
        ``key`` is handed back with the group's result.  Read lazily.
    V : ndarray, shape (k, d)
        Teacher.
    options : SampleOptions
    step : float
        Step size ``η``.
    batch : int, optional
        Runs in flight (default :func:`batch_size`); a positive integer.

    Yields
    ------
    (key, DescentResult)
        Each group once, when its last run has finished (in order of
        completion).

    Notes
    -----
    BLAS runs single-threaded (``threadpoolctl``) until the generator is
    exhausted or closed, also while the caller handles a yielded group.
    """
    V = np.asarray(V, dtype=float)
    if batch is not None:  # 0 would hand nothing back: refused, never a silent empty result
        batch = as_positive_int(batch, "batch")
    with threadpool_limits(limits=1):  # threaded BLAS only spins at these sizes
        yield from _stream(iter(groups), V, options, step, batch)


def _as_stack(W0) -> np.ndarray:
    W0 = np.asarray(W0, dtype=float)
    if W0.ndim != 3:
        raise ValueError(f"W0 must have shape (runs, n, d), got {W0.shape}")
    return W0


class _Group:
    """Result buffers of one group of runs (filled as its runs finish)."""

    def __init__(self, key, W0: np.ndarray):
        R = W0.shape[0]
        self.key, self.left = key, R
        self.W = W0.copy()
        self.gnorm = np.full(R, np.inf)
        self.iters = np.zeros(R, dtype=np.int64)
        self.status = np.full(R, "", dtype="<U10")
        self.newton = np.zeros(R, dtype=bool)
        self.min_eig = np.full(R, np.nan)
        self.tries = np.zeros(R, dtype=np.int64)

    def result(self, V) -> DescentResult:
        with np.errstate(**_QUIET):
            loss = loss_stack(self.W, V)
        loss = np.where(np.isin(self.status, ("zero_row", "diverged")), np.nan, loss)
        return DescentResult(W=self.W, loss=loss, grad_norm=self.gnorm, iterations=self.iters,
                             status=self.status, newton=self.newton, min_eig=self.min_eig,
                             newton_tries=self.tries)


def _stream(groups, V, options: SampleOptions, step: float, batch: int | None):
    model = None
    queue: list[tuple[_Group, int]] = []  # runs waiting: (group, index in group)
    # the runs in flight: parallel arrays; a run's iteration count is clock - start
    grp: list[_Group] = []
    idx = start = tries = np.zeros(0, dtype=np.int64)
    next_try = mins = np.zeros(0)
    newt = np.zeros(0, dtype=bool)
    Wa = None
    clock = 0
    exhausted = False
    gtol = options.gtol
    while True:
        # refill: pull groups until enough runs wait, then activate them
        while not exhausted and (batch is None or len(queue) < batch):
            try:
                key, W0 = next(groups)
            except StopIteration:
                exhausted = True
                break
            W0 = _as_stack(W0)
            if model is None:
                n, d = W0.shape[1:]
                model = TeacherStudent(V, n=n)
                if batch is None:
                    batch = batch_size(n, d, V.shape[0])
            elif W0.shape[1:] != (model.n, V.shape[1]):
                raise ValueError(f"every group must have shape (runs, {model.n}, {V.shape[1]}), "
                                 f"got {W0.shape}")
            g = _Group(key, W0)
            if g.left == 0:
                yield key, g.result(V)
                continue
            queue.extend((g, i) for i in range(g.left))
        free = (batch or 0) - len(grp)
        if free > 0 and queue:
            new, queue = queue[:free], queue[free:]
            m = len(new)
            grp = grp + [g for g, _ in new]
            idx = np.concatenate([idx, np.array([i for _, i in new], dtype=np.int64)])
            add = np.stack([g.W[i] for g, i in new])
            Wa = add if Wa is None else np.concatenate([Wa, add])
            start = np.concatenate([start, np.full(m, clock, dtype=np.int64)])
            next_try = np.concatenate([next_try, np.full(m, options.newton_gtol)])
            tries = np.concatenate([tries, np.zeros(m, np.int64)])
            mins = np.concatenate([mins, np.full(m, np.nan)])
            newt = np.concatenate([newt, np.zeros(m, bool)])
        if not grp:
            return
        # a run needs attention once |∇L| reaches its threshold (or is NaN: the
        # comparison is then False) or its iteration budget is spent
        watch = np.maximum(next_try, gtol) if options.newton else np.full(len(grp), gtol)
        deadline = int(start.min()) + options.max_iter
        while True:  # the hot loop: one gradient call and a few whole-batch operations
            with np.errstate(**_QUIET):  # a zero row gives NaN: reported as status zero_row
                G = gradient_stack(Wa, V)
            g = np.sqrt(np.einsum("rij,rij->r", G, G))
            if clock >= deadline or not (g > watch).all():
                break
            np.multiply(G, step, out=G)
            Wa -= G
            clock += 1
        its = clock - start
        bad = ~np.isfinite(g)
        done = g <= gtol
        if options.newton:
            for t in np.flatnonzero((g <= next_try) & ~done & ~bad):
                tries[t] += 1  # rare: a run tries at most a few times
                jump = newton_shortcut(model, Wa[t], float(g[t]), step=step, gtol=gtol)
                if jump is None:
                    next_try[t] = g[t] / options.newton_retry
                    continue
                Wa[t], mins[t] = jump
                newt[t] = True
                done[t] = True
                g[t] = np.linalg.norm(model.grad(Wa[t]))
        finish = done | bad | (its >= options.max_iter)
        if finish.any():
            zero = np.any(np.all(Wa == 0.0, axis=2), axis=1)
            for t in np.flatnonzero(finish):
                gr, i = grp[t], idx[t]
                gr.W[i], gr.gnorm[i], gr.iters[i] = Wa[t], g[t], its[t]
                gr.status[i] = ("converged" if done[t] else "max_iter" if not bad[t]
                                else "zero_row" if zero[t] else "diverged")
                gr.newton[i], gr.min_eig[i], gr.tries[i] = newt[t], mins[t], tries[t]
                gr.left -= 1
                if gr.left == 0:
                    yield gr.key, gr.result(V)
            keep = ~finish
            grp = [gr for gr, kept in zip(grp, keep) if kept]
            idx, Wa, G = idx[keep], Wa[keep], G[keep]
            start, next_try, tries, mins, newt = (
                x[keep] for x in (start, next_try, tries, mins, newt)
            )
        np.multiply(G, step, out=G)
        Wa -= G
        clock += 1
