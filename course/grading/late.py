"""Late work: due dates in the gradebook, and a late penalty nbgrader applies itself.

nbgrader compares each submission's ``timestamp.txt`` with the assignment's due date and asks a
late-submission plugin (``c.AssignLatePenalties.plugin_class``) for the penalty; its own plugin
knows only "none" and "zero". :class:`PercentPerDayPenalty` takes a share of the score per
started day late. Enable it in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "course.grading.late.PercentPerDayPenalty"
    c.PercentPerDayPenalty.percent_per_day = 10

Penalties are written by nbgrader autograde into the gradebook (``late_submission_penalty``),
so formgrader, ``nbgrader export`` and ``kosovo-course report`` all show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nbgrader.plugins import BasePlugin
from traitlets import Float

from course.grading.coursedir import Course, CourseError

DAY_SECONDS = 24 * 60 * 60


class PercentPerDayPenalty(BasePlugin):
    """Penalty: ``percent_per_day`` of the score for each started day late, at most the score."""

    percent_per_day = Float(
        10.0, help="Percent of the notebook's score taken per started day late (0-100)."
    ).tag(config=True)

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        """The points to take off ``score`` for a notebook ``total_seconds_late`` seconds late."""
        if total_seconds_late <= 0 or not score:
            return None
        days = math.ceil(total_seconds_late / DAY_SECONDS)
        share = min(1.0, days * max(0.0, self.percent_per_day) / 100)
        return round(score * share, 4)


def parse_due(text: str, tz: ZoneInfo) -> datetime:
    """A due date typed by an instructor ("2022-08-21 23:59", read in ``tz``), as UTC.

    Raises CourseError when it is not an ISO date and time.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CourseError(
            f"due date {text!r} is not a date and time: write it as 2022-08-21 23:59"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)


def set_due_date(course: Course, assignment: str, due: datetime) -> None:
    """Record the due date in the gradebook, where nbgrader's lateness check reads it."""
    from course.grading.engine import quiet_nbgrader

    naive_utc = due.astimezone(UTC).replace(tzinfo=None)  # nbgrader stores naive UTC
    with quiet_nbgrader(), course.gradebook() as gb:
        gb.update_or_create_assignment(assignment, duedate=naive_utc)


@dataclass(frozen=True)
class Late:
    """One late submission."""

    student: str
    seconds_late: float
    penalty: float

    def describe(self) -> str:
        """ "s001: 1 day 2 h late, -1.1 points"."""
        hours = round(self.seconds_late / 3600)
        days, hours = divmod(hours, 24)
        span = (f"{days} day{'s' if days != 1 else ''} " if days else "") + f"{hours} h"
        return f"{self.student}: {span} late, -{self.penalty:g} point(s)"


def late_submissions(course: Course, assignment: str) -> list[Late]:
    """Every submission of ``assignment`` after its due date, with nbgrader's penalty."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return []
        return sorted(
            (
                Late(
                    s.student.id,
                    float(s.total_seconds_late or 0),
                    float(s.late_submission_penalty or 0),
                )
                for s in a.submissions
                if (s.total_seconds_late or 0) > 0
            ),
            key=lambda x: x.student,
        )


def format_late(course: Course, assignment: str) -> str:
    """Lines for a summary: the due date and each late submission's penalty ("" if none)."""
    lates = late_submissions(course, assignment)
    if not lates:
        return ""
    lines = [f"Late ({len(lates)}), penalties from the gradebook:"]
    lines += [f"  {x.describe()}" for x in lates]
    return "\n".join(lines)
