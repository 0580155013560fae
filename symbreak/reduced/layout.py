r"""The compressed index model: a few explicit indices per block plus a weighted bulk.

At a point of ``Fix(H)`` (and for the structured directions used by the
analytic Hessian) every row of ``W`` belongs to a *class*: its block and, when
the direction singles out marked indices ``0, 1, 2, 3`` of a block, which mark
it is, or "generic".  Rows of one class have identical Gram data, so every sum
over rows or over ordered pairs of rows is a finite sum over classes weighted
by counts that are polynomials in the block sizes ``m_t``.

The model keeps, for each factor ``t`` with ``μ_t`` marks,

* explicit **rows** (factors with rows): the marks, and two generic *probes*
  ``g1, g2`` (two distinct generic rows, each with its own diagonal entry);
* explicit **columns** (factors with columns): the marks, ``g1``, ``g2`` and
  one **bulk** column standing for the remaining ``m_t − μ_t − 2`` generic
  columns.

Weights (all polynomials in the sizes, valid for real sizes):

* single rows: mark 1, ``g1``: ``m − μ`` (it represents every generic row),
  ``g2``: 0;
* ordered pairs of distinct rows ``(p, q)``: mark–mark 1; mark–``g1_b``:
  ``m_b − μ_b``; ``g1_a``–``g1_b`` (``a ≠ b``): ``(m_a − μ_a)(m_b − μ_b)``;
  ``g1_a``–``g2_a``: ``(m_a − μ_a)(m_a − μ_a − 1)``; every other pair 0;
* columns: explicit 1, bulk ``m − μ − 2``.

These are exact: for an explicit row ``p`` all columns merged into the bulk
carry equal entries of ``W`` and of the direction (they are generic for
``p``), so weighted inner products equal the true ones, and the pair counts
are the numbers of ordered pairs of actual rows in each class.  Nothing here
grows with ``k``; the sizes may be real.

**Explicit teacher rows** (``layout_for(group, marks, teacher=True)``).  For a
teacher ``V ∈ Fix(H) ⊂ M(k, d)`` other than ``[I_k 0]`` the layout appends a
second copy of the rows of the diagonal factors, the *teacher rows* ``r``
(same labels; entries from the teacher's coordinates, slots ``dim …
dim + dim_T − 1``).  With ``s(r)`` the student row of the same label, the
ordered pairs ``(i, j)`` of a student row ``i`` and a teacher row ``j`` are the
pairs ``i ≠ j`` plus the pairs ``i = j``, so their counts are
``ST_pr = Ω_{p s(r)} + [p = s(r)] ω_p``; teacher pairs ``j ≠ j'`` count
``Ω_{s(r) s(r')}`` and a teacher row itself ``ω_{s(r)}``.  The layout's
weights are those of the *signed* row set

.. math::

    ω̃ = (ω, ω_{s(·)}),\qquad
    Ω̃ = \begin{pmatrix} Ω & −ST \\ −ST^T & Ω_{s(·)s(·)} \end{pmatrix},

so that ``¼Σ ω̃_x|x|² + ½Σ Ω̃_{xy} κ(x, y)`` over all explicit rows is
``½Σκ(w_i, w_i') − Σκ(w_i, v_j) + ½Σκ(v_j, v_j')`` exactly: the whole loss,
teacher energy included, and no teacher columns (``teacher_cols`` all
False).  Directions (copy patterns) vanish on the teacher rows, so the forms
of :mod:`symbreak.reduced.evaluate` give the derivatives in ``W``; a direction
on the teacher rows gives derivatives in ``V``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..representation.isotropy import IsotropyGroup
from ..representation.isotypic import CopyVector, Irrep, fix_coordinate_keys

__all__ = [
    "Layout",
    "LayoutWeights",
    "layout_for",
    "teacher_coordinate_keys",
    "G1",
    "G2",
    "BULK",
]

G1, G2, BULK = -1, -2, -3


@dataclass(frozen=True)
class LayoutWeights:
    """Float weights of a layout at given sizes, and their derivatives in ``k``.

    Attributes
    ----------
    row, pair, col : ndarray
        ``ω_p`` (P,), ``Ω_pq`` (P, P) and the column weights ``a_c`` (C,).
    teacher : ndarray
        ``t_c``: ``a_c`` on the teacher's columns, 0 elsewhere (C,).
    drow, dpair, dcol, dteacher : ndarray
        Their exact derivatives ``d/dk`` (the weights are polynomials in the
        block sizes, the sizes polynomials in ``k``).
    """

    row: np.ndarray
    pair: np.ndarray
    col: np.ndarray
    teacher: np.ndarray
    drow: np.ndarray
    dpair: np.ndarray
    dcol: np.ndarray
    dteacher: np.ndarray

    def inert_rows(self, *, derivatives: bool = True) -> np.ndarray:
        """Indices ``p`` of the rows that enter nothing: ``ω_p = 0`` and ``Ω_pq = Ω_qp = 0``.

        Such a row is a probe standing for no actual row at these sizes (e.g.
        the second generic probe of a block with at most one generic row); the
        loss, gradient and Hessian do not depend on it.  With ``derivatives``
        (default) the ``k``-derivatives of its weights must vanish too (then
        the ``d/dk`` forms do not depend on it either).
        """
        pairs = [self.pair] + ([self.dpair] if derivatives else [])
        rows = [self.row] + ([self.drow] if derivatives else [])
        zero = np.all([r == 0 for r in rows], axis=0)
        for X in pairs:
            zero &= np.all(X == 0, axis=1) & np.all(X == 0, axis=0)
        return np.flatnonzero(zero)

    def restrict_rows(self, keep) -> LayoutWeights:
        """The weights of the explicit rows ``keep`` only (indices, increasing)."""
        keep = np.asarray(keep, dtype=int)
        sub = np.ix_(keep, keep)
        out = LayoutWeights(
            row=self.row[keep],
            pair=self.pair[sub],
            col=self.col,
            teacher=self.teacher,
            drow=self.drow[keep],
            dpair=self.dpair[sub],
            dcol=self.dcol,
            dteacher=self.dteacher,
        )
        for a in (out.row, out.pair, out.drow, out.dpair):
            a.setflags(write=False)
        return out


class _Dual:
    """``value + ε·derivative`` with ``ε² = 0`` (forward derivative of the weights)."""

    __slots__ = ("v", "d")

    def __init__(self, v, d):
        self.v, self.d = v, d

    def __add__(self, o):
        return (
            _Dual(self.v + o.v, self.d + o.d) if isinstance(o, _Dual) else _Dual(self.v + o, self.d)
        )

    __radd__ = __add__

    def __sub__(self, o):
        return (
            _Dual(self.v - o.v, self.d - o.d) if isinstance(o, _Dual) else _Dual(self.v - o, self.d)
        )

    def __rsub__(self, o):
        return _Dual(o - self.v, -self.d)

    def __mul__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v * o.v, self.d * o.v + self.v * o.d)
        return _Dual(self.v * o, self.d * o)

    __rmul__ = __mul__


def _split(x) -> tuple[float, float]:
    return (float(x.v), float(x.d)) if isinstance(x, _Dual) else (float(x), 0.0)


@dataclass(frozen=True, eq=False)
class Layout:
    """Explicit rows/columns of the compressed model for one marking.

    Attributes
    ----------
    kinds : tuple of str
        Factor kinds (``diag``/``row``/``col``).
    marks : tuple of int
        Marks per factor.
    rows, cols : tuple of (factor, label)
        Explicit rows and columns; labels are mark numbers or ``G1``, ``G2``,
        ``BULK``.
    coord_index : ndarray of int, shape (P, C)
        Which Fix(H) coordinate each entry ``W[p, c]`` equals.
    teacher_cols : ndarray of bool, shape (C,)
        Columns that carry a teacher vector ``e_j`` (diagonal factors; none
        when the layout has explicit teacher rows).
    teacher_rows : int
        Number of explicit teacher rows, the last rows of ``rows`` (0: the
        teacher is ``[I_k 0]``, carried by the teacher columns).
    """

    kinds: tuple[str, ...]
    marks: tuple[int, ...]
    rows: tuple[tuple[int, int], ...]
    cols: tuple[tuple[int, int], ...]
    coord_index: np.ndarray
    teacher_cols: np.ndarray
    teacher_rows: int = 0

    @property
    def student_rows(self) -> tuple[tuple[int, int], ...]:
        """The rows of ``W`` (all rows but the explicit teacher rows)."""
        return self.rows[: len(self.rows) - self.teacher_rows]

    # ------------------------------------------------------------- weights
    def weights(self, sizes, xp=np):
        """Row weights ``ω_p``, ordered-pair weights ``Ω_pq`` and column weights.

        ``sizes`` may be floats or sympy expressions (then pass ``xp=None`` to
        get nested lists of expressions).  With explicit teacher rows: the
        signed weights ``ω̃, Ω̃`` of the module docstring.
        """
        free = [sizes[t] - self.marks[t] for t in range(len(sizes))]
        rows = self.student_rows
        P, C = len(rows), len(self.cols)
        row_w = [0] * P
        for p, (t, lab) in enumerate(rows):
            row_w[p] = 1 if lab >= 0 else (free[t] if lab == G1 else 0)
        pair_w = [[0] * P for _ in range(P)]
        for p, (a, la) in enumerate(rows):
            for q, (b, lb) in enumerate(rows):
                if p == q or la == G2 or lb == G2 and not (la == G1 and a == b):
                    continue
                if la >= 0 and lb >= 0:
                    w = 1
                elif la >= 0 and lb == G1:
                    w = free[b]
                elif la == G1 and lb >= 0:
                    w = free[a]
                elif la == G1 and lb == G1:
                    w = free[a] * free[b] if a != b else 0
                elif la == G1 and lb == G2:
                    w = free[a] * (free[a] - 1)
                else:  # pragma: no cover - exhaustive above
                    w = 0
                pair_w[p][q] = w
        col_w = [0] * C
        for c, (t, lab) in enumerate(self.cols):
            col_w[c] = free[t] - 2 if lab == BULK else 1
        if self.teacher_rows:
            row_w, pair_w = self._signed_weights(row_w, pair_w)
        if xp is None:
            return row_w, pair_w, col_w
        return (
            np.asarray(row_w, dtype=float),
            np.asarray(pair_w, dtype=float),
            np.asarray(col_w, dtype=float),
        )

    def _signed_weights(self, row_w, pair_w):
        """``ω̃, Ω̃`` of the student rows plus the teacher rows (module docstring)."""
        P = len(row_w)
        index = {row: p for p, row in enumerate(self.student_rows)}
        s = [index[row] for row in self.rows[P:]]  # student row of each teacher row
        R = len(s)
        row = list(row_w) + [row_w[q] for q in s]
        pair = [list(r) + [0] * R for r in pair_w] + [[0] * (P + R) for _ in range(R)]
        for r, q in enumerate(s):
            for p in range(P):
                st = pair_w[p][q] + (row_w[p] if p == q else 0)
                pair[p][P + r] = 0 - st
                pair[P + r][p] = 0 - st
            for r2, q2 in enumerate(s):
                pair[P + r][P + r2] = pair_w[q][q2]
        return row, pair

    def float_weights(self, sizes, dsizes=None) -> LayoutWeights:
        """The weights as float arrays with their ``k``-derivatives (cached).

        Parameters
        ----------
        sizes : tuple of float
            Block sizes ``m_t``.
        dsizes : tuple of float, optional
            ``dm_t/dk`` (default 0: every derivative is then 0).
        """
        dsizes = (0.0,) * len(sizes) if dsizes is None else dsizes
        return _float_weights(self, tuple(float(m) for m in sizes), tuple(float(x) for x in dsizes))

    @cached_property
    def n_slots(self) -> int:
        """Number of coordinate slots the entries refer to (``max(coord_index) + 1``)."""
        return int(self.coord_index.max()) + 1

    @cached_property
    def off_diagonal(self) -> np.ndarray:
        """``1 − I`` over the columns (float, read-only)."""
        out = 1.0 - np.eye(len(self.cols))
        out.setflags(write=False)
        return out

    def restrict_rows(self, keep) -> Layout:
        """The layout with only the explicit rows ``keep`` (indices, increasing; cached).

        Used to leave out inert probe rows (:meth:`LayoutWeights.inert_rows`):
        the weights must be restricted the same way
        (:meth:`LayoutWeights.restrict_rows`); :meth:`weights` of the
        restricted layout are not those (they would count its rows anew).
        """
        keep = tuple(int(p) for p in keep)
        if keep == tuple(range(len(self.rows))):
            return self
        return _restricted_layout(self, keep)

    # ------------------------------------------------------------ patterns
    def copy_patterns(self, irrep: Irrep, copies: tuple[CopyVector, ...]) -> np.ndarray:
        """The stacked patterns of ``copies`` (shape (μ, P, C), cached, read-only)."""
        return _copy_patterns(self, irrep, tuple(copies))

    def copy_pattern(self, irrep: Irrep, copy: CopyVector) -> np.ndarray:
        """The copy vector's entries on the explicit rows and columns (P×C)."""
        P, C = len(self.rows), len(self.cols)
        U = np.zeros((P, C))
        a, b = copy.row_factor, copy.col_factor
        for p, (ta, la) in enumerate(self.student_rows):
            if ta != a:
                continue
            for c, (tb, lb) in enumerate(self.cols):
                if tb != b:
                    continue
                U[p, c] = _pattern_value(irrep, copy, la, lb)
        return U


