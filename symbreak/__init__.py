"""symbreak: equivariant bifurcation and symmetry-breaking analysis of loss landscapes."""

from ._version import __version__
from .model import TeacherStudent

__all__ = ["__version__", "TeacherStudent"]
