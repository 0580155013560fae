r"""Arithmetic back-ends of the compressed model (:mod:`symbreak.reduced.evaluate`).

The compressed model is written once, over numpy arrays with a leading batch
axis, in terms of ``+ − × /`` and a handful of functions a back-end supplies
(``sqrt``, ``atan2``, ``π``, a positivity test and the bounded ``δ``-term
below).  The back-end decides the number type of the arrays:

``FLOAT64`` (:class:`Float64Arithmetic`)
    float64 arrays, vectorised numpy functions: the fast, batched path.
``FloatArithmetic``
    Python floats in object arrays (a cross-check of the generic code path).
``MPArithmetic``
    ``mpmath.mpf`` at a given number of decimal digits (high-precision
    solves for the asymptotic series, the loss at large ``k``).
``Interval64Arithmetic``
    Vectorised float64 intervals (:class:`~symbreak.reduced._interval64.IntervalArray`,
    midpoint–radius, every operation rounded outward): rigorous enclosures
    over a *batch* of boxes in a few numpy calls (the branch-and-bound of
    :mod:`symbreak.critical.prove`).
``ArbArithmetic``
    Ball arithmetic (``flint.arb`` from python-flint): every result is a ball
    ``[m ± r]`` guaranteed to contain the exact value of the operation applied
    to any points of the input balls.  Used by the certificates.
``SymPyArithmetic``
    sympy expressions: symbols in the coordinates and in ``k``.

Scalar back-ends are context managers that set (and afterwards restore) their
working precision; the model enters the context itself on every call, so a
result always has the requested precision, even when the caller did not enter
it.

The one non-arithmetic rule the model needs is
``small_term(wedge, num, two_pi, bound)``: the term
``δ (u·r)(ũ·s) = num / (2π |w∧v|)`` (``num = (u·r)(ũ·s)``) of the kernel's
Hessian, which is ``0/0`` where ``w ∥ v``.  Its limit there is 0 and it is
bounded by Cauchy–Schwarz, ``|δ (u·r)(ũ·s)| ≤ B`` with ``B = bound``
(``γ|u||ũ|`` or ``ε|u||ũ|``, supplied by the caller).  Point back-ends return
0 at ``|w∧v| = 0``; the ball back-end returns ``[−B, B]`` when the ball of
``|w∧v|`` contains 0, and ``num/(2π|w∧v|)`` intersected with ``[−B, B]``
otherwise.
"""

from __future__ import annotations

import abc
import math
from fractions import Fraction

import numpy as np

__all__ = [
    "FLOAT64",
    "INTERVAL64",
    "Float64Arithmetic",
    "FloatArithmetic",
    "MPArithmetic",
    "ArbArithmetic",
    "Interval64Arithmetic",
    "SymPyArithmetic",
    "flint_available",
    "require_flint",
]


def flint_available() -> bool:
    """True when python-flint (``flint.arb``) can be imported."""
    try:
        import flint  # noqa: F401
    except ImportError:
        return False
    return True


def require_flint():
    """Import and return the ``flint`` module, or raise an actionable ``ImportError``."""
    try:
        import flint
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "certificates need interval (ball) arithmetic from python-flint: "
            "pip install python-flint"
        ) from None
    return flint


