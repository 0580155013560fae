r"""Vectorised float64 interval arrays (midpoint–radius), for the interval back-end.

An :class:`IntervalArray` holds two float64 arrays of one shape, ``mid`` and
``rad ≥ 0``: the entry ``i`` stands for the real interval
``[mid_i − rad_i, mid_i + rad_i]``.  Every operation returns an array whose
intervals contain the exact result of the operation applied to *any* real
numbers of the input intervals (Rump's midpoint–radius arithmetic, INTLAB).
numpy computes in round-to-nearest, so each rule adds a bound of its own
rounding errors to the radius (``u = 2^{-53}`` the unit roundoff, ``η`` a bound
on underflow):

* ``a ± b``: ``mid = fl(a ± b)``, ``rad = (r_a + r_b)(1 + 4u) + 2u|mid| + η``;
* ``a · b``: ``mid = fl(m_a m_b)``,
  ``rad = (|m_a| r_b + r_a|m_b| + r_a r_b)(1 + 8u) + 2u|mid| + η``;
* sums of products (``einsum``, ``matmul``, ``sum``, ``add.at``) of ``m``
  factors with ``n`` terms per output: with ``A_i = |m_i| + r_i``,
  ``rad = fl(Σ∏A) − fl(Σ∏|m|) + 4(n + m + 2)u·fl(Σ∏A)``, all times ``(1 + 4u)``,
  plus ``η`` (the classical bound ``|fl(Σ) − Σ| ≤ γ_{n+m} Σ|·|``, applied to
  the three sums);
* ``1/b`` (``0 ∉ b``), ``√b``, ``b²``: computed on the endpoints (monotone),
  each endpoint rounded outward by ``np.nextafter`` (IEEE ``/`` and ``√`` are
  correctly rounded, so one step suffices);
* ``atan2(y, x)`` for ``y ≥ 0`` (the angles of the model): over a box not
  containing the origin the range is attained at its corners (the angle of a
  convex set that misses the origin is extreme at an extreme point); the
  corner values of ``np.arctan2`` are widened by ``2^{-49}`` relatively (glibc
  documents ``atan2`` to within 2 ulp) and clipped to ``[0, π]``; a box that
  contains the origin gives ``[0, π]``;
* ``π``: ``[fl(π), nextafter(fl(π), ∞)]`` (``fl(π) < π``).

A midpoint or radius that is not finite is replaced by the whole line
(``mid = 0``, ``rad = ∞``): comparisons then decide nothing, so an overflow can
never exclude anything.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["IntervalArray", "interval", "from_bounds"]

U = 2.0**-53
ETA = 1e-300  # >> every underflow error of the few thousand operations of one result
_INF = math.inf
PI_LO = math.pi  # fl(π) < π
PI_HI = math.nextafter(math.pi, math.inf)
_ATAN_REL = 2.0**-49


def _clean(mid, rad):
    """The whole line where ``mid`` or ``rad`` is not finite."""
    mid = np.asarray(mid, dtype=float)
    rad = np.asarray(rad, dtype=float)
    bad = ~(np.isfinite(mid) & np.isfinite(rad))
    if np.any(bad):
        mid = np.where(bad, 0.0, mid)
        rad = np.where(bad, _INF, rad)
    return mid, rad


def from_bounds(lo, hi) -> IntervalArray:
    """The intervals ``[lo, hi]`` (float arrays, ``lo ≤ hi``; ``±inf`` allowed)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = 0.5 * lo + 0.5 * hi
        r = np.maximum(hi - mid, mid - lo)
        rad = np.nextafter(r * (1 + 2 * U), _INF) + ETA
    return IntervalArray(mid, rad, _checked=False)


def interval(x) -> IntervalArray:
    """``x`` as an interval array: an :class:`IntervalArray` as it is; numbers exactly."""
    if isinstance(x, IntervalArray):
        return x
    if isinstance(x, np.ndarray) and x.dtype == object:
        raise TypeError("object arrays cannot be converted to float intervals")
    return IntervalArray(np.asarray(x, dtype=float), None)


def _parts(x):
    """``(mid, rad)`` of an interval array or an exact float array (``rad`` None)."""
    if isinstance(x, IntervalArray):
        return x.mid, x.rad
    return np.asarray(x, dtype=float), None


