"""Run plain gradient descent from random initialisations, as in the published
experiment (teacher V = I_k, d = n = k, W0 ~ N(0, 1/k), step 5/k, until
|grad L|_F <= 1e-12), and classify every limit: global minimum, spurious
minimum, saddle or not converged; index and smallest Hessian eigenvalue;
Young block sizes, exact stabiliser and its order; the symmetric family
(projection to Fix(H), reduced Newton, match with the critical-point search).

Runs advance together in one array; each run's start comes from its own seed
(S, k, run), so --workers N and --scheduler ADDRESS give the same numbers as a
serial run.  With --out DIR finished runs are saved (NPZ) and an interrupted
sweep resumes; DIR also receives sample.json, report.md, global_share.png and
minima_loss.png.

JSON: {"protocol": {...}, "results": [{"k", "runs", "converged", "global_hits",
"minima": [{"block_sizes", "isotropy", "isotropy_order", "loss", "hits",
"min_eig", "index", "family", ...}], ...}], "young_finding": {...}}.
Exit status 0; 1 when some run did not converge."""

from __future__ import annotations

import sys

from ..progress import TqdmProgress
from ._common import CommandResult, add_json_flag, format_table, parse_real

NAME = "sample"
HELP = "gradient descent from random starts: which minima it finds, with isotropy and family"
ORDER = 60


def configure(parser) -> None:
    parser.add_argument("--k", required=True, metavar="K",
                        help="teacher widths: K, K1,K2,... or A..B (e.g. 6..20)")
    parser.add_argument("--runs", type=int, default=500, help="runs per k (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="sweep seed S (default 0)")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="Dask scheduler address, e.g. tcp://host:8786 (pip install "
                             "'symbreak[dask]')")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="save runs (resumable) and write sample.json, report.md, figures")
    parser.add_argument("--step-scale", type=parse_real, default=5.0,
                        help="step size = STEP_SCALE/k (default 5)")
    parser.add_argument("--init-scale", type=parse_real, default=1.0,
                        help="W0 entries ~ N(0, INIT_SCALE^2/k) (default 1)")
    parser.add_argument("--extra-rows", type=int, default=0, help="n = k + EXTRA_ROWS")
    parser.add_argument("--extra-dims", "--extra-cols", dest="extra_dims", type=int, default=0,
                        help="d = k + EXTRA_DIMS (default 0; --extra-cols is its former name)")
    parser.add_argument("--gtol", type=parse_real, default=1e-12,
                        help="stop when |grad L|_F <= GTOL (default 1e-12)")
    parser.add_argument("--max-iter", type=int, default=1_000_000,
                        help="gradient-descent steps before a run counts as not converged")
    parser.add_argument("--no-newton", action="store_true",
                        help="plain gradient descent all the way (no Newton shortcut)")
    parser.add_argument("--no-search", action="store_true",
                        help="do not match families with the critical-point search")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def run(args) -> CommandResult:
    from ..sample import SampleOptions, sample

    opts = SampleOptions(step_scale=args.step_scale, init_scale=args.init_scale, gtol=args.gtol,
                         extra_rows=args.extra_rows, extra_dims=args.extra_dims,
                         max_iter=args.max_iter, newton=not args.no_newton)
    progress = None if args.quiet else TqdmProgress(sys.stderr)
    try:
        res = sample(args.k, args.runs, seed=args.seed, options=opts, workers=args.workers,
                     scheduler=args.scheduler, out=args.out, progress=progress,
                     search=not args.no_search)
    finally:
        if progress is not None:
            progress.close()
    payload = res.to_json()
    payload["young_finding"] = res.young_finding()
    if args.out:
        payload["out"] = str(args.out)
    rows = []
    for r in res.results:
        minima = "; ".join(
            f"({','.join(map(str, c.isotropy.block_sizes))}) x{c.hits}"
            + ("" if c.kind == "spurious_minimum" else f" {c.kind}")
            for c in r.classes if c.kind != "global_minimum"
        )
        rows.append([r.k, r.runs, r.converged, f"{r.global_share:.1%}", len(r.spurious),
                     minima or "-"])
    text = format_table(["k", "runs", "converged", "global", "spurious", "minima (blocks) x hits"],
                        rows)
    f = payload["young_finding"]
    if f["spurious_minima"]:
        text += (f"\n{f['young']} of {f['spurious_minima']} distinct spurious minima have a "
                 f"Young-type isotropy group")
        for m in f["non_young"]:
            text += f"\n  not Young: k = {m['k']}, loss {m['loss']:.10g}, {m['isotropy']}"
    if args.out:
        text += f"\nwritten to {args.out}: sample.json, report.md, figures"
    bad = any(r.converged < r.runs for r in res.results)
    return CommandResult(payload=payload, text=text, exit_code=1 if bad else 0)
