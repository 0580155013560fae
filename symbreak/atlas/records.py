"""Typed records of an atlas: :class:`Atlas`, :class:`Family`, :class:`AtlasEvent`, ...

The atlas engine (:func:`~symbreak.atlas.run_atlas`) builds these frozen
dataclasses and writes them as ``atlas.json``; the file layout is the public
interface (``symbreak/atlas/schema.json``), and every record's ``to_json``
writes exactly its part of it (field names and order), while ``from_json``
reads it back::

    atlas = Atlas.load("symbreak-atlas/atlas.json")
    f = atlas.family("F2")
    [(p.k, p.index) for p in f.at_integer_k]

``Record.from_json(r.to_json()) == r`` for every record, and
``Atlas.from_json(d).to_json() == d`` for a file written by this version.
Numbers are kept as they are in JSON (an index is an ``int`` at integer
sizes and a ``float`` at real ``k``), sequences are tuples.

A few parts are owned by other modules and passed through unchanged as
:class:`RawJSON` (the search statistics of
:meth:`SearchResult.search_json <symbreak.critical.SearchResult>`, and the
detailed tables of :class:`~symbreak.overparam.AnnihilationResult`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..continuation.branch import EventBlock
from .options import AtlasOptions

__all__ = [
    "Annihilation",
    "AnnihilationSkipped",
    "Atlas",
    "AtlasEvent",
    "BranchPart",
    "BranchRow",
    "Continuation",
    "Embedding",
    "Family",
    "FoundPoint",
    "IntegerKPoint",
    "RawJSON",
    "SearchRecord",
    "SpectrumAtK",
    "SpectrumRow",
    "Summary",
    "Timing",
    "UnitCounts",
]


def _tuple(x) -> tuple:
    return tuple(x) if x is not None else ()


def _floats(x):
    return None if x is None else tuple(x)


def _list(x):
    return None if x is None else list(x)


@dataclass(frozen=True)
class RawJSON:
    """An immutable JSON value passed through unchanged (its canonical text)."""

    text: str

    @classmethod
    def of(cls, value) -> RawJSON:
        return cls(json.dumps(value))

    @property
    def value(self):
        """A fresh copy of the value (dicts and lists)."""
        return json.loads(self.text)

    def to_json(self):
        return self.value


def _raw(x) -> RawJSON | None:
    return None if x is None else RawJSON.of(x)


def _unraw(x: RawJSON | None):
    return None if x is None else x.value


# ---------------------------------------------------------------- small rows
@dataclass(frozen=True)
class SpectrumRow:
    """One eigenvalue of the Hessian with its multiplicity and irrep (``Spectrum.to_json``)."""

    value: float
    multiplicity: int | float
    irrep: str

    def to_json(self) -> dict:
        return {"value": self.value, "multiplicity": self.multiplicity, "irrep": self.irrep}

    @classmethod
    def from_json(cls, d: dict) -> SpectrumRow:
        return cls(value=d["value"], multiplicity=d["multiplicity"], irrep=d["irrep"])


def _spectrum(rows) -> tuple[SpectrumRow, ...]:
    return tuple(SpectrumRow.from_json(e) for e in rows)


@dataclass(frozen=True)
class IntegerKPoint:
    """A family at an integer ``k``: corrected point, loss, Morse index, smallest eigenvalue."""

    k: float
    loss: float
    index: int | float
    min_eig: float
    coords: tuple[float, ...] = ()

    def to_json(self) -> dict:
        return {
            "k": self.k,
            "loss": self.loss,
            "index": self.index,
            "min_eig": self.min_eig,
            "coords": list(self.coords),
        }

    @classmethod
    def from_json(cls, d: dict) -> IntegerKPoint:
        return cls(
            k=d["k"],
            loss=d["loss"],
            index=d["index"],
            min_eig=d["min_eig"],
            coords=_tuple(d.get("coords")),
        )


@dataclass(frozen=True)
class FoundPoint:
    """A critical point found by a search (the atlas keeps the short form).

    ``gradient_norm``, ``spectrum`` and ``exact_coords`` are ``None`` in the
    short form written to ``atlas.json`` (``to_json(short=True)``).
    """

    coords: tuple[float, ...]
    isotropy: str
    loss: float
    index: int | float
    kind: str
    set_dimension: int
    isotropy_order: int | None = None
    exact_isotropy: str | None = None
    same_function_as: tuple = ()
    gradient_norm: float | None = None
    spectrum: tuple[SpectrumRow, ...] | None = None
    exact_coords: tuple[float, ...] | None = None

    def to_json(self, *, short: bool = False) -> dict:
        if short:
            return {
                "coords": list(self.coords),
                "isotropy": self.isotropy,
                "loss": self.loss,
                "index": self.index,
                "kind": self.kind,
                "set_dimension": self.set_dimension,
                "isotropy_order": self.isotropy_order,
                "exact_isotropy": self.exact_isotropy,
                "same_function_as": list(self.same_function_as),
            }
        return {
            "coords": list(self.coords),
            "isotropy": self.isotropy,
            "isotropy_order": self.isotropy_order,
            "exact_isotropy": self.exact_isotropy,
            "same_function_as": list(self.same_function_as),
            "loss": self.loss,
            "index": self.index,
            "kind": self.kind,
            "gradient_norm": self.gradient_norm,
            "set_dimension": self.set_dimension,
            "spectrum": None if self.spectrum is None else [e.to_json() for e in self.spectrum],
            "exact_coords": _list(self.exact_coords),
        }

    @classmethod
    def from_json(cls, d: dict) -> FoundPoint:
        spec = d.get("spectrum")
        return cls(
            coords=tuple(d["coords"]),
            isotropy=d["isotropy"],
            loss=d["loss"],
            index=d["index"],
            kind=d["kind"],
            set_dimension=d["set_dimension"],
            isotropy_order=d.get("isotropy_order"),
            exact_isotropy=d.get("exact_isotropy"),
            same_function_as=_tuple(d.get("same_function_as")),
            gradient_norm=d.get("gradient_norm"),
            spectrum=None if spec is None else _spectrum(spec),
            exact_coords=_floats(d.get("exact_coords")),
        )


@dataclass(frozen=True)
class SearchRecord:
    """The critical-point search of one group at one ``k`` (a ``searches`` entry)."""

    isotropy: str
    k: float
    names: tuple[str, ...]
    starts: int
    failures: int
    search: RawJSON
    points: tuple[FoundPoint, ...]

    def to_json(self, *, short: bool = False) -> dict:
        return {
            "isotropy": self.isotropy,
            "k": self.k,
            "names": list(self.names),
            "starts": self.starts,
            "failures": self.failures,
            "search": self.search.to_json(),
            "points": [p.to_json(short=short) for p in self.points],
        }

    @classmethod
    def from_json(cls, d: dict) -> SearchRecord:
        return cls(
            isotropy=d["isotropy"],
            k=d["k"],
            names=tuple(d["names"]),
            starts=d["starts"],
            failures=d["failures"],
            search=RawJSON.of(d.get("search", {})),
            points=tuple(FoundPoint.from_json(p) for p in d["points"]),
        )


# ---------------------------------------------------------------- branches and events
@dataclass(frozen=True)
class AtlasEvent:
    """An event along a family's branch (:class:`~symbreak.continuation.Event`, as JSON).

    ``loss`` is the loss at the event (``None`` on a continuation work unit,
    before the atlas adds it).  The first six fields are those of earlier
    versions of this record.
    """

    kind: str
    k: float
    irrep: str
    index_before: int | float
    index_after: int | float
    loss: float | None = None
    multiplicity: int | float = 0
    coords: tuple[float, ...] = ()
    blocks: tuple[EventBlock, ...] = ()
    meets: str | None = None
    meets_coords: tuple[float, ...] | None = None
    turns: bool = False
    irrep_types: tuple[str, ...] = ()
    eigenvalue: int = 0
    k_error: float = 0.0
    segment: int = 0
    points: tuple[int, int] = (0, 1)

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "k": self.k,
            "irrep": self.irrep,
            "multiplicity": self.multiplicity,
            "index_before": self.index_before,
            "index_after": self.index_after,
            "coords": list(self.coords),
            "blocks": [b.to_json() for b in self.blocks],
            "meets": self.meets,
            "meets_coords": _list(self.meets_coords),
            "turns": self.turns,
            "irrep_types": list(self.irrep_types),
            "eigenvalue": self.eigenvalue,
            "k_error": self.k_error,
            "segment": self.segment,
            "points": list(self.points),
        }
        if self.loss is not None:
            out["loss"] = self.loss
        return out

    @classmethod
    def from_json(cls, d: dict) -> AtlasEvent:
        blocks = d.get("blocks")
        segment = d.get("segment", 0)
        return cls(
            kind=d["kind"],
            k=d["k"],
            irrep=d["irrep"],
            index_before=d["index_before"],
            index_after=d["index_after"],
            loss=d.get("loss"),
            multiplicity=d.get("multiplicity", 0),
            coords=_tuple(d.get("coords")),
            blocks=tuple(
                EventBlock(
                    irrep=b["irrep"],
                    irrep_types=tuple(b.get("irrep_types", ())),
                    multiplicity=b["multiplicity"],
                    eigenvalue=b.get("eigenvalue", 0),
                    change=b["change"],
                    segment=b.get("segment", -1),
                )
                for b in (blocks or ())
            ),
            meets=d.get("meets"),
            meets_coords=_floats(d.get("meets_coords")),
            turns=d.get("turns", False),
            irrep_types=tuple(d.get("irrep_types", ())),
            eigenvalue=d.get("eigenvalue", 0),
            k_error=d.get("k_error", 0.0),
            segment=segment,
            points=tuple(d.get("points", (segment, segment + 1))),
        )


@dataclass(frozen=True)
class BranchRow:
    """One accepted point of a branch: ``k``, coordinates, loss, index, block eigenvalues.

    ``eigenvalues`` is ``((label, values), ...)`` in block order, or ``None``
    when the row has none.
    """

    k: float
    coords: tuple[float, ...]
    loss: float
    index: int | float
    eigenvalues: tuple[tuple[str, tuple[float, ...]], ...] | None = None

    def to_json(self) -> dict:
        out = {"k": self.k, "coords": list(self.coords), "loss": self.loss, "index": self.index}
        if self.eigenvalues is not None:
            out["eigenvalues"] = {lab: list(v) for lab, v in self.eigenvalues}
        return out

    @classmethod
    def from_json(cls, d: dict) -> BranchRow:
        ev = d.get("eigenvalues")
        return cls(
            k=d["k"],
            coords=tuple(d["coords"]),
            loss=d["loss"],
            index=d["index"],
            eigenvalues=None if ev is None else tuple((lab, tuple(v)) for lab, v in ev.items()),
        )

    def block(self, label: str) -> tuple[float, ...] | None:
        """Eigenvalues of the block with this label (``None`` if absent here)."""
        return dict(self.eigenvalues or ()).get(label)


@dataclass(frozen=True)
class BranchPart:
    """One half of a family's branch (continued down or up in ``k`` from ``k0``).

    ``events`` are kept on the continuation work unit only; in ``atlas.json``
    the family holds the events of both halves (:attr:`Family.events`).
    ``notes`` is what the event scan dropped (``Branch.notes``), written only
    when not empty.
    """

    status: str
    message: str
    points: tuple[BranchRow, ...]
    events: tuple[AtlasEvent, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self, *, with_events: bool = False) -> dict:
        out = {
            "status": self.status,
            "message": self.message,
            "points": [p.to_json() for p in self.points],
        }
        if with_events:
            out["events"] = [e.to_json() for e in self.events]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_json(cls, d: dict) -> BranchPart:
        rows = d["points"] if "points" in d else d.get("branch", ())
        return cls(
            status=d["status"],
            message=d.get("message", ""),
            points=tuple(BranchRow.from_json(p) for p in rows),
            events=tuple(AtlasEvent.from_json(e) for e in d.get("events", ())),
            notes=tuple(d.get("notes", ())),
        )

    @classmethod
    def from_branch(cls, branch) -> BranchPart:
        """The part of a :class:`~symbreak.continuation.Branch` the atlas keeps."""
        data = branch.to_json(full=True)
        return cls(
            status=data["status"],
            message=data["message"],
            points=tuple(BranchRow.from_json(p) for p in data["branch"]),
            events=tuple(AtlasEvent.from_json(e) for e in data["events"]),
            notes=tuple(branch.notes),
        )


def _part(d) -> BranchPart | None:
    return None if d is None else BranchPart.from_json(d)


@dataclass(frozen=True)
class Continuation:
    """A continuation work unit: both halves of a family's branch over the window.

    ``window`` is ``(lo, hi)`` (``lo`` clipped where a block given in terms of
    ``k`` would become too small); ``down``/``up`` are ``None`` where the
    window ends at ``k0``.
    """

    isotropy: str
    k0: float
    window: tuple[float, float]
    down: BranchPart | None
    up: BranchPart | None
    at_integer_k: tuple[IntegerKPoint, ...] = ()

    def parts(self) -> tuple[BranchPart, ...]:
        """The halves that exist, down first."""
        return tuple(p for p in (self.down, self.up) if p is not None)

    def to_json(self) -> dict:
        def part(p):
            return None if p is None else p.to_json(with_events=True)

        return {
            "isotropy": self.isotropy,
            "k0": self.k0,
            "window": list(self.window),
            "down": part(self.down),
            "up": part(self.up),
            "at_integer_k": [e.to_json() for e in self.at_integer_k],
        }

    @classmethod
    def from_json(cls, d: dict) -> Continuation:
        return cls(
            isotropy=d["isotropy"],
            k0=d["k0"],
            window=tuple(d["window"]),
            down=_part(d.get("down")),
            up=_part(d.get("up")),
            at_integer_k=tuple(IntegerKPoint.from_json(e) for e in d.get("at_integer_k", ())),
        )


# ---------------------------------------------------------------- over-parameterisation
@dataclass(frozen=True)
class Embedding:
    """One function-preserving embedding tried (:class:`~symbreak.overparam.SplitEmbedding`)."""

    neuron_class: str
    split: float
    extra: int
    isotropy: str
    description: str
    coords: tuple[float, ...]
    gradient_norm: float
    min_eig: float
    index: int | float
    descent_irrep: str | None
    certificate: RawJSON | None

    def to_json(self) -> dict:
        return {
            "neuron_class": self.neuron_class,
            "split": self.split,
            "extra": self.extra,
            "isotropy": self.isotropy,
            "description": self.description,
            "coords": list(self.coords),
            "gradient_norm": self.gradient_norm,
            "min_eig": self.min_eig,
            "index": self.index,
            "descent_irrep": self.descent_irrep,
            "certificate": _unraw(self.certificate),
        }

    @classmethod
    def from_json(cls, d: dict) -> Embedding:
        return cls(
            neuron_class=d["neuron_class"],
            split=d["split"],
            extra=d["extra"],
            isotropy=d["isotropy"],
            description=d["description"],
            coords=tuple(d["coords"]),
            gradient_norm=d["gradient_norm"],
            min_eig=d["min_eig"],
            index=d["index"],
            descent_irrep=d.get("descent_irrep"),
            certificate=_raw(d.get("certificate")),
        )


@dataclass(frozen=True)
class Annihilation:
    """Over-parameterisation of a spurious minimum (``AnnihilationResult``).

    The fields of :class:`~symbreak.overparam.AnnihilationResult`; ``k`` and
    ``coords`` are where it was analysed.  The class table, the embedding
    classes and the dead-neuron test are passed through as :class:`RawJSON`.
    """

    saddle: bool
    smallest_extra: int | None
    descent_irrep: str | None
    neuron_class: str | None
    max_extra: int
    embeddings: tuple[Embedding, ...]
    annihilated_at: int | None
    min_directional_derivative: float | None
    dead_neuron: RawJSON | None
    neuron_classes: RawJSON
    embedding_classes: RawJSON
    k: float
    coords: tuple[float, ...]

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
            "dead_neuron": _unraw(self.dead_neuron),
            "neuron_classes": self.neuron_classes.to_json(),
            "embedding_classes": self.embedding_classes.to_json(),
            "k": self.k,
            "coords": list(self.coords),
        }

    @classmethod
    def from_json(cls, d: dict) -> Annihilation:
        return cls(
            saddle=d["saddle"],
            smallest_extra=d.get("smallest_extra"),
            descent_irrep=d.get("descent_irrep"),
            neuron_class=d.get("neuron_class"),
            max_extra=d["max_extra"],
            embeddings=tuple(Embedding.from_json(e) for e in d.get("embeddings", ())),
            annihilated_at=d.get("annihilated_at"),
            min_directional_derivative=d.get("min_directional_derivative"),
            dead_neuron=_raw(d.get("dead_neuron")),
            neuron_classes=RawJSON.of(d.get("neuron_classes", [])),
            embedding_classes=RawJSON.of(d.get("embedding_classes", [])),
            k=d["k"],
            coords=tuple(d["coords"]),
        )


@dataclass(frozen=True)
class AnnihilationSkipped:
    """An over-parameterisation unit that did not analyse its point.

    ``status`` is ``"error"`` (Newton at ``k`` moved the point away;
    ``message`` says how) or ``"not_a_minimum"`` (the corrected point,
    ``coords``, is not a local minimum at ``k``).
    """

    k: float
    status: str
    message: str | None = None
    coords: tuple[float, ...] | None = None

    def to_json(self) -> dict:
        out = {"k": self.k, "status": self.status}
        if self.message is not None:
            out["message"] = self.message
        if self.coords is not None:
            out["coords"] = list(self.coords)
        return out

    @classmethod
    def from_json(cls, d: dict) -> AnnihilationSkipped:
        return cls(
            k=d["k"], status=d["status"], message=d.get("message"), coords=_floats(d.get("coords"))
        )


def annihilation_from_json(d: dict) -> Annihilation | AnnihilationSkipped:
    """An over-parameterisation unit: analysed, or skipped (a ``"status"`` field)."""
    return AnnihilationSkipped.from_json(d) if "status" in d else Annihilation.from_json(d)


@dataclass(frozen=True)
class SpectrumAtK:
    """A minimum family's spectrum at the atlas's ``spectrum_k`` (for the plots)."""

    k: float
    coords: tuple[float, ...]
    spectrum: tuple[SpectrumRow, ...]

    def to_json(self) -> dict:
        return {
            "k": self.k,
            "coords": list(self.coords),
            "spectrum": [e.to_json() for e in self.spectrum],
        }

    @classmethod
    def from_json(cls, d: dict) -> SpectrumAtK:
        return cls(k=d["k"], coords=tuple(d["coords"]), spectrum=_spectrum(d.get("spectrum", ())))


# ---------------------------------------------------------------- families
@dataclass(frozen=True)
class Family:
    """A family of critical points continued in ``k``.

    Attributes
    ----------
    id : str
        ``F1``, ``F2``, … (families are numbered by the first ``k`` at which
        they were found, then by loss: the same inputs give the same ids).
    key : str
        The citable key ``isotropy@k0:loss`` (:func:`~symbreak.atlas.run.family_key`).
    isotropy : str
        The Young-type spec of the fixed-point space it is continued in.
    found_in : str
        The group whose search found it.
    k0, coords, loss, index, kind
        Where it was first found, its point, loss, index and kind there.
    also_found_at : tuple of int
        Other ``k`` whose search found a point of this family.
    stabiliser : str
        Exact stabiliser label at ``k0`` (``docs/notation.md``).
    isotropy_order : int or None
    at_integer_k : tuple of IntegerKPoint
    spectrum : tuple of SpectrumRow
        The spectrum at ``k0``.
    window : (float, float) or None
        The continuation window.
    down, up : BranchPart or None
        The two halves of the branch (``"branch"`` in JSON).
    events : tuple of AtlasEvent
        Events of both halves, sorted by ``k``, each with its loss.
    minimum_window : tuple of (float, float)
    overparam : Annihilation or None
    spectrum_at_k : SpectrumAtK or None
    """

    id: str
    key: str
    isotropy: str
    found_in: str
    k0: float
    coords: tuple[float, ...]
    loss: float
    index: int | float
    kind: str
    also_found_at: tuple[int, ...]
    stabiliser: str
    isotropy_order: int | None
    at_integer_k: tuple[IntegerKPoint, ...]
    spectrum: tuple[SpectrumRow, ...]
    window: tuple[float, float] | None
    down: BranchPart | None
    up: BranchPart | None
    events: tuple[AtlasEvent, ...]
    minimum_window: tuple[tuple[float, float], ...]
    overparam: Annihilation | None = None
    spectrum_at_k: SpectrumAtK | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "key": self.key,
            "isotropy": self.isotropy,
            "found_in": self.found_in,
            "k0": self.k0,
            "coords": list(self.coords),
            "loss": self.loss,
            "index": self.index,
            "kind": self.kind,
            "also_found_at": list(self.also_found_at),
            "stabiliser": self.stabiliser,
            "isotropy_order": self.isotropy_order,
            "at_integer_k": [e.to_json() for e in self.at_integer_k],
            "spectrum": [e.to_json() for e in self.spectrum],
            "window": _list(self.window),
            "branch": {
                "down": None if self.down is None else self.down.to_json(),
                "up": None if self.up is None else self.up.to_json(),
            },
            "events": [e.to_json() for e in self.events],
            "minimum_window": [list(w) for w in self.minimum_window],
            "overparam": None if self.overparam is None else self.overparam.to_json(),
            "spectrum_at_k": None if self.spectrum_at_k is None else self.spectrum_at_k.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict) -> Family:
        branch = d.get("branch") or {}
        op = d.get("overparam")
        sk = d.get("spectrum_at_k")
        return cls(
            id=d["id"],
            key=d.get("key", ""),
            isotropy=d["isotropy"],
            found_in=d.get("found_in", d["isotropy"]),
            k0=d["k0"],
            coords=_tuple(d.get("coords")),
            loss=d["loss"],
            index=d["index"],
            kind=d["kind"],
            also_found_at=_tuple(d.get("also_found_at")),
            stabiliser=d.get("stabiliser", d["isotropy"]),
            isotropy_order=d.get("isotropy_order"),
            at_integer_k=tuple(IntegerKPoint.from_json(e) for e in d.get("at_integer_k", ())),
            spectrum=_spectrum(d.get("spectrum", ())),
            window=_floats(d.get("window")),
            down=_part(branch.get("down")),
            up=_part(branch.get("up")),
            events=tuple(AtlasEvent.from_json(e) for e in d["events"]),
            minimum_window=tuple(tuple(w) for w in d["minimum_window"]),
            overparam=None if op is None else Annihilation.from_json(op),
            spectrum_at_k=None if sk is None else SpectrumAtK.from_json(sk),
        )

    @property
    def data(self) -> dict:
        """The family's JSON record (as in ``atlas.json``)."""
        return self.to_json()

    def branch_rows(self) -> tuple[BranchRow, ...]:
        """Points of both halves ordered by the branch: down reversed, then up (``k0`` once)."""
        pts: list[BranchRow] = []
        if self.down is not None:
            pts.extend(reversed(self.down.points))
        if self.up is not None:
            pts.extend(self.up.points[1:] if self.down is not None else self.up.points)
        return tuple(pts)

    def at(self, k: float) -> tuple[IntegerKPoint, ...]:
        """The family's points at integer ``k`` (two where the branch turns, none outside)."""
        return tuple(p for p in self.at_integer_k if p.k == float(k))


