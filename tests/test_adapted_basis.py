"""Symmetry-adapted bases: orthogonality, block diagonalisation of equivariant matrices and of
dense teacher–student Hessians at symmetric points, agreement with the copy vectors."""

import itertools

import numpy as np
import pytest
from _helpers import index_owners
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak import TeacherStudent
from symbreak.representation import (
    IsotropyGroup,
    character_decomposition,
    copy_vector_blocks,
    helmert_basis,
    isotypic_decomposition,
    symmetry_adapted_basis,
)

# ---------------------------------------------------------------------------
# equivariant matrices, built without the library's decomposition


def orbit_equivariant(group, rng):
    """Random symmetric A constant on the H-orbits of index quadruples (i, j, i', j').

    For a product of full symmetric groups the orbit of a quadruple is fixed by
    the owning factors of its four indices and by which of them are the same
    index (rows and columns of a diagonal factor share their index set).
    """
    rows, cols = index_owners(group)
    cells = [(r, c) for r in rows for c in cols]
    values = {}
    N = len(cells)
    A = np.empty((N, N))
    for p, (r1, c1) in enumerate(cells):
        for q, (r2, c2) in enumerate(cells):
            pos = (r1, c1, r2, c2)
            key = (
                tuple(x[0] for x in pos),
                tuple(next(a for a in range(4) if pos[a] == pos[b]) for b in range(4)),
            )
            if key not in values:
                values[key] = rng.normal()
            A[p, q] = values[key]
    return A + A.T


def cell_permutation(group, perms):
    n, d = group.shape
    pi, rho = group.permutations(perms)
    return (pi[:, None] * d + rho[None, :]).ravel()


def averaged_equivariant(group, rng):
    """Average of a random symmetric matrix over all of H (small groups only)."""
    n, d = group.shape
    B = rng.normal(size=(n * d, n * d))
    B = B + B.T
    out = np.zeros_like(B)
    count = 0
    for perms in itertools.product(*(itertools.permutations(range(int(m))) for m in group.sizes)):
        idx = cell_permutation(group, [np.array(p) for p in perms])
        out[np.ix_(idx, idx)] += B  # P B P^T
        count += 1
    return out / count


def is_equivariant(group, A, atol=1e-12):
    for gen in group.generators():
        idx = cell_permutation(group, gen)
        PA = np.empty_like(A)
        PA[np.ix_(idx, idx)] = A
        if not np.allclose(PA, A, atol=atol):
            return False
    return True


def teacher(group):
    n, d = group.shape
    k = int(round(group.k))
    V = np.zeros((k, d))
    V[:, :k] = np.eye(k)
    return V


# ---------------------------------------------------------------------------


def test_helmert_basis():
    for m in (1, 2, 5, 30):
        B = helmert_basis(m)
        assert B.shape == (m, m - 1)
        assert np.allclose(B.T @ B, np.eye(m - 1), atol=1e-14)
        assert np.allclose(B.sum(axis=0), 0, atol=1e-14)
    with pytest.raises(ValueError, match="positive integer"):
        helmert_basis(0)


GROUPS = [
    ("k", 4, None),
    ("k", 5, None),
    ("k-1,1", 5, None),
    ("k-2,2", 6, None),
    ("k-2,1,1", 5, None),
    ("k-1,1|1", 4, None),
    ("2,2|2,1", 4, None),
    ("3,1||2", 4, 6),
    ("2|1|1", 2, 3),
    ("1,1,1", 3, None),
    ("3|2", 3, None),
]


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_basis_is_orthogonal_and_matches_both_decompositions(spec, k, d):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    basis = symmetry_adapted_basis(group)
    N = group.shape[0] * group.shape[1]
    assert basis.Q.shape == (N, N)
    assert np.allclose(basis.Q.T @ basis.Q, np.eye(N), atol=1e-12)
    assert basis.summary == tuple(
        (c.label, c.multiplicity, int(c.dimension)) for c in isotypic_decomposition(group)
    )
    assert {c.partitions: (c.multiplicity, c.dimension) for c in basis.components} == {
        c.partitions: (c.multiplicity, c.dimension) for c in character_decomposition(group)
    }
    stops = [c.columns.start for c in basis.components] + [N]
    assert stops[0] == 0
    for c, nxt in zip(basis.components, stops[1:]):
        assert c.columns.stop == nxt and c.columns.stop - c.columns.start == (
            c.multiplicity * c.dimension
        )


