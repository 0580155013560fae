"""Plain, versioned JSON and NPZ files for symbreak results.

Every file carries a *format* (``"symbreak.<kind>"``, e.g.
``"symbreak.branch"``) and an integer *version* of that format, next to the
payload::

    {"format": "symbreak.branch", "version": 1, "symbreak_version": "0.1.0",
     "data": {...}}

:func:`load_json` refuses a file of another kind, or of a version it does not
know, with a message that says what the file is.  Files are written
atomically (a temporary file in the same directory, then renamed), so an
interrupted run never leaves half a file behind.  NPZ files store the same
header as 0-d string arrays next to the arrays and are read with
``allow_pickle=False``.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import threading
from pathlib import Path

import numpy as np

from ._version import __version__

__all__ = [
    "save_json",
    "load_json",
    "save_npz",
    "load_npz",
    "to_jsonable",
    "write_json_atomic",
    "FORMAT_PREFIX",
]

FORMAT_PREFIX = "symbreak."
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValueError(
            f"kind must be a short lower-case name like 'branch' or 'atlas', got {kind!r}"
        )
    return kind


def _check_version(version) -> int:
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 1:
        raise ValueError(f"version must be a positive integer, got {version!r}")
    return int(version)


def to_jsonable(obj, *, where: str = "data"):
    """``obj`` with numpy arrays and scalars turned into lists and Python numbers.

    Raises
    ------
    ValueError
        On NaN or infinity (JSON has no such numbers; say what is missing
        with ``None`` instead).
    TypeError
        On objects that have no JSON form.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v, where=f"{where}.{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, where=f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist(), where=where)
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError(f"{where} is {obj}, which JSON cannot store")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"{where} has type {type(obj).__name__}, which has no JSON form")


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process's umask (read by setting and restoring it, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file and rename; the file gets the mode
    ``0o666 & ~umask`` that ``open(path, "w")`` would give it (``mkstemp``
    alone would leave it ``0o600``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json_atomic(path, data) -> Path:
    """Write plain JSON (no header) atomically: a temporary file, then a rename.

    A reader never sees a half-written file, so a crash loses at most the file
    being written.
    """
    path = Path(path)
    text = json.dumps(data, indent=1, allow_nan=False) + "\n"
    _atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
    return path


def save_json(path, kind: str, data, version: int) -> Path:
    """Write ``data`` as a versioned JSON document.

    Parameters
    ----------
    path : str or path-like
    kind : str
        Short lower-case name of what the file holds (``"branch"``).
    data : JSON-able
        Dicts, lists, strings, finite numbers, numpy arrays and scalars.
    version : int
        Version of the format of ``data`` (bump it when the layout changes).

    Returns
    -------
    pathlib.Path
    """
    kind = _check_kind(kind)
    version = _check_version(version)
    doc = {
        "format": FORMAT_PREFIX + kind,
        "version": version,
        "symbreak_version": __version__,
        "data": to_jsonable(data),
    }
    return write_json_atomic(path, doc)


def _check_header(path, fmt, version, kind: str, versions) -> int:
    want = FORMAT_PREFIX + kind
    if fmt != want:
        what = f"a {fmt!r} document" if isinstance(fmt, str) else "no 'format' field"
        raise ValueError(f"{path} holds {what}, expected {want!r} (is it the right file?)")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"{path} has no valid integer 'version' field")
    if version not in versions:
        newest = max(versions)
        if version > newest:
            raise ValueError(
                f"{path} is {want} version {version}, newer than this symbreak reads "
                f"(up to {newest}): upgrade symbreak"
            )
        raise ValueError(
            f"{path} is {want} version {version}, which this symbreak no longer reads "
            f"(it reads {sorted(versions)}): recompute it"
        )
    return version


def load_json(path, kind: str, *, versions=(1,)) -> tuple[dict, int]:
    """Read a document written by :func:`save_json`.

    Parameters
    ----------
    path : str or path-like
    kind : str
        The expected kind.
    versions : iterable of int
        Versions the caller can read.

    Returns
    -------
    data : object
        The payload.
    version : int
        Its format version.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not JSON, or holds another kind or an unknown version.
    """
    kind = _check_kind(kind)
    versions = tuple(_check_version(v) for v in versions)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a symbreak JSON file (not UTF-8 text)") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or "data" not in doc:
        raise ValueError(f"{path} is not a symbreak file (no 'format'/'version'/'data' fields)")
    version = _check_header(path, doc.get("format"), doc.get("version"), kind, versions)
    return doc["data"], version


def save_npz(path, kind: str, arrays: dict, version: int) -> Path:
    """Write numeric arrays to a compressed NPZ file with a format header.

    ``arrays`` maps names (not starting with ``__``) to array-likes of numbers
    or strings; object arrays are refused.
    """
    kind = _check_kind(kind)
    version = _check_version(version)
    if not isinstance(arrays, dict):
        raise TypeError("arrays must be a dict of name -> array")
    payload = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or name.startswith("__") or not name:
            raise ValueError(f"array names must be non-empty and not start with '__': {name!r}")
        arr = np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"array {name!r} has dtype object; store numbers or strings")
        payload[name] = arr
    payload["__format__"] = np.array(FORMAT_PREFIX + kind)
    payload["__version__"] = np.array(version)
    payload["__symbreak_version__"] = np.array(__version__)
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"NPZ files must end in .npz, got {path}")
    _atomic_write(path, lambda fh: np.savez_compressed(fh, **payload))
    return path


def load_npz(path, kind: str, *, versions=(1,)) -> tuple[dict, int]:
    """Read arrays written by :func:`save_npz`; returns ``(arrays, version)``."""
    kind = _check_kind(kind)
    versions = tuple(_check_version(v) for v in versions)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
    except (ValueError, OSError) as exc:
        raise ValueError(f"{path} is not a readable NPZ file: {exc}") from None
    fmt = arrays.pop("__format__", None)
    ver = arrays.pop("__version__", None)
    arrays.pop("__symbreak_version__", None)
    fmt = None if fmt is None else str(fmt)
    ver = None if ver is None else int(ver)
    version = _check_header(path, fmt, ver, kind, versions)
    return arrays, version
