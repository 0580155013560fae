r"""Symmetry-adapted orthonormal basis of ``M(n, d)`` for a Young-type group.

For ``H`` with integer block sizes, :func:`symmetry_adapted_basis` returns an
orthogonal ``Q`` (``n·d × n·d``, acting on ``W`` flattened row-major, index
``i·d + j``, as the Hessian of :class:`~symbreak.model.TeacherStudent`) such
that for **every** ``H``-equivariant symmetric ``A``

.. math::

    Q^T A Q = \bigoplus_χ A_χ ⊗ I_{\dim χ},

``A_χ`` a ``μ_χ × μ_χ`` matrix (``μ_χ`` the multiplicity).  Column
``p·dim χ + j`` of the block of ``χ`` is ``ψ_p(e_j)``: the ``j``-th vector of
one fixed orthonormal basis of the abstract irrep, under the ``p``-th of
``μ_χ`` isometric equivariant embeddings ``ψ_p`` with mutually orthogonal
images.  Then ``⟨ψ_p e_j, A ψ_q e_{j'}⟩ = (A_χ)_{pq} δ_{jj'}`` by Schur's lemma
(irreps of symmetric groups are absolutely irreducible), which is why all
copies of one irrep must use the *same* abstract basis.

Construction, per row block ``a`` and column block ``b`` (``R^m = 1 ⊕ std``,
``std`` with the Helmert basis ``h_1 … h_{m−1}``):

* ``a ≠ b``: ``u ⊗ v`` with ``u ∈ {1/√m_a, h^a_i}``, ``v ∈ {1/√m_b, h^b_j}``
  (irreps ``triv``, ``std_a``, ``std_b``, ``std_a ⊠ std_b``; the abstract basis of
  ``std_a ⊠ std_b`` is ordered by factor index, whichever is the row block);
* ``a = b`` (``ΔS_m`` on ``m × m`` blocks): ``triv``: ``I/√m``,
  ``(J − I)/√(m(m−1))``; ``std``: ``diag(h)``, ``h 1^T/√m``, ``1 h^T/√m``;
  ``alt = Λ² std``: ``(h_i h_j^T − h_j h_i^T)/√2``; ``two`` = symmetric
  matrices with zero row sums and zero diagonal (the kernel of
  ``X ↦ diag X`` on ``Sym² std``), with any orthonormal basis (it occurs once).

Embeddings of one irrep are not orthogonal to each other (``diag(h)`` and
``h 1^T``), but ``φ_p^T φ_q = G_{pq} I`` (Schur), so ``ψ = φ G^{-1/2}`` on the
range of ``G`` fixes that; dependent embeddings (``m = 2``) drop out as zero
eigenvalues of ``G``.  Nothing here uses the closed-form decomposition, so
the multiplicities of ``Q`` are an independent check of it.

:func:`copy_vector_blocks` gives the same ``A_χ`` (up to an orthogonal change
of basis) from the few copy vectors of :mod:`~.isotypic`, without forming ``Q``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .isotropy import IsotropyGroup
from .isotypic import TYPES, Irrep, copy_vector_matrix, isotypic_decomposition

__all__ = [
    "AdaptedBasis",
    "AdaptedComponent",
    "copy_vector_blocks",
    "helmert_basis",
    "symmetry_adapted_basis",
]

_RANK_TOL = 1e-9


def helmert_basis(m: int) -> np.ndarray:
    r"""Orthonormal basis of ``{x ∈ R^m : Σ x_i = 0}`` (an ``m × (m−1)`` matrix).

    Column ``j`` (``1 ≤ j < m``) is ``(e_0 + … + e_{j−1} − j e_j)/√(j(j+1))``.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m must be a positive integer, got {m!r}")
    B = np.zeros((m, m - 1))
    for j in range(1, m):
        B[:j, j - 1] = 1.0
        B[j, j - 1] = -float(j)
        B[:, j - 1] /= np.sqrt(j * (j + 1.0))
    return B


