r"""Exact (sympy) expressions of the arc-cosine kernel and the teacher–student loss.

For small sizes only: the loss of an ``n × d`` student has ``O((n + k)²)``
kernel terms, each with a square root and an ``atan2``.  The expressions are
meant for exact checks of the numerical code (values, derivatives by
:func:`sympy.diff`, exact values at rational points), not for computation.

The kernel is written through the two Gram scalars that are well defined for
any pair of vectors,

.. math::

    w·v = \sum_a w_a v_a,\qquad
    |w∧v| = \Big(\sum_{a<b} (w_a v_b − w_b v_a)^2\Big)^{1/2},\qquad
    θ = \operatorname{atan2}(|w∧v|, w·v),

    κ(w, v) = \frac{|w∧v| + (π − θ)\, w·v}{2π}
            = \frac{|w||v|}{2π}\big(\sin θ + (π − θ)\cos θ\big),

with ``κ(w, w) = |w|²/2`` returned directly when both arguments are the same
vector (``atan2(0, x)`` does not simplify for a symbolic ``x``).  The same
kernel built in a geometric algebra is in
:mod:`symbreak.model.geometric_algebra`.

Examples
--------
>>> import sympy as sp
>>> from symbreak.model.symbolic import kappa_expr
>>> sp.simplify(kappa_expr([1, 0], [1, 1]) - (1 + 3 * sp.pi / 4) / (2 * sp.pi))
0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

__all__ = [
    "symbol_matrix",
    "dot_expr",
    "wedge_norm_expr",
    "theta_expr",
    "kappa_expr",
    "loss_expr",
    "gradient_expr",
    "hessian_expr",
]

KernelExpr = Callable[[object, object], sp.Expr]


def symbol_matrix(n: int, d: int, name: str = "w", *, real: bool = True) -> sp.Matrix:
    """An ``n × d`` matrix of fresh symbols ``{name}{i}_{a}`` (0-based indices).

    Parameters
    ----------
    n, d : int
        Numbers of rows (neurons) and columns (input dimension), ``>= 1``.
    name : str
        Stem of the symbol names.
    real : bool
        Declare the symbols real (default), which lets ``sqrt(x**2)`` and
        ``Abs`` simplify.

    Returns
    -------
    sympy.Matrix
        Entry ``(i, a)`` is the symbol ``{name}{i}_{a}``.
    """
    for value, label in ((n, "n"), (d, "d")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{label} must be an integer, got {value!r}")
        if value < 1:
            raise ValueError(f"{label} must be >= 1, got {value}")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a valid identifier such as 'w', got {name!r}")
    return sp.Matrix(
        int(n), int(d), lambda i, a: sp.Symbol(f"{name}{i}_{a}", real=real if real else None)
    )


def _as_vector(x, what: str) -> sp.Matrix:
    """A column ``sympy.Matrix`` from a sequence, 1-D array or row/column matrix."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{what} must be a sequence of numbers or symbols, got {type(x).__name__}")
    if isinstance(x, sp.MatrixBase):
        if 1 not in x.shape:
            raise ValueError(
                f"{what} must be a row or column vector, got a matrix of shape {x.shape}"
            )
        vec = sp.Matrix(list(x))
    else:
        if isinstance(x, np.ndarray):
            if x.ndim != 1:
                raise ValueError(f"{what} must be 1-D, got an array of shape {x.shape}")
            x = x.tolist()
        if not isinstance(x, Sequence):
            raise TypeError(
                f"{what} must be a sequence of numbers or symbols, got {type(x).__name__}"
            )
        try:
            vec = sp.Matrix([sp.sympify(c, strict=True) for c in x])
        except (sp.SympifyError, TypeError) as exc:
            raise TypeError(f"{what} must contain numbers or symbols: {exc}") from None
    if vec.rows == 0:
        raise ValueError(f"{what} must not be empty")
    for c in vec:
        if c.is_number and not c.is_extended_real:
            raise ValueError(f"{what} must be real, got the entry {c}")
        if c.is_number and not c.is_finite:
            raise ValueError(f"{what} must be finite, got the entry {c}")
    return vec


def _pair(w, v) -> tuple[sp.Matrix, sp.Matrix]:
    w = _as_vector(w, "w")
    v = _as_vector(v, "v")
    if w.rows != v.rows:
        raise ValueError(f"w and v must have the same length, got {w.rows} and {v.rows}")
    for vec, label in ((w, "w"), (v, "v")):
        if all(c.is_zero for c in vec):
            raise ValueError(
                f"{label} is the zero vector: the kernel's angle is undefined there "
                "(and the loss not differentiable); use a non-zero vector"
            )
    return w, v


def dot_expr(w, v) -> sp.Expr:
    """``w·v = Σ_a w_a v_a``."""
    w, v = _pair(w, v)
    return sp.expand(w.dot(v))


