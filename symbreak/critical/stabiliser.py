r"""Exact stabilisers and orbit canonical forms of points ``W ∈ M(n, d)``.

The symmetry group of the loss with teacher ``V = [I_k | 0]`` is

.. math::

    Γ = S_n × (S_k × S_{d−k}) ⊂ S_n × S_d,\qquad (π, ρ)·W = P_π W P_ρ^T,

(rows permuted freely, teacher columns among themselves, extra input columns
among themselves; ``Γ = S_n × S_d`` when ``d = k``).  This module computes the
stabiliser ``Γ_W`` exactly — its order as an ``int``, a readable label and,
when it is of Young type, the block sizes — and a canonical form deciding
whether two points lie in the same ``Γ``-orbit.

Method
------
``W`` is the weighted complete bipartite graph on rows and columns; ``Γ_W`` is
its automorphism group.  Entries are first sorted into *value classes*
(values closer than ``atol`` are equal; single linkage on the sorted values).

1. **Colour refinement.**  Rows start with one colour, teacher and extra
   columns with one each; a vertex's new colour is the rank of (old colour,
   multiset of (neighbour colour, value class)).  The stable colouring is the
   coarsest equitable partition; it does not depend on how ``W`` is described.
2. **Simple structure.**  The partition is *simple* when for every pair of a
   row cell ``R`` and a column cell ``C`` the submatrix ``W[R, C]`` is constant,
   or takes one value ``δ`` on a perfect matching and another value ``ω``
   elsewhere, and each cell lies in at most one such matching pair.  Then
   ``Γ_W`` is exactly the product of one symmetric group per matched pair
   (rows and columns permuted together, ``Δm``) and per unmatched cell (``Rm``,
   ``Cm``, ``Em``): every cell-preserving permutation that respects the
   matchings fixes ``W``, and every automorphism preserves the cells.  Two
   simple structures with the same cell sizes and per-pair data are
   isomorphic, so that data is a canonical form.
3. **Individualisation.**  Otherwise a vertex ``v`` of the first non-simple
   cell is given its own colour and the colouring refined again.  With
   ``Γ_{W,v}`` the stabiliser of the individualised structure,
   ``|Γ_W| = |v^{Γ_W}|·|Γ_{W,v}|`` (orbit–stabiliser), and ``w`` is in the orbit
   of ``v`` iff the individualised structures of ``v`` and ``w`` have the same
   canonical form; the canonical form of the node is the least of its
   children's.

Points of a fixed-point space ``Fix(H)`` are handled on *blocks* (one block
per factor of ``H``; individualising splits a block into ``1 + (m − 1)``), so
the cost does not grow with ``k`` while the structure stays simple, which is the
case for every critical point met so far.  A dense ``W`` is the special case
in which every block has size 1.

Notation of the labels (see ``docs/notation.md``): a Young-type stabiliser is
written as an isotropy spec (``k-1,1`` or, for a dense ``W``, ``5,1``); other
stabilisers as a product of factors ``Δm`` (``m`` rows and ``m`` teacher
columns permuted together), ``Rm`` (``m`` rows, independently), ``Cm``
(``m`` teacher columns), ``Em`` (``m`` extra input columns), ``Δ'm`` (rows
with extra columns), trivial factors omitted (``1`` for the trivial group);
``[…]·j`` means a group containing the bracketed product with index ``j``
(the extra elements permute equal blocks as units).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DomainError
from ..reduced.fixed_point import FixedPointSpace

__all__ = [
    "Stabiliser",
    "OrbitForm",
    "STABILISER_ATOL",
    "stabiliser",
    "stabiliser_of_coords",
    "function_form",
]

#: entries of ``W`` closer than ``STABILISER_ATOL · max(1, max|W|)`` count as equal
STABILISER_ATOL = 1e-7
_ROUND = 9


@dataclass(frozen=True)
class OrbitForm:
    """Canonical form of a point under ``Γ``: equal forms iff same orbit.

    Attributes
    ----------
    structure : tuple
        Hashable combinatorial part (cell sizes, colours, value-class pattern).
    values : tuple of float
        The value of each value class (sorted).
    atol : float
        Tolerance of the value comparison.
    """

    structure: tuple
    values: tuple[float, ...]
    atol: float = STABILISER_ATOL

    def same_orbit(self, other: OrbitForm) -> bool:
        """True when both points lie in one ``Γ``-orbit (values within ``atol``)."""
        if not isinstance(other, OrbitForm):
            raise TypeError("compare with another OrbitForm")
        if self.structure != other.structure or len(self.values) != len(other.values):
            return False
        scale = max(1.0, max((abs(v) for v in self.values), default=0.0))
        tol = max(self.atol, other.atol) * scale
        return all(abs(a - b) <= tol for a, b in zip(self.values, other.values))


@dataclass(frozen=True)
class Stabiliser:
    """The stabiliser ``Γ_W`` of a point.

    Attributes
    ----------
    order : int or None
        ``|Γ_W|`` (exact integer); None at non-integer block sizes.
    label : str
        Readable label (see the module docstring and ``docs/notation.md``).
    young : tuple of three tuples of int, or None
        ``(diagonal, row, column)`` block sizes when ``Γ_W`` is of Young type
        (integer sizes only).
    is_young : bool
        ``Γ_W`` is of Young type (also decided at real block sizes).
    form : OrbitForm
        The canonical form of the point's orbit.
    """

    order: int | None
    label: str
    young: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None
    form: OrbitForm = field(repr=False)
    is_young: bool = False

    @property
    def young_spec(self) -> str | None:
        """The Young sizes as a plain-integer spec (``"5,1"``, ``"4,1|1"``), or None."""
        if self.young is None:
            return None
        diag, rows, cols = self.young
        out = ",".join(map(str, diag))
        if rows or cols:
            out += "|" + ",".join(map(str, rows))
        if cols:
            out += "|" + ",".join(map(str, cols))
        return out


# ----------------------------------------------------------------- structure
class _Blocks:
    """A block-structured matrix: row blocks × column blocks.

    ``val[a, b]`` is the value class of block ``(a, b)``; when row block ``a``
    is *linked* to column block ``b`` (``link[a] == b``, equal sizes, rows and
    columns indexed alike) ``diag[a]`` is the class on the identity matching and
    ``val[a, b]`` the class elsewhere.
    """

    def __init__(self, rsize, csize, cextra, val, link, diag, rcol=None, ccol=None):
        self.rsize = list(rsize)
        self.csize = list(csize)
        self.cextra = list(cextra)
        self.val = [list(r) for r in val]
        self.link = list(link)
        self.diag = list(diag)
        self.rcol = [0] * len(self.rsize) if rcol is None else list(rcol)
        self.ccol = [1 + int(e) for e in self.cextra] if ccol is None else list(ccol)

    def copy(self) -> _Blocks:
        return _Blocks(
            self.rsize,
            self.csize,
            self.cextra,
            self.val,
            self.link,
            self.diag,
            self.rcol,
            self.ccol,
        )

    def _signature(self, side: str, t: int):
        """Counts of (colour, value class) seen by row block ``t`` (or column block ``t``)."""
        sig: dict = {}
        sizes = self.csize if side == "row" else self.rsize
        for u, m in enumerate(sizes):
            a, b = (t, u) if side == "row" else (u, t)
            colour = self.ccol[b] if side == "row" else self.rcol[a]
            if self.link[a] == b:
                _add(sig, (colour, self.diag[a]), 1.0)
                if m > 1 + 1e-9:
                    _add(sig, (colour, self.val[a][b]), m - 1)
            else:
                _add(sig, (colour, self.val[a][b]), m)
        return tuple(sorted((key, round(v, _ROUND)) for key, v in sig.items()))

    def _row_sig(self, a):
        return self._signature("row", a)

    def _col_sig(self, b):
        return self._signature("col", b)

    def refine(self) -> None:
        """Colour refinement to the coarsest equitable partition (canonical colour names)."""
        while True:
            rkeys = [(self.rcol[a], self._row_sig(a)) for a in range(len(self.rsize))]
            ckeys = [(self.ccol[b], self._col_sig(b)) for b in range(len(self.csize))]
            rrank = {key: i for i, key in enumerate(sorted(set(rkeys)))}
            crank = {key: i for i, key in enumerate(sorted(set(ckeys)))}
            new_r = [rrank[x] for x in rkeys]
            new_c = [crank[x] for x in ckeys]
            stable = len(rrank) == len(set(self.rcol)) and len(crank) == len(set(self.ccol))
            self.rcol, self.ccol = new_r, new_c
            if stable:
                return

    # -------------------------------------------------------------- cells
    def cells(self):
        rcells: dict[int, list[int]] = {}
        ccells: dict[int, list[int]] = {}
        for a, c in enumerate(self.rcol):
            rcells.setdefault(c, []).append(a)
        for b, c in enumerate(self.ccol):
            ccells.setdefault(c, []).append(b)
        return rcells, ccells

    def pair_counts(self, rc: int, cc: int) -> dict:
        """Per-row counts of each value class in the cell pair (row colour rc, column colour cc)."""
        a = self.rcol.index(rc)
        sig = dict(self._row_sig(a))
        return {cls: cnt for (col, cls), cnt in sig.items() if col == cc}

    def pair_col_counts(self, rc: int, cc: int) -> dict:
        b = self.ccol.index(cc)
        sig = dict(self._col_sig(b))
        return {cls: cnt for (col, cls), cnt in sig.items() if col == rc}

    def analyse(self):
        """Cell data and, if simple, the matched pairs; else the cell to individualise."""
        rcells, ccells = self.cells()
        rsz = {c: round(sum(self.rsize[a] for a in bl), _ROUND) for c, bl in rcells.items()}
        csz = {c: round(sum(self.csize[b] for b in bl), _ROUND) for c, bl in ccells.items()}
        pairs = []
        matched_r: dict[int, int] = {}
        matched_c: dict[int, int] = {}
        bad_r: list[int] = []
        bad_c: list[int] = []
        for rc in sorted(rcells):
            for cc in sorted(ccells):
                rows = self.pair_counts(rc, cc)
                cols = self.pair_col_counts(rc, cc)
                pairs.append((rc, cc, tuple(sorted(rows.items()))))
                if len(rows) == 1:
                    continue
                ones = [
                    c
                    for c, n in rows.items()
                    if abs(n - 1) < 1e-9 and abs(cols.get(c, 0) - 1) < 1e-9
                ]
                if len(rows) == 2 and ones and rc not in matched_r and cc not in matched_c:
                    matched_r[rc] = cc
                    matched_c[cc] = rc
                else:
                    bad_r.append(rc)
                    bad_c.append(cc)
        data = (
            tuple(sorted(rsz.items())),
            tuple(sorted(csz.items())),
            tuple(sorted((c, self.ccol_extra(ccells[c])) for c in ccells)),
            tuple(pairs),
        )
        if not bad_r:
            return data, (matched_r, rsz, csz, ccells), None
        # first non-simple cell with more than one vertex
        for rc in sorted(set(bad_r)):
            if rsz[rc] > 1 + 1e-9:
                return data, None, ("row", rcells[rc])
        for cc in sorted(set(bad_c)):
            if csz[cc] > 1 + 1e-9:
                return data, None, ("col", ccells[cc])
        raise RuntimeError("non-simple cell pair between singleton cells")  # pragma: no cover

    def ccol_extra(self, blocks) -> bool:
        return bool(self.cextra[blocks[0]])

    # --------------------------------------------------- individualisation
    def individualise(self, side: str, t: int) -> _Blocks:
        """A copy with one vertex of row (or column) block ``t`` given its own colour."""
        B = self.copy()
        if side == "row":
            a = B._split_row(t)
            B.rcol = [2 * c for c in B.rcol]
            B.rcol[a] += 1
            B.ccol = [2 * c for c in B.ccol]
        else:
            b = B._split_col(t)
            B.ccol = [2 * c for c in B.ccol]
            B.ccol[b] += 1
            B.rcol = [2 * c for c in B.rcol]
        B.refine()
        return B

    def _split_row(self, a: int) -> int:
        m = self.rsize[a]
        if m < 1.5:
            return a
        b = self.link[a]
        if b >= 0:
            self._split_col_raw(b)
            b2 = len(self.csize) - 1
        self.rsize[a] = 1.0
        self.rsize.append(m - 1)
        self.rcol.append(self.rcol[a])
        self.val.append(list(self.val[a]))
        self.diag.append(self.diag[a])
        self.link.append(-1)
        a2 = len(self.rsize) - 1
        if b >= 0:
            off = self.val[a][b]
            self.val[a][b2] = off
            self.val[a2][b] = off
            self.val[a2][b2] = off
            self.link[a2] = b2
        return a

    def _split_col_raw(self, b: int) -> None:
        m = self.csize[b]
        self.csize[b] = 1.0
        self.csize.append(m - 1)
        self.cextra.append(self.cextra[b])
        self.ccol.append(self.ccol[b])
        for row in self.val:
            row.append(row[b])

    def _split_col(self, b: int) -> int:
        if self.csize[b] < 1.5:
            return b
        if b in self.link:
            a = self.link.index(b)
            self._split_row(a)  # splits the column too, keeping index b for the vertex
            return b
        self._split_col_raw(b)
        return b


def _add(d: dict, key, v) -> None:
    d[key] = d.get(key, 0.0) + v


def _factorial(m: float) -> int:
    return math.factorial(int(round(m)))


def _simple_group(B: _Blocks, simple, k_cols: float):
    matched_r, rsz, csz, ccells = simple
    order = 1
    factors = []  # (kind, size)
    for rc, size in rsz.items():
        order *= _factorial(size)
        if rc in matched_r:
            extra = B.ccol_extra(ccells[matched_r[rc]])
            factors.append(("Δ'" if extra else "Δ", size))
        else:
            factors.append(("R", size))
    matched_c = set(matched_r.values())
    for cc, size in csz.items():
        if cc in matched_c:
            continue
        order *= _factorial(size)
        factors.append(("E" if B.ccol_extra(ccells[cc]) else "C", size))
    return order, factors


def _young(factors) -> tuple | None:
    if any(kind == "Δ'" for kind, _ in factors):
        return None
    diag = [int(round(m)) for kind, m in factors if kind == "Δ"]
    rows = [int(round(m)) for kind, m in factors if kind == "R"]
    cols_t = [int(round(m)) for kind, m in factors if kind == "C"]
    cols_e = [int(round(m)) for kind, m in factors if kind == "E"]
    if any(m > 1 for m in cols_t):
        return None
    # singleton teacher columns pair with singleton rows (both trivial factors)
    for _ in cols_t:
        if 1 not in rows:
            return None
        rows.remove(1)
        diag.append(1)
    return (
        tuple(sorted(diag, reverse=True)),
        tuple(sorted(rows, reverse=True)),
        tuple(sorted(cols_e, reverse=True)),
    )


def _label(factors) -> str:
    order = {"Δ": 0, "Δ'": 1, "R": 2, "C": 3, "E": 4}
    toks = [
        f"{kind}{m:g}"
        for kind, m in sorted(factors, key=lambda f: (order[f[0]], -f[1]))
        if m > 1.5
    ]
    return "×".join(toks) if toks else "1"


def _canon(B: _Blocks, integral: bool):
    """(canonical structure, order, factors of the simple part, index) of a refined structure."""
    data, simple, target = B.analyse()
    if simple is not None:
        order, factors = _simple_group(B, simple, 0)
        return ("S", data), order, factors, 1
    if not integral:
        raise DomainError(
            "the stabiliser is not a product of symmetric groups here and the block "
            "sizes are not integers; individualisation needs integer sizes"
        )
    side, blocks = target
    sizes = B.rsize if side == "row" else B.csize
    children = []
    for t in blocks:
        child = B.individualise(side, t)
        form, order, factors, index = _canon(child, integral)
        children.append((form, sizes[t], order, factors, index))
    best = min(children, key=lambda c: _sort_key(c[0]))[0]
    orbit = sum(c[1] for c in children if c[0] == best)
    _, _, order, _, _ = next(c for c in children if c[0] == best)
    total = int(round(orbit)) * order
    return ("N", data, best), total, None, None


def _sort_key(form):
    return repr(form)


def _value_classes(values: np.ndarray, atol: float):
    """Cluster values (single linkage at ``atol``): class index per value, class means."""
    flat = np.asarray(values, dtype=float).ravel()
    if flat.size == 0:
        return np.zeros(0, int), ()
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    breaks = np.concatenate([[0], np.cumsum(np.diff(s) > atol)])
    cls = np.empty(flat.size, int)
    cls[order] = breaks
    means = tuple(float(np.mean(s[breaks == c])) for c in range(int(breaks[-1]) + 1))
    return cls.reshape(np.shape(values)), means


def _result(B: _Blocks, values, atol, integral) -> Stabiliser:
    B.refine()
    form, order, factors, _ = _canon(B, integral)
    is_young = factors is not None and _young(factors) is not None
    if factors is not None:
        young = _young(factors) if integral else None
        label = _label(factors)
    else:
        young = None
        label = _nonsimple_label(B, order)
    stab = Stabiliser(
        order=int(order) if integral else None,
        label=label,
        young=young,
        form=OrbitForm(structure=form, values=values, atol=atol),
        is_young=is_young,
    )
    if stab.young is not None:
        return dataclasses.replace(stab, label=stab.young_spec)
    return stab


def _nonsimple_label(B: _Blocks, order: int) -> str:
    """``[P]·j``: ``P`` the product group keeping every block of the description."""
    C = B.copy()
    C.rcol = list(range(len(C.rsize)))
    C.ccol = [len(C.rsize) + b for b in range(len(C.csize))]
    C.refine()
    _, simple, _ = C.analyse()
    if simple is None:  # pragma: no cover - blocks of a Young description are always simple
        return f"order {order}"
    sub, factors = _simple_group(C, simple, 0)
    return f"[{_label(factors)}]·{order // sub}"


def stabiliser(W, *, k: int | None = None, atol: float = STABILISER_ATOL) -> Stabiliser:
    r"""The stabiliser of a dense ``W ∈ M(n, d)`` in ``Γ = S_n × (S_k × S_{d−k})``.

    Parameters
    ----------
    W : array_like, shape (n, d)
    k : int, optional
        Number of teacher columns (default ``d``); columns ``k … d−1`` are extra.
    atol : float
        Relative tolerance: entries closer than ``atol·max(1, max|W|)`` are equal.

    Returns
    -------
    Stabiliser

    Examples
    --------
    >>> import numpy as np
    >>> from symbreak.critical.stabiliser import stabiliser
    >>> stabiliser(np.eye(4)).order          # ΔS_4
    24
    >>> stabiliser(np.ones((3, 3))).label    # S_3 × S_3
    'R3×C3'
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.size == 0 or not np.all(np.isfinite(W)):
        raise ValueError("W must be a finite non-empty 2-D array")
    n, d = W.shape
    k = d if k is None else k
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= d:
        raise ValueError(f"k must be an integer between 0 and d = {d}, got {k!r}")
    tol = atol * max(1.0, float(np.max(np.abs(W))))
    cls, means = _value_classes(W, tol)
    B = _Blocks(
        rsize=[1.0] * n,
        csize=[1.0] * d,
        cextra=[j >= k for j in range(d)],
        val=cls.tolist(),
        link=[-1] * n,
        diag=[-1] * n,
    )
    return _result(B, means, atol, True)


