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

from ._numerics import as_count
from .continuation.refinement import refine, spec_from_factors
from .interlacing import SaddleCertificate, block_certificate
from .reduced.fixed_point import FixedPointSpace
from .reduced.system import ReducedSystem
from .representation.isotropy import IsotropyGroup, group_of, parse_spec
from .solve import newton
from .spectrum import Spectrum, analytic_spectrum, hessian_blocks
from .tolerances import DEFAULT_TOLERANCES, Tolerances

__all__ = [
    "ClassSplit",
    "DeadNeuronTest",
    "EmbeddingRecord",
    "class_splits",
    "dead_neuron_test",
    "embedding_records",
    "min_directional_derivative",
    "FULL_ENUMERATION",
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
    group: IsotropyGroup | str,
    coords,
    block: int,
    *,
    split: float = 0.5,
    extra: int = 1,
    k=None,
    extra_dims=None,
) -> tuple[IsotropyGroup, np.ndarray, str]:
    r"""Split a neuron of row block ``block`` into ``t w`` and ``extra`` copies of ``(1−t)w/extra``.

    Parameters
    ----------
    group : IsotropyGroup or str
        Isotropy of the ``k``-neuron (or already enlarged) point, or its spec
        with ``k=`` (and ``extra_dims=``).
    coords : array_like
        The point in ``Fix(group)``.
    block : int
        Factor index of the neuron class (a diagonal or extra-row block).
    split : float
        ``t ∈ (0, 1)``.
    extra : int
        Number ``ℓ`` of new neurons (one new extra-row block of size ``ℓ``).
    k, extra_dims : float, optional
        With a spec string for ``group``: its ``k`` and ``d − k``.

    Returns
    -------
    group : IsotropyGroup
        Isotropy of the split point (spec ``…|…,ℓ``).
    coords : ndarray
        The split point in its fixed-point space.
    description : str
        What was done, e.g. ``"k-1 -> k-2,1; split 1 into 0.5 + 1 x 0.5"``.
    """
    group = group_of(group, k, extra_dims=extra_dims)
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
    annihilated_at : int or None
        The strong statement: smallest ``ℓ ≤ max_extra`` such that **every**
        function-preserving embedding with ``ℓ`` extra neurons (splits of every
        class with all ratios, dead neurons, combinations) is a saddle; ``0``
        when the start itself is a saddle; ``None`` if none up to the cap.
        ``smallest_extra`` is the weak version (*some* split at the tried
        ratios is a saddle).  The decision of an embedding depends only on
        which neuron classes it splits and whether it adds a dead neuron, and
        with ``ℓ`` extra neurons every pure one-class split and the pure dead
        embedding occur; so the answer is the same for every ``ℓ ≥ 1``:
        ``annihilated_at`` is 0, 1 or ``None`` (never, or undecided).
    records : tuple of EmbeddingRecord
        Every embedding class with one extra neuron (the decisive level; see
        :func:`embedding_records` for any ``ℓ``).
    classes : tuple of ClassSplit
        Per neuron class: does splitting it give a saddle or a minimum?
    dead_neuron : DeadNeuronTest or None
    """

    smallest_extra: int | None
    descent_irrep: str | None
    neuron_class: str | None
    embeddings: tuple[SplitEmbedding, ...]
    max_extra: int
    annihilated_at: int | None = None
    records: tuple = ()
    classes: tuple = ()
    dead_neuron: object = None

    @property
    def min_directional_derivative(self) -> float | None:
        """``min_{|u|=1} D⁺L[u]`` of the dead-neuron embedding (``None`` if not computed)."""
        return None if self.dead_neuron is None else self.dead_neuron.min_directional_derivative

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
            "annihilated_at": self.annihilated_at,
            "min_directional_derivative": self.min_directional_derivative,
            "dead_neuron": None if self.dead_neuron is None else self.dead_neuron.to_json(),
            "neuron_classes": [c.to_json() for c in self.classes],
            "embedding_classes": [r.to_json() for r in self.records],
        }


def annihilation(
    group: IsotropyGroup | str,
    coords,
    *,
    max_extra: int = 3,
    splits=DEFAULT_SPLITS,
    polish_start: bool = True,
    k=None,
    extra_dims=None,
) -> AnnihilationResult:
    """Smallest number of extra neurons that turns the point into a saddle, by splitting.

    Parameters
    ----------
    group : IsotropyGroup or str
        The group, or its spec with ``k=`` (and ``extra_dims=``, ``d − k``).
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
    group = group_of(group, k, extra_dims=extra_dims)
    max_extra = _check_extra(max_extra)
    if polish_start:
        coords = polish(group, coords)
    strong = _strong_annihilation(group, coords, max_extra)
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
                **strong,
            )
    return AnnihilationResult(
        smallest_extra=None,
        descent_irrep=None,
        neuron_class=None,
        embeddings=tuple(seen),
        max_extra=max_extra,
        **strong,
    )


