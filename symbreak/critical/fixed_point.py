"""Fixed-point spaces (defined in :mod:`symbreak.reduced.fixed_point`, re-exported here)."""

from ..reduced.fixed_point import FixedPointSpace

__all__ = ["FixedPointSpace"]