def stabiliser_of_coords(
    space: FixedPointSpace, coords, *, atol: float = STABILISER_ATOL
) -> Stabiliser:
    r"""The stabiliser of the point ``W(c) ∈ Fix(H)`` without forming ``W``.

    Works on the blocks of ``H`` (cost independent of ``k``).  At non-integer
    block sizes the result is the analytic continuation of the order formula
    only when the structure is simple (label and canonical form; ``order`` and
    ``young`` are None); otherwise :class:`~symbreak.errors.DomainError` (a
    ``ValueError``) is raised.
    """
    c = space.check_coords(coords)
    g = space.group
    rf, cf = g.row_factors, g.col_factors
    tol = atol * max(1.0, float(np.max(np.abs(c))) if c.size else 1.0)
    cls, means = _value_classes(c, tol)
    index = {key: i for i, key in enumerate(space.keys)}
    val = [[-1] * len(cf) for _ in rf]
    link = [-1] * len(rf)
    diag = [-1] * len(rf)
    for ia, a in enumerate(rf):
        for ib, b in enumerate(cf):
            if a == b:
                link[ia] = ib
                diag[ia] = int(cls[index[(a, a, "diag")]])
                key = (a, a, "off")
                val[ia][ib] = int(cls[index[key]]) if key in index else diag[ia]
            else:
                val[ia][ib] = int(cls[index[(a, b, "outer")]])
    B = _Blocks(
        rsize=[g.factors[a].size for a in rf],
        csize=[g.factors[b].size for b in cf],
        cextra=[g.factors[b].kind == "col" for b in cf],
        val=val,
        link=link,
        diag=diag,
    )
    return _result(B, means, atol, g.is_integral)


