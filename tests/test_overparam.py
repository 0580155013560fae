"""Over-parameterisation: split embeddings, their spectra, annihilation (MATH §5)."""

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak._numerics import cluster_eigenvalues
from symbreak.continuation import continuation
from symbreak.overparam import annihilation, embeddings, polish, split_neuron
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup
from symbreak.spectrum import analytic_spectrum

TYPE_II_K6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]


@pytest.fixture(scope="module")
def type_ii():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    return g, polish(g, TYPE_II_K6)


def _dense(group, coords):
    n, d = group.shape
    k = int(round(group.k))
    return TeacherStudent(np.eye(k), n=n), ReducedSystem(group).space.embed(coords)


def _multiset(spectrum):
    vals = []
    for e in spectrum.entries:
        vals.extend([e.value] * int(e.multiplicity))
    return cluster_eigenvalues(vals, tol=1e-7)


@pytest.mark.parametrize(
    "block,split,extra,spec",
    [
        (1, 0.5, 1, "k-1,1|1"),
        (1, 0.3, 2, "k-1,1|2"),
        (0, 0.5, 1, "k-2,1,1|1"),
        (0, 0.2, 1, "k-2,1,1|1"),
    ],
)
def test_split_point_is_critical_with_the_same_loss(type_ii, block, split, extra, spec):
    g, c = type_ii
    g2, c2, _ = split_neuron(g, c, block, split=split, extra=extra)
    assert g2.name == spec and g2.n == 6 + extra
    model, W = _dense(g2, c2)
    assert np.max(np.abs(model.grad(W))) < 1e-10
    model_k, W_k = _dense(g, c)
    assert model.loss(W) == pytest.approx(model_k.loss(W_k), abs=1e-13)
    # the split neuron (the last row of its block) becomes t w and extra × (1 − t) w / extra
    i = 4 if block == 0 else 5
    np.testing.assert_allclose(W[i], split * W_k[i], atol=1e-15)
    np.testing.assert_allclose(W[6:], np.tile((1 - split) / extra * W_k[i], (extra, 1)), atol=1e-15)
    np.testing.assert_allclose(np.delete(W[:6], i, 0), np.delete(W_k, i, 0), atol=1e-15)


@pytest.mark.parametrize("block,split", [(1, 0.5), (0, 0.3)])
def test_split_point_spectrum_equals_dense(type_ii, block, split):
    g, c = type_ii
    g2, c2, _ = split_neuron(g, c, block, split=split)
    model, W = _dense(g2, c2)
    dense = cluster_eigenvalues(np.linalg.eigvalsh(model.hessian(W)), tol=1e-7)
    analytic = _multiset(analytic_spectrum(g2, c2))
    assert [m for _, m in analytic] == [m for _, m in dense]
    np.testing.assert_allclose([v for v, _ in analytic], [v for v, _ in dense], atol=1e-9)


@pytest.mark.parametrize("t", [0.5, 0.3])
@pytest.mark.parametrize("block", [0, 1])
def test_split_directions_follow_math_section_5(type_ii, t, block):
    """On (u, −u) the Hessian of the split point is H'/(t(1−t)), H' = H_ii − ½I."""
    g, c = type_ii
    k = 6
    model, W = _dense(g, c)
    i = 4 if block == 0 else 5  # the split neuron: the last row of its block
    H = model.hessian(W)
    Hp = H[i * k : (i + 1) * k, i * k : (i + 1) * k] - 0.5 * np.eye(k)
    g2, c2, _ = split_neuron(g, c, block, split=t)
    model2, W2 = _dense(g2, c2)
    # the two halves: the rows of W2 parallel to w_i
    w = W[i] / np.linalg.norm(W[i])
    cos = W2 @ w / np.linalg.norm(W2, axis=1)
    halves = np.flatnonzero(np.abs(cos - 1) < 1e-12)
    assert halves.tolist() == [i, 6]
    B = np.zeros((W2.size, k))
    for a in range(k):
        U = np.zeros_like(W2)
        U[halves[0], a], U[halves[1], a] = 1.0, -1.0
        B[:, a] = U.ravel() / np.sqrt(2)
    C = B.T @ model2.hessian(W2) @ B
    np.testing.assert_allclose(C, Hp / (2 * t * (1 - t)), atol=1e-10)


