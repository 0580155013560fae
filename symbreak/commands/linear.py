"""Critical points of a linear network ``μ(θ) = W_h ⋯ W_1`` for a loss on matrices.

Quadratic loss ``‖M − Q‖²``: every Eckart–Young critical value (index sets
``I``, ``|I| ≤ r``), each realised by an explicit ``θ`` that is checked to be
critical and classified numerically.  Other losses: a multi-start search
(BFGS and Levenberg–Marquardt, then Newton), deduplicated by ``μ(θ)``.
Without ``--target`` the target is ``Q = U diag(N, …, 1) Vᵀ`` with Haar
``U, V`` drawn from ``--seed``."""

from __future__ import annotations

import math
import os

import numpy as np

from .._validation import as_matrix, as_positive_int
from ..linear import (
    LinearNetwork,
    LogCoshLoss,
    PseudoHuberLoss,
    QuadraticLoss,
    WeightedQuadraticLoss,
    default_target,
    eckart_young,
    find_critical_points,
)
from ._common import CommandResult, add_json_flag, format_table, parse_real

NAME = "linear"
HELP = "critical points of a linear network: pure/spurious, minima, saddles (Eckart-Young)"
ORDER = 60

LOSSES = ("quadratic", "weighted", "log-cosh", "pseudo-huber")
#: the quadratic loss lists every Eckart-Young critical value: at most this many
MAX_INDEX_SETS = 4096
#: the multi-start search (other losses) is limited to this many parameters
MAX_SEARCH_PARAMS = 200


def _count_text(n: int) -> str:
    """An integer for a message: exact below 10^15, else ``about 1.07e+301``."""
    if n < 10**15:
        return str(n)
    s = str(n)
    return f"about {s[0]}.{s[1:3]}e+{len(s) - 1}"


def _check_size(net: LinearNetwork, loss: str) -> None:
    """Refuse, before any linear algebra, widths whose answer cannot be listed or searched."""
    if loss == "quadratic":
        N, r = min(net.shape), net.r
        sizes = range(r + 1) if net.depth >= 2 else [N]
        total = 0
        for e in sizes:
            total += math.comb(N, e)
            if total > MAX_INDEX_SETS:
                break
        if total > MAX_INDEX_SETS:
            full = sum(math.comb(N, e) for e in sizes)
            raise ValueError(
                f"widths {','.join(map(str, net.widths))} have {_count_text(full)} Eckart-Young "
                f"critical values (every index set I with |I| <= r = {r} out of N = {N} "
                f"singular values); at most {MAX_INDEX_SETS} are listed: use widths with a "
                "smaller N = min(d_0, d_h) or a smaller r = min(d_i)"
            )
    elif net.n_params > MAX_SEARCH_PARAMS:
        raise ValueError(
            f"the multi-start search for --loss {loss} is limited to {MAX_SEARCH_PARAMS} "
            f"parameters; widths {','.join(map(str, net.widths))} have {net.n_params}: "
            "use smaller widths"
        )


def configure(parser) -> None:
    parser.add_argument(
        "--widths", required=True, help="comma-separated widths d_0,d_1,...,d_h, e.g. 4,2,3"
    )
    parser.add_argument(
        "--target",
        default=None,
        help="target Q as a .npy file of shape (d_h, d_0) (default: U diag(N..1) V^T from --seed)",
    )
    parser.add_argument("--loss", choices=LOSSES, default="quadratic", help="loss on matrices")
    parser.add_argument(
        "--weights", default=None, help="positive weights (.npy, shape of Q) for --loss weighted"
    )
    parser.add_argument(
        "--scale",
        type=parse_real,
        default=None,
        help="c of log-cosh or delta of pseudo-huber (default 1)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the default target and starts")
    parser.add_argument(
        "--starts", type=int, default=20, help="random starts of the search (non-quadratic losses)"
    )
    add_json_flag(parser)


def _parse_widths(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ValueError(
            f"--widths must be comma-separated positive integers like 4,2,3, got {text!r}"
        ) from None
    return LinearNetwork(values).widths


def _load(path: str, option: str, shape: tuple[int, int]) -> np.ndarray:
    if os.path.isdir(path):
        raise ValueError(f"{option}: {path!r} is a directory (expected a .npy matrix file)")
    if not os.path.isfile(path):
        raise ValueError(f"{option}: no such file {path!r} (expected a .npy matrix)")
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{option}: cannot read {path!r} as a .npy array ({exc})") from None
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{option}: {path!r} holds several arrays; save one with numpy.save")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(
            f"{option}: {path!r} holds {arr.dtype} entries; a real matrix is needed"
            + (" (complex values would lose their imaginary part)" if arr.dtype.kind == "c" else "")
        )
    if arr.ndim != 2 or arr.shape != shape:
        raise ValueError(
            f"{option} has shape {arr.shape} but widths with d_h = {shape[0]}, d_0 = {shape[1]} "
            f"need a {shape[0]}x{shape[1]} matrix (d_h x d_0)"
        )
    return as_matrix(arr, option)