def function_form(W, *, k: int | None = None, atol: float = STABILISER_ATOL) -> OrbitForm | None:
    r"""Canonical form of the network function ``x ↦ Σ_i σ(w_i·x)`` up to ``Γ``.

    ReLU is positively homogeneous, so rows pointing the same way act as one
    neuron: ``σ(s u·x) + σ(t u·x) = σ((s + t) u·x)`` for ``s, t ≥ 0``.  Rows are
    grouped by direction (unit vectors within ``atol``), each group replaced by
    its sum, zero rows dropped, and the canonical form of the merged matrix
    returned.  Equal forms imply the same function up to a column permutation.
    Returns None when two rows are antiparallel (then ``σ(z) − σ(−z) = z``
    allows other representations, which this form does not decide).
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError("W must be a 2-D array")
    scale = max(1.0, float(np.max(np.abs(W)))) if W.size else 1.0
    norms = np.linalg.norm(W, axis=1)
    live = norms > atol * scale
    U = W[live] / norms[live, None]
    groups: list[list[int]] = []
    reps: list[np.ndarray] = []
    for i, u in enumerate(U):
        for g, r in zip(groups, reps):
            if np.max(np.abs(u - r)) <= 10 * atol:
                g.append(i)
                break
        else:
            groups.append([i])
            reps.append(u)
    for i in range(len(reps)):
        for j in range(i + 1, len(reps)):
            if np.max(np.abs(reps[i] + reps[j])) <= 10 * atol:
                return None
    rows = W[live]
    merged = np.array([rows[g].sum(axis=0) for g in groups]).reshape(len(groups), W.shape[1])
    if merged.shape[0] == 0:
        merged = np.zeros((1, W.shape[1]))
    return stabiliser(merged, k=k, atol=atol).form
