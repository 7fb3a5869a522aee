"""Bring one student's scratch results into the real course (the coordinator's only writes)."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading import results
from course.grading.coursedir import Course
from course.grading.crashpoints import reached
from course.grading.engine import quiet_nbgrader

if TYPE_CHECKING:
    from course.grading.model import UnitResult


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
        shutil.copytree(src, new, copy_function=shutil.copy2)
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


def merge_student(course: Course, assignment: str, result: UnitResult) -> None:
    """Copy the autograded folder into place, then write the gradebook fields in one transaction."""
    student = result.student
    dest = course.step_dir("autograded", student=student, assignment=assignment)
    src = Path(result.autograded) if result.autograded else None
    # As nbgrader does for a failed student: no autograded folder is left behind.
    replace_folder(src, dest)
    reached("folder-merged")
    record = result.record
    if record is not None:
        with quiet_nbgrader(), course.gradebook() as gb:
            results.apply(gb, assignment, record)
        reached("gradebook-written")
