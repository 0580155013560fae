r"""Hessian spectra at symmetric points: analytic (per isotypic block) and dense.

At a point ``W`` with isotropy ``H`` the Hessian commutes with ``H``; on the
isotypic component of an irrep ``χ`` with ``μ_χ`` copies it is
``A_χ ⊗ I_{dim χ}`` (Schur's lemma).  With copy vectors ``u_1, …, u_μ`` that
are images of one abstract vector (:mod:`symbreak.representation.isotypic`),

.. math::

    B_{pq} = D^2L(W)[u_p, u_q],\qquad G_{pq} = ⟨u_p, u_q⟩ = L L^T,\qquad
    A_χ = L^{-1} B L^{-T},

and every eigenvalue of ``A_χ`` is an eigenvalue of the Hessian of
multiplicity ``dim χ``.  ``B`` and ``G`` come from the compressed model, so the
whole spectrum costs the same at any ``k`` (and ``k`` may be real, the
multiplicities then being the values of their polynomials).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._numerics import as_count, cluster_eigenvalues
from .reduced.evaluate import compressed_state
from .reduced.fixed_point import FixedPointSpace
from .reduced.layout import Layout, LayoutWeights, layout_for
from .representation.isotropy import IsotropyGroup
from .representation.isotypic import CopyVector, Irrep, isotypic_decomposition

__all__ = [
    "SpectrumEntry",
    "HessianBlock",
    "Spectrum",
    "hessian_blocks",
    "analytic_spectrum",
    "dense_spectrum",
    "ZERO_TOL",
]

#: eigenvalues with ``|λ| <= ZERO_TOL`` count as zero (degenerate)
ZERO_TOL = 1e-9
#: copy directions whose Gram eigenvalue is below this fraction of the largest are dropped
GRAM_RTOL = 1e-12
#: from this many points on, the Hessian form is evaluated block by block
_BLOCKWISE_BATCH = 32


@dataclass(frozen=True, slots=True)
class SpectrumEntry:
    """One eigenvalue of the Hessian.

    Attributes
    ----------
    value : float
    multiplicity : int or float
        ``dim χ``: an integer at integer block sizes, the value of its
        polynomial at real sizes.
    irrep : str
        Label of the isotypic block, e.g. ``[k-2,1] x [1]``.
    """

    value: float
    multiplicity: int | float
    irrep: str

    def to_json(self) -> dict:
        return {"value": self.value, "multiplicity": self.multiplicity, "irrep": self.irrep}


@dataclass(frozen=True, slots=True)
class HessianBlock:
    """The block ``A_χ`` of one isotypic component.

    Attributes
    ----------
    label : str
    irrep : Irrep
    dimension : int or float
        ``dim χ`` (the multiplicity of each eigenvalue).
    matrix : ndarray, shape (μ, μ)
        ``A_χ`` in the orthonormalised copy basis.
    eigenvalues : ndarray, shape (μ,)
        Increasing.
    eigenvectors : ndarray, shape (μ, r)
        Columns: coefficients on the (un-normalised) copy vectors, ``G``-orthonormal
        (``r = μ`` except where copies are numerically dependent).
    dropped_copies : tuple of CopyVector
        Copies left out because they are numerically dependent on the others
        (Gram matrix ``G`` nearly singular, e.g. near a degenerate real block
        size): their rows of ``eigenvectors`` are 0 and ``matrix`` is
        ``r × r`` with ``r = μ − len(dropped_copies)``.  Empty almost always.
    """

    label: str
    irrep: Irrep
    dimension: int | float
    matrix: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    dropped_copies: tuple[CopyVector, ...] = ()

    @property
    def size(self) -> int:
        """Number of copies kept (``μ_χ`` minus the dropped ones): the size of ``matrix``."""
        return self.matrix.shape[0]

    @property
    def is_trivial(self) -> bool:
        return all(t == "triv" for t in self.irrep.types)


@dataclass(frozen=True, slots=True)
class Spectrum:
    """Full Hessian spectrum: values, exact multiplicities, irrep labels.

    Attributes
    ----------
    entries : tuple of SpectrumEntry
        Sorted by value.
    blocks : tuple of HessianBlock
        The isotypic blocks, trivial first.
    zero_tol : float
        Threshold used by :attr:`index` and :attr:`is_degenerate`.
    """

    entries: tuple[SpectrumEntry, ...]
    blocks: tuple[HessianBlock, ...]
    zero_tol: float = ZERO_TOL

    @property
    def index(self) -> int | float:
        """Morse index: total multiplicity of the negative eigenvalues."""
        return as_count(sum(e.multiplicity for e in self.entries if e.value < -self.zero_tol))

    @property
    def nullity(self) -> int | float:
        """Total multiplicity of the eigenvalues with ``|λ| <= zero_tol``."""
        return as_count(sum(e.multiplicity for e in self.entries if abs(e.value) <= self.zero_tol))

    @property
    def is_degenerate(self) -> bool:
        return any(abs(e.value) <= self.zero_tol for e in self.entries)

    @property
    def min_eigenvalue(self) -> float:
        return min(e.value for e in self.entries)

    @property
    def total_multiplicity(self) -> int | float:
        """``Σ multiplicity`` = ``n·d`` at integer sizes."""
        return as_count(sum(e.multiplicity for e in self.entries))

    def to_json(self) -> list[dict]:
        return [e.to_json() for e in self.entries]

    def values_with_multiplicity(self) -> list[tuple[float, int | float]]:
        return [(e.value, e.multiplicity) for e in self.entries]


@dataclass(frozen=True, eq=False)
class _BlockPlan:
    """Everything about one isotypic block that does not depend on the point."""

    label: str
    irrep: Irrep
    dimension: int | float
    T: np.ndarray  # (μ, r): Tᵀ G T = I on the kept copies (zero rows for dropped ones)
    dropped: tuple[CopyVector, ...]


@dataclass(frozen=True, eq=False)
class _SpectrumPlan:
    """Coordinate-independent data of the analytic spectrum of one group (cached)."""

    layout: Layout
    weights: LayoutWeights
    U: tuple[np.ndarray, ...]  # per block: its copy vectors (μ, P, C)
    U_all: np.ndarray  # every block's copy vectors, stacked (A, P, C)
    blocks: tuple[_BlockPlan, ...]


def _orthonormalising_map(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``T`` with ``Tᵀ G T = I`` on a maximal well-conditioned set of copies.

    Pivoted Cholesky of the Gram matrix ``G``: copies are taken in order of
    the largest remaining (Schur-complement) norm, and a copy whose remaining
    squared norm is below ``GRAM_RTOL`` times the largest diagonal entry of
    ``G`` is *dropped* (numerically dependent on the kept ones, e.g. near a
    degenerate real block size).  Returns ``T`` (μ × r, zero rows for dropped
    copies; ``T = L^{-T}`` of the kept copies) and the kept indices.
    """
    G = 0.5 * (G + G.T)
    mu = G.shape[0]
    scale = max(float(np.max(np.diag(G))), 0.0)
    S = G.copy()
    kept: list[int] = []
    free = list(range(mu))
    while free:
        d = np.array([S[i, i] for i in free])
        j = int(np.argmax(d))
        if not d[j] > GRAM_RTOL * scale:
            break
        piv = free.pop(j)
        kept.append(piv)
        col = S[:, piv] / np.sqrt(S[piv, piv])
        S = S - np.outer(col, col)
    kept_arr = np.array(sorted(kept), dtype=int)
    T = np.zeros((mu, kept_arr.size))
    if kept_arr.size:
        Gk = G[np.ix_(kept_arr, kept_arr)]
        T[kept_arr] = np.linalg.inv(np.linalg.cholesky(Gk)).T
    return T, kept_arr


