"""``report.md``: the atlas as a summary and tables a person reads.

Every number is taken from the typed atlas record (:class:`~symbreak.atlas.Atlas`,
the content of ``atlas.json``; the functions here also accept the JSON dict
that :func:`~symbreak.atlas.run_atlas` returns).  The report opens with a
summary (what was searched; how many families, minima and events were found;
the families that are spurious minima somewhere, with their windows and
whether extra neurons annihilate them) and a guide to the columns; the tables
follow.
"""

from __future__ import annotations

from pathlib import Path

from ..continuation.branch import EVENT_KIND_HELP
from ..errors import DomainError
from .records import Atlas, AtlasEvent, Family

__all__ = [
    "write_report",
    "summary_rows",
    "summary_lines",
    "SUMMARY_HEADERS",
    "dimension_polynomial",
]

SUMMARY_HEADERS = [
    "family",
    "isotropy",
    "k0",
    "loss at k0",
    "index",
    "kind",
    "events",
    "minimum for k in",
    "extra neurons to escape",
]



def _as_atlas(atlas) -> Atlas:
    """The typed record of an atlas given as a record or as its JSON dict."""
    return atlas if isinstance(atlas, Atlas) else Atlas.from_json(atlas)


def _num(x, fmt=".6g") -> str:
    if isinstance(x, int):
        return str(x)
    return format(float(x), fmt)


def _windows(ws, hi=None) -> str:
    if not ws:
        return "-"
    parts = []
    for a, b in ws:
        end = f"{b:.4f}" + ("+" if hi is not None and b >= hi - 1e-9 else "")
        parts.append(f"[{a:.4f}, {end}]")
    return ", ".join(parts)


def _escape(f: Family, max_extra) -> str:
    op = f.overparam
    if op is None:
        return "-"
    if op.smallest_extra is None:
        return f"> {max_extra}"
    return f"{op.smallest_extra} ({op.descent_irrep or '?'})"


def summary_rows(atlas: Atlas | dict) -> list[list[str]]:
    """One row per family (the family table of ``report.md``)."""
    atlas = _as_atlas(atlas)
    hi = atlas.options.k_range[1]
    return [
        [
            f.id,
            f"`{f.isotropy}`",
            _num(f.k0, "g"),
            _num(f.loss, ".9f"),
            _num(f.index),
            f.kind,
            str(len(f.events)),
            _windows(f.minimum_window, hi),
            _escape(f, atlas.options.max_extra),
        ]
        for f in atlas.families
    ]


EVENT_HEADERS = [
    "family",
    "kind",
    "k",
    "blocks",
    "multiplicity",
    "index before",
    "index after",
    "meets",
    "loss",
]

def _event_row(fid: str, e: AtlasEvent) -> list[str]:
    """One row of the events table (older atlas files have no ``blocks``: the irrep alone)."""
    pairs = [(b.irrep, b.change) for b in e.blocks]
    if not pairs and e.irrep:  # atlas files written before events had blocks
        pairs = [(e.irrep, "")]
    cell = "; ".join(f"`{irrep}`" + (f" {change}" if change else "") for irrep, change in pairs)
    kind = e.kind + (" (turns)" if e.turns and e.kind != "fold" else "")
    return [
        fid,
        kind,
        f"{e.k:.10f}",
        cell or "-",
        _num(e.multiplicity),
        _num(e.index_before),
        _num(e.index_after),
        f"`{e.meets}`" if e.meets else "-",
        f"{e.loss:.9f}",
    ]


def _table(headers, rows) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _teacher(o) -> str:
    extra = o.extra_dims
    return "d = k" if not extra else f"d = k + {extra} (zero columns)"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _spurious_somewhere(atlas: Atlas) -> list[Family]:
    """Families that are a local but not global minimum somewhere in the window."""
    return [f for f in atlas.families if f.minimum_window and f.kind != "global_minimum"]


