"""Guard the public API: a required subset of ``symbreak.__all__``, all resolvable.

New public names may be added freely; removing or renaming one listed in
``REQUIRED`` is a breaking change and must fail here.
"""

import importlib
import re
import subprocess
import sys

import pytest

import symbreak

REQUIRED = {"__version__", "TeacherStudent"}

REQUIRED_MODEL = {
    "symbreak.model": {"TeacherStudent"},
    "symbreak.model.kernel": {
        "KernelGeometry",
        "HessianCoefficients",
        "geometry",
        "kappa",
        "grad_coefficients",
        "hessian_coefficients",
        "pairwise_gram",
    },
    "symbreak.model.symbolic": {
        "symbol_matrix",
        "kappa_expr",
        "loss_expr",
        "gradient_expr",
        "hessian_expr",
    },
    "symbreak.model.geometric_algebra": {"kappa_ga", "wedge_norm_ga", "dot_ga"},
}


def test_required_names_are_exported():
    missing = REQUIRED - set(symbreak.__all__)
    assert not missing, f"symbreak.__all__ lost {sorted(missing)}"


def test_every_exported_name_resolves():
    assert len(symbreak.__all__) == len(set(symbreak.__all__)), "duplicates in __all__"
    for name in symbreak.__all__:
        assert hasattr(symbreak, name), f"symbreak.__all__ lists {name!r}, which is missing"


def test_version_string():
    assert isinstance(symbreak.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?(a|b|rc|dev|post)\d*)*", symbreak.__version__)


def test_top_level_objects_are_the_model_objects():
    from symbreak.model import TeacherStudent

    assert symbreak.TeacherStudent is TeacherStudent


@pytest.mark.parametrize("module", sorted(REQUIRED_MODEL))
def test_model_modules(module):
    mod = importlib.import_module(module)
    assert REQUIRED_MODEL[module] <= set(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists {name!r}, which is missing"


def test_import_does_not_load_optional_dependencies():
    code = (
        "import sys, symbreak; "
        "print(sorted(m for m in ('galgebra', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
