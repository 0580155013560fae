"""Embed a critical point of the k-neuron problem into k + L neurons by splitting
neurons (w -> t w, (1 - t) w / L each; ReLU is positively homogeneous, so the
split point is critical), compute each embedding's Hessian spectrum with the
larger isotropy group, and certify saddles by a direction of negative
curvature (a negative eigenvalue of a block A_chi, i.e. a compression of the
Hessian: Cauchy interlacing).  Also reports the smallest number of extra
neurons <= L that makes the point a saddle ("smallest_extra": the weak
statement, some split at the tried ratios) and "annihilated_at": the smallest
L' <= L such that EVERY function-preserving embedding with L' extra neurons
(splits of every neuron class at every ratio, dead neurons w = 0, and their
combinations) is a saddle (0 when the start is itself a saddle; null if none).

JSON: {"k", "isotropy", "extra", "saddle", "smallest_extra", "descent_irrep",
"embeddings": [{"neuron_class", "split", "min_eig", "index", "certificate",
"isotropy", "descent_irrep", "coords"}]}; "embeddings" are those with exactly L
extra neurons, for each split ratio (0.5 always among them); "certificate" is
null or {"rayleigh_quotient", "basis", "irrep", "vector",
"dense_rayleigh_quotient"} (the last one checked on the dense Hessian at
integer k, else null).  Also: "annihilated_at", "min_directional_derivative"
(min over unit u of D+L[u] for a dead neuron; null at real k),
"neuron_classes": [{"neuron_class", "block", "size", "index", "nullity", "decision",
"min_curvature", "descent_irrep", "rayleigh_quotient_at_half"}] (does splitting a
neuron of this class give a saddle or a minimum, for every ratio), and
"embedding_classes": [{"kind": "split" | "dead_neuron" | "split+dead_neuron",
"extra", "splits", "dead_neurons", "decision", "saddle", "certificate",
"rigorous"}] for exactly L extra neurons."""

from __future__ import annotations

import numpy as np

from ..model import TeacherStudent
from ..overparam import DEFAULT_SPLITS, annihilation, embedding_records, embeddings, polish
from ..reduced.fixed_point import FixedPointSpace
from ..representation.isotropy import IsotropyGroup
from ._common import CommandResult, add_json_flag, format_count, format_table, parse_coords
from ._isotropy_args import add_group_args, check_start

NAME = "annihilate"
HELP = "split neurons (n = k + L): do the embedded critical points become saddles?"
ORDER = 50

#: largest --extra: every L' = 1..L is examined (about 0.05 s of CPU each)
MAX_EXTRA = 100
#: dense checks only below this many entries of W (Hessian–vector products)
_DENSE_LIMIT = 250_000


def _splits(text: str) -> list[float]:
    return parse_coords(text)


def configure(parser) -> None:
    add_group_args(parser)
    parser.add_argument(
        "--start", type=parse_coords, required=True, help="critical point c1,c2,... at k"
    )
    parser.add_argument(
        "--extra",
        type=int,
        required=True,
        metavar="L",
        help=f"number 1 <= L <= {MAX_EXTRA} of extra neurons",
    )
    parser.add_argument(
        "--splits",
        type=_splits,
        default=None,
        help="split ratios t in (0,1), comma-separated (default 0.5,0.25,0.1; 0.5 is always "
        "included)",
    )
    add_json_flag(parser)


def _dense_check(emb) -> float | None:
    g = emb.group
    if emb.certificate is None or not g.is_integral:
        return None
    n, d = g.shape
    if n * d > _DENSE_LIMIT:
        return None
    k = int(round(g.k))
    V = np.zeros((k, d))
    V[:, :k] = np.eye(k)
    model = TeacherStudent(V, n=n)
    W = FixedPointSpace(g).embed(emb.coords)
    U = emb.certificate.dense_vector(g)
    return float(np.sum(U * model.hvp(W, U)) / np.sum(U * U))


