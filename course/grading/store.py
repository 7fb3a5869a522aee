"""Durable writes to the real course, all made by the coordinator.

- the grading lock (one writer of submitted/, autograded/ and the gradebook at a time);
- flags.csv (submissions that need the instructor's eye);
- per-student state records (``reports/<a>/.grade-state/<id>.json``: what was graded, against
  which release, and whether it succeeded);
- merging a unit's result: the autograded folder by rename, the gradebook fields in one
  transaction.

Every file is written under a temp name and renamed, so a kill at any moment leaves the old
version or the new one (crashpoints.py names the points the crash-safety tests kill at).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.grading import results
from course.grading.coursedir import Course, CourseError
from course.grading.crashpoints import reached
from course.grading.engine import quiet_nbgrader

if TYPE_CHECKING:
    from course.grading.model import UnitResult


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


COLUMNS = ("student_id", "notebook", "kind", "detail")

# What each kind means, for the summary printed after grading.
KINDS = {
    "invalid-json": "a notebook is not valid JSON / nbformat; nbgrader could not read it",
    "missing-notebook": "an expected notebook was not submitted (nbgrader scores it 0)",
    "unknown-notebook": "a submitted notebook is not part of the assignment (ignored)",
    "kernel-died": "the kernel died while running the notebook",
    "timeout": "a cell ran past Execute.timeout and was interrupted",
    "autograde-failed": "nbgrader autograde raised an error",
    "worker-died": "the grading process died (the student's code may have killed it)",
    "submission-changed": "the snapshot of the submitted files changed while grading; not "
    "merged, graded again on the next run",
    "gradebook-tampered": "(--no-sandbox) the real gradebook changed while this submission ran; "
    "restored, not merged, graded again on the next run",
    "library-tampered": "(--no-sandbox) the submission rewrote its copy of the course library "
    "or a Python start-up file; put back, not merged",
    "scratch-tampered": "(--no-sandbox) grading's own copies changed while this submission "
    "ran; put back, not merged, graded again on the next run",
    "limit": "the submission reached a sandbox limit (memory, file size, processes); graded "
    "as far as it got: the detail names the cell and the Sandbox setting",
    "suspicious-code": "student code touches the grading machinery (check, IPython, the "
    "gradebook...); grades unchanged: read the flagged cell",
}


@dataclass(frozen=True)
class Flag:
    """One flagged problem with one student's submission."""

    student_id: str
    notebook: str
    kind: str
    detail: str


def read_flags(path: Path) -> list[Flag]:
    """The flags recorded in a flags.csv (none if it does not exist)."""
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [Flag(**{k: row.get(k, "") or "" for k in COLUMNS}) for row in csv.DictReader(fh)]


def write_flags(path: Path, flags: Iterable[Flag]) -> None:
    """Write flags.csv atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(set(flags), key=lambda f: (f.student_id, f.notebook, f.kind, f.detail))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".flags-", suffix=".csv")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(asdict(f) for f in rows)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; flags.csv is for the teaching team too
    reached("flags-written")
    os.replace(tmp, path)


def replace_student_flags(path: Path, student: str, flags: Iterable[Flag]) -> None:
    """Replace one student's rows in flags.csv, keeping every other student's."""
    kept = [f for f in read_flags(path) if f.student_id != student]
    write_flags(path, [*kept, *flags])


STATE_DIR = ".grade-state"


@dataclass
class StudentState:
    """What was graded for one student and how it ended."""

    student: str
    digest: str
    status: str  # "graded" or "failed"
    timestamp: str | None = None
    reason: str = ""  # why it failed, in plain words ("" when graded)
    release_digest: str = ""  # the released assignment it was graded against


def state_dir(reports: Path) -> Path:
    """The folder holding one assignment's per-student records."""
    return reports / STATE_DIR


def load_state(reports: Path, student: str) -> StudentState | None:
    """The record of one student, or None if never graded (or unreadable).

    Contract for report.py and feedback.py (also at ``course.grading.state.load_state``): the
    record has at least ``status`` ("graded" or "failed"), ``reason`` (plain words: why the
    newest submission could not be graded; "" when graded) and ``release_digest`` (the digest
    of the released assignment it was graded against, "" for records written before it was
    kept). A "failed" student has no current score: show "ungraded: <reason>" and withdraw
    older feedback. ``grade`` grades "failed" students again on every run.
    """
    path = state_dir(reports) / f"{student}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if data.get("status") == "flagged":  # written before "failed" had its name
            data["status"] = "failed"
        return StudentState(**data)
    except (OSError, ValueError, TypeError):
        return None


