"""Whether each student's grade for an assignment is current, and if not, why not.

A grade in the gradebook is the grade of the submission that was last graded *successfully*.
When a newer submission could not be graded, or the student submitted again since, or the
assignment was re-released, that grade is no longer the student's current grade. Everything
that prints a grade (report, feedback, exports) asks here first, so no stale grade is shown as
current without saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from course.grading.coursedir import Course
from course.grading.flags import explain, read_flags
from course.grading.state import load_state

GRADED = "graded"
UNGRADED = "ungraded"  # submitted, but there is no grade of the newest submission
STALE = "stale"  # graded, but the submission or the assignment changed since
MISSING = "missing"  # no submission at all

# State statuses that mean "the newest submission has no grade" (sandbox: "failed").
NOT_GRADED_STATES = frozenset({"failed", "flagged"})


@dataclass(frozen=True)
class Standing:
    """One student's standing on one assignment."""

    student: str
    status: str  # GRADED, UNGRADED, STALE or MISSING
    reason: str = ""  # empty when graded

    @property
    def current(self) -> bool:
        """Whether the gradebook's score is the grade of the student's newest submission."""
        return self.status == GRADED


def question_label(grade_id: str) -> str:
    """How a question is named to people: "t1-5" -> "Q1.5", "w1-outlet" -> "W1"; else as is."""
    m = re.fullmatch(r"t(\d+)-(\d+)", grade_id)
    if m:
        return f"Q{m[1]}.{m[2]}"
    m = re.fullmatch(r"w(\d+)(?:-.*)?", grade_id)
    if m:
        return f"W{m[1]}"
    return grade_id


def _flag_reason(reports: Path, student: str) -> str:
    flags = [f for f in read_flags(reports / "flags.csv") if f.student_id == student]
    return "; ".join(explain(f) for f in flags)


def standing(
    course: Course,
    assignment: str,
    student: str,
    *,
    in_gradebook: bool,
    release_digest: str | None = None,
) -> Standing:
    """The standing of one student (``in_gradebook``: the gradebook has a submission)."""
    from course.grading.scratch import tree_digest

    reports = course.assignment_reports(assignment)
    folder = course.step_dir("submitted", student, assignment)
    state = load_state(reports, student)
    if not folder.is_dir():
        if in_gradebook:
            return Standing(student, GRADED)  # graded, then the submitted folder was archived
        return Standing(student, MISSING, "no submission")
    if state is None:
        if in_gradebook:
            return Standing(student, GRADED)  # graded by stock nbgrader autograde
        return Standing(
            student, UNGRADED, f"not graded yet: run `kosovo-course grade {assignment}`"
        )
    if state.status in NOT_GRADED_STATES:
        why = state.reason or _flag_reason(reports, student) or "its grading failed"
        return Standing(student, UNGRADED, f"the newest submission could not be graded: {why}")
    if state.digest and state.digest != tree_digest(folder):
        return Standing(
            student,
            STALE,
            f"submitted again after grading: run `kosovo-course grade {assignment}`",
        )
    if release_digest and state.release_digest and state.release_digest != release_digest:
        return Standing(
            student,
            STALE,
            f"graded against an earlier release of {assignment}: run "
            f"`kosovo-course grade {assignment}`",
        )
    return Standing(student, GRADED)


def standings(course: Course, assignment: str) -> dict[str, Standing]:
    """Every student in the gradebook or with a submitted folder, by id."""
    from nbgrader.api import MissingEntry

    from course.grading.release import release_digest

    submitted = course.step_dir("submitted")
    on_disk = (
        {p.name for p in submitted.iterdir() if (p / assignment).is_dir()}
        if submitted.is_dir()
        else set()
    )
    with course.gradebook() as gb:
        students = {s.id for s in gb.students}
        try:
            graded = {s.student.id for s in gb.find_assignment(assignment).submissions}
        except MissingEntry:
            graded = set()
    digest = release_digest(course, assignment)
    return {
        s: standing(course, assignment, s, in_gradebook=s in graded, release_digest=digest)
        for s in sorted(students | on_disk)
    }
