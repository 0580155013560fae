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
]


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


def format_table(headers: list[str], rows: list[list]) -> str:
    """Plain-text table with right-aligned columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
