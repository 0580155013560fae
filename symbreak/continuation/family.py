r"""A one-parameter family of reduced systems: one isotropy spec, ``k`` real.

The unknowns of the continuation are ``z = (c, θ τ)`` with ``c ∈ Fix(H)``
and ``τ = log k`` (or ``τ = k``).  The equations are the gradient of the loss
*per entry of W*,

.. math::

    F_o(c, k) = \frac{1}{|o|} \frac{∂L}{∂c_o}(c; k),

``|o|`` the size of orbit ``o`` (a polynomial in the block sizes): the entry
of ``∇L(W)`` on that orbit.  This row scaling keeps the equations of order one
at any ``k`` without changing their zeros.  ``∂F/∂τ`` is a central
difference in ``k``; ``∂F/∂c`` is the exact reduced Hessian, row-scaled.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..errors import DomainError
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, group_at

__all__ = ["KFamily"]


@dataclass(frozen=True)
class KFamily:
    """Reduced systems of one spec along real ``k``.

    Parameters
    ----------
    spec : str
        Isotropy spec (block sizes are polynomials in ``k``).
    d_extra : float
        Number of extra input columns ``d − k`` when the spec does not list
        its column blocks (held fixed as ``k`` moves); ignored otherwise.
    log_k : bool
        ``τ = log k`` when True, else ``τ = k``.
    theta : float
        Weight of ``τ`` in the arclength.
    fd_step : float
        Relative step of the central difference in ``k``.
    """

    spec: str
    d_extra: float = 0.0
    log_k: bool = True
    theta: float = 1.0
    fd_step: float = 1e-6
    _cache: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)

    @classmethod
    def for_options(cls, spec: str, d_extra: float, options) -> KFamily:
        """The family with the variables and difference step of ``options``."""
        return cls(
            spec,
            d_extra=float(d_extra),
            log_k=options.log_k,
            theta=options.theta,
            fd_step=options.fd_step,
        )

    # ----------------------------------------------------------- groups
    def d_at(self, k: float) -> float:
        """Input dimension at ``k``."""
        return self.group(k).d

    def system(self, k: float) -> ReducedSystem:
        """The reduced system at ``k`` (``DomainError`` outside the domain)."""
        k = float(k)
        sys_ = self._cache.get(k)
        if sys_ is None:
            if not (math.isfinite(k) and k > 0):
                raise DomainError(f"k = {k} is not a positive finite number")
            sys_ = ReducedSystem(group_at(self.spec, k, extra_columns=self.d_extra))
            self._cache[k] = sys_
            if len(self._cache) > 64:
                self._cache.popitem(last=False)
        return sys_

    def group(self, k: float) -> IsotropyGroup:
        return self.system(k).group

    def in_domain(self, k: float) -> bool:
        """True when every block size is admissible at ``k``."""
        if not (math.isfinite(k) and k > 0):
            return False
        try:
            self.system(k)
        except DomainError:
            return False
        return True

    # ----------------------------------------------------------- variables
    def tau(self, k: float) -> float:
        return math.log(k) if self.log_k else float(k)

    def k_of(self, tau: float) -> float:
        return math.exp(tau) if self.log_k else float(tau)

    def to_z(self, coords, k: float) -> np.ndarray:
        return np.append(np.asarray(coords, dtype=float), self.theta * self.tau(k))

    def split(self, z) -> tuple[np.ndarray, float]:
        """``(c, k)`` from ``z``."""
        z = np.asarray(z, dtype=float)
        return z[:-1], self.k_of(z[-1] / self.theta)

    def dk_dz(self, k: float) -> float:
        """``dk / dz_last`` (chain rule through ``τ``)."""
        return (k if self.log_k else 1.0) / self.theta

    # ----------------------------------------------------------- equations
    def residual(self, coords, k: float) -> np.ndarray:
        """``F(c, k)``: the gradient per entry of ``W``."""
        sys_ = self.system(k)
        return sys_.gradient(coords) / sys_.space.orbit_sizes()

    def dresidual_dk(self, coords, k: float) -> np.ndarray:
        """``∂F/∂k`` by a central difference (one-sided at the domain edge)."""
        h = self.fd_step * max(1.0, abs(k))
        lo, hi = k - h, k + h
        if not self.in_domain(lo):
            return (self.residual(coords, hi) - self.residual(coords, k)) / h
        if not self.in_domain(hi):
            return (self.residual(coords, k) - self.residual(coords, lo)) / h
        return (self.residual(coords, hi) - self.residual(coords, lo)) / (2 * h)

    def jacobian(self, z) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``[∂F/∂c | ∂F/∂z_last]`` at ``z`` (shape ``N × (N+1)``)."""
        c, k = self.split(z)
        sys_ = self.system(k)
        scale = 1.0 / sys_.space.orbit_sizes()
        _, g, H = sys_.loss_gradient_hessian(c)
        F = g * scale
        H = H * scale[:, None]
        Fk = self.dresidual_dk(c, k) * self.dk_dz(k)
        return F, np.column_stack([H, Fk])

    def dim(self, k: float) -> int:
        return self.system(k).space.dim