class _Backend(abc.ABC):
    """Common interface (documented on the concrete classes)."""

    name = "abstract"
    is_interval = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    # ---------------------------------------------------------------- helpers
    @abc.abstractmethod
    def number(self, x):
        """Exact conversion of an int, float or Fraction (rounded outward for balls)."""

    def is_zero(self, x) -> bool:
        """True when ``x`` is exactly zero (Python 0 counts)."""
        if isinstance(x, int):
            return x == 0
        return self._is_zero(x)

    def to_float(self, x) -> float:
        """Nearest float of ``x`` (the midpoint for balls)."""
        return float(x)

    def square(self, x):
        """``x²`` (for balls: the exact range of ``t²`` over the ball, not ``x·x``)."""
        return x * x

    def kappa_hull(self, kappa, top):
        """``κ`` where a row may vanish: intersected with ``[0, top]`` (``0 ≤ κ ≤ |w||v|/2``).

        Point back-ends never need it (a zero row is an error there).
        """
        return kappa

    # ------------------------------------------------- array-level operations
    is_float64 = False

    def asquare(self, x):
        return self._vec("square", 1)(x)

    def akappa_hull(self, kappa, top):
        return self._vec("kappa_hull", 2)(kappa, top)

    def array(self, values) -> np.ndarray:
        """An object array of the back-end's numbers (ints 0 and 1 kept exact)."""
        arr = np.asarray(values, dtype=object)
        out = np.empty(arr.shape, dtype=object)
        flat = out.reshape(-1)
        for i, x in enumerate(arr.reshape(-1)):
            flat[i] = self._exact(x)
        return out

    def _exact(self, x):
        if isinstance(x, (bool, np.bool_)):
            return int(x)
        if isinstance(x, (int, np.integer)):
            return int(x)
        if isinstance(x, (float, np.floating)):
            f = float(x)
            return int(f) if f.is_integer() else self.number(f)
        if isinstance(x, Fraction):
            return self.number(x)
        return x

    def zeros(self, shape) -> np.ndarray:
        out = np.empty(shape, dtype=object)
        out.fill(0)
        return out

    def coerce(self, x) -> np.ndarray:
        """An array of the back-end's numbers as the model stores it (no conversion)."""
        return np.asarray(x, dtype=object)

    def abroadcast(self, *xs) -> list:
        """The arrays ``xs`` broadcast to one shape."""
        return np.broadcast_arrays(*(np.asarray(x, dtype=object) for x in xs))

    def nonzero_mask(self, x) -> np.ndarray | None:
        """Mask of the entries that are not exactly 0, or None (the model tests each entry)."""
        return None

    def _vec(self, name: str, nin: int):
        cache = self.__dict__.setdefault("_vectorised", {})
        if name not in cache:
            cache[name] = np.frompyfunc(getattr(self, name), nin, 1)
        return cache[name]

    def asqrt(self, x):
        return self._vec("sqrt", 1)(x)

    def asqrt_nonneg(self, x):
        return self._vec("sqrt_nonneg", 1)(x)

    def aatan2(self, y, x):
        return self._vec("atan2", 2)(y, x)

    def apositive(self, x) -> np.ndarray:
        return np.asarray(self._vec("is_positive", 1)(x), dtype=bool)

    def asmall_term(self, wedge, num, two_pi, bound):
        return self._vec("small_term", 4)(wedge, num, two_pi, bound)


class Float64Arithmetic(_Backend):
    """float64 numpy arrays: the fast, batched path (:data:`FLOAT64`)."""

    name = "float64"
    is_float64 = True
    pi = math.pi

    def number(self, x):
        return float(x)

    def _is_zero(self, x) -> bool:
        return x == 0.0

    def array(self, values) -> np.ndarray:
        return np.asarray(values, dtype=float)

    def zeros(self, shape) -> np.ndarray:
        return np.zeros(shape)

    def asqrt(self, x):
        return np.sqrt(x)

    def asquare(self, x):
        return x * x

    def asqrt_nonneg(self, x):
        return np.sqrt(np.maximum(x, 0.0))

    def aatan2(self, y, x):
        return np.arctan2(y, x)

    def apositive(self, x) -> np.ndarray:
        return np.asarray(x) > 0.0

    def asmall_term(self, wedge, num, two_pi, bound):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(wedge > 0.0, num / (two_pi * wedge), 0.0)

    def coerce(self, x) -> np.ndarray:
        return np.asarray(x, dtype=float)

    def abroadcast(self, *xs) -> list:
        return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


#: the float64 back-end of the fast path
FLOAT64 = Float64Arithmetic()


