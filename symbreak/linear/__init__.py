r"""Linear networks: pure and spurious critical points (MATH.md §6).

``μ(W_1, …, W_h) = W_h ⋯ W_1`` parameterises the determinantal variety
``M_r = {rank ≤ r}``, ``r = min_i d_i``.  For a smooth convex loss ``ℓ`` on
matrices this package finds and classifies the critical points of
``L = ℓ ∘ μ`` (pure or spurious; global minimum, non-global local minimum,
saddle), enumerates them exactly for the quadratic loss (Eckart–Young), and
constructs the non-global local minimum of a non-filling network with a
non-quadratic loss (Trager, Kohn, Bruna, ICLR 2020).

References
----------
M. Trager, K. Kohn, J. Bruna. Pure and spurious critical points: a geometric
study of linear networks. ICLR 2020.
"""

from .counterexample import Counterexample, nonfilling_counterexample
from .critical import CriticalPoint, Kind, Tolerances, classify, exact_minimum
from .eckart_young import EckartYoung, EckartYoungPoint, eckart_young
from .losses import (
    CustomLoss,
    DataLoss,
    LogCoshLoss,
    MatrixLoss,
    PseudoHuberLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
)
from .manifold import FixedRankPoint, riemannian_hessian
from .network import Fibre, LinearNetwork, null_space_basis, numerical_rank
from .objective import ParameterLoss
from .search import CriticalPointSearch, PolishResult, find_critical_points, newton_polish
from .targets import default_target

__all__ = [
    "LinearNetwork",
    "Fibre",
    "numerical_rank",
    "null_space_basis",
    "MatrixLoss",
    "QuadraticLoss",
    "DataLoss",
    "WeightedQuadraticLoss",
    "LogCoshLoss",
    "PseudoHuberLoss",
    "CustomLoss",
    "ParameterLoss",
    "FixedRankPoint",
    "riemannian_hessian",
    "Kind",
    "Tolerances",
    "CriticalPoint",
    "classify",
    "exact_minimum",
    "PolishResult",
    "newton_polish",
    "CriticalPointSearch",
    "find_critical_points",
    "EckartYoung",
    "EckartYoungPoint",
    "eckart_young",
    "default_target",
    "Counterexample",
    "nonfilling_counterexample",
]
