"""Which submissions are already graded: one small record per merged student.

Written after each student's results are merged (``reports/<a>/.grade-state/<id>.json``).
A rerun skips a student whose record says "graded" for the submission's current digest and the
current release; a "failed" record is graded again on every run (plan.py).

Contract for the report and feedback code: ``load_state(reports, student)`` returns None (never
graded) or a :class:`StudentState` with at least ``status`` ("graded" or "failed"), ``reason``
(plain words: why the newest submission could not be graded; "" when graded) and
``release_digest`` (the digest of the released assignment it was graded against). A "failed"
student has no current score: show "ungraded: <reason>" and withdraw older feedback.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from course.grading.crashpoints import reached

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
    """The record of one student, or None if never merged (or unreadable)."""
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
