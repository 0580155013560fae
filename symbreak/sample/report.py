"""Outputs of a sampling sweep: ``sample.json``, ``report.md`` and two figures.

Figures (matplotlib, imported lazily): the share of runs that reach a global
minimum against ``k`` (``global_share.png``) and the loss of every distinct
minimum against ``k``, coloured by family, marker area by hit count
(``minima_loss.png``).
"""

from __future__ import annotations

from pathlib import Path

from ..io import save_json

__all__ = ["report_markdown", "k_table", "write_outputs", "global_share_plot", "minima_plot"]


def _fmt_minima(r) -> str:
    parts = []
    for c in r.classes:
        if c.kind == "global_minimum":
            continue
        tag = "" if c.kind == "spurious_minimum" else f" [{c.kind}]"
        parts.append(f"({','.join(map(str, c.isotropy.block_sizes))}) ×{c.hits}{tag}")
    return "; ".join(parts) if parts else "—"


def k_table(result) -> str:
    """One Markdown row per ``k``: runs, global share and the distinct minima with hit counts."""
    lines = [
        "| k | runs | converged | global share | distinct spurious minima "
        "| minima (block sizes × hits) |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for r in result.results:
        lines.append(
            f"| {r.k} | {r.runs} | {r.converged} | {r.global_share:.1%} | {len(r.spurious)} "
            f"| {_fmt_minima(r)} |"
        )
    return "\n".join(lines)


def _minima_table(r) -> str:
    lines = [
        "| kind | block sizes | isotropy | order | loss | hits | min eig | index | family "
        "| search |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for c in r.classes:
        fam = c.family
        found = "—" if fam is None or fam.search_points == 0 else (
            "not found" if fam.search_match is None else f"point {fam.search_match}")
        lines.append(
            f"| {c.kind} | {','.join(map(str, c.isotropy.block_sizes))} | {c.isotropy.label} "
            f"| {c.isotropy.order} | {c.loss:.10g} | {c.hits} | {c.min_eig:.4g} | {c.index} "
            f"| {'—' if fam is None else fam.label} | {found} |"
        )
    return "\n".join(lines)


def report_markdown(result) -> str:
    """The whole report: protocol, the summary table, one table per ``k``, the Young finding."""
    p = result.protocol()
    lines = [
        "# Gradient descent from random initialisations",
        "",
        f"Protocol: teacher {p['teacher']}, n = {p['n']}, d = {p['d']}, W0 ~ {p['init']}, "
        f"step {p['step']}, plain gradient descent until {p['stop']} "
        f"({'the published protocol' if p['published'] else 'not the published protocol'}); "
        f"seed {p['seed']}, {p['runs']} runs per k.",
        "",
        k_table(result),
        "",
    ]
    for r in result.results:
        lines += [
            f"## k = {r.k}",
            "",
            f"{r.runs} runs, {r.converged} converged, {r.global_hits} reached a global minimum "
            f"({r.global_share:.1%}); gradient-descent steps per run: mean "
            f"{r.iterations_mean:.0f}, max {r.iterations_max}; "
            f"{r.newton_share:.0%} of converged runs finished by the Newton shortcut.",
            "",
            _minima_table(r) if r.classes else "No converged run.",
            "",
        ]
        if r.not_converged_runs:
            lines += [f"Not converged: runs {list(r.not_converged_runs)}.", ""]
    f = result.young_finding()
    lines += ["## Symmetry of the spurious minima", ""]
    if f["spurious_minima"] == 0:
        lines.append("No spurious minimum was found.")
    else:
        share = "n/a" if f["share"] is None else f"{f['share']:.0%}"
        lines.append(
            f"{f['young']} of the {f['spurious_minima'] - f['unknown']} distinct spurious minima "
            f"with a known stabiliser ({share}) have a Young-type isotropy group "
            f"(stabiliser = the Young group of their blocks)."
        )
        if f["unknown"]:
            lines.append(f"{f['unknown']} have no exact stabiliser computed.")
        if f["non_young"]:
            lines += ["", "Not of Young type:", ""]
            lines += [
                f"- k = {m['k']}, loss {m['loss']:.10g}: {m['isotropy']} "
                f"(order {m['isotropy_order']}), {m['hits']} hits"
                for m in f["non_young"]
            ]
        else:
            lines.append("None without a Young-type isotropy.")
    return "\n".join(lines) + "\n"


def global_share_plot(result, *, ax=None):
    """Share of runs reaching a global minimum against ``k``."""
    from ..plotting import _axes

    ax = _axes(ax)
    ks = [r.k for r in result.results]
    ax.plot(ks, [r.global_share for r in result.results], "o-")
    ax.set_xlabel("k")
    ax.set_ylabel("share of runs reaching a global minimum")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    return ax


def minima_plot(result, *, ax=None):
    """Loss of each distinct spurious minimum against ``k``, coloured by family."""
    from ..plotting import _axes, require_matplotlib

    ax = _axes(ax)
    cmap = require_matplotlib().get_cmap("tab20")
    labels: list[str] = []
    for r in result.results:
        for c in r.spurious:
            lab = "?" if c.family is None else c.family.label
            new = lab not in labels
            if new:
                labels.append(lab)
            ax.scatter([r.k], [c.loss], s=10 + 4 * c.hits, color=cmap(labels.index(lab) % 20),
                       label=lab if new else None, alpha=0.8, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("k")
    ax.set_ylabel("loss of the spurious minimum")
    ax.grid(alpha=0.3)
    if labels:
        ax.legend(title="family", fontsize="small", ncol=2 if len(labels) > 8 else 1)
    return ax


def write_outputs(result, out) -> dict:
    """Write ``sample.json``, ``report.md`` and (with matplotlib) the two figures to ``out``.

    Returns
    -------
    dict
        Paths written, by name.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": save_json(out / "sample.json", "sample", result.to_json(), version=1)}
    md = out / "report.md"
    md.write_text(report_markdown(result), encoding="utf-8")
    paths["report"] = md
    try:
        from ..plotting import require_matplotlib

        plt = require_matplotlib()
    except ImportError:
        return paths
    for name, fn in (("global_share", global_share_plot), ("minima_loss", minima_plot)):
        fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
        fn(result, ax=ax)
        fig.savefig(out / f"{name}.png", dpi=110)
        plt.close(fig)
        paths[name] = out / f"{name}.png"
    return paths
