r"""Asymptotic series of a family of symmetric critical points in ``t = k^{-1/2}``.

For a family ``k ↦ c(k)`` (an isotropy spec and a start point at ``k_0``,
followed by :func:`~symbreak.continuation.continuation`) every quantity of interest — the
coordinates ``c_o(k)``, the loss ``L(k)`` and the eigenvalues of every
Hessian block ``A_χ(k)`` — is expanded as

.. math::

    q(k) = \sum_{j=0}^{N} q_j\, t^{p + j} + O(t^{p+N+1}),\qquad t = k^{-1/2},

with ``p = 0`` for coordinates and loss and ``p ∈ {−2, −1, 0}`` for
eigenvalues (some eigenvalues of ``A_χ`` grow like ``k``).

Method (numerical, documented extrapolation)
--------------------------------------------
1. Follow the family in float64 from ``(k_0, c_0)`` to ``k_min``
   (:func:`~symbreak.continuation.continuation`, without events).
2. Solve ``∇L_H = 0`` at ``n`` sample points ``t_i = t_max s_i``,
   ``t_max = k_min^{-1/2}``, ``s_i = (1 + cos((2i+1)π/(2n)))/2`` (Chebyshev
   points of ``[0, 1]``, clustered at ``t = 0``), in ``mpmath`` with
   ``dps + 2 log10 k_max + 10`` digits on the generic compressed model
   (:class:`~symbreak.reduced.generic.GenericReducedSystem`; every weight
   is an exact polynomial in ``k``, so nothing is lost at ``k = 10^9``) with
   the one Newton solver (:func:`symbreak.solve.newton`).  Each solve starts
   from a polynomial extrapolation of the previous solutions.
3. Least-squares fit (Householder QR in ``mpmath``, monomials in ``s``) of
   degree ``D = N + extra_degree`` to ``t^{-p} q(t)``.  For eigenvalues ``p``
   is found first: ``t² λ`` is fitted, its leading coefficients that vanish
   within their error are dropped (``p = −2 +`` their number) and
   ``t^{-p} λ`` is fitted again.
4. Error estimate: a second fit of degree ``D − 2`` to the same data; the
   coefficient error is ``err_j = 2 |q_j^{(D)} − q_j^{(D−2)}|`` plus three
   least-squares standard errors (``σ ((V^T V)^{-1})_{jj}^{1/2}``, ``σ`` from
   the residual) and the data's precision ``10^{-dps}``, all scaled by
   ``t_max^{-j}``.  The coefficients ``q_{N+1}, …, q_D`` of the
   degree-``D`` fit are kept as the *tail*; the error of the truncated series
   at ``k`` is estimated by

   .. math::

       E(k) = \sum_{j≤N} err_j\, t^{p+j} + 2 \sum_{j=N+1}^{D} |q_j|\, t^{p+j}

   (:meth:`PowerSeries.error_bound`).  This is an estimate, not a proof: it
   assumes the expansion is a convergent power series in ``t`` on
   ``[0, t_max]`` (no ``log k`` terms — a logarithm would show up as large,
   fit-dependent errors).

Coefficients consistent with 0 (``|q_j| ≤ err_j``) are reported as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validation import _UNSET, renamed_keyword
from ..continuation import ContinuationOptions
from ..continuation.pseudo_arclength import continue_branch
from ..reduced.arithmetic import MPArithmetic
from ..reduced.generic import GenericReducedSystem
from ..reduced.system import ReducedSystem
from ..representation.isotropy import family_of, group_at
from ..solve import newton
from ..tolerances import Tolerances

__all__ = [
    "SeriesOptions",
    "PowerSeries",
    "BlockSeries",
    "SeriesResult",
    "asymptotic_series",
    "VARIABLE",
]

VARIABLE = "k^(-1/2)"


@dataclass(frozen=True)
class SeriesOptions:
    """Options of :func:`asymptotic_series` (validated at construction).

    Attributes
    ----------
    k_min : float
        Smallest ``k`` of the fit window (``t_max = k_min^{-1/2}``); default 1e4.
    extra_degree : int
        ``D − N``: degree of the fit beyond the reported order (default 8).
    samples : int or None
        Number of high-precision solves (default ``D + 6``).
    dps : int
        Decimal digits kept *after* the cancellations of size ``k²`` (default 40).
    """

    k_min: float = 1e4
    extra_degree: int = 8
    samples: int | None = None
    dps: int = 40

    def __post_init__(self):
        if not (isinstance(self.k_min, (int, float)) and math.isfinite(self.k_min)):
            raise TypeError(f"k_min must be a real number, got {self.k_min!r}")
        if self.k_min < 10:
            raise ValueError(f"k_min must be >= 10 (the series is for large k), got {self.k_min}")
        for name, lo in (("extra_degree", 3), ("dps", 20)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(f"{name} must be an integer, got {v!r}")
            if v < lo:
                raise ValueError(f"{name} must be >= {lo}, got {v}")
        if self.samples is not None and (
            isinstance(self.samples, bool) or not isinstance(self.samples, int)
        ):
            raise TypeError(f"samples must be an integer or None, got {self.samples!r}")


@dataclass(frozen=True)
class PowerSeries:
    r"""``q(k) ≈ Σ_j coefficients[j] · t^(power + j)`` with ``t = k^{-1/2}``.

    Attributes
    ----------
    coefficients : tuple of float
        ``q_0 … q_N``.
    errors : tuple of float
        Estimated absolute error of each coefficient.
    tail : tuple of float
        ``q_{N+1} … q_D`` from the degree-``D`` fit (for the remainder).
    power : int
        Exponent of ``t`` of the first coefficient.
    """

    coefficients: tuple[float, ...]
    errors: tuple[float, ...]
    tail: tuple[float, ...] = ()
    power: int = 0

    def __call__(self, k: float) -> float:
        """The truncated series at ``k``."""
        t = float(k) ** -0.5
        return float(sum(c * t ** (self.power + j) for j, c in enumerate(self.coefficients)))

    def error_bound(self, k: float) -> float:
        """Estimated ``|q(k) − series(k)|`` (see the module docstring)."""
        t = float(k) ** -0.5
        n = len(self.coefficients)
        e = sum(err * t ** (self.power + j) for j, err in enumerate(self.errors))
        e += 2.0 * sum(abs(c) * t ** (self.power + n + j) for j, c in enumerate(self.tail))
        return float(e)


@dataclass(frozen=True)
class BlockSeries:
    """Series of the eigenvalues of one block ``A_χ`` (increasing at large k)."""

    label: str
    dimension: str
    eigenvalues: tuple[PowerSeries, ...]

    def to_json(self) -> dict:
        return {
            "irrep": self.label,
            "dimension": self.dimension,
            "eigenvalues": [list(e.coefficients) for e in self.eigenvalues],
            "powers": [e.power for e in self.eigenvalues],
        }


@dataclass(frozen=True)
class FitInfo:
    """Where and how the series were fitted."""

    k_min: float
    k_max: float
    samples: int
    degree: int
    dps: int

    def to_json(self) -> dict:
        return {
            "k_min": self.k_min,
            "k_max": self.k_max,
            "samples": self.samples,
            "degree": self.degree,
            "dps": self.dps,
        }


@dataclass(frozen=True)
class SeriesResult:
    """Asymptotic series of one family (see :func:`asymptotic_series`).

    Attributes
    ----------
    spec : str
    k0 : float
    start : tuple of float
        The corrected start point at ``k0``.
    order : int
    status : {"ok", "failed"}
    message : str
    names : tuple of str
        Coordinate names.
    coords : tuple of PowerSeries
    loss : PowerSeries or None
    blocks : tuple of BlockSeries
    fit : FitInfo or None
    """

    spec: str
    k0: float
    start: tuple[float, ...]
    order: int
    status: str
    message: str
    names: tuple[str, ...] = ()
    coords: tuple[PowerSeries, ...] = ()
    loss: PowerSeries | None = None
    blocks: tuple[BlockSeries, ...] = ()
    fit: FitInfo | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def all_series(self) -> list[tuple[str, PowerSeries]]:
        out = [(f"coord {n}", s) for n, s in zip(self.names, self.coords)]
        if self.loss is not None:
            out.append(("loss", self.loss))
        for b in self.blocks:
            out += [(f"{b.label} eig {i}", e) for i, e in enumerate(b.eigenvalues)]
        return out

    @property
    def max_coefficient_error(self) -> float:
        """Largest estimated error of any reported coefficient."""
        errs = [e for _, s in self.all_series() for e in s.errors]
        return max(errs) if errs else math.inf

    def to_json(self) -> dict:
        out = {
            "variable": VARIABLE,
            "isotropy": self.spec,
            "k0": self.k0,
            "start": list(self.start),
            "order": self.order,
            "status": self.status,
            "message": self.message,
            "names": list(self.names),
            "coords": [list(s.coefficients) for s in self.coords],
            "loss": list(self.loss.coefficients) if self.loss is not None else [],
            "blocks": [b.to_json() for b in self.blocks],
        }
        out["error"] = {
            "max_coefficient_error": self.max_coefficient_error if self.ok else None,
            "coefficients": {
                "coords": [list(s.errors) for s in self.coords],
                "loss": list(self.loss.errors) if self.loss is not None else [],
                "blocks": [
                    {"irrep": b.label, "eigenvalues": [list(e.errors) for e in b.eigenvalues]}
                    for b in self.blocks
                ],
            },
            "tail": {
                "coords": [list(s.tail) for s in self.coords],
                "loss": list(self.loss.tail) if self.loss is not None else [],
                "blocks": [
                    {"irrep": b.label, "eigenvalues": [list(e.tail) for e in b.eigenvalues]}
                    for b in self.blocks
                ],
            },
            "fit": self.fit.to_json() if self.fit is not None else None,
            "method": (
                "least-squares fits of degree D and D-2 in t = k^(-1/2) to mpmath solves at "
                "Chebyshev points of (0, k_min^(-1/2)]; coefficient error = 2|difference|; "
                "error at k ~ sum err_j t^(p+j) + 2 sum_tail |q_j| t^(p+j)"
            ),
        }
        return out


# ---------------------------------------------------------------------------
def _chebyshev_nodes(n: int) -> list[float]:
    """``s_i = (1 + cos((2i+1)π/(2n)))/2``, decreasing from ~1 to ~0."""
    return [(1.0 + math.cos((2 * i + 1) * math.pi / (2 * n))) / 2.0 for i in range(n)]


def _extrapolate(mp, ts, values, t):
    """Lagrange extrapolation of vectors ``values[i]`` at ``ts[i]`` to ``t``."""
    n = len(ts)
    out = [mp.mpf(0)] * len(values[0])
    for i in range(n):
        w = mp.mpf(1)
        for j in range(n):
            if j != i:
                w *= (t - ts[j]) / (ts[i] - ts[j])
        out = [o + w * v for o, v in zip(out, values[i])]
    return out


def _block_eigenvalues(mp, blocks) -> list[list]:
    out = []
    for b in blocks:
        n = len(b.G)
        G = mp.matrix(b.G)
        B = mp.matrix(b.B)
        L = mp.cholesky(G)
        Li = mp.inverse(L)
        A = Li * B * Li.T
        A = (A + A.T) / 2
        E = mp.eigsy(A, eigvals_only=True)
        out.append(sorted(E[i] for i in range(n)))
    return out


def _fit(mp, s, y, degree: int):
    """Least-squares fit in monomials of ``s`` of degree ``degree``.

    Returns the coefficients and their standard errors
    ``σ sqrt(((V^T V)^{-1})_jj)`` with ``σ² = ‖V c − y‖²/(n − degree − 1)``
    (the residual also absorbs the truncation of the model, so this is
    conservative).
    """
    n = len(s)
    V = mp.matrix(n, degree + 1)
    for i in range(n):
        x = mp.mpf(1)
        for j in range(degree + 1):
            V[i, j] = x
            x *= s[i]
    b = mp.matrix([[v] for v in y])
    coef, res = mp.qr_solve(V, b)
    _Q, R = mp.qr(V, mode="skinny")
    Ri = mp.inverse(R[: degree + 1, : degree + 1])
    sigma = res / mp.sqrt(max(1, n - degree - 1))
    std = [
        sigma * mp.sqrt(sum(Ri[j, m] ** 2 for m in range(degree + 1))) for j in range(degree + 1)
    ]
    return [coef[j] for j in range(degree + 1)], std


def _series_from_samples(mp, s, t_max, y, *, order, degree, noise, strip_max=0):
    """Fit ``y(s)`` (values at ``s_i``) and return a :class:`PowerSeries`.

    ``strip_max`` leading coefficients may be dropped when they vanish within
    their error (eigenvalues: ``y = t² λ`` and ``power = −2 + stripped``).
    """
    hi, std = _fit(mp, s, y, degree)
    lo, _ = _fit(mp, s, y, degree - 2)
    scale = [mp.mpf(t_max) ** (-j) for j in range(degree + 1)]
    ymax = max(1, max(abs(v) for v in y))
    c_hi = [hi[j] * scale[j] for j in range(degree + 1)]
    c_lo = [lo[j] * scale[j] for j in range(degree - 1)] + [mp.mpf(0), mp.mpf(0)]
    # in the s-basis: 2|fit difference| + 3 standard errors + the data's precision
    err = [
        2 * abs(c_hi[j] - c_lo[j]) + (3 * std[j] + noise * ymax) * scale[j]
        for j in range(degree + 1)
    ]
    start = 0
    while start < strip_max and abs(c_hi[start]) <= max(err[start], noise):
        start += 1
    if start > 0:
        # refit y / t^start: the leading coefficients are then fitted directly
        y = [v / (si * t_max) ** start for v, si in zip(y, s)]
        refit = _series_from_samples(mp, s, t_max, y, order=order, degree=degree, noise=noise)
        return PowerSeries(
            coefficients=refit.coefficients,
            errors=refit.errors,
            tail=refit.tail,
            power=start - strip_max,
        )
    n_rep = order + 1
    coeffs, errs = [], []
    for j in range(n_rep):
        c, e = c_hi[j], err[j]
        coeffs.append(0.0 if abs(c) <= e else float(c))
        errs.append(float(e))
    tail = tuple(float(c) for c in c_hi[n_rep:])
    return PowerSeries(coefficients=tuple(coeffs), errors=tuple(errs), tail=tail, power=-strip_max)


def asymptotic_series(
    spec,
    start,
    *,
    k0: float | None = None,
    order: int,
    extra_dims: float | None = None,
    extra_columns=_UNSET,
    options: SeriesOptions | None = None,
) -> SeriesResult:
    r"""Series in ``t = k^{-1/2}`` of a family's coordinates, loss and block eigenvalues.

    Parameters
    ----------
    spec : str or IsotropyGroup
        Isotropy spec with blocks in terms of ``k`` (``"k"``, ``"k-1,1"``, …),
        or a group of such a spec (its ``k`` and ``d − k`` are the defaults of
        ``k0`` and ``extra_dims``).
    start : array_like
        A point of (or near) the family at ``k0``.
    k0 : float, optional
        Where ``start`` lives (required with a spec string).
    order : int
        Highest power ``N`` reported (relative to the leading power).
    extra_dims : float
        ``d − k`` (default 0); ``extra_columns=`` is its deprecated spelling.
    options : SeriesOptions, optional

    Returns
    -------
    SeriesResult
        ``status == "failed"`` (with a message) when the family cannot be
        followed to ``k_min`` or a high-precision solve fails; never raises
        for numerical trouble.

    Examples
    --------
    >>> from symbreak.analytic import asymptotic_series, SeriesOptions
    >>> r = asymptotic_series("k", [1.0, 0.0], k0=6, order=2,
    ...                       options=SeriesOptions(extra_degree=4))
    >>> r.coords[0].coefficients, r.loss.coefficients
    ((1.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    """
    extra_dims = renamed_keyword("extra_columns", extra_columns, "extra_dims", extra_dims, None)
    opts = SeriesOptions() if options is None else options
    if not isinstance(opts, SeriesOptions):
        raise TypeError(f"options must be a SeriesOptions, got {type(opts).__name__}")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise TypeError(f"order must be an integer, got {order!r}")
    order = int(order)
    if not 0 <= order <= 30:
        raise ValueError(f"order must be between 0 and 30, got {order}")
    spec, k0, extra_dims = family_of(spec, k0, extra_dims)
    group0 = group_at(spec, k0, extra_dims=extra_dims)  # validates spec and k0
    if all(not f.expr.free_symbols for f in group0.factors):
        raise ValueError(f"spec {spec!r} has no block depending on k; write it as e.g. 'k-1,1'")
    system0 = ReducedSystem(group0)
    c0 = system0.space.check_coords(start)
    names = system0.space.names
    degree = order + opts.extra_degree
    n = opts.samples if opts.samples is not None else degree + 6
    if n < degree + 3:
        raise ValueError(f"samples must be >= order + extra_degree + 3 = {degree + 3}, got {n}")

    def failed(msg, start_c=c0):
        return SeriesResult(
            spec=spec,
            k0=k0,
            start=tuple(float(x) for x in start_c),
            order=order,
            status="failed",
            message=msg,
            names=names,
        )

    s_nodes = _chebyshev_nodes(n)
    t_max = opts.k_min**-0.5
    ks = [(t_max * s) ** -2 for s in s_nodes]
    if ks[0] == k0:
        polished = newton(group0, c0)
        if not polished.converged:
            return failed(f"Newton at k0 = {k0:g} failed: {polished.message}")
        first = guess0 = polished.x
    else:
        branch = continue_branch(
            spec,
            c0,
            k0=k0,
            k1=ks[0],
            extra_dims=extra_dims,
            options=ContinuationOptions(detect_events=False),
        )
        if not branch.status.success:
            return failed(
                f"could not follow the family from k = {k0:g} to {ks[0]:.6g}: {branch.message}"
            )
        first, guess0 = branch.points[0].coords, branch.points[-1].coords
    dps_total = opts.dps + 2 * int(math.ceil(math.log10(ks[-1]))) + 10
    arith = MPArithmetic(dps_total)
    import mpmath as mp

    tol = 10.0 ** (-(opts.dps - 5))
    tolerances = Tolerances(gradient=tol, step=tol)
    sols, ts, losses, eigs = [], [], [], None
    comps = None
    with arith:
        for i, k in enumerate(ks):
            g = group_at(spec, k, extra_dims=extra_dims)
            gsys = GenericReducedSystem(g, arith, k=_exact(mp, k))
            t = mp.mpf(k) ** mp.mpf(-0.5)
            if i == 0:
                guess = list(guess0)
            else:
                m = min(i, 6)
                guess = _extrapolate(mp, ts[-m:], sols[-m:], t)
            solved = newton(gsys, np.array(guess, dtype=object), tolerances=tolerances)
            if not solved.converged:
                return failed(
                    f"high-precision Newton failed at k = {k:.6g} ({solved.message}); "
                    "try a larger k_min or a smaller order"
                )
            c = list(solved.x)
            if comps is None:
                comps = [cp for cp in gsys.components() if cp.multiplicity > 0]
                eigs = [[] for _ in comps]
            blocks = gsys.blocks(c, components=comps)
            for j, ev in enumerate(_block_eigenvalues(mp, blocks)):
                eigs[j].append(ev)
            sols.append(c)
            ts.append(t)
            losses.append(gsys.loss(c))
        s_mp = [t / mp.mpf(t_max) for t in ts]
        noise = mp.mpf(10) ** (-opts.dps)
        coord_series = []
        for o in range(len(names)):
            y = [sol[o] for sol in sols]
            coord_series.append(
                _series_from_samples(mp, s_mp, t_max, y, order=order, degree=degree, noise=noise)
            )
        loss_series = _series_from_samples(
            mp, s_mp, t_max, losses, order=order, degree=degree, noise=noise
        )
        block_series = []
        for comp, ev in zip(comps, eigs):
            per = []
            for idx in range(len(ev[0])):
                y = [ts[i] ** 2 * ev[i][idx] for i in range(len(ts))]
                per.append(
                    _series_from_samples(
                        mp, s_mp, t_max, y, order=order, degree=degree, noise=noise, strip_max=2
                    )
                )
            block_series.append(
                BlockSeries(
                    label=comp.label, dimension=str(comp.dimension_expr), eigenvalues=tuple(per)
                )
            )
    return SeriesResult(
        spec=spec,
        k0=k0,
        start=tuple(float(x) for x in first),
        order=order,
        status="ok",
        message="",
        names=names,
        coords=tuple(coord_series),
        loss=loss_series,
        blocks=tuple(block_series),
        fit=FitInfo(k_min=opts.k_min, k_max=ks[-1], samples=n, degree=degree, dps=dps_total),
    )


def _exact(mp, k: float):
    """``k`` as an exact mpf (floats are dyadic)."""
    return mp.mpf(k)
