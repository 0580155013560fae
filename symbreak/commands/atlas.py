"""The main job: the atlas of a real problem.  Finds the critical families of the
ReLU teacher-student loss (teacher I_k) in every Young-type isotropy group with
up to --max-blocks blocks at each k of --k-values, continues each family over
real k in --k-range with its events (where a saddle becomes a spurious minimum,
folds, symmetry-breaking bifurcations), and tests each spurious minimum for
annihilation by extra neurons.  Writes atlas.json (everything, versioned),
report.md (tables) and plots to --out.  A second run with the same arguments
reuses the cached work in --out/.cache; an interrupted run resumes."""

from __future__ import annotations

import sys
import time

from ..atlas import AtlasOptions, run_atlas
from ..atlas.report import SUMMARY_HEADERS, summary_rows
from ._common import CommandResult, add_json_flag, format_table, parse_real

NAME = "atlas"
HELP = "the atlas: critical families, continuation in k, events, over-parameterisation"
ORDER = 5


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ValueError(f"--k-values takes integers like 6,10, got {text!r}") from None


def _range(text: str) -> tuple[float, float]:
    parts = [p for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise ValueError(f"--k-range takes two numbers LO,HI, got {text!r}")
    return float(parts[0]), float(parts[1])


def configure(parser) -> None:
    parser.add_argument("--out", default="symbreak-atlas", help="output directory")
    parser.add_argument(
        "--k-values",
        default=None,
        help="k at which families are searched (default: every integer k >= 3 of --k-range)",
    )
    parser.add_argument("--k-range", default="3,20", help="continuation window LO,HI")
    parser.add_argument("--max-blocks", type=int, default=3, help="blocks per isotropy group")
    parser.add_argument(
        "--group",
        action="append",
        default=None,
        metavar="SPEC",
        help="search only this isotropy group (repeatable), e.g. --group k-1,1",
    )
    parser.add_argument(
        "--teacher",
        default="identity",
        choices=["identity"],
        help="teacher: 'identity' is V = I_k padded with --extra-dims zero columns",
    )
    parser.add_argument("--extra-dims", type=int, default=0, help="d - k (default 0)")
    parser.add_argument(
        "--starts",
        type=int,
        default=AtlasOptions.starts,
        help=f"cap on the random starts per search (default {AtlasOptions.starts})",
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=AtlasOptions.patience,
        help="a search stops after this many starts in a row found no new local minimum "
        f"(default {AtlasOptions.patience})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-extra", type=int, default=3, help="largest number of extra neurons")
    parser.add_argument("--spectrum-k", type=parse_real, default=6.0, help="k of spectrum plots")
    parser.add_argument("--workers", type=int, default=1, help="parallel processes")
    parser.add_argument("--svg", action="store_true", help="also write SVG plots")
    parser.add_argument("--no-plots", action="store_true", help="skip the plots")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    add_json_flag(parser)


def run(args) -> CommandResult:
    opts = AtlasOptions(
        k_values=None if args.k_values is None else _int_list(args.k_values),
        k_range=_range(args.k_range),
        max_blocks=args.max_blocks,
        groups=tuple(args.group) if args.group else None,
        extra_dims=args.extra_dims,
        starts=args.starts,
        patience=args.patience,
        seed=args.seed,
        max_extra=args.max_extra,
        spectrum_k=args.spectrum_k,
    )
    t = time.perf_counter()
    progress = None
    if not args.quiet:

        def progress(stage, done, total, what):
            print(f"[{stage}] {done}/{total} {what}", file=sys.stderr, flush=True)

    atlas = run_atlas(
        args.out,
        opts,
        workers=args.workers,
        plots=not args.no_plots,
        svg=args.svg,
        progress=progress,
    )
    elapsed = time.perf_counter() - t
    payload = {
        "out": str(args.out),
        "files": ["atlas.json", "report.md", *atlas.get("figures", [])],
        "summary": atlas["summary"],
        "elapsed_s": elapsed,
    }
    text = (
        f"atlas written to {args.out}/ (atlas.json, report.md, {len(atlas.get('figures', []))} "
        f"plots) in {elapsed:.1f} s\n\n"
        + format_table(
            SUMMARY_HEADERS,
            [[cell.replace("`", "") for cell in row] for row in summary_rows(atlas)],
        )
    )
    return CommandResult(payload=payload, text=text)
