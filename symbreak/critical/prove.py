r"""A proof that a list of critical points of ``L`` in ``Fix(H)`` below a loss level is complete.

:func:`prove_critical_points` runs a rigorous branch-and-bound over ``Fix(H)``
with ball arithmetic (python-flint ``arb``) on the generic compressed model
(:class:`~symbreak.certify.GenericReducedSystem`).  Its claim, when
``complete`` is true:

    every critical point ``x`` of ``L`` restricted to ``Fix(H)`` (at which
    ``L`` is differentiable, i.e. no row of ``W`` vanishes) with
    ``L(x) ≤ L₀`` lies in one of the reported Krawczyk boxes, and each box
    holds exactly one critical point.

By the principle of symmetric criticality these are critical points of ``L``
on all of ``M(n, d)``.

Method
------
*Region.*  ``L = ½‖f_W − f_V‖²`` and ``κ ≥ 0`` give ``½‖f_W‖² ≥ ¼‖W‖²_F``,
so ``L ≤ L₀`` implies

.. math::

    ‖W‖_F^2 = \sum_o N_o c_o^2 \le R^2 = 2\bigl(‖f_V‖ + \sqrt{2L_0}\bigr)^2,
    \qquad ‖f_V‖^2 = \tfrac k2 + \tfrac{k(k−1)}{2π},

(``N_o`` the orbit sizes).  Boxes live in the orthonormal coordinates
``y_o = c_o \sqrt{N_o}`` (to float accuracy; ``c_o = σ_o y_o`` with the
float ``σ_o ≈ N_o^{-1/2}`` used exactly), inside ``[−R', R']`` per coordinate.

*Per-box tests* (each one rigorous, on balls that cover the box exactly):

1. ``‖W‖²_F > R²`` on the whole box: excluded (a priori bound);
2. loss lower bound ``> L₀`` (natural enclosure, the Hermite bound
   :func:`hermite_loss_bound`, and the second-order centred form
   ``L(m) + ∇L(m)·h + ½ hᵀ∇²L(X) h``): excluded; the Hermite degree-1
   constraint (column sums) also shrinks the box first;
3. a component of the gradient enclosure ``∇L_H(X)`` not containing 0: excluded;
4. Krawczyk ``K(X) = x̃ − Y∇L_H(x̃) + (I − Y∇²L_H(X))(X − x̃)``:
   ``K ∩ X = ∅`` excludes; ``K ⊂ int X`` proves that ``X`` holds exactly one
   critical point; otherwise every zero in ``X`` lies in ``K ∩ X``, and the
   box is shrunk to it;
5. if float Newton from the box centre converges inside the box, the largest
   box around the root on which Krawczyk succeeds is certified and carved out;
6. otherwise the box is bisected (where ``|∂L/∂y_i|·width_i`` is largest,
   Kearfott's maximal smear, else along the widest side) at the fraction
   ``0.4629…`` (off-centre, so that roots with zero or symmetric coordinates,
   such as ``W = V``, do not sit on split planes).

*Zero-row tubes.*  Where all rows of a row block ``t`` vanish ``L`` is not
differentiable and, near that face, interval Hessians blow up like
``1/|w_t|``.  The cube ``|y_t|_∞ ≤ s₀`` is covered by *blow-up charts*:
``y_t = s·v`` with ``s ∈ [0, s₀]``, ``v_j = ±1`` for one coordinate ``j`` and
``v_i ∈ [−1, 1]`` for the others (``2 n_t`` charts).  In a chart the model is
evaluated with the rows of block ``t`` written as ``s`` times a direction row
(``row_scales`` of :meth:`~symbreak.certify.GenericReducedSystem.state`): the
loss and *every* gradient equation stay bounded as ``s → 0``, so chart boxes
are excluded by the loss and gradient tests.  A chart box that cannot be
excluded (for example a critical point with ``|y_t|_∞ < s₀``) stays
undecided: nothing is skipped.

References
----------
R. Krawczyk, Computing 4 (1969); R. E. Moore, SIAM J. Numer. Anal. 14 (1977);
R. B. Kearfott, Rigorous Global Search: Continuous Problems (1996).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..certify._interval import krawczyk_box
from ..certify.certificate import Certificate, _block_bounds, _kind
from ..progress import ProgressUpdate, as_progress
from ..reduced.arithmetic import ArbArithmetic, require_flint
from ..reduced.generic import GenericReducedSystem
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup

__all__ = [
    "ProveOptions",
    "ProofResult",
    "UndecidedBox",
    "a_priori_radius",
    "hermite_loss_bound",
    "prove_critical_points",
    "proof_scope",
]

ENGINES = ("interval", "arb")
SPLIT_FRACTION = 0.46291004988627577  # off-centre bisection (1/2 − a number with no structure)
_EXCLUDED = ("a_priori", "loss", "gradient", "krawczyk", "root_above")


def a_priori_radius(k: float, max_loss: float) -> float:
    r"""``R`` with ``‖W‖_F ≤ R`` at every point with ``L ≤ max_loss``.

    .. math::  R = \sqrt2\,\bigl(‖f_V‖ + \sqrt{2 L_0}\bigr),\quad
               ‖f_V‖^2 = k/2 + k(k − 1)/(2π).

    Rounded up (a few ulps), so it is a valid bound in floating point.
    """
    fv = math.sqrt(k / 2 + k * (k - 1) / (2 * math.pi))
    r = math.sqrt(2.0) * (fv + math.sqrt(2.0 * max_loss))
    return r * (1 + 1e-12)


@dataclass(frozen=True)
class ProveOptions:
    """Options of :func:`prove_critical_points` (validated at construction).

    Attributes
    ----------
    tube : float
        ``s₀``: half-width (in orthonormal coordinates, max-norm) of the cube
        around each zero row block covered by blow-up charts.
    max_boxes : int
        Budget of boxes processed; when it is exhausted the remaining boxes
        are reported as undecided (and saved in the frontier).
    min_width : float
        Boxes narrower than this (orthonormal coordinates) are not split further.
    prec : int
        Bits of the ball arithmetic.
    workers : int
        Processes (``1``: in this process).  The result does not depend on it.
    batch : int
        Boxes handed out per round (the unit of work for the workers and of
        checkpointing).
    frontier : str or None
        Path of a JSON file: the state (open boxes, roots, counters) is written
        there after every round and read at the start if it exists (resume).
    force : bool
        Run even when :func:`proof_scope` says the proof is out of reach.
    engine : {"interval", "arb"}
        ``"interval"`` (default): the box tests run on whole batches of boxes
        in vectorised float64 interval arithmetic
        (:mod:`symbreak.critical._prove_batch`), and only boxes that may hold
        a certifiable root go through ``arb``; ``"arb"``: every box through
        ``arb`` balls one at a time (the reference path).
    region : tuple of (int, float, float)
        Restrict the search to ``lo ≤ c_o ≤ hi`` for the listed coordinates
        ``(o, lo, hi)`` (model coordinates).  Inside a blow-up chart of a row
        block, the restrictions of that block's own coordinates are ignored
        (its whole tube is searched).  ``complete`` then refers to that region.
    newton_width : float
        Boxes at most this wide (orthonormal coordinates) that no test decides
        get a float Newton run from their centre; a root found inside is
        certified in the largest Krawczyk box around it and carved out.
    """

    tube: float = 0.3
    max_boxes: int = 10_000_000
    min_width: float = 1e-7
    prec: int = 64
    workers: int = 1
    batch: int = 512
    frontier: str | None = None
    force: bool = False
    newton_width: float = 0.5
    region: tuple = ()
    engine: str = "interval"

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        for entry in self.region:
            if (
                len(entry) != 3
                or isinstance(entry[0], bool)
                or not isinstance(entry[0], int)
                or not float(entry[1]) <= float(entry[2])
            ):
                raise ValueError(f"region entries are (coordinate, lo, hi), lo <= hi: {entry!r}")
        for name in ("tube", "min_width", "newton_width"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf:
                raise ValueError(f"{name} must be a positive number, got {v!r}")
        for name in ("max_boxes", "prec", "workers", "batch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.prec < 53:
            raise ValueError(f"prec must be >= 53 bits, got {self.prec}")
        if self.frontier is not None and not isinstance(self.frontier, str):
            raise TypeError("frontier must be a path (str) or None")


@dataclass(frozen=True)
class UndecidedBox:
    """A box that is neither excluded nor certified.

    Attributes
    ----------
    chart : tuple of (int, int, int)
        ``()`` for a box of orthonormal coordinates ``y``; otherwise the
        blow-up charts ``(row block t, coordinate j, sign)``: the coordinates
        of block ``t`` are ``y_t = s·v`` with ``s`` stored at ``j`` and
        ``v_j = sign``.
    lower, upper : tuple of float
    volume : float
        Product of the side lengths (in the box's own coordinates).
    loss : (float, float)
        Enclosure of ``L`` on the box (may be loose).
    reason : str
    """

    chart: tuple
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    volume: float
    loss: tuple[float, float]
    reason: str

    def to_json(self) -> dict:
        return {
            "chart": [list(c) for c in self.chart],
            "lower": list(self.lower),
            "upper": list(self.upper),
            "volume": self.volume,
            "loss": list(self.loss),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProofResult:
    """Result of :func:`prove_critical_points`.

    Attributes
    ----------
    group : IsotropyGroup
    max_loss : float
    complete : bool
        True only when every box of the bounded region was excluded or holds
        exactly one certified critical point (and each certified point's loss
        is decided against ``max_loss``).
    points : tuple of Certificate
        One per certified critical point with ``L ≤ max_loss``, sorted by loss;
        ``box`` is the existence/uniqueness box (model coordinates ``c``).
    undecided : tuple of UndecidedBox
    boxes : int
        Boxes processed.
    excluded : dict
        Boxes excluded by each test.
    radius : float
        The a priori bound ``R`` on ``‖W‖_F``.
    cpu_time : float
        CPU seconds of this call (this process plus its workers).
    notes : tuple of str
    """

    group: IsotropyGroup
    max_loss: float
    complete: bool
    points: tuple[Certificate, ...]
    undecided: tuple[UndecidedBox, ...]
    boxes: int
    excluded: dict
    radius: float
    cpu_time: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def undecided_volume(self) -> float:
        return float(sum(b.volume for b in self.undecided))

    def search_record(self) -> dict:
        """The ``search`` record of the CLI's JSON (``complete``, counts, undecided boxes)."""
        loss_lo = min((b.loss[0] for b in self.undecided), default=None)
        loss_hi = max((b.loss[1] for b in self.undecided), default=None)
        return {
            "method": "proof",
            "complete": self.complete,
            "max_loss": self.max_loss,
            "radius": self.radius,
            "boxes": self.boxes,
            "excluded": dict(self.excluded),
            "cpu_time": self.cpu_time,
            "undecided_volume": self.undecided_volume,
            "undecided_loss": [loss_lo, loss_hi] if self.undecided else None,
            "undecided": [b.to_json() for b in self.undecided],
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------
def proof_scope(group: IsotropyGroup) -> tuple[bool, str]:
    """Whether the proof is within reach for ``group``, and why.

    The measured cost grows roughly tenfold per dimension of ``Fix(H)``:
    about ``10²`` boxes for 2 coordinates, ``10⁴–10⁵`` for 5–6 (2-block groups),
    and an estimated ``10⁸`` or more for 10–11 (3-block groups), which is
    out of reach at about 1 ms per box.
    """
    dim = ReducedSystem(group).space.dim
    est = 10.0 ** max(2, dim - 1)
    if dim <= 7:
        return True, f"dim Fix(H) = {dim}: about {est:.0e} boxes expected"
    return False, (
        f"dim Fix(H) = {dim}: the proof needs an estimated {est:.0e} boxes or more, "
        "out of reach (use force=True to try anyway)"
    )


class _Problem:
    """Everything one box test needs; rebuilt in each worker process."""

    def __init__(self, group: IsotropyGroup, max_loss: float, opts: ProveOptions):
        require_flint()
        self.group = group
        self.max_loss = float(max_loss)
        self.opts = opts
        self.fsys = ReducedSystem(group)
        space = self.fsys.space
        self.dim = space.dim
        N = np.maximum(space.orbit_sizes(), 1e-300)
        self.N = N
        self.sigma = 1.0 / np.sqrt(N)  # c = σ y, σ used exactly as a float
        self.A = ArbArithmetic(opts.prec)
        self.gsys = GenericReducedSystem(group, self.A)
        gs = self.gsys
        layout = gs._layout((0,) * len(group.factors))[0]
        self.U = gs._directions(layout, (gs._triv,))[0]  # the basis of Fix(H) on the layout
        self.R = a_priori_radius(group.k, self.max_loss)
        # exact weights N σ² (≈ 1) for ‖W‖² = Σ N σ² y²; bound |y_o| ≤ R / sqrt(N σ²)
        self.weight = N * self.sigma**2
        self.bounds = self.R / np.sqrt(self.weight * (1 - 1e-12)) * (1 + 1e-12)
        keys = space.keys
        self.block_of = [a for a, _b, _p in keys]
        self.blocks = sorted(set(self.block_of))
        self.block_coords = {
            t: [o for o in range(self.dim) if keys[o][0] == t] for t in self.blocks
        }
        self.names = space.names
        # region restrictions in orthonormal coordinates, rounded outward
        self.region = []
        for o, a, b in opts.region:
            if not 0 <= o < self.dim:
                raise ValueError(f"region coordinate {o} out of range (dim {self.dim})")
            self.region.append(
                (
                    o,
                    math.nextafter(float(a) / self.sigma[o], -math.inf),
                    math.nextafter(float(b) / self.sigma[o], math.inf),
                )
            )
        # column sums Σ_i W_ij for a column j of block b: Σ_o mult_o c_o (Hermite degree-1 bound)
        factors = group.factors
        self.col_blocks = [b for b, f in enumerate(factors) if f.kind in ("diag", "col")]
        self.col_terms = {b: [] for b in self.col_blocks}
        for o, (a, b, pat) in enumerate(keys):
            self.col_terms[b].append((o, pat, a))
        self.teacher_block = {b: factors[b].kind == "diag" for b in self.col_blocks}
        # s_b = Σ_o α_o y_o with α_o = mult_o σ_o (balls)
        A = self.A
        with A:
            sz = self.gsys.sizes
            self.col_coef = {}
            for b in self.col_blocks:
                coef = {}
                for o, pat, a in self.col_terms[b]:
                    mult = A.number(1) if pat == "diag" else (sz[a] - 1 if pat == "off" else sz[a])
                    if not A.is_zero(mult):
                        coef[o] = mult * A.number(float(self.sigma[o]))
                self.col_coef[b] = coef
        self.batch = None
        if opts.engine == "interval":
            from ._prove_batch import BatchModel

            self.batch = BatchModel(self)

    def outcomes(self, boxes: list) -> list:
        """The outcome of every box (batched in float intervals, or one by one in arb)."""
        if self.batch is not None:
            from ._prove_batch import batch_outcomes

            return batch_outcomes(self, boxes)
        return [_box_outcome(self, b) for b in boxes]

    # ------------------------------------------------------------ coordinates
    def _ball(self, lo, hi):
        A = self.A
        if lo == hi:
            return A.number(float(lo))
        return A.ball(float(lo), float(hi))

    def model_coords(self, chart, lo, hi):
        """Coordinates for the generic model and the row scales of the charts."""
        A = self.A
        Y = [self._ball(lo[o], hi[o]) for o in range(self.dim)]
        scales = {}
        for t, j, sign in chart:
            scales[t] = Y[j]
            for o in self.block_coords[t]:
                Y[o] = A.number(float(sign)) if o == j else Y[o]
        C = [A.number(float(self.sigma[o])) * Y[o] for o in range(self.dim)]
        return C, scales

    def y_of_z(self, chart, z) -> list:
        """Orthonormal coordinates ``y`` of a point given in box coordinates ``z`` (floats)."""
        y = list(z)
        for t, j, sign in chart:
            sv = z[j]
            for o in self.block_coords[t]:
                y[o] = sign * sv if o == j else sv * z[o]
        return y

    def z_of_y(self, chart, y):
        """Box coordinates of ``y`` in ``chart``, or None if ``y`` is not in the chart's region."""
        z = list(y)
        for t, j, sign in chart:
            bc = self.block_coords[t]
            sv = sign * y[j]
            if not sv > 0 or any(abs(y[o]) > sv for o in bc):
                return None
            for o in bc:
                z[o] = sv if o == j else y[o] / sv
        return [float(v) for v in z]

    def true_balls(self, chart, Z) -> list:
        """Balls enclosing the model coordinates ``c = σ y(z)`` over the balls ``Z``."""
        A = self.A
        Y = list(Z)
        for t, j, sign in chart:
            S = Z[j]
            for o in self.block_coords[t]:
                Y[o] = S * sign if o == j else S * Z[o]
        return [A.number(float(self.sigma[o])) * Y[o] for o in range(self.dim)]

    def dc_dz(self, chart, Z) -> list:
        """Enclosure of the Jacobian ``∂c/∂z`` of the chart map over the balls ``Z``."""
        A = self.A
        n = self.dim
        zero = A.number(0)
        D = [[zero] * n for _ in range(n)]
        charted = {}
        for t, j, sign in chart:
            for o in self.block_coords[t]:
                charted[o] = (j, sign)
        for o in range(n):
            sg = A.number(float(self.sigma[o]))
            if o not in charted:
                D[o][o] = sg
                continue
            j, sign = charted[o]
            if o == j:
                D[o][j] = sg * sign
            else:
                D[o][j] = sg * Z[o]
                D[o][o] = sg * Z[j]
        return D

    def norm2_lower(self, chart, lo, hi) -> float:
        """A float lower bound of ``‖W‖²_F = Σ N_o σ_o² y_o²`` on the box."""
        lo = np.asarray(lo)
        hi = np.asarray(hi)
        sq = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(lo * lo, hi * hi))
        w = self.weight.copy()
        charted = {}
        for t, j, _sign in chart:
            charted[t] = j
        total = 0.0
        for o in range(self.dim):
            t = self.block_of[o]
            if t in charted:
                continue
            total += w[o] * sq[o]
        for t, j in charted.items():
            s2 = sq[j]
            vs = w[j] + sum(w[o] * sq[o] for o in self.block_coords[t] if o != j)
            total += s2 * vs
        return total * (1 - 1e-12)


def hermite_loss_bound(P: _Problem, st, C):
    r"""A lower bound of ``L`` from the Hermite degrees 0, 1, 2 of ``f_W − f_V``.

    With ``relu(t) = 1/\sqrt{2π} + t/2 + \tfrac{1}{2\sqrt{2π}}(t² − 1) + …``
    (orthogonal Hermite components),

    .. math::

        2L ≥ \frac{(\sum_i |w_i| − \sum_j |v_j|)^2}{2π}
             + \frac{\|\sum_i w_i − \sum_j v_j\|^2}{4}
             + \frac{\|M_W − M_V\|_F^2}{4π},\qquad
        M_W = \sum_i \frac{w_i w_i^T}{|w_i|}.

    Every term is a sum of non-negative or simple quantities, so its ball
    enclosure is tight where the natural enclosure of ``L`` (a difference of
    large terms) is not.  Returns a float lower bound (``0.0`` if nothing is known).
    """
    A = P.A
    wts = st.weights
    zero = A.number(0)
    sizes = P.gsys.sizes
    k = P.gsys.k
    nrows = st.n2.shape[1]
    rows = [p for p in range(nrows) if not A.is_zero(wts.row[p])]
    total = zero
    # degree 0: Σ_i |w_i| − k
    s0 = sum((wts.row[p] * st.norms[0, p] for p in rows), zero)
    total += A.square(s0 - k) / (2 * A.pi)
    # degree 1: column sums minus the teacher's
    s1 = zero
    for b in P.col_blocks:
        cs = zero
        for o, pat, a in P.col_terms[b]:
            mult = 1 if pat == "diag" else (sizes[a] - 1 if pat == "off" else sizes[a])
            cs += mult * C[o]
        if P.teacher_block[b]:
            cs = cs - 1
        s1 += sizes[b] * A.square(cs)
    total += s1 / 4
    # degree 2: ‖M_W − M_V‖² = Σ_{i,j} (w_i·w_j)²/(|w_i||w_j|) − 2 Σ_i Σ_{c teacher} w_ic²/|w_i| + k
    if not st.maybe_zero:
        m2 = zero
        ncols = st.W.shape[2]
        for p in rows:
            m2 += wts.row[p] * st.n2[0, p]
            tw = sum(
                (
                    wts.teacher[c] * A.square(st.W[0, p, c])
                    for c in range(ncols)
                    if not A.is_zero(wts.teacher[c])
                ),
                zero,
            )
            m2 -= 2 * wts.row[p] * tw / st.norms[0, p]
        for p in range(nrows):
            for q in range(nrows):
                if p != q and not A.is_zero(wts.pair[p, q]):
                    dot = st.gs.dot[0, p, q]
                    m2 += wts.pair[p, q] * A.square(dot) / (st.norms[0, p] * st.norms[0, q])
        m2 = m2 + k
        if m2.is_finite():
            total += m2.nonnegative_part() / (4 * A.pi)
    lb = total / 2
    return A.lower(lb) if lb.is_finite() else 0.0


def _excludes_zero(g) -> bool:
    """True only when the ball is finite and certainly nonzero (nan never excludes)."""
    return bool(g.is_finite() and (g > 0 or g < 0))


def _round_out(A, x) -> tuple[float, float]:
    return A.lower(x), A.upper(x)


# ---------------------------------------------------------------------------
# one box
def _contract_column_sums(P: _Problem, lo, hi):
    r"""Shrink a plain box with the Hermite degree-1 constraints (linear in ``c``).

    ``L ≤ L₀`` implies ``Σ_b m_b (s_b − t_b)² ≤ 8L₀`` (``s_b`` the column sum of
    column block ``b``, ``t_b = 1`` on teacher columns), so each
    ``|s_b − t_b| ≤ \sqrt{8L₀/m_b}``; interval propagation through the linear
    form ``s_b = Σ_o α_o y_o`` narrows every coordinate.  Returns the new
    ``(lo, hi)`` or ``None`` when the box holds no point with ``L ≤ L₀``.
    """
    A = P.A
    lo, hi = list(lo), list(hi)
    for b in P.col_blocks:
        coef = P.col_coef[b]
        rb = (A.number(8 * P.max_loss) / P.gsys.sizes[b]).sqrt()
        target = (A.number(1) if P.teacher_block[b] else A.number(0)) + (-rb).union(rb)
        for _sweep in range(2):
            Y = {o: P._ball(lo[o], hi[o]) for o in coef}
            total = sum((coef[o] * Y[o] for o in coef), A.number(0))
            if not total.overlaps(target):
                return None
            for o, a in coef.items():
                rest = sum((coef[q] * Y[q] for q in coef if q != o), A.number(0))
                yo = (target - rest) / a
                if not yo.is_finite():
                    continue
                nlo, nhi = max(lo[o], A.lower(yo)), min(hi[o], A.upper(yo))
                if nlo > nhi:
                    return None
                lo[o], hi[o] = nlo, nhi
                Y[o] = P._ball(nlo, nhi)
    return tuple(lo), tuple(hi)


def _box_outcome(P: _Problem, box):
    """Process one box: ``("excluded", reason)``, ``("split", boxes)``,
    ``("root", record, boxes)`` or ``("undecided", UndecidedBox)``."""
    chart, lo, hi = box
    A = P.A
    if P.norm2_lower(chart, lo, hi) > P.R * P.R:
        return ("excluded", "a_priori")
    if not chart:
        with A:
            new = _contract_column_sums(P, lo, hi)
        if new is None:
            return ("excluded", "loss")
        lo, hi = new
        box = (chart, lo, hi)
    widths = [h - l for l, h in zip(lo, hi)]
    with A:
        C, scales = P.model_coords(chart, lo, hi)
        st = P.gsys.state(C, row_scales=scales or None, zero_rows_ok=True)
        L = st.loss()[0]
        Llo, Lhi = _round_out(A, L)
        if Llo > P.max_loss:
            return ("excluded", "loss")
        if chart:
            Ct = P.true_balls(chart, [P._ball(lo[o], hi[o]) for o in range(P.dim)])
            hst = P.gsys.state(Ct, zero_rows_ok=True)
        else:
            Ct, hst = C, st
        Llo = max(Llo, hermite_loss_bound(P, hst, Ct))
        if Llo > P.max_loss:
            return ("excluded", "loss")
        if st.maybe_zero:
            return _split_or_undecided(P, box, widths, (Llo, Lhi), "a row may vanish in the box")
        U = P.U
        G = [A.number(g) for g in st.gradient_form(U)[0]]
        if any(_excludes_zero(g) for g in G):
            return ("excluded", "gradient")
        smear = None
        if not chart:
            # Kearfott's maximal smear: split where |∂L/∂y_i|·width_i is largest
            smear = [
                float(P.sigma[o]) * max(abs(A.lower(G[o])), abs(A.upper(G[o]))) * widths[o]
                for o in range(P.dim)
            ]
        if any(lo[j] <= 0 for _t, j, _s in chart):
            return _split_or_undecided(
                P, box, widths, (Llo, Lhi), "blow-up chart touching a zero-row face"
            )
        return _smooth_box(P, box, widths, (Llo, Lhi), U, smear)


def _split_or_undecided(P, box, widths, loss, reason, smear=None):
    chart, lo, hi = box
    i = int(np.argmax(widths))
    if smear is not None and all(math.isfinite(v) for v in smear) and max(smear) > 0:
        j = int(np.argmax(smear))
        if widths[j] >= 0.05 * widths[i]:  # never let a side stay much wider than the rest
            i = j
    if widths[i] < P.opts.min_width:
        vol = float(np.prod(widths))
        return ("undecided", UndecidedBox(chart, tuple(lo), tuple(hi), vol, loss, reason))
    return ("split", _bisect(box, i))


def _bisect(box, i):
    chart, lo, hi = box
    cut = lo[i] + SPLIT_FRACTION * (hi[i] - lo[i])
    if not lo[i] < cut < hi[i]:
        cut = 0.5 * (lo[i] + hi[i])
    hi1 = list(hi)
    hi1[i] = cut
    lo2 = list(lo)
    lo2[i] = cut
    return [(chart, tuple(lo), tuple(hi1)), (chart, tuple(lo2), tuple(hi))]


def _krawczyk(P: _Problem, chart, Z, z_t, U, pre=None):
    """Krawczyk in box coordinates ``z``: ``(inside, K, disjoint)``, or None if not evaluable.

    ``F(z) = ∇_c L(c(z))`` (zero exactly at critical points), ``J(Z) = ∇²_c L(C(Z))·∂c/∂z(Z)``
    with ``C(Z)`` the hull of the image of the box (the chart map is a diffeomorphism
    where ``s > 0``).
    """
    A = P.A
    n = P.dim
    zt = [A.number(float(v)) for v in z_t]
    if pre is not None:  # (C, H, state at z_t, gradient at z_t) already computed
        C, H, sm, F = pre
    else:
        try:
            C = P.true_balls(chart, Z)
            H = P.gsys.state(C).hessian_form(U)[0]
            sm = P.gsys.state(P.true_balls(chart, zt))
            F = sm.gradient_form(U)[0]
        except ValueError:
            return None
    D = P.dc_dz(chart, Z)
    J = [
        [sum((H[i][m] * D[m][j] for m in range(n)), A.number(0)) for j in range(n)]
        for i in range(n)
    ]
    Jm = np.array([[A.to_float(x) for x in r] for r in J])
    try:
        Y = np.linalg.inv(Jm)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(Y)):
        return None
    return krawczyk_box(A, Z, zt, F, J, Y) + (C, H, sm)


