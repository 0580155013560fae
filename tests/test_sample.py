"""symbreak.sample: batched gradient descent, the Newton shortcut, classification, executors."""

import functools
import json

import numpy as np
import pytest

from symbreak.critical import SearchOptions, find_critical_points
from symbreak.model import TeacherStudent
from symbreak.model.teacher_student import gradient_stack, loss_stack
from symbreak.reduced.fixed_point import FixedPointSpace
from symbreak.representation.isotropy import IsotropyGroup
from symbreak.sample import (
    SampleOptions,
    classify_limits,
    descend,
    descend_stream,
    initial_weights,
    parse_k_values,
    run_seed,
    sample,
    teacher,
)
from symbreak.sample.descent import _between, batch_size
from symbreak.sample.run import chunks_of, run_chunk, run_chunks


# ----------------------------------------------------------------- protocol
def test_published_protocol_is_the_default():
    o = SampleOptions()
    assert o.is_published and o.step(10) == 0.5 and o.shape(7) == (7, 7) and o.gtol == 1e-12
    assert o.to_json()["step"] == "5/k" and o.to_json()["init"] == "N(0, 1/k)"
    assert SampleOptions.from_json(o.to_json()) == o
    assert not SampleOptions(extra_rows=1).is_published


def test_initial_weights_distribution_and_seeds():
    o = SampleOptions()
    W = initial_weights(o, 8, 3, range(400))  # 25 600 entries
    assert W.shape == (400, 8, 8)
    # N(0, 1/k): variance 1/8 within Monte Carlo error (sd of the estimate ~ 0.0011)
    assert abs(W.var() - 1 / 8) < 0.006 and abs(W.mean()) < 0.01
    # a run's start depends only on (S, k, run): not on the batch it is drawn in
    one = initial_weights(o, 8, 3, [117])[0]
    assert np.array_equal(one, W[117])
    assert not np.array_equal(initial_weights(o, 8, 4, [117])[0], one)
    assert not np.array_equal(initial_weights(o, 9, 3, [117])[0][:8, :8], one)
    a = np.random.default_rng(run_seed(3, 8, 117)).standard_normal((8, 8)) / np.sqrt(8)
    assert np.allclose(a, one, rtol=1e-15, atol=0)
    wide = initial_weights(SampleOptions(extra_rows=2, extra_dims=1, init_scale=2.0), 5, 0, [0])
    assert wide.shape == (1, 7, 6)


def test_parse_k_values():
    assert parse_k_values("6..8,12") == (6, 7, 8, 12)
    assert parse_k_values("10") == (10,)
    assert parse_k_values([9, 7, 7]) == (7, 9)
    for bad in ("", "1", "8..6", "a", "6..x", "5,,6"):
        with pytest.raises(ValueError):
            parse_k_values(bad)


@pytest.mark.parametrize(
    "kw",
    [dict(step_scale=0), dict(init_scale=-1), dict(gtol=float("nan")), dict(extra_rows=-1),
     dict(max_iter=0), dict(newton_retry=1.0), dict(chunk=0)],
)
def test_bad_options(kw):
    with pytest.raises(ValueError):
        SampleOptions(**kw)


def test_bad_option_types():
    with pytest.raises(TypeError):
        SampleOptions(newton="yes")
    with pytest.raises(TypeError):
        SampleOptions(step_scale="5")


def test_bad_sample_arguments():
    with pytest.raises(ValueError):
        sample(5, 0)
    with pytest.raises(ValueError):
        sample(1, 3)
    with pytest.raises(ValueError):
        sample(5, 3, seed=-1)
    with pytest.raises(ValueError):
        sample(5, 3, workers=0)
    with pytest.raises(TypeError):
        sample(5, 3, options={"step_scale": 5})
    with pytest.raises(TypeError):
        sample(5, 3, scheduler=42)


# ------------------------------------------------------- batched gradient
def test_batched_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    V = teacher(SampleOptions(extra_dims=1), 4)
    W = rng.normal(size=(3, 5, 5)) / 2
    G = gradient_stack(W, V)
    h = 1e-6
    for r in range(3):
        fd = np.zeros((5, 5))
        for i in range(5):
            for j in range(5):
                E = np.zeros((5, 5))
                E[i, j] = h
                fd[i, j] = (loss_stack(W[r] + E, V) - loss_stack(W[r] - E, V)) / (2 * h)
        assert np.allclose(G[r], fd, atol=1e-8)
        assert np.array_equal(G[r], gradient_stack(W[r], V))  # batch-independent, bit for bit


