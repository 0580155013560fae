"""The package layering (ARCHITECTURE.md): import-linter contracts and no import cycles."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_import_linter_contracts_are_kept():
    out = _run(["lint-imports", "--no-cache"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_continuation_subpackage_is_not_shadowed_by_the_function():
    code = (
        "import types, symbreak.continuation as c, symbreak; "
        "print(isinstance(symbreak.continuation, types.ModuleType), "
        "symbreak.continue_branch is c.continue_branch)"
    )
    out = _run([sys.executable, "-c", code])
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_calling_the_subpackage_is_deprecated_but_works():
    import symbreak

    with pytest.warns(DeprecationWarning, match="continue_branch"):
        b = symbreak.continuation(
            "k-1,1", [0.986704, -0.050413, 0.308011, 0.224516, -0.601512], k0=6, k1=5.9
        )
    assert b.status.success