def _strong_annihilation(group, coords, max_extra) -> dict:
    """``annihilated_at``, records, class table and dead-neuron test (see AnnihilationResult)."""
    c = FixedPointSpace(group).check_coords(coords)
    spec0 = analytic_spectrum(group, c)
    classes = class_splits(group, c, spectrum=spec0)
    dead = dead_neuron_test(group, c, classes=classes)
    at = 0 if spec0.index > 0 else None
    records = []
    if at is None:
        # the decision of a record depends only on which classes are split and whether a dead
        # neuron is added; every such combination with ℓ >= 2 contains a one-neuron
        # embedding's part, so "every embedding is a saddle" holds for all ℓ >= 1 or for none
        records = list(embedding_records(group, c, 1, classes=classes, dead=dead, spectrum=spec0))
        if all(r.is_saddle for r in records):
            at = 1
    return {
        "annihilated_at": at,
        "records": tuple(records),
        "classes": classes,
        "dead_neuron": dead,
    }


# ---------------------------------------------------------------------------
# Annihilation as a theorem states it: every function-preserving embedding
# ---------------------------------------------------------------------------

#: decisions of an embedding
SADDLE, MINIMUM, UNDECIDED = "saddle", "local_minimum", "undecided"


@dataclass(frozen=True)
class ClassSplit:
    r"""Splitting one neuron of a class, decided for every ratio at once.

    With the split neuron ``w`` replaced by pieces ``t_a w`` (``Σ t_a = 1``,
    ``t_a > 0``), write the piece directions as ``u_a = t_a s + z_a`` with
    ``Σ_a z_a = 0``.  The Hessian quadratic form of the embedded point is then

    .. math::

        Q(u, r) = Q_{\mathrm{orig}}(s, r) + \sum_a z_a^T M z_a / t_a,
        \qquad M = H_{ww} − \tfrac12 I,

    (pieces are parallel, so their mutual blocks are ``½ I`` and their own
    ``∂²κ`` terms scale with ``1/t_a``), a congruence of a block-diagonal
    form.  By Sylvester's law of inertia the embedded Hessian has index
    ``ind(H) + (p − 1) ind(M)`` and nullity ``null(H) + (p − 1) null(M)``
    for **every** ratio vector, with ``M w = 0`` (``∂_wκ`` is homogeneous of
    degree 0), so ``null(M) ≥ 1``: the ratio directions.  On ``(e, −e)`` (two
    pieces, ``M e = λ e``) the Rayleigh quotient is ``λ / (2 t(1 − t))``,
    at most ``2 λ`` (its value at ``t = ½``) for all ``t ∈ (0, 1)``.

    ``ind(M)`` and ``null(M)`` are read off the spectrum of the ``t = ½``
    split (one extra neuron) computed by the compressed model, minus that of
    the original point; so this works at real ``k``.

    Attributes
    ----------
    neuron_class : str
        Label of the row block (e.g. ``"k-1"``).
    block : int
        Its factor index.
    size : int or float
        Number of neurons in the class.
    index, nullity : int or float
        ``ind(M)`` and ``null(M)`` (multiplicities; real at real ``k``).
    decision : str
        ``"saddle"`` (``ind(M) > 0``), ``"local_minimum"`` (``ind(M) = 0`` and
        ``null(M) = 1``, the split manifold is then a Morse–Bott minimum when
        the original point is a non-degenerate minimum) or ``"undecided"``.
    certificate : SaddleCertificate or None
        The most negative eigenpair of the ``t = ½`` split (irrep of the larger
        group), a direction ``(e, −e)`` on the two pieces.
    min_curvature : float or None
        ``λ_min(M) = ρ(½)/2`` when negative.
    """

    neuron_class: str
    block: int
    size: int | float
    index: int | float
    nullity: int | float
    decision: str
    certificate: SaddleCertificate | None
    min_curvature: float | None

    def rayleigh_quotient(self, t: float) -> float | None:
        """``λ_min(M) / (2t(1 − t))`` on ``(e, −e)`` at ratio ``t`` (``None`` if ``M ⪰ 0``)."""
        t = _check_split(t)
        return None if self.min_curvature is None else self.min_curvature / (2 * t * (1 - t))

    def to_json(self) -> dict:
        return {
            "neuron_class": self.neuron_class,
            "block": self.block,
            "size": self.size,
            "index": self.index,
            "nullity": self.nullity,
            "decision": self.decision,
            "min_curvature": self.min_curvature,
            "descent_irrep": None if self.certificate is None else self.certificate.irrep,
            "rayleigh_quotient_at_half": None
            if self.certificate is None
            else self.certificate.rayleigh_quotient,
        }