# ----------------------------------------------------------- descent
def test_newton_shortcut_does_not_change_the_limit():
    k = 7
    o_fast, o_plain = SampleOptions(), SampleOptions(newton=False)
    W0 = initial_weights(o_fast, k, 11, range(12))
    V = teacher(o_fast, k)
    fast = descend(W0, V, o_fast, step=o_fast.step(k))
    plain = descend(W0, V, o_plain, step=o_plain.step(k))
    assert (fast.status == "converged").all() and (plain.status == "converged").all()
    assert fast.newton.all() and not plain.newton.any()
    assert (fast.iterations <= plain.iterations).all()
    # both stop at |grad| <= 1e-12, i.e. within ~1e-12/min_eig of the same limit
    assert np.abs(fast.W - plain.W).max() < 1e-8
    assert (plain.grad_norm <= 1e-12).all() and (fast.grad_norm <= 1e-12).all()


def test_streamed_batches_give_each_run_its_own_result_bit_for_bit():
    """A run's iterates do not depend on the other runs in flight: streaming the
    runs of several groups through batches of 1, 3 and 5 reproduces the groups
    descended one at a time (including the Newton shortcut)."""
    k = 7
    o = SampleOptions()
    V = teacher(o, k)
    W0 = initial_weights(o, k, 3, range(12))
    ref = {a: descend(W0[a:a + 4], V, o, step=o.step(k)) for a in (0, 4, 8)}
    assert sum(r.newton.sum() for r in ref.values()) > 0
    for batch in (1, 3, 5, None):
        got = dict(descend_stream(((a, W0[a:a + 4]) for a in (0, 4, 8)), V, o,
                                  step=o.step(k), batch=batch))
        assert got.keys() == ref.keys()
        for a, r in ref.items():
            for name in r.__dataclass_fields__:
                x, y = getattr(r, name), getattr(got[a], name)
                assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (batch, a, name)


def test_stream_hands_back_each_group_once_even_empty_ones():
    k = 4
    o = SampleOptions(max_iter=5, newton=False)
    W0 = initial_weights(o, k, 0, range(3))
    out = list(descend_stream([("a", W0[:2]), ("b", W0[:0]), ("c", W0[2:])], teacher(o, k), o,
                              step=o.step(k), batch=2))
    assert sorted(key for key, _ in out) == ["a", "b", "c"]
    sizes = {key: r.W.shape[0] for key, r in out}
    assert sizes == {"a": 2, "b": 0, "c": 1}
    with pytest.raises(ValueError, match="every group must have shape"):
        list(descend_stream([("a", W0), ("b", np.zeros((1, k + 1, k)))], teacher(o, k), o,
                            step=o.step(k)))


def test_run_chunks_equal_run_chunk_and_bad_batches_are_refused():
    """Chunks streamed together give each chunk's arrays exactly as computed alone."""
    o = SampleOptions(chunk=3).to_json()
    together = run_chunks(6, 2, [(0, 3), (3, 5)], o)
    assert [r for r, _ in together] == [(0, 3), (3, 5)]
    for (a, b), arrays in together:
        alone = run_chunk(6, 2, a, b, o)
        for name, x in alone.items():
            assert np.array_equal(x, arrays[name], equal_nan=x.dtype.kind == "f"), name
    opts = SampleOptions()
    W0 = initial_weights(opts, 4, 0, range(2))
    for bad, exc in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(exc, match="batch"):
            descend(W0, teacher(opts, 4), opts, step=opts.step(4), batch=bad)


def test_batch_size_follows_the_cache_budget():
    assert batch_size(6, 6, 6) == 256 and batch_size(20, 20, 20) == 81
    assert batch_size(40, 40, 40) == 20 and batch_size(1000, 1000, 1000) == 4


def test_weyl_shortcut_agrees_with_cholesky():
    """``_between`` decides ``lower < λ(H) < upper`` (Weyl from a nearby H* or Cholesky)."""
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    lam = np.linspace(0.1, 3.0, 30)
    H_star = (Q * lam) @ Q.T
    for scale in (1e-6, 1e-2, 0.2, 1.0):
        E = rng.normal(size=(30, 30)) * scale
        H = H_star + (E + E.T) / 2
        mu = np.linalg.eigvalsh(H)
        for lower, upper in ((0.05, 4.0), (0.09, 3.01), (0.12, 4.0), (0.05, 2.9)):
            expect = bool(mu[0] > lower and mu[-1] < upper)
            assert _between(H, H_star, 0.1, 3.0, lower, upper) == expect, (scale, lower, upper)