def test_type_ii_is_annihilated_by_one_neuron(type_ii):
    g, c = type_ii
    res = annihilation(g, c, max_extra=3)
    assert res.saddle and res.smallest_extra == 1
    assert res.descent_irrep is not None
    ells = {e.extra for e in res.embeddings}
    assert ells == {1}
    assert {e.split for e in res.embeddings} >= {0.5}
    for e in res.embeddings:
        assert e.is_saddle and e.gradient_norm < 1e-10
        # the certificate is a unit direction of negative curvature of the dense Hessian
        model, W = _dense(e.group, e.coords)
        U = e.certificate.dense_vector(e.group)
        assert np.sum(U * U) == pytest.approx(1.0, abs=1e-12)
        rq = float(np.sum(U * model.hvp(W, U)))
        assert rq == pytest.approx(e.certificate.rayleigh_quotient, abs=1e-10)
        assert rq < 0
        # and λ_min(H) <= ρ (interlacing) with equality: a block eigenvalue is an eigenvalue
        lam = np.linalg.eigvalsh(model.hessian(W))[0]
        assert lam == pytest.approx(rq, abs=1e-9)


def test_annihilation_at_real_k():
    g = IsotropyGroup.from_spec("k-1,1", 6.5)
    c = polish(g, continuation("k-1,1", TYPE_II_K6, k0=6, k1=6.5).points[-1].coords)
    assert analytic_spectrum(g, c).index == 0
    res = annihilation(g, c, max_extra=1, splits=(0.5,))
    assert res.smallest_extra == 1
    assert all(e.group.k == 6.5 for e in res.embeddings)


def test_global_minimum_stays_a_minimum():
    """L >= 0 and L = 0 at any split of W = V: never a saddle."""
    g = IsotropyGroup.from_spec("k", 5)
    res = annihilation(g, [1.0, 0.0], max_extra=2, splits=(0.5, 0.2))
    assert not res.saddle and res.smallest_extra is None
    assert {e.extra for e in res.embeddings} == {1, 2}
    for e in res.embeddings:
        assert e.min_eigenvalue > -1e-9 and e.certificate is None


def test_embeddings_cover_every_distribution(type_ii):
    g, c = type_ii
    embs = embeddings(g, c, extra=2, splits=(0.5,))
    assert sorted(e.neuron_class for e in embs) == sorted(["k-1", "1", "k-1+1"])
    assert all(e.extra == 2 and e.group.n == 8 for e in embs)
    d = embs[0].to_json()
    assert {"neuron_class", "split", "min_eig", "index", "certificate"} <= set(d)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(split=1.0), ValueError, "in \\(0, 1\\)"),
        (dict(split=0.0), ValueError, "in \\(0, 1\\)"),
        (dict(split="a"), TypeError, "real number"),
        (dict(extra=0), ValueError, ">= 1"),
        (dict(extra=1.5), TypeError, "integer"),
    ],
)
def test_split_neuron_validates(type_ii, kwargs, exc, match):
    g, c = type_ii
    with pytest.raises(exc, match=match):
        split_neuron(g, c, 1, **kwargs)


def test_not_a_critical_point_is_refused():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    with pytest.raises(ValueError, match="not critical"):
        annihilation(g, [1.0, 0.3, 0.2, 0.1, 0.9])


# ------------------------------------------------- every embedding (strong annihilation)
from symbreak.overparam import (  # noqa: E402
    class_splits,
    dead_neuron_test,
    embedding_records,
)


def _row_of_class(group, block):
    return int(group.row_indices(block)[-1])


def _embed_dense(W, splits, dead, rng):
    """Dense embedding: split the given rows into pieces with random ratios, add dead rows."""
    rows = [w for w in W]
    for i, pieces in splits:
        t = rng.dirichlet(np.ones(pieces + 1))
        w = W[i]
        rows[i] = t[0] * w
        rows.extend(ta * w for ta in t[1:])
    rows.extend(np.zeros(W.shape[1]) for _ in range(dead))
    return np.array(rows)


