r"""A non-global local minimum for a non-filling network and a non-quadratic loss.

Widths ``(2, 1, 2)`` (``μ = W_2 W_1``, ``r = 1 < 2``: non-filling), target
``Q = diag(1, a)`` with ``0 < a < 1`` and an entrywise convex loss
``ℓ(M) = Σ_ij φ_ij(M_ij − Q_ij)``.  The rank-one matrix ``M_2 = a e_2 e_2ᵀ``
fits the *smaller* diagonal entry exactly.  There ``G = ∇ℓ(M_2)`` has only the
entry ``G_11 = φ_11'(−1)``, which is normal to ``{rank = 1}`` at ``M_2``, so
``M_2`` is critical.  In the tangent coordinates ``(K, Y, Z)`` of
:class:`~symbreak.linear.FixedRankPoint` (entries ``(2,2)``, ``(1,2)``,
``(2,1)``) the Riemannian Hessian is

.. math::

    \begin{pmatrix} φ_{22}''(0) & 0 & 0 \\ 0 & φ_{12}''(0) & G_{11}/a \\
    0 & G_{11}/a & φ_{21}''(0) \end{pmatrix},

positive definite iff ``φ_12''(0) φ_21''(0) > φ_11'(−1)² / a²``.

* ``"log-cosh"``: ``φ(x) = c² log cosh(x/c)``, ``φ''(0) = 1``,
  ``φ'(−1) = −c tanh(1/c)``: a minimum iff ``a > c tanh(1/c)``.  With
  ``c = 0.1``, ``a = 1/2``: eigenvalues ``1, 1 ± 0.2 tanh 10``, loss
  ``c² log cosh 10 ≈ 0.0931`` against ``c² log cosh 5 ≈ 0.0431`` at
  ``M_1 = e_1e_1ᵀ``.
* For the plain quadratic ``φ(x) = x²`` the condition reads ``4 > 4/a²``,
  i.e. ``a > 1``: no such minimum, as Eckart–Young requires.
* ``"weighted"``: ``φ_ij(x) = Λ_ij x²`` with ``Λ = [[1, 4], [4, 1]]``:
  eigenvalues ``2, 8 ± 4``, loss ``1`` against ``a² = 1/4`` at ``M_1``.

:func:`nonfilling_counterexample` builds ``θ`` with ``μ(θ) = M_2``, polishes it
by Newton's method and verifies everything numerically; the global minimum is
the best of a multi-start search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_positive_int
from .critical import CriticalPoint, classify
from .losses import LogCoshLoss, MatrixLoss, WeightedQuadraticLoss
from .network import LinearNetwork
from .objective import ParameterLoss
from .search import CriticalPointSearch, find_critical_points, newton_polish

__all__ = ["Counterexample", "nonfilling_counterexample"]

_LOSSES = ("log-cosh", "weighted")


@dataclass(frozen=True, eq=False)
class Counterexample:
    """A verified non-global local minimum (see the module docstring).

    Attributes
    ----------
    network : LinearNetwork
    loss : MatrixLoss
    point : CriticalPoint
        The local minimum (``kind`` is ``Kind.LOCAL_MINIMUM``); its
        ``curvature`` holds the Riemannian Hessian eigenvalues on ``M_r``.
    search : CriticalPointSearch
        The multi-start search that gives the global minimum.
    """

    network: LinearNetwork
    loss: MatrixLoss
    point: CriticalPoint
    search: CriticalPointSearch

    @property
    def global_minimum(self) -> float:
        """Lowest loss of the search."""
        return float(self.search.global_minimum)

    @property
    def gap(self) -> float:
        """``L(θ) − min L`` (> 0)."""
        return self.point.loss - self.global_minimum


def _loss(name: str, Q: np.ndarray) -> MatrixLoss:
    if name == "log-cosh":
        return LogCoshLoss(Q, scale=0.1)
    return WeightedQuadraticLoss(Q, np.array([[1.0, 4.0], [4.0, 1.0]]))


def nonfilling_counterexample(
    *, loss: str = "log-cosh", rng=0, n_starts: int = 40
) -> Counterexample:
    r"""Construct and verify the non-global local minimum of the module docstring.

    Parameters
    ----------
    loss : {"log-cosh", "weighted"}
    rng : numpy.random.Generator or int
        Starts of the global search.
    n_starts : int
        Starts of the global search.

    Returns
    -------
    Counterexample

    Raises
    ------
    ValueError
        If the verification fails (not critical, not a strict minimum on
        ``M_r``, or not above the global minimum found).
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    n_starts = as_positive_int(n_starts, "n_starts")
    a = 0.5
    network = LinearNetwork((2, 1, 2))
    ell = _loss(loss, np.diag([1.0, a]))
    theta0 = [np.array([[0.0, np.sqrt(a)]]), np.array([[0.0], [np.sqrt(a)]])]
    polished = newton_polish(ParameterLoss(network, ell), theta0)
    search = find_critical_points(network, ell, rng=rng, n_starts=n_starts, method="minimize")
    point = classify(network, ell, polished.theta, global_minimum=search.global_minimum)
    if point.curvature_space != "functional" or not point.curvature[0] > 0:
        raise ValueError(f"verification failed: Riemannian Hessian {point.curvature}")
    if not point.loss > search.global_minimum:
        raise ValueError(
            f"verification failed: L = {point.loss} is not above min L = {search.global_minimum}"
        )
    return Counterexample(network=network, loss=ell, point=point, search=search)