@lru_cache(maxsize=4096)
def _float_weights(layout: Layout, sizes: tuple, dsizes: tuple) -> LayoutWeights:
    duals = [_Dual(m, dm) for m, dm in zip(sizes, dsizes)]
    row_w, pair_w, col_w = layout.weights(duals, xp=None)
    row = np.array([_split(x) for x in row_w]).reshape(-1, 2)
    pair = np.array([[_split(x) for x in r] for r in pair_w]).reshape(len(row_w), len(row_w), 2)
    col = np.array([_split(x) for x in col_w]).reshape(-1, 2)
    teach = np.where(layout.teacher_cols[:, None], col, 0.0)
    out = LayoutWeights(
        row=row[:, 0],
        pair=pair[..., 0],
        col=col[:, 0],
        teacher=teach[:, 0],
        drow=row[:, 1],
        dpair=pair[..., 1],
        dcol=col[:, 1],
        dteacher=teach[:, 1],
    )
    for a in (out.row, out.pair, out.col, out.teacher, out.drow, out.dpair, out.dcol, out.dteacher):
        a.setflags(write=False)
    return out


@lru_cache(maxsize=1024)
def _restricted_layout(layout: Layout, keep: tuple[int, ...]) -> Layout:
    idx = layout.coord_index[list(keep)]
    idx.setflags(write=False)
    first_teacher = len(layout.rows) - layout.teacher_rows
    return Layout(
        kinds=layout.kinds,
        marks=layout.marks,
        rows=tuple(layout.rows[p] for p in keep),
        cols=layout.cols,
        coord_index=idx,
        teacher_cols=layout.teacher_cols,
        teacher_rows=sum(1 for p in keep if p >= first_teacher),
    )


