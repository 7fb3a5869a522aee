"""The coordinator: the only writer of the real course.

It builds a pristine scratch template of the assignment, snapshots the planned submissions,
hands them to an executor (executors.py), and merges each unit's result into the real course:
the autograded folder by rename, the gradebook fields in one transaction, flags and the state
record (store.py). With the sandbox (the default) nothing else is needed: a kernel cannot reach
anything outside its own folder. With ``--no-sandbox`` it also runs the after-the-fact checks of
guard.py between students, blames the students who ran since the last check, and grades
suspects again one at a time at the end of the run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.grading.coursedir import Course
from course.grading.executors import Pool
from course.grading.flags import Flag, read_flags, replace_student_flags
from course.grading.guard import (
    FileGuard,
    GradebookGuard,
    TreeWatch,
    library_guard,
    quarantine,
    startup_guard,
)
from course.grading.merge import merge_student
from course.grading.model import Event, GradeRun, Outcome, Task, UnitResult
from course.grading.plan import release_digest, submitted_students
from course.grading.scratch import build_template, copy_submission, relative_step, tree_digest
from course.grading.state import StudentState, clear_state, load_state, save_state

SCRATCH_PREFIX = "kosovo-grade-"
SOLO_ROUNDS = 3  # rounds of one-at-a-time regrading at the end of a run


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


# A student with one of these flags was not graded on what nbgrader alone saw: never merged.
UNTRUSTED = frozenset(
    {
        "submission-changed",
        "scratch-tampered",
        "library-tampered",
        "gradebook-tampered",
        "course-files-tampered",
    }
)
# ... and of those, these are not the student's doing for certain: graded again later.
RETRY = frozenset({"submission-changed", "scratch-tampered"})


class Coordinator:
    """Consumes worker events: checks for tampering, merges, records state and flags.

    A change outside a student's own scratch folder is blamed on the students whose grading
    ran since the last check. When that is one student, the blame is certain; when several
    ran side by side, none of them is merged and all are graded again, one at a time, at the
    end of the run (``solo``), where the blame is certain again.
    """

    def __init__(
        self,
        course: Course,
        assignment: str,
        pool: Pool,
        guards: Guards | None,
        run: GradeRun,
        on_done: Callable[[Outcome], None],
    ) -> None:
        self.course = course
        self.assignment = assignment
        self.pool = pool
        self.guards = guards
        self.run = run
        self.on_done = on_done
        self.reports = course.assignment_reports(assignment)
        self.release_digest = release_digest(course, assignment)
        self.notebook: str | None = None  # grade --notebook: merge only that notebook
        self.flags_csv = self.reports / "flags.csv"
        self.last_clean = time.monotonic()
        self.solo = False
        self.suspects: dict[str, list[Flag]] = {}  # ran beside a change: regraded alone
        self.culprits: dict[str, list[Flag]] = {}  # ran alone during a change
        self.regrade: set[str] = set()  # graded again, alone, at the end of the run
        self.victims: dict[str, Flag] = {}  # whose submitted files something else changed
        self.outside: list[str] = []  # changed files outside the scratch, for the summary
        self.hooks: list[str] = []  # start-up files put back, for the summary
        self.lock = threading.RLock()

    def _check(self) -> None:
        """Compare guarded files with their remembered state; restore or report, and blame.

        Called by each pool slot right after a student ends and before its next one starts
        (so with one job, a change is blamed on exactly one student), and before each merge.
        """
        with self.lock:
            self._check_locked()

    def _check_locked(self) -> None:
        now = time.monotonic()
        g = self.guards
        if g is None:  # sandboxed: a kernel cannot change anything outside its own folder
            return
        problems: list[tuple[str, str]] = []
        if g.gradebook.changed():
            keep = self.reports / f"gradebook-tampered-{time.time_ns()}.db"
            g.gradebook.restore(keep_as=keep)
            g.watch_reports()  # the copy kept aside is the coordinator's own write
            problems.append(("gradebook-tampered", f"restored; changed copy kept as {keep.name}"))
        restored = g.template.restore()
        if restored:
            problems.append(("scratch-tampered", f"put back: {_shown(restored)}"))
        keep = self.reports / "quarantine" / str(time.time_ns())
        hooks = quarantine(g.startup, keep)
        if hooks:
            self.hooks += [f"{h} (the changed file is kept in {keep})" for h in hooks]
            problems.append(("library-tampered", f"start-up file put back: {_shown(hooks)}"))
            g.watch_reports()
        changed = g.outside.changes()
        if changed:
            g.outside.remember()
            self.outside += [c for c in changed if c not in self.outside]
            problems.append(("library-tampered", f"changed, not reverted: {_shown(changed)}"))
        touched = g.course_files.changed()
        if touched:
            problems.append(("course-files-tampered", f"changed: {_shown(touched)}"))
            for name in touched:
                self._course_file_changed(name)
        if problems:
            running = self.pool.activity.overlapping(self.last_clean, now)
            certain = self.solo or len(running) == 1
            for student in running:
                for kind, detail in problems:
                    if certain:
                        self.culprits.setdefault(student, []).append(
                            Flag(student, "", kind, detail)
                        )
                    else:
                        more = " (ran beside other submissions: graded again alone)"
                        self.suspects.setdefault(student, []).append(
                            Flag(student, "", kind, detail + more)
                        )
                        self.regrade.add(student)
        self.last_clean = now

    def _course_file_changed(self, name: str) -> None:
        """React to a change in another student's folder (``submitted:`` or ``autograded:``)."""
        step, _, student = name.partition(":")
        g = self.guards
        if step == "autograded":
            # Graded again from its submission, which puts the folder back as nbgrader made it.
            self.regrade.add(student)
        elif step == "submitted" and student not in self.victims:
            keep = self.reports / "originals" / f"{student}-{time.time_ns()}"
            snapshot = g.snapshots / student / self.assignment
            if snapshot.is_dir():
                shutil.copytree(snapshot, keep)
                g.watch_reports()
            self.victims[student] = Flag(
                student,
                "",
                "submission-changed",
                "the submitted files changed while the class was being graded; graded as they "
                f"were when grading started (that copy: reports/{self.assignment}/originals/"
                f"{keep.name}); regrade with --student {student} --force to grade the new files",
            )
        g.course_files.watch(name, g.course_files.folders[name])

    def consume(self, event: Event) -> None:
        """Handle one finished (or failed) student."""
        with self.lock:  # the slots' checks must not see a merge half done
            self._consume(event)

    def _consume(self, event: Event) -> None:
        self._check_locked()
        student = event.task.student
        result = UnitResult.from_json(event.answer) if event.answer else UnitResult(student)
        flags = list(result.flags)
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
                    f"grading took over {self.pool.student_timeout:.0f} s and was stopped "
                    "(grade --student-timeout; by default every code cell at Execute.timeout "
                    "plus 120 s)",
                )
            )
        flags += self.suspects.pop(student, []) + self.culprits.pop(student, [])
        kinds = {f.kind for f in flags}
        if not self.solo and kinds & RETRY:
            self.regrade.add(student)
        # Every suspect is in regrade: decided in the second, one-at-a-time pass.
        suspect = not self.solo and student in self.regrade
        # Only what nbgrader itself wrote is merged: no record means it never ran.
        merge = event.kind == "answer" and result.record is not None
        merge = merge and not suspect and not kinds & UNTRUSTED
        if merge:
            clear_state(self.reports, student)
            merge_student(self.course, self.assignment, result, notebook=self.notebook)
            if self.guards is not None:
                self.guards.gradebook.remember()
                self.guards.watch_autograded(student)
        if result.log_tail and flags:
            log_dir = self.reports / "logs"
            log_dir.mkdir(exist_ok=True)
            (log_dir / f"{student}.log").write_text(result.log_tail, encoding="utf-8")
        replace_student_flags(self.flags_csv, student, flags)
        if not suspect and not kinds & RETRY:
            # A failure is recorded as one, never as a grade: the next run grades it again.
            graded = merge and result.graded
            record = (result.record or {}).get("submission") or {}
            reason = "" if graded else _reason(flags)
            save_state(
                self.reports,
                StudentState(
                    student,
                    event.task.digest or "",
                    "graded" if graded else "failed",
                    record.get("timestamp"),
                    reason,
                    self.release_digest,
                ),
            )
        if self.guards is not None:
            self.guards.watch_reports()
        status = ("graded" if result.graded else "flagged") if merge else "not merged"
        outcome = Outcome(student, status, flags, result.seconds)
        self.run.outcomes[student] = outcome
        if result.scratch:
            shutil.rmtree(result.scratch, ignore_errors=True)
        self.on_done(outcome)

    def finish_victims(self) -> None:
        """Flag each student whose submitted files something else changed during the run.

        Their grade stands on the files as collected; the state records the files as they are
        now, so the next run does not silently grade the changed files over it.
        """
        for student, flag in sorted(self.victims.items()):
            kept = [f for f in read_flags(self.flags_csv) if f.student_id == student]
            replace_student_flags(self.flags_csv, student, [*kept, flag])
            state = load_state(self.reports, student)
            if state is not None:
                folder = self.course.step_dir("submitted", student, self.assignment)
                state.digest = tree_digest(folder)
                save_state(self.reports, state)
            outcome = self.run.outcomes.get(student)
            if outcome is not None:
                outcome.flags.append(flag)