def test_descent_reports_max_iter_and_zero_rows():
    k = 4
    o = SampleOptions(max_iter=3, newton=False)
    W0 = initial_weights(o, k, 0, range(2))
    W0[1, 2] = 0.0  # a dead neuron: L is not differentiable there
    res = descend(W0, teacher(o, k), o, step=o.step(k))
    assert res.status.tolist() == ["max_iter", "zero_row"]
    assert res.iterations.tolist() == [3, 0] and np.isnan(res.loss[1])
    # n > k with the published step 5/k: the iterates blow up, reported as such
    o = SampleOptions(extra_rows=1, extra_dims=1, max_iter=5000)
    res = descend(initial_weights(o, k, 0, range(1)), teacher(o, k), o, step=o.step(k))
    assert res.status.tolist() == ["diverged"]


# ----------------------------------------------------- classification
@functools.cache
def _points(spec, k):
    g = IsotropyGroup.from_spec(spec, k)
    return find_critical_points(g, options=SearchOptions(max_loss=0.1)).points


def _critical_point(spec, k, loss, tol=1e-6):
    g = IsotropyGroup.from_spec(spec, k)
    pts = _points(spec, k)
    p = next(p for p in pts if abs(p.loss - loss) < tol)
    return FixedPointSpace(g).embed(p.coords), p


def _scramble(W, seed):
    rng = np.random.default_rng(seed)
    return W[rng.permutation(W.shape[0])][:, rng.permutation(W.shape[1])]


def test_type_ii_minimum_at_k6():
    """MATH.md §4: loss 0.0250806, smallest eigenvalue 0.00470 (multiplicity 4), index 0."""
    W, _ = _critical_point("k-1,1", 6, 0.0250806, tol=1e-6)
    Ws = np.stack([_scramble(W, s) for s in range(3)])
    (c,) = classify_limits(Ws, np.ones(3, bool), 6, np.eye(6),
                           search=SearchOptions(max_loss=0.1))
    assert c.kind == "spurious_minimum" and c.hits == 3 and c.index == 0
    assert abs(c.loss - 0.0250806) < 1e-7 and abs(c.min_eig - 0.00470) < 1e-5
    assert c.isotropy.block_sizes == (5, 1) and c.isotropy.order == 120 and c.isotropy.young
    fam = c.family
    assert fam.label == "k-1,1" and fam.group == "5,1"
    assert fam.projection_residual < 1e-10 and fam.reduced_gradient_norm < 1e-10
    assert fam.search_match is not None  # the critical-point search has the same point


def test_classifier_against_dense_hessian_and_analytic_spectrum():
    """Type II at k = 5 is a saddle of index 3 (MATH.md §4); check kind, index and the
    smallest eigenvalue against a finite-difference Hessian of the dense gradient, and
    the dense path against the analytic one (spectrum through the isotropy)."""
    W, _ = _critical_point("k-1,1", 5, 0.0269705, tol=1e-6)
    W = _scramble(W, 7)
    model = TeacherStudent(np.eye(5))
    h = 1e-5
    H = np.zeros((25, 25))
    for a in range(25):
        E = np.zeros(25)
        E[a] = h
        H[:, a] = (model.grad(W + E.reshape(5, 5)) - model.grad(W - E.reshape(5, 5))).ravel()
    H = (H + H.T) / (4 * h)
    lam = np.linalg.eigvalsh(H)
    (dense,) = classify_limits(W[None], np.ones(1, bool), 5, np.eye(5), search=None)
    (analytic,) = classify_limits(W[None], np.ones(1, bool), 5, np.eye(5), search=None,
                                  dense_max_k=0)
    assert dense.kind == analytic.kind == "saddle"
    assert dense.index == analytic.index == int(np.sum(lam < -1e-6)) == 3
    assert abs(dense.min_eig - lam[0]) < 1e-6 and abs(analytic.min_eig - lam[0]) < 1e-6
    assert dense.spectrum_method == "dense" and analytic.spectrum_method == "analytic"


