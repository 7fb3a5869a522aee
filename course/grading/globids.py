"""Student ids nbgrader cannot find: ``x[1]``, ``a*b``, ``who?`` (nbgrader #1738, #1843).

nbgrader finds a student's folder by globbing ``{step}/{student_id}/{assignment}``, then globs
the notebooks *under the path it found*, unescaped: for ``x[1]`` the second glob looks for
``x1``, finds nothing, and the student is skipped ("No notebooks were matched"). Escaping the
id fixes only the first glob. So such a student is run by nbgrader under a plain alias, in a
scratch course or a scratch copy, and the results are moved back to the real id: the
autograded folder by rename, the gradebook submission by nbgrader's own API.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
from pathlib import Path

_MAGIC = re.compile(r"[*?\[]")


def needs_alias(student: str) -> bool:
    """Whether nbgrader's globs would not find this student's files."""
    return bool(_MAGIC.search(student))


def alias(student: str) -> str:
    """A plain, stable stand-in id for ``student`` (no glob characters)."""
    return "glob-alias-" + hashlib.sha256(student.encode("utf-8")).hexdigest()[:16]


def move_submission(db_url: str, course_id: str, assignment: str, src: str, dst: str) -> None:
    """Give ``src``'s submission of ``assignment`` to student ``dst`` (replacing dst's own).

    ``src`` (the alias) is removed from the gradebook once it holds nothing else.
    """
    from nbgrader.api import MissingEntry

    from course.grading.gradebook import open_gradebook

    with open_gradebook(db_url, course_id) as gb:
        try:
            submission = gb.find_submission(assignment, src)
        except MissingEntry:
            return
        with contextlib.suppress(MissingEntry):
            gb.remove_submission(assignment, dst)
        try:
            student = gb.find_student(dst)
        except MissingEntry:
            student = gb.add_student(dst)
        submission = gb.find_submission(assignment, src)
        submission.student = student
        gb.db.commit()
        if not gb.find_student(src).submissions:
            gb.remove_student(src)


def replace_dir(src: Path, dest: Path) -> None:
    """Move folder ``src`` to ``dest``, replacing what was there."""
    from nbgrader.utils import rmtree

    if dest.exists():
        rmtree(str(dest))  # nbgrader leaves autograded files read-only
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dest))
