"""``report.md``: the atlas as tables a person reads (numbers taken from ``atlas.json``)."""

from __future__ import annotations

from pathlib import Path

from ..continuation.branch import EVENT_KIND_HELP

__all__ = ["write_report", "summary_rows", "SUMMARY_HEADERS"]

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


def _num(x, fmt=".6g") -> str:
    if isinstance(x, int):
        return str(x)
    return format(float(x), fmt)


def _windows(ws) -> str:
    if not ws:
        return "-"
    return ", ".join(f"[{a:.4f}, {b:.4f}]" for a, b in ws)


def summary_rows(atlas: dict) -> list[list[str]]:
    """One row per family (the summary table of ``report.md``)."""
    rows = []
    for f in atlas["families"]:
        op = f.get("overparam")
        if op is None:
            escape = "-"
        elif op.get("smallest_extra") is None:
            escape = f"> {atlas['options']['max_extra']}"
        else:
            escape = f"{op['smallest_extra']} ({op.get('descent_irrep') or '?'})"
        rows.append(
            [
                f["id"],
                f"`{f['isotropy']}`",
                _num(f["k0"], "g"),
                _num(f["loss"], ".9f"),
                _num(f["index"]),
                f["kind"],
                str(len(f["events"])),
                _windows(f["minimum_window"]),
                escape,
            ]
        )
    return rows


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

def _event_row(fid: str, e: dict) -> list[str]:
    """One row of the events table (older atlas files have no ``blocks``)."""
    blocks = e.get("blocks")
    if blocks is None:  # atlas files written before events had blocks
        blocks = [{"irrep": e["irrep"], "change": ""}] if e["irrep"] else []
    cell = "; ".join(
        f"`{b['irrep']}`" + (f" {b['change']}" if b["change"] else "")
        for b in blocks
    ) or "-"
    kind = e["kind"] + (" (turns)" if e.get("turns") and e["kind"] != "fold" else "")
    return [
        fid,
        kind,
        f"{e['k']:.10f}",
        cell,
        _num(e["multiplicity"]),
        _num(e["index_before"]),
        _num(e["index_after"]),
        f"`{e['meets']}`" if e.get("meets") else "-",
        f"{e['loss']:.9f}",
    ]


def _table(headers, rows) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def write_report(atlas: dict, path: str | Path) -> None:
    """Write the Markdown report of an atlas dict."""
    o = atlas["options"]
    s = atlas["summary"]
    lines = [
        "# symbreak atlas",
        "",
        f"Teacher `I_k` (d = k + {o['extra_dims']}), families searched at k = "
        f"{', '.join(str(k) for k in o['k_values'])} in every Young-type group with up to "
        f"{o['max_blocks']} blocks, continued over k in [{o['k_range'][0]:g}, "
        f"{o['k_range'][1]:g}]. symbreak {atlas['symbreak_version']}; this run took "
        f"{atlas['timing']['total_s']:.1f} s, computing {atlas['units']['computed']} work units "
        f"and reusing {atlas['units']['reused']} from the cache.",
        "",
        f"- groups searched: {s['groups_searched']}",
        f"- families: {s['families']} ({s['global_minima']} global minimum, "
        f"{s['spurious_minima']} spurious minima, {s['saddles']} saddles at their k0)",
        f"- events along the branches: {s['events']}",
        "",
        "## Summary",
        "",
        _table(SUMMARY_HEADERS, summary_rows(atlas)),
        "",
        "`minimum for k in`: the k-intervals along the branch where the index is 0; "
        "`extra neurons to escape`: the smallest number of extra student neurons (by neuron "
        "splitting) that makes a spurious minimum a saddle, with the irrep carrying the "
        "descent direction.",
        "",
        "## Events",
        "",
    ]
    ev_rows = [_event_row(f["id"], e) for f in atlas["families"] for e in f["events"]]
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
    for f in atlas["families"]:
        op = f.get("overparam")
        if not op:
            continue
        for emb in op.get("embeddings", []):
            op_rows.append(
                [
                    f["id"],
                    str(emb.get("extra", "")),
                    str(emb["neuron_class"]),
                    _num(emb["split"], "g"),
                    _num(emb["min_eig"], ".6g"),
                    _num(emb["index"]),
                ]
            )
    if op_rows:
        lines.append(
            _table(
                ["family", "extra", "neuron class", "split t", "min eigenvalue", "index"], op_rows
            )
        )
    else:
        lines.append("No spurious minima at the searched k.")
    if atlas.get("figures"):
        lines += ["", "## Figures", ""]
        lines += [f"![{name}]({name})" for name in atlas["figures"] if name.endswith(".png")]
    Path(path).write_text("\n".join(lines) + "\n")