@pytest.mark.parametrize("spec,k,d", GROUPS)
def test_group_averaged_matrices_are_block_diagonal(spec, k, d, rng):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    A = averaged_equivariant(group, rng)
    assert is_equivariant(group, A)
    basis = symmetry_adapted_basis(group)
    assert basis.residual(A) < 1e-10
    for cheap, averaged in zip(basis.blocks(A), basis.blocks(A, average=True)):
        assert np.allclose(cheap, averaged, atol=1e-12)
        assert np.allclose(cheap, cheap.T, atol=1e-12)
    # the copy vectors give orthogonally similar blocks without Q
    for Ab, Ac in zip(basis.blocks(A), copy_vector_blocks(group, A)):
        assert np.allclose(np.linalg.eigvalsh(Ab), np.linalg.eigvalsh(Ac), atol=1e-10)
    # and the blocks carry the whole spectrum
    ev = np.concatenate(
        [
            np.repeat(np.linalg.eigvalsh(b), c.dimension)
            for b, c in zip(basis.blocks(A), basis.components)
        ]
    )
    assert np.allclose(np.sort(ev), np.linalg.eigvalsh(A), atol=1e-10)


@pytest.mark.parametrize("spec,k,d", [("k-1,1", 10, None), ("k-2,1,1|1", 8, None), ("k||2", 9, 11)])
def test_orbit_equivariant_matrices_at_larger_k(spec, k, d, rng):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    A = orbit_equivariant(group, rng)
    assert is_equivariant(group, A)
    basis = symmetry_adapted_basis(group)
    assert basis.residual(A) < 1e-10
    for Ab, Ac in zip(basis.blocks(A), copy_vector_blocks(group, A)):
        assert np.allclose(np.linalg.eigvalsh(Ab), np.linalg.eigvalsh(Ac), atol=1e-9)
    # control: a matrix that is not equivariant is not block diagonal
    B = rng.normal(size=A.shape)
    assert basis.residual(B + B.T) > 0.1


@st.composite
def small_groups(draw):
    def composition(total):
        parts = []
        while total:
            p = draw(st.integers(1, total))
            parts.append(p)
            total -= p
        return parts

    k = draw(st.integers(1, 5))
    diag, rows, cols = (
        composition(k),
        composition(draw(st.integers(0, 2))),
        composition(draw(st.integers(0, 2))),
    )
    spec = "|".join(",".join(map(str, p)) for p in (diag, rows, cols))
    return IsotropyGroup.from_spec(spec, k, d=k + sum(cols))


@settings(max_examples=25, deadline=None)
@given(small_groups(), st.integers(0, 2**32 - 1))
def test_property_every_equivariant_matrix_is_block_diagonal(group, seed):
    rng = np.random.default_rng(seed)
    A = orbit_equivariant(group, rng)
    basis = symmetry_adapted_basis(group)
    N = basis.Q.shape[0]
    assert np.allclose(basis.Q.T @ basis.Q, np.eye(N), atol=1e-12)
    assert basis.residual(A) < 1e-10


# ---------------------------------------------------------------------------
# dense teacher–student Hessians at symmetric points


def spectrum_from_blocks(basis, H):
    return np.sort(
        np.concatenate(
            [
                np.repeat(np.linalg.eigvalsh(b), c.dimension)
                for b, c in zip(basis.blocks(H), basis.components)
            ]
        )
    )


@pytest.mark.parametrize("k", [4, 5])
def test_global_minimum_hessian(k):
    group = IsotropyGroup.from_spec("k", k)
    H = TeacherStudent(np.eye(k)).hessian(np.eye(k))
    basis = symmetry_adapted_basis(group)
    assert basis.residual(H) < 1e-10
    assert [c.multiplicity for c in basis.components] == [2, 3, 1, 1]
    ev = spectrum_from_blocks(basis, H)
    assert np.allclose(ev, np.linalg.eigvalsh(H), atol=1e-10)
    # MATH.md §3: 1/4 − 1/(2π) with multiplicity k(k−1)/2, 1/4 + 1/(2π) with k(k−3)/2
    lo, hi = 0.25 - 1 / (2 * np.pi), 0.25 + 1 / (2 * np.pi)
    assert np.sum(np.abs(ev - lo) < 1e-9) == k * (k - 1) // 2
    assert np.sum(np.abs(ev - hi) < 1e-9) == k * (k - 3) // 2
    blocks = dict(zip([c.label for c in basis.components], basis.blocks(H)))
    assert blocks["[k-2,2]"][0, 0] == pytest.approx(hi, abs=1e-12)
    assert blocks["[k-2,1,1]"][0, 0] == pytest.approx(lo, abs=1e-12)


