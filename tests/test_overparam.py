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
