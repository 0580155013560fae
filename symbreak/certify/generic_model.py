r"""The compressed index model in generic arithmetic (floats, mpmath, arb balls).

A second, independent implementation of :mod:`symbreak.reduced.evaluate`: it
shares only the *layout* (which explicit rows and columns stand for which
entries of ``W``, and their weights — the definition of the model) and none of
the arithmetic.  Everything is written with ``+ − × /`` and the back-end's
``sqrt``/``atan2`` (:mod:`symbreak.certify._arith`), so the same code gives

* float values (checked against the float64 :class:`~symbreak.reduced.ReducedSystem`),
* 50+-digit values (``mpmath``) for the asymptotic series,
* rigorous enclosures (``arb`` balls) over boxes of coordinates, and even over
  an interval of ``k``, for the certificates.

With explicit rows ``p`` (weights ``ω_p``), ordered pairs (weights ``Ω_pq``),
columns ``c`` (weights ``a_c``) and teacher weights ``t_c`` (``a_c`` on the
teacher's columns, 0 elsewhere),

.. math::

    L = \tfrac14 \sum_p ω_p |w_p|^2 + \tfrac12 \sum_{p,q} Ω_{pq} κ(w_p, w_q)
        − \sum_{p,c} ω_p t_c κ(w_p, e_c) + \tfrac k4 + \tfrac{k(k−1)}{4π},

    DL[U] = \sum_p A_p\, u_p·w_p + \sum_{p,q} Ω_{pq} β_{pq}\, u_p·w_q
            − \sum_{p,c} ω_p t_c β_{pc} U_{pc},\qquad
    A_p = \tfrac12 ω_p + \sum_q Ω_{pq} α_{pq} − \sum_c ω_p t_c α_{pc},

    D^2L[U, Ũ] = \sum_p D_p\, u_p·ũ_p − \sum_p E_p (u_p·\bar w_p)(ũ_p·\bar w_p)
        + \sum_{p,q} Ω_{pq}\bigl[β_{pq} u_p·ũ_q + ε_{pq}(u_p·\bar w_p)(ũ_q·\bar w_q)
        + δ_{pq}(u_p·r_{q|p})(ũ_p·r_{q|p}) + δ_{pq}(u_p·r_{q|p})(ũ_q·r_{p|q})\bigr]
        − \sum_{p,c} ω_p t_c δ_{pc} (u_p·r_{c|p})(ũ_p·r_{c|p}),

with ``E_p = Σ_q Ω_pq γ_pq − Σ_c ω_p t_c γ_pc``, ``D_p = ½ω_p + E_p``, the
kernel coefficients ``α = γ = |w∧v|/(2π|w|²)``, ``β = (π − θ)/(2π)``,
``ε = |w∧v|/(2π|w||v|)``, ``δ = 1/(2π|w∧v|)`` and the rejections
``r_{q|p} = w_q − (w_q·\bar w_p)\bar w_p`` (``r_{c|p}`` for the teacher
``e_c``).  The bilinear form is symmetrised, ``B = (X + X^T)/2`` (the
compressed expression is exact on the diagonal, hence its symmetric part is the
exact second derivative).

Accuracy choices that matter for enclosures:

* ``|w∧v|²`` by Lagrange's identity
  ``Σ_{c<c'} a_c a_{c'} (w_c v_{c'} − w_{c'} v_c)²`` (a sum of squares, tight
  near parallel rows) and, for a teacher ``e_c``,
  ``Σ_{c'≠c} a_{c'} w_{c'}^2 + (a_c − 1) w_c^2`` — never ``|w|²|v|² − (w·v)²``;
* the δ-terms are ``0/0`` at parallel rows; they are bounded by
  Cauchy–Schwarz, ``|δ(u·r_{q|p})(ũ·r_{q|p})| ≤ γ|u||ũ|`` and
  ``|δ(u·r_{q|p})(ũ·r_{p|q})| ≤ ε|u||ũ|`` (see
  :meth:`~symbreak.certify._arith.ArbArithmetic.small_term`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ..errors import NotDifferentiableError
from ..reduced.layout import layout_for
from ..representation.isotropy import K_SYMBOL, IsotropyGroup
from ..representation.isotypic import IsotypicComponent, isotypic_decomposition

__all__ = ["GenericReducedSystem", "GenericBlock", "exact_size_polynomials"]


def _fraction(c) -> Fraction:
    c = sp.nsimplify(c) if isinstance(c, sp.Float) and float(c).is_integer() else c
    if isinstance(c, sp.Rational):
        return Fraction(int(c.p), int(c.q))
    return Fraction(float(c))


def exact_size_polynomials(group: IsotropyGroup) -> tuple[tuple[Fraction, ...], ...]:
    """Coefficients (highest degree first, exact) of every block size as a polynomial in k."""
    out = []
    for f in group.factors:
        if f.expr.free_symbols:
            coeffs = sp.Poly(f.expr, K_SYMBOL).all_coeffs()
        else:
            coeffs = [f.expr]
        out.append(tuple(_fraction(c) for c in coeffs))
    return tuple(out)


@dataclass(frozen=True)
class GenericBlock:
    """The pencil ``(B, G)`` of one isotypic component, entries in the back-end's numbers.

    ``A_χ = G^{-1/2} B G^{-1/2}``; its eigenvalues are those of ``B x = λ G x``.
    """

    component: IsotypicComponent
    B: list
    G: list

    @property
    def label(self) -> str:
        return self.component.label


class _LayoutData:
    """Weights and sparse copy patterns of one layout, in the back-end's numbers."""

    def __init__(self, system: GenericReducedSystem, marks: tuple[int, ...]):
        A = system.arith
        lay = layout_for(system.group, marks)
        self.layout = lay
        row_w, pair_w, col_w = lay.weights(system.sizes, xp=None)
        conv = _converter(A)
        self.row_w = [conv(x) for x in row_w]
        self.pair_w = [[conv(x) for x in r] for r in pair_w]
        self.col_w = [conv(x) for x in col_w]
        P, C = len(lay.rows), len(lay.cols)
        self.P, self.C = P, C
        self.cols = [c for c in range(C) if not A.is_zero(self.col_w[c])]
        self.pairs = [
            (p, q)
            for p in range(P)
            for q in range(P)
            if p != q and not A.is_zero(self.pair_w[p][q])
        ]
        self.teacher = [
            c for c in self.cols if bool(lay.teacher_cols[c]) and not A.is_zero(self.col_w[c])
        ]
        self.geom_pairs = sorted({(min(p, q), max(p, q)) for p, q in self.pairs})
        self.rows_used = sorted(
            {p for p in range(P) if not A.is_zero(self.row_w[p])}
            | {p for pq in self.pairs for p in pq}
        )
        a = self.col_w
        cols = self.cols
        self.col_pairs = [
            (cols[i], cols[j], a[cols[i]] * a[cols[j]])
            for i in range(len(cols))
            for j in range(i + 1, len(cols))
        ]
        self.idx = lay.coord_index
        self.n_coord_slots = int(lay.coord_index.max()) + 1


