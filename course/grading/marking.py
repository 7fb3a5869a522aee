"""Rubrics in formgrader: each written answer's rubric shown to the marker, never to the student.

nbgrader 0.9.6's formgrader shows a written answer and a comment box whose *placeholder* is the
cell's ``auto_comment`` (formgrade_models.js); a placeholder is never saved as the marker's
comment. ``kosovo-course rubrics`` puts the rubric of the source notebook there for every
answered, not yet commented written answer, so the marker reads it while marking. nbgrader's
feedback would fall back to ``auto_comment`` when the marker wrote no comment, so ``feedback``
removes these notes (see feedback.RedactHiddenTests), and its leak check would catch one that
slipped through (rubric lines are solution text).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from course.grading.coursedir import Course
from course.grading.solutions import cell_source, nbgrader_meta

RUBRIC_NOTE = "For the marker only (rubric from the answer key): "


def rubrics(source_dir: Path) -> dict[tuple[str, str], str]:
    """(notebook, grade id) -> the rubric paragraph(s) of each written answer in the source.

    The rubric is the text from "**Rubric" to the end of the model-answer cell; answers without
    one are left out.
    """
    found = {}
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            meta = nbgrader_meta(cell)
            if cell.get("cell_type") != "markdown" or not meta.get("solution"):
                continue
            m = re.search(r"^\*\*Rubric\b.*", cell_source(cell), flags=re.M | re.S)
            if m and meta.get("grade_id"):
                found[(path.stem, str(meta["grade_id"]))] = m.group(0).strip()
    return found


def show_rubrics(course: Course, assignment: str) -> int:
    """Put each rubric in formgrader's comment placeholder; return how many answers got one.

    Only answers the student wrote (no "No response." note) and no marker commented on yet.
    """
    from nbgrader.api import MissingEntry

    from course.grading.engine import quiet_nbgrader
    from course.grading.lock import course_lock

    found = rubrics(course.step_dir("source", assignment=assignment))
    if not found:
        return 0
    count = 0
    with course_lock(course, "rubrics"), quiet_nbgrader(), course.gradebook() as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return 0
        for sub in submissions:
            for nb in sub.notebooks:
                for comment in nb.comments:
                    rubric = found.get((nb.name, comment.name))
                    if rubric is None or comment.manual_comment:
                        continue
                    if comment.auto_comment and not comment.auto_comment.startswith(RUBRIC_NOTE):
                        continue  # nbgrader's "No response."
                    comment.auto_comment = RUBRIC_NOTE + rubric
                    count += 1
        gb.db.commit()
    return count


def is_rubric_note(comment: str | None) -> bool:
    """Whether a comment is a rubric note put there for the marker (never for feedback)."""
    return bool(comment) and str(comment).startswith(RUBRIC_NOTE)