def _smooth_box(P: _Problem, box, widths, loss, U, smear=None):
    """A box on which ``L`` is smooth (no row vanishes): centred loss bound, Krawczyk, carving."""
    chart, lo, hi = box
    A = P.A
    n = P.dim
    Z = [P._ball(lo[o], hi[o]) for o in range(n)]
    mid = [0.5 * (lo[o] + hi[o]) for o in range(n)]
    try:
        C = P.true_balls(chart, Z)
        H = P.gsys.state(C).hessian_form(U)[0]
        cm = P.true_balls(chart, [A.number(v) for v in mid])
        sm = P.gsys.state(cm)
    except ValueError:
        return _split_or_undecided(P, box, widths, loss, "model not evaluable", smear)
    # second-order centred loss bound L(c_m) + ∇L(c_m)·h + ½ hᵀ∇²L(C)h, h ∈ C − c_m
    h = [C[o] - cm[o] for o in range(n)]
    Gm = sm.gradient_form(U)[0]
    Lc = sm.loss()[0] + sum((Gm[o] * h[o] for o in range(n)), A.number(0))
    quad = A.number(0)
    for i in range(n):
        quad += h[i] * sum((H[i][j] * h[j] for j in range(n)), A.number(0))
    Lc = Lc + quad / 2
    if A.lower(Lc) > P.max_loss:
        return ("excluded", "loss")
    loss = (max(loss[0], A.lower(Lc)), min(loss[1], A.upper(Lc)))
    res = _krawczyk(P, chart, Z, mid, U, pre=(C, H, sm, Gm))
    if res is None:
        return _split_or_undecided(P, box, widths, loss, "Jacobian not invertible", smear)
    inside, K, disjoint = res[:3]
    if disjoint:
        return ("excluded", "krawczyk")
    if inside:
        return _certified_root(P, box, K, U)
    # every zero in the box lies in K ∩ X: shrink when that helps
    nlo = [max(lo[o], A.lower(K[o])) for o in range(n)]
    nhi = [min(hi[o], A.upper(K[o])) for o in range(n)]
    if any(nlo[o] > nhi[o] for o in range(n)):
        return ("excluded", "krawczyk")
    new_w = [nhi[o] - nlo[o] for o in range(n)]
    if max(w / max(v, 1e-300) for w, v in zip(new_w, widths)) < 0.7:
        return ("split", [(chart, tuple(nlo), tuple(nhi))])
    if max(widths) <= P.opts.newton_width:
        z_t = _newton_point(P, chart, mid, lo, hi)
        if z_t is not mid:
            carved = _carve_root(P, box, z_t, U)
            if carved is not None:
                return carved
    return _split_or_undecided(P, box, widths, loss, "no test decided the box", smear)


