"""Symmetry-reduced (compressed) evaluation: cost independent of k, real block sizes."""

from .layout import Layout, layout_for
from .system import ReducedSystem

__all__ = ["Layout", "ReducedSystem", "layout_for"]