@lru_cache(maxsize=1024)
def _spectrum_plan(group: IsotropyGroup) -> _SpectrumPlan:
    comps = [c for c in isotypic_decomposition(group) if c.dimension > 0]
    # one layout with enough marks for every block: a layout with more marks is
    # still exact for copies that need fewer, so one evaluation serves all blocks
    marks = tuple(max(c.irrep.marks()[t] for c in comps) for t in range(len(group.factors)))
    layout = layout_for(group, marks)
    weights = layout.float_weights(group.sizes)
    Us = [layout.copy_patterns(c.irrep, c.copies) for c in comps]
    integral = all(f.is_integral for f in group.factors)
    blocks = []
    for comp, Uc in zip(comps, Us):
        G = np.einsum("p,apc,bpc->ab", weights.row, Uc * weights.col, Uc)
        T, kept = _orthonormalising_map(G)
        dropped = tuple(cv for i, cv in enumerate(comp.copies) if i not in set(kept.tolist()))
        dim = int(round(comp.dimension)) if integral else comp.dimension
        blocks.append(
            _BlockPlan(label=comp.label, irrep=comp.irrep, dimension=dim, T=T, dropped=dropped)
        )
    U_all = np.concatenate(Us)
    U_all.setflags(write=False)
    return _SpectrumPlan(
        layout=layout, weights=weights, U=tuple(Us), U_all=U_all, blocks=tuple(blocks)
    )


def _block_arrays(group: IsotropyGroup, C: np.ndarray):
    """Per block: (plan, A (N, r, r), eigenvalues (N, r), eigenvectors (N, μ, r)).

    One compressed evaluation for the whole batch (its kernel coefficients are
    shared by the blocks), the form of each block, and one ``eigh`` call per block.
    """
    plan = _spectrum_plan(group)
    st = compressed_state(plan.layout, plan.weights, group.k, C)
    if C.shape[0] >= _BLOCKWISE_BATCH:  # block by block: no cross-block terms
        forms = [st.hessian_form(U) for U in plan.U]
    else:  # few points: one stacked form, fewer numpy calls
        B = st.hessian_form(plan.U_all)
        ends = np.cumsum([U.shape[0] for U in plan.U])
        forms = [B[:, e - U.shape[0] : e, e - U.shape[0] : e] for e, U in zip(ends, plan.U)]
    out = []
    for bp, F in zip(plan.blocks, forms):
        A = np.matmul(np.matmul(bp.T.T, F), bp.T)
        A = 0.5 * (A + A.transpose(0, 2, 1))
        vals, vecs = np.linalg.eigh(A)
        out.append((bp, A, vals, np.matmul(bp.T, vecs)))
    return out


