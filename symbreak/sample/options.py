r"""The sampling protocol: options, per-run seeds and initial weights.

The default is the published experiment (Safran & Shamir 2018; Safran, Yehudai
& Shamir 2021; MATH.md §7): teacher ``V = I_k``, ``d = n = k``, initial
weights ``W₀`` with i.i.d. ``N(0, 1/k)`` entries, fixed step ``5/k`` and plain
gradient descent until ``‖∇L‖_F ≤ 10⁻¹²``.

Options change the step (``step_scale``: step ``= step_scale/k``), the
initialisation scale (``init_scale``: entries ``N(0, init_scale²/k)``), the
student width ``n = k + extra_rows`` and the input dimension
``d = k + extra_dims`` (teacher ``[I_k 0]``; ``extra_dims`` is the one name
of ``d − k`` everywhere, ``extra_cols`` its deprecated spelling).

Reproducibility
---------------
Run ``r`` at width ``k`` of a sweep with seed ``S`` draws its initial weights
from ``numpy.random.default_rng(SeedSequence(S, spawn_key=(k, r)))``, so a
run's start does not depend on which other runs, which ``k`` values, how many
workers or which executor the sweep uses.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import InitVar, asdict, dataclass

import numpy as np

from .._validation import _UNSET, as_finite_real, as_positive_int, renamed_keyword

__all__ = ["SampleOptions", "run_seed", "initial_weights", "teacher", "parse_k_values"]


def _positive(name: str, value) -> float:
    value = as_finite_real(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _nonnegative_int(name: str, value) -> int:
    return as_positive_int(value, name, minimum=0)


@dataclass(frozen=True)
class SampleOptions:
    r"""Options of :func:`symbreak.sample.sample` (validated at construction).

    Attributes
    ----------
    step_scale : float
        Step size ``η = step_scale / k`` (published: 5).
    init_scale : float
        ``W₀`` entries are i.i.d. ``N(0, init_scale²/k)`` (published: 1).
    gtol : float
        Convergence: ``‖∇L(W)‖_F ≤ gtol`` (published: 1e-12).
    extra_rows : int
        ``ℓ = n − k`` extra student neurons (published: 0).
    extra_dims : int
        ``d − k`` extra input dimensions; the teacher is ``[I_k 0]`` (published:
        0).  ``extra_cols=`` is its deprecated spelling (it warns), and the
        protocol JSON keeps an ``"extra_cols"`` copy for readers of older files.
    max_iter : int
        Gradient-descent iterations after which a run counts as not converged.
    newton : bool
        Use the Newton shortcut (it never changes a run's limit, see
        :mod:`symbreak.sample.descent`); ``False`` runs plain gradient descent
        all the way.
    newton_gtol : float
        Gradient norm below which gradient descent first tries the shortcut; a
        failed try is repeated each time the gradient norm has dropped by
        another factor ``newton_retry``.
    newton_retry : float
        See ``newton_gtol`` (> 1).
    chunk : int
        Runs per task.  Tasks are the unit of parallelism and of saving; a
        run's result does not depend on it, but it is part of the protocol
        record so that a resumed sweep uses the same tasks.
    """

    step_scale: float = 5.0
    init_scale: float = 1.0
    gtol: float = 1e-12
    extra_rows: int = 0
    extra_dims: int = 0
    max_iter: int = 1_000_000
    newton: bool = True
    newton_gtol: float = 1e-4
    newton_retry: float = 100.0
    chunk: int = 50
    extra_cols: InitVar[object] = _UNSET  # deprecated spelling of extra_dims

    def __post_init__(self, extra_cols):
        for name in ("step_scale", "init_scale", "gtol", "newton_gtol"):
            object.__setattr__(self, name, _positive(name, getattr(self, name)))
        object.__setattr__(self, "extra_rows", _nonnegative_int("extra_rows", self.extra_rows))
        dims = renamed_keyword("extra_cols", extra_cols, "extra_dims", self.extra_dims, 0)
        object.__setattr__(self, "extra_dims", _nonnegative_int("extra_dims", dims))
        object.__setattr__(self, "max_iter", as_positive_int(self.max_iter, "max_iter"))
        object.__setattr__(self, "chunk", as_positive_int(self.chunk, "chunk"))
        if not isinstance(self.newton, (bool, np.bool_)):
            raise TypeError(f"newton must be True or False, got {self.newton!r}")
        object.__setattr__(self, "newton", bool(self.newton))
        retry = _positive("newton_retry", self.newton_retry)
        if retry <= 1.0:
            raise ValueError(f"newton_retry must be > 1, got {retry}")
        object.__setattr__(self, "newton_retry", retry)

    def step(self, k: int) -> float:
        """The step size ``η = step_scale / k``."""
        return self.step_scale / k

    def shape(self, k: int) -> tuple[int, int]:
        """``(n, d) = (k + extra_rows, k + extra_dims)``."""
        return k + self.extra_rows, k + self.extra_dims

    @property
    def is_published(self) -> bool:
        """True for the published protocol (step 5/k, N(0, 1/k), n = d = k, gtol 1e-12)."""
        return (
            self.step_scale == 5.0
            and self.init_scale == 1.0
            and self.gtol == 1e-12
            and self.extra_rows == 0
            and self.extra_dims == 0
        )

    def to_json(self) -> dict:
        """The protocol record (the JSON ``protocol`` field)."""
        out = {}
        for key, value in asdict(self).items():
            if key == "extra_dims":  # the former name first, where it was, for older readers
                out["extra_cols"] = value
            out[key] = value
        out.update(
            teacher="I_k" if self.extra_dims == 0 else "[I_k 0]",
            n="k" if self.extra_rows == 0 else f"k+{self.extra_rows}",
            d="k" if self.extra_dims == 0 else f"k+{self.extra_dims}",
            step="5/k" if self.step_scale == 5.0 else f"{self.step_scale:g}/k",
            init=f"N(0, {self.init_scale:g}^2/k)" if self.init_scale != 1 else "N(0, 1/k)",
            stop=f"|grad L|_F <= {self.gtol:g}",
            published=self.is_published,
        )
        return out

    @classmethod
    def from_json(cls, data: dict) -> SampleOptions:
        """Inverse of :meth:`to_json` (extra descriptive fields are ignored).

        Files written before ``extra_dims`` was the one name of ``d − k`` carry
        only ``"extra_cols"``; it is read as ``extra_dims`` (no warning).
        """
        names = set(cls.__dataclass_fields__) - {"extra_cols"}
        kw = {key: value for key, value in data.items() if key in names}
        if "extra_dims" not in kw and "extra_cols" in data:
            kw["extra_dims"] = data["extra_cols"]
        return cls(**kw)


def parse_k_values(text) -> tuple[int, ...]:
    """``"10"``, ``"6,8,10"``, ``"6..20"`` or a mix (``"6..8,12"``) → sorted unique ints.

    Raises
    ------
    ValueError
        On anything else, or a ``k < 2``.
    """
    if isinstance(text, (list, tuple)):
        values = [as_positive_int(x, "k") for x in text]
    else:
        if not isinstance(text, str):
            raise TypeError(f"k values must be a string like '6..20' or a list, got {text!r}")
        values = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                raise ValueError(f"empty entry in k list {text!r} (write e.g. 6,8,10 or 6..20)")
            try:
                if ".." in part:
                    a, b = (int(x) for x in part.split(".."))
                    if b < a:
                        raise ValueError(f"range {part!r} is empty (write A..B with A <= B)")
                    values.extend(range(a, b + 1))
                else:
                    values.append(int(part))
            except ValueError as exc:
                if "empty" in str(exc):
                    raise
                raise ValueError(
                    f"cannot read k values {text!r}: write K, K1,K2,... or A..B with integers"
                ) from None
    if not values:
        raise ValueError("no k values given")
    bad = [k for k in values if k < 2]
    if bad:
        raise ValueError(f"k must be >= 2 (a teacher with at least two neurons), got {bad[0]}")
    return tuple(sorted(set(values)))


def run_seed(seed: int, k: int, run: int) -> np.random.SeedSequence:
    """The seed of run ``run`` at width ``k`` in a sweep with seed ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(int(seed), spawn_key=(int(k), int(run)))


def initial_weights(options: SampleOptions, k: int, seed: int, runs) -> np.ndarray:
    """``W₀`` of the given runs, shape ``(len(runs), n, d)``, entries ``N(0, init_scale²/k)``."""
    n, d = options.shape(k)
    sd = options.init_scale / math.sqrt(k)
    out = np.empty((len(runs), n, d))
    for i, r in enumerate(runs):  # one generator per run: independent of the batch
        out[i] = sd * np.random.default_rng(run_seed(seed, k, r)).standard_normal((n, d))
    return out


def teacher(options: SampleOptions, k: int) -> np.ndarray:
    """``V = [I_k 0]`` of shape ``(k, d)``."""
    V = np.zeros((k, k + options.extra_dims))
    V[:, :k] = np.eye(k)
    return V


def _extra_cols(self) -> int:
    """Deprecated spelling of :attr:`SampleOptions.extra_dims` (warns)."""
    warnings.warn(
        "SampleOptions.extra_cols is deprecated; use extra_dims (d − k has one name: extra_dims)",
        DeprecationWarning,
        stacklevel=2,
    )
    return self.extra_dims


# set after the dataclass is built: the InitVar above keeps ``extra_cols=`` in __init__
SampleOptions.extra_cols = property(_extra_cols)
