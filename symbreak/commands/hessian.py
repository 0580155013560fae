"""Dense Hessian spectrum at the global minimum ``W = V = I`` (teacher ``I_k``
padded with zero columns to ``d``).  Builds the (k·d)×(k·d) Hessian: for large
k use ``symbreak spectrum --isotropy k``, whose cost does not grow with k."""

from __future__ import annotations

import numpy as np

from .._numerics import cluster_eigenvalues
from .._validation import as_positive_int
from ..model import TeacherStudent
from ._common import CommandResult, add_json_flag, format_table

NAME = "hessian"
HELP = "dense Hessian spectrum at W = V = I (distinct values, multiplicities)"
ORDER = 10


def configure(parser) -> None:
    parser.add_argument("--k", type=int, required=True, help="teacher and student width k")
    parser.add_argument("--d", type=int, default=None, help="input dimension d >= k (default k)")
    add_json_flag(parser)


def run(args) -> CommandResult:
    k = as_positive_int(args.k, "--k")
    d = k if args.d is None else as_positive_int(args.d, "--d")
    if d < k:
        raise ValueError(f"--d must be >= --k (the teacher I_k needs k columns), got d={d} < k={k}")
    if k * d > 10_000:
        raise ValueError(
            f"the dense Hessian at k={k}, d={d} has {(k * d) ** 2:.2e} entries; use "
            "'symbreak spectrum --isotropy k' for the symmetry-reduced spectrum"
        )
    V = np.zeros((k, d))
    V[:, :k] = np.eye(k)
    H = TeacherStudent(V).hessian(V)
    clusters = cluster_eigenvalues(np.linalg.eigvalsh(H), tol=1e-8)
    payload = {
        "k": k,
        "d": d,
        "n": k,
        "point": "W = V",
        "spectrum": [{"value": v, "multiplicity": m} for v, m in clusters],
    }
    rows = [[f"{v:.12g}", m] for v, m in clusters]
    text = f"Hessian spectrum at W = V (k = {k}, d = {d}; size {k * d}x{k * d})\n" + format_table(
        ["value", "multiplicity"], rows
    )
    return CommandResult(payload=payload, text=text)
