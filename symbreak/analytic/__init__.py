"""Results along families of critical points: asymptotic series in ``k^(-1/2)`` and certified
crossing intervals.

Both consume the branches of :func:`~symbreak.continuation.continuation`; the
crossing intervals use the interval certificates of :mod:`symbreak.certify`.
"""

from .crossing import CrossingInterval, eigenvalue_crossing
from .series import (
    VARIABLE,
    BlockSeries,
    FitInfo,
    PowerSeries,
    SeriesOptions,
    SeriesResult,
    asymptotic_series,
)

__all__ = [
    "CrossingInterval",
    "eigenvalue_crossing",
    "VARIABLE",
    "BlockSeries",
    "FitInfo",
    "PowerSeries",
    "SeriesOptions",
    "SeriesResult",
    "asymptotic_series",
]
