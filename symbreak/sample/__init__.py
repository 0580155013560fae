"""Gradient descent from random initialisations, batched, and what it finds.

:func:`sample` runs the published experiment (Safran & Shamir 2018) at each
``k`` — many runs in one array, on the dense closed-form gradient — and
classifies every limit: kind, index, smallest eigenvalue, isotropy and family.
"""

from .classify import KINDS, Family, LimitClass, LimitIsotropy, classify_limits, limit_isotropy
from .descent import DescentResult, descend, descend_stream, newton_shortcut
from .options import SampleOptions, initial_weights, parse_k_values, run_seed, teacher
from .report import report_markdown, write_outputs
from .run import KResult, SampleResult, load_result, run_chunk, run_chunks, sample

__all__ = [
    "KINDS",
    "DescentResult",
    "Family",
    "KResult",
    "LimitClass",
    "LimitIsotropy",
    "SampleOptions",
    "SampleResult",
    "classify_limits",
    "descend",
    "descend_stream",
    "initial_weights",
    "limit_isotropy",
    "load_result",
    "newton_shortcut",
    "parse_k_values",
    "report_markdown",
    "run_chunk",
    "run_chunks",
    "run_seed",
    "sample",
    "teacher",
    "write_outputs",
]
