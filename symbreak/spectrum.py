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
from .reduced.teacher import Teacher
from .representation.isotropy import IsotropyGroup, group_of
from .representation.isotypic import CopyVector, Irrep, isotypic_decomposition
from .tolerances import Tolerances, as_tolerances

__all__ = [
    "SpectrumEntry",
    "HessianBlock",
    "Spectrum",
    "hessian_blocks",
    "analytic_spectrum",
    "dense_spectrum",
    "ZERO_TOL",
]

#: absolute zero threshold of a :class:`Spectrum` built by hand (``analytic_spectrum``
#: uses the relative threshold of the tolerance policy unless given ``zero_tol``)
ZERO_TOL = 1e-9
#: copy directions whose Gram eigenvalue is below this fraction of the largest are dropped
GRAM_RTOL = 1e-12
#: a batch is evaluated in chunks of this many points (cache-sized temporaries)
_CHUNK = 128


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
    U_all: np.ndarray  # every block's orthonormalised directions U_χ = Tᵀ U, stacked (Σr, P, C)
    blocks: tuple[_BlockPlan, ...]
    spans: tuple[tuple[int, int], ...]  # per block: its rows of U_all


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
def _spectrum_plan(group: IsotropyGroup, teacher: bool = False) -> _SpectrumPlan:
    comps = [c for c in isotypic_decomposition(group) if c.dimension > 0]
    # one layout with enough marks for every block: a layout with more marks is
    # still exact for copies that need fewer, so one evaluation serves all blocks
    marks = tuple(max(c.irrep.marks()[t] for c in comps) for t in range(len(group.factors)))
    layout = layout_for(group, marks, teacher=teacher)
    weights = layout.float_weights(group.sizes)
    # probe rows that stand for no actual row at these sizes enter nothing: left out
    inert = set(weights.inert_rows(derivatives=False).tolist())
    keep = [p for p in range(len(layout.rows)) if p not in inert]
    layout, weights = layout.restrict_rows(keep), weights.restrict_rows(keep)
    integral = all(f.is_integral for f in group.factors)
    blocks, directions = [], []
    for comp in comps:
        Uc = layout.copy_patterns(comp.irrep, comp.copies)
        G = np.einsum("p,apc,bpc->ab", weights.row, Uc * weights.col, Uc)
        T, kept = _orthonormalising_map(G)
        dropped = tuple(cv for i, cv in enumerate(comp.copies) if i not in set(kept.tolist()))
        dim = int(round(comp.dimension)) if integral else comp.dimension
        blocks.append(
            _BlockPlan(label=comp.label, irrep=comp.irrep, dimension=dim, T=T, dropped=dropped)
        )
        # D²L is bilinear: the form on U_χ = Tᵀ U is A_χ = Tᵀ B T directly
        directions.append(np.einsum("ar,apc->rpc", T, Uc))
    U_all = np.concatenate(directions)
    U_all.setflags(write=False)
    ends = np.cumsum([U.shape[0] for U in directions]).tolist()
    spans = tuple((e - U.shape[0], e) for e, U in zip(ends, directions))
    return _SpectrumPlan(
        layout=layout, weights=weights, U_all=U_all, blocks=tuple(blocks), spans=spans
    )


def _block_arrays(group: IsotropyGroup, C: np.ndarray, teacher=None):
    """Per block: (plan, A (N, r, r), eigenvalues (N, r)).

    One compressed evaluation serves every block (one stacked Hessian form),
    and each block's eigenvalues are one ``eigvalsh`` call for all points, in
    chunks of :data:`_CHUNK` points (bounded temporaries).  Eigenvectors are
    computed only when a point's blocks are looked at
    (:meth:`_SpectrumBatch.vectors`).
    """
    if teacher is not None:  # explicit teacher rows: the teacher's coordinates follow W's
        C = np.concatenate([C, np.broadcast_to(teacher, (C.shape[0], teacher.size))], axis=1)
    t = teacher is not None
    if C.shape[0] <= _CHUNK:
        return _block_arrays_chunk(group, C, t)
    parts = [
        _block_arrays_chunk(group, C[i : i + _CHUNK], t) for i in range(0, C.shape[0], _CHUNK)
    ]
    return [
        (bp, *(np.concatenate([part[b][j] for part in parts]) for j in (1, 2)))
        for b, (bp, *_) in enumerate(parts[0])
    ]