def _reason(flags: list[Flag]) -> str:
    """Why a student could not be graded, in the words of the flags that say so."""
    failing = [f for f in flags if f.kind not in ("suspicious-code", "unknown-notebook", "limit")]
    shown = failing or flags
    if not shown:
        return "nbgrader could not grade the submission"
    return "; ".join(f"{f.kind}: {f.detail}" for f in shown[:3])


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")


@dataclass
class Guards:
    """Everything the coordinator checks between students (see guard.py)."""

    course: Course
    assignment: str
    gradebook: GradebookGuard
    template: FileGuard  # the scratch template: put back when changed
    outside: FileGuard  # code and config outside the scratch: reported, never reverted
    startup: FileGuard  # start-up hooks and kernel specs: put back at once
    course_files: TreeWatch  # other students' folders and the reports
    snapshots: Path  # the submissions as they were when grading started

    def watch_autograded(self, student: str) -> None:
        """Re-take a student's autograded folder after the coordinator replaced it."""
        name = f"autograded:{student}"
        self.course_files.watch(name, self.course.step_dir("autograded", student, self.assignment))

    def watch_reports(self) -> None:
        """Re-take the reports folder after the coordinator wrote to it."""
        self.course_files.watch("reports", self.course.assignment_reports(self.assignment))