def _strong_text(result, extra: int) -> str:
    at = result.annihilated_at
    if at is None:
        line = f"some embedding with L <= {extra} extra neurons is not shown to be a saddle"
    else:
        line = f"every embedding is a saddle from L = {at}" + (
            " (the start is a saddle)" if at == 0 else ""
        )
    mdd = result.min_directional_derivative
    line += "; dead neuron: min D+L[u] = " + ("-" if mdd is None else f"{mdd:.6g}")
    rows = [
        [
            c.neuron_class,
            format_count(c.size),
            c.decision,
            "-" if c.min_curvature is None else f"{c.min_curvature:.6g}",
            "-" if c.certificate is None else c.certificate.irrep,
        ]
        for c in result.classes
    ]
    head = ["neuron class", "size", "splitting gives", "min curvature", "descent irrep"]
    return "annihilation (every embedding, every ratio): " + line + "\n" + format_table(head, rows)


def run(args) -> CommandResult:
    if isinstance(args.extra, bool) or args.extra < 1:
        raise ValueError(f"--extra must be an integer >= 1, got {args.extra}")
    if args.extra > MAX_EXTRA:
        raise ValueError(
            f"--extra is at most {MAX_EXTRA} (got {args.extra}): every number of extra neurons "
            f"up to L is examined; the smallest one that makes the point a saddle is reported, "
            f"so a smaller L usually answers the question"
        )
    group = IsotropyGroup.from_spec(args.isotropy, args.k, d=args.d)
    check_start(group, args.start)
    coords = polish(group, args.start)
    splits = list(DEFAULT_SPLITS if args.splits is None else args.splits)
    if 0.5 not in splits:
        splits.insert(0, 0.5)
    result = annihilation(group, coords, max_extra=args.extra, splits=splits, polish_start=False)
    level = [e for e in result.embeddings if e.extra == args.extra]
    if not level:
        level = list(embeddings(group, coords, extra=args.extra, splits=splits))
    rows_json = []
    rows_text = []
    for e in level:
        cert = None
        if e.certificate is not None:
            cert = e.certificate.to_json()
            cert["dense_rayleigh_quotient"] = _dense_check(e)
        rows_json.append(
            {
                "neuron_class": e.neuron_class,
                "split": e.split,
                "min_eig": e.min_eigenvalue,
                "index": e.index,
                "certificate": cert,
                "isotropy": e.group.name,
                "descent_irrep": e.descent_irrep,
                "coords": [float(x) for x in e.coords],
            }
        )
        rows_text.append(
            [
                e.neuron_class,
                f"{e.split:g}",
                e.group.name,
                f"{e.min_eigenvalue:.6g}",
                format_count(e.index),
                e.descent_irrep or "-",
            ]
        )
    saddle = any(e.is_saddle for e in level)
    records = embedding_records(
        group, coords, args.extra, classes=result.classes, dead=result.dead_neuron
    )
    payload = {
        "k": group.k,
        "isotropy": args.isotropy,
        "coords": [float(x) for x in coords],
        "extra": args.extra,
        "saddle": saddle,
        "smallest_extra": result.smallest_extra,
        "descent_irrep": result.descent_irrep,
        "embeddings": rows_json,
        "annihilated_at": result.annihilated_at,
        "min_directional_derivative": result.min_directional_derivative,
        "neuron_classes": [c.to_json() for c in result.classes],
        "embedding_classes": [r.to_json() for r in records],
    }
    head = f"Fix({group.name}) at k = {group.k:g}, {args.extra} extra neuron(s): " + (
        "saddle" if saddle else "no negative eigenvalue found"
    )
    if result.smallest_extra is not None:
        head += (
            f"; smallest number of extra neurons making it a saddle: {result.smallest_extra} "
            f"(descent direction in {result.descent_irrep}, splitting {result.neuron_class})"
        )
    text = (
        head
        + "\n"
        + format_table(
            ["neuron class", "split", "isotropy", "min eig", "index", "descent irrep"], rows_text
        )
        + "\n"
        + _strong_text(result, args.extra)
    )
    return CommandResult(payload=payload, text=text)