class FloatArithmetic(_Backend):
    """Python floats (for testing the generic model against the float64 one)."""

    name = "float"

    def number(self, x):
        return float(x)

    def _is_zero(self, x) -> bool:
        return x == 0.0

    @property
    def pi(self):
        return math.pi

    def sqrt(self, x):
        return math.sqrt(x)

    def sqrt_nonneg(self, x):
        return math.sqrt(max(x, 0.0))

    def atan2(self, y, x):
        return math.atan2(y, x)

    def is_positive(self, x) -> bool:
        return x > 0.0

    def small_term(self, wedge, num, two_pi, bound):
        return 0.0 if wedge == 0.0 else num / (two_pi * wedge)


class MPArithmetic(_Backend):
    """``mpmath.mpf`` with ``dps`` decimal digits.

    Parameters
    ----------
    dps : int
        Decimal digits of the working precision (at least 15).
    """

    name = "mpmath"

    def __init__(self, dps: int = 50):
        if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
            raise ValueError(f"dps must be an integer >= 15, got {dps!r}")
        import mpmath

        self.dps = dps
        self._mp = mpmath
        self._saved: list[int] = []

    def __enter__(self):
        self._saved.append(self._mp.mp.prec)
        self._mp.mp.dps = self.dps
        return self

    def __exit__(self, *exc):
        self._mp.mp.prec = self._saved.pop()
        return False

    def number(self, x):
        mp = self._mp
        if isinstance(x, Fraction):
            return mp.mpf(x.numerator) / x.denominator
        if isinstance(x, mp.mpf):
            return x
        return mp.mpf(x)

    def _is_zero(self, x) -> bool:
        return x == 0

    @property
    def pi(self):
        return self._mp.pi

    def sqrt(self, x):
        return self._mp.sqrt(x)

    def sqrt_nonneg(self, x):
        return self._mp.sqrt(x) if x > 0 else self._mp.mpf(0)

    def atan2(self, y, x):
        return self._mp.atan2(y, x)

    def is_positive(self, x) -> bool:
        return x > 0

    def small_term(self, wedge, num, two_pi, bound):
        return self._mp.mpf(0) if wedge == 0 else num / (two_pi * wedge)


class ArbArithmetic(_Backend):
    """Ball arithmetic with python-flint's ``arb`` at ``prec`` bits.

    Parameters
    ----------
    prec : int
        Working precision in bits (at least 53).

    Notes
    -----
    python-flint keeps its precision in a global context (``flint.ctx.prec``);
    entering the back-end sets it and leaving restores the previous value.
    """

    name = "arb"
    is_interval = True

    def __init__(self, prec: int = 128):
        if isinstance(prec, bool) or not isinstance(prec, int) or prec < 53:
            raise ValueError(f"prec must be an integer >= 53 (bits), got {prec!r}")
        flint = require_flint()
        self.prec = prec
        self._flint = flint
        self.arb = flint.arb
        self._saved: list[int] = []

    def __enter__(self):
        self._saved.append(self._flint.ctx.prec)
        self._flint.ctx.prec = self.prec
        return self

    def __exit__(self, *exc):
        self._flint.ctx.prec = self._saved.pop()
        return False

    # --------------------------------------------------------- conversions
    def number(self, x):
        arb = self.arb
        if isinstance(x, arb):
            return x
        if isinstance(x, Fraction):
            return arb(self._flint.fmpq(x.numerator, x.denominator))
        if isinstance(x, (int, np.integer)):
            return arb(int(x))
        return arb(float(x))  # floats are dyadic: exact

    def ball(self, lo: float, hi: float):
        """The ball ``[lo, hi]`` (outward rounded; ``lo <= hi`` floats)."""
        if not lo <= hi:
            raise ValueError(f"empty interval [{lo}, {hi}]")
        arb = self.arb
        return arb(lo).union(arb(hi))

    def _is_zero(self, x) -> bool:
        return x.is_exact() and x.is_zero()

    def square(self, x):
        """The range ``{t² : t ∈ x}`` (``x·x`` in midpoint–radius form is wider and can
        contain negative numbers)."""
        if not isinstance(x, self.arb) or x.is_exact() or not x.is_finite():
            return x * x
        lo, hi = x.lower(), x.upper()
        a, b = lo * lo, hi * hi
        if lo <= 0 <= hi:
            top = a.union(b)
            return self.arb(0).union(top.upper())
        return a.union(b)

    def kappa_hull(self, kappa, top):
        hull = self.arb(0).union(top)
        if not isinstance(kappa, self.arb) or not kappa.is_finite() or not kappa.overlaps(hull):
            return hull
        return kappa.intersection(hull)

    def to_float(self, x) -> float:
        return float(x.mid()) if isinstance(x, self.arb) else float(x)

    @property
    def pi(self):
        return self.arb.pi()

    # ------------------------------------------------------------ functions
    def sqrt(self, x):
        return x.sqrt()

    def sqrt_nonneg(self, x):
        """``sqrt(max(x, 0))``: the true value is known to be a square (>= 0)."""
        return x.nonnegative_part().sqrt()

    def atan2(self, y, x):
        return self.arb.atan2(y, x)

    def is_positive(self, x) -> bool:
        return bool(x > 0)

    def small_term(self, wedge, num, two_pi, bound):
        b = bound.abs_upper()
        hull = (-b).union(b)
        if not wedge > 0:
            return hull
        val = num / (two_pi * wedge)
        if not val.is_finite():
            return hull
        if not val.overlaps(hull):  # pragma: no cover - both enclose the same number
            return val
        return val.intersection(hull)

    # ------------------------------------------------------- directed bounds
    def upper(self, x) -> float:
        """A float ``>=`` every point of the ball (``inf`` if unbounded)."""
        if not x.is_finite():
            return math.inf
        u = x.upper()
        f = float(u)
        if not self.arb(f) >= u:
            f = math.nextafter(f, math.inf)
        return f

    def lower(self, x) -> float:
        """A float ``<=`` every point of the ball (``-inf`` if unbounded)."""
        if not x.is_finite():
            return -math.inf
        lo = x.lower()
        f = float(lo)
        if not self.arb(f) <= lo:
            f = math.nextafter(f, -math.inf)
        return f


