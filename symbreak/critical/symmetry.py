r"""Symmetries of ``Fix(H)`` and the exact isotropy of a point of it.

*Normaliser action.*  A permutation of blocks of equal size and kind (for
example the two singletons of ``Δ(S_{k−2}×S_1×S_1)``) conjugates ``H`` into
itself and maps ``Fix(H)`` to itself; critical points related by it are the
same critical point up to the symmetry of the problem.  On coordinates it acts
by relabelling keys ``(a, b, pattern) → (σa, σb, pattern)``.

*Exact isotropy.*  A point of ``Fix(H)`` may be fixed by a larger Young-type
group obtained by merging blocks ``a, b`` of the same kind.  For diagonal
blocks the merged block carries ``ΔS_{m_a+m_b}`` iff ``d_a = d_b``, all
off-diagonal entries of the union agree (``o_a = o_b = x_ab = x_ba``) and every
other block ``c`` sees them alike (``x_ac = x_bc``, ``x_ca = x_cb``); extra-row
blocks merge when their rows agree, extra-column blocks when their columns
agree.  Mergeability is transitive, so the coarsest merge is a union–find over
mergeable pairs.  This works at real block sizes (no dense ``W``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import IsotropyGroup

__all__ = [
    "block_permutations",
    "permute_coords",
    "canonical_coords",
    "ExactIsotropy",
    "exact_isotropy",
]


def _block_classes(group: IsotropyGroup) -> list[list[int]]:
    classes: dict[tuple, list[int]] = {}
    for t, f in enumerate(group.factors):
        classes.setdefault((f.kind, f.expr), []).append(t)
    return [ts for ts in classes.values() if len(ts) > 1]


def block_permutations(group: IsotropyGroup, *, limit: int = 5040) -> list[tuple[int, ...]]:
    """Permutations of the factors that preserve kind and size (the normaliser's action).

    Returns at most ``limit`` permutations (the identity first).
    """
    T = len(group.factors)
    perms = [tuple(range(T))]
    for cls in _block_classes(group):
        new = []
        for p in perms:
            for img in itertools.permutations(cls):
                q = list(p)
                for src, dst in zip(cls, img):
                    q[src] = p[dst]
                new.append(tuple(q))
                if len(new) >= limit:
                    break
        perms = new[:limit]
    # identity first, unique
    seen, out = set(), []
    for p in perms:
        if p not in seen:
            seen.add(p)
            out.append(p)
    out.sort(key=lambda p: p != tuple(range(T)))
    return out


def permute_coords(space: FixedPointSpace, perm: tuple[int, ...], coords) -> np.ndarray:
    """Image of a point of ``Fix(H)`` under the block permutation ``perm``."""
    coords = space.check_coords(coords)
    index = {key: i for i, key in enumerate(space.keys)}
    out = np.empty_like(coords)
    for i, (a, b, pat) in enumerate(space.keys):
        out[index[(perm[a], perm[b], pat)]] = coords[i]
    return out


def canonical_coords(space: FixedPointSpace, coords, perms=None) -> np.ndarray:
    """Lexicographically smallest image of ``coords`` under the block permutations."""
    perms = block_permutations(space.group) if perms is None else perms
    images = [np.round(permute_coords(space, p, coords), 9) for p in perms]
    best = min(range(len(images)), key=lambda i: tuple(images[i]))
    return permute_coords(space, perms[best], coords)


@dataclass(frozen=True)
class ExactIsotropy:
    """The largest Young-type group (merging blocks of ``H``) fixing a point.

    Attributes
    ----------
    group : IsotropyGroup
        The merged group.
    coords : ndarray
        The point in the merged group's coordinates.
    merged : tuple of tuple of int
        Factors of the original group making up each factor of the merged one.
    """

    group: IsotropyGroup
    coords: np.ndarray
    merged: tuple[tuple[int, ...], ...]

    @property
    def spec(self) -> str:
        return self.group.name


def _mergeable(space: FixedPointSpace, c: dict, a: int, b: int, atol: float) -> bool:
    g = space.group
    fa, fb = g.factors[a], g.factors[b]
    if fa.kind != fb.kind:
        return False

    def eq(x, y):
        return abs(x - y) <= atol

    def get(key):
        return c.get(key)

    if fa.kind == "diag":
        if not eq(get((a, a, "diag")), get((b, b, "diag"))):
            return False
        offs = [get((a, b, "outer")), get((b, a, "outer"))]
        offs += [v for v in (get((a, a, "off")), get((b, b, "off"))) if v is not None]
        if any(not eq(v, offs[0]) for v in offs):
            return False
    T = len(g.factors)
    for t in range(T):
        if t in (a, b):
            continue
        if fa.has_rows and g.factors[t].has_cols:
            if not eq(get((a, t, "outer")), get((b, t, "outer"))):
                return False
        if fa.has_cols and g.factors[t].has_rows:
            if not eq(get((t, a, "outer")), get((t, b, "outer"))):
                return False
    return True


def exact_isotropy(
    space: FixedPointSpace | IsotropyGroup | str,
    coords,
    *,
    atol: float = 1e-8,
    k=None,
    extra_dims=None,
) -> ExactIsotropy:
    """Merge the blocks of ``space.group`` that the point does not tell apart.

    Parameters
    ----------
    space : FixedPointSpace, IsotropyGroup or str
        The fixed-point space, or its group, or its spec with ``k=`` (and
        ``extra_dims=``, ``d − k``).
    coords : array_like
    atol : float
        Coordinates closer than this count as equal.
    """
    if not isinstance(space, FixedPointSpace) or k is not None or extra_dims is not None:
        group = space.group if isinstance(space, FixedPointSpace) else space
        space = FixedPointSpace(group, k=k, extra_dims=extra_dims)
    coords = space.check_coords(coords)
    g = space.group
    c = dict(zip(space.keys, coords.tolist()))
    T = len(g.factors)
    parent = list(range(T))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for a in range(T):
        for b in range(a + 1, T):
            if find(a) != find(b) and _mergeable(space, c, a, b, atol):
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for t in range(T):
        groups.setdefault(find(t), []).append(t)
    merged = sorted(groups.values(), key=lambda ts: ts[0])
    if len(merged) == T:
        return ExactIsotropy(group=g, coords=coords, merged=tuple((t,) for t in range(T)))
    # build the merged spec, keeping kinds in order
    sections = {"diag": [], "row": [], "col": []}
    order = []
    for ts in merged:
        kind = g.factors[ts[0]].kind
        expr = sum(g.factors[t].expr for t in ts)
        sections[kind].append(expr)
        order.append((kind, ts))
    from sympy import expand

    def fmt(exprs):
        return ",".join(str(expand(e)).replace(" ", "") for e in exprs)

    spec = fmt(sections["diag"])
    if sections["row"] or sections["col"]:
        spec += "|" + fmt(sections["row"])
    if sections["col"]:
        spec += "|" + fmt(sections["col"])
    new_group = IsotropyGroup.from_spec(spec, g.k, d=g.d)
    # factor order of the new group: diag, row, col, each in merged order
    new_blocks = [ts for kind in ("diag", "row", "col") for (kd, ts) in order if kd == kind]
    new_space = FixedPointSpace(new_group)
    rep = [ts[0] for ts in new_blocks]
    new_coords = []
    for a2, b2, pat in new_space.keys:
        a, b = rep[a2], rep[b2]
        if a2 == b2:
            if pat == "diag":
                new_coords.append(c[(a, a, "diag")])
            else:
                ts = new_blocks[a2]
                key = (ts[0], ts[1], "outer") if len(ts) > 1 else (a, a, "off")
                new_coords.append(c[key] if key in c else c[(a, a, "off")])
        else:
            new_coords.append(c[(a, b, "outer")])
    return ExactIsotropy(
        group=new_group, coords=np.asarray(new_coords), merged=tuple(tuple(ts) for ts in new_blocks)
    )
