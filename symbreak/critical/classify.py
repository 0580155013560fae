r"""Classification of a critical point of ``L`` found in ``Fix(H)``.

*Kind* (the strings are part of the CLI's JSON):

``global_minimum``
    ``L = 0`` (within ``LOSS_TOL``) and index 0.
``spurious_minimum``
    ``L > 0``, index 0 and no zero eigenvalue: a strict local minimum.
``saddle``
    Index ``> 0`` (some Hessian eigenvalue is negative).
``degenerate``
    ``L > 0``, index 0 but a zero eigenvalue (second-order test inconclusive),
    or a positive-dimensional critical set.

The spectrum is computed for the *exact* isotropy group of the point (the
coarsest merge of blocks that fixes it), whose decomposition is coarser and
whose multiplicities are larger than those of the searched group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from ..reduced.system import ReducedSystem
from ..spectrum import ZERO_TOL, Spectrum, analytic_spectrum
from .symmetry import exact_isotropy

__all__ = ["CriticalPoint", "classify", "LOSS_TOL", "KINDS"]

#: losses below this count as the global minimum value 0
LOSS_TOL = 1e-9
KINDS = ("global_minimum", "spurious_minimum", "saddle", "degenerate")


@dataclass(frozen=True)
class CriticalPoint:
    """A classified critical point (or critical set) in ``Fix(H)``.

    Attributes
    ----------
    coords : ndarray
        Coordinates in ``Fix(H)`` of the searched group ``H``.
    loss : float
    gradient_norm : float
        ``|∇L_H|`` at ``coords``.
    isotropy : str
        Spec of the exact isotropy group (e.g. ``k`` for a point of
        ``Fix(Δ(S_{k−1}×S_1))`` that is in fact ``ΔS_k``-symmetric).
    exact_coords : ndarray
        The point in the exact isotropy group's coordinates.
    spectrum : Spectrum
        Hessian spectrum from the exact isotropy group's decomposition.
    index : int or float
    kind : str
        One of :data:`KINDS`.
    set_dimension : int
        0 for an isolated point; otherwise the dimension of the critical set
        inside ``Fix(H)`` it lies on.
    """

    coords: np.ndarray
    loss: float
    gradient_norm: float
    isotropy: str
    exact_coords: np.ndarray
    spectrum: Spectrum
    index: int | float
    kind: str
    set_dimension: int = 0

    def to_json(self) -> dict:
        """The CLI's JSON record of the point."""
        return {
            "coords": [float(x) for x in self.coords],
            "isotropy": self.isotropy,
            "loss": self.loss,
            "index": self.index,
            "kind": self.kind,
            "gradient_norm": self.gradient_norm,
            "set_dimension": self.set_dimension,
            "spectrum": self.spectrum.to_json(),
        }


def _set_dimension(system: ReducedSystem, c: np.ndarray, *, null_tol: float = 1e-7) -> int:
    """Number of null directions of the reduced Hessian along which ``c`` stays critical."""
    D = system.space.orbit_sizes()
    s = 1.0 / np.sqrt(D)
    H = system.hessian(c) * np.outer(s, s)
    vals, vecs = np.linalg.eigh(H)
    null = [vecs[:, i] * s for i in range(len(vals)) if abs(vals[i]) < null_tol]
    dim = 0
    step = 1e-3 * min(1.0, float(system.state(c).norms.min()))
    for v in null:
        v = v / np.linalg.norm(v)
        ok = True
        for eps in (step, -step):
            x = c + eps * v
            # Newton restricted to the complement of v
            P = np.eye(len(c)) - np.outer(v, v)
            try:
                for _ in range(30):
                    g = system.gradient(x)
                    if np.linalg.norm(g) < 1e-11:
                        break
                    Hx = P @ system.hessian(x) @ P + np.outer(v, v)
                    x = x - np.linalg.lstsq(Hx, P @ g, rcond=1e-12)[0]
                ok &= bool(np.linalg.norm(system.gradient(x)) < 1e-9)
            except DomainError:
                ok = False
        dim += int(ok)
    return dim


def classify(system: ReducedSystem, coords, *, zero_tol: float = ZERO_TOL) -> CriticalPoint:
    """Classify a (numerically) critical point ``coords`` of ``system``.

    Parameters
    ----------
    system : ReducedSystem
    coords : array_like
    zero_tol : float
        Eigenvalues with ``|λ| <= zero_tol`` count as zero.
    """
    c = system.space.check_coords(coords)
    loss = system.loss(c)
    gnorm = float(np.linalg.norm(system.gradient(c)))
    exact = exact_isotropy(system.space, c)
    spectrum = analytic_spectrum(exact.group, exact.coords, zero_tol=zero_tol)
    set_dim = _set_dimension(system, c) if spectrum.is_degenerate else 0
    index = spectrum.index
    if index > 0:
        kind = "saddle"
    elif abs(loss) < LOSS_TOL:
        kind = "global_minimum"
    elif spectrum.is_degenerate or set_dim > 0:
        kind = "degenerate"
    else:
        kind = "spurious_minimum"
    return CriticalPoint(
        coords=c,
        loss=loss,
        gradient_norm=gnorm,
        isotropy=exact.spec,
        exact_coords=exact.coords,
        spectrum=spectrum,
        index=index,
        kind=kind,
        set_dimension=set_dim,
    )