def type_ii_point(k, a, b, c, e, f):
    """MATH.md §2: W_ii = a, W_ij = b (i ≠ j < k), W_ik = c, W_kj = e, W_kk = f (k last)."""
    W = np.full((k, k), b)
    np.fill_diagonal(W, a)
    W[:-1, -1] = c
    W[-1, :-1] = e
    W[-1, -1] = f
    return W


def test_type_ii_hessian_k6():
    k = 6
    W = type_ii_point(k, 0.986704, -0.050413, 0.308011, 0.224516, -0.601512)
    H = TeacherStudent(np.eye(k)).hessian(W)
    group = IsotropyGroup.from_spec("k-1,1", k)
    basis = symmetry_adapted_basis(group)
    assert basis.residual(H) < 1e-10
    assert [(c.multiplicity, c.dimension) for c in basis.components] == [
        (5, 1),
        (5, 4),
        (1, 5),
        (1, 6),
    ]
    assert np.allclose(spectrum_from_blocks(basis, H), np.linalg.eigvalsh(H), atol=1e-10)
    # MATH.md §4: a local minimum; smallest eigenvalue ≈ 0.00470 (mult 4, [k−2,1] block)
    std = basis.blocks(H)[1]
    assert np.linalg.eigvalsh(std)[0] == pytest.approx(0.00470, abs=2e-5)
    assert min(np.linalg.eigvalsh(b)[0] for b in basis.blocks(H)) == pytest.approx(
        np.linalg.eigvalsh(std)[0]
    )


@pytest.mark.parametrize(
    "spec,k,d",
    [("k-1,1", 5, None), ("k-2,2", 6, None), ("k-2,1,1", 6, None), ("k-1,1|1", 5, None),
     ("k-1,1||2", 5, 7), ("k-2,1,1|2", 6, None)],
)  # fmt: skip
def test_hessians_at_random_symmetric_points(spec, k, d, rng):
    group = IsotropyGroup.from_spec(spec, k, d=d)
    rows, cols = index_owners(group)
    values = {}
    W = np.empty(group.shape)
    for i, (ta, xa) in enumerate(rows):
        for j, (tb, xb) in enumerate(cols):
            key = (ta, tb, ta == tb and xa == xb)
            W[i, j] = values.setdefault(key, rng.normal())
    H = TeacherStudent(teacher(group), n=group.shape[0]).hessian(W)
    assert is_equivariant(group, H, atol=1e-10)
    basis = symmetry_adapted_basis(group)
    assert basis.residual(H) < 1e-10
    assert np.allclose(spectrum_from_blocks(basis, H), np.linalg.eigvalsh(H), atol=1e-9)
    for Ab, Ac in zip(basis.blocks(H), copy_vector_blocks(group, H)):
        assert np.allclose(np.linalg.eigvalsh(Ab), np.linalg.eigvalsh(Ac), atol=1e-9)


def test_errors():
    with pytest.raises(ValueError, match="integer block sizes"):
        symmetry_adapted_basis(IsotropyGroup.from_spec("k-1,1", 5.5))
    with pytest.raises(TypeError, match="IsotropyGroup"):
        symmetry_adapted_basis("k-1,1")
    group = IsotropyGroup.from_spec("k-1,1", 4)
    basis = symmetry_adapted_basis(group)
    with pytest.raises(ValueError, match="16×16"):
        basis.blocks(np.eye(3))
    with pytest.raises(ValueError, match="16×16"):
        copy_vector_blocks(group, np.eye(3))


def test_docs_examples_run():
    import doctest
    import pathlib
    import re

    path = pathlib.Path(__file__).resolve().parents[1] / "docs" / "representation.md"
    if not path.exists():
        pytest.skip("docs/representation.md not present")
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, str(path), str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 10