@pytest.mark.parametrize("k0,coords", [(6, TYPE_II_K6), (5, None)])
def test_split_inertia_is_independent_of_the_ratios(k0, coords):
    """Sylvester: index(embedded) = index(H) + Σ (p − 1) ind(M_c), for random ratios, vs dense."""
    g = IsotropyGroup.from_spec("k-1,1", k0)
    if coords is None:  # the type-II saddle of index 3 at k = 5 (MATH §4)
        coords = continuation("k-1,1", TYPE_II_K6, k0=6, k1=5).points[-1].coords
    c = polish(g, coords)
    spec0 = analytic_spectrum(g, c)
    classes = class_splits(g, c, spectrum=spec0)
    model, W = _dense(g, c)
    H = model.hessian(W)
    lam0 = np.linalg.eigvalsh(H)
    rng = np.random.default_rng(1)
    for cs in classes:
        i = _row_of_class(g, cs.block)
        k = W.shape[1]
        M = H[i * k : (i + 1) * k, i * k : (i + 1) * k] - 0.5 * np.eye(k)
        mu = np.linalg.eigvalsh(M)
        # the class data: ind(M), null(M), λ_min(M), independently from the dense block
        assert cs.index == int(np.sum(mu < -1e-9))
        assert cs.nullity == int(np.sum(np.abs(mu) <= 1e-9))
        if cs.min_curvature is not None:
            assert cs.min_curvature == pytest.approx(mu[0], abs=1e-10)
        for pieces in (1, 2):
            W2 = _embed_dense(W, [(i, pieces)], 0, rng)
            m2 = TeacherStudent(np.eye(k), n=W2.shape[0])
            assert np.max(np.abs(m2.grad(W2))) < 1e-10
            lam = np.linalg.eigvalsh(m2.hessian(W2))
            assert int(np.sum(lam < -1e-9)) == int(np.sum(lam0 < -1e-9)) + pieces * cs.index
            assert int(np.sum(np.abs(lam) <= 1e-9)) == pieces * cs.nullity
    assert spec0.index == int(np.sum(lam0 < -1e-9))


def test_split_certificate_bound_holds_on_the_whole_interval(type_ii):
    g, c = type_ii
    model, W = _dense(g, c)
    k = 6
    H = model.hessian(W)
    for cs in class_splits(g, c):
        assert cs.decision == "saddle"
        i = _row_of_class(g, cs.block)
        M = H[i * k : (i + 1) * k, i * k : (i + 1) * k] - 0.5 * np.eye(k)
        e = np.linalg.eigh(M)[1][:, 0]
        for t in (1e-3, 0.2, 0.5, 0.9, 1 - 1e-3):
            W2 = _embed_dense(W, [], 0, None)
            W2 = np.vstack([W2, (1 - t) * W[i]])
            W2[i] = t * W[i]
            m2 = TeacherStudent(np.eye(k), n=k + 1)
            U = np.zeros_like(W2)
            U[i], U[k] = e, -e
            rq = float(np.sum(U * m2.hvp(W2, U)) / np.sum(U * U))
            assert rq == pytest.approx(cs.rayleigh_quotient(t), rel=1e-9)
            assert rq <= cs.certificate.rayleigh_quotient + 1e-12 < 0


def test_dead_neuron_derivative_matches_the_dense_loss(type_ii):
    g, c = type_ii
    dead = dead_neuron_test(g, c)
    assert dead.decision == "saddle" and dead.rigorous
    model, W = _dense(g, c)
    u = dead.direction
    assert np.linalg.norm(u) == pytest.approx(1.0)
    m2 = TeacherStudent(np.eye(6), n=7)
    L0 = model.loss(W)
    for s in (1e-4, 1e-5):
        slope = (m2.loss(np.vstack([W, s * u])) - L0) / s
        assert slope == pytest.approx(dead.min_directional_derivative, abs=10 * s)
    assert dead.min_directional_derivative < 0
    # Monte Carlo: E[(f_W - f_V)(x) relu(u.x)] with x ~ N(0, I)
    x = np.random.default_rng(0).standard_normal((400_000, 6))
    r = np.maximum(x @ W.T, 0).sum(1) - np.maximum(x, 0).sum(1)
    mc = np.mean(r * np.maximum(x @ u, 0))
    assert mc == pytest.approx(dead.min_directional_derivative, abs=4e-3)


