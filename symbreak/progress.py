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
        Draw nothing; by default bars are drawn only when ``stream`` is a terminal,
        and one line per finished stage is written otherwise.
    """

    def __init__(self, stream=None, *, disable: bool | None = None):
        self._stream = sys.stderr if stream is None else stream
        if disable is None:
            disable = not getattr(self._stream, "isatty", lambda: False)()
        self._disable = disable
        self._bars: dict[str, object] = {}

    def __call__(self, update: ProgressUpdate) -> None:
        if self._disable:
            if update.total is not None and update.done >= update.total:
                extra = "".join(f", {k} {v}" for k, v in update.info.items())
                print(f"[{update.stage}] {update.done}/{update.total} done{extra}",
                      file=self._stream, flush=True)
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

    def close(self) -> None:
        """Close every open bar (for example after an interruption)."""
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
