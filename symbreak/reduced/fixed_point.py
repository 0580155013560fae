r"""Fixed-point spaces ``Fix(H) ⊂ M(n, d)`` of Young-type groups, with real block sizes.

``W ∈ Fix(H)`` is constant on the ``H``-orbits of index pairs ``(i, j)``.  For
row block ``a`` and column block ``b`` the orbits are

* ``a ≠ b``: all of block ``(a, b)`` — one coordinate ``x_{ab}``, orbit size
  ``m_a m_b``;
* ``a = b`` (a diagonal factor ``ΔS_m``): the diagonal ``i = j`` (coordinate
  ``d_a``, orbit size ``m``) and the off-diagonal ``i ≠ j`` (coordinate
  ``o_a``, orbit size ``m(m − 1)``; absent for a block of constant size 1).

Coordinate order (documented, part of the CLI's JSON): row blocks in spec
order (diagonal, then extra rows); within a row block, column blocks in spec
order (diagonal, then extra columns); for the block's own column block first
the diagonal then the off-diagonal coordinate.  Hence

* ``ΔS_k`` → ``[a, b] = [W_ii, W_ij]``;
* ``Δ(S_{k−1}×S_1)`` → ``[a, b, c, e, f] = [W_ii (i<k), W_ij (i≠j<k), W_ik, W_kj, W_kk]``;
* ``Δ(S_{k−2}×S_2)`` → ``[d1, o1, x12, x21, d2, o2]``;
* ``Δ(S_{k−2}×S_1×S_1)`` → ``[d1, o1, x12, x13, x21, d2, x23, x31, x32, d3]``;
* ``Δ(S_{k−1}×S_1) × S_1`` (spec ``k-1,1|1``, one extra row) →
  ``[d1, o1, x12, x21, d2, x31, x32]``.

Generic names: ``d{a}``, ``o{a}``, ``x{a}{b}`` with 1-based block numbers
(``x{a},{b}`` when a block number has two digits).
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass
from functools import cached_property

import numpy as np

from .._validation import as_coordinates
from ..errors import DomainError
from ..representation.isotropy import IsotropyGroup, group_of
from ..representation.isotypic import fix_coordinate_keys

__all__ = ["FixedPointSpace", "inclusion_matrix"]


@dataclass(frozen=True)
class FixedPointSpace:
    """``Fix(H)`` for a Young-type group ``H`` (block sizes may be real).

    Attributes
    ----------
    group : IsotropyGroup
        Given as a group, or as a spec string with ``k=`` (and ``extra_dims=``,
        ``d − k``, default 0), like every entry point
        (:func:`~symbreak.representation.isotropy.group_of`).
    keys : tuple of (int, int, str)
        ``(row block, column block, "diag" | "off" | "outer")`` per coordinate.
    """

    group: IsotropyGroup
    k: InitVar[float | None] = None
    extra_dims: InitVar[float | None] = None

    def __post_init__(self, k, extra_dims) -> None:
        object.__setattr__(self, "group", group_of(self.group, k, extra_dims=extra_dims))

    @cached_property
    def keys(self) -> tuple[tuple[int, int, str], ...]:
        return fix_coordinate_keys(self.group)

    @property
    def dim(self) -> int:
        """Dimension of ``Fix(H)``."""
        return len(self.keys)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Coordinate names (see the module docstring)."""
        g = self.group
        kinds = tuple(f.kind for f in g.factors)
        if kinds == ("diag",) and self.dim == 2:
            return ("a", "b")
        if (
            kinds == ("diag", "diag")
            and g.factors[1].is_constant
            and g.factors[1].size == 1
            and self.dim == 5
        ):
            return ("a", "b", "c", "e", "f")
        wide = len(g.factors) > 9
        out = []
        for a, b, pat in self.keys:
            if pat == "diag":
                out.append(f"d{a + 1}")
            elif pat == "off":
                out.append(f"o{a + 1}")
            else:
                out.append(f"x{a + 1},{b + 1}" if wide else f"x{a + 1}{b + 1}")
        return tuple(out)

    def orbit_sizes(self) -> np.ndarray:
        """Number of entries of ``W`` in each coordinate's orbit (polynomial in the sizes)."""
        m = self.group.sizes
        out = []
        for a, b, pat in self.keys:
            if pat == "diag":
                out.append(m[a])
            elif pat == "off":
                out.append(m[a] * (m[a] - 1))
            else:
                out.append(m[a] * m[b])
        return np.asarray(out, dtype=float)

    # ------------------------------------------------------------- checking
    def check_coords(self, coords) -> np.ndarray:
        """Return ``coords`` as a float vector of length ``dim`` or raise."""
        return as_coordinates(coords, self.names, space=f"Fix({self.group.name})")

    def check_batch(self, coords) -> tuple[np.ndarray, bool]:
        """``coords`` of shape (dim,) or (N, dim) as an (N, dim) float array, and whether
        it was one point; raise a ValueError/TypeError naming the first bad point."""
        try:
            c = np.asarray(coords, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"coordinates must be real numbers, got {coords!r}") from None
        if c.ndim == 1:
            return self.check_coords(c)[None, :], True
        if c.ndim != 2 or c.shape[1] != self.dim:
            raise ValueError(
                f"Fix({self.group.name}) has {self.dim} coordinates {list(self.names)}: "
                f"pass shape ({self.dim},) or (N, {self.dim}), got shape {c.shape}"
            )
        bad = ~np.all(np.isfinite(c), axis=1)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise DomainError(f"coordinates must be finite, got {c[i].tolist()} at point {i}")
        return c, False

    # ------------------------------------------------------- normalisation
    def to_orthonormal(self, coords) -> np.ndarray:
        """Coordinates in the orthonormal basis ``E_o / |E_o|``: ``ĉ_o = c_o √|orbit|``."""
        return self.check_coords(coords) * np.sqrt(self.orbit_sizes())

    def from_orthonormal(self, ortho) -> np.ndarray:
        """Inverse of :meth:`to_orthonormal`."""
        return np.asarray(ortho, dtype=float) / np.sqrt(self.orbit_sizes())

    # ---------------------------------------------------------- dense maps
    def embed(self, coords) -> np.ndarray:
        """The dense ``n×d`` matrix ``W = Σ_o c_o E_o`` (integer sizes only)."""
        c = self.check_coords(coords)
        g = self.group
        W = np.zeros(g.shape)
        for val, (a, b, pat) in zip(c, self.keys):
            rows, cols = g.row_indices(a), g.col_indices(b)
            if pat == "outer":
                W[np.ix_(rows, cols)] = val
            elif pat == "diag":
                W[rows, cols] = val
            else:
                block = np.full((rows.size, cols.size), val)
                np.fill_diagonal(block, W[rows, cols])
                W[np.ix_(rows, cols)] = block
        return W

    def project(self, W) -> np.ndarray:
        """Orbit averages of a dense ``W`` (the orthogonal projection onto Fix(H))."""
        g = self.group
        W = np.asarray(W, dtype=float)
        if W.shape != g.shape:
            raise ValueError(f"W must have shape {g.shape}, got {W.shape}")
        out = []
        for a, b, pat in self.keys:
            block = W[np.ix_(g.row_indices(a), g.col_indices(b))]
            if pat == "outer":
                out.append(block.mean())
            elif pat == "diag":
                out.append(np.diag(block).mean())
            else:
                m = block.shape[0]
                out.append((block.sum() - np.trace(block)) / (m * (m - 1)))
        return np.asarray(out)


