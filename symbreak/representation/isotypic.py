r"""Isotypic decomposition of ``M(n, d)`` under a Young-type group, in closed form.

``M(n, d) = R^n ⊗ R^d = ⊕_{a, b} R^{m_a} ⊗ R^{m_b}`` over row blocks ``a`` and
column blocks ``b``.  Each ``R^m`` is the permutation representation of its
factor, ``[m] ⊕ [m−1,1]``, so (MATH.md §3)

* ``a ≠ b``: ``R^{m_a} ⊗ R^{m_b} = triv ⊕ std_a ⊕ std_b ⊕ (std_a ⊠ std_b)``;
* ``a = b`` (a diagonal factor ``ΔS_m``):
  ``R^m ⊗ R^m = 2[m] ⊕ 3[m−1,1] ⊕ [m−2,2] ⊕ [m−2,1,1]`` (``m ≥ 4``; for
  ``m = 3``: no ``[m−2,2]``; ``m = 2``: ``2[2] ⊕ 2[1,1]``; ``m = 1``: ``[1]``).

An irrep of ``H = Π_t S_{m_t}`` is an outer product of one irrep per factor; only
the four *types* ``triv = [m]``, ``std = [m−1,1]``, ``two = [m−2,2]`` and
``alt = [m−2,1,1]`` occur, at most two factors non-trivial at once.

Every copy of an irrep comes with a *copy vector*: the image of one fixed
abstract vector under an equivariant embedding, built from the marked indices
``0, 1, 2, 3`` of the blocks involved (``s = e_0 − e_1`` for ``std``,
``(e_0 − e_2)⊙(e_1 − e_3)`` for ``two``, ``(e_0 − e_1)∧(e_0 − e_2)`` for
``alt``).  Because all copies of one irrep use the same abstract vector, the
Hessian's block ``A_χ`` is the generalised eigenproblem
``⟨u_p, H u_q⟩ x = λ ⟨u_p, u_q⟩ x`` on the copy vectors (Schur's lemma), which
:mod:`symbreak.reduced` evaluates without ever forming ``W``.

Multiplicities and dimensions are polynomials in the block sizes; at integer
sizes they are the exact integers (small blocks drop the irreps they cannot
carry), at real sizes the generic (``m ≥ 4``) polynomials are used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from ..errors import DomainError
from .isotropy import K_SYMBOL, IsotropyGroup, group_of

__all__ = [
    "IrrepType",
    "Irrep",
    "CopyVector",
    "IsotypicComponent",
    "isotypic_decomposition",
    "copy_vector_matrix",
    "TYPES",
    "fix_coordinate_keys",
]

TYPES = ("triv", "std", "two", "alt")
#: marked indices each type needs in its block, and the smallest block carrying it
_MARKS = {"triv": 0, "std": 2, "two": 4, "alt": 3}
_MIN_SIZE = {"triv": 1, "std": 2, "two": 4, "alt": 3}


def _type_dim_expr(t: str, m: sp.Expr) -> sp.Expr:
    return {
        "triv": sp.Integer(1),
        "std": m - 1,
        "two": m * (m - 3) / 2,
        "alt": (m - 1) * (m - 2) / 2,
    }[t]


def _type_partition_expr(t: str, m: sp.Expr) -> tuple[sp.Expr, ...]:
    return {
        "triv": (m,),
        "std": (m - 1, sp.Integer(1)),
        "two": (m - 2, sp.Integer(2)),
        "alt": (m - 2, sp.Integer(1), sp.Integer(1)),
    }[t]


IrrepType = str


@dataclass(frozen=True)
class Irrep:
    """An irrep of ``H = Π_t S_{m_t}``: one type per factor.

    Attributes
    ----------
    types : tuple of str
        ``"triv"``, ``"std"``, ``"two"`` or ``"alt"`` for every factor.
    """

    types: tuple[str, ...]

    def nontrivial(self) -> tuple[int, ...]:
        """Factors on which the irrep is not trivial."""
        return tuple(t for t, ty in enumerate(self.types) if ty != "triv")

    def partitions(self, group: IsotropyGroup) -> tuple[tuple, ...]:
        """Partitions (as sympy expressions in k) labelling each factor."""
        return tuple(_type_partition_expr(ty, f.expr) for ty, f in zip(self.types, group.factors))

    def integer_partitions(self, group: IsotropyGroup) -> tuple[tuple[int, ...], ...]:
        """Partitions as integers (integer sizes only)."""
        if not group.is_integral:
            raise ValueError("integer partitions need integer block sizes")
        out = []
        for ty, f in zip(self.types, group.factors):
            m = int(round(f.size))
            out.append(
                tuple(
                    int(round(float(p.subs(K_SYMBOL, group.k))))
                    for p in _type_partition_expr(ty, sp.Integer(m))
                )
            )
        return tuple(out)

    def label(self, group: IsotropyGroup) -> str:
        """Text label, e.g. ``[k-2,1] x [1]`` (factors joined by `` x ``)."""
        parts = []
        for ty, f in zip(self.types, group.factors):
            rows = _type_partition_expr(ty, f.expr)
            parts.append("[" + ",".join(str(sp.expand(r)).replace(" ", "") for r in rows) + "]")
        return " x ".join(parts)

    def dimension_expr(self, group: IsotropyGroup) -> sp.Expr:
        """Dimension as a polynomial in k."""
        out = sp.Integer(1)
        for ty, f in zip(self.types, group.factors):
            out *= _type_dim_expr(ty, f.expr)
        return sp.expand(out)

    def dimension(self, group: IsotropyGroup) -> float:
        """Dimension at the group's sizes (an integer at integer sizes)."""
        out = 1.0
        for ty, f in zip(self.types, group.factors):
            m = f.size
            out *= {
                "triv": 1.0,
                "std": m - 1,
                "two": m * (m - 3) / 2,
                "alt": (m - 1) * (m - 2) / 2,
            }[ty]
        return out

    def marks(self) -> tuple[int, ...]:
        """Number of marked indices needed in each factor for its copy vectors."""
        return tuple(_MARKS[ty] for ty in self.types)


