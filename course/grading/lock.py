"""The course's grading lock: one writer of submitted/, autograded/ and the gradebook at a time."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from course.grading.coursedir import Course, CourseError


@contextmanager
def course_lock(course: Course, doing: str = "grade") -> Iterator[None]:
    """Hold the lock while ``doing``; a second holder gets a CourseError at once, not a wait.

    ``grade`` treats any change to a submitted folder during its run as tampering, so
    ``collect`` takes the same lock: a collection and a grading run never overlap.
    """
    course.reports_dir.mkdir(parents=True, exist_ok=True)
    path = course.reports_dir / ".grade.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseError(
                f"another kosovo-course grade or collect is running on {course.root}; "
                f"run {doing} again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