def _parents(group: IsotropyGroup, subgroup: IsotropyGroup) -> list[int]:
    """The factor of ``group`` containing each factor of ``subgroup`` (a refinement)."""
    tol = 1e-9
    parents = [-1] * len(subgroup.factors)
    for kind in ("diag", "row", "col"):
        big = [t for t, f in enumerate(group.factors) if f.kind == kind]
        small = [t for t, f in enumerate(subgroup.factors) if f.kind == kind]
        i, filled = 0, 0.0
        for t in small:
            if i >= len(big):
                break
            parents[t] = big[i]
            filled += subgroup.factors[t].size
            target = group.factors[big[i]].size
            if filled > target + tol:
                break
            if abs(filled - target) <= tol:
                i, filled = i + 1, 0.0
        if i != len(big) or filled != 0.0 or any(parents[t] < 0 for t in small):
            raise ValueError(
                f"{subgroup.name} is not a Young subgroup of {group.name}: its {kind} blocks must "
                f"cut each {kind} block of {group.name} into consecutive parts (same k and d)"
            )
    return parents


def inclusion_matrix(group: IsotropyGroup, subgroup: IsotropyGroup) -> np.ndarray:
    r"""The inclusion ``Fix(H) ⊂ Fix(H′)`` in coordinates, for a Young subgroup ``H′ ⊂ H``.

    ``H′`` must cut every block of ``H`` into consecutive blocks (in spec
    order; same ``k`` and ``d``), e.g. ``k-2,1,1 ⊂ k-1,1``.  A coordinate of
    ``H′`` on the blocks ``(a′, b′)`` of parents ``(a, b)`` takes the value of
    the coordinate of ``H`` on ``(a, b)``: diagonal → diagonal,
    off-diagonal → off-diagonal when ``a′ = b′``; a pair of different blocks
    ``a′ ≠ b′`` inside one diagonal block ``a = b`` → its off-diagonal
    coordinate; ``a ≠ b`` → the coordinate of ``(a, b)``.

    Returns
    -------
    ndarray, shape (dim Fix(H′), dim Fix(H))
        A 0/1 matrix ``M`` with ``c_{H′} = M c_H``.

    Raises
    ------
    ValueError
        If ``subgroup`` is not such a refinement of ``group``.
    """
    parents = _parents(group, subgroup)
    big = {key: i for i, key in enumerate(FixedPointSpace(group).keys)}
    keys = FixedPointSpace(subgroup).keys
    M = np.zeros((len(keys), len(big)))
    for i, (a2, b2, pat) in enumerate(keys):
        a, b = parents[a2], parents[b2]
        if a == b and group.factors[a].kind == "diag":
            key = (a, a, pat if a2 == b2 else "off")
        else:
            key = (a, b, "outer")
        M[i, big[key]] = 1.0
    return M
