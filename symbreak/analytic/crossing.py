r"""A certified interval of ``k`` in which a block eigenvalue of a family crosses zero.

Along a family ``k ↦ x(k)`` of symmetric critical points the smallest
eigenvalue ``λ_χ(k)`` of a block ``A_χ`` crosses 0 where the point changes
index (a saddle turning into a spurious minimum, or a symmetry-breaking
bifurcation with irrep ``χ``).  :func:`eigenvalue_crossing` returns
``[k_lo, k_hi]`` and proves that ``λ_χ`` vanishes somewhere in it:

1. **One branch over the whole interval.**  The Krawczyk test is run with
   ``k`` itself an interval ``K = [k_lo, k_hi]`` (every weight of the
   compressed model is a polynomial in ``k``, evaluated in ball arithmetic):

   .. math::

       K(X, K) = x̃ − Y F(x̃, K) + (I − Y J(X, K))(X − x̃) ⊂ \operatorname{int} X

   proves that for every ``k ∈ K`` there is exactly one zero ``x(k) ∈ X``, and
   (every ``J ∈ J(X, K)`` being invertible) that ``k ↦ x(k)`` is continuous
   (implicit function theorem).
2. **Signs at the ends.**  At ``k_lo`` and ``k_hi`` separately,
   :func:`~symbreak.certify.certificate.certify_critical_point` proves a zero
   in a small box; the box lies inside ``X``, so by uniqueness it is
   ``x(k_lo)`` (resp. ``x(k_hi)``).  The smallest eigenvalue of ``A_χ`` is
   certified positive at one end and negative at the other.
3. By continuity of ``k ↦ A_χ(x(k), k)`` and of its smallest eigenvalue, that
   eigenvalue vanishes in ``(k_lo, k_hi)``.

The float64 root ``k*`` of ``λ_χ`` (Brent's method along the continued
family) centres the interval; its half-width starts at ``rel_width · k*`` and
grows by factors of 10 until the three steps succeed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from .._validation import _UNSET, renamed_keyword
from ..certify._interval import krawczyk_contains, mid_matrix
from ..certify.certificate import _box_scaling, certify_critical_point
from ..continuation import ContinuationOptions
from ..continuation.pseudo_arclength import branch_point_at, continue_branch
from ..errors import DomainError
from ..reduced.arithmetic import ArbArithmetic
from ..reduced.generic import GenericReducedSystem
from ..reduced.system import ReducedSystem
from ..representation.isotropy import family_of, group_at
from ..spectrum import hessian_blocks

__all__ = ["CrossingInterval", "eigenvalue_crossing"]


@dataclass(frozen=True)
class CrossingInterval:
    """Result of :func:`eigenvalue_crossing`.

    Attributes
    ----------
    spec : str
    irrep : str
        The block ``A_χ`` whose smallest eigenvalue crosses 0.
    certified : bool
        True when the crossing is proven to lie in ``[k_lo, k_hi]``.
    k_lo, k_hi : float
        The interval (``nan`` when nothing was found).
    k_estimate : float
        Float64 root of the smallest eigenvalue.
    at_lo, at_hi : (float, float) or None
        Certified enclosures of the smallest eigenvalue of the block at
        ``k_lo`` and ``k_hi``.
    direction : str
        ``"positive to negative"`` or ``"negative to positive"`` as k increases.
    box_radius : float or None
        Half-width of the box holding the branch over ``[k_lo, k_hi]``.
    message : str
    """

    spec: str
    irrep: str
    certified: bool
    k_lo: float
    k_hi: float
    k_estimate: float
    at_lo: tuple[float, float] | None = None
    at_hi: tuple[float, float] | None = None
    direction: str = ""
    box_radius: float | None = None
    message: str = ""

    def to_json(self) -> dict:
        return {
            "isotropy": self.spec,
            "irrep": self.irrep,
            "certified": self.certified,
            "k_lo": self.k_lo,
            "k_hi": self.k_hi,
            "k_estimate": self.k_estimate,
            "at_lo": list(self.at_lo) if self.at_lo else None,
            "at_hi": list(self.at_hi) if self.at_hi else None,
            "direction": self.direction,
            "box_radius": self.box_radius,
            "message": self.message,
        }


class _Family:
    """Float64 points of the family over ``[a, b]``: the branches of :func:`continuation`.

    The family is continued from ``k0`` to the end(s) of ``[a, b]`` (both ends
    when ``k0`` lies inside); a point at any ``k`` of the bracket is the
    branch's Newton-corrected point there (:func:`branch_point_at`).
    """

    def __init__(self, spec, start, k0, extra_dims, a, b):
        self.spec, self.extra = spec, extra_dims
        targets = [b] if k0 <= a else [a] if k0 >= b else [a, b]
        self.branches = []
        for k1 in targets:
            if k1 == k0:
                continue
            branch = continue_branch(
                spec,
                start,
                k0=k0,
                k1=k1,
                extra_dims=extra_dims,
                options=ContinuationOptions(detect_events=False),
            )
            if not branch.status.success:
                raise _Fail(f"cannot follow the family to k = {k1:.10g}: {branch.message}")
            self.branches.append(branch)

    def at(self, k: float) -> np.ndarray:
        for branch in self.branches:
            ks = branch.k
            if ks.min() <= k <= ks.max():
                try:
                    return branch_point_at(branch, k)
                except DomainError as exc:
                    raise _Fail(f"no point of the family at k = {k:.10g}: {exc}") from None
        raise _Fail(f"k = {k:.10g} is outside the followed family")

    def smallest(self, k: float) -> dict[str, float]:
        c = self.at(k)
        g = group_at(self.spec, k, extra_dims=self.extra)
        return {b.label: float(b.eigenvalues[0]) for b in hessian_blocks(g, c) if b.dimension != 0}


class _Fail(Exception):
    """Internal: a step of the certification could not be completed."""


def eigenvalue_crossing(
    spec,
    start,
    *,
    k0: float | None = None,
    k_bracket: tuple[float, float],
    irrep: str | None = None,
    extra_dims: float | None = None,
    extra_columns=_UNSET,
    rel_width: float = 1e-7,
    prec: int = 128,
    max_radius: float = 1e-3,
) -> CrossingInterval:
    r"""Certified ``[k_lo, k_hi] ⊂ k_bracket`` where a block eigenvalue of a family crosses 0.

    Parameters
    ----------
    spec : str or IsotropyGroup
        Isotropy spec in terms of ``k`` (e.g. ``"k-1,1"``), or a group of such
        a spec (its ``k`` and ``d − k`` are the defaults of ``k0`` and
        ``extra_dims``).
    start : array_like
        A point of the family at ``k0``.
    k0 : float, optional
        Where ``start`` lives (required with a spec string).
    k_bracket : (float, float)
        Search interval; the block's smallest eigenvalue must have opposite
        signs (in float64) at its ends.
    irrep : str, optional
        Label of the block (e.g. ``"[k-2,1] x [1]"``); by default the unique
        block whose smallest eigenvalue changes sign on ``k_bracket``.
    extra_dims : float
        ``d − k`` (default 0); ``extra_columns=`` is its deprecated spelling.
    rel_width : float
        First half-width of the interval, relative to ``k*``.
    prec : int
        Bits of the ball arithmetic.
    max_radius : float
        Largest box half-width tried for the branch over ``[k_lo, k_hi]``.

    Returns
    -------
    CrossingInterval
        ``certified=False`` with a message when any step fails (never raises
        for numerical trouble).

    Examples
    --------
    >>> from symbreak.analytic import eigenvalue_crossing
    >>> x6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
    >>> r = eigenvalue_crossing("k-1,1", x6, k0=6, k_bracket=(5, 6))
    >>> r.certified, r.irrep, 5.58 < r.k_lo < r.k_hi < 5.59
    (True, '[k-2,1] x [1]', True)
    """
    extra_dims = renamed_keyword("extra_columns", extra_columns, "extra_dims", extra_dims, None)
    spec, k0, extra_dims = family_of(spec, k0, extra_dims)
    a, b = (float(v) for v in k_bracket)
    if not (math.isfinite(a) and math.isfinite(b) and 0 < a < b):
        raise ValueError(f"k_bracket must be (a, b) with 0 < a < b, got {k_bracket!r}")
    if not (isinstance(rel_width, (int, float)) and 0 < rel_width < 0.5):
        raise ValueError(f"rel_width must be in (0, 0.5), got {rel_width!r}")
    group_at(spec, a, extra_dims=extra_dims)  # validates spec and the bracket
    group_at(spec, b, extra_dims=extra_dims)
    nan = math.nan

    def fail(msg, label="", kstar=nan):
        return CrossingInterval(spec, label, False, nan, nan, kstar, message=msg)

    try:
        fam = _Family(spec, start, float(k0), extra_dims, a, b)
        la, lb = fam.smallest(a), fam.smallest(b)
    except _Fail as exc:
        return fail(str(exc))
    if irrep is None:
        changing = [lab for lab in la if lab in lb and la[lab] * lb[lab] < 0]
        if len(changing) != 1:
            what = "no block's" if not changing else f"several blocks' ({', '.join(changing)})"
            return fail(
                f"{what} smallest eigenvalue changes sign on [{a:g}, {b:g}]; "
                "choose another bracket or give the irrep"
            )
        irrep = changing[0]
    elif irrep not in la:
        return fail(f"no block {irrep!r}; blocks are {', '.join(la)}", irrep)
    elif la[irrep] * lb[irrep] >= 0:
        return fail(
            f"the smallest eigenvalue of {irrep} has the same sign at k = {a:g} and {b:g}", irrep
        )
    try:
        kstar = scipy.optimize.brentq(
            lambda k: fam.smallest(k)[irrep], a, b, xtol=1e-13 * b, rtol=1e-15
        )
    except _Fail as exc:
        return fail(str(exc), irrep)
    direction = "positive to negative" if la[irrep] > 0 else "negative to positive"
    h = rel_width * kstar
    last = "no attempt"
    while h <= 0.5 * (b - a):
        k_lo, k_hi = max(a, kstar - h), min(b, kstar + h)
        try:
            out = _certify_interval(
                fam, spec, irrep, kstar, k_lo, k_hi, extra_dims, prec, max_radius
            )
        except _Fail as exc:
            last = str(exc)
            h *= 10.0
            continue
        at_lo, at_hi, radius = out
        ok = (at_lo[0] > 0 and at_hi[1] < 0) or (at_lo[1] < 0 and at_hi[0] > 0)
        if ok:
            return CrossingInterval(
                spec, irrep, True, k_lo, k_hi, kstar, at_lo, at_hi, direction, radius, ""
            )
        last = (
            f"signs not decided at half-width {h:.3g}: smallest eigenvalue in "
            f"[{at_lo[0]:.3g}, {at_lo[1]:.3g}] at k_lo and [{at_hi[0]:.3g}, {at_hi[1]:.3g}] at k_hi"
        )
        h *= 10.0
    return CrossingInterval(spec, irrep, False, nan, nan, kstar, direction=direction, message=last)


def _certify_interval(fam, spec, irrep, kstar, k_lo, k_hi, extra, prec, max_radius):
    """Steps 1–2 of the module docstring; raises _Fail with the reason."""
    group = group_at(spec, kstar, extra_dims=extra)
    x = fam.at(kstar)
    s = _box_scaling(ReducedSystem(group))
    A = ArbArithmetic(prec)
    with A:
        gsys = GenericReducedSystem(group, A, k=A.ball(k_lo, k_hi))
        gmid = GenericReducedSystem(group, A)
        F = gsys.gradient(list(x))
        Y = np.linalg.inv(mid_matrix(A, gmid.hessian(list(x))))
        step = np.abs(Y @ np.array([A.to_float(f) for f in F])) / s
        fr = np.array([A.upper(f.rad()) for f in F])
        rho = 4.0 * float(np.max(step + np.abs(Y) @ fr / s))
        inside = False
        while rho <= max_radius:
            try:
                J = gsys.hessian([A.number(float(xi)) + A.ball(-r, r) for xi, r in zip(x, rho * s)])
            except DomainError as exc:
                raise _Fail(str(exc)) from None
            inside, _K, X = krawczyk_contains(A, x, rho * s, F, J, Y)
            if inside:
                break
            rho *= 4.0
        if not inside:
            raise _Fail(
                f"no box of radius <= {max_radius:g} holds the branch over [{k_lo}, {k_hi}]"
            )
        box = [(A.lower(v), A.upper(v)) for v in X]
    ends = []
    for k in (k_lo, k_hi):
        cert = certify_critical_point(group_at(spec, k, extra_dims=extra), fam.at(k), prec=prec)
        if not cert.exists:
            raise _Fail(f"no certified critical point at k = {k!r}: {cert.message}")
        if not all(lo >= blo and hi <= bhi for (lo, hi), (blo, bhi) in zip(cert.box, box)):
            raise _Fail(f"the box certified at k = {k!r} is not inside the branch's box")
        blk = [bb for bb in cert.blocks if bb.label == irrep]
        if not blk or not blk[0].eigenvalues:
            raise _Fail(f"block {irrep} not enclosed at k = {k!r}")
        ends.append((blk[0].lower, blk[0].upper))
    radius = max((hi - lo) / 2 for lo, hi in box)
    return ends[0], ends[1], radius
