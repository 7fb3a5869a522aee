"""Who needs grading, and why: new, changed, failed, forced or re-released submissions.

The plan reads the course (submitted folders, the gradebook, each student's state record) and
never writes it. A student is skipped ("unchanged") only when their last grading succeeded, on
the same submission, against the same release, and its results are still in the course; a
failure is never kept as if it were a grade.
"""

from __future__ import annotations

import json
from typing import Any

from course.grading.coursedir import Course
from course.grading.model import Task
from course.grading.scratch import tree_digest
from course.grading.state import load_state


def excluded_students(course: Course) -> set[str]:
    """``CourseDirectory.student_id_exclude`` (comma-separated), which stock autograde skips."""
    text = str(getattr(course.coursedir, "student_id_exclude", "") or "")
    return {s.strip() for s in text.split(",") if s.strip()}


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Students with a submitted folder for the assignment, as nbgrader's glob finds them,
    less the excluded ones."""
    base = course.step_dir("submitted")
    if not base.is_dir():
        return []
    skip = excluded_students(course)
    return sorted(
        p.name
        for p in base.iterdir()
        if (p / assignment).is_dir() and not p.name.startswith(".") and p.name not in skip
    )


def release_digest(course: Course, assignment: str) -> str:
    """The version of the assignment students are graded against (source and release).

    One implementation: ``course.grading.release.release_digest``, which ``release`` also uses to
    count the graded submissions a re-release affects.
    """
    from course.grading.release import release_digest as digest  # release imports plan's peers

    return digest(course, assignment)


def default_student_timeout(course: Course, assignment: str) -> float | None:
    """The wall-clock limit per student when ``--student-timeout`` is not given.

    Every code cell at ``Execute.timeout`` plus two for kernel start-up and shutdown, plus 120 s
    of slack; None (no limit of ours) when ``Execute.timeout`` is None or 0, as in stock
    nbgrader, where such a notebook may run as long as it takes.
    """
    per_cell = course.config.Execute.get("timeout", 30)
    if not per_cell or per_cell < 0:
        return None
    cells = 0
    for path in course.step_dir("source", assignment=assignment).glob("*.ipynb"):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells += sum(1 for c in nb.get("cells", []) if c.get("cell_type") == "code")
        except (OSError, ValueError):
            cells += 50
    return float(per_cell * (cells + 2) + 120)


def gradebook_submissions(course: Course, assignment: str) -> dict[str, Any]:
    """student id -> (timestamp, score, max_score) of the assignment's gradebook submissions."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {s.student.id: (s.timestamp, s.score, s.max_score) for s in a.submissions}


def _results_complete(course: Course, assignment: str, student: str, notebook: str | None) -> bool:
    """Whether the autograded results of this grading are in place, as stock decides it.

    ``nbgrader autograde`` regrades a student whose autograded folder is missing; with
    ``--notebook NAME`` it also regrades when that notebook's autograded copy is missing (and
    copies the supplementary files again), though not, without ``--notebook``, when only one
    autograded notebook was removed (upstream's test_filter_notebook).
    """
    autograded = course.step_dir("autograded", student, assignment)
    if not autograded.is_dir():
        return False
    submitted = course.step_dir("submitted", student, assignment)
    if notebook and (submitted / f"{notebook}.ipynb").is_file():
        return (autograded / f"{notebook}.ipynb").is_file()
    return True


def plan(
    course: Course,
    assignment: str,
    students: list[str] | None,
    force: bool,
    notebook: str | None = None,
) -> tuple[list[Task], list[str], list[str]]:
    """Split submissions into tasks to grade, unchanged ones to skip, and unknown ids.

    Each task's ``reason`` says why it is graded: "new", "changed", "failed last time",
    "re-released", "results missing" or "forced". With ``notebook`` (``grade --notebook``), only
    that notebook's autograded copy counts for "results missing".
    """
    present = submitted_students(course, assignment)
    unknown: list[str] = []
    if students:
        unknown = sorted(set(students) - set(present) - excluded_students(course))
        present = [s for s in present if s in set(students)]
    reports = course.assignment_reports(assignment)
    in_gradebook = gradebook_submissions(course, assignment)
    released = release_digest(course, assignment)
    tasks, unchanged = [], []
    for student in present:
        digest = tree_digest(course.step_dir("submitted", student, assignment))
        state = load_state(reports, student)
        if force:
            reason = "forced"
        elif state is None:
            reason = "new"
        elif state.digest != digest:
            reason = "changed"
        elif state.status != "graded":
            reason = "failed last time"
        elif state.release_digest and state.release_digest != released:
            reason = "re-released"
        elif student not in in_gradebook or not _results_complete(
            course, assignment, student, notebook
        ):
            reason = "results missing"
        else:
            unchanged.append(student)
            continue
        tasks.append(Task(student, digest, reason))
    return tasks, unchanged, unknown


def stale_students(course: Course, assignment: str) -> list[str]:
    """Students graded against an earlier release of ``assignment`` than the current one.

    For ``release``, to say how many graded submissions a re-release affects; ``grade``
    regrades them (reason "re-released").
    """
    reports = course.assignment_reports(assignment)
    released = release_digest(course, assignment)
    out = []
    for student in submitted_students(course, assignment):
        state = load_state(reports, student)
        if state is not None and state.release_digest and state.release_digest != released:
            out.append(student)
    return out
