"""The ``symbreak`` command: a thin argparse layer and the only place that prints.

Subcommands live in :mod:`symbreak.commands`, one module each, discovered at
start-up.  A command module defines

``NAME`` (str), ``HELP`` (one line), ``configure(parser)`` adding its
arguments, and ``run(args) -> CommandResult``.

Every computing subcommand takes ``--json`` and then prints exactly one JSON
document on standard output (progress, if any, goes to standard error).

Exit statuses (also in ``docs/cli.md``): 0 success; 1 the computation ran but
did not reach its goal (the output says why, e.g. a continuation or a series
that stopped early); 2 bad input or usage (one line on standard error); 130
interrupted by Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys

from . import commands as _commands_pkg
from ._version import __version__
from .commands._common import CommandResult

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED"]

#: exit statuses of the ``symbreak`` command
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
        p = sub.add_parser(
            mod.NAME,
            help=mod.HELP,
            description=mod.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """Option strings (of every subcommand) that take exactly one value."""
    out = set()
    for action in parser._actions:  # argparse keeps no public list of actions
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out |= _value_options(sub)
        elif action.option_strings and action.nargs is None:
            out.update(action.option_strings)
    return out


def _looks_negative(tok: str) -> bool:
    """``-0.6``, ``-1e-3,0.2``: a number list whose first entry is negative."""
    if not tok.startswith("-") or tok.startswith("--"):
        return False
    parts = [p.strip() for p in tok.split(",")]
    try:
        [float(p) for p in parts if p]
    except ValueError:
        return False
    return bool(parts[0])


def _join_negative_values(argv: list[str], options: set[str]) -> list[str]:
    """``--start -0.6,0.1`` -> ``--start=-0.6,0.1``.

    argparse reads a value that starts with ``-`` and is not a plain negative
    number as an option ("expected one argument"); coordinates are usually
    negative, so a value that looks like a number list is attached to the
    option before it.
    """
    out: list[str] = []
    for tok in argv:
        if out and out[-1] in options and _looks_negative(tok):
            out[-1] = f"{out[-1]}={tok}"
        else:
            out.append(tok)
    return out


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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(_join_negative_values(argv, _value_options(parser)))
    if getattr(args, "_run", None) is None:
        parser.print_usage(sys.stderr)
        print(
            "symbreak: error: a command is required (symbreak --help lists them)", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        result = args._run(args)
    except KeyboardInterrupt:
        hint = getattr(args, "_interrupt_hint", None)
        print(
            f"symbreak {args.command}: interrupted" + (f"; {hint}" if hint else ""),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError) as exc:
        print(f"symbreak {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(result, CommandResult):  # pragma: no cover - programming error
        raise TypeError(f"command {args.command!r} returned {type(result).__name__}")
    text = (
        json.dumps(_jsonable(result.payload), indent=2, allow_nan=False)
        if getattr(args, "json", False)
        else result.text
    )
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # the reader went away (symbreak ... | head): not an error of the computation
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return result.exit_code


def _one_line(exc: BaseException) -> str:
    """The exception's message on one line (``OSError`` with its file name)."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror + (f": {exc.filename}" if exc.filename else "")
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
