"""Young's orthogonal form: Coxeter relations, homomorphism, traces = characters, irreducibility."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbreak.representation import (
    character,
    cycle_type,
    dimension,
    partitions,
    reduced_word,
    standard_tableaux,
    young_orthogonal_form,
)

SMALL = [lam for n in range(1, 7) for lam in partitions(n)]
LARGER = [(7,), (4, 3), (3, 2, 1, 1), (5, 2, 1), (3, 3, 2), (4, 3, 2, 1), (2, 2, 2, 2, 1, 1)]


@pytest.mark.parametrize("lam", SMALL + LARGER)
def test_generators_are_symmetric_orthogonal_and_satisfy_coxeter_relations(lam):
    Y = young_orthogonal_form(lam)
    n, f = Y.n, Y.dimension
    S = [Y.generator(i) for i in range(n - 1)]
    # relations checked on the identity (small f) or on random probe vectors (large f)
    X = np.eye(f) if f <= 100 else np.random.default_rng(0).normal(size=(f, 6))

    def word(*idx):
        out = X
        for i in reversed(idx):
            out = S[i] @ out
        return out

    for i, s in enumerate(S):
        assert np.allclose(s, s.T, atol=1e-13)
        assert np.allclose(word(i, i), X, atol=1e-12)
        if i + 1 < n - 1:
            assert np.allclose(word(*(i, i + 1) * 3), X, atol=1e-12)
        for j in range(i + 2, n - 1):
            assert np.allclose(word(i, j, i, j), X, atol=1e-12)


@pytest.mark.parametrize("lam", SMALL + LARGER)
def test_number_of_tableaux_is_the_dimension(lam):
    tabs = standard_tableaux(lam)
    assert len(tabs) == dimension(lam)
    for t in tabs:  # each entry's cell, increasing along rows and columns
        where = {cell: x for x, cell in enumerate(t)}
        assert sorted(where) == sorted((i, j) for i, r in enumerate(lam) for j in range(r))
        beyond = len(t)  # cells outside the diagram compare as larger
        for (i, j), x in where.items():
            assert where.get((i, j + 1), beyond) > x
            assert where.get((i + 1, j), beyond) > x


@pytest.mark.parametrize(
    "lam", [lam for n in range(1, 9) for lam in partitions(n)] + [(4, 3, 2, 1)]
)
def test_traces_equal_characters_on_every_class(lam):
    Y = young_orthogonal_form(lam)
    n = Y.n
    for mu in partitions(n):
        p = np.arange(n)
        start = 0
        for length in mu:
            block = np.arange(start, start + length)
            p[block] = np.roll(block, 1)
            start += length
        assert cycle_type(p) == mu
        assert Y.character(p) == pytest.approx(character(lam, mu), abs=1e-9)


perm_pairs = st.sampled_from(SMALL + LARGER).flatmap(
    lambda lam: st.tuples(
        st.just(lam),
        st.permutations(list(range(sum(lam)))),
        st.permutations(list(range(sum(lam)))),
    )
)


@settings(max_examples=60, deadline=None)
@given(perm_pairs)
def test_matrix_is_an_orthogonal_homomorphism(args):
    lam, s, t = args
    Y = young_orthogonal_form(lam)
    s, t = np.array(s), np.array(t)
    Ms, Mt = Y.matrix(s), Y.matrix(t)
    assert np.allclose(Y.matrix(s[t]), Ms @ Mt, atol=1e-11)  # (s∘t)(x) = s(t(x))
    assert np.allclose(Ms @ Ms.T, np.eye(Y.dimension), atol=1e-11)
    assert np.allclose(Y.matrix(np.argsort(s)), Ms.T, atol=1e-11)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9).flatmap(lambda n: st.permutations(list(range(n)))))
def test_reduced_word_reconstructs_the_permutation(perm):
    n = len(perm)
    word = reduced_word(np.array(perm, dtype=int), n)
    p = np.arange(n)
    for i in word:  # σ = s_{i_L} ⋯ s_{i_1}: apply s_{i_1} first
        swap = np.arange(n)
        swap[[i, i + 1]] = swap[[i + 1, i]]
        p = swap[p]
    assert p.tolist() == list(perm)
    inversions = sum(1 for a in range(n) for b in range(a + 1, n) if perm[a] > perm[b])
    assert len(word) == inversions


@pytest.mark.parametrize("lam", [(3, 1), (2, 2), (3, 2), (2, 2, 1), (3, 1, 1), (3, 2, 1)])
def test_irreducible_only_scalars_commute(lam):
    """Schur: the commutant of ρ(S_n) is one-dimensional."""
    Y = young_orthogonal_form(lam)
    f = Y.dimension
    rows = [
        np.kron(Y.generator(i), np.eye(f)) - np.kron(np.eye(f), Y.generator(i).T)
        for i in range(Y.n - 1)
    ]
    kernel_dim = f * f - np.linalg.matrix_rank(np.vstack(rows), tol=1e-9)
    assert kernel_dim == 1


def test_inequivalent_irreps_have_no_intertwiner():
    A, B = young_orthogonal_form((3, 2)), young_orthogonal_form((2, 2, 1))
    fa, fb = A.dimension, B.dimension
    rows = [
        np.kron(A.generator(i), np.eye(fb)) - np.kron(np.eye(fa), B.generator(i).T)
        for i in range(4)
    ]
    assert np.linalg.matrix_rank(np.vstack(rows), tol=1e-9) == fa * fb


def test_errors():
    with pytest.raises(ValueError, match="n <= 10"):
        young_orthogonal_form((6, 5))
    Y = young_orthogonal_form((2, 1))
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        Y.generator(2)
    with pytest.raises(ValueError, match="permutation"):
        Y.matrix(np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="length 3"):
        Y.matrix(np.array([0, 1]))
    assert np.array_equal(young_orthogonal_form((1,)).matrix(np.array([0])), np.eye(1))
    assert young_orthogonal_form((5, 5)).dimension == dimension((5, 5))
