"""Which submissions are already graded: one small record per merged student.

A student is done once their results are merged into the real gradebook and their autograded
folder is in place; only then is the record written (``reports/<a>/.grade-state/<id>.json``).
A rerun skips a student whose record matches the submission's current digest.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from course.grading.crashpoints import reached

STATE_DIR = ".grade-state"


@dataclass
class StudentState:
    """What was graded for one student and how it ended."""

    student: str
    digest: str
    status: str  # "graded", "flagged" or "failed" (the newest submission could not be graded)
    timestamp: str | None = None
    reason: str = ""  # why it is not graded, in words an instructor can act on
    release_digest: str | None = None  # the assignment version it was graded against


def state_dir(reports: Path) -> Path:
    """The folder holding one assignment's per-student records."""
    return reports / STATE_DIR


def load_state(reports: Path, student: str) -> StudentState | None:
    """The record of one student, or None if never merged (or unreadable)."""
    path = state_dir(reports) / f"{student}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(StudentState)}
        return StudentState(**{k: v for k, v in data.items() if k in known})
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