@dataclass(frozen=True)
class CopyVector:
    """One copy of an irrep inside ``R^{m_a} ⊗ R^{m_b}``.

    Attributes
    ----------
    row_factor, col_factor : int
        The row block ``a`` and column block ``b``.
    pattern : str
        For ``a = b``: ``"diag"`` (``Σ x_i E_ii``), ``"off"`` (all off-diagonal
        ones; trivial irrep only), ``"row"`` (``Σ x_i E_ij``), ``"col"``
        (``Σ x_j E_ij``), ``"two"`` or ``"alt"``.  For ``a ≠ b``: ``"outer"``,
        the outer product of the row vector (``1`` or ``s``) and the column
        vector (``1`` or ``s``) dictated by the irrep.
    """

    row_factor: int
    col_factor: int
    pattern: str


@dataclass(frozen=True)
class IsotypicComponent:
    """One isotypic component of ``M(n, d)|_H``.

    Attributes
    ----------
    irrep : Irrep
    label : str
    multiplicity : int
        Number of copies (the size of the block ``A_χ``).
    dimension : float
        ``dim χ`` (an integer at integer sizes; a polynomial value at real ones).
    dimension_expr : sympy.Expr
        ``dim χ`` as a polynomial in k.
    copies : tuple of CopyVector
    """

    irrep: Irrep
    label: str
    multiplicity: int
    dimension: float
    dimension_expr: sp.Expr
    copies: tuple[CopyVector, ...]


