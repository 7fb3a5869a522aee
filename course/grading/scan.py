"""A static scan of submitted notebooks for code that tampers with grading.

Student code runs inside the grading kernel, so it can rebind ``check``, patch the course
library or IPython's error display and make failing checks look passed. Grading cannot stop
that; this scan makes it visible. It reads only the cells whose code can run as the student
wrote it: not a locked cell of the released notebook, byte for byte, nor a cell nbgrader puts
back from the gradebook before running (one with a locked cell's grade id: a student who kept
an older release's text there is not suspect, as nbgrader runs the current text). It reports
each pattern it finds, with the cell id, as a ``suspicious-code`` flag. Grades are unchanged:
a person reads the flagged cells and decides.
"""

from __future__ import annotations

import re
from pathlib import Path

from course.grading.flags import Flag
from course.grading.solutions import cell_source

# (label, pattern). Names of things a solution in this course has no reason to touch.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("rebinds check", r"(?<![\w.])(?:check|check_hidden)\s*(?:=(?!=)|:=)"),
        ("redefines check", r"\b(?:def|class)\s+(?:check|check_hidden)\b"),
        ("rebinds check", r"\bglobals\(\)\s*\[\s*['\"](?:check|check_hidden)['\"]"),
        ("touches course.checks", r"\bcourse\.checks\b|\bfrom\s+course\s+import\s+checks\b"),
        ("touches IPython error handling", r"\bset_custom_exc\b|\bshowtraceback\b"),
        ("touches sys.modules", r"\bsys\.modules\b"),
        ("touches builtins", r"builtins"),
        ("kills the kernel", r"\bos\._exit\b"),
        ("touches the gradebook", r"gradebook\.db"),
        (
            "touches the course library",
            r"\b(?:course|nbgrader)(?:\.\w+)*\.__file__\b|site-packages|dist-packages",
        ),
    )
)


def _code_cells(path: Path) -> list[dict] | None:
    """The code cells of a notebook in any nbformat version, or None if it is unreadable."""
    import nbformat

    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except Exception:  # unreadable notebooks are flagged elsewhere (invalid-json)
        return None
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]


class Locked(set[str]):
    """The sources of a released notebook's locked code cells, and their grade ids."""

    ids: frozenset[str] = frozenset()


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def locked_sources(release: Path) -> Locked:
    """The sources of the released notebook's locked code cells (students cannot change them).

    The result is a set of sources; its ``ids`` are the locked cells' grade ids, which nbgrader's
    OverwriteCells uses to put those cells back from the gradebook before a submission runs.
    """
    cells = [c for c in _code_cells(release) or [] if _nbgrader(c).get("locked")]
    locked = Locked(cell_source(c) for c in cells)
    locked.ids = frozenset(str(_nbgrader(c)["grade_id"]) for c in cells
                           if _nbgrader(c).get("grade_id"))
    return locked


def _restored(cell: dict, locked: set[str]) -> bool:
    """Whether nbgrader replaces this cell's source with the gradebook's before running it.

    OverwriteCells matches cells by grade id and restores the source of every cell the gradebook
    records as locked, whatever the submitted cell's own metadata says.
    """
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id is not None and str(grade_id) in getattr(locked, "ids", ())


def scan_notebook(path: Path, locked: set[str], student: str) -> list[Flag]:
    """One ``suspicious-code`` flag per (cell, pattern) found in the student's code cells."""
    flags = []
    for i, cell in enumerate(_code_cells(path) or []):
        source = cell_source(cell)
        if source in locked or _restored(cell, locked):
            continue
        cell_id = (
            cell.get("id")
            or cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            or f"#{i}"
        )
        seen = set()
        for label, pattern in PATTERNS:
            match = pattern.search(source)
            if match and label not in seen:
                seen.add(label)
                flags.append(
                    Flag(
                        student,
                        path.stem,
                        "suspicious-code",
                        f"cell {cell_id}: {label} ({match.group(0).strip()!r})",
                    )
                )
    return flags


def scan_submission(
    folder: Path, release_dir: Path, expected: list[str], student: str
) -> list[Flag]:
    """Scan every expected notebook of a submission folder against its release."""
    flags = []
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            continue
        try:
            flags += scan_notebook(path, locked_sources(release_dir / f"{name}.ipynb"), student)
        except Exception as exc:  # the scan must never keep a notebook from being graded
            detail = f"could not scan the notebook ({type(exc).__name__}); read it yourself"
            flags.append(Flag(student, name, "suspicious-code", detail))
    return flags
