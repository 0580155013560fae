r"""The reduced loss on ``Fix(H)`` as a sympy expression in the coordinates and ``k``.

Built on the same compressed layout as the numeric path
(:mod:`symbreak.reduced.layout`) but with exact arithmetic: block sizes are the
spec's polynomials in the symbol ``k``, the weights are polynomials in ``k``,
and

.. math::

    L = \tfrac14\sum_p ω_p |w_p|^2 + \tfrac12\sum_{p,q} Ω_{pq} κ(w_p, w_q)
        − \sum_p ω_p \sum_j ω_j κ(w_p, e_j) + \tfrac k4 + \tfrac{k(k−1)}{4π},

    κ(w, v) = \frac{|w∧v| + (π − θ)\, w·v}{2π},\quad
    θ = \operatorname{atan2}(|w∧v|, w·v),\quad
    |w∧v| = \sqrt{|w|^2|v|^2 − (w·v)^2}.

Useful for exact checks and for series expansions; evaluate numerically with
``sympy.lambdify``.  Expressions grow with the number of blocks: intended for
groups with a few blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import DomainError
from ..representation.isotropy import K_SYMBOL, IsotropyGroup
from .fixed_point import FixedPointSpace
from .layout import layout_for

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


def _kappa(nw2, nv2, dot):
    wedge = sp.sqrt(sp.Max(nw2 * nv2 - dot**2, 0))
    theta = sp.atan2(wedge, dot)
    return (wedge + (sp.pi - theta) * dot) / (2 * sp.pi)


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
    space = FixedPointSpace(probe)
    layout = layout_for(probe, (0,) * len(probe.factors))
    names = space.names
    coords = tuple(sp.Symbol(nm.replace(",", "_"), real=True) for nm in names)
    sizes = [f.expr for f in probe.factors]
    row_w, pair_w, col_w = layout.weights(sizes, xp=None)
    P, C = len(layout.rows), len(layout.cols)
    cvals = list(coords) + [sp.Integer(0)] * (int(layout.coord_index.max()) + 1 - len(coords))
    W = [[cvals[layout.coord_index[p, c]] for c in range(C)] for p in range(P)]

    def ip(x, y):
        return sp.Add(*[col_w[c] * x[c] * y[c] for c in range(C)])

    norms2 = [ip(W[p], W[p]) for p in range(P)]
    k = K_SYMBOL
    L = sp.Rational(1, 4) * sp.Add(*[row_w[p] * norms2[p] for p in range(P)])
    for p in range(P):
        for q in range(P):
            if pair_w[p][q] != 0:
                L += sp.Rational(1, 2) * pair_w[p][q] * _kappa(norms2[p], norms2[q], ip(W[p], W[q]))
    for p in range(P):
        if row_w[p] == 0:
            continue
        for c in range(C):
            if layout.teacher_cols[c]:
                L -= row_w[p] * col_w[c] * _kappa(norms2[p], sp.Integer(1), W[p][c])
    L += k / 4 + k * (k - 1) / (4 * sp.pi)
    return SymbolicReducedLoss(loss=L, coords=coords, k=k)


def _generic_k(spec: str) -> float:
    for k in (40.0, 400.0, 4000.0):
        try:
            return IsotropyGroup.from_spec(spec, k).k
        except DomainError:
            continue
    raise ValueError(
        f"spec {spec!r} has constant block sizes; give it in terms of k (e.g. 'k-1,1')"
    )