def _snapshot(course: Course, assignment: str, student: str, dest: Path) -> str:
    """Copy a student's submitted folder into ``dest``; return the digest of the copy."""
    if dest.exists():
        shutil.rmtree(dest)
    return copy_submission(course.step_dir("submitted", student, assignment), dest)


def _guards(
    course: Course, assignment: str, template_root: Path, snapshots: Path, watch: list[Path]
) -> Guards:
    """Remember, before any student runs, everything a submission must not change."""
    from course.paths import datasets_dir

    outside = library_guard(
        course.root,
        [
            course.step_dir("source", assignment=assignment),
            course.step_dir("release", assignment=assignment),
            datasets_dir(),
        ],
    )
    for path in watch:
        outside.watch_file(Path(path))
    template = FileGuard()
    template.watch_tree(template_root, suffixes=None)
    assert course.db_path is not None
    gradebook = GradebookGuard(course.db_path)
    gradebook.remember()
    guards = Guards(
        course, assignment, gradebook, template, outside, startup_guard(), TreeWatch(), snapshots
    )
    for student in submitted_students(course, assignment):
        guards.course_files.watch(
            f"submitted:{student}", course.step_dir("submitted", student, assignment)
        )
        guards.watch_autograded(student)
    guards.watch_reports()
    return guards


