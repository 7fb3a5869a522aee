"""``kosovo-course grade``: autograde every submission of an assignment, each kernel sandboxed.

The command's entry point: checks the course and the gradebook, takes the course lock, plans
(plan.py), runs the plan through the coordinator (coordinator.py: executor, units, merges), and
prints the summary table. The data flow: plan -> executor -> unit (sandboxed) -> result ->
coordinator -> gradebook.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.grading.coordinator import run_tasks
from course.grading.coursedir import Course, CourseError
from course.grading.flags import KINDS
from course.grading.gradebook import check_gradebook
from course.grading.lock import course_lock
from course.grading.merge import sweep_partial
from course.grading.model import GradeRun, Outcome
from course.grading.plan import (
    default_student_timeout,
    gradebook_submissions,
    plan,
    submitted_students,
)
from course.grading.scratch import relative_step
from course.grading.state import load_state, sweep_state

if TYPE_CHECKING:
    from course.grading.dask_executor import Cluster

# Re-exported: other modules and tests import these from here.
__all__ = [
    "GradeRun",
    "Outcome",
    "check_gradebook",
    "default_student_timeout",
    "grade",
    "plan",
    "submitted_students",
    "summary_table",
]


def grade(
    course: Course,
    assignment: str,
    *,
    jobs: int | None = None,
    students: list[str] | None = None,
    force: bool = False,
    progress: bool = True,
    student_timeout: float | None = None,
    scratch_root: Path | None = None,
    sandbox: bool = True,
    settings: dict[str, dict[str, Any]] | None = None,
    notebook: str | None = None,
    scheduler: str | Cluster | None = None,
) -> GradeRun:
    """Autograde the submitted students of ``assignment``; return what happened to each.

    ``sandbox`` runs every kernel in the bubblewrap sandbox (sandbox.py); False (``grade
    --no-sandbox``) runs student code with the grader's rights, with the after-the-fact checks
    of guard.py. ``settings`` override the course config (``{"Sandbox": {"memory_limit":
    "1G"}}``). ``notebook`` grades only that notebook (nbgrader's ``--notebook``). Raises
    CourseError (nothing graded) when the sandbox cannot run here. ``scheduler`` grades on a
    Dask cluster (``tcp://HOST:PORT``, or ``local:N`` for N workers here; dask_executor.py);
    it needs the sandbox. A :class:`~course.grading.dask_executor.Cluster` given instead is
    used and left open (the command line starts one before it opens the course).
    """
    if isinstance(scheduler, str):
        from course.grading.dask_executor import start_cluster

        # Starting now: its workers start while the course is checked and planned.
        with start_cluster(scheduler, sandbox=sandbox) as cluster:
            return grade(
                course,
                assignment,
                jobs=jobs,
                students=students,
                force=force,
                progress=progress,
                student_timeout=student_timeout,
                scratch_root=scratch_root,
                sandbox=sandbox,
                settings=settings,
                notebook=notebook,
                scheduler=cluster,
            )
    if scheduler is not None and not sandbox:
        from course.grading.dask_executor import NEEDS_SANDBOX

        raise CourseError(NEEDS_SANDBOX)
    started = time.monotonic()
    course.require_assignment(assignment)
    if sandbox:
        from course.grading.sandbox import check_sandbox

        check_sandbox(course, settings or {})
    jobs = max(1, jobs or os.cpu_count() or 1)
    run = GradeRun(assignment, jobs=jobs, scheduler=None if scheduler is None else scheduler.name)
    with course_lock(course):
        check_gradebook(course.db_url, assignment)
        if (
            course.db_path is not None and not course.db_path.is_file()
        ) or assignment not in _gradebook_assignments(course):
            raise CourseError(
                f"Assignment {assignment!r} is not in the gradebook yet: run "
                f"`kosovo-course release {assignment}` first."
            )
        for step in ("source", "release", "submitted", "autograded"):
            relative_step(course, step)
        sweep_partial(course.step_dir("autograded"), assignment)
        sweep_state(course.assignment_reports(assignment))
        tasks, unchanged, unknown = plan(course, assignment, students, force, notebook)
        if unknown:
            raise CourseError(f"No submission of {assignment} for: {', '.join(unknown)}")
        for s in unchanged:
            run.outcomes[s] = Outcome(s, "unchanged")
        if tasks:
            run_tasks(
                course,
                assignment,
                tasks,
                run,
                jobs,
                progress,
                student_timeout or default_student_timeout(course, assignment),
                scratch_root,
                sandbox,
                settings or {},
                notebook,
                scheduler,
            )
    subs = gradebook_submissions(course, assignment)
    reports = course.assignment_reports(assignment)
    # A student whose newest submission could not be graded has no current score: the
    # gradebook still holds the previous attempt's, which must not be shown as theirs.
    run.scores = {
        s: (None if _failed(reports, s) else v[1], v[2]) for s, v in subs.items()
    }
    run.wall_seconds = time.monotonic() - started
    return run


def _failed(reports: Path, student: str) -> bool:
    """Whether the student's newest submission could not be graded (their state says so)."""
    state = load_state(reports, student)
    return state is not None and state.status == "failed"


def _gradebook_assignments(course: Course) -> set[str]:
    with course.gradebook() as gb:
        return {a.name for a in gb.assignments}


def summary_table(run: GradeRun) -> str:
    """A plain-text table: student, score, max, status (with flag kinds)."""
    rows = [("student", "score", "max", "status")]
    for student in sorted(run.outcomes):
        o = run.outcomes[student]
        score, max_score = run.scores.get(student, (None, None))
        status = o.status
        if o.flags:
            status += ": " + ", ".join(sorted({f.kind for f in o.flags}))
        rows.append((student, _num(score), _num(max_score), status))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.rjust(w) if 0 < j < 3 else c.ljust(w)
                for j, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    counts: dict[str, int] = {}
    for o in run.outcomes.values():
        counts[o.status] = counts.get(o.status, 0) + 1
    lines.append("")
    lines.append(
        (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no submission to grade")
        + f" in {run.wall_seconds:.1f} s "
        + (f"on Dask ({run.scheduler})" if run.scheduler else f"with {run.jobs} job(s)")
    )
    if run.ungraded:
        lines.append(
            f"{len(run.ungraded)} could not be graded: {', '.join(run.ungraded)} (no current "
            "score; fix the cause and run grade again: they are graded on the next run)"
        )
    kinds = sorted({f.kind for f in run.flags})
    for kind in kinds:
        lines.append(f"  {kind}: {KINDS.get(kind, '')}")
    for warning in run.warnings:
        lines.append("")
        lines.append(warning)
    return "\n".join(lines)


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:g}"
