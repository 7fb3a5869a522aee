"""``kosovo-course grade``: autograde every submission of an assignment in parallel.

The coordinator (this module, one thread) plans which students need grading, builds a pristine
scratch template of the assignment, hands students to worker processes (parallel.py), and
merges each answer into the real course: the autograded folder by rename, the gradebook
fields in one transaction. It is the only writer of the real course. Between answers it checks
that nothing else changed the gradebook or the grading code, and undoes any change it finds.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading.coursedir import Course, CourseError
from course.grading.flags import KINDS, Flag, replace_student_flags
from course.grading.guard import FileGuard, GradebookGuard, library_guard
from course.grading.merge import merge_student, sweep_partial
from course.grading.parallel import Event, Pool, Task
from course.grading.scratch import build_template, relative_step, tree_digest
from course.grading.state import StudentState, clear_state, load_state, save_state, sweep_state

SCRATCH_PREFIX = "kosovo-grade-"


@dataclass
class Outcome:
    """How one student ended in this run."""

    student: str
    status: str  # graded, flagged, unchanged, not merged
    flags: list[Flag] = field(default_factory=list)
    seconds: float | None = None


@dataclass
class GradeRun:
    """Everything one ``grade`` call did, for the summary table and the tests."""

    assignment: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    jobs: int = 1
    halted: str = ""

    @property
    def flags(self) -> list[Flag]:
        """All flags raised in this run."""
        return [f for o in self.outcomes.values() for f in o.flags]


@contextmanager
def course_lock(course: Course) -> Iterator[None]:
    """Hold the course's grading lock: two concurrent ``grade`` runs would race on merges."""
    course.reports_dir.mkdir(parents=True, exist_ok=True)
    path = course.reports_dir / ".grade.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CourseError(f"another kosovo-course grade is running on {course.root}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Students with a submitted folder for the assignment, as nbgrader's glob finds them."""
    base = course.step_dir("submitted")
    if not base.is_dir():
        return []
    return sorted(
        p.name for p in base.iterdir() if (p / assignment).is_dir() and not p.name.startswith(".")
    )


def default_student_timeout(course: Course, assignment: str) -> float:
    """A generous wall-clock limit per student: every code cell at Execute.timeout, plus slack."""
    per_cell = course.config.Execute.get("timeout", 30) or 30
    cells = 0
    for path in course.step_dir("source", assignment=assignment).glob("*.ipynb"):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            cells += sum(1 for c in nb.get("cells", []) if c.get("cell_type") == "code")
        except (OSError, ValueError):
            cells += 50
    return float(max(300, per_cell * (cells + 2) + 120))


