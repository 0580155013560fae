r"""The box tests of :mod:`symbreak.critical.prove` for a whole batch of boxes at once.

Every test of the proof (a priori bound, Hermite column-sum contraction,
natural and Hermite loss bounds, gradient enclosure, second-order centred
loss bound, Krawczyk exclusion/contraction) is evaluated for ``N`` boxes in a
few numpy calls with the vectorised float64 interval back-end
(:data:`~symbreak.reduced.arithmetic.INTERVAL64`, every operation rounded
outward) on the one compressed model
(:meth:`~symbreak.reduced.generic.GenericReducedSystem.batch_state`).  The
tests only ever *exclude*, *shrink* (Krawczyk: every zero of the box lies in
``K(X) ∩ X``) or *split* boxes; a box that may hold a certifiable root (``K(X)
⊂ int X``, or float Newton converges inside it) is handed to the per-box
``arb`` path (tight balls), which certifies it.  So the float intervals decide
what is *not* there; every reported point is certified in ``arb``.

A box that cannot be evaluated (overflow, a possibly vanishing row) gets the
whole line as enclosure, which excludes nothing.
"""

from __future__ import annotations

import math

import numpy as np

from ..reduced import _interval64 as iv
from ..reduced.arithmetic import INTERVAL64

__all__ = ["BatchModel", "batch_outcomes"]


class BatchModel:
    """The interval data of a :class:`~symbreak.critical.prove._Problem` (built once)."""

    def __init__(self, P):
        from ..reduced.generic import GenericReducedSystem

        self.sys = GenericReducedSystem(P.group, INTERVAL64)
        self.U = self.sys.trivial_directions()
        layout = self.sys._layout((0,) * len(P.group.factors))[0]
        self.row_block = np.array([t for t, _lab in layout.rows])
        self.k = INTERVAL64.number(P.gsys.k)
        self.sizes = [INTERVAL64.number(s) for s in P.gsys.sizes]
        self.col_coef = {
            b: {o: INTERVAL64.number(a) for o, a in coef.items()} for b, coef in P.col_coef.items()
        }
        rb = {}
        with P.A:
            for b in P.col_blocks:
                r = (P.A.number(8 * P.max_loss) / P.gsys.sizes[b]).sqrt()
                rb[b] = INTERVAL64.number(r)
        self.col_radius = rb
        self.sigma = P.sigma

    # ------------------------------------------------------------ coordinates
    def true_coords(self, P, chart, Z):
        """Model coordinates ``c = σ y(z)`` over the interval boxes ``Z`` (N, dim)."""
        cols = [Z[:, o] for o in range(P.dim)]
        for t, j, sign in chart:
            S = Z[:, j]
            for o in P.block_coords[t]:
                cols[o] = S * float(sign) if o == j else S * Z[:, o]
        return _stack([c * float(self.sigma[o]) for o, c in enumerate(cols)])

    def chart_coords(self, P, chart, Z):
        """Coordinates and per-row scales for the blow-up model (rows of block t are s_t · v_t)."""
        N = Z.shape[0]
        cols = [Z[:, o] for o in range(P.dim)]
        scale = None
        if chart:
            smid = np.ones((N, len(self.row_block)))
            srad = np.zeros((N, len(self.row_block)))
            for t, j, sign in chart:
                S = Z[:, j]
                rows = self.row_block == t
                smid[:, rows] = S.mid[:, None]
                srad[:, rows] = S.rad[:, None]
                cols[j] = iv.IntervalArray(np.full(N, float(sign)))
            scale = iv.IntervalArray(smid, srad, _checked=False)
        C = _stack([c * float(self.sigma[o]) for o, c in enumerate(cols)])
        return C, scale

    def dc_dz(self, P, chart, Z):
        """Enclosure of the Jacobian ``∂c/∂z`` of the chart map, shape (N, dim, dim)."""
        N, n = Z.shape
        mid = np.zeros((N, n, n))
        rad = np.zeros((N, n, n))
        charted = {}
        for t, j, sign in chart:
            for o in P.block_coords[t]:
                charted[o] = (j, sign)
        for o in range(n):
            sg = float(self.sigma[o])
            if o not in charted:
                mid[:, o, o] = sg
                continue
            j, sign = charted[o]
            if o == j:
                mid[:, o, j] = sg * sign
            else:
                a, b = Z[:, o] * sg, Z[:, j] * sg
                mid[:, o, j], rad[:, o, j] = a.mid, a.rad
                mid[:, o, o], rad[:, o, o] = b.mid, b.rad
        return iv.IntervalArray(mid, rad, _checked=False)

    def state(self, C, scale=None):
        """The batched state and the mask of boxes on which no row may vanish."""
        st = self.sys.batch_state(C, row_scale=scale, zero_rows_ok=True)
        ok = np.all(INTERVAL64.apositive(st.n2), axis=1)
        return st, ok

    def smooth_state(self, C, scale=None):
        """A state on which gradient and Hessian are available, for the boxes ``ok``."""
        st, ok = self.state(C, scale)
        if st.maybe_zero and np.any(ok):
            sub = None if scale is None else scale[ok]
            st = self.sys.batch_state(C[ok], row_scale=sub)
        return st, ok


