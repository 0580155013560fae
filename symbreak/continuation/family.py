r"""A one-parameter family of reduced systems: one isotropy spec, ``k`` real.

The unknowns of the continuation are ``z = (c, θ τ)`` with ``c ∈ Fix(H)``
and ``τ = log k`` (or ``τ = k``).  The equations are the gradient of the loss
*per entry of W*,

.. math::

    F_o(c, k) = \frac{1}{|o|} \frac{∂L}{∂c_o}(c; k),

``|o|`` the size of orbit ``o`` (a polynomial in the block sizes): the entry
of ``∇L(W)`` on that orbit.  This row scaling keeps the equations of order one
at any ``k`` without changing their zeros.  ``∂F/∂c`` is the exact reduced
Hessian, row-scaled; ``∂F/∂k`` is exact too: the block sizes enter the
compressed model through polynomial weights
(:meth:`~symbreak.reduced.ReducedSystem.gradient_dk`), and

.. math::

    \frac{∂F_o}{∂k} = \frac{1}{|o|}\Bigl(\frac{∂}{∂k}\frac{∂L}{∂c_o}
        − F_o \frac{d|o|}{dk}\Bigr).

Each entry of ``F`` is a sum of ``O(k)`` terms, so in float64 it carries a
rounding error of about ``k·ε``: :meth:`KFamily.roundoff` tells the corrector
not to ask for less (:meth:`~symbreak.tolerances.Tolerances.gradient_tol`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..errors import DomainError
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup, group_at
from ..tolerances import DEFAULT_TOLERANCES

__all__ = ["KFamily"]


@dataclass(frozen=True)
class KFamily:
    """Reduced systems of one spec along real ``k``.

    Parameters
    ----------
    spec : str
        Isotropy spec (block sizes are polynomials in ``k``).
    extra_dims : float
        Number of extra input columns ``d − k`` when the spec does not list
        its column blocks (held fixed as ``k`` moves); ignored otherwise.
    log_k : bool
        ``τ = log k`` when True, else ``τ = k``.
    theta : float
        Weight of ``τ`` in the arclength.
    fd_step : float
        Unused (kept for saved options): ``∂F/∂k`` is exact.
    """

    spec: str
    extra_dims: float = 0.0
    log_k: bool = True
    theta: float = 1.0
    fd_step: float = 1e-6
    _cache: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)
    _jac: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)

    @classmethod
    def for_options(cls, spec: str, extra_dims: float, options) -> KFamily:
        """The family with the variables and difference step of ``options``."""
        return cls(
            spec,
            extra_dims=float(extra_dims),
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
            sys_ = ReducedSystem(group_at(self.spec, k, extra_dims=self.extra_dims))
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

    def _orbit_sizes_dk(self, k: float) -> np.ndarray:
        """``d|o|/dk`` (the orbit sizes are polynomials in the block sizes)."""
        group = self.group(k)
        m, dm = group.sizes, group.size_derivatives
        out = []
        for a, b, pat in self.system(k).space.keys:
            if pat == "diag":
                out.append(dm[a])
            elif pat == "off":
                out.append(dm[a] * (2.0 * m[a] - 1.0))
            else:
                out.append(dm[a] * m[b] + m[a] * dm[b])
        return np.asarray(out, dtype=float)

    def dresidual_dk(self, coords, k: float) -> np.ndarray:
        """``∂F/∂k`` at fixed coordinates, exact (see the module docstring)."""
        sys_ = self.system(k)
        sizes = sys_.space.orbit_sizes()
        F = sys_.gradient(coords) / sizes
        return (sys_.gradient_dk(coords) - F * self._orbit_sizes_dk(k)) / sizes

    def roundoff(self, z) -> float:
        """Float64 floor of ``‖F‖_∞`` (and of Newton steps) at ``z``: ``roundoff·ε·k``."""
        return DEFAULT_TOLERANCES.roundoff_floor(self.split(z)[1])

    def jacobian(self, z) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``[∂F/∂c | ∂F/∂z_last]`` at ``z`` (shape ``N × (N+1)``).

        The last few results are kept: the tangent at a corrected point needs
        the Jacobian the corrector has just evaluated there.
        """
        key = np.asarray(z, dtype=float).tobytes()
        hit = self._jac.get(key)
        if hit is None:
            hit = self._jacobian(z)
            self._jac[key] = hit
            if len(self._jac) > 8:
                self._jac.popitem(last=False)
        return hit[0].copy(), hit[1].copy()

    def _jacobian(self, z) -> tuple[np.ndarray, np.ndarray]:
        c, k = self.split(z)
        sys_ = self.system(k)
        sizes = sys_.space.orbit_sizes()
        g, H, gk = sys_.derivatives(c)
        F = g / sizes
        Fk = (gk - F * self._orbit_sizes_dk(k)) / sizes * self.dk_dz(k)
        return F, np.column_stack([H / sizes[:, None], Fk])

    def dim(self, k: float) -> int:
        return self.system(k).space.dim
