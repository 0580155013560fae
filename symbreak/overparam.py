r"""Over-parameterisation: embeddings of ``k``-neuron critical points into ``n = k + ℓ`` neurons.

**Neuron splitting.**  ReLU is positively homogeneous, so replacing a student
row ``w`` by ``t w`` and ``ℓ`` copies of ``((1 − t)/ℓ) w`` (``0 < t < 1``)
leaves the network function, hence the loss, unchanged; the gradient stays
zero (each piece sees the same residual, scaled), so a critical point of the
``k``-neuron problem gives a critical point of the ``(k + ℓ)``-neuron problem
(MATH §5).  Its isotropy group: the split neuron must be alone in its block,
so a neuron of a block of size ``m > 1`` is first separated
(``m → (m − 1, 1)``, :func:`~symbreak.continuation.refinement.refine`); the ``ℓ``
copies form one extra-row block ``S_ℓ`` (spec ``…|ℓ``).  Its spectrum comes
from the larger group's isotypic decomposition, at any (real) ``k``.

**Split directions.**  Along ``(u, −u)`` on the two halves of a split neuron
(``ℓ = 1``) the Hessian's quadratic form is ``u^T H' u / (t(1 − t))``, with
``H'`` the diagonal Hessian block of the neuron minus its ``½ I``; a negative
eigenvalue of ``H'`` makes every split point a saddle.  The analysis here
does not rely on that formula: it uses the full spectrum of the embedded
point, and a :class:`~symbreak.interlacing.SaddleCertificate` from the most
negative block.

**Annihilation.**  :func:`annihilation` raises ``ℓ = 1, 2, …`` (up to a cap)
and, at each ``ℓ``, tries every way of distributing the ``ℓ`` extra neurons
over the neuron classes (one extra-row block per split neuron) and every
split ratio; the first ``ℓ`` with a negative eigenvalue is the answer,
together with the irrep (of the larger group) carrying the descent
direction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .continuation.refinement import refine, spec_from_factors
from .interlacing import SaddleCertificate, block_certificate
from .reduced.fixed_point import FixedPointSpace
from .reduced.system import ReducedSystem
from .representation.isotropy import IsotropyGroup, parse_spec
from .solve import newton
from .spectrum import Spectrum, analytic_spectrum, hessian_blocks
from .tolerances import Tolerances

__all__ = [
    "SplitEmbedding",
    "AnnihilationResult",
    "split_neuron",
    "neuron_classes",
    "embeddings",
    "annihilation",
    "polish",
    "DEFAULT_SPLITS",
]

#: split ratios ``t`` tried by default
DEFAULT_SPLITS = (0.5, 0.25, 0.1)


def _check_split(split) -> float:
    if isinstance(split, bool) or not isinstance(split, (int, float, np.floating)):
        raise TypeError(f"split must be a real number in (0, 1), got {split!r}")
    split = float(split)
    if not 0.0 < split < 1.0:
        raise ValueError(
            f"split must be in (0, 1) (t w and (1 - t) w must both be positive multiples "
            f"of w for the ReLU network to stay the same), got {split}"
        )
    return split


def _check_extra(extra) -> int:
    if isinstance(extra, bool) or not isinstance(extra, (int, np.integer)):
        raise TypeError(f"the number of extra neurons must be an integer, got {extra!r}")
    if extra < 1:
        raise ValueError(f"the number of extra neurons must be >= 1, got {extra}")
    return int(extra)


def polish(
    group: IsotropyGroup, coords, *, tol: float = 1e-10, max_move: float = 1e-4
) -> np.ndarray:
    """Newton-polish an approximate critical point of ``Fix(group)``.

    Raises
    ------
    ValueError
        If the gradient per entry of ``W`` stays above ``tol``, or Newton moves
        the point by more than ``max_move · max(1, |c|_∞)`` (it was not near a
        critical point, and Newton went to another one).
    """
    system = ReducedSystem(group)
    c0 = system.space.check_coords(coords)
    res = newton(system, c0, tolerances=Tolerances(gradient=tol))
    c, g = res.x, res.residual
    move = float(np.max(np.abs(c - c0)))
    if not g <= tol or move > max_move * max(1.0, float(np.max(np.abs(c0)))):
        raise ValueError(
            f"the point is not critical in Fix({group.name}) at k = {group.k:g} (after Newton: "
            f"gradient per entry {g:.3g}, moved by {move:.3g}): give a critical point, e.g. "
            "from 'symbreak critical'"
        )
    return c


def neuron_classes(group: IsotropyGroup) -> tuple[int, ...]:
    """Factors that own student rows (diagonal and extra-row blocks): the neuron classes."""
    return group.row_factors


def _entry_key(t: int, b: int) -> tuple[int, int, str]:
    """Key of the entries of row block ``t`` (a singleton) in column block ``b``."""
    return (t, t, "diag") if t == b else (t, b, "outer")


def split_neuron(
    group: IsotropyGroup, coords, block: int, *, split: float = 0.5, extra: int = 1
) -> tuple[IsotropyGroup, np.ndarray, str]:
    r"""Split a neuron of row block ``block`` into ``t w`` and ``extra`` copies of ``(1−t)w/extra``.

    Parameters
    ----------
    group : IsotropyGroup
        Isotropy of the ``k``-neuron (or already enlarged) point.
    coords : array_like
        The point in ``Fix(group)``.
    block : int
        Factor index of the neuron class (a diagonal or extra-row block).
    split : float
        ``t ∈ (0, 1)``.
    extra : int
        Number ``ℓ`` of new neurons (one new extra-row block of size ``ℓ``).

    Returns
    -------
    group : IsotropyGroup
        Isotropy of the split point (spec ``…|…,ℓ``).
    coords : ndarray
        The split point in its fixed-point space.
    description : str
        What was done, e.g. ``"k-1 -> k-2,1; split 1 into 0.5 + 1 x 0.5"``.
    """
    split = _check_split(split)
    extra = _check_extra(extra)
    c = FixedPointSpace(group).check_coords(coords)
    if block not in neuron_classes(group):
        raise ValueError(
            f"block {block} of {group.name!r} owns no student rows; choose one of "
            f"{list(neuron_classes(group))}"
        )
    f = group.factors[block]
    desc = []
    if f.is_constant and round(f.size) == 1:
        g1, c1, target = group, c, block
    else:
        r = refine(group, block, (1,))
        g1 = r.group(group)
        c1 = r.embed(group, c)
        target = r.children[block][1]
        desc.append(r.description)
    # new factor list: the extra-row block goes after the existing rows
    old = list(g1.factors)
    n_rows = sum(1 for q in old if q.kind in ("diag", "row"))
    new_index = {t: (t if q.kind in ("diag", "row") else t + 1) for t, q in enumerate(old)}
    factors = [(q.kind, q.expr) for q in old]
    factors.insert(n_rows, ("row", sp.Integer(extra)))
    explicit_cols = parse_spec(group.spec)[2] is not None
    spec = spec_from_factors(factors, explicit_cols=explicit_cols)
    g2 = IsotropyGroup.from_spec(spec, g1.k, d=g1.d)
    inv = {v: t for t, v in new_index.items()}
    old_space = FixedPointSpace(g1)
    lookup = {key: i for i, key in enumerate(old_space.keys)}
    c2 = []
    for a, b, pat in FixedPointSpace(g2).keys:
        if a == n_rows:  # the new copies: (1 − t)/ℓ times the split row
            c2.append((1.0 - split) / extra * c1[lookup[_entry_key(target, inv[b])]])
            continue
        val = c1[lookup[(inv[a], inv[b], pat)]]
        c2.append(split * val if inv[a] == target else val)
    desc.append(f"split {old[target].label()} into {split:g} + {extra} x {(1 - split) / extra:g}")
    return g2, np.asarray(c2), "; ".join(desc)


@dataclass(frozen=True)
class SplitEmbedding:
    """A ``k``-neuron critical point embedded into ``k + ℓ`` neurons by splitting.

    Attributes
    ----------
    group : IsotropyGroup
        Isotropy of the embedded point (the larger problem).
    coords : ndarray
    neuron_class : str
        The block(s) the split neuron(s) came from, e.g. ``"k-1"``, ``"1"``, or
        ``"k-1+1"`` when neurons of two classes were split.
    blocks : tuple of int
        Their factor indices in the original group.
    split : float
        ``t``.
    extra : int
        ``ℓ``.
    description : str
    gradient_norm : float
        Largest entry of ``∇L`` at the embedded point (≈ 0).
    spectrum : Spectrum
        Of the larger problem (its isotypic decomposition).
    certificate : SaddleCertificate or None
        The most negative block eigenpair, when negative.
    """

    group: IsotropyGroup
    coords: np.ndarray
    neuron_class: str
    blocks: tuple[int, ...]
    split: float
    extra: int
    description: str
    gradient_norm: float
    spectrum: Spectrum
    certificate: SaddleCertificate | None

    @property
    def min_eigenvalue(self) -> float:
        return self.spectrum.min_eigenvalue

    @property
    def index(self) -> int | float:
        return self.spectrum.index

    @property
    def is_saddle(self) -> bool:
        return self.certificate is not None and self.certificate.certifies_saddle

    @property
    def descent_irrep(self) -> str | None:
        """Block label of the most negative eigenvalue (``None`` if none is negative)."""
        return None if self.certificate is None else self.certificate.irrep

    def to_json(self) -> dict:
        return {
            "neuron_class": self.neuron_class,
            "split": self.split,
            "extra": self.extra,
            "isotropy": self.group.name,
            "description": self.description,
            "coords": [float(x) for x in self.coords],
            "gradient_norm": self.gradient_norm,
            "min_eig": self.min_eigenvalue,
            "index": self.index,
            "descent_irrep": self.descent_irrep,
            "certificate": None if self.certificate is None else self.certificate.to_json(),
        }


def _embed(group, coords, distribution, split) -> SplitEmbedding:
    """Split one neuron of each class ``t`` into ``1 + ℓ_t`` pieces (``distribution[t] = ℓ_t``)."""
    g, c = group, np.asarray(coords, dtype=float)
    descs = []
    # later factors first: refining factor t shifts only the factors after t
    for t in sorted(distribution, reverse=True):
        g, c, d = split_neuron(g, c, t, split=split, extra=distribution[t])
        descs.append(d)
    system = ReducedSystem(g)
    grad = system.gradient(c) / system.space.orbit_sizes()
    blocks = hessian_blocks(g, c)
    spectrum = analytic_spectrum(g, c)
    ts = tuple(sorted(distribution))
    return SplitEmbedding(
        group=g,
        coords=c,
        neuron_class="+".join(group.factors[t].label() for t in ts),
        blocks=ts,
        split=split,
        extra=sum(distribution.values()),
        description="; ".join(descs),
        gradient_norm=float(np.max(np.abs(grad))),
        spectrum=spectrum,
        certificate=block_certificate(g, c, blocks=blocks),
    )


def _distributions(classes, extra):
    """All ways to give ``extra`` new neurons to the classes (one split neuron per class)."""
    for r in range(1, min(len(classes), extra) + 1):
        for chosen in itertools.combinations(classes, r):
            # compositions of `extra` into r positive parts
            for cuts in itertools.combinations(range(1, extra), r - 1):
                parts = np.diff((0, *cuts, extra))
                yield dict(zip(chosen, (int(p) for p in parts)))


def embeddings(
    group: IsotropyGroup,
    coords,
    *,
    extra: int = 1,
    splits=DEFAULT_SPLITS,
    classes=None,
) -> tuple[SplitEmbedding, ...]:
    """All split embeddings with exactly ``extra`` new neurons.

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like
        A critical point of ``Fix(group)``.
    extra : int
        ``ℓ``.
    splits : sequence of float
        Ratios ``t`` to try.
    classes : sequence of int, optional
        Neuron classes (factor indices) to split; default all.

    Returns
    -------
    tuple of SplitEmbedding
        Grouped by distribution of the new neurons, then by ``t``.
    """
    extra = _check_extra(extra)
    splits = tuple(_check_split(t) for t in splits)
    if not splits:
        raise ValueError("give at least one split ratio")
    classes = neuron_classes(group) if classes is None else tuple(int(t) for t in classes)
    for t in classes:
        if t not in neuron_classes(group):
            raise ValueError(f"block {t} of {group.name!r} is not a neuron class")
    out = []
    for dist in _distributions(classes, extra):
        for t in splits:
            out.append(_embed(group, coords, dist, t))
    return tuple(out)


@dataclass(frozen=True)
class AnnihilationResult:
    """Outcome of :func:`annihilation`.

    Attributes
    ----------
    smallest_extra : int or None
        Smallest ``ℓ`` for which some embedding is a saddle (``None`` if none
        up to ``max_extra``).
    descent_irrep : str or None
        Irrep (block of the larger group) of the most negative eigenvalue at
        that ``ℓ``.
    neuron_class : str or None
        Which neurons were split in that embedding.
    embeddings : tuple of SplitEmbedding
        Every embedding examined (all ``ℓ ≤ smallest_extra``, or up to the cap).
    max_extra : int
    """

    smallest_extra: int | None
    descent_irrep: str | None
    neuron_class: str | None
    embeddings: tuple[SplitEmbedding, ...]
    max_extra: int

    @property
    def saddle(self) -> bool:
        return self.smallest_extra is not None

    def to_json(self) -> dict:
        return {
            "saddle": self.saddle,
            "smallest_extra": self.smallest_extra,
            "descent_irrep": self.descent_irrep,
            "neuron_class": self.neuron_class,
            "max_extra": self.max_extra,
            "embeddings": [e.to_json() for e in self.embeddings],
        }


def annihilation(
    group: IsotropyGroup,
    coords,
    *,
    max_extra: int = 3,
    splits=DEFAULT_SPLITS,
    polish_start: bool = True,
) -> AnnihilationResult:
    """Smallest number of extra neurons that turns the point into a saddle, by splitting.

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like
        A critical point (typically a spurious minimum) of ``Fix(group)``.
    max_extra : int
        Cap on ``ℓ``.
    splits : sequence of float
        Ratios ``t`` tried at each ``ℓ``.
    polish_start : bool
        Newton-polish ``coords`` first (:func:`polish`).

    Returns
    -------
    AnnihilationResult

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.overparam import annihilation
    >>> g = IsotropyGroup.from_spec("k-1,1", 6)
    >>> r = annihilation(g, [0.98670382, -0.0504134, 0.30801099, 0.22451581, -0.60151192])
    >>> r.smallest_extra
    1
    """
    max_extra = _check_extra(max_extra)
    if polish_start:
        coords = polish(group, coords)
    seen = []
    for ell in range(1, max_extra + 1):
        level = embeddings(group, coords, extra=ell, splits=splits)
        seen.extend(level)
        saddles = [e for e in level if e.is_saddle]
        if saddles:
            best = min(saddles, key=lambda e: e.certificate.rayleigh_quotient)
            return AnnihilationResult(
                smallest_extra=ell,
                descent_irrep=best.descent_irrep,
                neuron_class=best.neuron_class,
                embeddings=tuple(seen),
                max_extra=max_extra,
            )
    return AnnihilationResult(
        smallest_extra=None,
        descent_irrep=None,
        neuron_class=None,
        embeddings=tuple(seen),
        max_extra=max_extra,
    )
