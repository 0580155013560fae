r"""Cauchy interlacing and saddle certificates.

**Cauchy interlacing.** For a symmetric ``H ∈ R^{n×n}`` with eigenvalues
``λ_1 ≤ … ≤ λ_n`` and ``B ∈ R^{n×m}`` with orthonormal columns
(``B^T B = I_m``), the compression ``C = B^T H B`` has eigenvalues
``μ_1 ≤ … ≤ μ_m`` with

.. math::

    λ_i ≤ μ_i ≤ λ_{i + n − m},\qquad i = 1, …, m.

In particular ``λ_1 ≤ μ_1``: a negative eigenvalue of any compression is a
certified direction of negative curvature of ``H``, with the explicit
witness ``v = B y`` (``y`` the eigenvector of ``C``), whose Rayleigh quotient
``v^T H v / v^T v = μ_1 < 0``.

**Blocks as compressions.** At a symmetric point, the orthonormalised copy
vectors ``Q_χ = U_χ L^{-T}`` (``U_χ^T U_χ = G = L L^T``) of an irrep ``χ``
compress the Hessian to ``Q_χ^T H Q_χ = A_χ`` (:mod:`symbreak.spectrum`); by
Schur's lemma their span is even invariant, so here the interlacing is an
equality for the eigenvalues of ``A_χ``.  A negative eigenvalue of ``A_χ``
(computed at any, even real, ``k``) is thus a saddle certificate whose
witness is ``Σ_p y_p u_p`` on the copy vectors; at integer sizes
:meth:`SaddleCertificate.dense_vector` builds it as an ``n × d`` matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .representation.isotropy import IsotropyGroup
from .representation.isotypic import copy_vector_matrix, isotypic_decomposition
from .spectrum import ZERO_TOL, hessian_blocks

__all__ = [
    "InterlacingCheck",
    "SaddleCertificate",
    "block_certificate",
    "check_interlacing",
    "compress",
    "compression_certificate",
    "copy_basis",
    "dense_rayleigh",
    "interlaces",
    "rayleigh_quotient",
]


def _symmetric(H, name: str = "H") -> np.ndarray:
    try:
        H = np.asarray(H, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real matrix") from None
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError(f"{name} contains NaN or inf")
    scale = max(1.0, float(np.max(np.abs(H)))) if H.size else 1.0
    if np.max(np.abs(H - H.T), initial=0.0) > 1e-10 * scale:
        raise ValueError(f"{name} must be symmetric")
    return 0.5 * (H + H.T)


def _orthonormal(B, n: int, tol: float) -> np.ndarray:
    try:
        B = np.asarray(B, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("B must be a real matrix") from None
    if B.ndim == 1:
        B = B[:, None]
    if B.ndim != 2 or B.shape[0] != n:
        raise ValueError(f"B must have {n} rows (one per row of H), got shape {B.shape}")
    if B.shape[1] == 0 or B.shape[1] > n:
        raise ValueError(f"B must have between 1 and {n} columns, got {B.shape[1]}")
    err = float(np.max(np.abs(B.T @ B - np.eye(B.shape[1]))))
    if err > tol:
        raise ValueError(
            f"B must have orthonormal columns (B^T B = I); max |B^T B - I| = {err:.3g}: "
            "orthonormalise it first (numpy.linalg.qr)"
        )
    return B


def compress(H, B, *, tol: float = 1e-10) -> np.ndarray:
    """The compression ``B^T H B`` (checks ``H = H^T`` and ``B^T B = I`` to ``tol``)."""
    H = _symmetric(H)
    B = _orthonormal(B, H.shape[0], tol)
    C = B.T @ H @ B
    return 0.5 * (C + C.T)


@dataclass(frozen=True)
class InterlacingCheck:
    """Result of :func:`check_interlacing`.

    Attributes
    ----------
    holds : bool
        ``λ_i − tol ≤ μ_i ≤ λ_{i+n−m} + tol`` for every ``i``.
    eigenvalues : ndarray
        ``λ`` of ``H`` (increasing).
    compressed : ndarray
        ``μ`` of ``B^T H B`` (increasing).
    max_violation : float
        Largest amount by which an inequality fails (0 when it holds).
    """

    holds: bool
    eigenvalues: np.ndarray
    compressed: np.ndarray
    max_violation: float


def interlaces(eigenvalues, compressed, *, tol: float = 1e-9) -> InterlacingCheck:
    """Check ``λ_i ≤ μ_i ≤ λ_{i+n−m}`` for given spectra (any order; ``m ≤ n``)."""
    lam = np.sort(np.asarray(eigenvalues, dtype=float).ravel())
    mu = np.sort(np.asarray(compressed, dtype=float).ravel())
    n, m = lam.size, mu.size
    if not 1 <= m <= n:
        raise ValueError(f"need 1 <= m <= n eigenvalues, got n = {n}, m = {m}")
    lower = lam[:m] - mu
    upper = mu - lam[n - m :]
    viol = float(max(0.0, np.max(lower), np.max(upper)))
    scale = max(1.0, float(np.max(np.abs(lam))))
    return InterlacingCheck(
        holds=viol <= tol * scale, eigenvalues=lam, compressed=mu, max_violation=viol
    )


def check_interlacing(H, B, *, tol: float = 1e-9) -> InterlacingCheck:
    """Check Cauchy interlacing of ``B^T H B`` in ``H`` (module notes)."""
    H = _symmetric(H)
    C = compress(H, B)
    return interlaces(np.linalg.eigvalsh(H), np.linalg.eigvalsh(C), tol=tol)


def rayleigh_quotient(H, v) -> float:
    """``v^T H v / v^T v`` for a matrix ``H`` or a Hessian–vector product callable."""
    v = np.asarray(v, dtype=float)
    nv = float(np.vdot(v, v))
    if not np.isfinite(nv) or nv == 0.0:
        raise ValueError("the vector must be non-zero and finite")
    Hv = H(v) if callable(H) else _symmetric(H) @ v.ravel()
    return float(np.vdot(v.ravel(), np.asarray(Hv, dtype=float).ravel()) / nv)


@dataclass(frozen=True)
class SaddleCertificate:
    r"""A direction of negative curvature: ``v^T H v / v^T v = ρ < 0``.

    Attributes
    ----------
    rayleigh_quotient : float
        ``ρ`` (negative for a valid certificate).
    vector : ndarray
        Unit vector ``v``: dense coordinates (``basis = "dense"``) or the
        coefficients on the copy vectors of ``irrep`` (``basis = "copies"``).
    basis : str
        ``"dense"`` or ``"copies"``.
    irrep : str or None
        Block label for ``basis = "copies"``.
    irrep_types : tuple of str
    """

    rayleigh_quotient: float
    vector: np.ndarray
    basis: str
    irrep: str | None = None
    irrep_types: tuple[str, ...] = ()

    @property
    def certifies_saddle(self) -> bool:
        return self.rayleigh_quotient < 0

    def dense_vector(self, group: IsotropyGroup | None = None) -> np.ndarray:
        """``v`` as a dense unit ``n × d`` matrix (copy basis: integer sizes only)."""
        if self.basis == "dense":
            return np.array(self.vector)
        if group is None:
            raise ValueError("a copy-vector certificate needs its group to build the dense vector")
        comp = _component(group, self.irrep_types)
        U = sum(
            y * copy_vector_matrix(group, comp.irrep, cv) for y, cv in zip(self.vector, comp.copies)
        )
        return np.asarray(U, dtype=float)

    def to_json(self) -> dict:
        return {
            "rayleigh_quotient": float(self.rayleigh_quotient),
            "basis": self.basis,
            "irrep": self.irrep,
            "vector": [float(x) for x in np.ravel(self.vector)],
        }


def compression_certificate(H, B, *, tol: float = ZERO_TOL) -> SaddleCertificate | None:
    """A saddle certificate from the smallest eigenpair of ``B^T H B``.

    ``None`` unless ``μ_1 < −tol`` (values within ``tol`` of zero are
    rounding, not curvature).
    """
    C = compress(H, B)
    B = np.asarray(B, dtype=float)
    if B.ndim == 1:
        B = B[:, None]
    mu, Y = np.linalg.eigh(C)
    if mu[0] >= -tol:
        return None
    v = B @ Y[:, 0]
    return SaddleCertificate(
        rayleigh_quotient=float(mu[0]), vector=v / np.linalg.norm(v), basis="dense"
    )


def _component(group: IsotropyGroup, types):
    types = tuple(types)
    for comp in isotypic_decomposition(group):
        if tuple(comp.irrep.types) == types:
            return comp
    raise ValueError(f"no isotypic component with irrep types {types} in {group.name!r}")


def copy_basis(group: IsotropyGroup, irrep_types) -> np.ndarray:
    """Orthonormalised copy vectors of one irrep as columns of a dense ``(n·d) × μ`` matrix.

    ``copy_basis(...)^T H copy_basis(...) = A_χ`` (integer sizes only).
    """
    comp = _component(group, irrep_types)
    U = np.column_stack([copy_vector_matrix(group, comp.irrep, cv).ravel() for cv in comp.copies])
    Q, R = np.linalg.qr(U)
    # QR orthonormalises in the same span; match the Cholesky convention (R^T = L)
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return Q * signs


def block_certificate(
    group: IsotropyGroup | str,
    coords,
    *,
    blocks=None,
    tol: float = ZERO_TOL,
    k=None,
    extra_dims=None,
) -> SaddleCertificate | None:
    """The most negative eigenpair over the blocks ``A_χ`` (``None`` when none is ``< −tol``).

    Works at any (real) ``k``: the witness is given by its coefficients on the
    copy vectors (``Σ_p y_p u_p`` has unit Frobenius norm).

    Parameters
    ----------
    group : IsotropyGroup or str
        The group, or its spec with ``k=`` (and ``extra_dims=``, ``d − k``).
    coords : array_like
    blocks : tuple of HessianBlock, optional
        Precomputed :func:`~symbreak.spectrum.hessian_blocks`.
    tol : float
        Eigenvalues within ``tol`` of zero do not count (default
        :data:`~symbreak.spectrum.ZERO_TOL`, as for the index).
    """
    blocks = hessian_blocks(group, coords, k=k, extra_dims=extra_dims) if blocks is None else blocks
    best = None
    for b in blocks:
        if float(b.dimension) <= 0 or b.eigenvalues.size == 0:
            continue
        if best is None or b.eigenvalues[0] < best.eigenvalues[0]:
            best = b
    if best is None or best.eigenvalues[0] >= -tol:
        return None
    return SaddleCertificate(
        rayleigh_quotient=float(best.eigenvalues[0]),
        vector=np.array(best.eigenvectors[:, 0]),
        basis="copies",
        irrep=best.label,
        irrep_types=tuple(best.irrep.types),
    )


def dense_rayleigh(hvp: Callable[[np.ndarray], np.ndarray], U: np.ndarray) -> float:
    """``⟨U, H U⟩ / ⟨U, U⟩`` with a Hessian–vector product on matrices (helper for checks)."""
    return rayleigh_quotient(lambda v: hvp(v.reshape(U.shape)).ravel(), U.ravel())
