"""The atlas's plots (matplotlib; see :mod:`symbreak.plotting`)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..spectrum import Spectrum, SpectrumEntry
from .records import Atlas, BranchRow, Family

__all__ = ["write_figures", "branch_series", "block_series", "LOW_LOSS"]

#: families whose loss at k0 is below this appear in the bifurcation diagram,
#: if they are local minima somewhere in the window
LOW_LOSS = 0.1


def branch_series(fam: Family | dict) -> tuple[BranchRow, ...]:
    """Points of both halves of a family's branch, ordered by k (down reversed).

    ``fam`` is a :class:`~symbreak.atlas.records.Family` (or its JSON dict).
    """
    if not isinstance(fam, Family):
        fam = Family.from_json(fam)
    return fam.branch_rows()


def _eigenvalues(p) -> dict:
    """``{label: values}`` of a branch row (a :class:`BranchRow` or a JSON dict)."""
    if isinstance(p, BranchRow):
        return dict(p.eigenvalues or ())
    return p.get("eigenvalues", {})


def block_series(points) -> dict[str, np.ndarray]:
    """Eigenvalues of every block along a branch, one ``(len(points), width)`` array per block.

    Every block that occurs at *any* point is kept (a block can appear or
    vanish along a branch, e.g. where a real block size passes an integer at
    which an irrep exists), in the order of first appearance; a point where
    the block is absent, or has fewer eigenvalues than elsewhere, is padded
    with NaN (a gap in the plot), so no eigenvalue is dropped.
    """
    eig = [_eigenvalues(p) for p in points]
    labels: list[str] = []
    for e in eig:
        labels += [lab for lab in e if lab not in labels]
    out = {}
    for lab in labels:
        rows = [e.get(lab) or [] for e in eig]
        width = max(len(r) for r in rows)
        arr = np.full((len(points), width), np.nan)
        for i, r in enumerate(rows):
            arr[i, : len(r)] = r
        out[lab] = arr
    return out


def _save(fig, out: Path, stem: str, svg: bool) -> list[str]:
    names = [f"{stem}.png"]
    fig.savefig(out / names[0], dpi=110)
    if svg:
        names.append(f"{stem}.svg")
        fig.savefig(out / names[1])
    return names


def write_figures(atlas: Atlas | dict, out: Path, *, svg: bool = False) -> list[str]:
    """Bifurcation diagram, block eigenvalues per minimum family, spectra; returns file names.

    ``atlas`` is the typed record (:class:`~symbreak.atlas.Atlas`) or its JSON dict.
    """
    if not isinstance(atlas, Atlas):
        atlas = Atlas.from_json(atlas)
    from ..plotting import (
        bifurcation_diagram,
        block_eigenvalue_plot,
        require_matplotlib,
        spectrum_plot,
    )

    plt = require_matplotlib()
    out = Path(out)
    names: list[str] = []
    fams = atlas.families
    # bifurcation diagram
    series = []
    for f in fams:
        if f.loss > LOW_LOSS or f.kind == "global_minimum" or not f.minimum_window:
            continue
        pts = f.branch_rows()
        if len(pts) < 2:
            continue
        series.append(
            SimpleNamespace(
                label=f"{f.id} {f.isotropy}",
                k=[p.k for p in pts],
                loss=[p.loss for p in pts],
                index=[float(p.index) for p in pts],
                events=[SimpleNamespace(k=e.k, kind=e.kind, loss=e.loss) for e in f.events],
            )
        )
    ax = bifurcation_diagram(
        series, title="Families that are spurious minima somewhere (solid: index 0)"
    )
    names += _save(ax.figure, out, "bifurcation", svg)
    plt.close(ax.figure)
    # block eigenvalues for the families that are minima somewhere
    for f in fams:
        if f.kind == "global_minimum" or not f.minimum_window:
            continue
        pts = [p for p in f.branch_rows() if p.eigenvalues is not None]
        if len(pts) < 2:
            continue
        blocks = block_series(pts)
        ax = block_eigenvalue_plot(
            [p.k for p in pts],
            blocks,
            title=f"{f.id} ({f.isotropy}): eigenvalues of A_chi",
        )
        names += _save(ax.figure, out, f"blocks-{f.id}", svg)
        plt.close(ax.figure)
    # spectra at the chosen k
    for f in fams:
        sk = f.spectrum_at_k
        if sk is None:
            continue
        spec = Spectrum(
            entries=tuple(SpectrumEntry(e.value, e.multiplicity, e.irrep) for e in sk.spectrum),
            blocks=(),
        )
        ax = spectrum_plot(spec, title=f"{f.id} ({f.isotropy}) at k = {sk.k:g}")
        names += _save(ax.figure, out, f"spectrum-{f.id}", svg)
        plt.close(ax.figure)
    return names