@lru_cache(maxsize=4096)
def _copy_patterns(layout: Layout, irrep: Irrep, copies: tuple) -> np.ndarray:
    U = np.stack([layout.copy_pattern(irrep, c) for c in copies])
    U.setflags(write=False)
    return U


def _label_vector(ty: str, lab: int) -> float:
    """Value at a label of the abstract vector of an irrep type (one factor)."""
    if ty == "triv":
        return 1.0
    if ty == "std":
        return {0: 1.0, 1: -1.0}.get(lab, 0.0)
    raise ValueError(ty)  # pragma: no cover


def _xy(ty: str, lab: int) -> tuple[float, float]:
    """The two vectors x, y of the ``two``/``alt`` copy vectors at a label."""
    if ty == "two":  # (e0 − e2) ⊙ (e1 − e3)
        return {0: 1.0, 2: -1.0}.get(lab, 0.0), {1: 1.0, 3: -1.0}.get(lab, 0.0)
    # alt: (e0 − e1) ∧ (e0 − e2)
    return {0: 1.0, 1: -1.0}.get(lab, 0.0), {0: 1.0, 2: -1.0}.get(lab, 0.0)


def _pattern_value(irrep: Irrep, copy: CopyVector, la: int, lb: int) -> float:
    a, b = copy.row_factor, copy.col_factor
    if a != b:
        return _label_vector(irrep.types[a], la) * _label_vector(irrep.types[b], lb)
    ty = irrep.types[a]
    same = la == lb and lb != BULK
    pat = copy.pattern
    if pat == "off":
        return 0.0 if same else 1.0
    if ty in ("two", "alt"):
        xa, ya = _xy(ty, la)
        xb, yb = _xy(ty, lb)
        return xa * yb + ya * xb if ty == "two" else xa * yb - ya * xb
    if pat == "diag":
        return _label_vector(ty, la) if same else 0.0
    if pat == "row":
        return _label_vector(ty, la)
    if pat == "col":
        return _label_vector(ty, lb)
    raise ValueError(f"unknown copy pattern {pat!r}")  # pragma: no cover


