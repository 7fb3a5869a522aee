"""Submissions that need the instructor's eye, kept in ``reports/<assignment>/flags.csv``

Re-exported from store.py, where the code lives."""

from course.grading.store import (  # noqa: F401
    COLUMNS,
    KINDS,
    Flag,
    read_flags,
    replace_student_flags,
    write_flags,
)

# nbgrader's own error lines, and what they mean for the student's notebook.
_NBGRADER_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"KeyError: '(grade_id|nbgrader)'",
        "a graded cell lost its nbgrader metadata (the student copied, pasted or re-created "
        "it); open the notebook, restore the cell from the release, and grade it again",
    ),
    (
        r"[Dd]uplicate|appears (more than once|twice)|cell .* twice",
        "a graded cell appears twice: the student pasted a copy of it; delete the copy (keep "
        "the student's answer) and grade again",
    ),
    (
        r"No notebooks were matched",
        "nbgrader found no notebook to grade in the submitted folder (a misnamed notebook, or "
        "a student id nbgrader reads as a pattern); check submitted/<student>/<assignment>/",
    ),
    (
        r"[Cc]hecksum|has been modified|were changed",
        "a locked cell (instructions or a test) was changed by the student; nbgrader put the "
        "original back where it could",
    ),
    (
        r"not (?:a )?valid|NotJSONError|JSONDecodeError|does not appear to be JSON",
        "the notebook file is damaged (cut short or not a notebook); ask the student to "
        "download it again from Jupyter and resubmit",
    ),
)


def _plain_detail(detail: str) -> str:
    """nbgrader's error line turned into what happened, without tracebacks or internals."""
    import re

    for pattern, words in _NBGRADER_WORDS:
        if re.search(pattern, detail):
            return words
    cleaned = re.sub(r"\s*\(?see the above traceback\)?\.?", "", detail, flags=re.I).strip()
    cleaned = re.sub(r"^(?:[a-z_]\w*\.)+(?=[A-Z]\w*(?:Error|Exception)\b)", "", cleaned)
    return cleaned or "no detail was recorded (see reports/<assignment>/logs/<student>.log)"


def explain(flag: Flag) -> str:
    """One flag in words an instructor can act on: which notebook or cell, what happened.

    For every kind, including the grading core's: the core can call this for its summary.
    """
    where = f"{flag.notebook}.ipynb: " if flag.notebook else ""
    detail = flag.detail.strip()
    if flag.kind == "autograde-failed":
        return f"{where}nbgrader could not grade it: {_plain_detail(detail)}"
    if flag.kind == "invalid-json":
        return f"{where}not a readable notebook ({detail}); ask the student to resubmit it"
    if flag.kind == "missing-notebook":
        return f"{where}not handed in (graded 0); check the upload for a renamed notebook"
    if flag.kind == "kernel-died":
        return (
            f"{where}the student's code stopped the Python kernel ({_plain_detail(detail)}); "
            "run the notebook yourself to see which cell"
        )
    if flag.kind == "timeout":
        return f"{where}{detail or 'a cell ran too long'}: look for an endless loop in that cell"
    meaning = KINDS.get(flag.kind, flag.kind)
    return f"{where}{meaning}" + (f" ({_plain_detail(detail)})" if detail else "")


__all__ = ["COLUMNS", "KINDS", "Flag", "read_flags", "write_flags", "replace_student_flags",
           "explain"]
