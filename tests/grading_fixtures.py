"""Shared helpers for the ``kosovo-course`` tests: fixture courses, classes, CLI runners.

Every course these helpers make lives in a temporary folder: the repository's own release/,
submitted/, autograded/ and gradebook.db are never touched. The fixture assignment
(tests/fixtures/grading/course/notebooks/ps1) is graded with the repository's real
nbgrader_config.py.
"""

from __future__ import annotations

import atexit
import copy
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURE_COURSE = REPO / "tests" / "fixtures" / "grading" / "course"
BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1"

# The class used by the grading tests: every case the grader meets, one student each.
MIXED_CLASS = [
    "full",
    "partial",
    "blank",
    "invalid-json",
    "raise",
    "deleted-test",
    "partial",
    "full",
]
EXTRA_CASES = {"s101": "missing-notebook", "s102": "kernel-died", "s103": "endless-loop"}
TEST_TIMEOUT = 4  # Execute.timeout for the test course, so the endless loop ends quickly

_SESSION = Path(tempfile.mkdtemp(prefix="kosovo-grading-tests-"))
atexit.register(shutil.rmtree, _SESSION, True)


def env() -> dict[str, str]:
    """The environment for CLI subprocesses: this venv's scripts first on PATH, and the
    frozen copy of the ``course`` package first on the import path."""
    e = dict(os.environ)
    e["PATH"] = os.pathsep.join([str(BIN), e.get("PATH", "")])
    e["PYTHONPATH"] = os.pathsep.join(
        [str(frozen_package()), *[p for p in e.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    if (REPO / "datasets").is_dir():
        e.setdefault("KOSOVO_COURSE_DATA", str(REPO / "datasets"))
    e.setdefault("PYTHONUNBUFFERED", "1")
    return e


@functools.cache
def frozen_package() -> Path:
    """A copy of the ``course`` package, taken once per session, that the CLI runs from.

    ``grade`` flags the students running when the grading code changes under it (a
    submission could have changed it). In a working tree where people edit ``course/`` while
    the tests run, that would flag the tests' students too; a frozen copy is what an
    installed package would be.
    """
    dest = _SESSION / "pkg"
    shutil.copytree(
        REPO / "course", dest / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return dest


def private_package(dest: Path) -> Path:
    """A copy of the ``course`` package for one test to run from (and let a submission break).

    Returns the folder to put first on ``PYTHONPATH``; the package is ``<it>/course``.
    """
    shutil.copytree(frozen_package() / "course", dest / "course")
    return dest


def cli(
    *args: str,
    cwd: Path | None = None,
    check: bool = True,
    timeout: float = 300,
    package: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``kosovo-course ARGS`` and return the finished process (output captured).

    ``package`` runs it from that copy of the library (see ``private_package``).
    """
    e = env()
    if package is not None:
        e["PYTHONPATH"] = os.pathsep.join([str(package), e["PYTHONPATH"]])
    proc = subprocess.run(
        [str(BIN / "kosovo-course"), *args],
        cwd=cwd,
        env=e,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"kosovo-course {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def nbgrader(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run stock ``nbgrader ARGS`` in a course directory."""
    return subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def new_course(dest: Path, *, timeout: int | None = TEST_TIMEOUT) -> Path:
    """A fresh course: the repo's nbgrader_config.py and the fixture's source notebooks."""
    dest.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    if timeout is not None:
        config += f"\n# tests: an endless loop must end quickly\nc.Execute.timeout = {timeout}\n"
    (dest / "nbgrader_config.py").write_text(config, encoding="utf-8")
    shutil.copytree(FIXTURE_COURSE / "notebooks", dest / "notebooks")
    return dest


@functools.cache
def released_template() -> Path:
    """A released fixture course, built once per test session (generate_assignment is slow)."""
    root = new_course(_SESSION / "released")
    cli("release", ASSIGNMENT, cwd=root)
    return root


def released_course(dest: Path) -> Path:
    """A private copy of the released fixture course at ``dest``."""
    shutil.copytree(released_template(), dest, symlinks=True)
    return dest


@functools.cache
def class_template() -> tuple[Path, dict[str, str]]:
    """The released fixture course with the mixed class submitted, not graded (built once)."""
    root = released_course(_SESSION / "class")
    return root, write_class(root)


@functools.cache
def graded_template() -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The mixed class graded by ``kosovo-course grade --jobs 2`` (built once)."""
    src, _ = class_template()
    root = _SESSION / "graded"
    shutil.copytree(src, root, symlinks=True)
    return root, cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)


def copy_of(src: Path, dest: Path) -> Path:
    """A private copy of a template course."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _edit_solution(nb: dict[str, Any], grade_id: str, prefix: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = prefix + src
    return nb


def write_class(
    root: Path, kinds: list[str] | None = None, *, extras: dict[str, str] | None = None
) -> dict[str, str]:
    """Synthesise the mixed class (s001...) plus the extra broken cases; return id -> kind."""
    from course.grading.synth import filled, synthesise_class

    made = synthesise_class(
        root / "notebooks" / ASSIGNMENT,
        root / "release" / ASSIGNMENT,
        root / "submitted",
        ASSIGNMENT,
        len(kinds or MIXED_CLASS),
        kinds=list(kinds or MIXED_CLASS),
    )
    source = json.loads((root / "notebooks" / ASSIGNMENT / "ps1.ipynb").read_text())
    release = json.loads((root / "release" / ASSIGNMENT / "ps1.ipynb").read_text())
    full = filled(source, release, None)
    for student, kind in (EXTRA_CASES if extras is None else extras).items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2022-08-25 10:00:00.000000 UTC")
        if kind == "missing-notebook":
            name, nb = "Untitled.ipynb", full  # right work, wrong name: nbgrader ignores it
        elif kind == "kernel-died":
            name, nb = "ps1.ipynb", _edit_solution(full, "count_words", "import os\nos._exit(1)\n")
        elif kind == "endless-loop":
            name, nb = "ps1.ipynb", _edit_solution(full, "count_words", "while True:\n    pass\n")
        else:
            raise ValueError(kind)
        (folder / name).write_text(json.dumps(nb), encoding="utf-8")
        made[student] = kind
    return made


def dump_gradebook(root: Path) -> dict[str, Any]:
    """Every gradebook field of a course, keyed by names (ids differ between runs)."""
    from course.grading.compare import gradebook_dump

    return gradebook_dump(root / "gradebook.db")


def autograded_cells(root: Path) -> dict[str, Any]:
    """What autograding left in each notebook (without run-dependent timestamps)."""
    from course.grading.compare import autograded_cells as cells

    return cells(root / "autograded", ASSIGNMENT)