def _loss(args, Q: np.ndarray, shape):
    if args.weights is not None and args.loss != "weighted":
        raise ValueError("--weights is only used with --loss weighted")
    if args.scale is not None and args.loss not in ("log-cosh", "pseudo-huber"):
        raise ValueError("--scale is only used with --loss log-cosh or pseudo-huber")
    scale = 1.0 if args.scale is None else args.scale
    if args.loss == "quadratic":
        return QuadraticLoss(Q)
    if args.loss == "weighted":
        if args.weights is None:
            raise ValueError("--loss weighted needs --weights W.npy (positive, shape d_h x d_0)")
        return WeightedQuadraticLoss(Q, _load(args.weights, "--weights", shape))
    if args.loss == "log-cosh":
        return LogCoshLoss(Q, scale=scale)
    return PseudoHuberLoss(Q, delta=scale)


def run(args) -> CommandResult:
    net = LinearNetwork(_parse_widths(args.widths))
    _check_size(net, args.loss)
    seed = as_positive_int(args.seed, "--seed", minimum=0)
    if args.target is None:
        Q, source = default_target(net.shape, seed=seed), f"default_target(seed={seed})"
    else:
        Q, source = _load(args.target, "--target", net.shape), args.target
    loss = _loss(args, Q, net.shape)
    payload = {
        "widths": list(net.widths),
        "filling": net.filling,
        "r": net.r,
        "shape": list(net.shape),
        "functional_dimension": net.functional_dimension,
        "n_params": net.n_params,
        "loss": args.loss,
        "target_source": source,
        "target": Q,
        "target_singular_values": np.linalg.svd(Q, compute_uv=False),
    }
    head = (
        f"linear network, widths {','.join(map(str, net.widths))}: "
        f"M(d_h, d_0) = M({net.shape[0]}, {net.shape[1]}), r = {net.r}, "
        f"{'filling' if net.filling else 'non-filling'}, dim M_r = {net.functional_dimension}, "
        f"{net.n_params} parameters\n"
        f"loss {args.loss}, target {source}, singular values "
        + ", ".join(f"{s:.6g}" for s in payload["target_singular_values"])
    )
    if args.loss == "quadratic":
        ey = eckart_young(net, loss, max_index_sets=MAX_INDEX_SETS)
        payload.update(
            method="eckart-young",
            global_minimum=ey.minimum.loss,
            verified=ey.verified,
            critical_points=[
                {
                    "index_set": list(p.index_set),
                    "rank": p.rank,
                    "loss": p.loss,
                    "pure": p.pure,
                    "kind": p.kind.value,
                    "verified": p.verified,
                    "gradient_norm": p.verification.gradient_norm,
                }
                for p in ey.points
            ],
        )
        rows = [
            [
                "{" + ",".join(map(str, p.index_set)) + "}",
                p.rank,
                f"{p.loss:.10g}",
                "pure" if p.pure else "spurious",
                p.kind.value,
                "yes" if p.verified else "NO",
            ]
            for p in ey.points
        ]
        text = (
            f"{head}\nEckart-Young critical values (every I with |I| <= r), each realised by "
            "an explicit critical theta and classified numerically:\n"
            + format_table(["I", "rank", "loss", "pure", "kind", "verified"], rows)
        )
        return CommandResult(payload=payload, text=text, exit_code=0 if ey.verified else 1)

    starts = as_positive_int(args.starts, "--starts")
    search = find_critical_points(net, loss, rng=seed, n_starts=starts)
    payload.update(
        method="multi-start",
        starts=starts,
        runs=search.runs,
        converged=search.converged,
        global_minimum=search.global_minimum,
        global_minimum_reference=search.reference,
        critical_points=[
            {
                "rank": p.rank,
                "loss": p.loss,
                "pure": p.pure,
                "kind": p.kind.value,
                "count": p.count,
                "differential_rank": p.differential_rank,
                "gradient_norm": p.gradient_norm,
            }
            for p in search.points
        ],
    )
    rows = [
        [
            p.rank,
            f"{p.loss:.10g}",
            "pure" if p.pure else "spurious",
            p.kind.value,
            p.count,
            f"{p.gradient_norm:.1e}",
        ]
        for p in search.points
    ]
    text = (
        f"{head}\nmulti-start search: {starts} starts x (BFGS, Levenberg-Marquardt) + Newton, "
        f"{search.converged}/{search.runs} runs converged; global minimum reference: "
        f"{search.reference}\n"
        + format_table(["rank", "loss", "pure", "kind", "runs", "|grad L|"], rows)
    )
    return CommandResult(payload=payload, text=text)