@dataclass(frozen=True)
class AdaptedComponent:
    """The columns of ``Q`` spanning one isotypic component.

    Attributes
    ----------
    label : str
        As :meth:`~.isotypic.Irrep.label`, e.g. ``[k-1,1] x [1]``.
    irrep : Irrep
        The irrep by types (``triv``/``std``/``two``/``alt`` per factor).
    partitions : tuple of tuple of int
        One partition per factor.
    multiplicity : int
        ``μ_χ``, the size of ``A_χ``.
    dimension : int
        ``dim χ``.
    columns : slice
        Its ``μ_χ · dim χ`` columns of ``Q``; column ``p·dim χ + j`` (relative)
        is basis vector ``j`` of copy ``p``.
    """

    label: str
    irrep: Irrep
    partitions: tuple[tuple[int, ...], ...]
    multiplicity: int
    dimension: int
    columns: slice


@dataclass(frozen=True, eq=False)
class AdaptedBasis:
    """An orthogonal ``Q`` block-diagonalising every ``H``-equivariant matrix.

    Attributes
    ----------
    group : IsotropyGroup
    Q : numpy.ndarray, shape (n·d, n·d)
        Orthogonal; rows indexed by ``i·d + j``.
    components : tuple of AdaptedComponent
        In column order (trivial irrep first, as :func:`~.isotypic.isotypic_decomposition`).
    """

    group: IsotropyGroup
    Q: np.ndarray
    components: tuple[AdaptedComponent, ...]

    @property
    def summary(self) -> tuple[tuple[str, int, int], ...]:
        """``(label, multiplicity, dimension)`` per component."""
        return tuple((c.label, c.multiplicity, c.dimension) for c in self.components)

    def _check(self, A) -> np.ndarray:
        A = np.asarray(A, dtype=float)
        N = self.Q.shape[0]
        if A.shape != (N, N):
            raise ValueError(f"A must be a {N}×{N} matrix (n·d = {N}), got shape {A.shape}")
        return A

    def transform(self, A) -> np.ndarray:
        """``Q^T A Q``."""
        A = self._check(A)
        return self.Q.T @ A @ self.Q

    def blocks(self, A, *, average: bool = False) -> tuple[np.ndarray, ...]:
        """The ``μ_χ × μ_χ`` matrices ``A_χ`` (one per component, in order).

        Parameters
        ----------
        A : array_like, shape (n·d, n·d)
            An ``H``-equivariant matrix.
        average : bool
            ``False`` (default): ``(A_χ)_{pq} = ⟨ψ_p e_1, A ψ_q e_1⟩``, exact for
            equivariant ``A`` at cost ``O((n d)^2 Σ_χ μ_χ)``.  ``True``: the
            average over ``j`` of ``⟨ψ_p e_j, A ψ_q e_j⟩``, the block form closest
            to ``Q^T A Q`` for any ``A`` (cost ``O((n d)^3)``).
        """
        A = self._check(A)
        out = []
        for c in self.components:
            mu, dim = c.multiplicity, c.dimension
            if average:
                Qc = self.Q[:, c.columns]
                B = Qc.T @ A @ Qc
                out.append(np.einsum("pjqj->pq", B.reshape(mu, dim, mu, dim)) / dim)
            else:
                first = self.Q[:, c.columns.start : c.columns.stop : dim]
                out.append(first.T @ A @ first)
        return tuple(out)

    def residual(self, A) -> float:
        """``max |Q^T A Q − ⊕_χ A_χ ⊗ I_{dim χ}|`` with the averaged blocks.

        Zero (to rounding) exactly when ``A`` is ``H``-equivariant; ``O((n d)^3)``.
        """
        T = self.transform(A)
        blocks = self.blocks(A, average=True)
        expected = scipy.linalg.block_diag(
            *(np.kron(Ac, np.eye(c.dimension)) for Ac, c in zip(blocks, self.components))
        )
        return float(np.max(np.abs(T - expected)))


def _factor_basis(m: int, kind: str) -> np.ndarray:
    """Orthonormal basis of the trivial (``1/√m``) or standard (Helmert) part of ``R^m``."""
    if kind == "triv":
        return np.full((m, 1), 1.0 / np.sqrt(m))
    return helmert_basis(m)