def _converter(A):
    def conv(x):
        if isinstance(x, int):
            return x if x in (0, 1) else A.number(x)
        if isinstance(x, (float, Fraction)):
            return A.number(x)
        return x

    return conv


def _sparse_patterns(U: np.ndarray) -> list[dict[int, list[tuple[int, object]]]]:
    """Per direction: row -> [(column, value)] for the nonzero entries (ints when integral)."""
    out = []
    for Ua in U:
        rows: dict[int, list] = {}
        for p, c in zip(*np.nonzero(Ua)):
            v = float(Ua[p, c])
            v = int(v) if v.is_integer() else v
            rows.setdefault(int(p), []).append((int(c), v))
        out.append(rows)
    return out


class GenericReducedSystem:
    r"""Loss, gradient, Hessian and Hessian blocks of ``L`` on ``Fix(H)`` in any arithmetic.

    Parameters
    ----------
    group : IsotropyGroup
        Fixes the structure (blocks, isotypic decomposition).
    arith : FloatArithmetic, MPArithmetic or ArbArithmetic
        The number system.  Call the methods inside ``with arith:``.
    k : number, optional
        The value of ``k`` in the back-end's numbers (for example an ``arb``
        ball: then every output encloses its values over that interval of
        ``k``).  Default: ``group.k`` converted exactly.

    Notes
    -----
    The block sizes are the spec's polynomials in ``k`` evaluated in the
    back-end (exact rational coefficients); no quantity grows with ``k``.
    """

    def __init__(self, group: IsotropyGroup, arith, *, k=None):
        if not isinstance(group, IsotropyGroup):
            raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
        self.group = group
        self.arith = arith
        with arith:
            self.k = arith.number(Fraction(group.k)) if k is None else arith.number(k)
            self.sizes = [self._poly(c) for c in exact_size_polynomials(group)]
        self._layouts: dict[tuple[int, ...], _LayoutData] = {}
        self._components = isotypic_decomposition(group)
        triv = self._components[0]
        self._basis = None
        self._triv = triv
        self.dim = triv.multiplicity

    def _poly(self, coeffs):
        A = self.arith
        out = A.number(0)
        for c in coeffs:
            out = out * self.k + A.number(c)
        return out

    def _data(self, marks: tuple[int, ...]) -> _LayoutData:
        if marks not in self._layouts:
            self._layouts[marks] = _LayoutData(self, marks)
        return self._layouts[marks]

    def _coords(self, coords):
        if len(coords) != self.dim:
            raise ValueError(
                f"Fix({self.group.name}) has {self.dim} coordinates, got {len(coords)}"
            )
        A = self.arith
        return [c if not isinstance(c, (int, float, Fraction)) else A.number(c) for c in coords]

    def state(
        self,
        coords,
        marks: tuple[int, ...] | None = None,
        *,
        row_scales: dict | None = None,
        zero_rows_ok: bool = False,
    ) -> _State:
        """The compressed model at ``coords`` for the layout with ``marks`` (default none).

        Parameters
        ----------
        row_scales : dict, optional
            ``{row block t: s_t}``: the rows of block ``t`` are ``s_t`` times
            the rows given by ``coords`` (a *blow-up chart* of the face where
            block ``t`` vanishes, ``s_t ≥ 0``; ``s_t`` may be a ball containing
            0).  Loss and gradient (with respect to the true coordinates
            ``s_t c_t``) stay bounded as ``s_t → 0``; the Hessian is not
            available in this form.
        zero_rows_ok : bool
            Allow rows that may vanish (only the loss is then available; every
            kernel value is enclosed using ``0 ≤ κ(w, v) ≤ |w||v|/2``).
        """
        marks = (0,) * len(self.group.factors) if marks is None else tuple(marks)
        return _State(
            self,
            self._data(marks),
            self._coords(coords),
            row_scales=row_scales,
            zero_rows_ok=zero_rows_ok,
        )

    def _triv_patterns(self):
        if self._basis is None:
            data = self._data((0,) * len(self.group.factors))
            U = np.stack([data.layout.copy_pattern(self._triv.irrep, c) for c in self._triv.copies])
            self._basis = _sparse_patterns(U)
        return self._basis

    # ----------------------------------------------------------------- API
    def loss(self, coords):
        """``L(W(c))``."""
        return self.state(coords).loss()

    def gradient(self, coords) -> list:
        """``∂L/∂c_o`` (list of length ``dim``)."""
        return self.state(coords).gradient_form(self._triv_patterns())

    def hessian(self, coords) -> list:
        """``∂²L/∂c_o∂c_{o'}`` (``dim × dim`` nested list, symmetric)."""
        return self.state(coords).hessian_form(self._triv_patterns())

    def loss_gradient_hessian(self, coords):
        st = self.state(coords)
        U = self._triv_patterns()
        return st.loss(), st.gradient_form(U), st.hessian_form(U)

    def components(self) -> tuple[IsotypicComponent, ...]:
        return self._components

    def blocks(self, coords, *, components=None) -> list[GenericBlock]:
        """The pencils ``(B, G)`` of every isotypic component (or of ``components``)."""
        c = self._coords(coords)
        comps = self._components if components is None else components
        out = []
        states: dict[tuple[int, ...], _State] = {}
        for comp in comps:
            marks = comp.irrep.marks()
            if marks not in states:
                states[marks] = _State(self, self._data(marks), c)
            st = states[marks]
            U = np.stack([st.data.layout.copy_pattern(comp.irrep, cv) for cv in comp.copies])
            sp_u = _sparse_patterns(U)
            out.append(GenericBlock(component=comp, B=st.hessian_form(sp_u), G=st.gram(sp_u)))
        return out