class IntervalArray:
    """An array of real intervals ``[mid − rad, mid + rad]`` (see the module docstring).

    Parameters
    ----------
    mid : array_like
    rad : array_like or None
        ``None``: exact (radius 0).
    """

    __array_priority__ = 1000

    def __init__(self, mid, rad=None, *, _checked=True):
        mid = np.asarray(mid, dtype=float)
        if rad is None:
            rad = np.zeros(mid.shape)
        else:
            rad = np.broadcast_to(np.asarray(rad, dtype=float), mid.shape)
            if _checked and np.any(rad < 0):
                raise ValueError("interval radii must be >= 0")
        self.mid, self.rad = _clean(mid, rad)
        if self.rad.base is not None or not self.rad.flags.writeable:
            self.rad = np.array(self.rad)

    # ------------------------------------------------------------ basics
    @property
    def shape(self):
        return self.mid.shape

    @property
    def ndim(self):
        return self.mid.ndim

    @property
    def size(self):
        return self.mid.size

    @property
    def dtype(self):  # not float: code that tests for object arrays treats us as numbers
        return np.dtype(object)

    def __len__(self):
        return len(self.mid)

    def __repr__(self):
        return f"IntervalArray(lo={self.lower()!r}, hi={self.upper()!r})"

    def lower(self) -> np.ndarray:
        """Float lower bounds (rounded down)."""
        with np.errstate(invalid="ignore"):
            return np.nextafter(self.mid - self.rad, -_INF)

    def upper(self) -> np.ndarray:
        """Float upper bounds (rounded up)."""
        with np.errstate(invalid="ignore"):
            return np.nextafter(self.mid + self.rad, _INF)

    def nonzero_mask(self) -> np.ndarray:
        """Entries that are not exactly the number 0."""
        return ~((self.mid == 0) & (self.rad == 0))

    def copy(self):
        return IntervalArray(self.mid.copy(), self.rad.copy(), _checked=False)

    def __getitem__(self, idx):
        return IntervalArray(self.mid[idx], self.rad[idx], _checked=False)

    def __setitem__(self, idx, value):
        m, r = _parts(value)
        self.mid[idx] = m
        self.rad[idx] = 0.0 if r is None else r

    def reshape(self, *shape):
        return IntervalArray(self.mid.reshape(*shape), self.rad.reshape(*shape), _checked=False)

    def transpose(self, *axes):
        return IntervalArray(self.mid.transpose(*axes), self.rad.transpose(*axes), _checked=False)

    @property
    def T(self):
        return self.transpose()

    def ravel(self):
        return self.reshape(-1)

    def sum(self, axis=None):
        return _einsum_axis_sum(self, axis)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return _add(self, other, 1.0)

    def __radd__(self, other):
        return _add(other, self, 1.0)

    def __sub__(self, other):
        return _add(self, other, -1.0)

    def __rsub__(self, other):
        return _add(other, self, -1.0)

    def __neg__(self):
        return IntervalArray(-self.mid, self.rad, _checked=False)

    def __pos__(self):
        return self

    def __mul__(self, other):
        return _mul(self, other)

    def __rmul__(self, other):
        return _mul(other, self)

    def __truediv__(self, other):
        return _mul(self, reciprocal(interval(other)))

    def __rtruediv__(self, other):
        return _mul(other, reciprocal(self))

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    # ------------------------------------------------------------ numpy protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if kwargs.get("out") is not None:
            return NotImplemented
        if method == "__call__":
            if ufunc is np.add:
                return _add(inputs[0], inputs[1], 1.0)
            if ufunc is np.subtract:
                return _add(inputs[0], inputs[1], -1.0)
            if ufunc is np.multiply:
                return _mul(inputs[0], inputs[1])
            if ufunc is np.true_divide:
                return _mul(inputs[0], reciprocal(interval(inputs[1])))
            if ufunc is np.negative:
                return -interval(inputs[0])
            if ufunc is np.matmul:
                return matmul(inputs[0], inputs[1])
        if method == "at" and ufunc is np.add:
            _add_at(*inputs)
            return None
        return NotImplemented

    def __array_function__(self, func, types, args, kwargs):
        impl = _FUNCTIONS.get(func)
        if impl is None:
            return NotImplemented
        return impl(*args, **kwargs)


# ---------------------------------------------------------------------------
def _add(a, b, sign):
    ma, ra = _parts(a)
    mb, rb = _parts(b)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = ma + sign * mb
        if ra is None and rb is None:
            rsum = 0.0
        elif ra is None:
            rsum = rb
        elif rb is None:
            rsum = ra
        else:
            rsum = ra + rb
        rad = rsum * (1 + 4 * U) + 2 * U * np.abs(mid) + ETA
    return IntervalArray(mid, np.broadcast_to(rad, np.shape(mid)), _checked=False)


def _mul(a, b):
    ma, ra = _parts(a)
    mb, rb = _parts(b)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = ma * mb
        if ra is None and rb is None:
            r = 0.0
        elif ra is None:
            r = np.abs(ma) * rb
        elif rb is None:
            r = ra * np.abs(mb)
        else:
            r = np.abs(ma) * rb + ra * np.abs(mb) + ra * rb
        rad = r * (1 + 8 * U) + 2 * U * np.abs(mid) + ETA
    return IntervalArray(mid, np.broadcast_to(rad, np.shape(mid)), _checked=False)


