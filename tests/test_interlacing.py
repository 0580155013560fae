"""Cauchy interlacing, compressions and saddle certificates."""

import numpy as np
import pytest

from symbreak import TeacherStudent
from symbreak.interlacing import (
    block_certificate,
    check_interlacing,
    compress,
    compression_certificate,
    copy_basis,
    interlaces,
    rayleigh_quotient,
)
from symbreak.reduced import ReducedSystem
from symbreak.representation import IsotropyGroup
from symbreak.solve import newton
from symbreak.spectrum import hessian_blocks

TYPE_II_K6 = [0.986704, -0.050413, 0.308011, 0.224516, -0.601512]
TYPE_II_K5 = [0.96161, -0.07908, 0.37607, 0.28755, -0.55978]


def _random_case(rng, n, m):
    A = rng.normal(size=(n, n))
    H = A + A.T
    B, _ = np.linalg.qr(rng.normal(size=(n, m)))
    return H, B


@pytest.mark.parametrize("n,m", [(6, 1), (6, 3), (10, 10), (30, 7)])
def test_interlacing_holds_for_random_compressions(rng, n, m):
    for _ in range(5):
        H, B = _random_case(rng, n, m)
        res = check_interlacing(H, B)
        assert res.holds and res.max_violation <= 1e-12
        assert res.eigenvalues.size == n and res.compressed.size == m
        assert res.eigenvalues[0] <= res.compressed[0] + 1e-12


def test_interlacing_violation_is_reported():
    lam = [0.0, 1.0, 2.0]
    assert interlaces(lam, [0.5, 1.5]).holds
    bad = interlaces(lam, [-0.5, 1.5])  # below λ_1: no compression of H can do that
    assert not bad.holds and bad.max_violation == pytest.approx(0.5)
    bad = interlaces(lam, [0.5, 2.5])  # above λ_n
    assert not bad.holds and bad.max_violation == pytest.approx(0.5)
    with pytest.raises(ValueError, match="m <= n"):
        interlaces([1.0], [1.0, 2.0])


def test_compression_checks_its_input(rng):
    H, B = _random_case(rng, 5, 2)
    with pytest.raises(ValueError, match="orthonormal"):
        compress(H, 2 * B)
    with pytest.raises(ValueError, match="symmetric"):
        compress(H + np.triu(np.ones((5, 5)), 1), B)
    with pytest.raises(ValueError, match="rows"):
        compress(H, B[:4])
    with pytest.raises(TypeError):
        compress("H", B)


def test_compression_certificate(rng):
    H = np.diag([-1.0, 0.5, 2.0, 3.0])
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    H = Q @ H @ Q.T
    B, _ = np.linalg.qr(np.column_stack([Q[:, 0] + 0.3 * Q[:, 2], Q[:, 3]]))
    cert = compression_certificate(H, B)
    assert cert is not None and cert.certifies_saddle
    assert rayleigh_quotient(H, cert.vector) == pytest.approx(cert.rayleigh_quotient, abs=1e-12)
    assert -1.0 <= cert.rayleigh_quotient < 0
    # a compression that misses the negative direction certifies nothing
    assert compression_certificate(H, Q[:, 1:3]) is None


def test_rayleigh_quotient_accepts_an_hvp(rng):
    H, _ = _random_case(rng, 5, 1)
    v = rng.normal(size=5)
    assert rayleigh_quotient(lambda x: H @ x, v) == pytest.approx(rayleigh_quotient(H, v))
    with pytest.raises(ValueError, match="non-zero"):
        rayleigh_quotient(H, np.zeros(5))


@pytest.fixture(scope="module")
def type_ii_k5():
    g = IsotropyGroup.from_spec("k-1,1", 5)
    res = newton(ReducedSystem(g), TYPE_II_K5)
    assert res.converged and res.residual < 1e-13
    c = res.x
    W = ReducedSystem(g).space.embed(c)
    return g, c, TeacherStudent(np.eye(5)), W


def test_blocks_are_compressions_by_the_copy_basis(type_ii_k5):
    g, c, model, W = type_ii_k5
    H = model.hessian(W)
    for block in hessian_blocks(g, c):
        Q = copy_basis(g, block.irrep.types)
        np.testing.assert_allclose(Q.T @ Q, np.eye(Q.shape[1]), atol=1e-12)
        np.testing.assert_allclose(compress(H, Q), block.matrix, atol=1e-10)
        assert check_interlacing(H, Q).holds


def test_block_certificate_at_a_saddle_is_checked_densely(type_ii_k5):
    g, c, model, W = type_ii_k5
    cert = block_certificate(g, c)
    assert cert is not None and cert.irrep == "[k-2,1] x [1]"
    U = cert.dense_vector(g)
    assert np.sum(U * U) == pytest.approx(1.0, abs=1e-12)
    assert rayleigh_quotient(model.hessian(W), U.ravel()) == pytest.approx(
        cert.rayleigh_quotient, abs=1e-10
    )
    assert np.linalg.eigvalsh(model.hessian(W))[0] <= cert.rayleigh_quotient + 1e-10
    d = cert.to_json()
    assert d["basis"] == "copies" and d["rayleigh_quotient"] < 0


def test_no_certificate_at_a_minimum():
    g = IsotropyGroup.from_spec("k-1,1", 6)
    c = newton(ReducedSystem(g), TYPE_II_K6).x
    assert block_certificate(g, c) is None


def test_block_certificate_at_real_k():
    """Between k = 5 and the crossing near 5.59 the type II point is a saddle (MATH §4)."""
    g = IsotropyGroup.from_spec("k-1,1", 5.3)
    res = newton(ReducedSystem(g), TYPE_II_K5)
    assert res.converged and res.residual < 1e-13
    c = res.x
    cert = block_certificate(g, c)
    assert cert.irrep == "[k-2,1] x [1]" and cert.rayleigh_quotient < 0
    with pytest.raises(ValueError, match="integer"):
        cert.dense_vector(g)