class _Kernel:
    """Kernel coefficients of one ordered pair (see the module docstring)."""

    __slots__ = ("wedge", "kappa", "alpha", "beta", "eps")

    def __init__(self, two_pi, beta, nw, nv, dot, wedge, nw2):
        self.wedge = wedge
        self.beta = beta
        self.kappa = wedge / two_pi + beta * dot
        self.alpha = wedge / (two_pi * nw2)  # = γ (nw2 = |w|², tighter than nw·nw for balls)
        self.eps = wedge / (two_pi * nw * nv)


def _scaled(s, x):
    """``s·x`` (``s = None`` stands for 1)."""
    return x if s is None else s * x


def _beta(A, two_pi, wedge, dot):
    """``(π − θ)/(2π)`` with ``θ = atan2(|w∧v|, w·v)``."""
    return (A.pi - A.atan2(wedge, dot)) / two_pi


class _State:
    """Geometry of ``W`` on one layout (rows, pairs, teacher columns)."""

    def __init__(
        self,
        system: GenericReducedSystem,
        data: _LayoutData,
        coords: list,
        *,
        row_scales: dict | None = None,
        zero_rows_ok: bool = False,
    ):
        A = system.arith
        self.system, self.data, self.A = system, data, A
        self.zero_rows_ok = zero_rows_ok
        # s_p per explicit row (None: 1), from the scales of the row blocks
        self.scale = [
            None if not row_scales else row_scales.get(t) for t, _lab in data.layout.rows
        ]
        self.two_pi = 2 * A.pi
        zero = A.number(0)
        cvals = list(coords) + [zero] * (data.n_coord_slots - len(coords))
        idx = data.idx
        P, C = data.P, data.C
        W = [[cvals[idx[p, c]] for c in range(C)] for p in range(P)]
        self.W = W
        a = data.col_w
        cols = data.cols
        n2 = [None] * P
        nrm = [None] * P
        self.maybe_zero = False
        for p in data.rows_used:
            s = sum((a[c] * A.square(W[p][c]) for c in cols), zero)
            if not A.is_positive(s) and zero_rows_ok:
                self.maybe_zero = True
                n2[p] = s
                nrm[p] = A.sqrt_nonneg(s)
                continue
            if not A.is_positive(s):
                t, _lab = data.layout.rows[p]
                raise NotDifferentiableError(
                    f"a row of block {t + 1} may vanish at coordinates "
                    f"{[A.to_float(x) for x in coords]}: the loss is not differentiable there"
                )
            n2[p] = s
            nrm[p] = A.sqrt(s)
        self.n2, self.nrm = n2, nrm
        # student pairs: geometry of both orders of every pair with a weight
        self.dot: dict[tuple[int, int], object] = {}
        self.pk: dict[tuple[int, int], _Kernel] = {}
        for p, q in data.geom_pairs:
            d = sum((a[c] * W[p][c] * W[q][c] for c in cols), zero)
            w2 = sum(
                (
                    aa * A.square(W[p][i] * W[q][j] - W[p][j] * W[q][i])
                    for i, j, aa in data.col_pairs
                ),
                zero,
            )
            wedge = A.sqrt_nonneg(w2)
            beta = _beta(A, self.two_pi, wedge, d)
            self.dot[(p, q)] = self.dot[(q, p)] = d
            self.pk[(p, q)] = _Kernel(self.two_pi, beta, nrm[p], nrm[q], d, wedge, n2[p])
            self.pk[(q, p)] = _Kernel(self.two_pi, beta, nrm[q], nrm[p], d, wedge, n2[q])
        # teacher columns: |w_p ∧ e_c|² = Σ_{c'≠c} a_c' w_c'² + (a_c − 1) w_c²
        self.tk: dict[tuple[int, int], _Kernel] = {}
        one = A.number(1)
        for p in data.rows_used:
            if A.is_zero(data.row_w[p]):
                continue
            sq = [a[c] * A.square(W[p][c]) for c in cols]
            for c in data.teacher:
                w2 = sum((sq[i] for i, c2 in enumerate(cols) if c2 != c), zero)
                extra = a[c] - 1
                if not A.is_zero(extra):
                    w2 = w2 + extra * A.square(W[p][c])
                wedge = A.sqrt_nonneg(w2)
                beta = _beta(A, self.two_pi, wedge, W[p][c])
                self.tk[(p, c)] = _Kernel(self.two_pi, beta, nrm[p], one, W[p][c], wedge, n2[p])

    # ------------------------------------------------------------------ loss
    def loss(self):
        A, d = self.A, self.data
        k = self.system.k
        s = self.scale
        out = A.number(0)
        for p in d.rows_used:
            if not A.is_zero(d.row_w[p]):
                out += _scaled(s[p], _scaled(s[p], d.row_w[p] * self.n2[p] / 4))
        for p, q in d.pairs:
            kap = self._kappa(self.pk[(p, q)], p, q)
            out += _scaled(s[p], _scaled(s[q], d.pair_w[p][q] * kap / 2))
        for (p, c), kc in self.tk.items():
            out -= _scaled(s[p], d.row_w[p] * d.col_w[c] * self._kappa(kc, p, None))
        out += k / 4 + k * (k - 1) / (2 * self.two_pi)
        return out

    def _kappa(self, kern, p, q):
        """``κ``, with ``0 ≤ κ ≤ |w||v|/2`` imposed where a row may vanish."""
        if not self.maybe_zero:
            return kern.kappa
        A = self.A
        top = self.nrm[p] * (self.nrm[q] if q is not None else 1) / 2
        hull = A.number(0).union(top)
        k = kern.kappa
        if not k.is_finite() or not k.overlaps(hull):
            return hull
        return k.intersection(hull)

    def _require_rows(self):
        if self.maybe_zero:
            raise ValueError("only the loss is available where a row may vanish")

    # ----------------------------------------------------------- inner products
    def _uw(self, Ua, p, x):
        """Weighted ``u_p·x`` for a sparse row of a direction."""
        a = self.data.col_w
        out = 0
        for c, v in Ua.get(p, ()):
            out = out + a[c] * v * x[c]
        return out

    def _uu(self, Ua, p, Ub, q):
        a = self.data.col_w
        rb = dict(Ub.get(q, ()))
        out = 0
        for c, v in Ua.get(p, ()):
            if c in rb:
                out = out + a[c] * (v * rb[c])
        return out

    def _row_coeffs(self):
        """``Σ_q Ω_pq α_pq − Σ_c ω_p t_c α_pc`` per row (``A_p − ω_p/2`` and ``E_p``)."""
        A, d = self.A, self.data
        zero = A.number(0)
        sa = {p: zero for p in d.rows_used}
        for p, q in d.pairs:
            sa[p] = sa[p] + _scaled(self.scale[q], d.pair_w[p][q] * self.pk[(p, q)].alpha)
        for (p, c), kc in self.tk.items():
            sa[p] = sa[p] - d.row_w[p] * d.col_w[c] * kc.alpha
        return sa

    # -------------------------------------------------------------- gradient
    def gradient_form(self, U: list) -> list:
        """``DL[U_α]`` for sparse directions (see :func:`_sparse_patterns`)."""
        self._require_rows()
        A, d, W, s = self.A, self.data, self.W, self.scale
        sa = self._row_coeffs()
        out = []
        for Ua in U:
            g = A.number(0)
            for p in Ua:
                if p not in sa:
                    continue
                g += (_scaled(s[p], d.row_w[p] / 2) + sa[p]) * self._uw(Ua, p, W[p])
            for p, q in d.pairs:
                if p in Ua:
                    g += _scaled(
                        s[q], d.pair_w[p][q] * self.pk[(p, q)].beta * self._uw(Ua, p, W[q])
                    )
            for (p, c), kc in self.tk.items():
                for c2, v in Ua.get(p, ()):
                    if c2 == c:
                        g -= d.row_w[p] * d.col_w[c] * kc.beta * v
            out.append(g)
        return out

    # --------------------------------------------------------------- Hessian
    def hessian_form(self, U: list) -> list:
        """``D²L[U_α, U_β]`` (symmetrised) for sparse directions."""
        self._require_rows()
        if any(x is not None for x in self.scale):
            raise ValueError("the Hessian is not available in a blow-up chart (row_scales)")
        A, d, W = self.A, self.data, self.W
        N = len(U)
        two_pi = self.two_pi
        rows = d.rows_used
        S = {p: [a for a in range(N) if p in U[a]] for p in rows}
        uwb = {}
        uwq = {}
        unorm = {}
        for p in rows:
            for a in S[p]:
                uwb[(a, p)] = self._uw(U[a], p, W[p]) / self.nrm[p]
                unorm[(a, p)] = A.sqrt_nonneg(A.number(self._uu(U[a], p, U[a], p)))
        for p, q in self.pk:
            for a in S[p]:
                uwq[(a, p, q)] = self._uw(U[a], p, W[q])
        sa = self._row_coeffs()  # E_p
        X = [[A.number(0) for _ in range(N)] for _ in range(N)]

        def add(a, b, val):
            X[a][b] = X[a][b] + val

        for p in rows:
            Dp = d.row_w[p] / 2 + sa[p]
            for a in S[p]:
                for b in S[p]:
                    uu = self._uu(U[a], p, U[b], p)
                    add(a, b, Dp * uu - sa[p] * uwb[(a, p)] * uwb[(b, p)])
        for p, q in d.pairs:
            kp = self.pk[(p, q)]
            Om = d.pair_w[p][q]
            wedge = kp.wedge
            cpq = self.dot[(p, q)] / self.nrm[p]  # (w_q·w̄_p)
            cqp = self.dot[(p, q)] / self.nrm[q]
            ur_p = {a: uwq[(a, p, q)] - cpq * uwb[(a, p)] for a in S[p]}  # u_p·r_{q|p}
            ur_q = {b: uwq[(b, q, p)] - cqp * uwb[(b, q)] for b in S[q]}  # u_q·r_{p|q}
            for a in S[p]:
                for b in S[p]:
                    t1 = A.small_term(
                        wedge, ur_p[a] * ur_p[b], two_pi, kp.alpha * unorm[(a, p)] * unorm[(b, p)]
                    )
                    add(a, b, Om * t1)
                for b in S[q]:
                    val = kp.beta * self._uu(U[a], p, U[b], q) + kp.eps * uwb[(a, p)] * uwb[(b, q)]
                    val = val + A.small_term(
                        wedge, ur_p[a] * ur_q[b], two_pi, kp.eps * unorm[(a, p)] * unorm[(b, q)]
                    )
                    add(a, b, Om * val)
        for (p, c), kc in self.tk.items():
            coef = d.row_w[p] * d.col_w[c]
            if not S[p]:
                continue
            wpc = W[p][c] / self.nrm[p]
            ut = {}
            for a in S[p]:
                uc = 0
                for c2, v in U[a].get(p, ()):
                    if c2 == c:
                        uc = v
                ut[a] = uc - wpc * uwb[(a, p)]  # u·r_{e_c|w_p}
            for a in S[p]:
                for b in S[p]:
                    t3 = A.small_term(
                        kc.wedge, ut[a] * ut[b], two_pi, kc.alpha * unorm[(a, p)] * unorm[(b, p)]
                    )
                    add(a, b, -coef * t3)
        return [[(X[a][b] + X[b][a]) / 2 for b in range(N)] for a in range(N)]

    def gram(self, U: list) -> list:
        """``⟨U_α, U_β⟩`` (Frobenius inner product of the full matrices)."""
        A, d = self.A, self.data
        N = len(U)
        G = [[A.number(0) for _ in range(N)] for _ in range(N)]
        for a in range(N):
            for b in range(a, N):
                s = A.number(0)
                for p in U[a]:
                    if p in U[b] and not A.is_zero(d.row_w[p]):
                        s += d.row_w[p] * self._uu(U[a], p, U[b], p)
                G[a][b] = G[b][a] = s
        return G
