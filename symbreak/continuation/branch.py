r"""Results of a continuation: branch points, events (special points), the branch.

A :class:`Branch` is the list of accepted steps ``(k, c, L, index)`` of one
family of critical points in ``Fix(H)``, the :class:`Event` s found on it, and
the :class:`~symbreak.continuation.status.Status` of the run.  It saves to and
loads from a versioned JSON file (:mod:`symbreak.io`, kind ``"branch"``).

The *index* at real ``k`` is the total multiplicity of the negative
eigenvalues, ``Σ_χ dim χ · #{λ ∈ spec A_χ : λ < 0}``, with ``dim χ`` the value
of its polynomial in ``k`` (an integer at integer ``k``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import io
from .._numerics import as_count
from ..errors import DomainError
from .corrector import correct
from .family import KFamily
from .options import ContinuationOptions
from .status import Status

__all__ = [
    "BranchPoint",
    "EventBlock",
    "Event",
    "BlockChange",
    "Branch",
    "EVENT_KINDS",
    "EVENT_KIND_HELP",
    "BRANCH_FORMAT_VERSION",
    "branch_point_at",
]

#: what each event kind means, one line each (the report and the docs quote these)
EVENT_KIND_HELP = {
    "symmetry_breaking": "eigenvalues of one non-trivial isotypic block cross zero (dim χ at "
    "once; or several blocks together, the same way, that carry one irrep of the point's larger "
    "isotropy): the index changes by their dimension and branches of smaller isotropy bifurcate",
    "fold": "the branch turns back in k (a turning point: the trivial block is singular and "
    "dk/ds changes sign)",
    "branch_point": "the branch meets another family: 'meets' names it when the point lies in a "
    "larger fixed-point space (its coordinates there in 'meets_coords'), else another branch of "
    "the same isotropy crosses; several blocks may vanish at once, 'turns' says if the branch "
    "also turns in k",
    "touch": "an eigenvalue reaches zero without changing sign; the index does not change",
    "unlocated": "the index changed between two consecutive branch points (or an event's indices "
    "disagree with them) and no located event explains it; k lies between the two points",
}
#: kinds of events (strings used in JSON)
EVENT_KINDS = tuple(EVENT_KIND_HELP)
#: how an eigenvalue passes zero at an event
CHANGES = ("down", "up", "touch")
#: version of the "symbreak.branch" JSON layout
BRANCH_FORMAT_VERSION = 1


@dataclass(frozen=True)
class BranchPoint:
    """One accepted step of a branch.

    Attributes
    ----------
    k : float
    coords : ndarray
        Point of ``Fix(H)`` (coordinate order of
        :class:`~symbreak.reduced.fixed_point.FixedPointSpace`).
    loss : float
    index : int or float
        Total multiplicity of negative eigenvalues (a float at real ``k``).
    tangent : ndarray
        Unit tangent in ``z = (c, θτ)``; ``tangent[-1] > 0`` where ``k``
        increases along the branch.
    eigenvalues : tuple of (str, ndarray)
        Sorted eigenvalues of every block ``A_χ``, by block label.
    """

    k: float
    coords: np.ndarray
    loss: float
    index: int | float
    tangent: np.ndarray
    eigenvalues: tuple[tuple[str, np.ndarray], ...] = ()

    @property
    def min_eigenvalue(self) -> float:
        """Smallest Hessian eigenvalue (over blocks of non-zero dimension)."""
        vals = [v.min() for _, v in self.eigenvalues if v.size]
        return float(min(vals)) if vals else float("nan")

    def block(self, label: str) -> np.ndarray | None:
        """Eigenvalues of the block with this label (``None`` if absent here)."""
        for lab, vals in self.eigenvalues:
            if lab == label:
                return vals
        return None

    def to_json(self, *, full: bool = True) -> dict:
        out = {
            "k": float(self.k),
            "coords": [float(x) for x in self.coords],
            "loss": float(self.loss),
            "index": self.index,
        }
        if full:
            out["tangent"] = [float(x) for x in self.tangent]
            out["eigenvalues"] = {lab: [float(x) for x in v] for lab, v in self.eigenvalues}
        return out

    @classmethod
    def from_json(cls, d: dict) -> BranchPoint:
        return cls(
            k=float(d["k"]),
            coords=np.asarray(d["coords"], dtype=float),
            loss=float(d["loss"]),
            index=as_count(d["index"]),
            tangent=np.asarray(d.get("tangent", []), dtype=float),
            eigenvalues=tuple(
                (lab, np.asarray(v, dtype=float)) for lab, v in d.get("eigenvalues", {}).items()
            ),
        )


@dataclass(frozen=True)
class EventBlock:
    """One isotypic block taking part in an event.

    Attributes
    ----------
    irrep : str
        Label of the block, e.g. ``[k-2,1] x [1]``.
    irrep_types : tuple of str
        Type of the irrep on each factor (``triv``/``std``/``two``/``alt``).
    multiplicity : int or float
        ``dim χ`` at the event: how many Hessian eigenvalues vanish with it.
    eigenvalue : int
        Position of the vanishing eigenvalue in the sorted spectrum of
        ``A_χ`` (structural zeros removed).
    change : str
        ``"down"`` (it becomes negative: the index grows by ``dim χ``),
        ``"up"`` (it becomes positive) or ``"touch"`` (no sign change).
    segment : int
        The segment this zero lies on when it differs from the event's (a
        zero located just across a branch point), else −1.
    """

    irrep: str
    irrep_types: tuple[str, ...]
    multiplicity: int | float
    eigenvalue: int
    change: str
    segment: int = -1

    @property
    def is_trivial(self) -> bool:
        return all(t == "triv" for t in self.irrep_types)

    @property
    def count_change(self) -> int:
        """Change of the number of negative eigenvalues of ``A_χ`` (+1, −1 or 0)."""
        return {"down": 1, "up": -1}.get(self.change, 0)

    def to_json(self) -> dict:
        return {
            "irrep": self.irrep,
            "irrep_types": list(self.irrep_types),
            "multiplicity": self.multiplicity,
            "eigenvalue": self.eigenvalue,
            "change": self.change,
            "segment": self.segment,
        }

    @classmethod
    def from_json(cls, d: dict) -> EventBlock:
        if d.get("change") not in CHANGES:
            raise ValueError(f"unknown eigenvalue change {d.get('change')!r}")
        return cls(
            irrep=str(d["irrep"]),
            irrep_types=tuple(d.get("irrep_types", ())),
            multiplicity=as_count(d["multiplicity"]),
            eigenvalue=int(d.get("eigenvalue", 0)),
            change=d["change"],
            segment=int(d.get("segment", -1)),
        )


@dataclass(frozen=True)
class Event:
    r"""Something that happens to the Hessian along the branch, at one ``k``.

    Attributes
    ----------
    kind : str
        One of :data:`EVENT_KINDS` (meanings in :data:`EVENT_KIND_HELP`):
        ``"symmetry_breaking"``, ``"fold"``, ``"branch_point"``, ``"touch"``,
        ``"unlocated"``.
    k : float
        Where it happens (for ``"unlocated"``: the middle of the two branch
        points, with ``k_error`` half their distance).
    irrep : str
        Label of the first block in :attr:`blocks` (``""`` if none).
    irrep_types : tuple of str
        Its irrep types.
    multiplicity : int or float
        Number of Hessian eigenvalues that vanish at ``k``: ``Σ dim χ`` over
        :attr:`blocks`.
    index_before, index_after : int or float
        Index just before and just after ``k`` along the branch, with the
        multiplicities evaluated at ``k``.
    coords : ndarray
        The critical point at the event.
    eigenvalue : int
        Position of the first block's vanishing eigenvalue in its sorted
        spectrum.
    k_error : float
        Bound on ``|k − k_true|``.
    segment : int
        The event lies between branch points ``segment`` and ``segment + 1``
        (:attr:`around`).
    blocks : tuple of EventBlock
        Every block with an eigenvalue that vanishes here, and how.
    meets : str or None
        Spec of the more symmetric family whose fixed-point space contains the
        event point (a ``"branch_point"`` on it), else ``None``.
    meets_coords : ndarray or None
        The event point in the coordinates of ``Fix(meets)``.
    turns : bool
        ``dk/ds`` changes sign here (the branch turns back in ``k``).
    """

    kind: str
    k: float
    irrep: str
    irrep_types: tuple[str, ...]
    multiplicity: int | float
    index_before: int | float
    index_after: int | float
    coords: np.ndarray
    eigenvalue: int = 0
    k_error: float = 0.0
    segment: int = 0
    blocks: tuple[EventBlock, ...] = ()
    meets: str | None = None
    meets_coords: np.ndarray | None = None
    turns: bool = False

    @property
    def around(self) -> tuple[int, int]:
        """Indices of the branch points on either side."""
        return (self.segment, self.segment + 1)

    def to_json(self, *, full: bool = True) -> dict:
        out = {
            "kind": self.kind,
            "k": float(self.k),
            "irrep": self.irrep,
            "multiplicity": self.multiplicity,
            "index_before": self.index_before,
            "index_after": self.index_after,
            "coords": [float(x) for x in self.coords],
            "blocks": [b.to_json() for b in self.blocks],
            "meets": self.meets,
            "meets_coords": None
            if self.meets_coords is None
            else [float(x) for x in self.meets_coords],
            "turns": bool(self.turns),
        }
        if full:
            out.update(
                irrep_types=list(self.irrep_types),
                eigenvalue=self.eigenvalue,
                k_error=float(self.k_error),
                segment=self.segment,
                points=list(self.around),
            )
        return out

    @classmethod
    def from_json(cls, d: dict) -> Event:
        if d.get("kind") not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {d.get('kind')!r}")
        mc = d.get("meets_coords")
        return cls(
            kind=d["kind"],
            k=float(d["k"]),
            irrep=str(d["irrep"]),
            irrep_types=tuple(d.get("irrep_types", ())),
            multiplicity=as_count(d["multiplicity"]),
            index_before=as_count(d["index_before"]),
            index_after=as_count(d["index_after"]),
            coords=np.asarray(d["coords"], dtype=float),
            eigenvalue=int(d.get("eigenvalue", 0)),
            k_error=float(d.get("k_error", 0.0)),
            segment=int(d.get("segment", 0)),
            blocks=tuple(EventBlock.from_json(b) for b in d.get("blocks", ())),
            meets=d.get("meets"),
            meets_coords=None if mc is None else np.asarray(mc, dtype=float),
            turns=bool(d.get("turns", False)),
        )


@dataclass(frozen=True)
class BlockChange:
    """A block whose number of eigenvalues differs between two consecutive branch points.

    At a real size where an irrep's dimension polynomial vanishes the block
    is absent, and at an integer size where copy vectors become dependent it
    loses rows (for example ``[m−1,1]`` with ``m = 2``).  Such a block cannot be
    compared eigenvalue by eigenvalue with its neighbour; it is compared with
    the branch just next to that end instead, and the jump of the index there
    is recorded.

    Attributes
    ----------
    segment : int
        Between branch points ``segment`` and ``segment + 1``.
    irrep : str
    k : float
        Where the block changes: the end where it has fewer eigenvalues, or,
        for a block that appears inside the segment, the first place where it
        is present.
    sizes : (int, int)
        Eigenvalue counts at the two points (0 where the block is absent).
    negatives : (int, int)
        Negative eigenvalues at the two points.
    limit_negatives : int
        Negative eigenvalues just inside the segment next to ``k``.
    index_jump : float or None
        ``dim χ(k) · (limit_negatives − negatives at k)``: the jump of the
        real-k index at ``k`` (0 when the index is continuous there; non-zero
        only at a degenerate integer size, where the interpolation between
        integers is discontinuous); ``None`` (and ``limit_negatives = −1``)
        when the branch next to ``k`` could not be sampled, so the block was
        not compared (:func:`~symbreak.continuation.events.check_branch`
        reports it).
    """

    segment: int
    irrep: str
    k: float
    sizes: tuple[int, int]
    negatives: tuple[int, int]
    limit_negatives: int
    index_jump: float | None

    @property
    def index_continuous(self) -> bool:
        return self.index_jump is not None and abs(self.index_jump) <= 1e-9

    def to_json(self) -> dict:
        return {
            "segment": self.segment,
            "irrep": self.irrep,
            "k": float(self.k),
            "sizes": list(self.sizes),
            "negatives": list(self.negatives),
            "limit_negatives": self.limit_negatives,
            "index_jump": None if self.index_jump is None else float(self.index_jump),
        }

    @classmethod
    def from_json(cls, d: dict) -> BlockChange:
        return cls(
            segment=int(d["segment"]),
            irrep=str(d["irrep"]),
            k=float(d["k"]),
            sizes=tuple(int(x) for x in d["sizes"]),
            negatives=tuple(int(x) for x in d["negatives"]),
            limit_negatives=int(d["limit_negatives"]),
            index_jump=None if d.get("index_jump") is None else float(d["index_jump"]),
        )


@dataclass(frozen=True)
class Branch:
    """A continued family of critical points.

    Attributes
    ----------
    spec : str
        Isotropy spec of the fixed-point space.
    extra_dims : float
        Extra input columns ``d − k`` (when the spec does not give them).
    names : tuple of str
        Coordinate names.
    points : tuple of BranchPoint
        Accepted steps, in the order of the continuation.
    events : tuple of Event
        Sorted along the branch.
    status : Status
    message : str
        What happened and what to do (``status.message`` with details).
    k0, k1 : float
        The window: from ``k0`` towards ``k1``.
    options : ContinuationOptions
    origin : str
        How the branch was started (``"start"``, or the event it was switched
        from).
    block_changes : tuple of BlockChange
        Blocks whose eigenvalue count changes between consecutive points
        (compared with the branch next to the degenerate end instead).
    notes : tuple of str
        What the event scan could not do and dropped, one sentence each
        (:attr:`EventScan.notes <symbreak.continuation.events.EventScan>`);
        empty for a clean scan.  Written to JSON (key ``"notes"``) only
        when not empty.
    """

    spec: str
    extra_dims: float
    names: tuple[str, ...]
    points: tuple[BranchPoint, ...]
    events: tuple[Event, ...]
    status: Status
    message: str
    k0: float
    k1: float
    options: ContinuationOptions = field(default_factory=ContinuationOptions)
    origin: str = "start"
    block_changes: tuple[BlockChange, ...] = ()
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------ views
    @property
    def success(self) -> bool:
        return self.status.success

    @property
    def k(self) -> np.ndarray:
        """``k`` at every point."""
        return np.array([p.k for p in self.points])

    @property
    def coords(self) -> np.ndarray:
        """Coordinates, one row per point."""
        return np.array([p.coords for p in self.points]).reshape(len(self.points), -1)

    @property
    def loss(self) -> np.ndarray:
        return np.array([p.loss for p in self.points])

    @property
    def index(self) -> np.ndarray:
        return np.array([float(p.index) for p in self.points])

    def __len__(self) -> int:
        return len(self.points)

    def __str__(self) -> str:
        ks = self.k
        span = f"k in [{ks.min():g}, {ks.max():g}]" if ks.size else "no points"
        return (
            f"Branch({self.spec!r}, {len(self.points)} points, {span}, "
            f"{len(self.events)} events, status {self.status.value})"
        )

    def point_at(self, k: float) -> np.ndarray:
        """Coordinates of the branch at ``k`` (first passage), corrected by Newton at fixed k.

        Raises
        ------
        DomainError
            If ``k`` is not covered by the branch, or Newton fails there.
        """
        return branch_point_at(self, k)

    # ------------------------------------------------------------ JSON
    def to_json(self, *, full: bool = True) -> dict:
        """A JSON-able dict (``full=False``: the CLI's short form)."""
        out = {
            "status": self.status.value,
            "message": self.message,
            "isotropy": self.spec,
            "names": list(self.names),
            "k0": float(self.k0),
            "k1": float(self.k1),
            "branch": [p.to_json(full=full) for p in self.points],
            "events": [e.to_json(full=full) for e in self.events],
            "block_changes": [c.to_json() for c in self.block_changes],
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if full:
            out["extra_dims"] = float(self.extra_dims)
            out["origin"] = self.origin
            out["options"] = self.options.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict) -> Branch:
        """Inverse of :meth:`to_json` (``full=True``)."""
        if not isinstance(data, dict):
            raise TypeError("a branch must be a JSON object")
        try:
            status = Status(data["status"])
        except ValueError:
            raise ValueError(f"unknown branch status {data.get('status')!r}") from None
        except KeyError:
            raise ValueError("branch data has no 'status' field") from None
        return cls(
            spec=str(data["isotropy"]),
            # "d_extra": the key of branch files written before extra_dims was the one name
            extra_dims=float(data.get("extra_dims", data.get("d_extra", 0.0))),
            names=tuple(data["names"]),
            points=tuple(BranchPoint.from_json(p) for p in data["branch"]),
            events=tuple(Event.from_json(e) for e in data["events"]),
            status=status,
            message=str(data.get("message", status.message)),
            k0=float(data["k0"]),
            k1=float(data["k1"]),
            options=ContinuationOptions.from_json(data.get("options", {})),
            origin=str(data.get("origin", "start")),
            block_changes=tuple(BlockChange.from_json(c) for c in data.get("block_changes", ())),
            notes=tuple(str(x) for x in data.get("notes", ())),
        )

    def save(self, path):
        """Write the branch to a versioned JSON file (kind ``"branch"``)."""
        return io.save_json(path, "branch", self.to_json(full=True), BRANCH_FORMAT_VERSION)

    @classmethod
    def load(cls, path) -> Branch:
        """Read a branch written by :meth:`save`."""
        data, _ = io.load_json(path, "branch", versions=(BRANCH_FORMAT_VERSION,))
        try:
            return cls.from_json(data)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path} is a damaged branch file: missing or bad {exc}") from None