def wedge_norm_expr(w, v) -> sp.Expr:
    r"""``|w∧v| = (Σ_{a<b} (w_a v_b − w_b v_a)²)^{1/2}`` (the bivector's magnitude)."""
    w, v = _pair(w, v)
    d = w.rows
    return sp.sqrt(
        sum(
            ((w[a] * v[b] - w[b] * v[a]) ** 2 for a in range(d) for b in range(a + 1, d)), sp.S.Zero
        )
    )


def theta_expr(w, v) -> sp.Expr:
    """Angle ``θ = atan2(|w∧v|, w·v) ∈ [0, π]``."""
    return sp.atan2(wedge_norm_expr(w, v), dot_expr(w, v))


def kappa_expr(w, v) -> sp.Expr:
    r"""Arc-cosine kernel ``κ(w, v) = (|w∧v| + (π − θ) w·v)/(2π)``.

    Parameters
    ----------
    w, v : sequence, 1-D ndarray or sympy vector
        Entries are numbers or (real) symbols; same length ``d >= 1``.  Neither
        may be the zero vector.

    Returns
    -------
    sympy.Expr
        ``κ(w, v)``; ``|w|²/2`` when ``w`` and ``v`` are the same vector.
    """
    w, v = _pair(w, v)
    if w == v:
        return w.dot(w) / 2
    return (wedge_norm_expr(w, v) + (sp.pi - theta_expr(w, v)) * dot_expr(w, v)) / (2 * sp.pi)


def _as_matrix(x, what: str) -> sp.Matrix:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{what} must be a 2-D array or sympy Matrix, got {type(x).__name__}")
    if isinstance(x, sp.MatrixBase):
        M = sp.Matrix(x)
    else:
        arr = np.asarray(x, dtype=object)
        if arr.ndim != 2:
            raise ValueError(f"{what} must be 2-D, got an array with {arr.ndim} dimension(s)")
        M = sp.Matrix(arr.tolist())
    if M.rows == 0 or M.cols == 0:
        raise ValueError(f"{what} must not be empty, got shape {M.shape}")
    return M


def loss_expr(W, V, *, kernel: KernelExpr | None = None) -> sp.Expr:
    r"""Teacher–student loss ``L(W)`` as a sympy expression.

    .. math::

        L(W) = \tfrac12 \sum_{i,i'} κ(w_i, w_{i'}) − \sum_{i,j} κ(w_i, v_j)
               + \tfrac12 \sum_{j,j'} κ(v_j, v_{j'})

    (the diagonal terms ``κ(w_i, w_i) = |w_i|²/2``, the off-diagonal ones
    counted once with weight 1).

    Parameters
    ----------
    W : sympy.Matrix or array_like, shape (n, d)
        Student, e.g. :func:`symbol_matrix` ``(n, d)``; numbers are allowed.
    V : sympy.Matrix or array_like, shape (k, d)
        Teacher.  Pass integers or sympy rationals for an exact expression;
        floats stay floats.
    kernel : callable, optional
        ``kernel(w, v) -> Expr``; default :func:`kappa_expr`.
        :func:`symbreak.model.geometric_algebra.kappa_ga` gives the same
        function through the wedge product of a geometric algebra.

    Returns
    -------
    sympy.Expr
    """
    W = _as_matrix(W, "W")
    V = _as_matrix(V, "V")
    if W.cols != V.cols:
        raise ValueError(
            f"W and V must have the same number of columns d, got {W.cols} and {V.cols}"
        )
    kap = kappa_expr if kernel is None else kernel
    if not callable(kap):
        raise TypeError(f"kernel must be callable as kernel(w, v), got {kernel!r}")
    w = [W.row(i) for i in range(W.rows)]
    v = [V.row(j) for j in range(V.rows)]

    def self_energy(rows) -> sp.Expr:
        total = sum((r.dot(r) / 4 for r in rows), sp.S.Zero)
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                total += kap(rows[i], rows[j])
        return total

    cross = sum((kap(wi, vj) for wi in w for vj in v), sp.S.Zero)
    return self_energy(w) - cross + self_energy(v)


def _flat_symbols(W) -> list[sp.Symbol]:
    M = _as_matrix(W, "W")
    syms = list(M)  # row-major
    for s in syms:
        if not isinstance(s, sp.Symbol):
            raise TypeError(f"W must be a matrix of symbols (see symbol_matrix), got the entry {s}")
    return syms


def gradient_expr(L: sp.Expr, W) -> sp.Matrix:
    """``∂L/∂W`` as a matrix of the shape of ``W`` (a matrix of symbols)."""
    M = _as_matrix(W, "W")
    _flat_symbols(M)
    return M.applyfunc(lambda s: sp.diff(L, s))


def hessian_expr(L: sp.Expr, W) -> sp.Matrix:
    """``∂²L/∂W²``, shape ``(n·d, n·d)``, with ``W`` flattened row-major."""
    return sp.hessian(L, _flat_symbols(W))