class Interval64Arithmetic(_Backend):
    """Vectorised float64 interval arithmetic (:data:`INTERVAL64`).

    Arrays are :class:`~symbreak.reduced._interval64.IntervalArray` (a
    midpoint and a radius per entry); the model's ``einsum``/``matmul``/``+ − ×
    /`` act on them through numpy's dispatch protocols, so the *same* code of
    :mod:`symbreak.reduced.evaluate` evaluates enclosures of the loss,
    gradient and Hessian over a whole batch of boxes at once.  Every result
    contains the exact value for every point of the input boxes (rounding
    rules in :mod:`symbreak.reduced._interval64`).  The precision is fixed
    (53 bits); use :class:`ArbArithmetic` for tight final certificates.
    """

    name = "interval64"
    is_interval = True

    def __init__(self):
        from . import _interval64 as iv

        self._iv = iv
        self.IntervalArray = iv.IntervalArray

    def number(self, x):
        iv = self._iv
        if isinstance(x, iv.IntervalArray):
            return x
        if isinstance(x, Fraction):
            f = float(x)
            if Fraction(f) == x:
                return iv.IntervalArray(f)
            return iv.from_bounds(math.nextafter(f, -math.inf), math.nextafter(f, math.inf))
        if hasattr(x, "lower") and hasattr(x, "mid"):  # an arb ball
            return self.from_arb(x)
        return iv.IntervalArray(float(x))  # floats and ints below 2^53 are exact

    @staticmethod
    def weights_backend():
        """The back-end in which the layout weights are formed before enclosure (exact balls)."""
        return ArbArithmetic(128)

    def from_arb(self, x):
        """The float interval enclosing an ``arb`` ball (rounded outward; exact stays exact)."""
        if not x.is_finite():
            return self._iv.from_bounds(-math.inf, math.inf)
        lo, hi = float(x.lower()), float(x.upper())
        if x.is_exact() and lo == hi and type(x)(lo) == x:
            return self._iv.IntervalArray(lo)
        return self._iv.from_bounds(math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf))

    def ball(self, lo, hi):
        """The intervals ``[lo, hi]`` (float arrays)."""
        return self._iv.from_bounds(lo, hi)

    def array(self, values):
        iv = self._iv
        if isinstance(values, iv.IntervalArray):
            return values
        arr = np.asarray(values, dtype=object)
        if arr.dtype == object and any(hasattr(x, "lower") for x in arr.reshape(-1)):
            flat = [self.number(x) for x in arr.reshape(-1)]
            mid = np.array([f.mid for f in flat]).reshape(arr.shape)
            rad = np.array([f.rad for f in flat]).reshape(arr.shape)
            return iv.IntervalArray(mid, rad)
        return iv.IntervalArray(np.asarray(values, dtype=float))

    def coerce(self, x):
        return self.array(x)

    def abroadcast(self, *xs):
        return self._iv._broadcast_arrays(*xs)

    def nonzero_mask(self, x):
        return x.nonzero_mask() if isinstance(x, self._iv.IntervalArray) else None

    def zeros(self, shape):
        return self._iv.IntervalArray(np.zeros(shape))

    def _is_zero(self, x) -> bool:
        return bool(np.all(x.mid == 0) and np.all(x.rad == 0))

    def to_float(self, x) -> float:
        return float(x.mid) if isinstance(x, self._iv.IntervalArray) else float(x)

    @property
    def pi(self):
        return self._iv.from_bounds(self._iv.PI_LO, self._iv.PI_HI)

    def asquare(self, x):
        return self._iv.square(self._iv.interval(x))

    def asqrt(self, x):
        return self._iv.sqrt(self._iv.interval(x))

    def asqrt_nonneg(self, x):
        return self._iv.sqrt_nonneg(self._iv.interval(x))

    def aatan2(self, y, x):
        return self._iv.atan2(y, x)

    def apositive(self, x) -> np.ndarray:
        return self._iv.interval(x).lower() > 0

    def akappa_hull(self, kappa, top):
        top = self._iv.interval(top).upper()
        return self._iv.hull_intersect(self._iv.interval(kappa), 0.0, top)

    def asmall_term(self, wedge, num, two_pi, bound):
        iv = self._iv
        bound = iv.interval(bound)
        b = np.maximum(np.abs(bound.lower()), np.abs(bound.upper()))
        pos = iv.interval(wedge).lower() > 0
        val = iv.interval(num) / (two_pi * wedge)
        out = iv.hull_intersect(val, -b, b)
        out.mid[~pos] = 0.0
        out.rad[~pos] = np.broadcast_to(b, out.shape)[~pos]
        return out

    def upper(self, x):
        return self._iv.interval(x).upper()

    def lower(self, x):
        return self._iv.interval(x).lower()


