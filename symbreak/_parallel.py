"""Helpers for running small linear algebra in several processes."""

from __future__ import annotations

import contextlib
import os
import signal
import threading

__all__ = ["BLAS_THREAD_VARS", "single_threaded_blas_env", "children_ignore_sigint"]

#: environment variables that set the thread count of the BLAS libraries numpy may use
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_blas_env():
    """Processes spawned inside see single-threaded BLAS; the parent's environment is restored.

    Work units made of small linear algebra gain nothing from threaded BLAS, and
    threaded BLAS in several processes on few cores spins instead of computing.
    Variables the user has set are kept.
    """
    saved = {v: os.environ.get(v) for v in BLAS_THREAD_VARS}
    try:
        for v in BLAS_THREAD_VARS:
            os.environ.setdefault(v, "1")
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


@contextlib.contextmanager
def children_ignore_sigint():
    """Processes started inside ignore Ctrl-C from birth; the parent's handler is restored.

    A terminal sends SIGINT to the whole process group.  A worker that is still
    starting up (before any initializer runs) would die with a traceback of its
    own; a process started while SIGINT is ignored ignores it for life (the
    disposition survives ``exec``, and Python then installs no handler), so the
    parent alone handles the interrupt.  Outside the main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