def _stack(cols):
    return iv.IntervalArray(
        np.stack([c.mid for c in cols], axis=1),
        np.stack([c.rad for c in cols], axis=1),
        _checked=False,
    )


def hermite_lower(B: BatchModel, P, st, C) -> np.ndarray:
    r"""Float lower bounds of ``L`` on each box from the Hermite degrees 0, 1, 2.

    The bound of :func:`symbreak.critical.prove.hermite_loss_bound`,

    .. math::

        2L ≥ \frac{(\sum_i |w_i| − k)^2}{2π} + \frac{\|\sum_i w_i − \sum_j e_j\|^2}{4}
             + \frac{\max(0, \|M_W − M_V\|_F^2)}{4π},

    evaluated over a batch (``st`` the state at the true coordinates ``C``).  Where
    a row may vanish, the degree-2 terms are enclosed by their bounds
    ``0 ≤ (w_p·w_q)²/(|w_p||w_q|) ≤ |w_p||w_q|`` and ``0 ≤ Σ_c (w_p)_c²/|w_p| ≤ |w_p|``.
    """
    wts = st.weights
    rowmask = wts.row.nonzero_mask()
    rows = [p for p in range(st.n2.shape[1]) if rowmask[p]]
    pi = INTERVAL64.pi
    s0 = sum(wts.row[p] * st.norms[:, p] for p in rows)
    total = INTERVAL64.asquare(s0 - B.k) / (2 * pi)
    s1 = 0
    for b in P.col_blocks:
        cs = 0
        for o, pat, a in P.col_terms[b]:
            mult = 1 if pat == "diag" else (B.sizes[a] - 1 if pat == "off" else B.sizes[a])
            cs = cs + mult * C[:, o]
        if P.teacher_block[b]:
            cs = cs - 1
        s1 = s1 + B.sizes[b] * INTERVAL64.asquare(cs)
    total = total + s1 / 4
    ncols = st.W.shape[2]
    tmask = wts.teacher.nonzero_mask()
    pmask = wts.pair.nonzero_mask()
    m2 = B.k
    norms = st.norms
    for p in rows:
        m2 = m2 + wts.row[p] * st.n2[:, p]
        tw = sum(
            wts.teacher[c] * INTERVAL64.asquare(st.W[:, p, c]) for c in range(ncols) if tmask[c]
        )
        # Σ_c w_c²/|w| over the teacher columns lies in [0, |w|] (bounded where |w| → 0)
        m2 = m2 - 2 * wts.row[p] * iv.hull_intersect(tw / norms[:, p], 0.0, norms[:, p].upper())
    for p in range(st.n2.shape[1]):
        for q in range(st.n2.shape[1]):
            if p != q and pmask[p, q]:
                top = (norms[:, p] * norms[:, q]).upper()  # (w_p·w_q)²/(|w_p||w_q|) ≤ |w_p||w_q|
                term = INTERVAL64.asquare(st.gs.dot[:, p, q]) / (norms[:, p] * norms[:, q])
                m2 = m2 + wts.pair[p, q] * iv.hull_intersect(term, 0.0, top)
    m2lo = m2.lower()
    m2lo = np.where(np.isfinite(m2lo) & (m2lo > 0), m2lo, 0.0)  # ‖M_W − M_V‖² ≥ max(lo, 0)
    lb = (total + iv.IntervalArray(m2lo) / (4 * pi)) / 2
    out = lb.lower()
    return np.where(np.isfinite(out), out, -math.inf)


