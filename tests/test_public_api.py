"""Guard the public API: every name in ``__all__`` of symbreak and of its subpackages.

The lists below are exact: removing or renaming a public name is a breaking
change and fails here (add a deprecation path first), and exporting a new
one fails until it is listed (so every exported name is a decision).
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


# Every public name of every subpackage (and public module) of symbreak: the guard is exact.
# Removing or renaming a name is a breaking change (add a deprecation path first); exporting
# a new one means adding it here.
REQUIRED_ALL = {
    "symbreak.analytic": {
        "BlockSeries", "CrossingInterval", "FitInfo", "PowerSeries", "SeriesOptions",
        "SeriesResult", "VARIABLE", "asymptotic_series", "eigenvalue_crossing",
    },
    "symbreak.atlas": {
        "ATLAS_FORMAT", "ATLAS_VERSION", "Atlas", "AtlasEvent", "AtlasOptions", "Family",
        "IntegerKPoint", "run_atlas", "young_specs",
    },
    "symbreak.atlas.records": {
        "Annihilation", "AnnihilationSkipped", "Atlas", "AtlasEvent", "BranchPart", "BranchRow",
        "Continuation", "Embedding", "Family", "FoundPoint", "IntegerKPoint", "RawJSON",
        "SearchRecord", "SpectrumAtK", "SpectrumRow", "Summary", "Timing", "UnitCounts",
    },
    "symbreak.certify": {
        "ArbArithmetic", "BlockBound", "Certificate", "FloatArithmetic", "GenericBlock",
        "GenericReducedSystem", "KINDS", "MPArithmetic", "certify_critical_point",
        "flint_available",
    },
    "symbreak.continuation": {
        "AxialSubgroup", "BlockChange", "Branch", "BranchPoint", "ContinuationOptions",
        "EVENT_KINDS", "EVENT_KIND_HELP", "Event", "EventBlock", "KFamily", "Path", "Refinement",
        "Status", "SwitchResult", "UnlocatedEventWarning", "axial_subgroups", "branch_point_at",
        "check_branch", "continuation", "continue_branch", "follow", "refine", "switch_branch",
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
    "symbreak.critical": {
        "CriticalPoint", "ExactIsotropy", "FixedPointSpace", "KINDS", "OrbitForm", "ProofResult",
        "ProveOptions", "SearchOptions", "SearchResult", "Stabiliser", "UndecidedBox",
        "block_permutations", "classify", "exact_isotropy", "find_critical_points",
        "function_form", "prove_critical_points", "stabiliser", "stabiliser_of_coords",
    },
    "symbreak.errors": {"ConvergenceError", "DomainError", "NotDifferentiableError"},
    "symbreak.interlacing": {
        "InterlacingCheck", "SaddleCertificate", "block_certificate", "check_interlacing",
        "compress", "compression_certificate", "copy_basis", "dense_rayleigh", "interlaces",
        "rayleigh_quotient",
    },
    "symbreak.io": {
        "FORMAT_PREFIX", "load_json", "load_npz", "save_json", "save_npz", "to_jsonable",
        "write_json_atomic",
    },
    "symbreak.linear": {
        "Counterexample", "CriticalPoint", "CriticalPointSearch", "CustomLoss", "DataLoss",
        "EckartYoung", "EckartYoungPoint", "Fibre", "FixedRankPoint", "Kind", "LinearNetwork",
        "LogCoshLoss", "MatrixLoss", "ParameterLoss", "PolishResult", "PseudoHuberLoss",
        "QuadraticLoss", "Tolerances", "WeightedQuadraticLoss", "classify", "default_target",
        "eckart_young", "exact_minimum", "find_critical_points", "newton_polish",
        "nonfilling_counterexample", "null_space_basis", "numerical_rank", "riemannian_hessian",
    },
    "symbreak.model": {"TeacherStudent"},
    "symbreak.model.kernel": {
        "HessianCoefficients", "KernelGeometry", "basis_gram", "geometry", "grad_coefficients",
        "hessian_coefficients", "kappa", "pairwise_gram",
    },
    "symbreak.model.symbolic": {
        "dot_expr", "gradient_expr", "hessian_expr", "kappa_expr", "loss_expr", "symbol_matrix",
        "theta_expr", "wedge_norm_expr",
    },
    "symbreak.model.geometric_algebra": {
        "dot_ga", "kappa_ga", "vector_ga", "wedge_ga", "wedge_norm_ga",
    },
    "symbreak.overparam": {
        "AnnihilationResult", "ClassSplit", "DEFAULT_SPLITS", "DeadNeuronTest", "EmbeddingRecord",
        "FULL_ENUMERATION", "SplitEmbedding", "annihilation", "class_splits", "dead_neuron_test",
        "embedding_records", "embeddings", "min_directional_derivative", "neuron_classes",
        "polish", "split_neuron",
    },
    "symbreak.plotting": {
        "bifurcation_diagram", "block_eigenvalue_plot", "perturbation_plot", "require_matplotlib",
        "spectrum_plot",
    },
    "symbreak.progress": {"Progress", "ProgressUpdate", "TqdmProgress", "as_progress"},
    "symbreak.reduced": {"Layout", "ReducedSystem", "Teacher", "TeacherSpace", "layout_for"},
    "symbreak.reduced.arithmetic": {
        "FLOAT64", "INTERVAL64", "ArbArithmetic", "Float64Arithmetic", "FloatArithmetic",
        "Interval64Arithmetic", "MPArithmetic", "SymPyArithmetic", "flint_available",
        "require_flint",
    },
    "symbreak.representation": {
        "AdaptedBasis", "AdaptedComponent", "CharacterComponent", "CharacterTable",
        "ConjugacyClass", "CopyVector", "DetectedIsotropy", "Factor", "Irrep", "IsotropyGroup",
        "IsotypicComponent", "YoungOrthogonalForm", "as_partition", "centralizer_order",
        "character", "character_decomposition", "character_multiplicity", "character_table",
        "class_inner_product", "class_size", "conjugacy_classes", "conjugate",
        "copy_vector_blocks", "copy_vector_matrix", "cycle_type", "detect_isotropy", "dimension",
        "fixed_point_power_multiplicity", "helmert_basis", "hook_lengths",
        "isotypic_decomposition", "parse_spec", "partitions", "reduced_word",
        "skew_standard_tableaux", "standard_tableaux", "symmetry_adapted_basis",
        "young_orthogonal_form",
    },
    "symbreak.sample": {
        "DescentResult", "Family", "KINDS", "KResult", "LimitClass", "LimitIsotropy",
        "SampleOptions", "SampleResult", "classify_limits", "descend", "descend_stream",
        "initial_weights", "limit_isotropy", "load_result", "newton_shortcut", "parse_k_values",
        "report_markdown", "run_chunk", "run_chunks", "run_seed", "sample", "teacher",
        "write_outputs",
    },
    "symbreak.solve": {
        "NewtonResult", "NewtonStatus", "newton", "newton_batch", "orbit_weights", "solve",
    },
    "symbreak.spectrum": {
        "HessianBlock", "Spectrum", "SpectrumEntry", "ZERO_TOL", "analytic_spectrum",
        "dense_spectrum", "hessian_blocks",
    },
    "symbreak.tolerances": {"DEFAULT_TOLERANCES", "Tolerances", "as_tolerances"},
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
    unguarded = set(names) - REQUIRED_ALL[module]
    assert not unguarded, f"{module}.__all__ exports {sorted(unguarded)}: add them to REQUIRED_ALL"
    for name in names:
        assert hasattr(mod, name), f"{module}.__all__ lists {name!r}, which is missing"


def test_every_top_level_name_is_guarded_exactly():
    unguarded = set(symbreak.__all__) - REQUIRED_TOP
    assert not unguarded, f"symbreak.__all__ exports {sorted(unguarded)}: add them to REQUIRED_TOP"


def test_every_public_subpackage_and_module_is_guarded():
    """Each public package or module directly under symbreak has an __all__ listed here."""
    import pkgutil

    for info in pkgutil.iter_modules(symbreak.__path__):
        if info.name.startswith("_") or info.name in ("cli", "commands"):
            continue
        name = f"symbreak.{info.name}"
        mod = importlib.import_module(name)
        assert hasattr(mod, "__all__"), f"{name} has no __all__"
        assert name in REQUIRED_ALL, f"{name} is public: list its __all__ in REQUIRED_ALL"
