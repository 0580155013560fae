"""The vectorised float64 interval back-end (reduced/_interval64.py, INTERVAL64) and the
batched box tests of the proof (critical/_prove_batch.py).

Independent checks: every enclosure must contain the value computed at random points of
its box in mpmath at 40 digits (the MPArithmetic back-end, or mpmath functions directly);
planted roots (known critical points, found by float Newton from the discovery list) must
never be excluded by the batched tests, whatever box around them is tested.
"""

import math

import mpmath
import numpy as np
import pytest

from symbreak import IsotropyGroup
from symbreak.critical import prove as pv
from symbreak.critical._prove_batch import hermite_lower
from symbreak.critical.prove import ProveOptions
from symbreak.reduced import _interval64 as iv
from symbreak.reduced.arithmetic import INTERVAL64, MPArithmetic
from symbreak.reduced.generic import GenericReducedSystem
from symbreak.reduced.system import ReducedSystem

pytest.importorskip("flint")
mpmath.mp.dps = 40


def _inside(x, lo, hi):
    return mpmath.mpf(float(lo)) <= x <= mpmath.mpf(float(hi))


# --------------------------------------------------------------------------- primitives
def test_primitives_enclose_mpmath_values():
    rng = np.random.default_rng(3)
    n = 400
    a = rng.normal(size=n) * 10.0 ** rng.integers(-3, 3, size=n)
    b = rng.normal(size=n) * 10.0 ** rng.integers(-3, 3, size=n)
    ra = np.abs(a) * 10.0 ** rng.uniform(-12, -1, size=n)
    rb = np.abs(b) * 10.0 ** rng.uniform(-12, -1, size=n)
    A, B = iv.IntervalArray(a, ra), iv.IntervalArray(b, rb)
    ops = {
        "add": (A + B, lambda x, y: x + y),
        "sub": (A - B, lambda x, y: x - y),
        "mul": (A * B, lambda x, y: x * y),
        "div": (A / B, lambda x, y: x / y),
        "sq": (iv.square(A), lambda x, y: x * x),
        "sqrt": (iv.sqrt_nonneg(iv.square(A)), lambda x, y: abs(x)),
        "atan2": (iv.atan2(iv.sqrt_nonneg(iv.square(A)), B), lambda x, y: mpmath.atan2(abs(x), y)),
    }
    for i in range(n):
        for t in (0.0, 1.0, rng.uniform()):
            x = mpmath.mpf(float(a[i])) + (2 * t - 1) * mpmath.mpf(float(ra[i]))
            y = mpmath.mpf(float(b[i])) + (2 * rng.uniform() - 1) * mpmath.mpf(float(rb[i]))
            for name, (res, f) in ops.items():
                lo, hi = res.lower()[i], res.upper()[i]
                if name == "div" and (b[i] - rb[i]) * (b[i] + rb[i]) <= 0:
                    assert lo == -math.inf or hi == math.inf  # 0 in the divisor: no claim
                    continue
                assert _inside(f(x, y), lo, hi), (name, i)


def test_atan2_boxes_around_the_origin_and_the_negative_axis():
    y = iv.from_bounds(np.array([0.0, 0.0, 1e-300, 0.5]), np.array([1.0, 1e-3, 1e-3, 1.0]))
    x = iv.from_bounds(np.array([-1.0, -2.0, -2.0, 1.0]), np.array([1.0, -1.0, -1.0, 2.0]))
    th = iv.atan2(y, x)
    assert th.lower()[0] <= 0 and th.upper()[0] >= math.pi  # the origin: [0, π]
    assert th.upper()[1] >= math.pi and th.lower()[1] <= math.pi - 1e-3 / 2  # y = 0, x < 0
    assert th.lower()[3] <= math.atan2(0.5, 2.0) and th.upper()[3] >= math.atan2(1.0, 1.0)
    assert np.all(th.upper() <= iv.PI_HI + 1e-14)  # [0, π] up to the midpoint-radius rounding
    assert iv.PI_LO < mpmath.pi < iv.PI_HI