def _norm2_lower(P, chart, lo, hi) -> np.ndarray:
    """:meth:`_Problem.norm2_lower` for a batch of boxes of one chart."""
    sq = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(lo * lo, hi * hi))
    w = P.weight
    charted = {t: j for t, j, _s in chart}
    total = np.zeros(lo.shape[0])
    for o in range(P.dim):
        if P.block_of[o] not in charted:
            total += w[o] * sq[:, o]
    for t, j in charted.items():
        vs = w[j] + sum(w[o] * sq[:, o] for o in P.block_coords[t] if o != j)
        total += sq[:, j] * vs
    return total * (1 - 1e-12)


def _contract_column_sums(B: BatchModel, P, lo, hi):
    """Batched :func:`symbreak.critical.prove._contract_column_sums`: (alive mask, lo, hi)."""
    lo, hi = lo.copy(), hi.copy()
    alive = np.ones(lo.shape[0], dtype=bool)
    for b in P.col_blocks:
        coef = B.col_coef[b]
        if not coef:
            continue
        rb = B.col_radius[b]
        t0 = 1.0 if P.teacher_block[b] else 0.0
        target = iv.from_bounds(t0 - rb.upper(), t0 + rb.upper())
        for _sweep in range(2):
            Y = {o: iv.from_bounds(lo[:, o], hi[:, o]) for o in coef}
            terms = {o: coef[o] * Y[o] for o in coef}
            total = sum(terms.values())
            disjoint = (total.lower() > target.upper()) | (total.upper() < target.lower())
            alive &= ~disjoint
            for o, a in coef.items():
                rest = sum((terms[q] for q in coef if q != o), iv.IntervalArray(0.0))
                yo = (target - rest) / a
                ylo, yhi = yo.lower(), yo.upper()
                fin = np.isfinite(ylo) & np.isfinite(yhi)
                nlo = np.where(fin, np.maximum(lo[:, o], ylo), lo[:, o])
                nhi = np.where(fin, np.minimum(hi[:, o], yhi), hi[:, o])
                empty = nlo > nhi
                alive &= ~empty
                lo[:, o] = np.where(empty, lo[:, o], nlo)
                hi[:, o] = np.where(empty, hi[:, o], nhi)
                Y[o] = iv.from_bounds(lo[:, o], hi[:, o])
                terms[o] = a * Y[o]
    return alive, lo, hi


def _excludes_zero(G) -> np.ndarray:
    return np.any((G.lower() > 0) | (G.upper() < 0), axis=1)


def batch_outcomes(P, boxes: list) -> list:
    """Outcomes of :func:`symbreak.critical.prove._box_outcome` for a list of boxes."""
    out: list = [None] * len(boxes)
    groups: dict = {}
    for i, b in enumerate(boxes):
        groups.setdefault(b[0], []).append(i)
    for chart, idx in groups.items():
        _chart_batch(P, chart, [boxes[i] for i in idx], idx, out)
    return out