def test_dead_neuron_derivative_vanishes_at_the_neurons(type_ii):
    """At a critical point D⁺L[w̄_i] = 0 (and its gradient too): the minimum is <= 0."""
    g, c = type_ii
    model, W = _dense(g, c)
    val, grad = model.dead_neuron_derivative(W, W, order=1)
    assert np.max(np.abs(val)) < 1e-12 and np.max(np.abs(grad)) < 1e-10


def test_every_embedding_class_is_checked_against_the_dense_hessian(type_ii):
    g, c = type_ii
    res = annihilation(g, c, max_extra=2)
    assert res.annihilated_at == 1 and res.smallest_extra == 1
    recs = embedding_records(g, c, 2)
    assert {r.kind for r in recs} == {"split", "dead_neuron", "split+dead_neuron"}
    labels = {cs.neuron_class: cs.block for cs in res.classes}
    model, W = _dense(g, c)
    rng = np.random.default_rng(3)
    for r in recs:
        assert r.is_saddle
        cert = r.certificate
        splits = []
        for label, parts in r.splits:
            rows = g.row_indices(labels[label])
            splits.extend((int(rows[j]), p) for j, p in enumerate(parts))
        # zero rows do not change f (relu(0) = 0): the live part carries the loss
        W2 = _embed_dense(W, splits, 0, rng)
        m2 = TeacherStudent(np.eye(6), n=W2.shape[0])
        assert np.max(np.abs(m2.grad(W2))) < 1e-10
        assert m2.loss(W2) == pytest.approx(model.loss(W), abs=1e-12)
        if cert["type"] == "descent_direction":
            lam = np.linalg.eigvalsh(m2.hessian(W2))
            assert lam[0] < -1e-6 and cert["rayleigh_quotient"] < 0
        else:  # a dead row moved to s u lowers the loss at rate D⁺L[u] < 0
            assert r.dead_neurons >= 1 and cert["value"] < 0
            u = np.asarray(cert["direction"])
            m3 = TeacherStudent(np.eye(6), n=W2.shape[0] + 1)
            s = 1e-5
            slope = (m3.loss(np.vstack([W2, s * u])) - m2.loss(W2)) / s
            assert slope == pytest.approx(cert["value"], abs=1e-4)


def test_table_and_json(type_ii):
    g, c = type_ii
    res = annihilation(g, c, max_extra=1)
    d = res.to_json()
    assert d["annihilated_at"] == 1
    assert d["min_directional_derivative"] == res.dead_neuron.min_directional_derivative
    assert {x["neuron_class"] for x in d["neuron_classes"]} == {"k-1", "1"}
    assert {x["kind"] for x in d["embedding_classes"]} == {"split", "dead_neuron"}


def test_real_k_decides_dead_neurons_through_the_split_limit():
    g = IsotropyGroup.from_spec("k-1,1", 6.5)
    c = polish(g, continuation("k-1,1", TYPE_II_K6, k0=6, k1=6.5).points[-1].coords)
    res = annihilation(g, c, max_extra=1, splits=(0.5,))
    assert res.dead_neuron.min_directional_derivative is None
    assert res.dead_neuron.decision == "saddle"
    assert res.annihilated_at == 1


def test_many_extra_neurons_are_grouped_by_what_decides(type_ii):
    """Above FULL_ENUMERATION the records stand for (split classes, dead neurons or not); the
    keys and decisions match the full enumeration at four extra neurons."""
    from symbreak.overparam import FULL_ENUMERATION

    g, c = type_ii

    def key(r):
        return (tuple(sorted(cl for cl, _ in r.splits)), r.dead_neurons > 0)

    full = embedding_records(g, c, FULL_ENUMERATION)
    grouped = embedding_records(g, c, 100)
    assert all(r.grouped for r in grouped) and not any(r.grouped for r in full)
    assert {key(r): r.decision for r in grouped} == {key(r): r.decision for r in full}
    assert all(r.to_json()["splits"][0]["extra_pieces"] is None for r in grouped if r.splits)