def reciprocal(b: IntervalArray) -> IntervalArray:
    """``1/b``; the whole line where ``b`` may contain 0."""
    lo, hi = b.lower(), b.upper()
    ok = (lo > 0) | (hi < 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rlo = np.nextafter(1.0 / np.where(ok, hi, 1.0), -_INF)
        rhi = np.nextafter(1.0 / np.where(ok, lo, 1.0), _INF)
    out = from_bounds(rlo, rhi)
    out.mid[~ok] = 0.0
    out.rad[~ok] = _INF
    return out


def square(x: IntervalArray) -> IntervalArray:
    """``{t² : t ∈ x}`` (tight; never negative)."""
    lo, hi = x.lower(), x.upper()
    with np.errstate(over="ignore", invalid="ignore"):
        a, b = lo * lo, hi * hi
        top = np.nextafter(np.maximum(a, b), _INF)
        bot = np.where((lo <= 0) & (hi >= 0), 0.0, np.nextafter(np.minimum(a, b), -_INF))
    return from_bounds(np.maximum(bot, 0.0), top)


def sqrt_nonneg(x: IntervalArray) -> IntervalArray:
    """``√max(t, 0)`` over ``t ∈ x`` (the true value is known to be ``≥ 0``)."""
    lo, hi = np.maximum(x.lower(), 0.0), np.maximum(x.upper(), 0.0)
    with np.errstate(invalid="ignore"):
        return from_bounds(
            np.maximum(np.nextafter(np.sqrt(lo), -_INF), 0.0), np.nextafter(np.sqrt(hi), _INF)
        )


def sqrt(x: IntervalArray) -> IntervalArray:
    """``√t`` over ``t ∈ x``; the whole line where ``x`` may contain negative numbers."""
    out = sqrt_nonneg(x)
    bad = x.lower() < 0
    out.mid[bad] = 0.0
    out.rad[bad] = _INF
    return out


def atan2(y: IntervalArray, x: IntervalArray) -> IntervalArray:
    """``atan2(y, x)`` for ``y ≥ 0`` (the true ``y`` is known to be non-negative)."""
    y, x = np.broadcast_arrays(interval(y), interval(x))
    ylo, yhi = np.maximum(y.lower(), 0.0), np.maximum(y.upper(), 0.0)
    xlo, xhi = x.lower(), x.upper()
    with np.errstate(invalid="ignore"):
        c = np.stack(
            [np.arctan2(ylo, xlo), np.arctan2(ylo, xhi), np.arctan2(yhi, xlo), np.arctan2(yhi, xhi)]
        )
        lo = np.min(c, axis=0)
        hi = np.max(c, axis=0)
    lo = np.maximum(lo - _ATAN_REL * np.abs(lo) - ETA, 0.0)
    hi = np.minimum(hi + _ATAN_REL * np.abs(hi) + ETA, PI_HI)
    origin = (ylo <= 0) & (xlo <= 0) & (xhi >= 0)
    bad = origin | ~(np.isfinite(lo) & np.isfinite(hi))
    lo = np.where(bad, 0.0, lo)
    hi = np.where(bad, PI_HI, hi)
    return from_bounds(lo, hi)


def hull_intersect(x: IntervalArray, lo, hi) -> IntervalArray:
    """``x ∩ [lo, hi]`` where they overlap, else ``[lo, hi]`` (both enclose the value)."""
    xl, xh = x.lower(), x.upper()
    lo = np.broadcast_to(lo, xl.shape)
    hi = np.broadcast_to(hi, xl.shape)
    nl, nh = np.maximum(xl, lo), np.minimum(xh, hi)
    empty = nl > nh
    return from_bounds(np.where(empty, lo, nl), np.where(empty, hi, nh))


# ---------------------------------------------------------------------------
# sums of products
def einsum(subscripts, *operands, **kwargs):
    """``np.einsum`` over interval (and exact float) operands, enclosing every exact sum."""
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"unsupported einsum arguments {sorted(kwargs)}")
    parts = [_parts(x) for x in operands]
    mids = [m for m, _r in parts]
    absm = [np.abs(m) for m in mids]
    A = [a if r is None else a + r for a, (_m, r) in zip(absm, parts)]
    with np.errstate(invalid="ignore", over="ignore"):
        mid = np.einsum(subscripts, *mids, optimize=True)
        if all(r is None for _m, r in parts):
            eA = np.einsum(subscripts, *absm, optimize=True)
            spread = 0.0
        else:
            eA = np.einsum(subscripts, *A, optimize=True)
            spread = eA - np.einsum(subscripts, *absm, optimize=True)
        n = _terms(subscripts, operands)
        m = len(operands)
        rad = (spread + 4 * (n + m + 2) * U * eA) * (1 + 4 * U) + ETA
    return IntervalArray(mid, np.broadcast_to(rad, np.shape(mid)), _checked=False)


