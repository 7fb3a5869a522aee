"""Submissions that need the instructor's eye, kept in ``reports/<assignment>/flags.csv``."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from course.grading.crashpoints import reached

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
    "submission-changed": "the submitted files changed during grading; graded as collected, "
    "the other copy is kept (see the detail)",
    "gradebook-tampered": "the real gradebook changed while this submission ran; restored, "
    "not merged",
    "library-tampered": "the course library, nbgrader, the config or the assignment changed "
    "while this submission ran; not merged, nothing reverted",
    "scratch-tampered": "grading's own copies changed while this submission ran; put back, "
    "graded again",
    "course-files-tampered": "other students' submitted or autograded files, or the reports, "
    "changed while this submission ran; not merged",
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
