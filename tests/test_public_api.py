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
        "basis_gram",
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


# Every public name of every subpackage (and public module) of symbreak.  Removing or renaming
# one is a breaking change: add a deprecation path first, then update this list.
REQUIRED_ALL = {
    "symbreak.analytic": {
        "BlockSeries", "CrossingInterval", "FitInfo", "PowerSeries", "SeriesOptions",
        "SeriesResult", "VARIABLE", "asymptotic_series", "eigenvalue_crossing",
    },
    "symbreak.atlas": {"ATLAS_FORMAT", "ATLAS_VERSION", "AtlasOptions", "run_atlas", "young_specs"},
    "symbreak.certify": {
        "ArbArithmetic", "BlockBound", "Certificate", "FloatArithmetic", "GenericBlock",
        "GenericReducedSystem", "KINDS", "MPArithmetic", "certify_critical_point",
        "flint_available",
    },
    "symbreak.continuation": {
        "AxialSubgroup", "Branch", "BranchPoint", "ContinuationOptions", "EVENT_KINDS", "Event",
        "KFamily", "Path", "Refinement", "Status", "SwitchResult", "axial_subgroups",
        "branch_point_at", "continuation", "continue_branch", "follow", "refine", "switch_branch",
    },
    "symbreak.critical": {
        "CriticalPoint", "ExactIsotropy", "FixedPointSpace", "KINDS", "SearchOptions",
        "SearchResult", "block_permutations", "classify", "exact_isotropy", "find_critical_points",
    },
    "symbreak.reduced": {"Layout", "ReducedSystem", "Teacher", "TeacherSpace", "layout_for"},
    "symbreak.reduced.arithmetic": {
        "FLOAT64", "INTERVAL64", "ArbArithmetic", "Float64Arithmetic", "FloatArithmetic",
        "Interval64Arithmetic", "MPArithmetic", "SymPyArithmetic", "flint_available",
        "require_flint",
    },
    "symbreak.solve": {
        "NewtonResult", "NewtonStatus", "newton", "newton_batch", "orbit_weights", "solve",
    },
    "symbreak.tolerances": {"DEFAULT_TOLERANCES", "Tolerances", "as_tolerances"},
    "symbreak.errors": {"DomainError", "NotDifferentiableError"},
    "symbreak.progress": {"Progress", "ProgressUpdate", "TqdmProgress", "as_progress"},
    "symbreak.spectrum": {
        "HessianBlock", "Spectrum", "SpectrumEntry", "ZERO_TOL", "analytic_spectrum",
        "dense_spectrum", "hessian_blocks",
    },
    "symbreak.interlacing": {
        "InterlacingCheck", "SaddleCertificate", "block_certificate", "check_interlacing",
        "compress", "compression_certificate", "copy_basis", "dense_rayleigh", "interlaces",
        "rayleigh_quotient",
    },
    "symbreak.overparam": {
        "AnnihilationResult", "DEFAULT_SPLITS", "SplitEmbedding", "annihilation", "embeddings",
        "neuron_classes", "polish", "split_neuron", "ClassSplit", "DeadNeuronTest",
        "EmbeddingRecord", "class_splits", "dead_neuron_test", "embedding_records",
        "min_directional_derivative",
    },
    "symbreak.continuation.perturb": {
        "DEFAULT_PERTURB_OPTIONS", "EigenvalueCluster", "PerturbationEvent", "PerturbationResult",
        "PerturbedPoint", "PerturbedTeacher", "StructuredDirection", "perturb", "random_direction",
    },
    "symbreak.continuation.structured": {
        "DENSE_W_MAX_K", "ClusterPart", "StructuredCluster", "StructuredDirection",
        "StructuredPerturbation", "StructuredPerturbationResult", "StructuredPoint",
        "perturb_structured",
    },
    "symbreak.io": {
        "FORMAT_PREFIX", "load_json", "load_npz", "save_json", "save_npz", "to_jsonable",
        "write_json_atomic",
    },
}  # fmt: skip

REQUIRED_TOP = {
    "AtlasOptions", "Branch", "Certificate", "ContinuationOptions", "CriticalPoint",
    "CrossingInterval", "Event", "FixedPointSpace", "HessianBlock", "IsotropyGroup",
    "LinearNetwork", "ReducedSystem", "SaddleCertificate", "SearchOptions", "SearchResult",
    "SeriesOptions", "SeriesResult", "Spectrum", "SpectrumEntry", "Status", "TeacherStudent",
    "__version__", "analytic_spectrum", "annihilation", "asymptotic_series", "block_certificate",
    "certify_critical_point", "check_interlacing", "classify", "continuation", "continue_branch",
    "detect_isotropy", "eigenvalue_crossing", "exact_isotropy", "find_critical_points",
    "hessian_blocks", "io", "isotypic_decomposition", "linear", "run_atlas", "split_neuron",
    "switch_branch",
}  # fmt: skip


def test_every_top_level_name_is_guarded():
    missing = REQUIRED_TOP - set(symbreak.__all__)
    assert not missing, f"symbreak.__all__ lost {sorted(missing)}"


@pytest.mark.parametrize("module", sorted(REQUIRED_ALL))
def test_every_subpackage_name_is_guarded(module):
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert len(names) == len(set(names)), f"duplicates in {module}.__all__"
    missing = REQUIRED_ALL[module] - set(names)
    assert not missing, f"{module}.__all__ lost {sorted(missing)}"
    for name in names:
        assert hasattr(mod, name), f"{module}.__all__ lists {name!r}, which is missing"
