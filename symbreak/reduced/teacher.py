r"""Teachers in a fixed-point space: ``V ∈ Fix(H) ⊂ M(k, d)`` by its orbit coordinates.

The loss ``L(W; V)`` is invariant under ``(π, ρ) ∈ S_n × S_d`` when
``P_π V P_ρ^T = V`` up to a permutation of the teacher's rows; for a Young-type
group ``H`` that is ``V ∈ Fix(H)`` (the diagonal factors act on the teacher's
rows and the matching columns together, the extra-column factors on columns;
extra student rows do not touch ``V``).  So a teacher that is itself
invariant under ``H`` — for example ``V = I + εE`` with ``E ∈ Fix(H)``, a
teacher with two row norms — keeps the symmetry ``H`` of the student problem,
and the compressed model on ``Fix(H)`` (cost independent of ``k``, real ``k``)
applies with that teacher (:mod:`symbreak.reduced.layout`, explicit teacher
rows).

Coordinates of ``V`` are those of ``Fix(H)`` whose row block is a diagonal
factor, in the order of :class:`~symbreak.reduced.fixed_point.FixedPointSpace`
(:func:`~symbreak.reduced.layout.teacher_coordinate_keys`); with no extra
student rows (``n = k``) that is all of ``Fix(H)``: for ``Δ(S_{k−1}×S_1)``
``[a, b, c, e, f] = [V_ii (i<k), V_ij (i≠j<k), V_ik, V_kj, V_kk]``.  The
identity teacher ``[I_k 0]`` has ``1`` on every ``d{a}`` (diagonal)
coordinate and ``0`` elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._validation import as_coordinates
from ..representation.isotropy import IsotropyGroup
from .fixed_point import FixedPointSpace
from .layout import teacher_coordinate_keys

__all__ = ["TeacherSpace", "Teacher"]


@dataclass(frozen=True)
class TeacherSpace:
    """``Fix(H) ∩ M(k, d)``: the coordinates of teachers invariant under ``H``.

    Attributes
    ----------
    group : IsotropyGroup
    keys : tuple of (int, int, str)
        ``(row block, column block, pattern)`` per coordinate (row blocks are
        diagonal factors).
    """

    group: IsotropyGroup

    @cached_property
    def keys(self) -> tuple[tuple[int, int, str], ...]:
        return teacher_coordinate_keys(self.group)

    @cached_property
    def _positions(self) -> np.ndarray:
        """Index of each teacher coordinate among the coordinates of ``Fix(H)``."""
        space = FixedPointSpace(self.group)
        where = {key: i for i, key in enumerate(space.keys)}
        return np.array([where[key] for key in self.keys], dtype=int)

    @property
    def dim(self) -> int:
        return len(self.keys)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Coordinate names (those of :class:`FixedPointSpace`)."""
        names = FixedPointSpace(self.group).names
        return tuple(names[i] for i in self._positions)

    def orbit_sizes(self) -> np.ndarray:
        """Entries of ``V`` per coordinate (polynomials in the block sizes)."""
        return FixedPointSpace(self.group).orbit_sizes()[self._positions]

    def identity(self) -> np.ndarray:
        """Coordinates of ``[I_k 0]``: 1 on the diagonal coordinates, 0 elsewhere."""
        return np.array([1.0 if pat == "diag" else 0.0 for _, _, pat in self.keys])

    def check(self, coords) -> np.ndarray:
        """``coords`` as a float vector of length ``dim``, or a clear error."""
        return as_coordinates(coords, self.names, space=f"a teacher in Fix({self.group.name})")

    def embed(self, coords) -> np.ndarray:
        """The dense ``k × d`` teacher (integer sizes only)."""
        v = self.check(coords)
        full = np.zeros(FixedPointSpace(self.group).dim)
        full[self._positions] = v
        k = int(round(self.group.k))
        return FixedPointSpace(self.group).embed(full)[:k]

    def project(self, V) -> np.ndarray:
        """Orbit averages of a dense ``k × d`` teacher (orthogonal projection onto the space)."""
        g = self.group
        n, d = g.shape
        k = int(round(g.k))
        V = np.asarray(V, dtype=float)
        if V.shape != (k, d):
            raise ValueError(f"the teacher must have shape (k, d) = ({k}, {d}), got {V.shape}")
        padded = np.zeros((n, d))
        padded[:k] = V
        return FixedPointSpace(g).project(padded)[self._positions]


@dataclass(frozen=True)
class Teacher:
    """A teacher ``V ∈ Fix(H) ⊂ M(k, d)`` given by its orbit coordinates.

    Parameters
    ----------
    group : IsotropyGroup
        ``H``; its block sizes may be real.
    coords : tuple of float
        Coordinates in :class:`TeacherSpace` order (checked: length, finite).

    Examples
    --------
    >>> from symbreak.representation import IsotropyGroup
    >>> from symbreak.reduced.teacher import Teacher
    >>> g = IsotropyGroup.from_spec("k-1,1", 6.5)
    >>> V = Teacher.identity(g).perturbed([0, 0, 0, 0, 1.0], 0.1)  # V_kk = 1.1
    >>> V.coords
    (1.0, 0.0, 0.0, 0.0, 1.1)
    """

    group: IsotropyGroup
    coords: tuple[float, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.group, IsotropyGroup):
            raise TypeError(f"group must be an IsotropyGroup, got {type(self.group).__name__}")
        v = TeacherSpace(self.group).check(self.coords)
        object.__setattr__(self, "coords", tuple(float(x) for x in v))

    @classmethod
    def identity(cls, group: IsotropyGroup) -> Teacher:
        """``V = [I_k 0]``."""
        return cls(group, tuple(TeacherSpace(group).identity()))

    @classmethod
    def from_dense(cls, group: IsotropyGroup, V, *, atol: float = 1e-12) -> Teacher:
        """The teacher of a dense ``k × d`` matrix in ``Fix(H)`` (checked within ``atol``)."""
        space = TeacherSpace(group)
        v = space.project(V)
        err = float(np.max(np.abs(space.embed(v) - np.asarray(V, dtype=float))))
        if err > atol:
            raise ValueError(
                f"the teacher is not invariant under {group.name} (it differs from its orbit "
                f"averages by {err:.3g}); give a teacher in Fix({group.name})"
            )
        return cls(group, tuple(v))

    @property
    def space(self) -> TeacherSpace:
        return TeacherSpace(self.group)

    @property
    def array(self) -> np.ndarray:
        """The coordinates as a float array."""
        return np.array(self.coords)

    @property
    def is_identity(self) -> bool:
        return bool(np.array_equal(self.array, self.space.identity()))

    def perturbed(self, direction, eps: float) -> Teacher:
        """``V + εE`` for ``E`` given by its coordinates in the same space."""
        e = self.space.check(direction)
        return Teacher(self.group, tuple(self.array + float(eps) * e))

    def at(self, group: IsotropyGroup) -> Teacher:
        """The same coordinates for another group of the same structure (e.g. another k)."""
        if teacher_coordinate_keys(group) != self.space.keys:
            raise ValueError(
                f"the teacher's coordinates belong to Fix({self.group.name}), not to "
                f"Fix({group.name})"
            )
        return Teacher(group, self.coords)

    def dense(self) -> np.ndarray:
        """The dense ``k × d`` matrix (integer sizes only)."""
        return self.space.embed(self.coords)