def branch_point_at(branch: Branch, k: float) -> np.ndarray:
    """Coordinates of ``branch`` at ``k`` (first segment covering ``k``), Newton-corrected.

    Raises
    ------
    TypeError
        If ``k`` is not a real number.
    DomainError
        If ``k`` is not between two consecutive points of the branch, or the
        corrector fails.
    """
    if isinstance(k, bool) or not isinstance(k, (int, float, np.integer, np.floating)):
        raise TypeError(f"k must be a real number, got {k!r}")
    k = float(k)
    pts = branch.points
    opts = branch.options
    family = KFamily.for_options(branch.spec, branch.extra_dims, opts)
    for p in pts:
        if p.k == k:
            return np.array(p.coords)
    for a, b in zip(pts[:-1], pts[1:]):
        if min(a.k, b.k) <= k <= max(a.k, b.k):
            za, zb = family.to_z(a.coords, a.k), family.to_z(b.coords, b.k)
            target = family.theta * family.tau(k)
            w = (target - za[-1]) / (zb[-1] - za[-1]) if zb[-1] != za[-1] else 0.5
            e_last = np.zeros(za.size)
            e_last[-1] = 1.0
            z = za + w * (zb - za)
            z[-1] = target
            res = correct(family, z, e_last, target, opts)
            if not res.converged:
                raise DomainError(f"Newton at fixed k = {k:g} failed ({res.reason})")
            return family.split(res.z)[0]
    ks = branch.k
    span = f"[{ks.min():g}, {ks.max():g}]" if ks.size else "(empty)"
    raise DomainError(f"k = {k:g} is not on the branch, which covers {span}")