def isotypic_decomposition(
    group: IsotropyGroup | str, *, k=None, extra_dims=None
) -> tuple[IsotypicComponent, ...]:
    r"""Irreps of ``H`` in ``M(n, d)``, with multiplicities, dimensions and copies.

    Parameters
    ----------
    group : IsotropyGroup or str
    k, extra_dims : float, optional
        With a spec string for ``group``: its ``k`` (required) and ``d − k``
        (default 0); with a group, they move it to another ``k`` / ``d − k``
        (:func:`~symbreak.representation.isotropy.group_of`).

    Returns
    -------
    tuple of IsotypicComponent
        Trivial irrep first, then by the factors involved.  At integer sizes
        ``Σ multiplicity × dimension = n·d`` exactly.

    Notes
    -----
    Closed form (see the module docstring); no group element is enumerated.
    At a real (non-integer) size the generic decomposition (``m ≥ 4``) is used.
    """
    if k is None and extra_dims is None and isinstance(group, IsotropyGroup):
        return _decomposition_cached(group)  # the hot path: no resolution needed
    return _decomposition_cached(group_of(group, k, extra_dims=extra_dims))


def _size_class(f) -> object:
    """What the decomposition's structure depends on: small integer sizes matter."""
    if f.is_integral and f.size < 4.5:
        return int(round(f.size))
    return "generic"


#: block sizes above 2**53 are not exact in float64 (m - 1 == m)
MAX_SIZE = 2.0**53


def _check_sizes(group: IsotropyGroup) -> None:
    """Refuse sizes the float64 model cannot represent (a clear error, not an overflow)."""
    big = max(abs(f.size) for f in group.factors)
    if not math.isfinite(big) or big > MAX_SIZE:
        raise DomainError(
            f"k = {group.k:g} is too large for floating point: {group.name} has a block of "
            f"size {big:g} > 2^53 = {MAX_SIZE:.2g}, where float64 no longer tells m from m - 1 "
            f"and dimensions such as k(k-3)/2 lose every digit or overflow; use k <= 9e15"
        )


@lru_cache(maxsize=8192)
def _decomposition_cached(group: IsotropyGroup) -> tuple[IsotypicComponent, ...]:
    _check_sizes(group)
    exprs = tuple((f.kind, f.expr) for f in group.factors)
    classes = tuple(_size_class(f) for f in group.factors)
    structure = _structure(exprs, classes, group.is_integral)
    integral = group.is_integral
    out = []
    for irrep, copies, label, dim_expr in structure:
        dim = irrep.dimension(group)
        out.append(
            IsotypicComponent(
                irrep=irrep,
                label=label,
                multiplicity=len(copies),
                dimension=float(round(dim)) if integral else dim,
                dimension_expr=dim_expr,
                copies=copies,
            )
        )
    return tuple(out)


@lru_cache(maxsize=512)
def _structure(exprs, classes, integral):
    return _decompose(exprs, classes, integral)


def _decompose(exprs, classes, integral):
    T = len(exprs)
    kinds = [kind for kind, _ in exprs]
    row_factors = [t for t in range(T) if kinds[t] in ("diag", "row")]
    col_factors = [t for t in range(T) if kinds[t] in ("diag", "col")]
    small = [c if c != "generic" else None for c in classes]
    ok = [{ty: small[t] is None or small[t] >= _MIN_SIZE[ty] for ty in TYPES} for t in range(T)]
    copies: dict[tuple[str, ...], list[CopyVector]] = {}

    def add(types: dict[int, str], cv: CopyVector):
        key = tuple(types.get(t, "triv") for t in range(T))
        copies.setdefault(key, []).append(cv)

    for a in row_factors:
        for b in col_factors:
            if a == b:
                m = small[a]
                add({}, CopyVector(a, a, "diag"))
                if not (m is not None and m < 2):
                    add({}, CopyVector(a, a, "off"))
                if ok[a]["std"]:
                    add({a: "std"}, CopyVector(a, a, "diag"))
                    add({a: "std"}, CopyVector(a, a, "row"))
                    if not (m is not None and m < 3):
                        add({a: "std"}, CopyVector(a, a, "col"))
                if ok[a]["two"]:
                    add({a: "two"}, CopyVector(a, a, "two"))
                if ok[a]["alt"]:
                    add({a: "alt"}, CopyVector(a, a, "alt"))
            else:
                add({}, CopyVector(a, b, "outer"))
                if ok[a]["std"]:
                    add({a: "std"}, CopyVector(a, b, "outer"))
                if ok[b]["std"]:
                    add({b: "std"}, CopyVector(a, b, "outer"))
                if ok[a]["std"] and ok[b]["std"]:
                    add({a: "std", b: "std"}, CopyVector(a, b, "outer"))

    def order(key):
        nz = [t for t, ty in enumerate(key) if ty != "triv"]
        return (len(nz), nz, [TYPES.index(key[t]) for t in nz])

    out = []
    for key in sorted(copies, key=order):
        irrep = Irrep(key)
        label = " x ".join(
            "["
            + ",".join(str(sp.expand(r)).replace(" ", "") for r in _type_partition_expr(ty, e))
            + "]"
            for ty, (_, e) in zip(key, exprs)
        )
        dim_expr = sp.Integer(1)
        for ty, (_, e) in zip(key, exprs):
            dim_expr *= _type_dim_expr(ty, e)
        out.append((irrep, tuple(copies[key]), label, sp.expand(dim_expr)))
    return tuple(out)


