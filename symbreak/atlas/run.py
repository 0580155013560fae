r"""The main job: the atlas of critical families of the teacher–student problem.

Stages (each a set of independent work units, cached in ``DIR/.cache``):

1. **search** every Young-type group with up to ``max_blocks`` blocks at each
   ``k`` of ``k_values`` — by default every integer ``k ≥ 3`` of ``k_range`` —
   until no new local minimum appears
   (:func:`~symbreak.critical.find_critical_points`);
2. **families**: every local minimum found, in the coordinates of the largest
   Young-type group fixing it, seeds a family (one per ``S_n × S_d`` orbit);
   going up in ``k``, a seed on the branch of an earlier family (the same
   orbit as the family's continued point at that ``k``) joins that family —
   families are merged by continuation, never by loss;
3. **continuation** of every new family over all of ``k_range`` with its
   events (:func:`~symbreak.continuation.continuation`), and the family at
   every integer ``k`` its branch passes (``at_integer_k``);
4. **over-parameterisation** of every spurious minimum
   (:func:`~symbreak.overparam.annihilation`);
5. ``atlas.json``, ``report.md`` and the plots.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import math
import multiprocessing
import signal
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .._numerics import same_loss_and_spectrum
from .._parallel import children_ignore_sigint, single_threaded_blas_env
from .._version import __version__
from ..errors import DomainError
from ..progress import Progress, ProgressUpdate, as_progress
from .options import AtlasOptions
from .records import (
    Annihilation,
    Atlas,
    AtlasEvent,
    Continuation,
    Family,
    SearchRecord,
    SpectrumAtK,
    SpectrumRow,
    Summary,
    Timing,
    UnitCounts,
)
from .store import UnitStore, write_json_atomic
from .tasks import (
    MIN_BLOCK,
    TASK_VERSION,
    UNIT_CODECS,
    annihilate_task,
    continue_task,
    search_task,
    spectrum_task,
)

__all__ = ["run_atlas", "family_key", "ATLAS_FORMAT", "ATLAS_VERSION"]

ATLAS_FORMAT = Atlas.FORMAT  # "symbreak-atlas"
ATLAS_VERSION = 1

def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_units(store, units, workers, stage, progress):
    """Run ``(name, fn, args)`` units (cached), in parallel if ``workers > 1``.

    Each unit returns a typed record; the cache holds its JSON
    (:data:`~symbreak.atlas.tasks.UNIT_CODECS`).  A fresh result goes through
    the same JSON round trip as a cached one, so a first run, a resumed run
    and a parallel run continue from identical records.  Results are returned
    in the order of ``units`` whatever the completion order.
    """
    results: dict[str, object] = {}
    todo = []
    for name, fn, args in units:
        hit = store.get(name)
        if hit is not None:
            results[name] = UNIT_CODECS[fn.__name__][1](hit)
        else:
            todo.append((name, fn, args))
    total = len(units)
    cached = total - len(todo)
    done = cached

    def finish(name, fn, res):
        encode, decode = UNIT_CODECS[fn.__name__]
        data = encode(res)
        store.put(name, data)
        results[name] = decode(json.loads(json.dumps(data)))

    if total:
        progress(ProgressUpdate(stage, done, total, {"cached": cached} if cached else {}))
    if workers > 1 and len(todo) > 1:
        # fresh interpreters with single-threaded BLAS: the units are small
        # linear algebra, and threaded BLAS in several processes on few cores
        # spins instead of computing
        ctx = multiprocessing.get_context("spawn")
        with single_threaded_blas_env():
            ex = cf.ProcessPoolExecutor(
                max_workers=workers, mp_context=ctx, initializer=_ignore_sigint
            )
        try:
            with children_ignore_sigint():  # workers are spawned by submit
                futs = {ex.submit(fn, *args): (name, fn) for name, fn, args in todo}
            for fut in cf.as_completed(futs):
                name, fn = futs[fut]
                finish(name, fn, fut.result())
                done += 1
                progress(ProgressUpdate(stage, done, total))
        except BaseException:
            # Ctrl-C or a failed unit: the finished units are stored; stop the rest now
            procs = list((getattr(ex, "_processes", None) or {}).values())
            ex.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                proc.terminate()
            raise
        ex.shutdown()
    else:
        for name, fn, args in todo:
            finish(name, fn, fn(*args))
            done += 1
            progress(ProgressUpdate(stage, done, total))
    return [results[name] for name, _, _ in units]


def _digest(*parts) -> str:
    """Short content hash: unit names identify their inputs, not their position."""
    blob = json.dumps(parts, sort_keys=True, default=float).encode()
    return hashlib.sha1(blob).hexdigest()[:12]


def _unit(prefix: str, fn, args: tuple):
    """A work unit named by its prefix and a hash of everything that determines it."""
    return (f"{prefix}-{_digest(fn.__name__, list(args), TASK_VERSION)}", fn, args)


@dataclass(frozen=True)
class Seed:
    """A local minimum found at an integer ``k``, in the coordinates of its exact isotropy.

    ``form`` is the canonical form of its ``S_n × S_d`` orbit (``None`` where
    it cannot be decided); it identifies seeds and is not part of any JSON.
    """

    isotropy: str
    stabiliser: str
    isotropy_order: int | None
    k0: float
    coords: tuple[float, ...]
    loss: float
    index: int | float
    kind: str
    spectrum: tuple[SpectrumRow, ...]
    found_in: str
    form: object = field(default=None, compare=False, repr=False)


def _pairs(spectrum) -> list[tuple]:
    return [(e.value, e.multiplicity) for e in spectrum]


def _same_point(p, q) -> bool:
    """Same loss and spectrum (values with multiplicities): the same point up to symmetry."""
    return same_loss_and_spectrum(p.loss, _pairs(p.spectrum), q.loss, _pairs(q.spectrum))


def _orbit_form(spec: str, k: float, coords, extra_dims: int):
    """Canonical form of the point's ``S_n × S_d`` orbit (None where not decidable)."""
    from ..critical.stabiliser import stabiliser_of_coords
    from ..reduced.fixed_point import FixedPointSpace
    from ..representation.isotropy import IsotropyGroup

    try:
        group = IsotropyGroup.from_spec(spec, k, d=k + extra_dims)
        return stabiliser_of_coords(FixedPointSpace(group), coords).form
    except DomainError:
        return None  # compared by loss and spectrum instead (_same_point)