def test_sums_of_products_enclose_exact_sums():
    rng = np.random.default_rng(5)
    X = iv.IntervalArray(rng.normal(size=(7, 4, 5)), 1e-3 * rng.uniform(size=(7, 4, 5)))
    Y = rng.normal(size=(5, 3))  # exact floats
    Z = iv.IntervalArray(rng.normal(size=(7, 3)), 1e-6 * rng.uniform(size=(7, 3)))
    out = np.einsum("npc,cq,nq->np", X, Y, Z)
    M = X @ Y
    for n in range(7):
        for _ in range(3):
            t = rng.uniform(-1, 1, size=X.shape[1:])
            s = rng.uniform(-1, 1, size=3)
            x = [
                [
                    mpmath.mpf(float(X.mid[n, p, c])) + t[p, c] * mpmath.mpf(float(X.rad[n, p, c]))
                    for c in range(5)
                ]
                for p in range(4)
            ]
            z = [
                mpmath.mpf(float(Z.mid[n, q])) + s[q] * mpmath.mpf(float(Z.rad[n, q]))
                for q in range(3)
            ]
            for p in range(4):
                xy = [sum(x[p][c] * mpmath.mpf(float(Y[c, q])) for c in range(5)) for q in range(3)]
                assert _inside(
                    sum(xy[q] * z[q] for q in range(3)), out.lower()[n, p], out.upper()[n, p]
                )
                for q in range(3):
                    assert _inside(xy[q], M.lower()[n, p, q], M.upper()[n, p, q])
    # np.add.at accumulates with its rounding error accounted for
    T = iv.IntervalArray(np.zeros(3))
    np.add.at(T, np.array([0, 0, 2, 0]), iv.IntervalArray(np.array([0.1, 0.2, 0.3, 1e17])))
    assert T.lower()[0] <= mpmath.mpf(0.1) + mpmath.mpf(0.2) + mpmath.mpf(1e17) <= T.upper()[0]


def test_overflow_gives_the_whole_line():
    big = iv.IntervalArray(np.array([1e308]), np.array([1e300]))
    prod = big * big
    assert prod.lower()[0] == -math.inf and prod.upper()[0] == math.inf


# --------------------------------------------------------------------------- the model
def _random_boxes(rng, dim, n, *, scale=0.6, log_width=(-7, -1.3)):
    c = rng.normal(size=(n, dim)) * scale
    w = 10.0 ** rng.uniform(*log_width, size=(n, dim))
    return c - w, c + w


def _check_model(group, lo, hi, rng, *, points=3, hessian=True):
    S = GenericReducedSystem(group, INTERVAL64)
    M = GenericReducedSystem(group, MPArithmetic(40))
    U = S.trivial_directions()
    st = S.batch_state(iv.from_bounds(lo, hi))
    L = st.loss()
    G = st.gradient_form(U)
    H = st.hessian_form(U) if hessian else None
    d = lo.shape[1]
    for n in range(lo.shape[0]):
        for _ in range(points):
            c = [float(x) for x in lo[n] + (hi[n] - lo[n]) * rng.uniform(size=d)]
            loss, grad, hess = M.loss_gradient_hessian(c)
            assert _inside(loss, L.lower()[n], L.upper()[n])
            for i in range(d):
                assert _inside(grad[i], G.lower()[n, i], G.upper()[n, i])
                if hessian:
                    for j in range(d):
                        assert _inside(hess[i][j], H.lower()[n, i, j], H.upper()[n, i, j])
    return L, G, H


@pytest.mark.parametrize("spec,k", [("k-1,1", 6), ("k-2,2", 7), ("k", 5), ("k-2,1,1", 6)])
def test_model_enclosures_contain_high_precision_values(spec, k):
    group = IsotropyGroup.from_spec(spec, k)
    rng = np.random.default_rng(11)
    dim = ReducedSystem(group).space.dim
    lo, hi = _random_boxes(rng, dim, 60)
    _check_model(group, lo, hi, rng)


def test_enclosures_at_parallel_rows_and_near_zero_rows():
    """Boxes around W = V (rows parallel to teacher rows), around points whose two row
    blocks are parallel, and around points with a tiny last row (|w_k| ~ 1e-4)."""
    group = IsotropyGroup.from_spec("k-1,1", 6)
    rng = np.random.default_rng(2)
    centres = [
        [1.0, 0.0, 0.0, 0.0, 1.0],  # W = V
        [0.7, 0.2, 0.2, 0.2, 0.2],  # rows of block 2 parallel to g1 of block 1? (e = b, f = b)
        [0.5, 0.5, 0.5, 0.5, 0.5],  # all entries equal: every row parallel
        [1.1, -0.03, 0.2, 1e-4, -2e-4],  # a last row of norm ~ 1e-4
    ]
    lo, hi = [], []
    for c in centres:
        for lw in (-12, -8, -5, -3):
            w = 10.0**lw * rng.uniform(0.5, 1.0, size=5)
            lo.append(np.asarray(c) - w)
            hi.append(np.asarray(c) + w)
    lo, hi = np.array(lo), np.array(hi)
    ok = np.abs(lo[:, 3:]).max(1) > 0  # keep boxes whose last row does not vanish
    n2lo = np.maximum(np.abs(lo[:, 3:]), np.abs(hi[:, 3:])).max(1)
    keep = (
        ok & (n2lo > 0) & ~((lo[:, 3] <= 0) & (hi[:, 3] >= 0) & (lo[:, 4] <= 0) & (hi[:, 4] >= 0))
    )
    _check_model(group, lo[keep], hi[keep], rng, points=4)


