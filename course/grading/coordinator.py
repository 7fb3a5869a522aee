"""The coordinator: the only writer of the real course.

It builds a pristine scratch template of the assignment, snapshots the planned submissions,
hands them to an executor (executors.py), and merges each unit's result into the real course:
the autograded folder by rename, the gradebook fields in one transaction, flags and the state
record (store.py). With the sandbox (the default) nothing else is needed: a kernel cannot reach
anything outside its own folder.

With ``--no-sandbox`` a few cheap checks run between students (guard.py): the real gradebook
and grading's own template are compared with what the coordinator last wrote and put back, and
start-up hooks and kernel specs are put back at once. The students who ran since the last
check are not merged and are recorded as failed (so the next plain run grades them again).
These checks detect after the fact; they do not prevent anything.
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
from typing import TYPE_CHECKING, Any

from course.grading.coursedir import Course
from course.grading.executors import Pool
from course.grading.flags import Flag, replace_student_flags
from course.grading.guard import FileGuard, GradebookGuard, quarantine, startup_guard
from course.grading.merge import merge_student
from course.grading.model import Event, GradeRun, Outcome, Task, UnitResult
from course.grading.plan import release_digest
from course.grading.scratch import build_template, copy_submission, relative_step
from course.grading.state import StudentState, clear_state, save_state

if TYPE_CHECKING:
    from course.grading.dask_executor import Cluster, DaskExecutor

SCRATCH_PREFIX = "kosovo-grade-"

# A student with one of these flags was not graded on what nbgrader alone saw: never merged.
UNTRUSTED = frozenset(
    {"submission-changed", "scratch-tampered", "library-tampered", "gradebook-tampered"}
)


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


@dataclass
class Guards:
    """The cheap checks of an unsandboxed run (see guard.py)."""

    gradebook: GradebookGuard
    template: FileGuard  # the scratch template: put back when changed
    startup: FileGuard  # start-up hooks and kernel specs: put back at once


class Coordinator:
    """Consumes executor events: merges, records flags and state; unsandboxed, also checks."""

    def __init__(
        self,
        course: Course,
        assignment: str,
        pool: Pool | DaskExecutor,
        guards: Guards | None,
        run: GradeRun,
        on_done: Callable[[Outcome], None],
        notebook: str | None = None,
    ) -> None:
        self.course = course
        self.assignment = assignment
        self.pool = pool
        self.guards = guards
        self.run = run
        self.on_done = on_done
        self.notebook = notebook  # grade --notebook: merge only that notebook
        self.reports = course.assignment_reports(assignment)
        self.release_digest = release_digest(course, assignment)
        self.flags_csv = self.reports / "flags.csv"
        self.last_clean = time.monotonic()
        self.blamed: dict[str, list[Flag]] = {}  # ran while something changed: not merged
        self.hooks: list[str] = []  # start-up files put back, for the summary
        self.lock = threading.RLock()
        # Dask may run a task twice (a worker lost after it answered): one merge per submission.
        self.seen: set[tuple[str, str | None]] = set()

    def check(self) -> None:
        """Unsandboxed: compare the guarded files with what the coordinator last wrote.

        Called by each pool slot right after a student ends (so with one job a change is
        blamed on exactly one student) and before each merge.
        """
        if self.guards is None:  # sandboxed: a kernel cannot change anything outside its folder
            return
        with self.lock:
            self._check_locked()

    def _check_locked(self) -> None:
        assert self.guards is not None
        now = time.monotonic()
        g = self.guards
        problems: list[tuple[str, str]] = []
        if g.gradebook.changed():
            keep = self.reports / f"gradebook-tampered-{time.time_ns()}.db"
            g.gradebook.restore(keep_as=keep)
            problems.append(("gradebook-tampered", f"restored; changed copy kept as {keep.name}"))
        restored = g.template.restore()
        if restored:
            problems.append(("scratch-tampered", f"put back: {_shown(restored)}"))
        keep = self.reports / "quarantine" / str(time.time_ns())
        hooks = quarantine(g.startup, keep)
        if hooks:
            self.hooks += [f"{h} (the changed file is kept in {keep})" for h in hooks]
            problems.append(("library-tampered", f"start-up file put back: {_shown(hooks)}"))
        if problems:
            running = self.pool.activity.overlapping(self.last_clean, now)
            more = (
                ""
                if len(running) == 1
                else " (ran beside other submissions; graded again on the next run)"
            )
            for student in running:
                for kind, detail in problems:
                    self.blamed.setdefault(student, []).append(
                        Flag(student, "", kind, detail + more)
                    )
        self.last_clean = now

    def finish(self) -> None:
        """Record a change seen after the last merge: its students are graded again next run."""
        for student, extra in sorted(self.blamed.items()):
            outcome = self.run.outcomes.get(student)
            if outcome is None:
                continue
            outcome.flags.extend(extra)
            replace_student_flags(self.flags_csv, student, outcome.flags)
            save_state(
                self.reports,
                StudentState(student, "", "failed", None, _reason(extra), self.release_digest),
            )
        self.blamed.clear()

    def consume(self, event: Event) -> None:
        """Handle one finished (or failed) student."""
        with self.lock:
            key = (event.task.student, event.task.digest)
            if key in self.seen:
                return  # a second answer for a student already merged: the first stands
            self.seen.add(key)
            started = time.perf_counter()
            if self.guards is not None:
                self._check_locked()
            self._consume(event)
            self.run.merge_seconds += time.perf_counter() - started

    def _consume(self, event: Event) -> None:
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
        flags += self.blamed.pop(student, [])
        kinds = {f.kind for f in flags}
        # Only what nbgrader itself wrote is merged: no record means it never ran.
        merge = event.kind == "answer" and result.record is not None and not kinds & UNTRUSTED
        if merge:
            clear_state(self.reports, student)
            merge_student(self.course, self.assignment, result, notebook=self.notebook)
            if self.guards is not None:
                self.guards.gradebook.remember()
        if result.log_tail and flags:
            log_dir = self.reports / "logs"
            log_dir.mkdir(exist_ok=True)
            (log_dir / f"{student}.log").write_text(result.log_tail, encoding="utf-8")
        replace_student_flags(self.flags_csv, student, flags)
        # A failure is recorded as one, never as a grade: the next run grades it again.
        graded = merge and result.graded
        record = (result.record or {}).get("submission") or {}
        save_state(
            self.reports,
            StudentState(
                student,
                event.task.digest or "",
                "graded" if graded else "failed",
                record.get("timestamp"),
                "" if graded else _reason(flags),
                self.release_digest,
            ),
        )
        if self.guards is not None:
            self.guards.gradebook.remember()  # flags and state are not in the gradebook
        status = ("graded" if result.graded else "flagged") if merge else "not merged"
        outcome = Outcome(student, status, flags, result.seconds)
        self.run.outcomes[student] = outcome
        if result.scratch:
            shutil.rmtree(result.scratch, ignore_errors=True)
        self.on_done(outcome)


def _reason(flags: list[Flag]) -> str:
    """Why a student could not be graded, in the words of the flags that say so."""
    failing = [f for f in flags if f.kind not in ("suspicious-code", "unknown-notebook", "limit")]
    shown = failing or flags
    if not shown:
        return "nbgrader could not grade the submission"
    return "; ".join(f"{f.kind}: {f.detail}" for f in shown[:3])


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")


def _snapshot(course: Course, assignment: str, student: str, dest: Path) -> str:
    """Copy a student's submitted folder into ``dest``; return the digest of the copy."""
    if dest.exists():
        shutil.rmtree(dest)
    return copy_submission(course.step_dir("submitted", student, assignment), dest)


