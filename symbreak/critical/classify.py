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

The spectrum is computed for the largest Young-type group fixing the point
(the coarsest merge of blocks of the searched group, ``exact_isotropy``),
whose decomposition is coarser and whose multiplicities are larger than
those of the searched group.  The *isotropy* reported is the exact stabiliser
in ``S_n × S_d`` (:mod:`symbreak.critical.stabiliser`): when it is of Young
type it is that merged group and is labelled by its spec (``k-1,1``);
otherwise (coinciding rows or columns, blocks swapped as units) it is larger
and labelled in the product notation of ``docs/notation.md`` (``R5×C5``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import DomainError
from ..reduced.system import ReducedSystem
from ..representation.isotropy import IsotropyGroup
from ..solve import solve
from ..spectrum import Spectrum, analytic_spectrum
from ..tolerances import Tolerances, as_tolerances
from .stabiliser import STABILISER_ATOL, stabiliser_of_coords
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
        Readable label of the exact stabiliser in ``S_n × S_d``: the spec of
        ``exact_isotropy`` when the stabiliser is of Young type (e.g. ``k``
        for a point of ``Fix(Δ(S_{k−1}×S_1))`` that is in fact
        ``ΔS_k``-symmetric), otherwise the product notation (``R5×C5``).
    exact_coords : ndarray
        The point in the coordinates of ``exact_isotropy``.
    spectrum : Spectrum
        Hessian spectrum from the decomposition of ``exact_isotropy``.
    index : int or float
    kind : str
        One of :data:`KINDS`.
    set_dimension : int
        0 for an isolated point; otherwise the dimension of the critical set
        inside ``Fix(H)`` it lies on.
    exact_isotropy : str
        Spec of the largest Young-type group fixing the point (merged blocks of
        the searched group): the fixed-point space of ``exact_coords``, in which
        the point is continued in ``k``.
    isotropy_order : int or None
        ``|Γ_W|``, the order of the exact stabiliser (integer ``k`` only).
    same_function_as : tuple of int
        Indices (in the search result) of other points that compute the same
        network function up to symmetry (parallel rows merged).
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
    exact_isotropy: str = ""
    isotropy_order: int | None = None
    same_function_as: tuple[int, ...] = ()

    def with_same_function(self, indices) -> CriticalPoint:
        """A copy with ``same_function_as`` set."""
        return dataclasses.replace(self, same_function_as=tuple(int(i) for i in indices))

    def to_json(self) -> dict:
        """The CLI's JSON record of the point."""
        return {
            "coords": [float(x) for x in self.coords],
            "isotropy": self.isotropy,
            "isotropy_order": self.isotropy_order,
            "exact_isotropy": self.exact_isotropy,
            "same_function_as": list(self.same_function_as),
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
            # Newton restricted to the complement of v (the one solver, least-squares steps)
            P = np.eye(len(c)) - np.outer(v, v)
            vv = np.outer(v, v)
            res = solve(
                lambda y, P=P, vv=vv: (P @ system.gradient(y), P @ system.hessian(y) @ P + vv),
                x,
                gradient_tol=1e-11,
                step_tol=np.inf,
                max_iter=30,
                lstsq=True,
                norm=np.linalg.norm,
            )
            try:
                ok &= bool(np.linalg.norm(system.gradient(res.x)) < 1e-9)
            except DomainError:
                ok = False
        dim += int(ok)
    return dim


def classify(
    system: ReducedSystem | IsotropyGroup | str,
    coords,
    *,
    zero_tol: float | None = None,
    tolerances: Tolerances | None = None,
    k=None,
    extra_dims=None,
) -> CriticalPoint:
    """Classify a (numerically) critical point ``coords`` of ``system``.

    Parameters
    ----------
    system : ReducedSystem, IsotropyGroup or str
        The reduced system, or its group, or its spec with ``k=`` (and
        ``extra_dims=``, ``d − k``).
    coords : array_like
    zero_tol : float, optional
        Eigenvalues with ``|λ| <= zero_tol`` count as zero.  Default: the
        relative threshold of the tolerance policy,
        ``tolerances.zero_threshold(ρ)`` with ``ρ`` the largest ``|λ|``
        (:class:`~symbreak.tolerances.Tolerances`).
    tolerances : Tolerances, optional
        The policy (default :data:`~symbreak.tolerances.DEFAULT_TOLERANCES`).
    """
    if not isinstance(system, ReducedSystem) or k is not None or extra_dims is not None:
        group = system.group if isinstance(system, ReducedSystem) else system
        system = ReducedSystem(group, k=k, extra_dims=extra_dims)
    c = system.space.check_coords(coords)
    loss = system.loss(c)
    gnorm = float(np.linalg.norm(system.gradient(c)))
    # the same tolerance as the stabiliser, so that a Young-type stabiliser is found by merging
    exact = exact_isotropy(
        system.space, c, atol=STABILISER_ATOL * max(1.0, float(np.max(np.abs(c))))
    )
    label, order = _label_and_order(system, c, exact)
    spectrum = analytic_spectrum(exact.group, exact.coords)
    if zero_tol is None:
        radius = max((abs(e.value) for e in spectrum.entries), default=0.0)
        zero_tol = as_tolerances(tolerances).zero_threshold(radius)
    spectrum = replace(spectrum, zero_tol=float(zero_tol))
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
        isotropy=label,
        exact_coords=exact.coords,
        spectrum=spectrum,
        index=index,
        kind=kind,
        set_dimension=set_dim,
        exact_isotropy=exact.spec,
        isotropy_order=order,
    )


def _label_and_order(system: ReducedSystem, c, exact) -> tuple[str, int | None]:
    """The exact stabiliser's label and order (see the module docstring)."""
    try:
        stab = stabiliser_of_coords(system.space, c)
    except DomainError:  # non-simple structure at real block sizes
        return exact.spec, None
    if not stab.is_young:
        return stab.label, stab.order
    if stab.order is not None and stab.order != _young_order(exact.group):
        return stab.young_spec, stab.order  # Young, but not a merge of the searched blocks
    return exact.spec, stab.order


def _young_order(group) -> int:
    return math.prod(math.factorial(int(round(f.size))) for f in group.factors)