# ---------------------------------------------------------------- the atlas
@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of each stage (they vary from run to run; not a result)."""

    search_s: float = 0.0
    continuation_s: float = 0.0
    overparam_s: float = 0.0
    total_s: float = 0.0

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, d: dict) -> Timing:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


@dataclass(frozen=True)
class UnitCounts:
    """Work units computed by this run and reused from the cache."""

    computed: int
    reused: int

    def to_json(self) -> dict:
        return {"computed": self.computed, "reused": self.reused}

    @classmethod
    def from_json(cls, d: dict) -> UnitCounts:
        return cls(computed=d["computed"], reused=d["reused"])


@dataclass(frozen=True)
class Summary:
    """Counts over the families (the ``summary`` of ``atlas.json``).

    ``summary["families"]`` keeps working (read-only item access by field name).
    """

    groups_searched: int
    families: int
    global_minima: int
    spurious_minima: int
    saddles: int
    events: int
    saddle_to_minimum: int = 0

    def __getitem__(self, name: str):
        if name not in {f.name for f in fields(self)}:
            raise KeyError(name)
        return getattr(self, name)

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, d: dict) -> Summary:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})

    @classmethod
    def of(cls, families, groups_searched: int) -> Summary:
        """The counts of a list of :class:`Family`."""
        return cls(
            groups_searched=groups_searched,
            families=len(families),
            global_minima=sum(f.kind == "global_minimum" for f in families),
            spurious_minima=sum(f.kind == "spurious_minimum" for f in families),
            saddles=sum(f.kind == "saddle" for f in families),
            events=sum(len(f.events) for f in families),
            saddle_to_minimum=sum(
                1
                for f in families
                for e in f.events
                if e.index_after == 0 or e.index_before == 0
            ),
        )


@dataclass(frozen=True)
class Atlas:
    """The content of ``atlas.json``.

    Attributes
    ----------
    options : AtlasOptions
    families : tuple of Family
    summary : Summary
    searched_k : tuple of int
    symbreak_version : str
    version : int
        Layout version (``ATLAS_VERSION``).
    fingerprint : str
        Hash of the options (the cache key).
    searches : tuple of SearchRecord
        Every search, points in the short form.
    timing : Timing
    units : UnitCounts
    figures : tuple of str
        Plot files written next to ``atlas.json``.
    """

    options: AtlasOptions
    families: tuple[Family, ...]
    summary: Summary
    searched_k: tuple[int, ...]
    symbreak_version: str
    version: int = 1
    fingerprint: str = ""
    searches: tuple[SearchRecord, ...] = ()
    timing: Timing = field(default_factory=Timing)
    units: UnitCounts = field(default_factory=lambda: UnitCounts(0, 0))
    figures: tuple[str, ...] = ()

    FORMAT = "symbreak-atlas"

    def to_json(self) -> dict:
        return {
            "format": self.FORMAT,
            "version": self.version,
            "symbreak_version": self.symbreak_version,
            "fingerprint": self.fingerprint,
            "options": self.options.to_json(),
            "searched_k": list(self.searched_k),
            "searches": [s.to_json(short=True) for s in self.searches],
            "families": [f.to_json() for f in self.families],
            "timing": self.timing.to_json(),
            "units": self.units.to_json(),
            "summary": self.summary.to_json(),
            "figures": list(self.figures),
        }

    @classmethod
    def from_json(cls, d: dict) -> Atlas:
        if not isinstance(d, dict) or d.get("format") != cls.FORMAT:
            raise ValueError("not a symbreak atlas (format field is missing or different)")
        return cls(
            options=AtlasOptions.from_json(d["options"]),
            families=tuple(Family.from_json(f) for f in d["families"]),
            summary=Summary.from_json(d["summary"]),
            searched_k=tuple(d.get("searched_k", d["options"]["k_values"])),
            symbreak_version=d["symbreak_version"],
            version=d.get("version", 1),
            fingerprint=d.get("fingerprint", ""),
            searches=tuple(SearchRecord.from_json(s) for s in d.get("searches", ())),
            timing=Timing.from_json(d.get("timing", {})),
            units=UnitCounts.from_json(d.get("units", {"computed": 0, "reused": 0})),
            figures=tuple(d.get("figures", ())),
        )

    @property
    def data(self) -> dict:
        """The atlas as JSON (the content of ``atlas.json``)."""
        return self.to_json()

    @classmethod
    def load(cls, path) -> Atlas:
        """Read ``atlas.json`` (a file, or a directory holding one)."""
        p = Path(path)
        if p.is_dir():
            p = p / "atlas.json"
        return cls.from_json(json.loads(p.read_text()))

    def family(self, family_id: str) -> Family:
        """The family with this id (``"F5"``)."""
        for f in self.families:
            if f.id == family_id:
                return f
        raise KeyError(f"no family {family_id!r} in this atlas ({len(self.families)} families)")

    def minima_at(self, k: float) -> tuple[tuple[Family, IntegerKPoint], ...]:
        """Every family that is a local minimum (index 0) at integer ``k``, with its point there."""
        return tuple((f, p) for f in self.families for p in f.at(k) if p.index == 0)
