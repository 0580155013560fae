r"""Refining a Young-type group: splitting one block into smaller ones.

Splitting factor ``t`` of size ``m`` into sizes ``(m − p_1 − … − p_r, p_1, …, p_r)``
(constants ``p_i``) gives a subgroup ``K ⊂ H`` and ``Fix(H) ⊂ Fix(K)``.  The
inclusion is a 0/1 matrix on coordinates: every new coordinate key
``(a', b', pattern')`` lies in one old orbit, found through the parent blocks
``A = par(a')``, ``B = par(b')``:

* ``A ≠ B``: the old ``(A, B, "outer")``;
* ``A = B`` (a refined diagonal block): ``(A, A, "diag")`` when ``a' = b'`` and
  the new pattern is ``"diag"``, ``(A, A, "off")`` otherwise (the off-diagonal
  part of a new diagonal block, or an ``"outer"`` block between two children).

This holds at real sizes: it is a statement about which entries of ``W``
share an orbit, not about their number.  The dense matrices agree:
``FixedPointSpace(K).embed(P c) = FixedPointSpace(H).embed(c)`` at integer
sizes, because the children of a block keep its rows and columns in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..errors import DomainError
from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import IsotropyGroup, parse_spec

__all__ = ["Refinement", "refine", "spec_from_factors"]


def _label(expr: sp.Expr) -> str:
    return str(sp.expand(expr)).replace(" ", "")


def spec_from_factors(factors, *, explicit_cols: bool) -> str:
    """Spec string of ``(kind, expr)`` factors, in the order diagonal | rows | columns."""
    diag = ",".join(_label(e) for kind, e in factors if kind == "diag")
    rows = ",".join(_label(e) for kind, e in factors if kind == "row")
    cols = ",".join(_label(e) for kind, e in factors if kind == "col")
    out = diag
    if rows or (cols and explicit_cols):
        out += "|" + rows
    if cols and explicit_cols:
        out += "|" + cols
    return out


@dataclass(frozen=True)
class Refinement:
    """A refinement ``K ⊂ H`` of a Young-type group.

    Attributes
    ----------
    old_spec, spec : str
        Specs of ``H`` and ``K``.
    parent : tuple of int
        ``parent[t']``: the factor of ``H`` that factor ``t'`` of ``K`` came from.
    children : tuple of tuple of int
        The factors of ``K`` into which each factor of ``H`` was cut.
    description : str
        E.g. ``"k-1 -> k-2,1"``.
    """

    old_spec: str
    spec: str
    parent: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    description: str

    def group(self, old: IsotropyGroup) -> IsotropyGroup:
        """``K`` at the ``k`` (and ``d``) of ``old``."""
        return IsotropyGroup.from_spec(self.spec, old.k, d=old.d)

    def matrix(self, old: IsotropyGroup) -> np.ndarray:
        """The inclusion ``Fix(H) → Fix(K)`` on coordinates (shape ``dim K × dim H``)."""
        old_keys = FixedPointSpace(old).keys
        new_keys = FixedPointSpace(self.group(old)).keys
        index = {key: i for i, key in enumerate(old_keys)}
        P = np.zeros((len(new_keys), len(old_keys)))
        for r, (a, b, pat) in enumerate(new_keys):
            A, B = self.parent[a], self.parent[b]
            if A != B:
                key = (A, B, "outer")
            elif a == b and pat == "diag":
                key = (A, A, "diag")
            else:
                key = (A, A, "off")
            if key not in index:  # pragma: no cover - guarded by refine()
                raise ValueError(f"no coordinate {key} in Fix({self.old_spec})")
            P[r, index[key]] = 1.0
        return P

    def embed(self, old: IsotropyGroup, coords) -> np.ndarray:
        """Coordinates in ``Fix(K)`` of a point of ``Fix(H)``."""
        c = FixedPointSpace(old).check_coords(coords)
        return self.matrix(old) @ c

    def then(self, other: Refinement) -> Refinement:
        """The composite refinement (``self`` first, then ``other``)."""
        if other.old_spec != self.spec:
            raise ValueError(f"cannot compose: {other.old_spec!r} is not {self.spec!r}")
        parent = tuple(self.parent[p] for p in other.parent)
        children = tuple(
            tuple(c2 for c1 in ch for c2 in other.children[c1]) for ch in self.children
        )
        return Refinement(
            old_spec=self.old_spec,
            spec=other.spec,
            parent=parent,
            children=children,
            description=f"{self.description}; {other.description}",
        )


def refine(group: IsotropyGroup, factor: int, parts) -> Refinement:
    """Split ``factor`` of ``group`` into ``(m − Σ parts, *parts)``.

    Parameters
    ----------
    group : IsotropyGroup
    factor : int
        Index of the factor (diagonal, extra-row or extra-column block).
    parts : sequence of int
        Constant sizes split off (``(1,)`` for ``m → (m−1, 1)``).

    Raises
    ------
    DomainError
        If the remaining block would not be a valid size at ``group.k``
        (a ``ValueError``).
    ValueError
        If ``factor`` or ``parts`` are not valid.
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)):
        raise TypeError(f"factor must be an integer, got {factor!r}")
    if not 0 <= factor < len(group.factors):
        raise ValueError(f"factor must be in 0..{len(group.factors) - 1}, got {factor}")
    parts = tuple(int(p) for p in parts)
    if not parts or any(p < 1 for p in parts):
        raise ValueError(f"parts must be positive integers, got {parts}")
    f = group.factors[factor]
    rest = sp.expand(f.expr - sum(parts))
    factors = []
    parent = []
    children: list[list[int]] = [[] for _ in group.factors]
    for t, g in enumerate(group.factors):
        pieces = [rest, *[sp.Integer(p) for p in parts]] if t == factor else [g.expr]
        for e in pieces:
            children[t].append(len(factors))
            factors.append((g.kind, e))
            parent.append(t)
    # the spec orders factors diag | rows | cols; so does IsotropyGroup
    order = sorted(range(len(factors)), key=lambda i: ("diag", "row", "col").index(factors[i][0]))
    if order != list(range(len(factors))):  # pragma: no cover - kinds are already grouped
        raise RuntimeError("factor kinds out of order")
    explicit_cols = parse_spec(group.spec)[2] is not None
    spec = spec_from_factors(factors, explicit_cols=explicit_cols)
    what = (
        f"cannot split block {f.label()} of {group.name!r} into "
        f"{_label(rest)},{','.join(map(str, parts))} at k = {group.k:g}"
    )
    if not rest.free_symbols and float(rest) < 1:
        raise DomainError(f"{what}: the remaining block would be empty")
    try:
        IsotropyGroup.from_spec(spec, group.k, d=group.d)
    except DomainError as exc:
        raise DomainError(f"{what}: {exc}") from None
    return Refinement(
        old_spec=group.spec,
        spec=spec,
        parent=tuple(parent),
        children=tuple(tuple(c) for c in children),
        description=f"{f.label()} -> {_label(rest)},{','.join(map(str, parts))}",
    )