def _annihilation(f: Family, max_extra) -> str:
    op = f.overparam
    if op is None:
        return (
            f"annihilation not tested (only families that are minima at their k0 are; "
            f"this one is a {f.kind.replace('_', ' ')} at k = {f.k0:g})"
        )
    if op.smallest_extra is None:
        return f"still no descent direction with up to {max_extra} extra neuron(s) at k = {f.k0:g}"
    n = op.smallest_extra
    irrep = op.descent_irrep
    return (
        f"{_plural(n, 'extra neuron')} at k = {f.k0:g} make"
        + ("s" if n == 1 else "")
        + " it a saddle"
        + (f" (descent direction in {irrep})" if irrep else "")
    )


def summary_lines(atlas: Atlas | dict, *, markdown: bool = True) -> list[str]:
    """The report's opening summary, one sentence or bullet per line.

    Also printed by ``symbreak atlas`` at the end of a run (``markdown=False``).
    """
    atlas = _as_atlas(atlas)
    o = atlas.options
    s = atlas.summary
    q = "`" if markdown else ""
    groups = sorted({x.isotropy for x in atlas.searches}, key=lambda g: (len(g), g))
    lo, hi = o.k_range
    kinds: dict[str, int] = {}
    for f in atlas.families:
        for e in f.events:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    lines = [
        f"Searched: teacher V = I_k ({_teacher(o)}); "
        f"{_plural(len(groups), 'isotropy group')} ("
        + ", ".join(f"{q}{g}{q}" for g in groups)
        + f") at k = {', '.join(str(k) for k in o.search_ks)}, "
        f"{o.starts} random starts each (seed {o.seed}); every family continued over "
        f"k in [{lo:g}, {hi:g}]; minima tested with up to {o.max_extra} extra neuron(s).",
        f"Found: {_plural(s.families, 'family', 'families')} "
        f"({s.global_minima} global minimum, {s.spurious_minima} spurious minima and "
        f"{s.saddles} saddles at the k where they were found), "
        f"{_plural(s.events, 'event')} along the branches"
        + (f" ({by_kind})." if kinds else "."),
    ]
    spur = _spurious_somewhere(atlas)
    if spur:
        lines.append(f"Spurious minima somewhere in k in [{lo:g}, {hi:g}] ({len(spur)} families):")
        bullet = "- " if markdown else "  "
        for f in spur:
            lines.append(
                f"{bullet}{f.id} ({q}{f.isotropy}{q}, loss {f.loss:.6f} at k = "
                f"{f.k0:g}): a local minimum for k in {_windows(f.minimum_window, hi)}; "
                + _annihilation(f, o.max_extra)
                + "."
            )
    else:
        lines.append(f"No spurious minimum anywhere in k in [{lo:g}, {hi:g}].")
    return lines


def dimension_polynomial(spec: str, irrep: str, k: float, extra_dims: int = 0) -> str | None:
    """``dim χ`` of the irrep labelled ``irrep`` of ``Fix(spec)`` as a polynomial in k."""
    import sympy as sp

    from ..representation.isotropy import IsotropyGroup
    from ..representation.isotypic import isotypic_decomposition

    try:
        group = IsotropyGroup.from_spec(spec, k, d=k + extra_dims)
        for comp in isotypic_decomposition(group):
            if comp.label == irrep:
                return str(sp.factor(comp.dimension_expr)).replace("**", "^")
    except DomainError:
        return None  # the group does not exist at this k
    return None