@lru_cache(maxsize=256)
def _layout_cached(
    kinds: tuple[str, ...],
    marks: tuple[int, ...],
    coord_keys: tuple,
    padding: tuple = (),
    teacher_keys: tuple | None = None,
) -> Layout:
    rows, cols = [], []
    for t, kind in enumerate(kinds):
        labels = list(range(marks[t])) + [G1, G2]
        if kind in ("diag", "row"):
            rows.extend((t, lab) for lab in labels)
        if kind in ("diag", "col"):
            cols.extend((t, lab) for lab in labels + [BULK])
    n_teacher = 0 if teacher_keys is None else len(teacher_keys)
    # slots: the coordinates of W, then (with explicit teacher rows) those of V,
    # then the padding slots (entries that never occur; always 0)
    pad = {key: len(coord_keys) + n_teacher + j for j, key in enumerate(padding)}
    lookups = [({key: i for i, key in enumerate(coord_keys)} | pad, rows)]
    teacher_rows = []
    if teacher_keys is not None:
        teacher_rows = [(t, lab) for t, lab in rows if kinds[t] == "diag"]
        tlook = {key: len(coord_keys) + i for i, key in enumerate(teacher_keys)} | pad
        lookups.append((tlook, teacher_rows))
    blocks = []
    for lookup, block_rows in lookups:
        idx = np.empty((len(block_rows), len(cols)), dtype=int)
        for p, (a, la) in enumerate(block_rows):
            for c, (b, lb) in enumerate(cols):
                if a == b:
                    key = (a, a, "diag" if (la == lb and lb != BULK) else "off")
                else:
                    key = (a, b, "outer")
                idx[p, c] = lookup[key]
        blocks.append(idx)
    idx = np.concatenate(blocks)
    idx.setflags(write=False)
    teacher = np.array([kinds[t] == "diag" and teacher_keys is None for t, _ in cols], dtype=bool)
    teacher.setflags(write=False)
    return Layout(
        kinds=kinds,
        marks=marks,
        rows=tuple(rows) + tuple(teacher_rows),
        cols=tuple(cols),
        coord_index=idx,
        teacher_cols=teacher,
        teacher_rows=len(teacher_rows),
    )