def _block_arrays_chunk(group: IsotropyGroup, C: np.ndarray, teacher: bool = False):
    plan = _spectrum_plan(group, teacher)
    st = compressed_state(plan.layout, plan.weights, group.k, C)
    # every block at once, on its orthonormalised directions (cross-block entries unused)
    B = st.hessian_form(plan.U_all)
    out = []
    for bp, (lo, hi) in zip(plan.blocks, plan.spans):
        A = B[:, lo:hi, lo:hi].copy()  # A_χ = Tᵀ B_χ T, symmetric
        vals = A[:, :, 0].copy() if hi - lo == 1 else np.linalg.eigvalsh(A)
        out.append((bp, A, vals))
    return out


def _block_vectors(bp: _BlockPlan, A: np.ndarray) -> np.ndarray:
    """Eigenvectors of the blocks ``A`` (N, r, r) on the copy vectors: ``T V``, shape (N, μ, r).

    ``V`` are the orthonormal eigenvectors of ``A`` (``eigh``, increasing
    eigenvalues, the order of ``eigvalsh``).
    """
    if A.shape[1] == 1:  # a 1 × 1 block: V = [[1]]
        return np.broadcast_to(bp.T, (A.shape[0], *bp.T.shape)).copy()
    return np.matmul(bp.T, np.linalg.eigh(A)[1])


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


class _SpectrumBatch:
    """The arrays of one batched evaluation; builds each point's records on demand."""

    __slots__ = ("arrays", "values", "owner", "order", "tags", "_vectors")

    def __init__(self, arrays):
        self.arrays = arrays
        # all eigenvalues of a point, in block order, then one argsort for the batch
        self.values = np.concatenate([vals for _, _, vals in arrays], axis=1)  # (N, Σr)
        self.owner = np.concatenate(
            [np.full(vals.shape[1], i) for i, (_, _, vals) in enumerate(arrays)]
        )
        self.order = np.argsort(self.values, axis=1, kind="stable")
        self.tags = [(bp.dimension, bp.label) for bp, *_ in arrays]
        self._vectors = None

    def vectors(self) -> list[np.ndarray]:
        """Per block, the eigenvectors of every point (one ``eigh`` per block, on first use)."""
        if self._vectors is None:
            self._vectors = [_block_vectors(bp, A) for bp, A, _ in self.arrays]
        return self._vectors

    def entries(self, n: int) -> tuple[SpectrumEntry, ...]:
        order = self.order[n]
        tags = self.tags
        return tuple(
            [
                _new_entry(v, *tags[i])
                for v, i in zip(self.values[n, order].tolist(), self.owner[order].tolist())
            ]
        )

    def blocks(self, n: int) -> tuple[HessianBlock, ...]:
        return tuple(
            [
                _new_block(bp.label, bp.irrep, bp.dimension, A[n], vals[n], vecs[n], bp.dropped)
                for (bp, A, vals), vecs in zip(self.arrays, self.vectors())
            ]
        )


def _lazy_field(name: str) -> property:
    """Property for the slot ``name`` of :class:`Spectrum`, filled by the batch on first access."""
    slot = Spectrum.__dict__[name]
    build = getattr(_SpectrumBatch, name)

    def get(self):
        try:
            return slot.__get__(self)
        except AttributeError:
            value = build(self._batch, self._n)
            slot.__set__(self, value)
            return value

    return property(get, slot.__set__, doc=f"``{name}`` (built on first access)")


class _LazySpectrum(Spectrum):
    """A :class:`Spectrum` of a batch whose ``entries`` and ``blocks`` are built on first access.

    Same fields, values and behaviour as ``Spectrum(entries, blocks, zero_tol)``
    (the setters serve the dataclass ``__init__``, e.g. in ``replace``); a batch
    of ``N`` points then costs one set of array operations, and the Python
    records of a point only when it is looked at.
    """

    __slots__ = ("_batch", "_n")
    entries = _lazy_field("entries")
    blocks = _lazy_field("blocks")


_set_zero_tol = Spectrum.__dict__["zero_tol"].__set__
_set_batch = _LazySpectrum.__dict__["_batch"].__set__
_set_n = _LazySpectrum.__dict__["_n"].__set__


def _new_lazy(batch: _SpectrumBatch, n: int, zero_tol: float) -> _LazySpectrum:
    obj = object.__new__(_LazySpectrum)
    _set_batch(obj, batch)
    _set_n(obj, n)
    _set_zero_tol(obj, zero_tol)
    return obj


def _check_batch(group: IsotropyGroup, coords) -> tuple[np.ndarray, bool]:
    return FixedPointSpace(group).check_batch(coords)


