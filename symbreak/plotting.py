"""Figures (matplotlib, the ``plot`` extra, imported lazily).

Every figure is a function taking an optional ``ax`` and returning the axes,
so it can be placed in a user's own layout.  Plotting is kept outside the
core: nothing else in symbreak imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "spectrum_plot",
    "bifurcation_diagram",
    "block_eigenvalue_plot",
    "perturbation_plot",
    "require_matplotlib",
]


def require_matplotlib():
    """Import ``matplotlib.pyplot`` (Agg backend when no display) or explain how to install it."""
    try:
        import matplotlib

        if (
            matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo")
            and not _has_display()
        ):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'symbreak[plot]'") from None
    return plt


def _has_display() -> bool:
    import os

    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _axes(ax, figsize=(7, 4.5)):
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def spectrum_plot(spectrum, *, ax=None, title: str | None = None):
    """Eigenvalue against multiplicity, one colour per irrep (log-scaled multiplicity).

    Parameters
    ----------
    spectrum : symbreak.spectrum.Spectrum
    ax : matplotlib Axes, optional
    title : str, optional
    """
    ax = _axes(ax)
    labels = []
    for e in spectrum.entries:
        if e.irrep not in labels:
            labels.append(e.irrep)
    cmap = require_matplotlib().get_cmap("tab10")
    for i, lab in enumerate(labels):
        pts = [
            (e.value, max(float(e.multiplicity), 1e-3)) for e in spectrum.entries if e.irrep == lab
        ]
        ax.scatter(
            [p[0] for p in pts], [p[1] for p in pts], color=cmap(i % 10), label=lab, s=36, zorder=3
        )
        for v, m in pts:
            ax.vlines(v, 1e-3 if m < 1 else 0.8, m, color=cmap(i % 10), lw=1, alpha=0.6)
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=1e-2)
    ax.axvline(0.0, color="k", lw=0.8, ls=":")
    ax.set_xlabel("Hessian eigenvalue λ")
    ax.set_ylabel("multiplicity (dim χ)")
    ax.legend(title="irrep χ", fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def bifurcation_diagram(branches: Sequence, *, ax=None, title: str | None = None):
    """Loss against k for every family; line style by index, events marked.

    Parameters
    ----------
    branches : sequence of objects with ``label``, ``k``, ``loss``, ``index``
        (arrays) and ``events`` (each with ``k``, ``kind`` and ``loss``).
    """
    import numpy as np

    ax = _axes(ax, figsize=(10, 5))
    cmap = require_matplotlib().get_cmap("tab20")
    for i, br in enumerate(branches):
        k = np.asarray(br.k, float)
        loss = np.asarray(br.loss, float)
        index = np.asarray(br.index, float)
        color = cmap(i % 20)
        # solid where index 0 (a minimum), dashed where a saddle
        is_min = index < 0.5
        for mask, style in ((is_min, "-"), (~is_min, "--")):
            # widen by one point so that the solid and dashed parts join
            grown = mask.copy()
            grown[1:] |= mask[:-1]
            grown[:-1] |= mask[1:]
            seg = np.where(grown, loss, np.nan)
            ax.plot(k, seg, ls=style, color=color, lw=1.6)
        ax.plot([], [], color=color, label=br.label)
        for ev in br.events:
            marker = {"fold": "s", "symmetry_breaking": "o"}.get(ev.kind, "x")
            ax.plot(ev.k, ev.loss, marker=marker, color=color, mec="k", ms=6, zorder=4)
    ax.set_xlabel("k (number of neurons, real)")
    ax.set_ylabel("loss")
    ax.plot([], [], "k-", label="index 0 (minimum)")
    ax.plot([], [], "k--", label="index > 0 (saddle)")
    ax.plot([], [], "ko", ls="", label="symmetry breaking")
    ax.plot([], [], "ks", ls="", label="fold")
    ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    return ax


def block_eigenvalue_plot(k, blocks: dict, *, ax=None, title: str | None = None):
    """Eigenvalues of every block ``A_χ`` against ``k`` (symlog scale).

    Parameters
    ----------
    k : array_like, shape (N,)
    blocks : dict
        ``label -> array (N, μ_χ)`` of eigenvalues along the branch.
    """
    import numpy as np

    ax = _axes(ax, figsize=(8, 5))
    cmap = require_matplotlib().get_cmap("tab10")
    k = np.asarray(k, float)
    for i, (lab, vals) in enumerate(blocks.items()):
        vals = np.asarray(vals, float)
        for j in range(vals.shape[1]):
            ax.plot(k, vals[:, j], color=cmap(i % 10), lw=1.2, label=lab if j == 0 else None)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("k")
    ax.set_ylabel("eigenvalues of A_χ")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def perturbation_plot(result, *, ax=None, title: str | None = None):
    """Hessian eigenvalues against ``ε`` along a perturbed-teacher branch, coloured by parent irrep.

    Every eigenvalue cluster of the symmetric point (``ε = 0``) is drawn in the
    colour of its isotypic block; its split eigenvalues follow the branch
    (:func:`symbreak.continuation.perturb.perturb`).  Events are marked by
    vertical lines.  A symlog eigenvalue axis shows the sign changes.

    Parameters
    ----------
    result : symbreak.continuation.perturb.PerturbationResult
    ax : matplotlib Axes, optional
    title : str, optional
    """
    import numpy as np

    ax = _axes(ax, figsize=(8, 5))
    cmap = require_matplotlib().get_cmap("tab10")
    eps = result.eps
    s = np.arange(eps.size)  # draw in branch order (a fold turns back in ε)
    colours: dict[str, int] = {}
    for cl in result.clusters:
        new = cl.irrep not in colours
        c = colours.setdefault(cl.irrep, len(colours))
        for j in range(cl.track.shape[1]):
            label = cl.irrep if (new and j == 0) else None
            ax.plot(eps[s], cl.track[s, j], color=cmap(c % 10), lw=1, label=label)
    for e in result.events:
        ax.axvline(e.eps, color="k", lw=0.8, ls="--")
    ax.axhline(0.0, color="k", lw=0.8, ls=":")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("ε (teacher V = I + εE)")
    ax.set_ylabel("Hessian eigenvalue")
    ax.legend(title="parent irrep", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
