r"""Young-type isotropy groups of ``S_n × S_d`` acting on ``M(n, d)``.

The action is ``(π, ρ)·W = P_π W P_ρ^T``.  A *Young-type* group is a product of
symmetric groups, one per block ("factor"), of three kinds:

``diag``
    ``ΔS_m``: permutes a block of ``m`` teacher rows **and** the matching block
    of ``m`` columns together (rows ``i`` and columns ``i`` are the same index).
``row``
    ``S_m`` permuting ``m`` extra student rows (over-parameterisation,
    ``n > k``); no column is tied to them.
``col``
    ``S_m`` permuting ``m`` extra input columns (``d > k``); no row is tied to
    them.

Spec syntax
-----------
``"DIAG[|ROWS[|COLS]]"``: three comma-separated lists of block sizes, each an
integer or an expression in ``k`` (``+ - * /``, parentheses).  ``DIAG`` lists
the diagonal blocks and must add up to ``k``: ``"k"`` is ``ΔS_k``, ``"k-1,1"``
is ``Δ(S_{k−1}×S_1)``, ``"k-2,2"``, ``"k-2,1,1"``, or for a given k plain
sizes like ``"6,1,13"``.  ``ROWS`` lists the blocks of extra student rows
(they add up to ``ℓ = n − k``); ``COLS`` the blocks of extra columns (they add
up to ``d − k``; when omitted, all ``d − k`` extra columns form one block).

Indices are laid out consecutively in the order of the spec: diagonal blocks
take rows and columns ``0 … k−1``, extra row blocks take rows ``k … n−1``,
extra column blocks take columns ``k … d−1``.

A block given as an expression in ``k`` may take any real size ``> 1`` (that
is how k becomes a real parameter); a block given as a constant must be a
positive integer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import sympy as sp

from ..errors import DomainError

__all__ = [
    "Factor",
    "IsotropyGroup",
    "parse_spec",
    "group_at",
    "family_of",
    "group_of",
    "detect_isotropy",
    "K_SYMBOL",
]

K_SYMBOL = sp.Symbol("k", positive=True)
_ALLOWED = re.compile(r"^[0-9k+\-*/(). ]+$")
_KINDS = ("diag", "row", "col")
_INT_TOL = 1e-9


@dataclass(frozen=True)
class Factor:
    """One symmetric-group factor of a Young-type group.

    Attributes
    ----------
    kind : {"diag", "row", "col"}
        What it permutes (see the module docstring).
    expr : sympy.Expr
        The block size as an expression in ``k`` (a constant for plain sizes).
    size : float
        Its value at the group's ``k``.
    """

    kind: str
    expr: sp.Expr
    size: float

    @property
    def is_constant(self) -> bool:
        """True when the size does not depend on ``k``."""
        return not self.expr.free_symbols

    @property
    def is_integral(self) -> bool:
        """True when the size is an integer (within 1e-9)."""
        return abs(self.size - round(self.size)) < _INT_TOL

    @property
    def has_rows(self) -> bool:
        return self.kind in ("diag", "row")

    @property
    def has_cols(self) -> bool:
        return self.kind in ("diag", "col")

    def label(self) -> str:
        """The size as written, e.g. ``k-1`` or ``6``."""
        return _expr_str(self.expr)


def _expr_str(expr: sp.Expr) -> str:
    return _expr_str_cached(expr)


def _parse_size(text: str) -> sp.Expr:
    text = text.strip()
    if not text:
        raise ValueError("empty block size in isotropy spec (write sizes like 'k-1,1')")
    if not _ALLOWED.match(text):
        raise ValueError(
            f"block size {text!r} may only contain integers, 'k', + - * / and parentheses"
        )
    try:
        expr = sp.sympify(text, locals={"k": K_SYMBOL}, rational=True)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise ValueError(f"cannot parse block size {text!r}: {exc}") from None
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {K_SYMBOL}:
        raise ValueError(f"block size {text!r} must be an expression in k")
    if not expr.is_polynomial(K_SYMBOL):
        raise ValueError(f"block size {text!r} must be a polynomial in k")
    return sp.expand(expr)


def _eval_poly(expr: sp.Expr, k: float) -> float:
    """Value of a polynomial in k (coefficients cached)."""
    coeffs = _poly_coeffs(expr)
    out = 0.0
    for c in coeffs:
        out = out * k + c
    return out


@lru_cache(maxsize=1024)
def _poly_coeffs(expr: sp.Expr) -> tuple[float, ...]:
    return tuple(float(c) for c in sp.Poly(expr, K_SYMBOL).all_coeffs())


def parse_spec(
    spec: str,
) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...], tuple[sp.Expr, ...] | None]:
    """Split a spec into (diagonal, extra-row, extra-column) size expressions.

    The extra-column part is ``None`` when the spec does not give it.
    """
    if not isinstance(spec, str):
        raise TypeError(f"isotropy spec must be a string like 'k-1,1', got {type(spec).__name__}")
    return _parse_spec_cached(spec)


@lru_cache(maxsize=256)
def _parse_spec_cached(spec: str):
    parts = spec.split("|")
    if len(parts) > 3:
        raise ValueError(f"isotropy spec {spec!r} has more than three '|'-separated parts")

    def sizes(part: str) -> tuple[sp.Expr, ...]:
        part = part.strip()
        return tuple(_parse_size(p) for p in part.split(",")) if part else ()

    diag = sizes(parts[0])
    if not diag:
        raise ValueError(f"isotropy spec {spec!r} has no diagonal block (e.g. 'k' or 'k-1,1')")
    rows = sizes(parts[1]) if len(parts) > 1 else ()
    cols = sizes(parts[2]) if len(parts) > 2 else None
    return diag, rows, cols


@lru_cache(maxsize=256)
def _sum_expr(exprs: tuple[sp.Expr, ...]) -> sp.Expr:
    return sp.expand(sum(exprs))


@lru_cache(maxsize=1024)
def _expr_str_cached(expr: sp.Expr) -> str:
    return str(sp.expand(expr)).replace(" ", "")


@dataclass(frozen=True)
class IsotropyGroup:
    r"""A Young-type subgroup of ``S_n × S_d`` at a given (possibly real) ``k``.

    Build it with :meth:`from_spec`.

    Attributes
    ----------
    spec : str
        The spec it was built from (see the module docstring).
    k, n, d : float
        Teacher width, student width and input dimension.
    factors : tuple of Factor
        Diagonal factors first, then extra-row, then extra-column factors.
    """

    spec: str
    k: float
    n: float
    d: float
    factors: tuple[Factor, ...]

    # ----------------------------------------------------------- construction
    @classmethod
    def from_spec(cls, spec: str, k, *, d=None) -> IsotropyGroup:
        """Parse ``spec`` and evaluate its block sizes at ``k``.

        Parameters
        ----------
        spec : str
            ``"k-1,1"``, ``"k-2,1,1"``, ``"6,1,13"``, ``"k-1,1|1"`` …
        k : float
            Teacher width; may be real when every non-constant block is a
            polynomial in k.
        d : float, optional
            Input dimension ``>= k`` (default ``k``).
        """
        if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)):
            raise TypeError(f"k must be a real number, got {k!r}")
        k = float(k)
        if not math.isfinite(k) or k <= 0:
            raise ValueError(f"k must be a positive finite number, got {k}")
        if not isinstance(spec, str):
            raise TypeError(
                f"isotropy spec must be a string like 'k-1,1', got {type(spec).__name__}"
            )
        if d is not None and (
            isinstance(d, bool) or not isinstance(d, (int, float, np.integer, np.floating))
        ):
            raise TypeError(f"d must be a real number, got {d!r}")
        # groups are immutable: one object per (spec, k, d), so everything
        # cached per group (decomposition, layouts, weights) is computed once
        return _from_spec_cached(cls, spec, k, None if d is None else float(d))

    @classmethod
    def _build(cls, spec: str, k: float, d) -> IsotropyGroup:
        diag, rows, cols = parse_spec(spec)
        total = _sum_expr(diag)
        if total.free_symbols:
            if sp.expand(total - K_SYMBOL) != 0:
                raise ValueError(f"diagonal blocks of {spec!r} add up to {_expr_str(total)}, not k")
        elif abs(float(total) - k) > _INT_TOL:
            raise DomainError(
                f"diagonal blocks of {spec!r} add up to {_expr_str(total)} but k = {k:g}; "
                "they must add up to k (or use expressions in k such as 'k-1,1')"
            )
        d = k if d is None else float(d)
        if not math.isfinite(d) or d < k - _INT_TOL:
            raise ValueError(f"d must be >= k = {k:g} (the teacher I_k needs k columns), got {d:g}")
        extra_dims = d - k
        if cols is None:
            if abs(extra_dims - round(extra_dims)) > _INT_TOL:
                raise ValueError(
                    f"d - k = {extra_dims:g} must be a whole number of extra input columns "
                    f"(got d = {d:g}, k = {k:g})"
                )
            cols = (sp.Integer(round(extra_dims)),) if extra_dims > _INT_TOL else ()
        factors = []
        for kind, exprs in (("diag", diag), ("row", rows), ("col", cols)):
            for e in exprs:
                factors.append(cls._make_factor(kind, e, k, spec))
        col_total = sum(f.size for f in factors if f.kind == "col")
        if abs(col_total - extra_dims) > _INT_TOL:
            raise ValueError(
                f"extra column blocks of {spec!r} add up to {col_total:g}, "
                f"but d - k = {extra_dims:g}"
            )
        n = k + sum(f.size for f in factors if f.kind == "row")
        return cls(spec=spec, k=k, n=n, d=d, factors=tuple(factors))

    @staticmethod
    def _make_factor(kind: str, expr: sp.Expr, k: float, spec: str) -> Factor:
        size = _eval_poly(expr, k) if expr.free_symbols else float(expr)
        if expr.free_symbols:
            if size <= 1.0 + _INT_TOL:
                raise DomainError(
                    f"block '{_expr_str(expr)}' of {spec!r} has size {size:g} at k = {k:g}; "
                    "a block given in terms of k must have size > 1 "
                    "(write the sizes as plain integers, e.g. '5,1', for small blocks)"
                )
        else:
            if size < 1 - _INT_TOL or abs(size - round(size)) > _INT_TOL:
                raise ValueError(
                    f"constant block size {_expr_str(expr)} in {spec!r} must be a positive integer"
                )
            size = float(round(size))
        return Factor(kind=kind, expr=expr, size=size)

    def at(self, k) -> IsotropyGroup:
        """The same spec at another ``k`` (see :func:`group_at`; ``d − k`` is kept
        when the spec does not list its column blocks)."""
        return group_at(self.spec, k, extra_dims=self.d - self.k)

    # ------------------------------------------------------------- properties
    @property
    def is_integral(self) -> bool:
        """True when every block size is an integer (the dense path applies)."""
        return all(f.is_integral for f in self.factors)

    @property
    def row_factors(self) -> tuple[int, ...]:
        """Indices of the factors that own rows (diagonal, then extra-row)."""
        return tuple(t for t, f in enumerate(self.factors) if f.has_rows)

    @property
    def col_factors(self) -> tuple[int, ...]:
        """Indices of the factors that own columns (diagonal, then extra-column)."""
        return tuple(t for t, f in enumerate(self.factors) if f.has_cols)

    @cached_property
    def sizes(self) -> tuple[float, ...]:
        """Block sizes ``m_t`` at this ``k``."""
        return tuple(f.size for f in self.factors)

    @cached_property
    def size_derivatives(self) -> tuple[float, ...]:
        """``dm_t/dk`` of every block size (0 for constant blocks)."""
        out = []
        for f in self.factors:
            coeffs = _poly_coeffs(f.expr) if f.expr.free_symbols else (0.0,)
            deg = len(coeffs) - 1
            val = 0.0
            for i, c in enumerate(coeffs[:-1]):
                val = val * self.k + (deg - i) * c
            out.append(val)
        return tuple(out)

    @property
    def name(self) -> str:
        """Canonical spec of this group, e.g. ``k-1,1`` or ``k-1,1|1``."""
        diag = ",".join(f.label() for f in self.factors if f.kind == "diag")
        rows = ",".join(f.label() for f in self.factors if f.kind == "row")
        cols = ",".join(f.label() for f in self.factors if f.kind == "col")
        out = diag
        if rows or cols:
            out += "|" + rows
        if cols:
            out += "|" + cols
        return out

    def order_log10(self) -> float:
        """``log10 |H| = Σ log10(m_t!)`` (via the Gamma function for real sizes)."""
        return sum(math.lgamma(f.size + 1) for f in self.factors) / math.log(10)

    def __str__(self) -> str:
        return f"IsotropyGroup({self.name!r}, k={self.k:g}, n={self.n:g}, d={self.d:g})"

    # --------------------------------------------------- integer-size helpers
    def _require_integral(self, what: str) -> None:
        if not self.is_integral:
            raise ValueError(
                f"{what} needs integer block sizes; "
                f"this group has sizes {self.sizes} at k={self.k:g}"
            )

    @cached_property
    def _index_ranges(self) -> tuple[tuple[range | None, range | None], ...]:
        self._require_integral("explicit indices")
        out = []
        r0 = 0
        c0 = 0
        k = int(round(self.k))
        rx = k
        cx = k
        for f in self.factors:
            m = int(round(f.size))
            if f.kind == "diag":
                out.append((range(r0, r0 + m), range(c0, c0 + m)))
                r0 += m
                c0 += m
            elif f.kind == "row":
                out.append((range(rx, rx + m), None))
                rx += m
            else:
                out.append((None, range(cx, cx + m)))
                cx += m
        return tuple(out)

    def row_indices(self, t: int) -> np.ndarray:
        """Row indices of factor ``t`` (integer sizes only)."""
        r = self._index_ranges[t][0]
        return np.arange(0) if r is None else np.arange(r.start, r.stop)

    def col_indices(self, t: int) -> np.ndarray:
        """Column indices of factor ``t`` (integer sizes only)."""
        c = self._index_ranges[t][1]
        return np.arange(0) if c is None else np.arange(c.start, c.stop)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, d)`` as integers (integer sizes only)."""
        self._require_integral("shape")
        return int(round(self.n)), int(round(self.d))

    def permutations(self, perms) -> tuple[np.ndarray, np.ndarray]:
        """Row and column permutations ``(π, ρ)`` of a group element.

        Parameters
        ----------
        perms : sequence of array_like
            One permutation of ``range(m_t)`` per factor.

        Returns
        -------
        pi, rho : ndarray
            ``pi[i]`` is the image of row ``i``, ``rho[j]`` of column ``j``.
        """
        n, d = self.shape
        if len(perms) != len(self.factors):
            raise ValueError(
                f"need one permutation per factor ({len(self.factors)}), got {len(perms)}"
            )
        pi = np.arange(n)
        rho = np.arange(d)
        for t, p in enumerate(perms):
            p = np.asarray(p, dtype=int)
            m = int(round(self.factors[t].size))
            if p.shape != (m,) or sorted(p.tolist()) != list(range(m)):
                raise ValueError(f"perms[{t}] must be a permutation of range({m})")
            rows, cols = self.row_indices(t), self.col_indices(t)
            if rows.size:
                pi[rows] = rows[p]
            if cols.size:
                rho[cols] = cols[p]
        return pi, rho

    def act(self, perms, W) -> np.ndarray:
        """``(π, ρ)·W = P_π W P_ρ^T``: entry ``(π(i), ρ(j))`` of the result is ``W[i, j]``."""
        pi, rho = self.permutations(perms)
        W = np.asarray(W, dtype=float)
        if W.shape != self.shape:
            raise ValueError(f"W must have shape {self.shape}, got {W.shape}")
        out = np.empty_like(W)
        out[np.ix_(pi, rho)] = W
        return out

    def random_element(self, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """A uniformly random group element (one permutation per factor)."""
        self._require_integral("random elements")
        return tuple(rng.permutation(int(round(f.size))) for f in self.factors)

    def generators(self) -> list[tuple[np.ndarray, ...]]:
        """Adjacent transpositions of every factor (they generate the group)."""
        self._require_integral("generators")
        ident = [np.arange(int(round(f.size))) for f in self.factors]
        gens = []
        for t, f in enumerate(self.factors):
            m = int(round(f.size))
            for a in range(m - 1):
                p = [q.copy() for q in ident]
                p[t][[a, a + 1]] = p[t][[a + 1, a]]
                gens.append(tuple(p))
        return gens

    def fixes(self, W, *, atol: float = 1e-10) -> bool:
        """True when every generator fixes ``W`` (within ``atol``)."""
        W = np.asarray(W, dtype=float)
        return all(np.allclose(self.act(g, W), W, atol=atol, rtol=0) for g in self.generators())


@lru_cache(maxsize=8192)
def _from_spec_cached(cls, spec: str, k: float, d) -> IsotropyGroup:
    return cls._build(spec, k, d)


def group_at(spec: str, k, *, extra_dims: float = 0.0) -> IsotropyGroup:
    """The group of ``spec`` at ``k``, for following a family as ``k`` moves.

    ``d = k + extra_dims`` when the spec does not list column blocks (the
    number of extra input columns is held fixed); otherwise ``d`` is ``k`` plus
    the listed column blocks evaluated at ``k``.
    """
    cols = parse_spec(spec)[2]
    if cols is None:
        extra = float(extra_dims)
    else:
        extra = sum(_eval_poly(e, float(k)) if e.free_symbols else float(e) for e in cols)
    return IsotropyGroup.from_spec(spec, k, d=float(k) + extra)


def family_of(group, k0=None, extra_dims=None) -> tuple[str, float, float]:
    """``(spec, k0, extra_dims)`` of a family given by an :class:`IsotropyGroup` or a spec string.

    Entry points that follow a family in ``k`` accept either: a group supplies
    the default ``k0`` (its ``k``) and ``extra_dims`` (its ``d − k``); with a
    spec string ``k0`` is required and ``extra_dims`` defaults to 0.

    Raises
    ------
    TypeError
        If ``group`` is neither, or ``k0`` is not a real number.
    ValueError
        If ``k0`` is missing with a spec, or not positive and finite.
    """
    if isinstance(group, IsotropyGroup):
        spec = group.spec
        k0 = group.k if k0 is None else k0
        extra_dims = group.d - group.k if extra_dims is None else extra_dims
    elif isinstance(group, str):
        spec = group
        if k0 is None:
            raise ValueError("give k0 (the k of the start point) with a spec string")
    else:
        raise TypeError(f"group must be an IsotropyGroup or a spec string, got {group!r}")
    if isinstance(k0, bool) or not isinstance(k0, (int, float, np.integer, np.floating)):
        raise TypeError(f"k0 must be a real number, got {k0!r}")
    k0 = float(k0)
    if not (math.isfinite(k0) and k0 > 0):
        raise ValueError(f"k0 must be a positive finite number, got {k0}")
    return spec, k0, 0.0 if extra_dims is None else float(extra_dims)


def group_of(group, k=None, *, extra_dims=None) -> IsotropyGroup:
    """The :class:`IsotropyGroup` given by a group or by a spec string and ``k``.

    Point entry points (``ReducedSystem``, ``analytic_spectrum``,
    ``hessian_blocks``, ``certify_critical_point``) accept either.  A group is
    returned as it is when neither ``k`` nor ``extra_dims`` is given; otherwise
    the arguments are resolved by :func:`family_of` and the group is
    :func:`group_at` the resulting ``(spec, k, extra_dims)``.  Errors: a
    ``ValueError`` without ``k`` for a spec, otherwise those of :func:`family_of`
    and :meth:`IsotropyGroup.from_spec`.
    """
    if isinstance(group, IsotropyGroup) and k is None and extra_dims is None:
        return group
    if isinstance(group, str) and k is None:
        raise ValueError(f"give k with the spec string {group!r}")
    spec, k, extra = family_of(group, k, extra_dims)
    return group_at(spec, k, extra_dims=extra)


# ---------------------------------------------------------------------------
# isotropy of a numerical point


def _components(m: int, edges) -> list[list[int]]:
    parent = list(range(m))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in range(m):
        groups.setdefault(find(x), []).append(x)
    return list(groups.values())


@dataclass(frozen=True)
class DetectedIsotropy:
    """The Young-type isotropy group of a numerical point.

    Attributes
    ----------
    group : IsotropyGroup
        The group with consecutive blocks (plain integer sizes, in the order
        of ``blocks``).
    diag_blocks, row_blocks, col_blocks : tuple of tuple of int
        The actual index sets of ``W`` forming each block.
    """

    group: IsotropyGroup
    diag_blocks: tuple[tuple[int, ...], ...]
    row_blocks: tuple[tuple[int, ...], ...]
    col_blocks: tuple[tuple[int, ...], ...]

    @property
    def spec(self) -> str:
        return self.group.spec


def detect_isotropy(W, k: int | None = None, *, atol: float = 1e-8) -> DetectedIsotropy:
    r"""The largest Young-type subgroup of ``S_n × S_d`` fixing ``W``.

    Parameters
    ----------
    W : array_like, shape (n, d)
        A point; the teacher is ``I_k`` padded with zero columns.
    k : int, optional
        Teacher width (default ``min(n, d)``).
    atol : float
        Entries closer than this are considered equal.

    Notes
    -----
    A transposition ``(i j)`` of teacher indices (acting on rows and columns
    together) fixes ``W`` iff ``W_ii = W_jj``, ``W_ij = W_ji``, rows ``i, j``
    agree off columns ``{i, j}`` and columns ``i, j`` agree off rows
    ``{i, j}``.  The fixing transpositions generate a Young subgroup whose
    blocks are the connected components of the graph they form (``(i j)`` and
    ``(j l)`` fixing ``W`` imply ``(i l) = (i j)(j l)(i j)`` does); it contains
    every Young-type subgroup fixing ``W``.  Extra rows (``i ≥ k``) are
    equivalent when equal, extra columns when equal.  Cost ``O(k²(n + d))``.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise ValueError("W must be a finite 2-D array")
    n, d = W.shape
    k = min(n, d) if k is None else int(k)
    if not 1 <= k <= min(n, d):
        raise ValueError(f"k must be between 1 and min(n, d) = {min(n, d)}, got {k}")

    def close(x, y):
        return bool(np.all(np.abs(x - y) <= atol))

    edges = []
    for i in range(k):
        for j in range(i + 1, k):
            if abs(W[i, i] - W[j, j]) > atol or abs(W[i, j] - W[j, i]) > atol:
                continue
            cmask = np.ones(d, bool)
            cmask[[i, j]] = False
            rmask = np.ones(n, bool)
            rmask[[i, j]] = False
            if close(W[i, cmask], W[j, cmask]) and close(W[rmask, i], W[rmask, j]):
                edges.append((i, j))
    diag_blocks = _components(k, edges)
    rows_extra = list(range(k, n))
    row_edges = [
        (a, b)
        for a in range(len(rows_extra))
        for b in range(a + 1, len(rows_extra))
        if close(W[rows_extra[a]], W[rows_extra[b]])
    ]
    row_blocks = [[rows_extra[x] for x in c] for c in _components(len(rows_extra), row_edges)]
    cols_extra = list(range(k, d))
    col_edges = [
        (a, b)
        for a in range(len(cols_extra))
        for b in range(a + 1, len(cols_extra))
        if close(W[:, cols_extra[a]], W[:, cols_extra[b]])
    ]
    col_blocks = [[cols_extra[x] for x in c] for c in _components(len(cols_extra), col_edges)]
    diag_blocks.sort(key=lambda b: (-len(b), b[0]))
    row_blocks.sort(key=lambda b: (-len(b), b[0]))
    col_blocks.sort(key=lambda b: (-len(b), b[0]))
    spec = ",".join(str(len(b)) for b in diag_blocks)
    spec += "|" + ",".join(str(len(b)) for b in row_blocks)
    spec += "|" + ",".join(str(len(b)) for b in col_blocks)
    group = IsotropyGroup.from_spec(spec, k, d=d)
    return DetectedIsotropy(
        group=group,
        diag_blocks=tuple(tuple(b) for b in diag_blocks),
        row_blocks=tuple(tuple(b) for b in row_blocks),
        col_blocks=tuple(tuple(b) for b in col_blocks),
    )
