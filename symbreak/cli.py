"""The ``symbreak`` command: a thin argparse layer and the only place that prints.

Subcommands live in :mod:`symbreak.commands`, one module each, discovered at
start-up.  A command module defines

``NAME`` (str), ``HELP`` (one line), ``configure(parser)`` adding its
arguments, and ``run(args) -> CommandResult``.

Every computing subcommand takes ``--json`` and then prints exactly one JSON
document on standard output (progress, if any, goes to standard error).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from . import commands as _commands_pkg
from ._version import __version__
from .commands._common import CommandResult

__all__ = ["main", "build_parser"]


def _command_modules():
    mods = []
    for info in sorted(pkgutil.iter_modules(_commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{_commands_pkg.__name__}.{info.name}"))
    mods.sort(key=lambda m: getattr(m, "ORDER", 100))
    return mods


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="symbreak",
        description=(
            "Equivariant bifurcation and symmetry-breaking analysis of two-layer ReLU "
            "teacher-student loss landscapes."
        ),
    )
    parser.add_argument("--version", action="version", version=f"symbreak {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _jsonable(obj):
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def main(argv=None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 0
    try:
        result = args._run(args)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"symbreak {args.command}: error: {exc}", file=sys.stderr)
        return 2
    if not isinstance(result, CommandResult):  # pragma: no cover - programming error
        raise TypeError(f"command {args.command!r} returned {type(result).__name__}")
    if getattr(args, "json", False):
        print(json.dumps(_jsonable(result.payload), indent=2, allow_nan=False))
    else:
        print(result.text)
    return result.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
