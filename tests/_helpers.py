"""Helpers shared by the tests (import as ``from _helpers import ...``)."""

from __future__ import annotations

import numpy as np

from symbreak import TeacherStudent
from symbreak._numerics import cluster_eigenvalues


def teacher_for(group) -> np.ndarray:
    """``I_k`` padded with zero columns to the group's ``d``."""
    n, d = group.shape
    k = int(round(group.k))
    V = np.zeros((k, d))
    V[:, :k] = np.eye(k)
    return V


def dense_model(group) -> TeacherStudent:
    return TeacherStudent(teacher_for(group), n=group.shape[0])


def spectrum_multiset(spectrum, tol=1e-7):
    """Distinct values with multiplicities summed over blocks (for dense comparison)."""
    vals = []
    for e in spectrum.entries:
        vals.extend([e.value] * int(e.multiplicity))
    return cluster_eigenvalues(vals, tol=tol)


TYPE_II_K6 = np.array([0.986704, -0.050413, 0.308011, 0.224516, -0.601512])


def index_owners(group):
    """(factor, local index) of every row and column, from row_indices/col_indices."""
    n, d = group.shape
    rows, cols = [None] * n, [None] * d
    for t in range(len(group.factors)):
        for x, i in enumerate(group.row_indices(t)):
            rows[i] = (t, x)
        for x, j in enumerate(group.col_indices(t)):
            cols[j] = (t, x)
    return rows, cols