#: the vectorised interval back-end (batched enclosures)
INTERVAL64 = Interval64Arithmetic()


class SymPyArithmetic(_Backend):
    """sympy expressions (exact; symbols allowed in the coordinates and in ``k``).

    Square roots of the sums of squares the model forms (Lagrange's identity)
    are taken as they are; no positivity test is possible on symbols, so zero
    rows are not detected; the ``δ``-terms are ``num/(2π|w∧v|)``.
    """

    name = "sympy"

    def __init__(self):
        import sympy

        self._sp = sympy

    def number(self, x):
        sp = self._sp
        if isinstance(x, Fraction):
            return sp.Rational(x.numerator, x.denominator)
        if isinstance(x, (int, np.integer)):
            return sp.Integer(int(x))
        if isinstance(x, (float, np.floating)):
            return sp.Rational(float(x))  # exact binary fraction
        return sp.sympify(x)

    def _is_zero(self, x) -> bool:
        return x == 0

    def to_float(self, x) -> float:
        return float(self._sp.N(x))

    @property
    def pi(self):
        return self._sp.pi

    def sqrt(self, x):
        return self._sp.sqrt(x)

    def sqrt_nonneg(self, x):
        return self._sp.sqrt(x)

    def atan2(self, y, x):
        return self._sp.atan2(y, x)

    def is_positive(self, x) -> bool:
        return x.is_positive is not False if hasattr(x, "is_positive") else x > 0

    def small_term(self, wedge, num, two_pi, bound):
        if num == 0:
            return 0
        return num / (two_pi * wedge)