def _newton_point(P: _Problem, chart, mid, lo, hi, iters: int = 7):
    """Float Newton (in ``y``) from the box centre; the root in box coordinates if it lies in
    the box, else ``mid`` itself."""
    sig = P.sigma
    y = np.asarray(P.y_of_z(chart, mid), dtype=float)
    try:
        reach = 2.0 * max(h - l for l, h in zip(lo, hi))
        for it in range(iters):
            c = sig * y
            g = P.fsys.gradient(c)
            Hc = P.fsys.hessian(c)
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(Hc))):
                return mid
            step = np.linalg.solve(Hc, -g) / sig
            if it == 0 and float(np.max(np.abs(step))) > reach:
                return mid  # the first Newton step leaves the box's neighbourhood
            y = y + step
            if float(np.max(np.abs(step))) < 1e-14 * (1 + float(np.max(np.abs(y)))):
                break
        g = P.fsys.gradient(sig * y)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return mid
    if not (np.all(np.isfinite(y)) and float(np.linalg.norm(g)) <= 1e-9):
        return mid
    z = P.z_of_y(chart, [float(v) for v in y])
    if z is None or not all(lo[o] <= z[o] <= hi[o] for o in range(P.dim)):
        return mid
    return z


def _certified_root(P: _Problem, box, K, U):
    """``K(X) ⊂ int X``: exactly one critical point in X.  Tighten, decide its loss."""
    chart, lo, hi = box
    A = P.A
    n = P.dim
    X = [P._ball(lo[o], hi[o]) for o in range(n)]
    E = [K[o].intersection(X[o]) for o in range(n)]
    E = _tighten(P, chart, X, E, U)
    Ec = P.true_balls(chart, E)
    lr = _round_out(A, P.gsys.state(Ec).loss()[0])
    if lr[0] > P.max_loss:
        return ("excluded", "root_above")
    record = {
        "chart": [list(c) for c in chart],
        "zbox": [list(lo), list(hi)],
        "box": [list(_round_out(A, x)) for x in P.true_balls(chart, X)],
        "enclosure": [list(_round_out(A, e)) for e in Ec],
        "loss": list(lr),
    }
    return ("root", record, [])