def _terms(subscripts, operands) -> int:
    """Number of terms in each output sum of ``einsum`` (product of the contracted sizes)."""
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        ins, out = spec.split("->")
    else:
        ins, out = spec, None
    sizes: dict[str, int] = {}
    for term, x in zip(ins.split(","), operands):
        shape = np.shape(x)
        if "..." in term:
            head, tail = term.split("...")
            for ch, s in zip(head, shape[: len(head)]):
                sizes[ch] = max(sizes.get(ch, 1), s)
            for ch, s in zip(tail, shape[len(shape) - len(tail) :] if tail else ()):
                sizes[ch] = max(sizes.get(ch, 1), s)
        else:
            for ch, s in zip(term, shape):
                sizes[ch] = max(sizes.get(ch, 1), s)
    if out is None:
        letters = [c for c in ins.replace(",", "").replace(".", "")]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    n = 1
    for ch, s in sizes.items():
        if ch not in out:
            n *= s
    return n


def matmul(a, b):
    """``a @ b`` (numpy's rules for 1-d and stacked operands)."""
    na, nb = np.ndim(_parts(a)[0]), np.ndim(_parts(b)[0])
    if na == 1 and nb == 1:
        return einsum("i,i->", a, b)
    if na == 1:
        return einsum("j,...jk->...k", a, b)
    if nb == 1:
        return einsum("...ij,j->...i", a, b)
    return einsum("...ij,...jk->...ik", a, b)


def _einsum_axis_sum(x: IntervalArray, axis):
    if axis is None:
        return einsum("...->", x.reshape(-1))
    axis = axis % x.ndim
    letters = "abcdefghijklmnopqrstuvwxyz"[: x.ndim]
    out = letters[:axis] + letters[axis + 1 :]
    return einsum(f"{letters}->{out}", x)


def _add_at(target, idx, values):
    """``np.add.at`` on an interval array (in place), with the rounding of the sums."""
    if not isinstance(target, IntervalArray):
        raise TypeError("np.add.at into a float array of interval values")
    m, r = _parts(values)
    m = np.broadcast_to(m, target.mid[idx].shape)
    S = np.abs(target.mid)
    count = np.zeros(target.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        np.add.at(S, idx, np.abs(m))
        np.add.at(count, idx, 1.0)
        np.add.at(target.mid, idx, m)
        if r is not None:
            np.add.at(target.rad, idx, np.broadcast_to(r, m.shape))
        target.rad[...] = (target.rad * (1 + 2 * (count + 2) * U) + 2 * (count + 2) * U * S) * (
            1 + 4 * U
        ) + ETA
    target.mid, target.rad = _clean(target.mid, target.rad)


def _concatenate(arrays, axis=0, **kwargs):
    parts = [_parts(a) for a in arrays]
    mid = np.concatenate([m for m, _r in parts], axis=axis)
    rad = np.concatenate([np.zeros(np.shape(m)) if r is None else r for m, r in parts], axis=axis)
    return IntervalArray(mid, rad, _checked=False)


def _broadcast_arrays(*arrays, **kwargs):
    xs = [interval(a) for a in arrays]
    shape = np.broadcast_shapes(*(x.shape for x in xs))
    return [_broadcast_to(x, shape) for x in xs]


def _broadcast_to(x, shape, **kwargs):
    x = interval(x)
    return IntervalArray(
        np.array(np.broadcast_to(x.mid, shape)),
        np.array(np.broadcast_to(x.rad, shape)),
        _checked=False,
    )


def _swapaxes(x, a, b):
    x = interval(x)
    return IntervalArray(np.swapaxes(x.mid, a, b), np.swapaxes(x.rad, a, b), _checked=False)


def _shape(x):
    return x.shape


def _ndim(x):
    return x.ndim


_FUNCTIONS = {
    np.einsum: einsum,
    np.matmul: matmul,
    np.concatenate: _concatenate,
    np.broadcast_arrays: _broadcast_arrays,
    np.broadcast_to: _broadcast_to,
    np.swapaxes: _swapaxes,
    np.shape: _shape,
    np.ndim: _ndim,
    np.transpose: lambda x, axes=None: x.transpose(*(axes or ())),
    np.reshape: lambda x, shape, **kw: x.reshape(shape),
    np.sum: lambda x, axis=None, **kw: x.sum(axis),
}
