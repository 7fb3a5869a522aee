"""The course's grading lock: one writer of submitted/, autograded/ and the gradebook at a time

Re-exported from store.py, where the code lives."""

from course.grading.store import (  # noqa: F401
    course_lock,
)

__all__ = ["course_lock"]