def _tighten(P: _Problem, chart, X, E, U):
    """A tiny Krawczyk box around the float Newton root inside the enclosure ``E ⊂ X``.

    ``X`` holds exactly one zero, so a box ``B ⊂ X`` with ``K(B) ⊂ int B``
    holds that zero, and ``K(B) ∩ B`` is a tighter enclosure.
    """
    A = P.A
    n = P.dim
    lo = [A.lower(e) for e in E]
    hi = [A.upper(e) for e in E]
    mid = [0.5 * (a + b) for a, b in zip(lo, hi)]
    z = _newton_point(P, chart, mid, lo, hi)
    if z is mid:
        return E
    r = 1e-13 * (1 + max(abs(v) for v in z))
    width = max(b - a for a, b in zip(lo, hi))
    while r < width:
        B = [P._ball(v - r, v + r) for v in z]
        if all(X[o].contains(B[o]) for o in range(n)):
            res = _krawczyk(P, chart, B, z, U)
            if res is None:
                return E
            if res[0]:
                return [res[1][o].intersection(B[o]) for o in range(n)]
        r *= 10.0
    return E


def _carve_root(P: _Problem, box, z_t, U):
    """Certify the largest box ``z* ± r`` (Krawczyk) around a Newton root and carve it out of X."""
    chart, lo, hi = box
    n = P.dim
    width = max(h - l for l, h in zip(lo, hi))
    best = None
    r = 1e-9 * (1 + max(abs(v) for v in z_t))
    while r < width:
        blo = [z_t[o] - r for o in range(n)]
        bhi = [z_t[o] + r for o in range(n)]
        if chart and any(blo[j] <= 0 for _t, j, _s in chart):
            break
        B = [P._ball(blo[o], bhi[o]) for o in range(n)]
        res = _krawczyk(P, chart, B, z_t, U)
        if res is None or not res[0]:
            break
        best = (blo, bhi, res[1])
        r *= 4.0
    if best is None:
        return None
    blo, bhi, K = best
    out = _certified_root(P, (chart, tuple(blo), tuple(bhi)), K, U)
    rest = _carve(box, blo, bhi)
    if out[0] == "root":
        return ("root", out[1], rest)
    return ("split", rest)


