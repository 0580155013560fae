r"""The reduced system on ``Fix(H)``: loss, gradient and Hessian in the coordinates.

For ``W = Σ_o c_o E_o`` (``E_o`` the 0/1 indicator of orbit ``o``):

.. math::

    \frac{∂L}{∂c_o} = DL(W)[E_o],\qquad
    \frac{∂^2 L}{∂c_o ∂c_{o'}} = D^2L(W)[E_o, E_{o'}],

evaluated on the compressed model (:mod:`symbreak.reduced.evaluate`), so the
cost does not depend on ``k`` and ``k`` may be real.  By the principle of
symmetric criticality a zero of this gradient is a critical point of ``L``.

Every method accepts one point (shape ``(dim,)``) or a batch (shape
``(N, dim)``) and returns the matching shape; a batch is evaluated with one set
of ``einsum`` calls, not a loop over points.  Everything that does not depend
on the coordinates (layout, copy patterns, weights and their ``k``-derivatives)
is computed once per group and cached.

**Zero rows in a batch.**  The loss is not differentiable where a row of ``W``
is zero.  If any point of a batch has a zero row, the whole call raises
:class:`~symbreak.errors.NotDifferentiableError` whose message names the block
and the index of the first offending point; no value is returned as NaN.
Screen a batch first with :meth:`ReducedSystem.differentiable` (a boolean mask).
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from functools import cached_property

import numpy as np

from ..representation.isotropy import IsotropyGroup, group_of
from ..representation.isotypic import isotypic_decomposition
from .evaluate import CompressedState, compressed_state
from .fixed_point import FixedPointSpace
from .layout import LayoutWeights, layout_for
from .teacher import Teacher, TeacherSpace

__all__ = ["ReducedSystem", "PRECISE_LOSS_K", "teacher_directions"]

#: above this k, :meth:`ReducedSystem.loss` evaluates in extended precision
#: (the float64 sum loses about ``1e-16·k²`` to cancellation)
PRECISE_LOSS_K = 1e4


@dataclass(frozen=True)
class ReducedSystem:
    """Loss, gradient and Hessian of ``L`` restricted to ``Fix(H)``.

    Parameters
    ----------
    group : IsotropyGroup or str
        The isotropy group; its block sizes (possibly real) fix ``k``.  Or its
        spec string, with ``k`` (and optionally ``extra_dims = d − k``, default
        0) given: ``ReducedSystem("k-1,1", k=6)``
        (:func:`~symbreak.representation.isotropy.group_of`); the ``group``
        attribute is then the resolved :class:`IsotropyGroup`.
    teacher : Teacher or array_like, optional (keyword)
        A teacher ``V ∈ Fix(H) ⊂ M(k, d)``
        (:class:`~symbreak.reduced.teacher.Teacher`, or its coordinates in
        :class:`~symbreak.reduced.teacher.TeacherSpace` order).  Default
        ``None``: ``V = [I_k 0]`` on the fast path (teacher columns); a
        :class:`Teacher` uses explicit teacher rows
        (:mod:`symbreak.reduced.layout`), same cost at every ``k``.

    Notes
    -----
    Coordinates may be one point ``(dim,)`` or a batch ``(N, dim)``; outputs
    have a matching leading axis (see the module docstring for zero rows).

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.reduced import ReducedSystem
    >>> sys = ReducedSystem(IsotropyGroup.from_spec("k", 6))
    >>> round(sys.loss([1.0, 0.0]), 12)   # W = I_6 = V
    0.0
    >>> sys.loss([[1.0, 0.0], [0.0, 1.0]]).shape
    (2,)
    """

    group: IsotropyGroup
    k: InitVar[float | None] = None
    extra_dims: InitVar[float | None] = None
    teacher: Teacher | None = field(default=None, kw_only=True)

    def __post_init__(self, k, extra_dims) -> None:
        object.__setattr__(self, "group", group_of(self.group, k, extra_dims=extra_dims))
        t = self.teacher
        if t is not None:
            t = t.at(self.group) if isinstance(t, Teacher) else Teacher(self.group, t)
            object.__setattr__(self, "teacher", t)

    @cached_property
    def _teacher_coords(self) -> np.ndarray | None:
        return None if self.teacher is None else self.teacher.array

    @cached_property
    def space(self) -> FixedPointSpace:
        return FixedPointSpace(self.group)

    @cached_property
    def _layout(self):
        marks = (0,) * len(self.group.factors)
        return layout_for(self.group, marks, teacher=self.teacher is not None)

    @cached_property
    def _weights(self) -> LayoutWeights:
        g = self.group
        return self._layout.float_weights(g.sizes, g.size_derivatives)

    @cached_property
    def _basis(self) -> np.ndarray:
        triv = isotypic_decomposition(self.group)[0]
        return self._layout.copy_patterns(triv.irrep, triv.copies)

    @cached_property
    def _teacher_basis(self) -> np.ndarray:
        """The orbit basis of the teacher's coordinates, on the explicit teacher rows."""
        return teacher_directions(self.group, self._layout)

    # ------------------------------------------------------------ helpers
    def _batch(self, coords) -> tuple[np.ndarray, bool]:
        """``coords`` as an (N, dim) float array (with the teacher's coordinates
        appended when there is a teacher), and whether it was one point."""
        c, single = self.space.check_batch(coords)
        v = self._teacher_coords
        if v is not None:
            c = np.concatenate([c, np.broadcast_to(v, (c.shape[0], v.size))], axis=1)
        return c, single

    def state(self, coords) -> CompressedState:
        """The compressed model at ``coords`` (no marks); arrays have a batch axis."""
        c, _ = self._batch(coords)
        return compressed_state(self._layout, self._weights, self.group.k, c)

    def differentiable(self, coords) -> np.ndarray:
        """Boolean mask (N,) (or a bool for one point): no row of ``W`` (or ``V``) is zero."""
        c, single = self._batch(coords)
        lay, w = self._layout, self._weights
        n_slots = int(lay.coord_index.max()) + 1
        full = np.concatenate([c, np.zeros((c.shape[0], max(0, n_slots - c.shape[1])))], axis=1)
        W = full[:, lay.coord_index]
        ok = np.all(np.einsum("npc,c,npc->np", W, w.col, W) > 0.0, axis=1)
        return bool(ok[0]) if single else ok

    # ---------------------------------------------------------------- API
    def loss(self, coords):
        """``L(W(c))``: a float, or shape (N,).

        Above ``k = PRECISE_LOSS_K`` through :meth:`loss_precise`.
        """
        if self.group.k > PRECISE_LOSS_K:
            return self.loss_precise(coords)
        c, single = self._batch(coords)
        out = compressed_state(self._layout, self._weights, self.group.k, c).loss()
        return float(out[0]) if single else out

    def loss_precise(self, coords, *, dps: int | None = None):
        """``L(W(c))`` in extended precision (mpmath), for large ``k``.

        The loss is a sum of ``O(k²)``-weighted kernel terms that cancel down
        to ``O(1)``, so the float64 :meth:`loss` carries an absolute error of
        about ``1e-16·k²`` (``1e-4`` at ``k = 10⁶``).  This evaluates the same
        compressed model in ``mpmath`` arithmetic
        (:class:`symbreak.reduced.generic.GenericReducedSystem`) with
        ``dps`` decimal digits (default ``20 + 2·log10(k)``) and rounds to float.
        A batch is evaluated point by point.
        """
        from .arithmetic import MPArithmetic
        from .generic import GenericReducedSystem

        c, single = self.space.check_batch(coords)
        if dps is None:
            dps = 20 + 2 * int(np.ceil(np.log10(max(self.group.k, 10.0))))
        model = GenericReducedSystem(self.group, MPArithmetic(dps=dps), teacher=self.teacher)
        values = np.array([float(model.loss([float(x) for x in row])) for row in c])
        return float(values[0]) if single else values

    def gradient(self, coords) -> np.ndarray:
        """``∂L/∂c_o = ⟨∇L(W), E_o⟩``: shape (dim,) or (N, dim)."""
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        out = st.gradient_form(self._basis)
        return out[0] if single else out

    def derivatives(self, coords) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`gradient`, :meth:`hessian` and :meth:`gradient_dk` from one compressed state.

        What a continuation in ``k`` needs at every Newton step (one evaluation
        of the model instead of three).
        """
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        g = st.gradient_form(self._basis)
        H = st.hessian_form(self._basis)
        gk = st.gradient_dk_form(self._basis)
        return (g[0], H[0], gk[0]) if single else (g, H, gk)

    def gradient_dk(self, coords) -> np.ndarray:
        """Exact ``∂/∂k`` of :meth:`gradient` at fixed coordinates: shape (dim,) or (N, dim).

        The coordinates (entries of ``W``) do not move with ``k``; the block
        sizes enter through polynomial weights, which are differentiated
        exactly (:meth:`~symbreak.reduced.evaluate.CompressedState.gradient_dk_form`).
        """
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        out = st.gradient_dk_form(self._basis)
        return out[0] if single else out

    def loss_dk(self, coords):
        """Exact ``∂L/∂k`` at fixed coordinates (float64): a float or shape (N,)."""
        c, single = self._batch(coords)
        out = compressed_state(self._layout, self._weights, self.group.k, c).loss_dk()
        return float(out[0]) if single else out

    def hessian(self, coords) -> np.ndarray:
        """``∂²L/∂c_o∂c_{o'}``: shape (dim, dim) or (N, dim, dim), symmetric."""
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        out = st.hessian_form(self._basis)
        return out[0] if single else out

    def loss_gradient_hessian(self, coords):
        """All three from one evaluation of the compressed model."""
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        if self.group.k > PRECISE_LOSS_K:  # the coordinates of W only (not the teacher's)
            loss = np.atleast_1d(self.loss_precise(self.space.check_batch(coords)[0]))
        else:
            loss = st.loss()
        grad, hess = st.gradient_form(self._basis), st.hessian_form(self._basis)
        if single:
            return float(loss[0]), grad[0], hess[0]
        return loss, grad, hess

    def gradient_teacher_derivative(self, coords, direction) -> np.ndarray:
        r"""``∂/∂s ∂L/∂c_o (c; V + sE)`` at ``s = 0``: shape (dim,) or (N, dim).

        The mixed second derivative ``D_V D_W L[E_o, E]
        = −Σ_{i,j} e_{o,i}^T ∂²_{wv}κ(w_i, v_j) E_j`` (only the student–teacher
        terms depend on both), evaluated as the cross block of the Hessian
        form with the directions ``E_o`` on the student rows and ``E`` on the
        teacher rows.  ``direction``: ``E``'s coordinates in
        :class:`~symbreak.reduced.teacher.TeacherSpace` order.  Needs a
        :class:`~symbreak.reduced.teacher.Teacher` (pass
        ``Teacher.identity(group)`` for ``V = I``).
        """
        if self.teacher is None:
            raise ValueError(
                "gradient_teacher_derivative needs an explicit teacher: "
                "ReducedSystem(group, teacher=Teacher.identity(group))"
            )
        c, single = self.space.check_batch(coords)
        ge = self.teacher_derivatives(c, direction)[2]
        return ge[0] if single else ge

    def teacher_derivatives(self, coords, direction):
        """:meth:`gradient`, :meth:`hessian` and :meth:`gradient_teacher_derivative` at once.

        One compressed state and one Hessian form on the stacked directions
        ``[E_o; E]``: what a continuation in ``ε`` of ``V + εE`` needs at every
        Newton step.  Shapes as for the three methods.
        """
        if self.teacher is None:
            raise ValueError(
                "teacher_derivatives needs an explicit teacher: "
                "ReducedSystem(group, teacher=Teacher.identity(group))"
            )
        e = self.teacher.space.check(direction)
        c, single = self._batch(coords)
        st = compressed_state(self._layout, self._weights, self.group.k, c)
        Ue = np.einsum("t,tpc->pc", e, self._teacher_basis)[None]
        B = st.hessian_form(np.concatenate([self._basis, Ue]))
        g = st.gradient_form(self._basis)
        H, ge = B[:, :-1, :-1], B[:, :-1, -1]
        return (g[0], H[0], ge[0]) if single else (g, H, ge)

    def with_k(self, k: float) -> ReducedSystem:
        """The same spec evaluated at another ``k`` (:meth:`IsotropyGroup.at`; same teacher
        coordinates)."""
        g = self.group.at(k)
        return ReducedSystem(g, teacher=None if self.teacher is None else self.teacher.at(g))


def teacher_directions(group: IsotropyGroup, layout) -> np.ndarray:
    """Orbit basis ``E_o`` of the teacher's coordinates on a layout's explicit teacher rows.

    Shape ``(dim_T, P, C)``: the copy pattern of each teacher coordinate moved
    from the student rows to the teacher rows of the same label.
    """
    triv = isotypic_decomposition(group)[0]
    U = layout.copy_patterns(triv.irrep, triv.copies)
    tkeys = TeacherSpace(group).keys
    keys = [(cv.row_factor, cv.col_factor, cv.pattern) for cv in triv.copies]
    P = len(layout.student_rows)
    index = {row: p for p, row in enumerate(layout.student_rows)}
    src = [index[row] for row in layout.rows[P:]]
    out = np.zeros((len(tkeys), len(layout.rows), len(layout.cols)))
    for i, key in enumerate(tkeys):
        out[i, P:] = U[keys.index(key), src]
    out.setflags(write=False)
    return out