def save_state(reports: Path, state: StudentState) -> None:
    """Write one student's record atomically."""
    folder = state_dir(reports)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(state), fh, indent=1)
    os.chmod(tmp, 0o644)  # as flags.csv: readable by the teaching team, not only the grader
    reached("state-written")
    os.replace(tmp, folder / f"{state.student}.json")


def sweep_state(reports: Path) -> None:
    """Remove temp files a killed run left half-written."""
    for leftover in state_dir(reports).glob(".tmp-*"):
        leftover.unlink(missing_ok=True)
    for leftover in reports.glob(".flags-*"):
        leftover.unlink(missing_ok=True)


def clear_state(reports: Path, student: str) -> None:
    """Forget one student's record (before regrading, so a kill cannot leave a stale one)."""
    (state_dir(reports) / f"{student}.json").unlink(missing_ok=True)


def _rmtree(path: Path) -> None:
    from nbgrader.utils import rmtree

    # nbgrader leaves autograded files read-only (444); its rmtree copes with that.
    rmtree(str(path))


def replace_folder(src: Path | None, dest: Path) -> None:
    """Make ``dest`` a copy of ``src`` (or remove it when ``src`` is None) in one rename.

    The copy is written beside ``dest`` under a hidden name and renamed into place, so a kill
    at any moment leaves either the old folder or the new one, never half of one.
    """
    if src is None and not dest.exists():
        return  # nothing to remove, and no empty student folder to leave behind
    dest.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    old = dest.with_name(f".{dest.name}.old-{tag}")
    new = dest.with_name(f".{dest.name}.new-{tag}")
    if src is not None:
        # Symbolic links are not copied: one made by a sandboxed kernel would otherwise be
        # followed here, outside the sandbox, and bring in whatever it points to.
        shutil.copytree(src, new, symlinks=True, copy_function=shutil.copy2)
        for link in [p for p in new.rglob("*") if p.is_symlink()]:
            link.unlink()
    reached("folder-copied")
    if dest.exists():
        os.replace(dest, old)
    reached("folder-swapped-out")
    if src is not None:
        os.replace(new, dest)
    if old.exists():
        _rmtree(old)
    if src is None:
        # As stock nbgrader: no empty autograded/<student>/ for a student it could not grade.
        with contextlib.suppress(OSError):
            dest.parent.rmdir()


def sweep_partial(folder: Path, name: str) -> None:
    """Clear the hidden half-copies a killed run left beside ``folder/<student>/name``.

    A kill between the two renames of ``replace_folder`` leaves no ``name`` at all, only the
    old folder set aside: it is put back, so nothing is lost until the new one is ready.
    """
    if not folder.is_dir():
        return
    for student in folder.iterdir():
        if not student.is_dir():
            continue
        dest = student / name
        olds = sorted(student.glob(f".{name}.old-*"), key=lambda p: p.stat().st_mtime)
        if not dest.exists() and olds and olds[-1].is_dir():
            os.replace(olds[-1], dest)
        for leftover in student.glob(f".{name}.*-*"):
            if leftover.is_dir():
                _rmtree(leftover)


def merge_student(
    course: Course, assignment: str, result: UnitResult, *, notebook: str | None = None
) -> None:
    """Copy the autograded folder into place, then write the gradebook fields in one transaction.

    With ``notebook`` (``grade --notebook NAME``) only that notebook was graded: the student's
    other autograded files stay as they were, as with ``nbgrader autograde --notebook``.
    """
    student = result.student
    dest = course.step_dir("autograded", student=student, assignment=assignment)
    src = Path(result.autograded) if result.autograded else None
    if notebook and dest.is_dir():
        if src is None:
            return  # that notebook could not be graded: the other notebooks' results stand
        combined = Path(tempfile.mkdtemp(dir=src.parent, prefix=".combined-"))
        shutil.copytree(dest, combined / "all", symlinks=True)
        for path in src.iterdir():
            if path.is_symlink():
                continue  # see replace_folder
            target = combined / "all" / path.name
            if target.exists():
                os.chmod(target, 0o644)
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            if path.is_dir():
                shutil.copytree(path, target, symlinks=True)
            else:
                shutil.copy2(path, target)
        src = combined / "all"
    # As nbgrader does for a failed student: no autograded folder is left behind.
    replace_folder(src, dest)
    reached("folder-merged")
    record = result.record
    if record is not None:
        with quiet_nbgrader(), course.gradebook() as gb:
            results.apply(gb, assignment, record)
        reached("gradebook-written")
