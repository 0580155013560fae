"""Shared pieces of the subcommands: the result type and argument parsers."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

__all__ = [
    "CommandResult",
    "add_json_flag",
    "parse_real",
    "parse_coords",
    "format_table",
    "cli_progress",
    "format_count",
    "eigenvalue_error",
    "format_with_error",
]

#: eigenvalues of the float64 blocks A_chi are within EIGENVALUE_ERROR_FACTOR * eps *
#: max(1, spectral radius) of the exact ones (measured: at most 4x eps x radius against
#: 40-digit mpmath evaluations for k from 6 to 1e8; see tests/test_cli_rough_edges.py)
EIGENVALUE_ERROR_FACTOR = 16.0
#: counts with more digits than this are printed in scientific notation
_COUNT_DIGITS = 15


@dataclass(frozen=True)
class CommandResult:
    """What a subcommand hands back to :func:`symbreak.cli.main` to print.

    Attributes
    ----------
    payload : dict
        The JSON document printed with ``--json``.
    text : str
        The human-readable rendering printed otherwise.
    exit_code : int
        Process exit status (0 on success).
    """

    payload: dict
    text: str
    exit_code: int = 0
    extra: dict = field(default_factory=dict)


def cli_progress(args):
    """The CLI's progress renderer (:class:`~symbreak.progress.TqdmProgress` on
    standard error), or ``None`` with ``--quiet``."""
    if getattr(args, "quiet", False):
        return None
    from ..progress import TqdmProgress

    return TqdmProgress()


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` (print one JSON document on stdout)."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on standard output"
    )


def parse_real(text: str) -> float:
    """argparse type: a finite real number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a real number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite real number, got {text!r}")
    return value


def parse_coords(text: str) -> list[float]:
    """argparse type: comma-separated real numbers ``c1,c2,...``."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated numbers like 0.5,-0.1")
    return [parse_real(p) for p in parts]


def format_count(x) -> str:
    """A multiplicity or index: an integer as such (scientific beyond 15 digits, since
    a count that large came from float arithmetic), a real value with 6 digits."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) and len(str(abs(x))) <= _COUNT_DIGITS:
        return str(x)
    return f"{float(x):.6g}"


def eigenvalue_error(values) -> float:
    """Round-off bound for float64 Hessian eigenvalues: ``16 ε max(1, max |λ|)``.

    The blocks ``A_χ`` are sums of terms as large as the largest eigenvalue
    (about k/4 at large k), so every eigenvalue carries an absolute error of a
    few ``ε`` times the spectral radius, however small the eigenvalue itself.
    """
    import numpy as np

    vals = np.abs(np.asarray(list(values), dtype=float))
    radius = float(vals.max()) if vals.size else 0.0
    return EIGENVALUE_ERROR_FACTOR * float(np.finfo(float).eps) * max(1.0, radius)


def format_with_error(x: float, err: float, max_digits: int = 12) -> str:
    """``x`` with only the digits that an absolute error ``err`` leaves correct.

    The last printed place ``u`` is the smallest power of ten with ``err <= u/2``,
    so the printed number is within one unit of its last digit of the exact
    value (rounding adds at most ``u/2``).  At most ``max_digits`` significant
    digits; a value smaller than ``u`` prints with one digit and its error,
    ``4e-09(±2e-09)``.
    """
    import math

    if not math.isfinite(x):
        return str(x)
    if err <= 0 or not math.isfinite(err):
        return f"{x:.{max_digits}g}"
    place = math.ceil(math.log10(2 * err))
    if abs(x) < 10.0**place:
        return f"{x:.1g}(±{err:.1g})"
    digits = min(max_digits, math.floor(math.log10(abs(x))) - place + 1)
    return f"{x:.{digits}g}"


def format_table(headers: list[str], rows: list[list]) -> str:
    """Plain-text table with right-aligned columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