def _maker(cls):
    """A fast constructor ``make(*values)`` of a frozen, slotted dataclass.

    Equivalent to ``cls(*values)`` with every field given positionally (these
    records have no ``__post_init__``); it sets the slots directly, which is
    what assembling the many spectra of a batch needs.
    """
    names = cls.__slots__
    args = ", ".join(names)
    body = "".join(f"    _set_{f}(obj, {f})\n" for f in names)
    src = f"def make({args}):\n    obj = _new(_cls)\n{body}    return obj\n"
    scope = {"_new": object.__new__, "_cls": cls}
    scope.update({f"_set_{f}": getattr(cls, f).__set__ for f in names})
    exec(src, scope)  # a straight-line constructor: no loop over the fields
    return scope["make"]


_new_entry = _maker(SpectrumEntry)
_new_block = _maker(HessianBlock)
_new_spectrum = _maker(Spectrum)


def _check_batch(group: IsotropyGroup, coords) -> tuple[np.ndarray, bool]:
    return FixedPointSpace(group).check_batch(coords)


def hessian_blocks(group: IsotropyGroup, coords):
    """The blocks ``A_χ`` of the Hessian at ``coords`` (one point or a batch).

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like, shape (dim,) or (N, dim)
        Coordinates in :class:`~symbreak.reduced.fixed_point.FixedPointSpace` order.

    Returns
    -------
    tuple of HessianBlock, or list of N such tuples for a batch

    Raises
    ------
    NotDifferentiableError
        If a row of ``W`` is zero at some point (the message names the point's index).

    Notes
    -----
    One compressed evaluation serves every block and every point; the Gram
    matrices and their orthonormalising maps depend only on the group and are
    cached; each block's ``eigh`` is one LAPACK call for all ``N`` points.
    """
    C, single = _check_batch(group, coords)
    arrays = _block_arrays(group, C)
    per_block = [(bp, list(A), list(vals), list(vecs)) for bp, A, vals, vecs in arrays]
    out = [
        tuple(
            [
                _new_block(bp.label, bp.irrep, bp.dimension, As[n], Vs[n], Xs[n], bp.dropped)
                for bp, As, Vs, Xs in per_block
            ]
        )
        for n in range(C.shape[0])
    ]
    return out[0] if single else out


def analytic_spectrum(group: IsotropyGroup, coords, *, zero_tol: float = ZERO_TOL):
    """Full Hessian spectrum at ``coords`` from the isotypic blocks (cost independent of k).

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like, shape (dim,) or (N, dim)
    zero_tol : float

    Returns
    -------
    Spectrum, or list of N Spectrum for a batch (equal to N single calls)

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.spectrum import analytic_spectrum
    >>> s = analytic_spectrum(IsotropyGroup.from_spec("k", 10_000), [1.0, 0.0])
    >>> s.index, s.total_multiplicity
    (0, 100000000)
    """
    C, single = _check_batch(group, coords)
    arrays = _block_arrays(group, C)
    # all eigenvalues of a point, in block order, then one argsort for the batch
    values = np.concatenate([vals for _, _, vals, _ in arrays], axis=1)  # (N, Σr)
    owner = np.concatenate([np.full(vals.shape[1], i) for i, (_, _, vals, _) in enumerate(arrays)])
    order = np.argsort(values, axis=1, kind="stable")
    sorted_values = np.take_along_axis(values, order, axis=1).tolist()
    tags = [(bp.dimension, bp.label) for bp, *_ in arrays]
    sorted_tags = [[tags[i] for i in row] for row in owner[order].tolist()]
    per_block = [(bp, list(A), list(vals), list(vecs)) for bp, A, vals, vecs in arrays]
    out = []
    for n, (row, row_tags) in enumerate(zip(sorted_values, sorted_tags)):
        blocks = tuple(
            [
                _new_block(bp.label, bp.irrep, bp.dimension, As[n], Vs[n], Xs[n], bp.dropped)
                for bp, As, Vs, Xs in per_block
            ]
        )
        entries = tuple([_new_entry(v, dim, label) for v, (dim, label) in zip(row, row_tags)])
        out.append(_new_spectrum(entries, blocks, zero_tol))
    return out[0] if single else out


def dense_spectrum(W, V=None, *, tol: float = 1e-8) -> list[tuple[float, int]]:
    """Distinct eigenvalues and multiplicities of the dense Hessian (integer sizes).

    Parameters
    ----------
    W : array_like, shape (n, d)
    V : array_like, optional
        Teacher; default ``I_k`` padded to ``d`` columns with ``k = min(n, d)``.
    """
    from .model import TeacherStudent

    W = np.asarray(W, dtype=float)
    if V is None:
        n, d = W.shape
        k = min(n, d)
        V = np.zeros((k, d))
        V[:, :k] = np.eye(k)
    H = TeacherStudent(V, n=W.shape[0]).hessian(W)
    return cluster_eigenvalues(np.linalg.eigvalsh(H), tol=tol)