def test_loss_where_a_row_may_vanish_and_in_blow_up_charts():
    """zero_rows_ok: boxes containing a zero last row enclose the loss; a blow-up chart
    (rows of block 2 written s·v) encloses loss and gradient of the true point s·v."""
    group = IsotropyGroup.from_spec("k-1,1", 6)
    S = GenericReducedSystem(group, INTERVAL64)
    M = GenericReducedSystem(group, MPArithmetic(40))
    rng = np.random.default_rng(4)
    n = 40
    c = np.column_stack(
        [
            rng.normal(1.0, 0.3, n),
            rng.normal(0, 0.1, n),
            rng.normal(0.2, 0.1, n),
            np.zeros(n),
            np.zeros(n),
        ]
    )
    w = 10.0 ** rng.uniform(-4, -1, size=(n, 5))
    st = S.batch_state(iv.from_bounds(c - w, c + w), zero_rows_ok=True)
    assert st.maybe_zero
    L = st.loss()
    for i in range(n):
        x = c[i] + w[i] * rng.uniform(-1, 1, size=5)
        assert _inside(M.loss(list(x)), L.lower()[i], L.upper()[i])
    # chart: coordinates (a, b, c, v_e, v_f) with v_f = 1, scale s on the rows of block 2
    layout = S._layout((0, 0))[0]
    block2 = np.array([t == 1 for t, _lab in layout.rows])
    s_lo = 10.0 ** rng.uniform(-6, -1, size=n)
    s_hi = s_lo * rng.uniform(1.0, 3.0, size=n)
    ve_lo = rng.uniform(-1, 0.5, size=n)
    ve_hi = ve_lo + rng.uniform(0, 0.5, size=n)
    lo = np.column_stack(
        [c[:, 0] - w[:, 0], c[:, 1] - w[:, 1], c[:, 2] - w[:, 2], ve_lo, np.ones(n)]
    )
    hi = np.column_stack(
        [c[:, 0] + w[:, 0], c[:, 1] + w[:, 1], c[:, 2] + w[:, 2], ve_hi, np.ones(n)]
    )
    smid = np.where(block2[None, :], (0.5 * (s_lo + s_hi))[:, None], 1.0)
    srad = np.where(block2[None, :], (0.5 * (s_hi - s_lo) * (1 + 1e-15))[:, None], 0.0)
    stc = S.batch_state(iv.from_bounds(lo, hi), row_scale=iv.IntervalArray(smid, srad))
    Lc = stc.loss()
    Gc = stc.gradient_form(S.trivial_directions())
    for i in range(n):
        u = rng.uniform(size=5)
        s = s_lo[i] + (s_hi[i] - s_lo[i]) * u[0]
        x = lo[i] + (hi[i] - lo[i]) * u
        x[3], x[4] = s * x[3], s * 1.0
        loss, grad, _h = M.loss_gradient_hessian([float(v) for v in x])
        assert _inside(loss, Lc.lower()[i], Lc.upper()[i])
        for o in range(5):
            assert _inside(grad[o], Gc.lower()[i, o], Gc.upper()[i, o])


def test_batched_hermite_bound_is_below_the_loss():
    group = IsotropyGroup.from_spec("k-1,1", 6)
    P = pv._Problem(group, 0.2, ProveOptions())
    rng = np.random.default_rng(8)
    lo, hi = _random_boxes(rng, 5, 200, scale=0.8, log_width=(-6, -0.5))
    C = iv.from_bounds(lo, hi)
    st, _ok = P.batch.state(C)
    lb = hermite_lower(P.batch, P, st, C)
    fs = P.fsys
    ratios = []
    for n in range(200):
        for _ in range(3):
            x = lo[n] + (hi[n] - lo[n]) * rng.uniform(size=5)
            if fs.differentiable(x):
                L = fs.loss_precise(x, dps=30)
                assert lb[n] <= L + 1e-12
                ratios.append(lb[n] / L)
    assert np.median(ratios) > 0.3  # not vacuous