def _guide(atlas: Atlas) -> list[str]:
    hi = atlas.options.k_range[1]
    lines = [
        "### How to read the tables",
        "",
        "- **family**: `F<n>`, one branch of critical points followed in k; **isotropy**: its "
        "symmetry group, blocks of sizes given in k (see docs/notation.md); **k0**, "
        "**loss at k0**, **index** (number of negative Hessian eigenvalues, counted with "
        "multiplicity) and **kind** where the family was found.",
        f"- **minimum for k in**: the k-intervals where the family's index is 0 (a `+` after "
        f"the upper end: the interval reaches the end k = {hi:g} of the continuation window "
        "and may go on). **extra neurons to escape**: the smallest number of extra student "
        "neurons (neuron splitting) that makes a minimum found at k0 a saddle, with the irrep "
        "of the descent direction; `> L` when none of up to L extra neurons does.",
        "- **events**: where an eigenvalue of a Hessian block A_chi (the Hessian restricted "
        "to one isotypic component, irrep chi) is zero along the branch; its **kind** is "
        "explained under the events table.",
    ]
    example = next(
        ((f, e) for f in atlas.families for e in f.events if e.multiplicity % 1),
        None,
    )
    lines.append(
        "- **multiplicity** of an event is dim chi, the number of eigenvalues that cross "
        "together. k is a real number here: at real k a multiplicity is the value of its "
        "dimension polynomial (for example dim [k-2,1,1] = (k-1)(k-2)/2), which equals the "
        "number of eigenvalues at every integer k; **index before / after** are sums of such "
        "values, so they are real numbers too."
    )
    if example is not None:
        f, e = example
        poly = dimension_polynomial(f.isotropy, e.irrep, e.k, atlas.options.extra_dims)
        if poly is not None:
            lines[-1] += (
                f" In this atlas: {f.id}'s event at k = {e.k:.6f} in {e.irrep} has "
                f"multiplicity {poly} = {_num(e.multiplicity)}."
            )
    return lines


def write_report(atlas: Atlas | dict, path: str | Path) -> None:
    """Write the Markdown report of an atlas (the record, or its JSON dict)."""
    atlas = _as_atlas(atlas)
    o = atlas.options
    lines = ["# symbreak atlas", "", "## Summary", ""]
    for line in summary_lines(atlas):
        lines += [line] if line.startswith("- ") else [line, ""]
    if lines[-1] != "":
        lines.append("")
    lines += [
        f"symbreak {atlas.symbreak_version}; this run took "
        f"{atlas.timing.total_s:.1f} s, computing {atlas.units.computed} work units "
        f"and reusing {atlas.units.reused} from the cache.",
        "",
        *_guide(atlas),
        "",
        "## Families",
        "",
        _table(SUMMARY_HEADERS, summary_rows(atlas)),
        "",
        "## Events",
        "",
    ]
    ev_rows = [_event_row(f.id, e) for f in atlas.families for e in f.events]
    if ev_rows:
        lines.append(_table(EVENT_HEADERS, ev_rows))
        lines += ["", "Event kinds:", ""]
        lines += [f"- `{kind}`: {text}." for kind, text in EVENT_KIND_HELP.items()]
        lines += [
            "",
            "`blocks`: each isotypic block with an eigenvalue at zero there, and how it passes "
            "(down: becomes negative, up: becomes positive, touch: no sign change); `meets`: the "
            "more symmetric family whose fixed-point space contains the point.",
        ]
    else:
        lines.append("No events in the window.")
    lines += ["", "## Over-parameterisation", ""]
    op_rows = []
    for f in atlas.families:
        if f.overparam is None:
            continue
        for emb in f.overparam.embeddings:
            op_rows.append(
                [
                    f.id,
                    str(emb.extra),
                    str(emb.neuron_class),
                    _num(emb.split, "g"),
                    _num(emb.min_eig, ".6g"),
                    _num(emb.index),
                ]
            )
    if op_rows:
        lines.append(
            _table(
                ["family", "extra", "neuron class", "split t", "min eigenvalue", "index"], op_rows
            )
        )
    else:
        lines.append(f"No spurious minima at k = {', '.join(str(k) for k in o.search_ks)}.")
    if atlas.figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{name}]({name})" for name in atlas.figures if name.endswith(".png")]
    Path(path).write_text("\n".join(lines) + "\n")