def _guards(course: Course, template_root: Path) -> Guards:
    """Remember, before any student runs, what an unsandboxed submission must not change."""
    template = FileGuard()
    template.watch_tree(template_root, suffixes=None)
    gradebook = GradebookGuard(course.db_path)  # None on a database server: nothing to compare
    gradebook.remember()
    return Guards(gradebook, template, startup_guard())


def run_tasks(
    course: Course,
    assignment: str,
    tasks: list[Task],
    run: GradeRun,
    jobs: int,
    progress: bool,
    student_timeout: float | None,
    scratch_root: Path | None,
    sandbox: bool = True,
    settings: dict[str, dict[str, Any]] | None = None,
    notebook: str | None = None,
    cluster: Cluster | None = None,
) -> None:
    """Grade ``tasks`` on the local pool, or on the Dask ``cluster`` (dask_executor.py, left
    open); the coordinator merges either way."""
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
        guards = None if sandbox else _guards(course, template.root)
        # Workers run this installed copy of the grading code (the template's lib/ holds the
        # student library only: kernels never see the grading package).
        pool: Pool | DaskExecutor
        if cluster is not None:
            from course.grading.dask_executor import DaskExecutor

            pool = DaskExecutor(
                cluster,
                setup,
                template.root,
                scratch,
                student_timeout=student_timeout,
                sandbox_check=(course.config, settings or {}) if sandbox else None,
            )
        else:
            pool = Pool(setup, scratch, student_timeout=student_timeout)
            try:  # fork the workers before tqdm (or anything else) starts a thread
                pool.start(max(1, min(jobs, len(tasks))))
            except BaseException:
                pool.abort()
                raise
        bar = tqdm(
            total=len(tasks),
            unit="student",
            # Only on a terminal: in a log file or CI output a bar is a run of carriage returns
            # between the flag lines (bar.write below still prints those).
            disable=not progress or not sys.stderr.isatty(),
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

        coordinator = Coordinator(course, assignment, pool, guards, run, done, notebook)
        if isinstance(pool, Pool):
            pool.between = coordinator.check
        from sqlalchemy.pool import NullPool

        from course.grading.engine import shared_engines

        try:
            with shared_engines(poolclass=NullPool):
                pool.run(tasks, jobs, coordinator.consume)
                coordinator.check()  # a change made by the last student still counts
                coordinator.finish()
        finally:
            bar.close()
        run.warnings += _warnings(coordinator)
        run.transfer_seconds = getattr(pool, "transfer_seconds", 0.0)
        ok = True
    finally:
        # Worker logs help when the tool itself failed; otherwise the scratch is disposable.
        if ok:
            shutil.rmtree(scratch, ignore_errors=True)


def _warnings(coordinator: Coordinator) -> list[str]:
    """What the instructor must look at even though every student was graded or flagged."""
    if not coordinator.hooks:
        return []
    return [
        "Warning: a submission changed a file that every new Python process or kernel "
        f"runs first; it was put back at once: {_shown(coordinator.hooks)}. The students "
        "flagged library-tampered ran when it changed."
    ]
