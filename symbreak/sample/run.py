r"""A sampling sweep: many gradient-descent runs per ``k``, in parallel, resumable.

The runs of one ``k`` are cut into fixed chunks of ``options.chunk`` runs
(run numbers ``[c·chunk, (c+1)·chunk)``).  A chunk is the unit of work: it
draws each run's ``W₀`` from the run's own seed
(:func:`~symbreak.sample.options.run_seed`) and is saved as one file.  The
chunks of one ``k`` stream through one batch of in-flight runs
(:func:`~symbreak.sample.descent.descend_stream`): a finished run's place goes
to the next waiting run, so slow runs never iterate alone.  A run's arithmetic
does not depend on the other runs in the batch, so the serial loop, a process
pool (``workers``) and a Dask cluster (``scheduler``), which group the chunks
differently, compute identical numbers.

With ``out``, each finished chunk is written to
``out/chunks/k{k}_{start}_{stop}.npz`` (plain NPZ) as soon as it arrives, next
to ``out/protocol.json``; a sweep restarted with the same ``out`` loads the
chunks already there and computes only the missing ones (a different protocol
or seed in the same directory is refused).  At the end the limits of each
``k`` are classified (:mod:`symbreak.sample.classify`) and ``sample.json``,
``report.md`` and the two figures are written.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._parallel import children_ignore_sigint, single_threaded_blas_env
from .._validation import as_positive_int
from ..critical.search import SearchOptions
from ..io import load_json, load_npz, save_json, save_npz
from ..progress import Progress, ProgressUpdate, as_progress
from .classify import LimitClass, classify_limits
from .descent import DescentResult, descend_stream
from .options import SampleOptions, initial_weights, parse_k_values, teacher

__all__ = ["KResult", "SampleResult", "sample", "run_chunk", "run_chunks", "chunks_of"]

_CHUNK_KIND = "sample_chunk"
_PROTOCOL_KIND = "sample_protocol"
_RESULT_KIND = "sample"


def chunks_of(runs: int, chunk: int) -> list[tuple[int, int]]:
    """Run ranges ``[start, stop)`` of the chunks of a sweep with ``runs`` runs."""
    return [(s, min(s + chunk, runs)) for s in range(0, runs, chunk)]


def run_chunk(k: int, seed: int, start: int, stop: int, options: dict) -> dict:
    """Gradient descent for runs ``start … stop − 1`` at width ``k`` (one task).

    ``options`` is :meth:`SampleOptions.to_json` (plain data, so the task can be
    shipped to another process or machine).  Returns :meth:`DescentResult.arrays`.
    """
    [(_, arrays)] = run_chunks(k, seed, [(start, stop)], options)
    return arrays


def run_chunks(k: int, seed: int, ranges, options: dict) -> list[tuple[tuple[int, int], dict]]:
    """Gradient descent for several chunks at width ``k``, streamed through one batch.

    The runs of all chunks share one batch of in-flight runs
    (:func:`~symbreak.sample.descent.descend_stream`), so a chunk's slow runs
    overlap with the next chunk's runs instead of iterating alone.  Every run's
    result is the same as in :func:`run_chunk`.

    Returns
    -------
    list of ((start, stop), arrays)
        One entry per chunk, in the order of ``ranges``.
    """
    return sorted(_stream_chunks(k, seed, ranges, SampleOptions.from_json(options)))


def _stream_chunks(k: int, seed: int, ranges, opts: SampleOptions):
    """``((start, stop), arrays)`` for each chunk of ``ranges``, as each finishes."""
    groups = (((a, b), initial_weights(opts, k, seed, range(a, b))) for a, b in ranges)
    for (a, b), res in descend_stream(groups, teacher(opts, k), opts, step=opts.step(k)):
        yield (a, b), res.arrays()


def _task_groups(ranges: list, parts: int) -> list[list]:
    """``ranges`` cut into ``parts`` consecutive groups of near-equal size."""
    parts = max(1, min(parts, len(ranges)))
    size = -(-len(ranges) // parts)
    return [ranges[i:i + size] for i in range(0, len(ranges), size)]


@dataclass(frozen=True)
class KResult:
    """Outcome of the runs at one ``k``.

    Attributes
    ----------
    k, runs : int
    converged : int
        Runs with ``‖∇L‖_F ≤ gtol``.
    global_hits : int
        Runs that reached a global minimum.
    classes : tuple of LimitClass
        Distinct limits (orbits) with their runs, sorted by loss.
    iterations_mean, iterations_max : float, int
        Gradient-descent steps per run.
    newton_share : float
        Share of converged runs finished by the Newton shortcut.
    not_converged_runs : tuple of int
        Runs that hit ``max_iter`` or a zero row.
    """

    k: int
    runs: int
    converged: int
    global_hits: int
    classes: tuple[LimitClass, ...]
    iterations_mean: float
    iterations_max: int
    newton_share: float
    not_converged_runs: tuple[int, ...]

    @property
    def global_share(self) -> float:
        return self.global_hits / self.runs if self.runs else 0.0

    @property
    def spurious(self) -> tuple[LimitClass, ...]:
        return tuple(c for c in self.classes if c.kind == "spurious_minimum")

    def to_json(self) -> dict:
        return {
            "k": self.k,
            "runs": self.runs,
            "converged": self.converged,
            "global_hits": self.global_hits,
            "minima": [c.to_json() for c in self.classes],
            "global_share": self.global_share,
            "spurious_hits": sum(c.hits for c in self.spurious),
            "saddle_hits": sum(c.hits for c in self.classes if c.kind == "saddle"),
            "not_converged": len(self.not_converged_runs),
            "not_converged_runs": list(self.not_converged_runs),
            "iterations_mean": self.iterations_mean,
            "iterations_max": self.iterations_max,
            "newton_share": self.newton_share,
        }


@dataclass(frozen=True)
class SampleResult:
    """A sweep: its protocol and one :class:`KResult` per ``k``.

    Attributes
    ----------
    options : SampleOptions
    seed : int
    results : tuple of KResult
    cpu_seconds : float
        CPU time of this process (workers excluded).
    """

    options: SampleOptions
    seed: int
    results: tuple[KResult, ...]
    cpu_seconds: float = 0.0

    def protocol(self) -> dict:
        out = self.options.to_json()
        out.update(seed=self.seed, k=[r.k for r in self.results],
                   runs=max((r.runs for r in self.results), default=0))
        return out

    def to_json(self) -> dict:
        """``{"protocol": {...}, "results": [{k, runs, converged, global_hits, minima}, ...]}``."""
        return {"protocol": self.protocol(), "results": [r.to_json() for r in self.results]}

    def young_finding(self) -> dict:
        """Distinct spurious minima (over all ``k``) with and without Young-type stabiliser."""
        spurious = [(r.k, c) for r in self.results for c in r.spurious]
        known = [(k, c) for k, c in spurious if c.isotropy.young is not None]
        young = [(k, c) for k, c in known if c.isotropy.young]
        return {
            "spurious_minima": len(spurious),
            "young": len(young),
            "unknown": len(spurious) - len(known),
            "share": len(young) / len(known) if known else None,
            "non_young": [
                {"k": k, "loss": c.loss, "isotropy": c.isotropy.label,
                 "isotropy_order": c.isotropy.order, "hits": c.hits}
                for k, c in known if not c.isotropy.young
            ],
        }


class _Store:
    """Finished chunks of a sweep in ``out/chunks`` (NPZ), with the protocol in ``out``."""

    def __init__(self, out, options: SampleOptions, seed: int):
        self.dir = None if out is None else Path(out)
        if self.dir is None:
            return
        if self.dir.exists() and not self.dir.is_dir():
            raise ValueError(f"--out {self.dir} exists and is not a directory")
        proto = {"options": options.to_json(), "seed": seed}
        path = self.dir / "protocol.json"
        if path.exists():
            saved, _ = load_json(path, _PROTOCOL_KIND)
            if SampleOptions.from_json(saved["options"]) != options or saved["seed"] != seed:
                raise ValueError(
                    f"{self.dir} holds a sweep with another protocol or seed "
                    f"({saved['options']}, seed {saved['seed']}); use a new --out directory"
                )
        else:
            save_json(path, _PROTOCOL_KIND, proto, version=1)

    def _path(self, k, start, stop) -> Path:
        return self.dir / "chunks" / f"k{k:04d}_{start:07d}_{stop:07d}.npz"

    def get(self, k, start, stop) -> dict | None:
        if self.dir is None:
            return None
        path = self._path(k, start, stop)
        if not path.exists():
            return None
        arrays, _ = load_npz(path, _CHUNK_KIND)
        return arrays

    def put(self, k, start, stop, arrays: dict) -> None:
        if self.dir is not None:
            save_npz(self._path(k, start, stop), _CHUNK_KIND, arrays, version=1)


def _execute(ks, runs, seed, opts: SampleOptions, store: _Store, *, workers: int, scheduler,
             report) -> dict:
    """Run the chunks not in the store; returns ``{(k, start, stop): arrays}``.

    In this process the missing chunks of each ``k`` stream through one batch
    (:func:`run_chunks`) and each is saved as soon as its last run finishes.
    With workers or a cluster, the missing chunks of each ``k`` are cut into
    two groups per worker (process or Dask worker), each streamed by one task
    and saved when it returns.  A run's result never depends on the grouping.
    """
    results = {}
    todo = {}
    for kk in ks:
        for a, b in chunks_of(runs, opts.chunk):
            hit = store.get(kk, a, b)
            if hit is None:
                todo.setdefault(kk, []).append((a, b))
            else:
                results[(kk, a, b)] = hit
                report(kk, a, b, hit)

    def finish(kk, a, b, arrays):
        arrays = {name: np.asarray(x) for name, x in arrays.items()}
        store.put(kk, a, b, arrays)
        results[(kk, a, b)] = arrays
        report(kk, a, b, arrays)

    oj = opts.to_json()

    def tasks_for(n_workers):
        return [(kk, group) for kk, ranges in todo.items()
                for group in _task_groups(ranges, _GROUPS_PER_WORKER * n_workers)]

    if scheduler is not None and todo:
        from distributed import Client, as_completed

        client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        try:
            tasks = tasks_for(max(1, len(client.scheduler_info().get("workers", {}))))
            futs = {client.submit(run_chunks, kk, seed, group, oj, pure=False): kk
                    for kk, group in tasks}
            for fut in as_completed(futs):
                for (a, b), arrays in fut.result():
                    finish(futs[fut], a, b, arrays)
        finally:
            if client is not scheduler:
                client.close()
    elif workers > 1 and todo:
        tasks = tasks_for(workers)
        ctx = multiprocessing.get_context("spawn")
        with (single_threaded_blas_env(),
              cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex):
            with children_ignore_sigint():  # workers are spawned by submit
                futs = {ex.submit(run_chunks, kk, seed, group, oj): kk for kk, group in tasks}
            for fut in cf.as_completed(futs):
                for (a, b), arrays in fut.result():
                    finish(futs[fut], a, b, arrays)
    else:
        for kk, group in todo.items():
            for (a, b), arrays in _stream_chunks(kk, seed, group, opts):
                finish(kk, a, b, arrays)
    return results


#: tasks per worker and ``k`` in a parallel sweep: enough to balance the load,
#: few enough that each task's stream keeps its batch full
_GROUPS_PER_WORKER = 2


def sample(k, runs: int, *, seed: int = 0, options: SampleOptions | None = None,
           workers: int = 1, scheduler=None, out=None, progress: Progress | None = None,
           search: SearchOptions | None | bool = True, dense_max_k: int = 60) -> SampleResult:
    """Run the gradient-descent experiment at each ``k`` and classify every limit.

    Parameters
    ----------
    k : int, str or sequence of int
        Teacher widths: ``10``, ``"6,8,10"``, ``"6..20"`` or a list.
    runs : int
        Runs per ``k``.
    seed : int
        Sweep seed ``S``; run ``r`` at ``k`` uses ``SeedSequence(S, spawn_key=(k, r))``.
    options : SampleOptions, optional
        The protocol (default: the published one).
    workers : int
        Processes for the gradient descent (1: in this process).
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``) or a client; the
        chunks then run on the cluster (needs the ``dask`` extra).
    out : path, optional
        Directory for the resumable chunk files and the outputs.
    progress : callable, optional
        Receives :class:`~symbreak.progress.ProgressUpdate` (stage ``sample``:
        runs done of all runs; ``info``: ``k``, ``converged``).
    search : SearchOptions, bool or None
        Match families with :func:`~symbreak.critical.find_critical_points`
        (``True``: default options; ``False``/``None``: skip the matching).
    dense_max_k : int
        Dense Hessian spectrum up to this ``k``, analytic beyond.

    Returns
    -------
    SampleResult

    Raises
    ------
    ValueError, TypeError
        Bad ``k``, ``runs``, ``seed``, ``workers``, options or ``out``.
    """
    ks = parse_k_values(k if not isinstance(k, (int, np.integer)) else [int(k)])
    runs = as_positive_int(runs, "runs")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    workers = as_positive_int(workers, "workers")
    opts = SampleOptions() if options is None else options
    if not isinstance(opts, SampleOptions):
        raise TypeError(f"options must be a SampleOptions, got {type(opts).__name__}")
    if scheduler is not None and not isinstance(scheduler, str):
        try:
            from distributed import Client
        except ImportError:
            Client = ()  # noqa: N806
        if not isinstance(scheduler, Client):
            raise TypeError("scheduler must be an address string or a distributed.Client")
    if scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError(
                "--scheduler needs Dask distributed: pip install 'symbreak[dask]'"
            ) from None
    if search is True:
        search = SearchOptions()
    elif search is False:
        search = None
    report_progress = as_progress(progress)
    cpu0 = time.process_time()
    store = _Store(out, opts, seed)
    total = len(ks) * runs
    state = {"done": 0, "converged": 0}

    def report(kk, a, b, arrays):
        state["done"] += b - a
        state["converged"] += int(np.sum(arrays["status"] == "converged"))
        report_progress(ProgressUpdate(stage="sample", done=state["done"], total=total,
                                       info={"k": kk, "converged": state["converged"]}))

    chunks = _execute(ks, runs, seed, opts, store, workers=workers, scheduler=scheduler,
                      report=report)
    results = []
    for kk in ks:
        parts = [chunks[(kk, a, b)] for a, b in chunks_of(runs, opts.chunk)]
        arrays = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        res = DescentResult(**arrays)
        results.append(_k_result(kk, res, opts, search=search, dense_max_k=dense_max_k))
        report_progress(ProgressUpdate(stage="classify", done=len(results), total=len(ks)))
    out_result = SampleResult(options=opts, seed=seed, results=tuple(results),
                              cpu_seconds=time.process_time() - cpu0)
    if out is not None:
        from .report import write_outputs

        write_outputs(out_result, out)
    return out_result


def _k_result(k: int, res: DescentResult, opts: SampleOptions, *, search, dense_max_k) -> KResult:
    conv = res.status == "converged"
    classes = classify_limits(res.W, conv, k, teacher(opts, k), dense_max_k=dense_max_k,
                              search=search)
    return KResult(
        k=k,
        runs=len(res.status),
        converged=int(conv.sum()),
        global_hits=sum(c.hits for c in classes if c.kind == "global_minimum"),
        classes=tuple(classes),
        iterations_mean=float(res.iterations.mean()),
        iterations_max=int(res.iterations.max()),
        newton_share=float(res.newton[conv].mean()) if conv.any() else 0.0,
        not_converged_runs=tuple(int(r) for r in np.flatnonzero(~conv)),
    )


def load_result(path) -> dict:
    """The ``{"protocol", "results"}`` document saved in ``out/sample.json``."""
    data, _ = load_json(path, _RESULT_KIND)
    return data


__all__ += ["load_result"]