def run_tasks(
    course: Course,
    assignment: str,
    tasks: list[Task],
    run: GradeRun,
    jobs: int,
    progress: bool,
    student_timeout: float | None,
    scratch_root: Path | None,
    watch: list[Path],
    sandbox: bool = True,
    settings: dict[str, dict[str, Any]] | None = None,
    notebook: str | None = None,
) -> None:
    from tqdm import tqdm

    parent = Path(scratch_root or tempfile.gettempdir())
    _sweep_stale_scratch(parent)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
    ok = False
    try:
        template = build_template(course, assignment, scratch / "template")
        # Students are graded from copies taken now: a submission that rewrites another
        # student's files cannot change what that student is graded on.
        snapshots = scratch / "submissions"
        for task in tasks:
            task.digest = _snapshot(
                course, assignment, task.student, snapshots / task.student / assignment
            )
        setup = {
            "template": template.to_json(),
            "submitted_root": str(snapshots),
            "snapshot": True,
            "scratch_parent": str(scratch),
            "dirs": {
                s: relative_step(course, s)
                for s in ("source", "release", "submitted", "autograded")
            },
            "course_root": str(course.root),
            "sandbox": sandbox,
            "config": settings or {},
            "notebook": notebook,
        }
        # Sandboxed kernels cannot reach the course, the template or a classmate: nothing to
        # check after the fact. Unsandboxed, the guards check between students (guard.py).
        guards = None if sandbox else _guards(course, assignment, template.root, snapshots, watch)
        # Workers run this installed copy of the grading code (the template's lib/ holds the
        # student library only: kernels never see the grading package).
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

        coordinator = Coordinator(course, assignment, pool, guards, run, done)
        coordinator.notebook = notebook
        if guards is not None:
            pool.between = coordinator._check
        from sqlalchemy.pool import NullPool

        from course.grading.engine import shared_engines

        try:
            with shared_engines(poolclass=NullPool):
                pool.run(tasks, jobs, coordinator.consume)
                coordinator._check()  # a change made by the last student still counts
                # A solo run can itself damage a classmate's autograded folder (that classmate
                # is then graded again): a few rounds settle it; what is left waits for the
                # next run, which grades students without a state record.
                for _ in range(SOLO_ROUNDS):
                    again = _second_pass(coordinator, course, assignment, tasks, snapshots)
                    if not again:
                        break
                    bar.total += len(again)
                    bar.refresh()
                    pool.run(again, 1, coordinator.consume)
                    coordinator._check()
                for student in coordinator.regrade:
                    clear_state(coordinator.reports, student)
            coordinator.finish_victims()
        finally:
            bar.close()
        run.warnings += _warnings(coordinator)
        ok = True
    finally:
        # Worker logs help when the tool itself failed; otherwise the scratch is disposable.
        if ok:
            shutil.rmtree(scratch, ignore_errors=True)


def _second_pass(
    coordinator: Coordinator, course: Course, assignment: str, tasks: list[Task], snapshots: Path
) -> list[Task]:
    """The students to grade again one at a time: suspects, and victims of another's writes."""
    planned = {t.student: t.digest for t in tasks}
    coordinator.solo = True
    again = []
    for student in sorted(coordinator.regrade):
        folder = course.step_dir("submitted", student, assignment)
        if not folder.is_dir():
            continue
        digest = planned.get(student)
        if student not in coordinator.victims or digest is None:
            # The submission as it is (unchanged since planning, or never planned in this run).
            digest = _snapshot(course, assignment, student, snapshots / student / assignment)
        clear_state(coordinator.reports, student)
        again.append(Task(student, digest))
    coordinator.regrade.clear()
    if coordinator.guards is not None:
        coordinator.guards.watch_reports()  # the states cleared above
    return again


def _warnings(coordinator: Coordinator) -> list[str]:
    """What the instructor must look at even though every student was graded or flagged."""
    out = []
    if coordinator.outside:
        out.append(
            "Warning: files outside the grading scratch changed during this run and were "
            f"left as they are: {_shown(coordinator.outside)}. Every student was graded with "
            "copies of the library, config and assignment taken at the start, so the grades "
            "stand; the students flagged library-tampered ran when the change was made. "
            "Inspect the change (git diff, or reinstall the course) before grading again."
        )
    if coordinator.hooks:
        out.append(
            "Warning: a submission changed a file that every new Python process or kernel "
            f"runs first; it was put back at once: {_shown(coordinator.hooks)}. The students "
            "flagged library-tampered ran when it changed."
        )
    if coordinator.victims:
        out.append(
            "Warning: submitted files of "
            + ", ".join(sorted(coordinator.victims))
            + " changed during this run: they were graded as collected (see flags.csv)."
        )
    return out