def _diag_embeddings(m: int):
    """``(types, patterns)`` for the ``ΔS_m``-block, patterns of shape ``(dim, m, m)``."""
    I = np.eye(m)
    out = [("triv", I[None] / np.sqrt(m))]
    if m >= 2:
        out.append(("triv", (np.ones((m, m)) - I)[None] / np.sqrt(m * (m - 1.0))))
        h = helmert_basis(m).T  # (m−1, m)
        one = np.ones(m) / np.sqrt(m)
        out.append(("std", np.einsum("ja,ab->jab", h, I)))
        out.append(("std", np.einsum("ja,b->jab", h, one)))
        out.append(("std", np.einsum("a,jb->jab", one, h)))
    if m >= 3:
        i, j = np.triu_indices(m - 1, 1)
        hi, hj = h[i], h[j]
        alt = (np.einsum("pa,pb->pab", hi, hj) - np.einsum("pa,pb->pab", hj, hi)) / np.sqrt(2.0)
        out.append(("alt", alt))
    if m >= 4:
        i, j = np.triu_indices(m - 1, 0)
        hi, hj = h[i], h[j]
        sym = np.einsum("pa,pb->pab", hi, hj) + np.einsum("pa,pb->pab", hj, hi)
        sym /= np.where(i == j, 2.0, np.sqrt(2.0))[:, None, None]  # orthonormal Sym² std
        diag = np.einsum("paa->ap", sym)  # X ↦ diag X, shape (m, dim Sym²)
        kernel = scipy.linalg.null_space(diag)
        want = m * (m - 3) // 2
        if kernel.shape[1] != want:  # pragma: no cover - numerical failure
            raise RuntimeError(f"[m-2,2] subspace has dimension {kernel.shape[1]}, not {want}")
        out.append(("two", (kernel.T @ sym.reshape(len(i), -1)).reshape(-1, m, m)))
    return out


def _embeddings(group: IsotropyGroup):
    """All equivariant embeddings as ``(types, dense columns (N × dim))``."""
    n, d = group.shape
    T = len(group.factors)
    sizes = [int(round(s)) for s in group.sizes]
    out = []

    def place(rows, cols, patterns):
        Phi = np.zeros((n * d, patterns.shape[0]))
        idx = (rows[:, None] * d + cols[None, :]).ravel()
        Phi[idx] = patterns.reshape(patterns.shape[0], -1).T
        return Phi

    for a in group.row_factors:
        rows = group.row_indices(a)
        for b in group.col_factors:
            cols = group.col_indices(b)
            if a == b:
                for ty, patterns in _diag_embeddings(sizes[a]):
                    types = ["triv"] * T
                    types[a] = ty
                    out.append((tuple(types), place(rows, cols, patterns)))
                continue
            for ta in ("triv", "std"):
                for tb in ("triv", "std"):
                    U, V = _factor_basis(sizes[a], ta), _factor_basis(sizes[b], tb)
                    if U.shape[1] == 0 or V.shape[1] == 0:
                        continue
                    patterns = np.einsum("ri,cj->ijrc", U, V)
                    if a > b:  # abstract basis ordered by factor index
                        patterns = patterns.transpose(1, 0, 2, 3)
                    types = ["triv"] * T
                    types[a], types[b] = ta, tb
                    patterns = patterns.reshape(-1, U.shape[0], V.shape[0])
                    out.append((tuple(types), place(rows, cols, patterns)))
    return out