def class_splits(group: IsotropyGroup, coords, *, spectrum: Spectrum | None = None):
    """:class:`ClassSplit` of every neuron class of a critical point (see its notes).

    Parameters
    ----------
    group : IsotropyGroup
    coords : array_like
        A critical point of ``Fix(group)``.
    spectrum : Spectrum, optional
        Its analytic spectrum (computed if not given).

    Returns
    -------
    tuple of ClassSplit
    """
    c = FixedPointSpace(group).check_coords(coords)
    spec0 = analytic_spectrum(group, c) if spectrum is None else spectrum
    out = []
    for t in neuron_classes(group):
        g2, c2, _ = split_neuron(group, c, t, split=0.5, extra=1)
        blocks = hessian_blocks(g2, c2)
        spec2 = analytic_spectrum(g2, c2)
        index = as_count(spec2.index - spec0.index)
        nullity = as_count(spec2.nullity - spec0.nullity)
        cert = None
        if index > 0:
            decision = SADDLE
            cert = block_certificate(g2, c2, blocks=blocks)
        elif abs(nullity - 1) < 1e-9:
            decision = MINIMUM
        else:
            decision = UNDECIDED
        min_curv = None
        if cert is not None and spec0.index == 0:
            min_curv = cert.rayleigh_quotient / 2.0
        f = group.factors[t]
        out.append(
            ClassSplit(
                neuron_class=f.label(),
                block=t,
                size=as_count(f.size),
                index=index,
                nullity=nullity,
                decision=decision,
                certificate=cert,
                min_curvature=min_curv,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class DeadNeuronTest:
    r"""The dead-neuron embedding ``(W, 0)``: ``min_{|u| = 1} D⁺L[u]``.

    ``D⁺L[u] = Σ_i κ(w_i, u) − Σ_j κ(v_j, u)`` (MATH §5) vanishes with its
    gradient at every ``u = w̄_i`` of a critical point (``∇_{w_i}L = 0``), and
    its Hessian there is ``|w_i| M_i`` (:class:`ClassSplit`); so the minimum
    over the sphere is ``≤ 0``, and ``< 0`` whenever some split is a saddle.

    Attributes
    ----------
    min_directional_derivative : float or None
        The smallest value found (``None`` at real ``k``: no dense ``u``).
    direction : ndarray or None
        The unit ``u`` attaining it (a certificate when the value is negative).
    decision : str
        ``"saddle"`` (a unit ``u`` with ``D⁺L[u] < 0``, or, at real ``k``, a
        split class that is a saddle: split points with ratio ``t → 0``
        converge to the dead-neuron point and each has lower-loss neighbours),
        ``"local_minimum"`` (no negative value found and every split class a
        minimum) or ``"undecided"``.
    starts : int
        Number of starting points of the minimisation.
    rigorous : bool
        ``True`` for a saddle decision (an explicit witness); ``False`` for a
        minimum, which rests on a multi-start minimisation over the sphere,
        not on a proof of global optimality.
    """

    min_directional_derivative: float | None
    direction: np.ndarray | None
    decision: str
    starts: int
    rigorous: bool

    def to_json(self) -> dict:
        return {
            "min_directional_derivative": self.min_directional_derivative,
            "direction": None if self.direction is None else [float(x) for x in self.direction],
            "decision": self.decision,
            "starts": self.starts,
            "rigorous": self.rigorous,
        }


def _dense_problem(group: IsotropyGroup, coords):
    """``(TeacherStudent, W)`` for an integer-size group, teacher ``[I_k 0]``."""
    from .model import TeacherStudent

    n, d = group.shape
    k = int(round(group.k))
    V = np.zeros((k, d))
    V[:, :k] = np.eye(k)
    return TeacherStudent(V, n=n), FixedPointSpace(group).embed(coords)


def min_directional_derivative(
    model, W, *, rng=None, n_random: int = 64, iters: int = 400, tol: float = 1e-12
) -> tuple[float, np.ndarray, int]:
    r"""Minimise ``u ↦ D⁺L[u]`` over the unit sphere (multi-start, batched).

    Riemannian gradient descent with Armijo backtracking from every start at
    once (``u ← normalise(u − η (∇g − g(u) u))``, using ``u·∇g = g`` by
    homogeneity), then Riemannian Newton on the best point.  Starts: the
    directions ``±w̄_i`` (each nudged, since ``w̄_i`` is a critical point of
    ``g``), ``±v̄_j``, ``±e_a`` and ``n_random`` Gaussian directions.

    Parameters
    ----------
    model : TeacherStudent
    W : ndarray, shape (n, d)
    rng : numpy.random.Generator, optional
        Default ``default_rng(0)`` (deterministic).

    Returns
    -------
    value, direction, starts
    """
    rng = np.random.default_rng(0) if rng is None else rng
    d = model.d
    Wbar = W / np.linalg.norm(W, axis=1, keepdims=True)
    Vbar = model.V / np.linalg.norm(model.V, axis=1, keepdims=True)
    nudged = Wbar + 0.05 * rng.standard_normal(Wbar.shape)
    U = np.vstack(
        [nudged, -Wbar, Vbar, -Vbar, np.eye(d), -np.eye(d), rng.standard_normal((n_random, d))]
    )
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    g, G = model.dead_neuron_derivative(W, U, order=1)
    step = np.full(len(U), 0.5)
    active = np.ones(len(U), dtype=bool)
    for _ in range(iters):
        R = G - g[:, None] * U  # Riemannian gradient (u·∇g = g by homogeneity)
        active &= np.linalg.norm(R, axis=1) > tol
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        Ra, Ua, ga, sa = R[idx], U[idx], g[idx], step[idx]
        r2 = np.einsum("pa,pa->p", Ra, Ra)
        todo = np.ones(idx.size, dtype=bool)
        Un = Ua.copy()
        for _ in range(30):  # Armijo backtracking, only where still needed
            t = np.flatnonzero(todo)
            cand = Ua[t] - sa[t, None] * Ra[t]
            cand /= np.linalg.norm(cand, axis=1, keepdims=True)
            ok = model.dead_neuron_derivative(W, cand) <= ga[t] - 1e-4 * sa[t] * r2[t]
            Un[t[ok]] = cand[ok]
            todo[t[ok]] = False
            sa[t[~ok]] /= 2
            if not todo.any():
                break
        moved = ~todo
        active[idx[todo]] = False  # no decrease at the smallest step: converged
        U[idx[moved]] = Un[moved]
        step[idx] = np.where(moved, np.minimum(2 * sa, 4.0), sa)
        g[idx], G[idx] = model.dead_neuron_derivative(W, U[idx], order=1)
    best = int(np.argmin(g))
    u = U[best]
    for _ in range(20):  # Riemannian Newton polish on the tangent space
        val, grad, hess = model.dead_neuron_derivative(W, u[None], order=2)
        P = np.eye(d) - np.outer(u, u)
        rg = P @ grad[0]
        Hr = P @ hess[0] @ P - val[0] * P
        w, Q = np.linalg.eigh(Hr + np.outer(u, u))
        if w[0] <= 0 or np.linalg.norm(rg) < tol:
            break
        un = u - Q @ ((Q.T @ rg) / w)
        un /= np.linalg.norm(un)
        if model.dead_neuron_derivative(W, un[None])[0] > val[0]:
            break
        u = un
    value = float(model.dead_neuron_derivative(W, u[None])[0])
    return value, u, len(U)


def dead_neuron_test(
    group: IsotropyGroup, coords, *, classes: tuple[ClassSplit, ...] | None = None, rng=None
) -> DeadNeuronTest:
    """Decide the dead-neuron embedding of a critical point (:class:`DeadNeuronTest`)."""
    c = FixedPointSpace(group).check_coords(coords)
    classes = class_splits(group, c) if classes is None else classes
    split_saddle = any(s.decision == SADDLE for s in classes)
    if not group.is_integral:
        return DeadNeuronTest(
            min_directional_derivative=None,
            direction=None,
            decision=SADDLE if split_saddle else UNDECIDED,
            starts=0,
            rigorous=split_saddle,
        )
    model, W = _dense_problem(group, c)
    value, u, starts = min_directional_derivative(model, W, rng=rng)
    scale = float(np.sum(np.linalg.norm(W, axis=1)) + np.sum(np.linalg.norm(model.V, axis=1)))
    if value < -DEFAULT_TOLERANCES.zero_threshold(scale):
        decision, rigorous = SADDLE, True
    elif split_saddle:  # the minimisation missed what the split limit proves
        decision, rigorous = SADDLE, True
    elif all(s.decision == MINIMUM for s in classes):
        decision, rigorous = MINIMUM, False
    else:
        decision, rigorous = UNDECIDED, False
    return DeadNeuronTest(
        min_directional_derivative=value,
        direction=u,
        decision=decision,
        starts=starts,
        rigorous=rigorous,
    )


@dataclass(frozen=True)
class EmbeddingRecord:
    """One class of function-preserving embeddings with ``extra`` new neurons.

    Attributes
    ----------
    kind : str
        ``"split"``, ``"dead_neuron"`` or ``"split+dead_neuron"``.
    extra : int
        ``ℓ``.
    splits : tuple of (str, tuple of int or None)
        Per split neuron class: its label and, per split neuron of that class,
        the number of extra pieces it is cut into (one neuron cut into ``p``
        pieces contributes ``p − 1``).  The ratios are free in the open
        simplex: the decision holds for all of them (:class:`ClassSplit`).
    dead_neurons : int
        Number of zero rows added.
    decision : str
        ``"saddle"``, ``"local_minimum"`` or ``"undecided"``.
    certificate : dict or None
        For a saddle: ``{"type": "descent_direction", "neuron_class", "irrep",
        "rayleigh_quotient"}`` (``rayleigh_quotient`` at ratio ½; at ratio t it
        is ``min_curvature / (2t(1−t))``, never above its value at ½),
        ``{"type": "directional_derivative", "value", "direction"}`` or
        ``{"type": "start_is_saddle", "irrep", "rayleigh_quotient"}``.
    rigorous : bool
        Whether the decision rests on a witness or on the inertia count (``True``),
        or on a numerical minimisation (``False``).
    grouped : bool
        ``True`` above :data:`FULL_ENUMERATION` extra neurons: the record stands
        for every distribution of the pieces over split neurons of its classes
        (``extra_pieces`` null) and, with ``dead_neurons = 1``, for one or more
        dead neurons; the decision depends only on these.
    """

    kind: str
    extra: int
    splits: tuple[tuple[str, tuple[int, ...]], ...]
    dead_neurons: int
    decision: str
    certificate: dict | None
    rigorous: bool
    grouped: bool = False

    @property
    def is_saddle(self) -> bool:
        return self.decision == SADDLE

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "extra": self.extra,
            "splits": [
                {"neuron_class": c, "extra_pieces": None if p is None else list(p)}
                for c, p in self.splits
            ],
            "dead_neurons": self.dead_neurons,
            "decision": self.decision,
            "saddle": self.is_saddle,
            "certificate": self.certificate,
            "rigorous": self.rigorous,
            "grouped": self.grouped,
        }


def _partitions(n: int, max_parts: float, largest: int | None = None):
    """Partitions of ``n`` (non-increasing tuples) with at most ``max_parts`` parts."""
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    if max_parts < 1:
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, max_parts - 1, first):
            yield (first, *rest)