def teacher_coordinate_keys(group: IsotropyGroup) -> tuple[tuple[int, int, str], ...]:
    """Keys of ``Fix(H) ∩ M(k, d)``: the Fix(H) coordinates whose rows are teacher rows.

    The teacher ``V ∈ M(k, d)`` has the rows of the diagonal factors only, so
    its coordinates are those of ``Fix(H)`` with a diagonal row factor, in the
    same order.
    """
    kinds = [f.kind for f in group.factors]
    return tuple(key for key in fix_coordinate_keys(group) if kinds[key[0]] == "diag")


def layout_for(group: IsotropyGroup, marks: tuple[int, ...], *, teacher: bool = False) -> Layout:
    """The (cached) compressed layout of ``group`` with the given marks per factor.

    With ``teacher=True``: explicit teacher rows (module docstring); the
    coordinates are then those of ``W`` followed by those of ``V``
    (:func:`teacher_coordinate_keys`).
    """
    kinds = tuple(f.kind for f in group.factors)
    keys = fix_coordinate_keys(group)
    # blocks of constant size 1 have no off-diagonal coordinate: map such
    # entries (which never occur) to a padding slot
    padding = tuple(
        (t, t, "off")
        for t, f in enumerate(group.factors)
        if f.kind == "diag" and (t, t, "off") not in keys
    )
    tkeys = teacher_coordinate_keys(group) if teacher else None
    return _layout_cached(kinds, tuple(marks), tuple(keys), padding, tkeys)