def _seeds(searches: list[SearchRecord], extra_dims: int) -> dict[int, list[Seed]]:
    """Local minima (index 0, isolated) per integer ``k``, one per orbit, in their exact isotropy.

    A point found in several groups (a ``k-1,1`` point is also in
    ``Fix(k-2,1,1)``) is one seed; seeds are identified by the canonical form
    of their orbit, and sorted by loss, then spec (deterministic order).
    """
    by_k: dict[int, list[Seed]] = {}
    for s in searches:
        k = int(round(s.k))
        for p in s.points:
            if p.set_dimension > 0 or p.index != 0:
                continue
            spec = p.exact_isotropy or p.isotropy
            form = _orbit_form(spec, k, p.exact_coords, extra_dims)
            seeds = by_k.setdefault(k, [])
            if any(
                (form is not None and q.form is not None and form.same_orbit(q.form))
                or (form is None and _same_point(p, q))
                for q in seeds
            ):
                continue
            seeds.append(
                Seed(
                    isotropy=spec,
                    stabiliser=p.isotropy,
                    isotropy_order=p.isotropy_order,
                    k0=float(k),
                    coords=p.exact_coords,
                    loss=p.loss,
                    index=p.index,
                    kind=p.kind,
                    spectrum=p.spectrum,
                    found_in=s.isotropy,
                    form=form,
                )
            )
    for seeds in by_k.values():
        seeds.sort(key=lambda q: (round(q.loss, 9), q.isotropy, q.found_in))
    return by_k


def _owner(found: list[tuple[Seed, Continuation]], k: int, seed: Seed, extra_dims: int):
    """Position in ``found`` of the family whose branch passes through the seed's orbit at ``k``
    (by continuation), or ``None``."""
    if seed.form is None:
        return None
    for i, (fam, cont) in enumerate(found):
        for e in cont.at_integer_k:
            if e.k != k or abs(e.loss - seed.loss) > 1e-6 * max(1.0, seed.loss):
                continue
            form = _orbit_form(fam.isotropy, k, e.coords, extra_dims)
            if form is not None and form.same_orbit(seed.form):
                return i
    return None


