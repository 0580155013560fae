"""Closed-form teacher–student model: kernel, dense model, symbolic expressions."""

from .teacher_student import TeacherStudent

__all__ = ["TeacherStudent"]
