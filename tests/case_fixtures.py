"""The real-world cases of ``../shared/cases`` as courses: located, copied, graded once.

Each case folder holds submissions for ``01-sourcing`` (``submitted/<student>/01-sourcing/``) or
an LMS download with a roster. The grading tests put every static case's students into ONE
course and grade it with one ``kosovo-course grade`` run (the key ``a-key`` is the same file in
every case, so it is graded once). The cases live beside the clone (CI copies ``shared/`` next
to it); a missing folder fails with a message saying where it was looked for.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from grading_fixtures import _SESSION, REPO, cli

ASSIGNMENT = "01-sourcing"
KEY_SCORE = 11.0  # the key's autograded score on 01-sourcing (cases/README.md)

# Cases whose students are graded together in the one class run.
STATIC_CASES = (
    "control",
    "feedback-hidden-inputs",
    "foreign-format-notebooks",
    "helper-module",
    "html-in-submission",
    "huge-return-value",
    "ipywidgets-in-answers",
    "kernelspec-mismatch",
    "matplotlib-backend",
    "solution-cell-changed",
    "student-id-special-chars",
    "unicode-text",
)
COLLECT_CASES = ("collect-nested-zip", "collect-timezone", "collect-two-attempts")
SEQUENCE_CASES = ("resubmission-stale",)


def cases_dir() -> Path:
    """``../shared/cases`` beside the repository root (or $KOSOVO_COURSE_CASES)."""
    explicit = os.environ.get("KOSOVO_COURSE_CASES")
    # ../shared beside the clone; a git worktree (wt/<name>) sits one folder deeper.
    tried = (
        [Path(explicit)]
        if explicit
        else [
            REPO.parent / "shared" / "cases",
            REPO.parent.parent / "shared" / "cases",
        ]
    )
    for path in tried:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        f"The real-world cases are missing: looked for {', '.join(map(str, tried))}. CI copies "
        "shared/ beside the clone; locally, put it at ../shared or set KOSOVO_COURSE_CASES."
    )


def case(name: str) -> Path:
    """One case folder."""
    return cases_dir() / name


def all_case_names() -> list[str]:
    """Every case folder present (each must be covered by a test)."""
    return sorted(p.name for p in cases_dir().iterdir() if p.is_dir())


def case_students(name: str, sub: str = "") -> list[str]:
    """The student ids of a static case (``sub``: a version folder such as v1)."""
    base = case(name) / sub / "submitted" if sub else case(name) / "submitted"
    return sorted(p.name for p in base.iterdir() if p.is_dir())


def new_case_course(dest: Path, *, config_extra: str = "") -> Path:
    """A course with the repo's config and 01-sourcing's source (not released)."""
    dest.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8") + config_extra
    (dest / "nbgrader_config.py").write_text(config, encoding="utf-8")
    src = REPO / "notebooks" / ASSIGNMENT
    shutil.copytree(src, dest / "notebooks" / ASSIGNMENT)
    return dest


@functools.cache
def released_cases_course() -> Path:
    """01-sourcing released once per session (verification skipped: test_cli_release does it)."""
    root = new_case_course(_SESSION / "cases-released")
    cli("release", ASSIGNMENT, "--no-verify", cwd=root, timeout=600)
    return root


def copy_submissions(src_submitted: Path, dest_root: Path) -> list[str]:
    """Copy every ``<student>/01-sourcing`` folder of a case into a course (a-key once)."""
    added = []
    for student in sorted(p for p in src_submitted.iterdir() if p.is_dir()):
        target = dest_root / "submitted" / student.name
        if target.exists():
            continue
        shutil.copytree(student, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # the shared copies are read-only
        added.append(student.name)
    return added


def fresh_copy(src: Path, dest: Path) -> Path:
    """A private copy of a course."""
    shutil.copytree(src, dest, symlinks=True)
    return dest
