r"""One progress protocol for the whole package.

Library code never prints.  A long computation accepts ``progress=`` — any
callable taking one :class:`ProgressUpdate` — and calls it after each unit of
work.  The command line passes a :class:`TqdmProgress`, which draws one bar
per stage on standard error with the elapsed time and an estimate of the time
left; tests pass a list's ``append``; ``None`` means silence.

Examples
--------
>>> seen = []
>>> report = as_progress(seen.append)
>>> report(ProgressUpdate(stage="search", done=1, total=4))
>>> seen[0].fraction
0.25
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ProgressUpdate", "Progress", "as_progress", "TqdmProgress"]


@dataclass(frozen=True)
class ProgressUpdate:
    """The state of one stage of a long computation.

    Attributes
    ----------
    stage : str
        Name of the stage (``"search"``, ``"continuation"``, ``"sample k=10"``, ...).
    done : int
        Units finished so far in this stage (``0 <= done <= total``).
    total : int or None
        Units in this stage, if known.
    info : dict
        Extra counters shown next to the bar (for example ``{"converged": 17}``).
    """

    stage: str
    done: int
    total: int | None = None
    info: dict = field(default_factory=dict)

    @property
    def fraction(self) -> float | None:
        """``done / total``, or ``None`` when the total is unknown or zero."""
        if not self.total:
            return None
        return self.done / self.total


#: the progress protocol: a callable receiving one :class:`ProgressUpdate`
Progress = Callable[[ProgressUpdate], None]


def _silent(update: ProgressUpdate) -> None:  # noqa: ARG001 - protocol signature
    return None


def as_progress(progress: Progress | None) -> Progress:
    """``progress`` itself, or a callable that does nothing when it is ``None``.

    Raises
    ------
    TypeError
        If ``progress`` is neither ``None`` nor callable.
    """
    if progress is None:
        return _silent
    if not callable(progress):
        raise TypeError(f"progress must be a callable or None, got {type(progress).__name__}")
    return progress


class TqdmProgress:
    """Draw each stage as a ``tqdm`` bar on standard error (time left included).

    Parameters
    ----------
    stream : file-like, optional
        Where to draw (default ``sys.stderr``).
    disable : bool, optional
        No bars; by default bars are drawn only when ``stream`` is a terminal.
        Without bars (a log file, a pipe) one line is written per finished
        stage, and a stage that runs long writes a status line at most every
        ``interval`` seconds: ``[stage] done/total, about T left`` with ``T``
        extrapolated from the stage's rate so far.
    interval : float
        Seconds between the status lines of a running stage without bars.
    clock : callable, optional
        Monotonic clock in seconds (``time.monotonic``; tests pass their own).
    """

    def __init__(self, stream=None, *, disable: bool | None = None, interval: float = 60.0,
                 clock=time.monotonic):
        self._stream = sys.stderr if stream is None else stream
        if disable is None:
            disable = not getattr(self._stream, "isatty", lambda: False)()
        self._disable = disable
        self._bars: dict[str, object] = {}
        self._interval = float(interval)
        self._clock = clock
        self._started: dict[str, tuple[float, int, float]] = {}  # stage: (t0, done0, last line)

    def __call__(self, update: ProgressUpdate) -> None:
        if self._disable:
            self._line(update)
            return
        from tqdm import tqdm

        bar = self._bars.get(update.stage)
        if bar is None:
            bar = tqdm(total=update.total, desc=update.stage, file=self._stream,
                       leave=True, dynamic_ncols=True)
            self._bars[update.stage] = bar
        if update.total is not None and bar.total != update.total:
            bar.total = update.total
        bar.n = update.done
        if update.info:
            bar.set_postfix(update.info, refresh=False)
        bar.refresh()
        if update.total is not None and update.done >= update.total:
            bar.close()
            del self._bars[update.stage]

    def _line(self, update: ProgressUpdate) -> None:
        """Without bars: a line per finished stage, and a status line every ``interval`` s."""
        extra = "".join(f", {k} {v}" for k, v in update.info.items())
        if update.total is not None and update.done >= update.total:
            self._started.pop(update.stage, None)
            print(f"[{update.stage}] {update.done}/{update.total} done{extra}",
                  file=self._stream, flush=True)
            return
        now = self._clock()
        t0, done0, last = self._started.setdefault(update.stage, (now, update.done, now))
        if now - last < self._interval:
            return
        self._started[update.stage] = (t0, done0, now)
        total = "" if update.total is None else f"/{update.total}"
        left = ""
        rate = (update.done - done0) / (now - t0) if now > t0 else 0.0
        if update.total is not None and rate > 0:
            left = f", about {_duration((update.total - update.done) / rate)} left"
        print(f"[{update.stage}] {update.done}{total}{left}{extra}", file=self._stream,
              flush=True)

    def close(self) -> None:
        """Close every open bar (for example after an interruption)."""
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _duration(seconds: float) -> str:
    """``"42 s"``, ``"7 min"`` or ``"2.5 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
