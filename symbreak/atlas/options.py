"""Options of the atlas run (validated at construction) and their fingerprint."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field

__all__ = ["AtlasOptions", "young_specs"]


def _partitions(k: int, max_parts: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []

    def rec(rem, maxp, cur):
        if rem == 0:
            out.append(tuple(cur))
            return
        if len(cur) == max_parts:
            return
        for p in range(min(rem, maxp), 0, -1):
            rec(rem - p, p, cur + [p])

    rec(k, k, [])
    return out


def young_specs(k: int, max_blocks: int = 3) -> list[str]:
    """Specs of the Young-type groups ``Δ(S_{λ_1}×…)`` for partitions ``λ`` of ``k``.

    The first (largest) block is written in terms of k (``k-3,2,1`` for
    ``λ = (k−3, 2, 1)``), so that every family can be continued in k; when
    every block has size 1 the sizes are plain integers (``1,1,1``).
    """
    if k < 1 or int(k) != k:
        raise ValueError(f"k must be a positive integer to enumerate partitions, got {k}")
    specs = []
    for lam in _partitions(int(k), max_blocks):
        if lam[0] == 1:  # all blocks of size 1: no block can be written in terms of k
            specs.append(",".join("1" for _ in lam))
        elif len(lam) == 1:
            specs.append("k")
        else:
            rest = sum(lam[1:])
            specs.append(",".join([f"k-{rest}"] + [str(x) for x in lam[1:]]))
    return specs


@dataclass(frozen=True)
class AtlasOptions:
    """What the atlas computes.  Everything here enters the cache fingerprint.

    Attributes
    ----------
    k_values : tuple of int, optional
        The k at which critical families are searched (default: every integer
        k of ``k_range`` from 3 on, so that every family present at some
        integer k of its range is searched for there).
    k_range : (float, float)
        The window over which every family is continued (default 3 to 20).
    max_blocks : int
        Young-type groups with up to this many blocks (default 3).
    groups : tuple of str, optional
        Explicit isotropy specs instead of all groups with ``max_blocks``.
    extra_dims : int
        ``d − k``: the teacher is ``I_k`` padded with this many zero columns
        (default 0, the literature's ``d = k``).
    starts : int
        Cap on the screened random starts of each critical-point search (the
        search stops earlier when saturated, see ``patience``).
    patience : int
        Saturation of each search: stop after this many random starts in a row
        found no new local minimum.
    seed : int
    max_extra : int
        Largest number ``ℓ`` of extra student neurons tried for each spurious
        family (over-parameterisation).
    spectrum_k : float
        The k of the spectrum plots.
    """

    k_values: tuple[int, ...] | None = None
    k_range: tuple[float, float] = (3.0, 20.0)
    max_blocks: int = 3
    groups: tuple[str, ...] | None = None
    extra_dims: int = 0
    starts: int = 128
    seed: int = 0
    max_extra: int = 3
    spectrum_k: float = 6.0
    version: int = field(default=2)
    patience: int = 48

    def __post_init__(self):
        if self.k_values is not None and not self.k_values:
            raise ValueError("k_values must not be empty")
        for k in self.k_values or ():
            if isinstance(k, bool) or not isinstance(k, int) or k < 2:
                raise ValueError(f"k_values must be integers >= 2, got {k!r}")
        lo, hi = self.k_range
        if not (math.isfinite(lo) and math.isfinite(hi) and 1.0 < lo < hi):
            raise ValueError(f"k_range must be (lo, hi) with 1 < lo < hi, got {self.k_range}")
        if not any(lo <= k <= hi for k in self.search_ks):
            raise ValueError(f"at least one of k_values {self.k_values} must lie in k_range")
        if not (1 <= self.max_blocks <= 4):
            raise ValueError(f"max_blocks must be between 1 and 4, got {self.max_blocks}")
        if self.extra_dims < 0 or int(self.extra_dims) != self.extra_dims:
            raise ValueError(f"extra_dims must be a non-negative integer, got {self.extra_dims}")
        if self.starts < 1:
            raise ValueError(f"starts must be >= 1, got {self.starts}")
        if isinstance(self.patience, bool) or not isinstance(self.patience, int):
            raise ValueError(f"patience must be a positive integer, got {self.patience!r}")
        if self.patience < 1:
            raise ValueError(f"patience must be a positive integer, got {self.patience!r}")
        if self.max_extra < 0:
            raise ValueError(f"max_extra must be >= 0, got {self.max_extra}")
        if not (lo <= self.spectrum_k <= hi):
            raise ValueError(f"spectrum_k must lie in k_range {self.k_range}")

    @property
    def search_ks(self) -> tuple[int, ...]:
        """The k searched: ``k_values``, or every integer ``k ≥ 3`` of ``k_range``."""
        if self.k_values is not None:
            return tuple(self.k_values)
        lo, hi = self.k_range
        return tuple(range(max(3, math.ceil(lo)), math.floor(hi) + 1))

    def specs_at(self, k: int) -> list[str]:
        """The isotropy specs searched at ``k``."""
        return list(self.groups) if self.groups else young_specs(k, self.max_blocks)

    def to_json(self) -> dict:
        d = asdict(self)
        d["k_values"] = list(self.search_ks)  # resolved: the fingerprint names the work
        d["k_range"] = list(self.k_range)
        d["groups"] = None if self.groups is None else list(self.groups)
        return d

    @classmethod
    def from_json(cls, data: dict) -> AtlasOptions:
        data = dict(data)
        if data.get("k_values") is not None:
            data["k_values"] = tuple(data["k_values"])
        data["k_range"] = tuple(data["k_range"])
        if data.get("groups") is not None:
            data["groups"] = tuple(data["groups"])
        return cls(**data)

    def fingerprint(self) -> str:
        """Short hash of the options: results of different options never mix."""
        blob = json.dumps(self.to_json(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
