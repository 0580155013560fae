"""A directory of finished work units, so that an atlas run can resume and reuse.

Layout of ``DIR``::

    DIR/atlas.json, DIR/report.md, DIR/*.png|svg      the results
    DIR/.cache/<fingerprint>/options.json             the options of that cache
    DIR/.cache/<fingerprint>/<task>.json              one finished work unit

A unit is written atomically (temporary file, then rename) when it finishes,
so an interrupted run loses at most the units in flight.  Units of runs with
different options live under different fingerprints and never mix.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..io import write_json_atomic

__all__ = ["UnitStore", "write_json_atomic"]

_SAFE = re.compile(r"[^A-Za-z0-9_.,=+-]")


class UnitStore:
    """JSON work units keyed by a task name, under ``root/.cache/<fingerprint>``."""

    def __init__(self, root: str | os.PathLike, fingerprint: str, options: dict):
        self.root = Path(root)
        self.dir = self.root / ".cache" / fingerprint
        self.dir.mkdir(parents=True, exist_ok=True)
        self.hits = 0  # units found in the cache by this store
        self.misses = 0  # units this store had to compute
        opt_file = self.dir / "options.json"
        if opt_file.exists():
            stored = json.loads(opt_file.read_text())
            if stored != options:
                raise ValueError(
                    f"cache {self.dir} belongs to other options; delete it or choose another --out"
                )
        else:
            write_json_atomic(opt_file, options)

    def path(self, task: str) -> Path:
        return self.dir / (_SAFE.sub("_", task) + ".json")

    def get(self, task: str):
        p = self.path(task)
        data = None
        if p.exists():
            try:
                data = json.loads(p.read_text())
            except json.JSONDecodeError:
                data = None  # a torn file from a crash: recompute
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def put(self, task: str, data) -> None:
        write_json_atomic(self.path(task), data)