def _carve(box, blo, bhi):
    """``X ∖ B`` as at most ``2n`` boxes (slabs peeled off one coordinate at a time)."""
    chart, lo, hi = box
    lo, hi = list(lo), list(hi)
    out = []
    for o in range(len(lo)):
        if blo[o] > lo[o]:
            h2 = list(hi)
            h2[o] = blo[o]
            out.append((chart, tuple(lo), tuple(h2)))
            lo[o] = blo[o]
        if bhi[o] < hi[o]:
            l2 = list(lo)
            l2[o] = bhi[o]
            out.append((chart, tuple(l2), tuple(hi)))
            hi[o] = bhi[o]
    return out


# ---------------------------------------------------------------------------
# the initial cover: plain boxes and blow-up charts around each zero row block
def _initial_boxes(P: _Problem) -> list:
    s0 = P.opts.tube
    n = P.dim
    per_block = {}
    for t in P.blocks:
        coords = P.block_coords[t]
        pieces = []  # list of (chart entries, {o: (lo, hi)})
        parts = []
        for o in coords:
            b = float(P.bounds[o])
            if s0 >= b:
                parts.append([(-b, b, True)])
            else:
                parts.append([(-b, -s0, False), (-s0, s0, True), (s0, b, False)])
        for combo in itertools.product(*parts):
            if all(mid for _l, _h, mid in combo):
                for j in coords:
                    for sign in (-1, 1):
                        rng = {o: (-1.0, 1.0) for o in coords}
                        rng[j] = (0.0, s0)
                        pieces.append((((t, j, sign),), rng))
            else:
                pieces.append(((), {o: (lo_, hi_) for o, (lo_, hi_, _m) in zip(coords, combo)}))
        per_block[t] = pieces
    out = []
    for combo in itertools.product(*(per_block[t] for t in P.blocks)):
        chart = tuple(c for part in combo for c in part[0])
        lo = [0.0] * n
        hi = [0.0] * n
        for _ch, rng in combo:
            for o, (a, b) in rng.items():
                lo[o], hi[o] = a, b
        charted = {o for t, _j, _s in chart for o in P.block_coords[t]}
        for o, a, b in P.region:
            if o not in charted:
                lo[o], hi[o] = max(lo[o], a), min(hi[o], b)
        if all(lo[o] <= hi[o] for o in range(n)):
            out.append((chart, tuple(lo), tuple(hi)))
    return out