def _teacher_coords(group: IsotropyGroup, teacher) -> np.ndarray | None:
    """The teacher's coordinates (``None``: the identity teacher's fast path)."""
    if teacher is None:
        return None
    t = teacher.at(group) if isinstance(teacher, Teacher) else Teacher(group, teacher)
    return t.array


def hessian_blocks(
    group: IsotropyGroup | str, coords, *, k=None, extra_dims=None, teacher=None
):
    """The blocks ``A_χ`` of the Hessian at ``coords`` (one point or a batch).

    Parameters
    ----------
    group : IsotropyGroup or str
        The group, or its spec string (then ``k`` is required).
    coords : array_like, shape (dim,) or (N, dim)
        Coordinates in :class:`~symbreak.reduced.fixed_point.FixedPointSpace` order.
    k, extra_dims : float, optional
        With a spec string: ``k`` and ``d − k`` (default 0), as in
        :func:`~symbreak.representation.isotropy.group_of`.
    teacher : Teacher or array_like, optional
        A teacher ``V ∈ Fix(H)`` (:class:`~symbreak.reduced.teacher.Teacher`
        or its coordinates); default ``[I_k 0]``.  The blocks are then those
        of the Hessian of ``L(·; V)``, which commutes with ``H``.

    Returns
    -------
    tuple of HessianBlock, or list of N such tuples for a batch

    Raises
    ------
    NotDifferentiableError
        If a row of ``W`` is zero at some point (the message names the point's index).

    Notes
    -----
    One compressed evaluation (one Hessian form on the orthonormalised copy
    directions of every block) serves every block and every point; the Gram
    matrices and their orthonormalising maps depend only on the group and are
    cached.  Each block's eigenvalues are one ``eigvalsh`` call for all ``N``
    points, its eigenvectors one ``eigh`` call, made when the blocks of a batch
    are first looked at (``analytic_spectrum`` records build them on access).
    """
    group = group_of(group, k, extra_dims=extra_dims)
    C, single = _check_batch(group, coords)
    batch = _SpectrumBatch(_block_arrays(group, C, _teacher_coords(group, teacher)))
    out = [batch.blocks(n) for n in range(C.shape[0])]
    return out[0] if single else out


def analytic_spectrum(
    group: IsotropyGroup | str,
    coords,
    *,
    k=None,
    extra_dims=None,
    zero_tol: float | None = None,
    tolerances: Tolerances | None = None,
    teacher=None,
):
    """Full Hessian spectrum at ``coords`` from the isotypic blocks (cost independent of k).

    Parameters
    ----------
    group : IsotropyGroup or str
        The group, or its spec string (then ``k`` is required).
    coords : array_like, shape (dim,) or (N, dim)
    k, extra_dims : float, optional
        With a spec string: ``k`` and ``d − k`` (default 0), as in
        :func:`~symbreak.representation.isotropy.group_of`.
    zero_tol : float, optional
        Eigenvalues with ``|λ| <= zero_tol`` count as zero (an absolute
        override).  Default: the relative threshold of the tolerance policy,
        ``tolerances.zero_threshold(ρ) = eigenvalue · max(1, ρ)`` with ``ρ`` the
        largest ``|λ|`` of the point (:class:`~symbreak.tolerances.Tolerances`).
    tolerances : Tolerances, optional
        The policy (default :data:`~symbreak.tolerances.DEFAULT_TOLERANCES`).
    teacher : Teacher or array_like, optional
        A teacher ``V ∈ Fix(H)`` (default ``[I_k 0]``), as in :func:`hessian_blocks`.

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
    group = group_of(group, k, extra_dims=extra_dims)
    if zero_tol is None:
        policy = as_tolerances(tolerances)
    else:
        zero_tol = float(zero_tol)
        if not zero_tol >= 0:
            raise ValueError(f"zero_tol must be a non-negative number, got {zero_tol!r}")
    C, single = _check_batch(group, coords)
    batch = _SpectrumBatch(_block_arrays(group, C, _teacher_coords(group, teacher)))
    if zero_tol is None:  # relative to each point's spectral radius
        radius = np.abs(batch.values).max(axis=1, initial=0.0)
        # policy.zero_threshold(r) = eigenvalue · max(1, |r|), for every point at once
        tols = (policy.eigenvalue * np.maximum(1.0, radius)).tolist()
    else:
        tols = [zero_tol] * C.shape[0]
    out = [_new_lazy(batch, n, tol) for n, tol in enumerate(tols)]
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