def _gradebook_submissions(course: Course, assignment: str) -> dict[str, Any]:
    """student id -> (timestamp, score, max_score) of the assignment's gradebook submissions."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {s.student.id: (s.timestamp, s.score, s.max_score) for s in a.submissions}


def plan(
    course: Course, assignment: str, students: list[str] | None, force: bool
) -> tuple[list[Task], list[str], list[str]]:
    """Split submissions into tasks to grade, unchanged ones to skip, and unknown ids."""
    present = submitted_students(course, assignment)
    unknown: list[str] = []
    if students:
        unknown = sorted(set(students) - set(present))
        present = [s for s in present if s in set(students)]
    reports = course.assignment_reports(assignment)
    in_gradebook = _gradebook_submissions(course, assignment)
    tasks, unchanged = [], []
    for student in present:
        digest = tree_digest(course.step_dir("submitted", student, assignment))
        state = load_state(reports, student)
        done = (
            not force
            and state is not None
            and state.digest == digest
            and (
                state.status == "flagged"
                or (
                    student in in_gradebook
                    and course.step_dir("autograded", student, assignment).is_dir()
                )
            )
        )
        if done:
            unchanged.append(student)
        else:
            tasks.append(Task(student, digest))
    return tasks, unchanged, unknown


def _sweep_stale_scratch(parent: Path) -> None:
    """Remove scratch folders left by a killed run (their owner process no longer exists)."""
    for folder in parent.glob(f"{SCRATCH_PREFIX}*"):
        try:
            pid = int(folder.name[len(SCRATCH_PREFIX) :].split("-")[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue


class Coordinator:
    """Consumes worker events: checks for tampering, merges, records state and flags."""

    def __init__(
        self,
        course: Course,
        assignment: str,
        pool: Pool,
        lib_guard: FileGuard,
        gb_guard: GradebookGuard,
        run: GradeRun,
        on_done: Callable[[Outcome], None],
    ) -> None:
        self.course = course
        self.assignment = assignment
        self.pool = pool
        self.lib_guard = lib_guard
        self.gb_guard = gb_guard
        self.run = run
        self.on_done = on_done
        self.reports = course.assignment_reports(assignment)
        self.flags_csv = self.reports / "flags.csv"
        self.last_clean = time.monotonic()
        self.suspects: dict[str, list[Flag]] = {}
        self.halt = ""

    def _check(self) -> None:
        """Compare guarded files with their remembered state; restore and blame on change."""
        now = time.monotonic()
        problems: list[tuple[str, str]] = []
        if self.gb_guard.changed():
            keep = self.reports / f"gradebook-tampered-{int(time.time())}.db"
            self.gb_guard.restore(keep_as=keep)
            problems.append(("gradebook-tampered", f"restored; changed copy kept as {keep.name}"))
        changed = self.lib_guard.changes()
        if changed:
            shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
            problems.append(("library-tampered", f"changed: {shown}"))
            self.lib_guard.remember()
            self.halt = (
                f"Grading stopped: {shown} changed while submissions were running. If you did "
                "not edit it, a submission did: inspect it (git diff) before grading again. "
                "Students not merged yet are graded on the next run."
            )
        if problems:
            for student in self.pool.activity.overlapping(self.last_clean, now):
                for kind, detail in problems:
                    more = " (ran at the same time as the change; regrade with --jobs 1)"
                    flag = Flag(student, "", kind, detail + more)
                    self.suspects.setdefault(student, []).append(flag)
        self.last_clean = now

    def consume(self, event: Event) -> None:
        """Handle one finished (or failed) student."""
        self._check()
        student = event.task.student
        answer = event.answer or {}
        flags = [Flag(**f) for f in answer.get("flags", [])]
        if event.kind == "died":
            flags.append(
                Flag(
                    student,
                    "",
                    "worker-died",
                    "the grading process died while running this submission",
                )
            )
        elif event.kind == "timeout":
            flags.append(
                Flag(
                    student,
                    "",
                    "timeout",
                    f"grading took over {self.pool.student_timeout:.0f} s and was stopped",
                )
            )
        # Only what nbgrader itself wrote is merged: no record means it never ran.
        merge = event.kind == "answer" and student not in self.suspects
        merge = merge and answer.get("record") is not None
        merge = merge and not any(
            f.kind in ("submission-changed", "scratch-tampered") for f in flags
        )
        flags += self.suspects.get(student, [])
        if merge:
            clear_state(self.reports, student)
            merge_student(self.course, self.assignment, answer)
            self.gb_guard.remember()
        if answer.get("log_tail") and flags:
            log_dir = self.reports / "logs"
            log_dir.mkdir(exist_ok=True)
            (log_dir / f"{student}.log").write_text(answer["log_tail"], encoding="utf-8")
        replace_student_flags(self.flags_csv, student, flags)
        retry_later = student in self.suspects or any(
            f.kind in ("submission-changed", "scratch-tampered") for f in flags
        )
        if not retry_later:
            # Flagged students count as done too: rerunning a crash or an endless loop on every
            # `grade` helps nobody; --force (or a changed submission) grades them again.
            status = "graded" if merge and answer.get("graded") else "flagged"
            record = (answer.get("record") or {}).get("submission") or {}
            save_state(
                self.reports,
                StudentState(student, event.task.digest or "", status, record.get("timestamp")),
            )
        status = ("graded" if answer.get("graded") else "flagged") if merge else "not merged"
        outcome = Outcome(student, status, flags, answer.get("seconds"))
        self.run.outcomes[student] = outcome
        scratch = answer.get("scratch")
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        self.on_done(outcome)
        if self.halt:
            raise GradingHalted(self.halt)


class GradingHalted(Exception):
    """Grading stopped on purpose (grading code changed under it); the run can be resumed."""


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
    watch: list[Path] | None = None,
) -> GradeRun:
    """Autograde the submitted students of ``assignment``; return what happened to each.

    ``watch`` adds files that no submission may change (on top of the grading code, the
    course config and the assignment's files).
    """
    started = time.monotonic()
    course.require_assignment(assignment)
    jobs = max(1, jobs or os.cpu_count() or 1)
    run = GradeRun(assignment, jobs=jobs)
    with course_lock(course):
        if course.db_path is not None and course.db_path.is_file():
            check_gradebook(course.db_path, assignment)
        if (
            course.db_path is None
            or not course.db_path.is_file()
            or assignment not in _gradebook_assignments(course)
        ):
            raise CourseError(
                f"Assignment {assignment!r} is not in the gradebook yet: run "
                f"`kosovo-course release {assignment}` first."
            )
        for step in ("source", "release", "submitted", "autograded"):
            relative_step(course, step)
        sweep_partial(course.step_dir("autograded"), assignment)
        sweep_state(course.assignment_reports(assignment))
        tasks, unchanged, unknown = plan(course, assignment, students, force)
        if unknown:
            raise CourseError(f"No submission of {assignment} for: {', '.join(unknown)}")
        for s in unchanged:
            run.outcomes[s] = Outcome(s, "unchanged")
        if tasks:
            _run_tasks(
                course,
                assignment,
                tasks,
                run,
                jobs,
                progress,
                student_timeout or default_student_timeout(course, assignment),
                scratch_root,
                watch or [],
            )
    subs = _gradebook_submissions(course, assignment)
    run.scores = {s: (v[1], v[2]) for s, v in subs.items()}
    run.wall_seconds = time.monotonic() - started
    return run


def check_gradebook(path: Path, assignment: str, wait: float = 5.0) -> None:
    """Raise a CourseError, with a way out, if the gradebook is unreadable or locked."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=wait)
        try:
            con.execute("select count(*) from sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise CourseError(
                f"The gradebook {path} is locked by another program ({exc}; waited "
                f"{wait:g} s). Formgrader, a Jupyter server or an nbgrader command working on "
                "this course may be writing to it. Nothing was graded and nothing was changed. "
                "Let that program finish or close it, then run `kosovo-course grade "
                f"{assignment}` again."
            ) from None
        raise CourseError(
            f"The gradebook {path} is not a readable SQLite database ({exc}). Nothing was "
            "graded and nothing was changed. Move it aside and put back a backup (a copy a "
            f"grading run set aside is in reports/{assignment}/gradebook-tampered-*.db, if "
            "any), or, to start from an empty gradebook, move it aside and run "
            f"`kosovo-course release {assignment}` to create a new one; then run grade again."
        ) from None


def _gradebook_assignments(course: Course) -> set[str]:
    with course.gradebook() as gb:
        return {a.name for a in gb.assignments}


def _run_tasks(
    course: Course,
    assignment: str,
    tasks: list[Task],
    run: GradeRun,
    jobs: int,
    progress: bool,
    student_timeout: float,
    scratch_root: Path | None,
    watch: list[Path],
) -> None:
    from tqdm import tqdm

    parent = Path(scratch_root or tempfile.gettempdir())
    _sweep_stale_scratch(parent)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
    ok = False
    try:
        template = build_template(course, assignment, scratch / "template")
        setup = {
            "template": template.to_json(),
            "submitted_root": str(course.step_dir("submitted")),
            "scratch_parent": str(scratch),
            "dirs": {
                s: relative_step(course, s)
                for s in ("source", "release", "submitted", "autograded")
            },
        }
        lib_guard = library_guard(
            course.root,
            [
                course.step_dir("source", assignment=assignment),
                course.step_dir("release", assignment=assignment),
            ],
        )
        for path in watch:
            lib_guard.watch_file(Path(path))
        assert course.db_path is not None
        gb_guard = GradebookGuard(course.db_path)
        gb_guard.remember()
        pool = Pool(setup, scratch, student_timeout=student_timeout)
        try:  # fork the workers before tqdm (or anything else) starts a thread
            pool.start(max(1, min(jobs, len(tasks))))
        except BaseException:
            pool.abort()
            raise
        bar = tqdm(
            total=len(tasks),
            unit="student",
            disable=not progress,
            desc=f"grading {assignment}",
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def done(outcome: Outcome) -> None:
            bar.update(1)
            if outcome.flags:
                bar.write(
                    f"  {outcome.student}: " + ", ".join(sorted({f.kind for f in outcome.flags}))
                )

        coordinator = Coordinator(course, assignment, pool, lib_guard, gb_guard, run, done)
        from sqlalchemy.pool import NullPool

        from course.grading.engine import shared_engines

        try:
            with shared_engines(poolclass=NullPool):
                pool.run(tasks, jobs, coordinator.consume)
            coordinator._check()  # a change made by the last student still counts
            if coordinator.halt:
                raise GradingHalted(coordinator.halt)
        except GradingHalted as exc:
            run.halted = str(exc)
            for task in tasks:
                run.outcomes.setdefault(task.student, Outcome(task.student, "not graded"))
        finally:
            bar.close()
        ok = True
    finally:
        # Worker logs help when the tool itself failed; otherwise the scratch is disposable.
        if ok:
            shutil.rmtree(scratch, ignore_errors=True)


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
        ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f" in {run.wall_seconds:.1f} s with {run.jobs} job(s)"
    )
    kinds = sorted({f.kind for f in run.flags})
    for kind in kinds:
        lines.append(f"  {kind}: {KINDS.get(kind, '')}")
    if run.halted:
        lines.append("")
        lines.append(run.halted)
    return "\n".join(lines)


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:g}"
