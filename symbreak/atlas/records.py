"""Typed, read-only records of an atlas (``atlas.json``): :class:`Atlas`, :class:`Family`, ...

``run_atlas`` writes plain JSON (the file format is the interface); these
frozen dataclasses read it back with named, typed fields::

    atlas = Atlas.load("symbreak-atlas/atlas.json")
    f = atlas.family("F2")
    [(p.k, p.index) for p in f.at_integer_k]

Every JSON field of a family stays reachable through :attr:`Family.data`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .options import AtlasOptions

__all__ = ["Atlas", "Family", "IntegerKPoint", "AtlasEvent"]


@dataclass(frozen=True)
class IntegerKPoint:
    """A family at an integer ``k``: corrected point, loss, Morse index, smallest eigenvalue."""

    k: float
    loss: float
    index: float
    min_eig: float
    coords: tuple[float, ...] = ()

    @classmethod
    def from_json(cls, d: dict) -> IntegerKPoint:
        return cls(
            k=float(d["k"]),
            loss=float(d["loss"]),
            index=d["index"],
            min_eig=float(d["min_eig"]),
            coords=tuple(float(x) for x in d.get("coords", ())),
        )


@dataclass(frozen=True)
class AtlasEvent:
    """An event along a family's branch (see :mod:`symbreak.continuation`)."""

    kind: str
    k: float
    irrep: str
    index_before: float
    index_after: float
    loss: float

    @classmethod
    def from_json(cls, d: dict) -> AtlasEvent:
        return cls(
            kind=d["kind"],
            k=float(d["k"]),
            irrep=d["irrep"],
            index_before=d["index_before"],
            index_after=d["index_after"],
            loss=float(d["loss"]),
        )


@dataclass(frozen=True)
class Family:
    """A family of critical points continued in ``k``.

    Attributes
    ----------
    id : str
        ``F1``, ``F2``, … (families are numbered by the first ``k`` at which
        they were found, then by loss: the same inputs give the same ids).
    isotropy : str
        The Young-type spec of the fixed-point space it is continued in.
    stabiliser : str
        Exact stabiliser label at ``k0`` (``docs/notation.md``).
    isotropy_order : int or None
    k0, loss, index, kind
        Where it was first found and its loss, index and kind there.
    at_integer_k : tuple of IntegerKPoint
    minimum_window : tuple of (float, float)
    events : tuple of AtlasEvent
    data : dict
        The whole JSON record.
    """

    id: str
    isotropy: str
    stabiliser: str
    isotropy_order: int | None
    k0: float
    loss: float
    index: float
    kind: str
    at_integer_k: tuple[IntegerKPoint, ...]
    minimum_window: tuple[tuple[float, float], ...]
    events: tuple[AtlasEvent, ...]
    data: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> Family:
        return cls(
            id=d["id"],
            isotropy=d["isotropy"],
            stabiliser=d.get("stabiliser", d["isotropy"]),
            isotropy_order=d.get("isotropy_order"),
            k0=float(d["k0"]),
            loss=float(d["loss"]),
            index=d["index"],
            kind=d["kind"],
            at_integer_k=tuple(IntegerKPoint.from_json(e) for e in d.get("at_integer_k", ())),
            minimum_window=tuple((float(a), float(b)) for a, b in d["minimum_window"]),
            events=tuple(AtlasEvent.from_json(e) for e in d["events"]),
            data=d,
        )

    def at(self, k: float) -> tuple[IntegerKPoint, ...]:
        """The family's points at integer ``k`` (two where the branch turns, none outside)."""
        return tuple(p for p in self.at_integer_k if p.k == float(k))


@dataclass(frozen=True)
class Atlas:
    """The content of ``atlas.json`` (read-only)."""

    options: AtlasOptions
    families: tuple[Family, ...]
    summary: dict
    searched_k: tuple[int, ...]
    symbreak_version: str
    data: dict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict) -> Atlas:
        if d.get("format") != "symbreak-atlas":
            raise ValueError("not a symbreak atlas (format field is missing or different)")
        return cls(
            options=AtlasOptions.from_json(d["options"]),
            families=tuple(Family.from_json(f) for f in d["families"]),
            summary=dict(d["summary"]),
            searched_k=tuple(d.get("searched_k", d["options"]["k_values"])),
            symbreak_version=d["symbreak_version"],
            data=d,
        )

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
