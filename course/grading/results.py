"""Move one student's autograde results from a scratch gradebook into the real one.

``nbgrader autograde`` writes, per student: the student row (created if missing), the
submission and its timestamp, and for each submitted notebook its late penalty, each grade's
``auto_score`` and ``needs_manual_grade`` and each comment's ``auto_comment``. Nothing else
(manual scores, extra credit, extensions, flags) is touched by autograding, so exactly these
fields are extracted from the scratch gradebook and applied to the real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbgrader.api import Gradebook


def extract(gb: Gradebook, assignment: str, student: str) -> dict[str, Any] | None:
    """The autograde-written fields of one submission, or None if autograde made none."""
    from nbgrader.api import Course as CourseRow
    from nbgrader.api import MissingEntry

    # nbgrader's preprocessors open Gradebook(db_url) without a course id, which creates a
    # "default_course" row; carrying the course rows over keeps the real gradebook identical.
    courses = sorted(c.id for c in gb.db.query(CourseRow).all())
    try:
        gb.find_student(student)
    except MissingEntry:
        return None
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        return {"student": student, "courses": courses, "submission": None}
    notebooks: dict[str, Any] = {}
    for nb in submission.notebooks:
        notebooks[nb.name] = {
            "late_submission_penalty": nb.late_submission_penalty,
            "grades": {
                g.name: {"auto_score": g.auto_score, "needs_manual_grade": g.needs_manual_grade}
                for g in nb.grades
            },
            "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
        }
    ts = submission.timestamp
    return {
        "student": student,
        "courses": courses,
        "submission": {
            "timestamp": ts.isoformat() if ts is not None else None,
            "notebooks": notebooks,
        },
    }


@contextmanager
def one_transaction(gb: Gradebook) -> Iterator[None]:
    """Make a run of Gradebook calls one transaction: all applied, or none.

    nbgrader's helpers (``update_or_create_submission`` ...) commit after each step; a grader
    killed half way would leave a submission without scores. Inside this block their commits
    only flush, and the single real commit comes at the end.

    Autoflush is off inside the block, so the session flushes only where nbgrader commits.
    ``Gradebook.add_submission`` builds the submission, its notebooks and their grades attached to
    rows already in the session and adds them with one ``db.add`` at the end; with autoflush on,
    the lazy loads on the way (``assignment.notebooks``) flushed the half-built objects first,
    and SQLAlchemy warned "not in session, add operation ... will not proceed" (SAWarning).
    """
    session = gb.db
    real_commit = session.commit
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        with session.no_autoflush:
            yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    else:
        del session.commit
        real_commit()


def apply(gb: Gradebook, assignment: str, record: dict[str, Any]) -> None:
    """Write one student's extracted autograde fields into ``gb`` in a single transaction."""
    student = record["student"]
    sub = record.get("submission")
    with one_transaction(gb):
        for course_id in record.get("courses", []):
            gb.check_course(course_id=course_id)
        # As Autograde.init_assignment does: no keyword arguments, so the roster's names stay.
        gb.update_or_create_student(student)
        if sub is None:
            return
        if sub["timestamp"] is not None:
            submission = gb.update_or_create_submission(
                assignment, student, timestamp=sub["timestamp"]
            )
        else:
            submission = gb.update_or_create_submission(assignment, student)
        # The submission's notebooks, grades and comments are already in the session (nbgrader
        # just built or loaded them): walking them costs no query, where find_grade and
        # find_comment ran a six-table join per cell (most of the coordinator's merge time).
        notebooks = {n.name: n for n in submission.notebooks}
        for nb_name, nb in sub["notebooks"].items():
            notebook = _entry(notebooks, nb_name, f"notebook {assignment}/{nb_name} of {student}")
            notebook.late_submission_penalty = nb["late_submission_penalty"]
            grades = {g.name: g for g in notebook.grades}
            for cell, fields in nb["grades"].items():
                grade = _entry(grades, cell, f"grade {assignment}/{nb_name}/{cell} of {student}")
                grade.auto_score = fields["auto_score"]
                grade.needs_manual_grade = fields["needs_manual_grade"]
            comments = {c.name: c for c in notebook.comments}
            for cell, fields in nb["comments"].items():
                comment = _entry(
                    comments, cell, f"comment {assignment}/{nb_name}/{cell} of {student}"
                )
                comment.auto_comment = fields["auto_comment"]


def _entry(rows: dict[str, Any], name: str, what: str) -> Any:
    """``rows[name]``, or nbgrader's MissingEntry (as its find_* methods raise) naming it."""
    from nbgrader.api import MissingEntry

    try:
        return rows[name]
    except KeyError:
        raise MissingEntry(f"No such {what}") from None


def dump(gb: Gradebook, assignment: str | None = None) -> dict[str, Any]:
    """Every student, submission, grade and comment field, keyed by name (for comparisons)."""
    from nbgrader.api import Course as CourseRow
    from nbgrader.api import Student, SubmittedAssignment

    out: dict[str, Any] = {
        "courses": sorted(c.id for c in gb.db.query(CourseRow).all()),
        "students": {
            s.id: [s.first_name, s.last_name, s.email, s.lms_user_id]
            for s in gb.db.query(Student).all()
        },
        "submissions": {},
    }
    for sub in gb.db.query(SubmittedAssignment).all():
        if assignment is not None and sub.assignment.name != assignment:
            continue
        key = f"{sub.assignment.name}/{sub.student.id}"
        nbs = {}
        for nb in sub.notebooks:
            nbs[nb.name] = {
                "flagged": nb.flagged,
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {
                    g.name: [g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade]
                    for g in nb.grades
                },
                "comments": {c.name: [c.auto_comment, c.manual_comment] for c in nb.comments},
            }
        out["submissions"][key] = {
            "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
            "extension": str(sub.extension) if sub.extension else None,
            "notebooks": nbs,
        }
    return out
