"""A small fuzz of the command line (issue 16): random arguments for every subcommand.

Subcommands and their options are discovered from the parser, so commands
added later are fuzzed too.  Every call must end with exit status 0, 1 or 2
and no traceback; with ``--json`` standard output is one JSON document
without NaN or infinity; text output has no ``nan``.  Values come from small
pools of valid, boundary and invalid inputs at small k, so an example costs
little; ``SYMBREAK_FUZZ_EXAMPLES`` raises the number of examples for a deeper
local run (CI: a few per command, derandomised).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from symbreak.cli import build_parser, main  # noqa: E402
from symbreak.commands._common import parse_coords, parse_real  # noqa: E402

EXAMPLES = int(os.environ.get("SYMBREAK_FUZZ_EXAMPLES", "6"))

#: (valid, invalid or extreme) values by kind; a draw takes a valid one 4 times in 5
REALS = (
    ["0.5", "2.5", "4", "5", "6", "5.5", "-0.5"],
    ["-1", "0", "1e-12", "1e300", "nan", "inf", "x", ""],
)
COORDS = (
    [
        "1,0",
        "-0.6633973683167405,0.330709783291597",
        "0.986704,-0.050413,0.308011,0.224516,-0.601512",
        "0.5,0.1,0.2,0.3,0.4",
    ],
    ["0,0", "0,0,0,0,0", "1", "1,0,0,0,0,0,0", "a,b", ",", "nan,1", "1e308,-1e308"],
)
INTS = (["1", "2", "3"], ["-1", "0", "x", "2.5"])
SPECS = (
    ["k", "k-1,1", "k-2,1,1", "k-2,2", "3,1", "k-1,1|1"],
    ["", "k|1", "k-0", "q", "k,k", "k+1"],
)
WORDS = (["4,2,3", "3,3", "5,7", "4", "k"], ["", "x", "-1", "1,2", "1000,1000,1000", "0,1"])

#: a cheap configuration of the commands whose defaults run for minutes (never fuzzed away)
CHEAP = {
    "atlas": [
        "--k-values", "4", "--group", "k", "--k-range", "3.5,4.5", "--starts", "2",
        "--max-extra", "1", "--spectrum-k", "4", "--no-plots", "--quiet",
    ],
    "critical": ["--starts", "3", "--quiet"],
    "continue": ["--max-steps", "20", "--quiet"],
    "series": ["--order", "1", "--extra-degree", "2", "--dps", "20"],
    "linear": ["--starts", "1"],
}  # fmt: skip
#: options of CHEAP commands that the fuzz leaves alone
FIXED = {cmd: {a for a in argv if a.startswith("--")} for cmd, argv in CHEAP.items()}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


COMMANDS = _subparsers(build_parser())


def _pool(action: argparse.Action, tmp: str) -> tuple[list[str], list[str]]:
    """(valid, invalid) candidate values of one option, by its type and name."""
    if action.choices:
        return [str(c) for c in action.choices], ["bogus"]
    if action.type is parse_real:
        return REALS
    if action.type is parse_coords:
        return COORDS
    if action.type is int:
        return INTS
    name = action.dest
    if name in ("isotropy", "group"):
        return SPECS
    if name in ("out", "save", "target", "weights"):
        good = [os.path.join(tmp, "new"), os.path.join(tmp, "target.npy")]
        bad = [tmp, os.path.join(tmp, "file"), os.path.join(tmp, "file", "sub")]
        return good, bad
    return WORDS


def _coords_for(spec: str, draw) -> str:
    from symbreak.reduced.fixed_point import FixedPointSpace
    from symbreak.representation.isotropy import IsotropyGroup

    try:
        dim = FixedPointSpace(IsotropyGroup.from_spec(spec, 6.0)).dim
    except ValueError:
        return "1,0"
    values = st.sampled_from([-0.9, -0.6, -0.1, 0.05, 0.3, 0.7, 1.0])
    return ",".join(str(v) for v in draw(st.lists(values, min_size=dim, max_size=dim)))


@st.composite
def _argv(draw, command: str, tmp: str):
    sub = COMMANDS[command]
    argv = [command, *CHEAP.get(command, [])]
    spec = None
    for action in sub._actions:
        opts = [o for o in action.option_strings if o.startswith("--")]
        if not opts or opts[0] == "--help" or opts[0] in FIXED.get(command, ()):
            continue
        # required options 19 times in 20, others once in 4
        if not draw(
            st.integers(0, 19).map(bool)
            if action.required
            else st.integers(0, 3).map(lambda i: i == 0)
        ):
            continue
        if action.nargs == 0:  # a flag
            argv.append(opts[0])
            continue
        good, bad = _pool(action, tmp)
        if action.type is parse_coords and spec is not None and draw(st.booleans()):
            good = [_coords_for(spec, draw)]  # the right number of coordinates for the spec
        value = draw(st.sampled_from(good if draw(st.integers(0, 4)) else bad))
        if action.dest == "isotropy":
            spec = value
        argv.append(f"{opts[0]}={value}" if draw(st.booleans()) else opts[0])
        if not argv[-1].startswith(f"{opts[0]}="):
            argv.append(value)
    return argv


def _no_nan(text: str):
    def refuse(name):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    import numpy as np

    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "file").write_text("not a directory")
    np.save(tmp / "target.npy", np.diag([3.0, 2.0, 1.0]) @ np.eye(3, 4))
    return str(tmp)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors exit 2
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_fuzz_command(command, fuzz_dir):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("SYMBREAK_FUZZ_RANDOM"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(_argv(command, fuzz_dir))
    def check(argv):
        code, out, err = _run(argv)
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            assert err.strip(), (argv, "exit 2 without a message")
            return
        if "--json" in argv:
            _no_nan(out)
        else:
            assert not re.search(r"\bnan\b", out, re.IGNORECASE), (argv, out)

    check()
