"""Symmetry-reduced (compressed) evaluation: cost independent of k, real block sizes."""

from .layout import Layout, layout_for
from .system import ReducedSystem
from .teacher import Teacher, TeacherSpace

__all__ = ["Layout", "ReducedSystem", "Teacher", "TeacherSpace", "layout_for"]
