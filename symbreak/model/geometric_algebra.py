r"""The arc-cosine kernel built in a Euclidean geometric algebra (``ga`` extra).

In the geometric algebra ``G(R^d)`` (``d = 2`` or ``3``, orthonormal basis
``e_1, …, e_d``) the geometric product of two vectors splits into a scalar
and a bivector, ``w v = w·v + w∧v``, and

.. math::

    |w∧v|^2 = \langle (w∧v)(w∧v)^\sim \rangle_0 = |w|^2|v|^2 \sin^2 θ,
    \qquad θ = \operatorname{atan2}(|w∧v|, w·v),

    κ(w, v) = \frac{|w∧v| + (π − θ)\, w·v}{2π}

(``~`` is the reversion).  This is the same function as
:func:`symbreak.model.symbolic.kappa_expr` and the numerical kernel of
:mod:`symbreak.model.kernel`, computed from a different definition of the two
Gram scalars; the tests compare them.

``galgebra`` is imported on first use, so the package imports without it.
Install it with ``pip install symbreak[ga]``.
"""

from __future__ import annotations

import functools

import sympy as sp

from .symbolic import _as_vector, _pair

__all__ = ["vector_ga", "dot_ga", "wedge_ga", "wedge_norm_ga", "kappa_ga"]

_DIMENSIONS = (2, 3)


@functools.lru_cache(maxsize=len(_DIMENSIONS))
def _algebra(d: int):
    """The Euclidean algebra ``G(R^d)`` and its basis vectors (built once per d)."""
    try:
        from galgebra.ga import Ga
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "symbreak.model.geometric_algebra needs galgebra; install the 'ga' extra: "
            "pip install 'symbreak[ga]'"
        ) from exc
    names = " ".join(f"e{a + 1}" for a in range(d))
    ga = Ga(names, g=[1] * d)
    return ga, ga.mv()


def _check_dim(d: int) -> None:
    if d not in _DIMENSIONS:
        raise ValueError(
            f"the geometric-algebra kernel is implemented for d = 2 or 3, got vectors of "
            f"length {d}; use symbreak.model.symbolic.kappa_expr for other d"
        )


def vector_ga(x):
    """The vector ``Σ_a x_a e_a`` of ``G(R^d)`` (``d = len(x)`` is 2 or 3)."""
    vec = _as_vector(x, "x")
    _check_dim(vec.rows)
    _, basis = _algebra(vec.rows)
    return sum((c * e for c, e in zip(vec, basis)), 0 * basis[0])


def _vectors(w, v):
    w, v = _pair(w, v)
    _check_dim(w.rows)
    return vector_ga(w), vector_ga(v)


def dot_ga(w, v) -> sp.Expr:
    """Inner product ``w·v``: the scalar part of ``w | v``."""
    a, b = _vectors(w, v)
    return sp.expand((a | b).scalar())


def wedge_ga(w, v):
    """The bivector ``w∧v`` (a galgebra multivector)."""
    a, b = _vectors(w, v)
    return a ^ b


def wedge_norm_ga(w, v) -> sp.Expr:
    r"""Magnitude of the bivector, ``|w∧v| = \langle B \tilde B\rangle_0^{1/2}``, ``B = w∧v``."""
    B = wedge_ga(w, v)
    return sp.sqrt(sp.expand((B * B.rev()).scalar()))


def kappa_ga(w, v) -> sp.Expr:
    r"""Arc-cosine kernel from the geometric algebra: ``(|w∧v| + (π − θ) w·v)/(2π)``.

    Parameters
    ----------
    w, v : sequence, 1-D ndarray or sympy vector
        Numbers or real symbols, both of length 2 or 3, neither zero.

    Returns
    -------
    sympy.Expr
        ``κ(w, v)`` with ``θ = atan2(|w∧v|, w·v)``; ``|w|²/2`` when ``w`` and
        ``v`` are the same vector.
    """
    wv, vv = _pair(w, v)
    _check_dim(wv.rows)
    dot = dot_ga(wv, vv)
    if wv == vv:
        return dot / 2
    wedge = wedge_norm_ga(wv, vv)
    return (wedge + (sp.pi - sp.atan2(wedge, dot)) * dot) / (2 * sp.pi)
