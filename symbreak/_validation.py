"""Input checks shared by the public entry points (clear errors, never NaN)."""

from __future__ import annotations

import numbers

import numpy as np

from .errors import DomainError, NotDifferentiableError

__all__ = [
    "as_matrix",
    "as_positive_int",
    "as_finite_real",
    "check_nonzero_rows",
    "renamed_keyword",
]


def as_matrix(x, name: str, *, shape: tuple[int | None, int | None] | None = None) -> np.ndarray:
    """Return ``x`` as a finite float matrix, or raise a message naming ``name``.

    Non-finite entries raise :class:`~symbreak.errors.DomainError` (a
    ``ValueError``): a point outside the domain, for instance a Newton
    iterate that diverged.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a 2-D array of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 2-D array of real numbers: {exc}") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got an array with {arr.ndim} dimension(s)")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name} must have shape {_fmt_shape(shape)}, got {arr.shape} "
                    f"(axis {axis}: expected {want}, got {got})"
                )
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise DomainError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)})"
        )
    return arr


def _fmt_shape(shape) -> str:
    return "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"


def check_nonzero_rows(arr: np.ndarray, name: str, *, what: str = "row") -> np.ndarray:
    """Raise :class:`~symbreak.errors.NotDifferentiableError` naming the first zero row.

    Returns the row norms.  The error is a ``ValueError`` (a subclass), so
    callers that validate input keep catching it.
    """
    norms = np.linalg.norm(arr, axis=1)
    zero = np.flatnonzero(norms == 0.0)
    if zero.size:
        raise NotDifferentiableError(
            f"{name} has a zero {what} (index {int(zero[0])}): the loss is not differentiable "
            f"there; perturb that {what} or remove the neuron"
        )
    return norms


def as_positive_int(x, name: str, *, minimum: int = 1) -> int:
    """Return ``x`` as an int ``>= minimum`` (bools rejected)."""
    if isinstance(x, bool):
        raise TypeError(f"{name} must be an integer, got {x!r}")
    if not isinstance(x, numbers.Integral):
        if isinstance(x, numbers.Real) and float(x).is_integer():
            x = int(x)
        else:
            raise TypeError(f"{name} must be an integer, got {x!r}")
    if x < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def as_coordinates(values, names, *, space: str, what: str = "coordinates") -> np.ndarray:
    """``values`` as a finite float vector with one entry per name in ``names``, or a clear error.

    ``space`` names where the coordinates live in the message (``"Fix(k-1,1)"``),
    ``what`` what they are (``"coordinates"``, ``"teacher coordinates"``).  Non-finite
    values raise :class:`~symbreak.errors.DomainError` (a ``ValueError``).
    """
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be real numbers, got {values!r}") from None
    if v.shape != (len(names),):
        raise ValueError(f"{space} has {len(names)} {what} {list(names)}, got {v.size} value(s)")
    if not np.all(np.isfinite(v)):  # a point outside the domain (e.g. a diverged iterate)
        raise DomainError(f"{what} must be finite, got {v.tolist()}")
    return v


def as_finite_real(x, name: str) -> float:
    """Return ``x`` as a finite float."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {x!r}")
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return x


_UNSET = object()


def renamed_keyword(old: str, old_value, new: str, new_value, default):
    """The value of a keyword that was renamed from ``old`` to ``new`` (old spelling deprecated).

    Returns ``new_value`` (or ``default`` when neither was given); passing the
    old spelling warns with a :class:`DeprecationWarning`, passing both is a
    ``TypeError``.
    """
    if old_value is _UNSET:
        return default if new_value is _UNSET else new_value
    if new_value is not _UNSET and new_value != default:
        raise TypeError(f"give {new}= only ({old}= is its deprecated spelling)")
    import warnings

    warnings.warn(
        f"the keyword {old}= is deprecated; use {new}= (d − k has one name: extra_dims)",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value
