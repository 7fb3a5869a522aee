"""Bring one student's scratch results into the real course (the coordinator's only writes)

Re-exported from store.py, where the code lives."""

from course.grading.store import (  # noqa: F401
    merge_student,
    replace_folder,
    sweep_partial,
)

__all__ = ["replace_folder", "sweep_partial", "merge_student"]
