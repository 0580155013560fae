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

import numpy as np

from ._numerics import as_count, cluster_eigenvalues
from .reduced.evaluate import compressed_state
from .reduced.fixed_point import FixedPointSpace
from .reduced.layout import layout_for
from .representation.isotropy import IsotropyGroup
from .representation.isotypic import Irrep, isotypic_decomposition

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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    """

    label: str
    irrep: Irrep
    dimension: int | float
    matrix: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray

    @property
    def size(self) -> int:
        """``μ_χ``, the number of copies."""
        return self.matrix.shape[0]

    @property
    def is_trivial(self) -> bool:
        return all(t == "triv" for t in self.irrep.types)


@dataclass(frozen=True)
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


def _component_states(group: IsotropyGroup, coords: np.ndarray):
    comps = isotypic_decomposition(group)
    states = {}
    for comp in comps:
        marks = comp.irrep.marks()
        if marks not in states:
            layout = layout_for(group, marks)
            weights = layout.float_weights(group.sizes)
            states[marks] = compressed_state(layout, weights, group.k, coords[None, :])
        yield comp, states[marks]


def _orthonormalising_map(G: np.ndarray) -> np.ndarray:
    """``T`` with ``Tᵀ G T = I``: ``L^{-T}`` from ``G = L Lᵀ`` (the canonical choice).

    Near a degenerate block size (a real size close to 2) some copies become
    numerically dependent; then ``G``'s eigendecomposition is used and the
    dependent directions (Gram eigenvalue below ``GRAM_RTOL`` of the largest)
    are dropped.
    """
    G = 0.5 * (G + G.T)
    gvals, gvecs = np.linalg.eigh(G)
    if gvals[0] > GRAM_RTOL * gvals[-1]:
        # explicit inverse of the small triangular factor (μ ≤ ~10): LAPACK's trtrs
        # call overhead dominates at this size
        return np.linalg.inv(np.linalg.cholesky(G)).T
    keep = gvals > GRAM_RTOL * gvals[-1]
    return gvecs[:, keep] / np.sqrt(gvals[keep])


def hessian_blocks(group: IsotropyGroup, coords) -> tuple[HessianBlock, ...]:
    """The blocks ``A_χ`` of the Hessian at the point ``coords`` of ``Fix(group)``.

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like
        Coordinates in :class:`~symbreak.reduced.fixed_point.FixedPointSpace` order.

    Returns
    -------
    tuple of HessianBlock
    """
    coords = FixedPointSpace(group).check_coords(coords)
    out = []
    for comp, st in _component_states(group, coords):
        if comp.dimension <= 0:
            continue  # at a real size below the irrep's smallest block, it does not occur
        U = st.layout.copy_patterns(comp.irrep, comp.copies)
        B = st.hessian_form(U)[0]
        G = st.gram(U)
        T = _orthonormalising_map(G)
        A = T.T @ B @ T
        A = 0.5 * (A + A.T)
        vals, vecs = np.linalg.eigh(A)
        dim = comp.dimension
        if all(f.is_integral for f in group.factors):
            dim = int(round(dim))
        out.append(
            HessianBlock(
                label=comp.label,
                irrep=comp.irrep,
                dimension=dim,
                matrix=A,
                eigenvalues=vals,
                eigenvectors=T @ vecs,
            )
        )
    return tuple(out)


def analytic_spectrum(group: IsotropyGroup, coords, *, zero_tol: float = ZERO_TOL) -> Spectrum:
    """Full Hessian spectrum at ``coords`` from the isotypic blocks (cost independent of k).

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.spectrum import analytic_spectrum
    >>> s = analytic_spectrum(IsotropyGroup.from_spec("k", 10_000), [1.0, 0.0])
    >>> s.index, s.total_multiplicity
    (0, 100000000)
    """
    blocks = hessian_blocks(group, coords)
    entries = [
        SpectrumEntry(value=float(v), multiplicity=b.dimension, irrep=b.label)
        for b in blocks
        for v in b.eigenvalues
    ]
    entries.sort(key=lambda e: e.value)
    return Spectrum(entries=tuple(entries), blocks=blocks, zero_tol=zero_tol)


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
