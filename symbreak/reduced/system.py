r"""The reduced system on ``Fix(H)``: loss, gradient and Hessian in the coordinates.

For ``W = Σ_o c_o E_o`` (``E_o`` the 0/1 indicator of orbit ``o``):

.. math::

    \frac{∂L}{∂c_o} = DL(W)[E_o],\qquad
    \frac{∂^2 L}{∂c_o ∂c_{o'}} = D^2L(W)[E_o, E_{o'}],

evaluated on the compressed model (:mod:`symbreak.reduced.evaluate`), so the
cost does not depend on ``k`` and ``k`` may be real.  By the principle of
symmetric criticality a zero of this gradient is a critical point of ``L``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..representation.isotropy import IsotropyGroup
from ..representation.isotypic import isotypic_decomposition
from .evaluate import CompressedState, compressed_state
from .fixed_point import FixedPointSpace
from .layout import layout_for

__all__ = ["ReducedSystem"]


@dataclass(frozen=True)
class ReducedSystem:
    """Loss, gradient and Hessian of ``L`` restricted to ``Fix(H)``.

    Parameters
    ----------
    group : IsotropyGroup
        The isotropy group; its block sizes (possibly real) fix ``k``.

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.reduced import ReducedSystem
    >>> sys = ReducedSystem(IsotropyGroup.from_spec("k", 6))
    >>> round(sys.loss([1.0, 0.0]), 12)   # W = I_6 = V
    0.0
    """

    group: IsotropyGroup

    @cached_property
    def space(self) -> FixedPointSpace:
        return FixedPointSpace(self.group)

    @cached_property
    def _layout(self):
        return layout_for(self.group, (0,) * len(self.group.factors))

    @cached_property
    def _basis(self) -> np.ndarray:
        triv = isotypic_decomposition(self.group)[0]
        return np.stack([self._layout.copy_pattern(triv.irrep, c) for c in triv.copies])

    def state(self, coords) -> CompressedState:
        """The compressed model at ``coords`` (no marks)."""
        c = self.space.check_coords(coords)
        return compressed_state(self._layout, self.group.sizes, self.group.k, c)

    def loss(self, coords) -> float:
        """``L(W(c))``."""
        return self.state(coords).loss()

    def gradient(self, coords) -> np.ndarray:
        """``∂L/∂c_o = ⟨∇L(W), E_o⟩`` (length ``dim Fix(H)``)."""
        return self.state(coords).gradient_form(self._basis)

    def hessian(self, coords) -> np.ndarray:
        """``∂²L/∂c_o∂c_{o'}`` (``dim × dim``, symmetric)."""
        return self.state(coords).hessian_form(self._basis)

    def loss_gradient_hessian(self, coords) -> tuple[float, np.ndarray, np.ndarray]:
        """All three from one evaluation of the compressed model."""
        st = self.state(coords)
        return st.loss(), st.gradient_form(self._basis), st.hessian_form(self._basis)

    def with_k(self, k: float) -> ReducedSystem:
        """The same spec evaluated at another ``k``."""
        return ReducedSystem(IsotropyGroup.from_spec(self.group.spec, k, d=_d_at(self.group, k)))


def _d_at(group: IsotropyGroup, k: float) -> float:
    """Keep the number of extra columns fixed when k moves."""
    return k + (group.d - group.k)