# ---------------------------------------------------------------------------
# dense copy vectors (integer sizes), used by tests and the dense cross-check


def _mark_vector(m: int, ty: str) -> np.ndarray:
    v = np.zeros(m)
    if ty == "triv":
        v[:] = 1.0
    elif ty == "std":
        v[0], v[1] = 1.0, -1.0
    else:  # pragma: no cover - programming error
        raise ValueError(ty)
    return v


def _block_pattern(m: int, irrep_type: str, pattern: str) -> np.ndarray:
    """The ``m×m`` pattern of a copy vector inside a diagonal block."""
    if pattern == "off":
        return np.ones((m, m)) - np.eye(m)
    if irrep_type == "triv":
        x = np.ones(m)
    elif irrep_type == "std":
        x = _mark_vector(m, "std")
    elif irrep_type == "two":
        x, y = np.zeros(m), np.zeros(m)
        x[0], x[2], y[1], y[3] = 1, -1, 1, -1
        return np.outer(x, y) + np.outer(y, x)
    else:  # alt
        x, y = np.zeros(m), np.zeros(m)
        x[0], x[1], y[0], y[2] = 1, -1, 1, -1
        return np.outer(x, y) - np.outer(y, x)
    if pattern == "diag":
        return np.diag(x)
    if pattern == "row":
        return np.outer(x, np.ones(m))
    if pattern == "col":
        return np.outer(np.ones(m), x)
    raise ValueError(f"unknown pattern {pattern!r}")  # pragma: no cover


def copy_vector_matrix(group: IsotropyGroup, irrep: Irrep, copy: CopyVector) -> np.ndarray:
    """The copy vector as a dense ``n×d`` matrix (integer sizes only).

    Not normalised; copies of one irrep are images of the same abstract vector.
    """
    n, d = group.shape
    U = np.zeros((n, d))
    a, b = copy.row_factor, copy.col_factor
    rows, cols = group.row_indices(a), group.col_indices(b)
    if a == b:
        U[np.ix_(rows, cols)] = _block_pattern(rows.size, irrep.types[a], copy.pattern)
    else:
        U[np.ix_(rows, cols)] = np.outer(
            _mark_vector(rows.size, irrep.types[a]), _mark_vector(cols.size, irrep.types[b])
        )
    return U


def fix_coordinate_keys(group: IsotropyGroup) -> tuple[tuple[int, int, str], ...]:
    """Keys ``(row factor, col factor, pattern)`` of the Fix(H) coordinates, in order."""
    triv = isotypic_decomposition(group)[0]
    if any(ty != "triv" for ty in triv.irrep.types):  # pragma: no cover - invariant
        raise RuntimeError("first isotypic component must be the trivial one")
    return tuple((c.row_factor, c.col_factor, c.pattern) for c in triv.copies)
