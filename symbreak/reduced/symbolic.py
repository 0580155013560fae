r"""The reduced loss on ``Fix(H)`` as a sympy expression in the coordinates and ``k``.

Not a separate implementation: this is the compressed model
(:mod:`symbreak.reduced.evaluate`) evaluated by
:class:`~symbreak.reduced.generic.GenericReducedSystem` with the sympy back-end
(:class:`~symbreak.reduced.arithmetic.SymPyArithmetic`), one symbol per
coordinate and the block sizes as the spec's polynomials in the symbol ``k``:

.. math::

    L = \tfrac14\sum_p ω_p |w_p|^2 + \tfrac12\sum_{p,q} Ω_{pq} κ(w_p, w_q)
        − \sum_p ω_p \sum_j ω_j κ(w_p, e_j) + \tfrac k4 + \tfrac{k(k−1)}{4π},

    κ(w, v) = \frac{|w∧v| + (π − θ)\, w·v}{2π},\quad
    θ = \operatorname{atan2}(|w∧v|, w·v),

with ``|w∧v|²`` by Lagrange's identity (a sum of squares).  Useful for exact
checks and for series expansions; evaluate numerically with ``sympy.lambdify``.
Expressions grow with the number of blocks: intended for groups with a few
blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import DomainError
from ..representation.isotropy import K_SYMBOL, IsotropyGroup
from .arithmetic import SymPyArithmetic
from .fixed_point import FixedPointSpace
from .generic import GenericReducedSystem

__all__ = ["SymbolicReducedLoss", "reduced_loss_expr"]


@dataclass(frozen=True)
class SymbolicReducedLoss:
    """The reduced loss and its gradient as sympy expressions.

    Attributes
    ----------
    loss : sympy.Expr
    coords : tuple of sympy.Symbol
        One symbol per Fix(H) coordinate, named as in
        :class:`~symbreak.reduced.fixed_point.FixedPointSpace`.
    k : sympy.Symbol
    """

    loss: sp.Expr
    coords: tuple[sp.Symbol, ...]
    k: sp.Symbol

    def gradient(self) -> list[sp.Expr]:
        """``∂L/∂c_o`` for every coordinate."""
        return [sp.diff(self.loss, c) for c in self.coords]

    def lambdify(self):
        """``f(k, *coords) -> float`` evaluating the loss with numpy."""
        return sp.lambdify((self.k, *self.coords), self.loss, modules="numpy")


def reduced_loss_expr(spec: str, *, extra_dims: int = 0) -> SymbolicReducedLoss:
    """Symbolic reduced loss of ``Fix(H)`` for the isotropy spec ``spec``.

    Parameters
    ----------
    spec : str
        Isotropy spec (see :mod:`symbreak.representation.isotropy`); its
        non-constant block sizes become polynomials in the symbol ``k``.
    extra_dims : int
        ``d − k`` (extra input dimensions), default 0.

    Examples
    --------
    >>> from symbreak.reduced.symbolic import reduced_loss_expr
    >>> L = reduced_loss_expr("k")
    >>> f = L.lambdify()
    >>> abs(f(6.0, 1.0, 0.0)) < 1e-12   # W = V
    True
    """
    # a generic numeric k gives the generic structure (no small blocks)
    probe = IsotropyGroup.from_spec(spec, _generic_k(spec), d=None)
    if extra_dims:
        probe = IsotropyGroup.from_spec(spec, probe.k, d=probe.k + extra_dims)
    names = FixedPointSpace(probe).names
    coords = tuple(sp.Symbol(nm.replace(",", "_"), real=True) for nm in names)
    model = GenericReducedSystem(probe, SymPyArithmetic(), k=K_SYMBOL)
    return SymbolicReducedLoss(loss=model.loss(list(coords)), coords=coords, k=K_SYMBOL)


def _generic_k(spec: str) -> float:
    for k in (40.0, 400.0, 4000.0):
        try:
            return IsotropyGroup.from_spec(spec, k).k
        except DomainError:
            continue
    raise ValueError(
        f"spec {spec!r} has constant block sizes; give it in terms of k (e.g. 'k-1,1')"
    )