def symmetry_adapted_basis(group: IsotropyGroup) -> AdaptedBasis:
    r"""Orthogonal ``Q`` with ``Q^T A Q = ⊕_χ A_χ ⊗ I_{dim χ}`` for every ``H``-equivariant ``A``.

    Parameters
    ----------
    group : IsotropyGroup
        Integer block sizes (``Q`` is dense, ``(n·d)²`` entries).

    Returns
    -------
    AdaptedBasis

    Raises
    ------
    ValueError
        If a block size is not an integer (use :func:`copy_vector_blocks` or the
        analytic spectrum, which never form ``Q``).

    Notes
    -----
    See the module docstring for the construction; cost ``O((n d)^2 · m)``
    dominated by the ``[m−2, 2]`` subspace of the largest diagonal block.
    """
    if not isinstance(group, IsotropyGroup):
        raise TypeError(f"group must be an IsotropyGroup, got {type(group).__name__}")
    if not group.is_integral:
        raise ValueError(
            f"a dense symmetry-adapted basis needs integer block sizes, got {group.sizes}; "
            "at real sizes use the analytic spectrum (copy vectors and closed forms)"
        )
    sizes = [int(round(s)) for s in group.sizes]
    grouped: dict[tuple[str, ...], list[np.ndarray]] = {}
    for types, Phi in _embeddings(group):
        grouped.setdefault(types, []).append(Phi)

    def order(types):
        nz = [t for t, ty in enumerate(types) if ty != "triv"]
        return (len(nz), nz, [TYPES.index(types[t]) for t in nz])

    columns = []
    components = []
    start = 0
    for types in sorted(grouped, key=order):
        Phis = grouped[types]
        dim = Phis[0].shape[1]
        G = np.array([[np.vdot(P, R) / dim for R in Phis] for P in Phis])
        evals, evecs = np.linalg.eigh(G)
        keep = evals > _RANK_TOL * evals.max()
        C = evecs[:, keep] / np.sqrt(evals[keep])
        Psi = [sum(C[p, r] * Phis[p] for p in range(len(Phis))) for r in range(C.shape[1])]
        columns.extend(Psi)
        mu = len(Psi)
        irrep = Irrep(types)
        parts = tuple(tuple(p for p in _shape(ty, m) if p) for ty, m in zip(types, sizes))
        components.append(
            AdaptedComponent(
                label=irrep.label(group),
                irrep=irrep,
                partitions=parts,
                multiplicity=mu,
                dimension=dim,
                columns=slice(start, start + mu * dim),
            )
        )
        start += mu * dim
    Q = np.hstack(columns)
    N = group.shape[0] * group.shape[1]
    if Q.shape != (N, N):  # pragma: no cover - the construction is complete
        raise RuntimeError(f"symmetry-adapted basis has {Q.shape[1]} columns, expected {N}")
    Q.setflags(write=False)
    return AdaptedBasis(group=group, Q=Q, components=tuple(components))


def _shape(ty: str, m: int) -> tuple[int, ...]:
    return {"triv": (m,), "std": (m - 1, 1), "two": (m - 2, 2), "alt": (m - 2, 1, 1)}[ty]


def copy_vector_blocks(group: IsotropyGroup, A) -> tuple[np.ndarray, ...]:
    r"""``A_χ`` from the copy vectors of :func:`~.isotypic.isotypic_decomposition`.

    With ``u_1 … u_μ`` the (vectorised) copy vectors of ``χ``,
    ``B = U^T A U``, ``G = U^T U`` and ``A_χ = G^{-1/2} B G^{-1/2}``: orthogonally
    similar to the block of :meth:`AdaptedBasis.blocks` (same eigenvalues),
    at the cost of ``μ`` matrix–vector products.

    Parameters
    ----------
    group : IsotropyGroup
        Integer block sizes.
    A : array_like, shape (n·d, n·d)
        ``H``-equivariant.

    Returns
    -------
    tuple of numpy.ndarray
        One per component of ``isotypic_decomposition(group)``, in its order.
    """
    n, d = group.shape
    A = np.asarray(A, dtype=float)
    if A.shape != (n * d, n * d):
        raise ValueError(f"A must be a {n * d}×{n * d} matrix, got shape {A.shape}")
    out = []
    for comp in isotypic_decomposition(group):
        U = np.stack(
            [copy_vector_matrix(group, comp.irrep, cv).ravel() for cv in comp.copies], axis=1
        )
        G = U.T @ U
        B = U.T @ A @ U
        w, V = np.linalg.eigh(G)
        S = (V / np.sqrt(w)) @ V.T
        out.append(S @ B @ S)
    return tuple(out)