def _chart_batch(P, chart, boxes, idx, out) -> None:  # noqa: C901 - one pipeline of tests
    from . import prove as pv

    B = P.batch
    N = len(boxes)
    lo = np.array([b[1] for b in boxes], dtype=float)
    hi = np.array([b[2] for b in boxes], dtype=float)
    live = np.arange(N)

    def done(mask, outcome):
        nonlocal live
        for i in live[mask]:
            out[idx[i]] = outcome(i)
        live = live[~mask]

    def excluded(reason):
        return lambda _i: ("excluded", reason)

    done(_norm2_lower(P, chart, lo, hi) > P.R * P.R, excluded("a_priori"))
    if not chart and live.size:
        alive, nlo, nhi = _contract_column_sums(B, P, lo[live], hi[live])
        lo[live], hi[live] = nlo, nhi
        done(~alive, excluded("loss"))
    if not live.size:
        return
    Z = iv.from_bounds(lo[live], hi[live])
    C, scale = B.chart_coords(P, chart, Z)
    st, rows_ok = B.state(C, scale)
    L = st.loss()
    Llo, Lhi = L.lower(), L.upper()
    if chart:
        Ct = B.true_coords(P, chart, Z)
        hst, _ = B.state(Ct)
    else:
        Ct, hst = C, st
    Llo = np.maximum(Llo, hermite_lower(B, P, hst, Ct))
    loss_of = {int(i): (float(a), float(b)) for i, a, b in zip(live, Llo, Lhi)}

    def sel(mask):  # restrict the per-live arrays
        nonlocal Z, C, Ct, scale, rows_ok
        Z, C, Ct, rows_ok = Z[mask], C[mask], Ct[mask], rows_ok[mask]
        scale = None if scale is None else scale[mask]

    drop = Llo > P.max_loss
    done(drop, excluded("loss"))
    sel(~drop)

    def split(reason, smear=None):
        def f(i):
            b = (chart, tuple(lo[i]), tuple(hi[i]))
            w = [h - l_ for l_, h in zip(lo[i], hi[i])]
            sm = None if smear is None else smear.get(int(i))
            return pv._split_or_undecided(P, b, w, loss_of[int(i)], reason, sm)

        return f

    # a row may vanish: only the loss is known
    mask = ~rows_ok
    done(mask, split("a row may vanish in the box"))
    sel(~mask)
    if not live.size:
        return
    st, _ = B.smooth_state(C, scale)
    G = st.gradient_form(B.U)
    mask = _excludes_zero(G)
    done(mask, excluded("gradient"))
    sel(~mask)
    G = G[~mask]
    # first-order mean-value form in box coordinates: L(m) + (∂c/∂z(Z)ᵀ ∇_c L(Z))·(Z − m)
    mid = 0.5 * (lo[live] + hi[live])
    cm = B.true_coords(P, chart, iv.IntervalArray(mid))
    mst, ok = B.state(cm)
    D = B.dc_dz(P, chart, Z)
    Gz = np.einsum("nio,ni->no", D, G)
    Lmv = mst.loss() + np.einsum("no,no->n", Gz, Z - mid)
    mask = ok & (Lmv.lower() > P.max_loss)
    done(mask, excluded("loss"))
    sel(~mask)
    G = G[~mask]
    smear = None
    if not chart:
        gmax = np.maximum(np.abs(G.lower()), np.abs(G.upper()))
        sm = B.sigma[None, :] * gmax * (hi[live] - lo[live])
        smear = {int(i): list(map(float, row)) for i, row in zip(live, sm)}
    else:
        touch = np.zeros(live.size, dtype=bool)
        for _t, j, _s in chart:
            touch |= lo[live, j] <= 0
        done(touch, split("blow-up chart touching a zero-row face"))
        sel(~touch)
    if not live.size:
        return
    # smooth boxes: Hessian over the box, centred loss bound, Krawczyk
    hst, ok = B.smooth_state(Ct)
    done(~ok, split("model not evaluable", smear))
    sel(ok)
    if not live.size:
        return
    H = hst.hessian_form(B.U)
    mid = 0.5 * (lo[live] + hi[live])
    cm = B.true_coords(P, chart, iv.IntervalArray(mid))
    sm_state, ok = B.smooth_state(cm)
    if not np.all(ok):  # pragma: no cover - the centre of a smooth box has no zero row
        done(~ok, split("model not evaluable", smear))
        sel(ok)
        H, mid, cm = H[ok], mid[ok], cm[ok]
        sm_state, _ = B.smooth_state(cm)
        if not live.size:
            return
    Gm = sm_state.gradient_form(B.U)
    h = Ct - cm
    # mean-value form of the gradient: ∇L(X) ⊆ ∇L(m) + ∇²L(X)(X − m)
    mask = _excludes_zero(Gm + np.einsum("nij,nj->ni", H, h))
    if np.any(mask):
        done(mask, excluded("gradient"))
        keep = ~mask
        sel(keep)
        H, mid, cm, Gm, h = H[keep], mid[keep], cm[keep], Gm[keep], h[keep]
        sm_state, _ = B.smooth_state(cm)
        if not live.size:
            return
    Lc = sm_state.loss() + np.einsum("no,no->n", Gm, h)
    Lc = Lc + np.einsum("ni,nij,nj->n", h, H, h) / 2
    mask = Lc.lower() > P.max_loss
    done(mask, excluded("loss"))
    keep = ~mask
    sel(keep)
    H, mid, Gm, Lc = H[keep], mid[keep], Gm[keep], Lc[keep]
    for i, a, b in zip(live, Lc.lower(), Lc.upper()):
        l0, l1 = loss_of[int(i)]
        loss_of[int(i)] = (max(l0, float(a)), min(l1, float(b)))
    if not live.size:
        return
    # Krawczyk in box coordinates z: F(z) = ∇_c L(c(z)), J(Z) = ∇²_c L(C(Z)) ∂c/∂z(Z)
    D = B.dc_dz(P, chart, Z)
    J = np.einsum("nim,nmj->nij", H, D)
    Jm = J.mid
    n = P.dim
    Y = np.full(Jm.shape, np.nan)
    good = np.all(np.isfinite(Jm), axis=(1, 2)) & np.all(np.isfinite(J.rad), axis=(1, 2))
    good &= np.abs(np.linalg.det(np.where(good[:, None, None], Jm, np.eye(n)))) > 0
    if np.any(good):
        try:
            Y[good] = np.linalg.inv(Jm[good])
        except np.linalg.LinAlgError:
            for m in np.nonzero(good)[0]:
                try:
                    Y[m] = np.linalg.inv(Jm[m])
                except np.linalg.LinAlgError:
                    good[m] = False
    good &= np.all(np.isfinite(Y), axis=(1, 2))
    done(~good, split("Jacobian not invertible", smear))
    sel(good)
    Y, J, Gm, mid = Y[good], J[good], Gm[good], mid[good]
    if not live.size:
        return
    YF = np.einsum("nij,nj->ni", Y, Gm)
    M = np.eye(n)[None] - np.einsum("nim,nmj->nij", Y, J)
    K = (iv.IntervalArray(mid) - YF) + np.einsum("nij,nj->ni", M, Z - mid)
    Klo, Khi = K.lower(), K.upper()
    zlo, zhi = lo[live], hi[live]
    disjoint = np.any((Khi < zlo) | (Klo > zhi), axis=1)
    done(disjoint, excluded("krawczyk"))
    keep = ~disjoint
    sel(keep)
    Klo, Khi, zlo, zhi, mid = Klo[keep], Khi[keep], zlo[keep], zhi[keep], mid[keep]
    inside = np.all((Klo > zlo) & (Khi < zhi), axis=1)
    # a root is certified in arb (tight balls) by the per-box path
    done(inside, lambda i: pv._box_outcome(P, (chart, tuple(lo[i]), tuple(hi[i]))))
    keep = ~inside
    sel(keep)
    Klo, Khi, zlo, zhi, mid = Klo[keep], Khi[keep], zlo[keep], zhi[keep], mid[keep]
    if not live.size:
        return
    # every zero of the box lies in K ∩ X: shrink when that helps
    nlo, nhi = np.maximum(zlo, Klo), np.minimum(zhi, Khi)
    widths = zhi - zlo
    ratio = np.max((nhi - nlo) / np.maximum(widths, 1e-300), axis=1)
    shrink = ratio < 0.7
    shrunk = {int(i): (tuple(a), tuple(b)) for i, a, b in zip(live, nlo, nhi)}
    done(shrink, lambda i: ("split", [(chart, *shrunk[int(i)])]))
    keep = ~shrink
    zlo, zhi, mid = zlo[keep], zhi[keep], mid[keep]
    if not live.size:
        return
    # float Newton from the centre of the small boxes: a root inside is carved out (arb)
    small = np.max(zhi - zlo, axis=1) <= P.opts.newton_width
    roots = _newton_batch(P, chart, mid[small], zlo[small], zhi[small])
    has = np.zeros(live.size, dtype=bool)
    zroot = {}
    for m, z in zip(np.nonzero(small)[0], roots):
        if z is not None:
            has[m] = True
            zroot[int(live[m])] = z

    def carve(i):
        b = (chart, tuple(lo[i]), tuple(hi[i]))
        res = pv._carve_root(P, b, zroot[int(i)], P.U)
        if res is not None:
            return res
        w = [h_ - l_ for l_, h_ in zip(lo[i], hi[i])]
        sm = None if smear is None else smear.get(int(i))
        return pv._split_or_undecided(P, b, w, loss_of[int(i)], "no test decided the box", sm)

    done(has, carve)
    done(np.ones(live.size, dtype=bool), split("no test decided the box", smear))