# --------------------------------------------------------------------------- planted roots
# the eight critical points of Fix(k-1,1), k = 6, with L <= 0.2 (discovery list)
K6_POINTS = [
    [1.0, 0.0, 0.0, 0.0, 1.0],
    [
        0.9867038188885768,
        -0.05041340321680862,
        0.30801099147906874,
        0.22451580759947756,
        -0.6015119235610937,
    ],
    [
        -0.5877302017433271,
        0.39115386541235214,
        -0.01379889472247142,
        0.01677031361572357,
        1.0683956423457632,
    ],
    [
        -0.6633973683167402,
        0.33070978329159645,
        0.3307097832915971,
        0.3307097832915991,
        -0.6633973683167407,
    ],
    [
        1.144682016875161,
        -0.02659087448633476,
        0.19824238998773286,
        -0.03204042553912261,
        -0.03593175978016712,
    ],
    [
        1.1027620337703532,
        -0.05090728890292152,
        0.1753699268059396,
        0.11618129452678594,
        0.0932746178084864,
    ],
    [
        -0.7350922311052438,
        0.3416398371279332,
        0.12502659276437383,
        0.3404798682560096,
        0.35189851702184255,
    ],
    [
        -0.7239446467579514,
        0.43750789933145484,
        0.20561630850149762,
        -0.0365970614890468,
        -0.03641461726534264,
    ],
]


def _polished_roots(system):
    out = []
    for c in K6_POINTS:
        c = np.asarray(c, dtype=float)
        for _ in range(30):
            g = system.gradient(c)
            if np.linalg.norm(g) < 1e-14:
                break
            c = c - np.linalg.solve(system.hessian(c), g)
        assert np.linalg.norm(system.gradient(c)) < 1e-12
        out.append(c)
    return out


def _contains(P, box, c):
    chart, lo, hi = box
    z = P.z_of_y(chart, list(c / P.sigma)) if chart else list(c / P.sigma)
    return z is not None and all(a <= v <= b for a, v, b in zip(lo, z, hi))


def test_batched_tests_never_exclude_a_box_holding_a_root():
    """Many boxes (plain and blow-up charts, random sizes and offsets) around the eight known
    critical points: the batched tests never exclude one; following the children that hold the
    root, the root is certified."""
    group = IsotropyGroup.from_spec("k-1,1", 6)
    system = ReducedSystem(group)
    roots = _polished_roots(system)
    P = pv._Problem(group, 0.2, ProveOptions(tube=0.3))
    rng = np.random.default_rng(7)
    boxes = []
    for c in roots:
        y = c / P.sigma
        for lw in (-6, -4, -2, -1.3, -0.7):
            a = 10.0**lw * rng.uniform(0.2, 1.0, size=5)
            b = 10.0**lw * rng.uniform(0.2, 1.0, size=5)
            boxes.append(((), tuple(y - a), tuple(y + b)))
        t = P.block_of[3]
        bc = P.block_coords[t]
        j = bc[int(np.argmax(np.abs(y[bc])))]
        chart = ((t, j, int(np.sign(y[j]))),)
        z = P.z_of_y(chart, list(y))
        for lw in (-5, -3, -2):
            a = 10.0**lw * rng.uniform(0.2, 1.0, size=5)
            b = 10.0**lw * rng.uniform(0.2, 1.0, size=5)
            lo = np.asarray(z) - a
            lo[j] = max(lo[j], 0.0)
            boxes.append((chart, tuple(lo), tuple(np.asarray(z) + b)))
    assert all(any(_contains(P, b, c) for c in roots) for b in boxes)
    certified = set()
    for start in boxes:
        owners = [i for i, c in enumerate(roots) if _contains(P, start, c)]
        frontier = [start]
        for _round in range(60):
            if not frontier:
                break
            outs = P.outcomes(frontier)
            nxt = []
            for box, out in zip(frontier, outs):
                assert out[0] != "excluded" or out[1] == "root_above", (box, out)
                if out[0] == "root":
                    for i in owners:
                        if all(
                            lo - 1e-12 <= x <= hi + 1e-12
                            for (lo, hi), x in zip(out[1]["enclosure"], roots[i])
                        ):
                            certified.add(i)
                    nxt.extend(b for b in out[2] if any(_contains(P, b, roots[i]) for i in owners))
                elif out[0] == "split":
                    nxt.extend(b for b in out[1] if any(_contains(P, b, roots[i]) for i in owners))
            frontier = nxt[:8]
    assert certified == set(range(len(roots)))