def run_atlas(
    out_dir: str | Path = "symbreak-atlas",
    options: AtlasOptions | None = None,
    *,
    workers: int = 1,
    plots: bool = True,
    svg: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Compute (or reuse) the atlas and write ``atlas.json``, ``report.md`` and plots.

    Parameters
    ----------
    out_dir : path
        Output directory (created); ``out_dir/.cache`` keeps finished units so
        a second run reuses them and an interrupted run resumes.
    options : AtlasOptions
    workers : int
        Processes for independent units (results identical to the serial run).
    plots : bool
        Write the PNG plots (needs matplotlib).
    svg : bool
        Also write SVG versions.
    progress : callable or None
        Called with a :class:`~symbreak.progress.ProgressUpdate` after every
        work unit (stages ``"search"``, ``"continue k0=K"``,
        ``"over-parameterisation"``, ``"spectra"``); ``None``: silent.

    Returns
    -------
    dict
        The atlas (the content of ``atlas.json``); the typed record is
        ``Atlas.from_json(result)`` (:class:`~symbreak.atlas.Atlas`), which
        the engine builds and serialises.
    """
    opts = AtlasOptions() if options is None else options
    if not isinstance(opts, AtlasOptions):
        raise TypeError("options must be an AtlasOptions")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    progress = as_progress(progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store = UnitStore(out, opts.fingerprint(), opts.to_json())
    t_start = time.perf_counter()
    timing = {}

    # 1. search every group at every k --------------------------------------
    units = []
    for k in opts.search_ks:
        for spec in opts.specs_at(k):
            units.append(
                _unit(
                    f"search-{spec}-k{k}",
                    search_task,
                    (spec, k, opts.extra_dims, opts.starts, opts.seed, opts.patience),
                )
            )
    t = time.perf_counter()
    searches: list[SearchRecord] = _run_units(store, units, workers, "search", progress)
    timing["search_s"] = time.perf_counter() - t

    # 2. seeds: the local minima at each k, one per S_n × S_d orbit -----------
    seeds_by_k = _seeds(searches, opts.extra_dims)

    # 3. families: k ascending; a seed on a known family's branch joins it -----
    lo, hi = opts.k_range
    found: list[tuple[Seed, Continuation]] = []
    also: list[list[int]] = []  # also_found_at, per entry of found
    t = time.perf_counter()
    for k in sorted(seeds_by_k):
        new = []
        for seed in seeds_by_k[k]:
            owner = _owner(found, k, seed, opts.extra_dims)
            if owner is not None:
                also[owner].append(k)
            else:
                new.append(seed)
        units = [
            _unit(
                f"continue-{q.isotropy}-k{k}",
                continue_task,
                (q.isotropy, q.coords, float(k), lo, hi, opts.extra_dims, MIN_BLOCK),
            )
            for q in new
        ]
        conts = _run_units(store, units, workers, f"continue k0={k}", progress)
        for q, c in zip(new, conts):
            # a branch that turns in k passes k twice: its second seed is not new
            owner = _owner(found, k, q, opts.extra_dims)
            if owner is not None:
                also[owner].append(k)
                continue
            found.append((q, c))
            also.append([])
    timing["continuation_s"] = time.perf_counter() - t
    families = [
        _family(i, seed, cont, also[i], opts.extra_dims) for i, (seed, cont) in enumerate(found)
    ]

    # 4. over-parameterisation of the spurious minima ------------------------
    t = time.perf_counter()
    # where each family is a spurious minimum: at k0, or inside its minimum window
    spurious, units = [], []
    for i, f in enumerate(families):
        where = _annihilation_k(f)
        if where is None:
            continue
        refine = not math.isclose(where, f.k0)
        c = _coords_at(f, where) if refine else f.coords
        if c is None:
            continue
        spurious.append(i)
        units.append(
            _unit(
                f"annihilate-{f.isotropy}-k{where:g}",
                annihilate_task,
                (f.isotropy, c, where, opts.extra_dims, opts.max_extra, refine),
            )
        )
    ann = _run_units(store, units, workers, "over-parameterisation", progress)
    for i, a in zip(spurious, ann):
        # a family whose refined point is not a minimum after all is not analysed
        if isinstance(a, Annihilation):
            families[i] = replace(families[i], overparam=a)
    timing["overparam_s"] = time.perf_counter() - t

    # 5. spectra at spectrum_k for the minima (plots and report) ---------------
    ks = opts.spectrum_k
    spec_units = []
    owners = []
    for i, f in enumerate(families):
        if f.kind in ("spurious_minimum", "global_minimum"):
            c = _coords_at(f, ks)
            if c is not None:
                spec_units.append(
                    _unit(
                        f"spectrum-{f.isotropy}-k{ks:g}",
                        spectrum_task,
                        (f.isotropy, c, ks, opts.extra_dims),
                    )
                )
                owners.append((i, tuple(c)))
    spectra = _run_units(store, spec_units, workers, "spectra", progress)
    for (i, c), rows in zip(owners, spectra):
        families[i] = replace(families[i], spectrum_at_k=SpectrumAtK(k=ks, coords=c, spectrum=rows))

    atlas = Atlas(
        options=opts,
        families=tuple(families),
        summary=Summary.of(families, groups_searched=len(searches)),
        searched_k=tuple(opts.search_ks),
        symbreak_version=__version__,
        version=ATLAS_VERSION,
        fingerprint=opts.fingerprint(),
        searches=tuple(searches),
        timing=Timing(**timing, total_s=time.perf_counter() - t_start),
        units=UnitCounts(computed=store.misses, reused=store.hits),
    )
    if plots:
        from .figures import write_figures

        atlas = replace(atlas, figures=tuple(write_figures(atlas, out, svg=svg)))
    # the run time reported everywhere (report.md, the terminal) includes the plots
    atlas = replace(atlas, timing=replace(atlas.timing, total_s=time.perf_counter() - t_start))
    from .report import write_report

    data = atlas.to_json()
    write_json_atomic(out / "atlas.json", data)
    write_report(atlas, out / "report.md")
    return data


def _family(i: int, seed: Seed, cont: Continuation, also_found_at, extra_dims: int) -> Family:
    """The ``i``-th family (id ``F<i+1>``): its seed, its branch, events and minimum window."""
    events = _events(cont, extra_dims)
    return Family(
        id=f"F{i + 1}",
        key=family_key(seed.isotropy, seed.k0, seed.loss),
        isotropy=seed.isotropy,
        found_in=seed.found_in,
        k0=seed.k0,
        coords=seed.coords,
        loss=seed.loss,
        index=seed.index,
        kind=seed.kind,
        also_found_at=tuple(also_found_at),
        stabiliser=seed.stabiliser,
        isotropy_order=seed.isotropy_order,
        at_integer_k=cont.at_integer_k,
        spectrum=seed.spectrum,
        window=cont.window,
        # the family holds the events of both halves (with their loss), the halves do not
        down=None if cont.down is None else replace(cont.down, events=()),
        up=None if cont.up is None else replace(cont.up, events=()),
        events=events,
        minimum_window=_minimum_window(cont, events),
    )


def _events(cont: Continuation, extra_dims: int) -> tuple[AtlasEvent, ...]:
    """Events of both halves, sorted by k, each with the loss at the event."""
    from ..reduced import ReducedSystem
    from ..representation.isotropy import IsotropyGroup

    evs = []
    for part in cont.parts():
        for e in part.events:
            group = IsotropyGroup.from_spec(cont.isotropy, e.k, d=e.k + extra_dims)
            evs.append(replace(e, loss=ReducedSystem(group).loss(e.coords)))
    evs.sort(key=lambda e: e.k)
    return tuple(evs)


def _minimum_window(cont: Continuation, events) -> tuple[tuple[float, float], ...]:
    """Intervals of k where the family has index 0, with ends at the located events.

    Consecutive branch points of index 0 form an interval; an end that borders
    a point of positive index is moved to the event between them (where the
    index changes), so the ends carry the events' precision (|Δk| < 1e-10).
    """
    pts = sorted({(q.k, float(q.index)) for part in cont.parts() for q in part.points})
    out: list[list[float]] = []
    prev = None
    for k, idx in pts:
        if idx < 0.5:
            if out and prev is not None and prev[1] < 0.5:
                out[-1][1] = k
            else:
                lo = k
                if prev is not None:
                    cands = [e.k for e in events if prev[0] <= e.k <= k]
                    lo = min(cands) if cands else k
                out.append([lo, k])
        elif out and prev is not None and prev[1] < 0.5:
            cands = [e.k for e in events if prev[0] <= e.k <= k]
            if cands:
                out[-1][1] = max(cands)
        prev = (k, idx)
    # a lone branch point of index 0 (e.g. at an integer k where a block's size
    # makes some irreps vanish) is not an interval
    return tuple((a, b) for a, b in out if b > a)


def _annihilation_k(fam) -> float | None:
    """Where to analyse over-parameterisation: ``k0`` for a spurious minimum there, else the
    smallest integer ``k`` in the family's first minimum window (its midpoint if none)."""
    if fam.kind == "spurious_minimum":
        return fam.k0
    if fam.kind != "saddle" or not fam.minimum_window:
        return None
    a, b = fam.minimum_window[0]
    m = math.ceil(a + 1e-9)
    return float(m) if m <= b else 0.5 * (a + b)


def _coords_at(fam: Family, k: float):
    """The family's point at ``k``: its seed at ``k0``, else interpolated on its branch."""
    if math.isclose(fam.k0, k):
        return fam.coords
    for part in (fam.down, fam.up):
        if part is None or not part.points:
            continue
        pts = part.points
        for a, b in zip(pts, pts[1:]):
            if min(a.k, b.k) <= k <= max(a.k, b.k) and a.k != b.k:
                s = (k - a.k) / (b.k - a.k)
                return [(1 - s) * x + s * y for x, y in zip(a.coords, b.coords)]
    return None


def family_key(isotropy: str, k0: float, loss: float) -> str:
    """A family's citable key: its isotropy, the ``k`` where it was first found, its loss there.

    ``"k-1,1@6:0.02508058"`` is the type-II family.  Unlike the running id
    ``F<n>`` (families numbered by first ``k``, then loss), the key depends on
    nothing but the family itself, so it stays the same when a search or a new
    version finds more families.
    """
    return f"{isotropy}@{float(k0):g}:{float(loss):.7g}"
