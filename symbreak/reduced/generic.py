r"""The compressed model in any arithmetic: extended precision, intervals, symbols.

:class:`GenericReducedSystem` evaluates *the* compressed model
(:mod:`symbreak.reduced.evaluate`, the same code as the float64
:class:`~symbreak.reduced.ReducedSystem`) on object arrays of the numbers of a
back-end (:mod:`symbreak.reduced.arithmetic`):

* ``MPArithmetic(dps)``: ``mpmath`` values with ``dps`` digits (asymptotic
  series, the loss at large ``k``);
* ``ArbArithmetic(prec)``: rigorous enclosures (``arb`` balls) over boxes of
  coordinates, and over an interval of ``k`` (pass ``k`` as a ball), for the
  certificates;
* ``SymPyArithmetic()``: expressions in symbolic coordinates and ``k``
  (:func:`symbreak.reduced.symbolic.reduced_loss_expr`);
* ``FloatArithmetic()``: Python floats (a check of the generic code path).

The block sizes are the spec's polynomials in ``k`` with exact rational
coefficients, evaluated in the back-end; the weights of the layout are
polynomials in the sizes.  No quantity grows with ``k``.  Every method enters
the back-end's precision context itself, so results have the requested
precision even when the caller did not enter it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ..representation.isotropy import K_SYMBOL, IsotropyGroup
from ..representation.isotypic import IsotypicComponent, isotypic_decomposition
from .arithmetic import Interval64Arithmetic
from .evaluate import CompressedState, compressed_state
from .layout import Layout, LayoutWeights, layout_for
from .teacher import TeacherSpace

__all__ = ["GenericReducedSystem", "GenericBlock", "exact_size_polynomials", "generic_weights"]


def _fraction(c) -> Fraction:
    c = sp.nsimplify(c) if isinstance(c, sp.Float) and float(c).is_integer() else c
    if isinstance(c, sp.Rational):
        return Fraction(int(c.p), int(c.q))
    return Fraction(float(c))


def exact_size_polynomials(group: IsotropyGroup) -> tuple[tuple[Fraction, ...], ...]:
    """Coefficients (highest degree first, exact) of every block size as a polynomial in k."""
    out = []
    for f in group.factors:
        if f.expr.free_symbols:
            coeffs = sp.Poly(f.expr, K_SYMBOL).all_coeffs()
        else:
            coeffs = [f.expr]
        out.append(tuple(_fraction(c) for c in coeffs))
    return tuple(out)


def generic_weights(layout: Layout, sizes, arith) -> LayoutWeights:
    """The layout's weights as object arrays of the back-end's numbers (no k-derivatives)."""
    row, pair, col = layout.weights(list(sizes), xp=None)
    row, pair, col = arith.array(row), arith.array(pair), arith.array(col)
    teacher = col.copy()
    teacher[~layout.teacher_cols] = 0
    return LayoutWeights(
        row=row,
        pair=pair,
        col=col,
        teacher=teacher,
        drow=None,
        dpair=None,
        dcol=None,
        dteacher=None,
    )


@dataclass(frozen=True)
class GenericBlock:
    """The pencil ``(B, G)`` of one isotypic component, entries in the back-end's numbers.

    ``A_χ = G^{-1/2} B G^{-1/2}``; its eigenvalues are those of ``B x = λ G x``.
    """

    component: IsotypicComponent
    B: list
    G: list

    @property
    def label(self) -> str:
        return self.component.label


class GenericReducedSystem:
    r"""Loss, gradient, Hessian and Hessian blocks of ``L`` on ``Fix(H)`` in any arithmetic.

    Parameters
    ----------
    group : IsotropyGroup
        Fixes the structure (blocks, isotypic decomposition).
    arith : MPArithmetic, ArbArithmetic, SymPyArithmetic or FloatArithmetic
        The number system (:mod:`symbreak.reduced.arithmetic`).
    k : number, optional
        The value of ``k`` in the back-end's numbers (for example an ``arb``
        ball: then every output encloses its values over that interval of
        ``k``; or ``K_SYMBOL`` with sympy).  Default: ``group.k`` converted exactly.

    Notes
    -----
    Coordinates are a sequence of ``dim`` numbers (floats are converted
    exactly; balls and expressions are used as they are).  Outputs are the
    back-end's numbers: a number (loss), a list (gradient), nested lists
    (Hessian, blocks).  Methods enter ``arith``'s precision context
    themselves.

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.reduced.arithmetic import MPArithmetic
    >>> from symbreak.reduced.generic import GenericReducedSystem
    >>> sys = GenericReducedSystem(IsotropyGroup.from_spec("k", 6), MPArithmetic(30))
    >>> abs(sys.loss([1, 0])) < 1e-28
    True
    """

    def __init__(self, group: IsotropyGroup, arith, *, k=None, teacher=None):
        if not isinstance(group, IsotropyGroup):
            raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
        self.group = group
        self.arith = arith
        self._k_in = k
        if teacher is not None:
            teacher = list(teacher.coords) if hasattr(teacher, "coords") else list(teacher)
            n_teacher = len(TeacherSpace(group).keys)
            if len(teacher) != n_teacher:
                raise ValueError(
                    f"a teacher in Fix({group.name}) has {n_teacher} coordinates, "
                    f"got {len(teacher)}"
                )
        self.teacher = teacher
        with arith:
            self.k = arith.number(Fraction(group.k)) if k is None else arith.number(k)
            self.sizes = [self._poly(c) for c in exact_size_polynomials(group)]
        self._weights: dict[tuple[int, ...], tuple[Layout, LayoutWeights]] = {}
        self._components = isotypic_decomposition(group)
        self._triv = self._components[0]
        self._patterns: dict = {}
        self._last: tuple | None = None  # (coords, marks, state): gradient then Hessian reuse it
        self.dim = self._triv.multiplicity

    def _poly(self, coeffs, arith=None, k=None):
        A = self.arith if arith is None else arith
        k = self.k if k is None else k
        out = A.number(0)
        for c in coeffs:
            out = out * k + A.number(c)
        return out

    def _layout(self, marks: tuple[int, ...]) -> tuple[Layout, LayoutWeights]:
        if marks not in self._weights:
            layout = layout_for(self.group, marks, teacher=self.teacher is not None)
            proxy = getattr(self.arith, "weights_backend", None)
            if proxy is None:
                weights = generic_weights(layout, self.sizes, self.arith)
            else:  # weights exact in the proxy (balls), then enclosed in the back-end
                P = proxy()
                with P:
                    k = P.number(Fraction(self.group.k)) if self._k_in is None else P.number(
                        self._k_in
                    )
                    sizes = [self._poly(c, P, k) for c in exact_size_polynomials(self.group)]
                    pw = generic_weights(layout, sizes, P)
                conv = self.arith.array
                weights = LayoutWeights(
                    row=conv(pw.row),
                    pair=conv(pw.pair),
                    col=conv(pw.col),
                    teacher=conv(pw.teacher),
                    drow=None,
                    dpair=None,
                    dcol=None,
                    dteacher=None,
                )
            self._weights[marks] = (layout, weights)
        return self._weights[marks]

    def _coords(self, coords) -> np.ndarray:
        if len(coords) != self.dim:
            raise ValueError(
                f"Fix({self.group.name}) has {self.dim} coordinates, got {len(coords)}"
            )
        return self.arith.array(list(coords) + list(self.teacher or []))[None, :]

    def _directions(self, layout: Layout, comps) -> tuple[np.ndarray, np.ndarray]:
        """Stacked copy patterns of ``comps`` and their Gram matrix (point-independent, cached)."""
        key = (id(layout), tuple(id(c) for c in comps))
        if key not in self._patterns:
            U = np.concatenate([layout.copy_patterns(c.irrep, c.copies) for c in comps])
            if not isinstance(self.arith, Interval64Arithmetic):  # float U is exact there
                U = self.arith.array(U)
            w = self._layout(tuple(layout.marks))[1]
            G = np.einsum("p,apc,bpc->ab", w.row, U * w.col, U)
            self._patterns[key] = (layout, comps, U, G)
        return self._patterns[key][2], self._patterns[key][3]

    def state(
        self,
        coords,
        marks: tuple[int, ...] | None = None,
        *,
        row_scales: dict | None = None,
        zero_rows_ok: bool = False,
    ) -> CompressedState:
        """The compressed model at ``coords`` for the layout with ``marks`` (default none).

        Parameters
        ----------
        coords : sequence of numbers
        marks : tuple of int, optional
        row_scales : dict, optional
            ``{row block t: s_t}``: the rows of block ``t`` are ``s_t`` times
            the rows given by ``coords`` (a *blow-up chart* of the face where
            block ``t`` vanishes, ``s_t ≥ 0``; ``s_t`` may be a ball containing
            0).  Loss and gradient (with respect to the true coordinates
            ``s_t c_t``) stay bounded as ``s_t → 0``; the Hessian is not
            available in this form.
        zero_rows_ok : bool
            Allow rows that may vanish (only the loss is then available; every
            kernel value is enclosed using ``0 ≤ κ(w, v) ≤ |w||v|/2``;
            ``state.maybe_zero`` tells whether that happened).

        Notes
        -----
        The last plain state is kept: calling :meth:`gradient` and then
        :meth:`hessian` with the same coordinate objects evaluates it once.
        Arrays of the state have a leading batch axis of length 1.
        """
        marks = (0,) * len(self.group.factors) if marks is None else tuple(marks)
        coords = list(coords)
        plain = not row_scales and not zero_rows_ok
        last = self._last
        if (
            plain
            and last is not None
            and last[1] == marks
            and len(last[0]) == len(coords)
            and all(x is y for x, y in zip(last[0], coords))
        ):
            return last[2]
        layout, weights = self._layout(marks)
        scale = None
        if row_scales:
            one = 1
            scale = np.empty(len(layout.rows), dtype=object)
            scale[:] = one  # explicit teacher rows are never rescaled
            for p, (t, _lab) in enumerate(layout.student_rows):
                scale[p] = row_scales.get(t, one)
        with self.arith:
            st = compressed_state(
                layout,
                weights,
                self.k,
                self._coords(coords),
                self.arith,
                row_scale=scale,
                zero_rows_ok=zero_rows_ok,
            )
        if plain:
            self._last = (coords, marks, st)
        return st

    def batch_state(self, coords, *, row_scale=None, zero_rows_ok: bool = False):
        """The compressed model at a *batch* of points (plain layout, no marks).

        Parameters
        ----------
        coords : array, shape (N, dim)
            In the back-end's array type (for ``INTERVAL64`` an
            :class:`~symbreak.reduced._interval64.IntervalArray`: ``N`` boxes).
        row_scale : array, shape (N, P), optional
            Per point blow-up scales of the layout rows (see :func:`compressed_state`).
        zero_rows_ok : bool

        Returns
        -------
        CompressedState
            With leading batch axis ``N``; :meth:`trivial_directions` gives the
            directions of the coordinates for its gradient and Hessian forms.
        """
        if self.teacher is not None:
            raise ValueError("batch_state evaluates the model of the teacher [I_k 0] only")
        layout, weights = self._layout((0,) * len(self.group.factors))
        with self.arith:
            return compressed_state(
                layout,
                weights,
                self.k,
                coords,
                self.arith,
                row_scale=row_scale,
                zero_rows_ok=zero_rows_ok,
            )

    def trivial_directions(self) -> np.ndarray:
        """The copy patterns ``U_o`` of the coordinates on the plain layout (A = dim)."""
        layout = self._layout((0,) * len(self.group.factors))[0]
        return self._directions(layout, (self._triv,))[0]

    # ----------------------------------------------------------------- API
    def loss(self, coords):
        """``L(W(c))``."""
        with self.arith:
            return self.state(coords).loss()[0]

    def gradient(self, coords) -> list:
        """``∂L/∂c_o`` (list of length ``dim``)."""
        with self.arith:
            st = self.state(coords)
            return list(st.gradient_form(self._directions(st.layout, (self._triv,))[0])[0])

    def hessian(self, coords) -> list:
        """``∂²L/∂c_o∂c_{o'}`` (``dim × dim`` nested list, symmetric)."""
        with self.arith:
            st = self.state(coords)
            H = st.hessian_form(self._directions(st.layout, (self._triv,))[0])[0]
            return [list(row) for row in H]

    def loss_gradient_hessian(self, coords):
        """All three from one evaluation of the compressed model."""
        with self.arith:
            st = self.state(coords)
            U = self._directions(st.layout, (self._triv,))[0]
            H = st.hessian_form(U)[0]
            return st.loss()[0], list(st.gradient_form(U)[0]), [list(row) for row in H]

    def components(self) -> tuple[IsotypicComponent, ...]:
        return self._components

    def blocks(self, coords, *, components=None) -> list[GenericBlock]:
        """The pencils ``(B, G)`` of every isotypic component (or of ``components``).

        One evaluation of the state on a layout with enough marks for every
        requested component serves all of them (a layout with more marks is
        still exact); the bilinear form is then evaluated block by block.
        """
        comps = tuple(self._components if components is None else components)
        if not comps:
            return []
        marks = tuple(
            max(c.irrep.marks()[t] for c in comps) for t in range(len(self.group.factors))
        )
        with self.arith:
            st = self.state(coords, marks)
            out = []
            for comp in comps:  # one block at a time: no cross-block terms are formed
                U, G = self._directions(st.layout, (comp,))
                B = st.hessian_form(U)[0]
                out.append(
                    GenericBlock(
                        component=comp,
                        B=[list(row) for row in B],
                        G=[list(row) for row in G],
                    )
                )
            return out