def _split_patterns(classes: tuple[ClassSplit, ...], pieces: int):
    """Every way to hand ``pieces`` extra pieces to split neurons, up to symmetry."""

    def rec(i, left):
        if left == 0:
            yield ()
            return
        if i == len(classes):
            return
        yield from rec(i + 1, left)  # class i gets nothing
        for share in range(1, left + 1):
            for part in _partitions(share, float(classes[i].size)):
                for rest in rec(i + 1, left - share):
                    yield ((i, part), *rest)

    yield from rec(0, pieces)


#: above this many extra neurons, :func:`embedding_records` groups the embeddings
FULL_ENUMERATION = 4


def _class_subsets(classes, pieces: int, *, empty: bool):
    """Sets of split classes (at most ``pieces`` of them), each with ``None`` pieces: "any"."""
    idx = range(len(classes))
    for r in range(0 if empty else 1, min(len(classes), pieces) + 1):
        for chosen in itertools.combinations(idx, r):
            yield tuple((i, None) for i in chosen)


def _start_certificate(group, coords) -> dict:
    cert = block_certificate(group, coords)
    return {
        "type": "start_is_saddle",
        "irrep": cert.irrep,
        "rayleigh_quotient": cert.rayleigh_quotient,
    }


def embedding_records(
    group: IsotropyGroup,
    coords,
    extra: int,
    *,
    classes: tuple[ClassSplit, ...] | None = None,
    dead: DeadNeuronTest | None = None,
    spectrum: Spectrum | None = None,
) -> tuple[EmbeddingRecord, ...]:
    """Every function-preserving embedding with exactly ``extra`` new neurons, decided.

    Splits (every distribution of the new pieces over split neurons of every
    class, all ratios at once), dead neurons, and their combinations; above
    :data:`FULL_ENUMERATION` extra neurons grouped by the split classes and
    the presence of dead neurons (what the decision depends on).  A
    split part is a saddle if its class is (:class:`ClassSplit`); a dead part
    if :class:`DeadNeuronTest` says so; the embedding is a saddle if one part
    is, a local minimum if the start is a non-degenerate minimum and every
    part is a minimum, otherwise undecided.
    """
    extra = _check_extra(extra)
    c = FixedPointSpace(group).check_coords(coords)
    spec0 = analytic_spectrum(group, c) if spectrum is None else spectrum
    classes = class_splits(group, c, spectrum=spec0) if classes is None else classes
    start_saddle = spec0.index > 0
    start_min = spec0.index == 0 and spec0.nullity == 0
    out = []
    coarse = extra > FULL_ENUMERATION
    for n_dead in (0, 1) if coarse else range(extra + 1):
        if n_dead and dead is None:
            dead = dead_neuron_test(group, c, classes=classes)
        patterns = (
            _class_subsets(classes, extra - n_dead, empty=n_dead > 0)
            if coarse
            else _split_patterns(classes, extra - n_dead)
        )
        for pattern in patterns:
            kind = "+".join(
                x for x, on in (("split", bool(pattern)), ("dead_neuron", n_dead > 0)) if on
            )
            parts = [classes[i] for i, _ in pattern]
            rigorous = True
            if start_saddle:
                decision, cert = SADDLE, _start_certificate(group, c)
            elif any(p.decision == SADDLE for p in parts):
                best = min(
                    (p for p in parts if p.decision == SADDLE),
                    key=lambda p: p.certificate.rayleigh_quotient,
                )
                decision = SADDLE
                cert = {
                    "type": "descent_direction",
                    "neuron_class": best.neuron_class,
                    "irrep": best.certificate.irrep,
                    "rayleigh_quotient": best.certificate.rayleigh_quotient,
                    "min_curvature": best.min_curvature,
                }
            elif n_dead and dead.decision == SADDLE:
                decision = SADDLE
                cert = {
                    "type": "directional_derivative",
                    "value": dead.min_directional_derivative,
                    "direction": None
                    if dead.direction is None
                    else [float(x) for x in dead.direction],
                }
            else:
                cert = None
                ok = start_min and all(p.decision == MINIMUM for p in parts)
                if n_dead:
                    ok = ok and dead.decision == MINIMUM
                    rigorous = dead.rigorous
                decision = MINIMUM if ok else UNDECIDED
                rigorous = rigorous and ok
            out.append(
                EmbeddingRecord(
                    kind=kind,
                    extra=extra,
                    splits=tuple((classes[i].neuron_class, part) for i, part in pattern),
                    dead_neurons=n_dead,
                    decision=decision,
                    certificate=cert,
                    rigorous=rigorous,
                    grouped=coarse,
                )
            )
    return tuple(out)
