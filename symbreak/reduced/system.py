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

__all__ = ["ReducedSystem", "PRECISE_LOSS_K"]

#: above this k, :meth:`ReducedSystem.loss` evaluates in extended precision
#: (the float64 sum loses about ``1e-16·k²`` to cancellation)
PRECISE_LOSS_K = 1e4


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
        """``L(W(c))``; above ``k = PRECISE_LOSS_K`` through :meth:`loss_precise`."""
        if self.group.k > PRECISE_LOSS_K:
            return self.loss_precise(coords)
        return self.state(coords).loss()

    def loss_precise(self, coords, *, dps: int | None = None) -> float:
        """``L(W(c))`` in extended precision (mpmath), for large ``k``.

        The loss is a sum of ``O(k²)``-weighted kernel terms that cancel down
        to ``O(1)``, so the float64 :meth:`loss` carries an absolute error of
        about ``1e-16·k²`` (``1e-4`` at ``k = 10⁶``).  This evaluates the
        independent generic-arithmetic implementation of the compressed model
        (:class:`symbreak.certify.generic_model.GenericReducedSystem`) with
        ``dps`` decimal digits (default ``20 + 2·log10(k)``) and rounds to float.
        """
        from ..certify import MPArithmetic
        from ..certify.generic_model import GenericReducedSystem

        c = self.space.check_coords(coords)
        if dps is None:
            dps = 20 + 2 * int(np.ceil(np.log10(max(self.group.k, 10.0))))
        arith = MPArithmetic(dps=dps)
        with arith:
            value = GenericReducedSystem(self.group, arith).loss([float(x) for x in c])
        return float(value)

    def gradient(self, coords) -> np.ndarray:
        """``∂L/∂c_o = ⟨∇L(W), E_o⟩`` (length ``dim Fix(H)``)."""
        return self.state(coords).gradient_form(self._basis)

    def hessian(self, coords) -> np.ndarray:
        """``∂²L/∂c_o∂c_{o'}`` (``dim × dim``, symmetric)."""
        return self.state(coords).hessian_form(self._basis)

    def loss_gradient_hessian(self, coords) -> tuple[float, np.ndarray, np.ndarray]:
        """All three from one evaluation of the compressed model."""
        st = self.state(coords)
        loss = self.loss(coords) if self.group.k > PRECISE_LOSS_K else st.loss()
        return loss, st.gradient_form(self._basis), st.hessian_form(self._basis)

    def with_k(self, k: float) -> ReducedSystem:
        """The same spec evaluated at another ``k`` (:meth:`IsotropyGroup.at`)."""
        return ReducedSystem(self.group.at(k))