# ---------------------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(group, max_loss, opts):
    _WORKER["P"] = _Problem(group, max_loss, opts)


def _worker_run(boxes):
    P = _WORKER["P"]
    t0 = time.process_time()
    out = P.outcomes(boxes)
    return out, time.process_time() - t0


def _box_to_json(box):
    chart, lo, hi = box
    return {"chart": [list(c) for c in chart], "lower": list(lo), "upper": list(hi)}


def _box_from_json(d):
    return (
        tuple(tuple(int(x) for x in c) for c in d["chart"]),
        tuple(float(x) for x in d["lower"]),
        tuple(float(x) for x in d["upper"]),
    )


def _inside_zbox(P: _Problem, enc, r) -> bool:
    """Whether ``enc`` (model coordinates) lies in the uniqueness box of root ``r``."""
    A = P.A
    chart = tuple(tuple(c) for c in r["chart"])
    zlo, zhi = r["zbox"]
    with A:
        Y = [A.ball(lo, hi) / A.number(float(P.sigma[o])) for o, (lo, hi) in enumerate(enc)]
        Z = list(Y)
        for t, j, sign in chart:
            S = Y[j] * sign
            if not S > 0:
                return False
            for o in P.block_coords[t]:
                Z[o] = S if o == j else Y[o] / S
        return all(Z[o] >= zlo[o] and Z[o] <= zhi[o] for o in range(P.dim))