def _newton_batch(P, chart, mid, lo, hi, iters: int = 7) -> list:
    """Float Newton (in ``y``) from each centre; the root in box coordinates where it
    converges inside its box, else None (the batched :func:`prove._newton_point`)."""
    M = mid.shape[0]
    out: list = [None] * M
    if M == 0:
        return out
    sig = P.sigma
    y = np.array([P.y_of_z(chart, list(m)) for m in mid], dtype=float)
    reach = 2.0 * np.max(hi - lo, axis=1)
    active = np.ones(M, dtype=bool)
    fs = P.fsys
    with np.errstate(all="ignore"):
        for it in range(iters):
            idx = np.nonzero(active)[0]
            if not idx.size:
                break
            c = sig[None, :] * y[idx]
            diff = fs.differentiable(c)
            active[idx[~diff]] = False
            idx, c = idx[diff], c[diff]
            if not idx.size:
                break
            try:
                g = fs.gradient(c)
                Hc = fs.hessian(c)
            except (ValueError, FloatingPointError):
                active[idx] = False
                break
            fin = np.all(np.isfinite(g), axis=1) & np.all(np.isfinite(Hc), axis=(1, 2))
            fin &= np.abs(np.linalg.det(np.where(fin[:, None, None], Hc, np.eye(P.dim)))) > 0
            active[idx[~fin]] = False
            idx, g, Hc = idx[fin], g[fin], Hc[fin]
            if not idx.size:
                break
            step = np.linalg.solve(Hc, -g[:, :, None])[:, :, 0] / sig[None, :]
            big = np.max(np.abs(step), axis=1)
            if it == 0:
                far = big > reach[idx]
                active[idx[far]] = False
                idx, step, big = idx[~far], step[~far], big[~far]
            y[idx] = y[idx] + step
    cand = np.nonzero(np.all(np.isfinite(y), axis=1))[0]
    if not cand.size:
        return out
    c = sig[None, :] * y[cand]
    diff = fs.differentiable(c)
    cand, c = cand[diff], c[diff]
    if not cand.size:
        return out
    g = fs.gradient(c)
    conv = np.linalg.norm(g, axis=1) <= 1e-9
    for m in cand[conv]:
        z = P.z_of_y(chart, [float(v) for v in y[m]])
        if z is not None and all(lo[m, o] <= z[o] <= hi[m, o] for o in range(P.dim)):
            out[m] = z
    return out
