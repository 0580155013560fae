"""Analytic results: asymptotic series of families of critical points in ``k^(-1/2)``."""

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
    "VARIABLE",
    "BlockSeries",
    "FitInfo",
    "PowerSeries",
    "SeriesOptions",
    "SeriesResult",
    "asymptotic_series",
]