def _same_root(P: _Problem, r1, r2) -> bool:
    """Same critical point: one's enclosure lies in the other's uniqueness box."""
    return _inside_zbox(P, r1["enclosure"], r2) or _inside_zbox(P, r2["enclosure"], r1)


def _boxes_overlap(r1, r2) -> bool:
    return all(
        r1["box"][o][0] <= r2["box"][o][1] and r2["box"][o][0] <= r1["box"][o][1]
        for o in range(len(r1["box"]))
    )


def prove_critical_points(
    group: IsotropyGroup,
    max_loss: float = 0.2,
    *,
    options: ProveOptions | None = None,
    progress=None,
) -> ProofResult:
    r"""Prove which critical points of ``L`` in ``Fix(group)`` have ``L ≤ max_loss``.

    Parameters
    ----------
    group : IsotropyGroup
        The symmetry type (real ``k`` allowed).
    max_loss : float
        ``L₀ > 0``.
    options : ProveOptions, optional
    progress : Progress, optional
        Receives ``ProgressUpdate(stage="prove", done=boxes processed,
        total=processed + open, info={"open", "roots"})`` after every round.

    Returns
    -------
    ProofResult
        ``complete`` is true only when the whole region ``‖W‖_F ≤ R`` was
        excluded or certified (see the module docstring for the claim).

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.critical.prove import prove_critical_points
    >>> res = prove_critical_points(IsotropyGroup.from_spec("k", 4), 0.2)
    >>> res.complete, [p.kind for p in res.points]
    (True, ['minimum'])
    """
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if isinstance(max_loss, bool) or not isinstance(max_loss, (int, float, Fraction)):
        raise TypeError(f"max_loss must be a number, got {max_loss!r}")
    if not 0 < float(max_loss) < math.inf:
        raise ValueError(f"max_loss must be a positive finite number, got {max_loss!r}")
    opts = ProveOptions() if options is None else options
    if not isinstance(opts, ProveOptions):
        raise TypeError("options must be a ProveOptions")
    ok, scope = proof_scope(group)
    if not ok and not opts.force:
        raise ValueError(scope)
    report = as_progress(progress)
    t_start = time.process_time()
    P = _Problem(group, float(max_loss), opts)
    state = _load_frontier(opts.frontier, group, float(max_loss), opts)
    if state is None:
        stack = _initial_boxes(P)
        stack.reverse()
        roots: list[dict] = []
        excluded = {name: 0 for name in _EXCLUDED}
        undecided: list[UndecidedBox] = []
        processed = 0
        cpu_before = 0.0
    else:
        stack, roots, excluded, undecided, processed, cpu_before = state
    pool = None
    if opts.workers > 1:
        import multiprocessing as mp

        from .._parallel import children_ignore_sigint

        with children_ignore_sigint():  # Ctrl-C is the parent's (the frontier is saved)
            pool = mp.get_context("spawn").Pool(
                opts.workers,
                initializer=_worker_init,
                initargs=(group, float(max_loss), opts),
            )
    worker_cpu = 0.0
    last_save = time.process_time()

    def save():
        cpu = cpu_before + time.process_time() - t_start + worker_cpu
        _save_frontier(
            opts.frontier,
            group,
            float(max_loss),
            opts,
            stack,
            roots,
            excluded,
            undecided,
            processed,
            cpu,
        )

    try:
        while stack and processed < opts.max_boxes:
            take = min(opts.batch, opts.max_boxes - processed, len(stack))
            batch = [stack.pop() for _ in range(take)]
            if pool is None:
                outcomes = P.outcomes(batch)
            else:
                chunks = [batch[i :: opts.workers] for i in range(opts.workers)]
                parts = pool.map(_worker_run, chunks)
                worker_cpu += sum(c for _o, c in parts)
                outcomes = [None] * take
                for i, (outs, _c) in enumerate(parts):
                    for j, o in enumerate(outs):
                        outcomes[i + j * opts.workers] = o
            processed += take
            new_boxes = []
            for o in outcomes:
                kind = o[0]
                if kind == "excluded":
                    excluded[o[1]] += 1
                elif kind == "split":
                    new_boxes.extend(o[1])
                elif kind == "root":
                    roots.append(o[1])
                    new_boxes.extend(o[2])
                else:
                    undecided.append(o[1])
            # depth first, deterministic: the first child is processed first
            stack.extend(reversed(new_boxes))
            now = time.process_time() + worker_cpu  # this process and its workers
            if opts.frontier is not None and now - last_save > 20.0:
                last_save = now
                save()
            report(
                ProgressUpdate(
                    stage="prove",
                    done=processed,
                    total=processed + len(stack),
                    info={"open": len(stack), "roots": len(roots)},
                )
            )
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if opts.frontier is not None:
        save()
    notes = [f"a priori bound: ||W||_F <= {P.R:.6g} on {{L <= {float(max_loss):g}}}"]
    if stack:
        notes.append(
            f"box budget max_boxes={opts.max_boxes} exhausted with {len(stack)} open boxes"
        )
        with P.A:
            for b in stack:
                undecided.append(
                    UndecidedBox(
                        b[0],
                        b[1],
                        b[2],
                        float(np.prod([h - l for l, h in zip(b[1], b[2])])),
                        (-math.inf, math.inf),
                        "not processed (budget)",
                    )
                )
    unique = []
    ambiguous = False
    for r in roots:
        if any(_same_root(P, r, u) for u in unique):
            continue
        if any(_boxes_overlap(r, u) for u in unique):
            ambiguous = True
        unique.append(r)
    if ambiguous:
        notes.append("two certified boxes overlap without a proof that their roots coincide")
    straddle = [r for r in unique if r["loss"][1] > float(max_loss)]
    if straddle:
        notes.append(
            f"{len(straddle)} certified point(s) have a loss enclosure containing max_loss"
        )
    points = sorted((_certificate(P, r) for r in unique), key=lambda c: c.loss[0])
    complete = not undecided and not ambiguous and not straddle
    cpu = cpu_before + time.process_time() - t_start + worker_cpu
    return ProofResult(
        group=group,
        max_loss=float(max_loss),
        complete=complete,
        points=tuple(points),
        undecided=tuple(undecided),
        boxes=processed,
        excluded=excluded,
        radius=P.R,
        cpu_time=cpu,
        notes=tuple(notes),
    )