def test_orbits_are_merged_and_distinct_points_are_not():
    W6, _ = _critical_point("k-1,1", 6, 0.0250806)
    Ws = np.stack([_scramble(W6, 1), _scramble(np.eye(6), 2), _scramble(W6, 3), np.eye(6)])
    conv = np.array([True, True, True, False])
    classes = classify_limits(Ws, conv, 6, np.eye(6), search=None)
    assert [(c.kind, c.runs) for c in classes] == [("global_minimum", (1,)),
                                                   ("spurious_minimum", (0, 2))]
    assert classes[0].isotropy.order == 720 and classes[0].isotropy.block_sizes == (6,)


# ------------------------------------------------ sweeps: executors, resume
def _small(**kw):
    return dict(seed=5, options=SampleOptions(chunk=3), search=False, **kw)


def _arrays(out):
    return {p.name: dict(np.load(p)) for p in sorted((out / "chunks").glob("*.npz"))}


def test_serial_workers_and_resume_identical(tmp_path):
    serial = sample("5,6", 7, out=tmp_path / "a", **_small())
    par = sample("5,6", 7, out=tmp_path / "b", workers=2, **_small())
    assert json.dumps(serial.to_json()) == json.dumps(par.to_json())
    a, b = _arrays(tmp_path / "a"), _arrays(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) == 2 * len(chunks_of(7, 3))
    for name in a:
        for key in ("W", "iterations", "status"):
            assert np.array_equal(a[name][key], b[name][key])
    # an interrupted sweep: one chunk missing; the resumed sweep recomputes only it
    victim = sorted((tmp_path / "a" / "chunks").glob("*.npz"))[1]
    victim.unlink()
    seen = []
    resumed = sample("5,6", 7, out=tmp_path / "a", progress=seen.append, **_small())
    assert json.dumps(resumed.to_json()) == json.dumps(serial.to_json())
    assert victim.exists() and seen[-1].stage == "classify"
    updates = [u for u in seen if u.stage == "sample"]
    assert updates[-1].done == updates[-1].total == 14 and "converged" in updates[-1].info
    # the same directory with another protocol is refused
    with pytest.raises(ValueError, match="another protocol or seed"):
        sample("5,6", 7, out=tmp_path / "a", seed=6, options=SampleOptions(chunk=3),
               search=False)
    for name in ("sample.json", "report.md"):
        assert (tmp_path / "a" / name).exists()


def test_dask_and_serial_identical():
    distributed = pytest.importorskip("distributed")
    serial = sample(5, 6, **_small())
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        dask = sample(5, 6, scheduler=cluster.scheduler_address, **_small())
    assert json.dumps(dask.to_json()) == json.dumps(serial.to_json())


def test_result_json_layout():
    res = sample(6, 4, seed=1, options=SampleOptions(chunk=4), search=None)
    doc = res.to_json()
    assert set(doc) == {"protocol", "results"}
    assert doc["protocol"]["step"] == "5/k" and doc["protocol"]["seed"] == 1
    (r,) = doc["results"]
    assert {"k", "runs", "converged", "global_hits", "minima"} <= set(r)
    assert r["runs"] == 4 and sum(m["hits"] for m in r["minima"]) == r["converged"]
    for m in r["minima"]:
        assert {"block_sizes", "isotropy", "isotropy_order", "loss", "hits", "min_eig", "index",
                "family"} <= set(m)
    json.dumps(doc, allow_nan=False)


def test_extra_dims_is_the_one_name_of_d_minus_k():
    """``extra_cols`` (its former name) still works, warns, and reads from older files."""
    import warnings

    with pytest.warns(DeprecationWarning, match="extra_dims"):
        old = SampleOptions(extra_cols=2)
    assert old == SampleOptions(extra_dims=2) and old.shape(5) == (5, 7)
    with pytest.warns(DeprecationWarning, match="extra_dims"):
        assert old.extra_cols == 2
    with pytest.raises(TypeError, match="extra_dims"):
        SampleOptions(extra_cols=1, extra_dims=2)
    data = SampleOptions(extra_dims=3).to_json()
    keys = list(data)
    assert data["extra_dims"] == data["extra_cols"] == 3
    assert keys.index("extra_cols") == keys.index("extra_rows") + 1  # where it always was
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert SampleOptions.from_json(data) == SampleOptions(extra_dims=3)
        legacy = {k: v for k, v in data.items() if k != "extra_dims"}
        assert SampleOptions.from_json(legacy).extra_dims == 3
