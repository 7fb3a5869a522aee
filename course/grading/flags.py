"""Submissions that need the instructor's eye, kept in ``reports/<assignment>/flags.csv``

Re-exported from store.py, where the code lives."""

from course.grading.store import (  # noqa: F401
    COLUMNS,
    KINDS,
    Flag,
    read_flags,
    replace_student_flags,
    write_flags,
)

__all__ = ["COLUMNS", "KINDS", "Flag", "read_flags", "write_flags", "replace_student_flags"]