def _certificate(P: _Problem, r: dict) -> Certificate:
    A = P.A
    with A:
        E = [A.ball(lo, hi) for lo, hi in r["enclosure"]]
        blocks = _block_bounds(A, P.gsys, E)
    exists = True
    kind, index, why = _kind(exists, blocks)
    center = tuple(0.5 * (lo + hi) for lo, hi in r["enclosure"])
    box = tuple(tuple(b) for b in r["box"])
    return Certificate(
        isotropy=P.group.name,
        k=P.group.k,
        names=P.names,
        center=center,
        exists=True,
        box_radius=max((hi - lo) / 2 for lo, hi in box),
        box=box,
        enclosure=tuple(tuple(e) for e in r["enclosure"]),
        kind=kind,
        index=index,
        loss=tuple(r["loss"]),
        blocks=tuple(blocks),
        message="unique critical point in the box (Krawczyk); " + why,
        start=center,
    )


# ---------------------------------------------------------------------------
# frontier files (plain JSON)
def _header(group, max_loss, opts):
    return {
        "format": "symbreak-proof-frontier-1",
        "isotropy": group.spec,
        "k": group.k,
        "max_loss": max_loss,
        "tube": opts.tube,
        "prec": opts.prec,
        "min_width": opts.min_width,
        "region": [list(r) for r in opts.region],
    }


def _save_frontier(path, group, max_loss, opts, stack, roots, excluded, undecided, processed, cpu):
    from ..io import write_json_atomic

    data = _header(group, max_loss, opts)
    data.update(
        {
            "open": [_box_to_json(b) for b in stack],
            "roots": roots,
            "excluded": excluded,
            "undecided": [u.to_json() for u in undecided],
            "processed": processed,
            "cpu_time": cpu,
        }
    )
    write_json_atomic(path, data)


def _load_frontier(path, group, max_loss, opts):
    if path is None or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    head = _header(group, max_loss, opts)
    for key, val in head.items():
        if data.get(key, [] if key == "region" else None) != val:
            raise ValueError(
                f"frontier file {path} was written for {key}={data.get(key)!r}, not {val!r}"
            )
    stack = [_box_from_json(d) for d in data["open"]]
    undecided = [
        UndecidedBox(
            tuple(tuple(c) for c in u["chart"]),
            tuple(u["lower"]),
            tuple(u["upper"]),
            u["volume"],
            tuple(u["loss"]),
            u["reason"],
        )
        for u in data["undecided"]
    ]
    return (
        stack,
        list(data["roots"]),
        dict(data["excluded"]),
        undecided,
        int(data["processed"]),
        float(data["cpu_time"]),
    )


ProgressCallable = Callable[[ProgressUpdate], None]


def prove_or_certify(
    group: IsotropyGroup,
    max_loss: float,
    *,
    fallback: Callable[[], list],
    options: ProveOptions | None = None,
    progress=None,
) -> ProofResult:
    """:func:`prove_critical_points` when :func:`proof_scope` allows it; otherwise certify.

    Out of reach (and ``options.force`` not set), ``fallback()`` supplies the
    coordinates of the points found by the search; each one with loss at most
    ``max_loss`` is certified with
    :func:`~symbreak.certify.certify_critical_point`, and the result says
    ``complete=False`` with the reason (the search's own saturation statistic
    is the evidence of completeness then).
    """
    opts = ProveOptions() if options is None else options
    ok, scope = proof_scope(group)
    if ok or opts.force:
        return prove_critical_points(group, max_loss, options=opts, progress=progress)
    from ..certify.certificate import certify_critical_point

    t0 = time.process_time()
    certs = []
    fsys = ReducedSystem(group)
    for c in fallback():
        if fsys.loss(np.asarray(c, dtype=float)) <= float(max_loss) + 1e-9:
            certs.append(certify_critical_point(group, c))
    certs.sort(key=lambda c: c.loss[0] if c.loss else math.inf)
    return ProofResult(
        group=group,
        max_loss=float(max_loss),
        complete=False,
        points=tuple(certs),
        undecided=(),
        boxes=0,
        excluded={name: 0 for name in _EXCLUDED},
        radius=a_priori_radius(group.k, float(max_loss)),
        cpu_time=time.process_time() - t0,
        notes=(
            scope,
            "no proof of completeness: every point found by the search is certified instead",
        ),
    )
