"""Checks for every autograded question, usable for self-study and by nbgrader alike.

In a notebook::

    from course.checks import check
    check("1.3", answer_1_3)

prints a verdict when the visible checks pass and raises :class:`CheckFailed` with a teaching
message when they do not. In Jupyter the failure shows only that message, never a traceback that
could point at the answer. The verdict says what was and was not checked.

``check_all("1.5", words_per_paragraph)`` runs the full check of a question, the visible and the
hidden checks that grading runs: self-study learners use it to check their work completely.
``check_hidden`` is the name the notebooks' hidden test cells use; it runs the same checks
silently.
"""

from __future__ import annotations

import importlib
from typing import Any

from course.checks.core import (
    REGISTRY,
    CheckFailed,
    Question,
    crash_message,
    digest,
    hidden_crash_message,
    hidden_inputs,
    in_hidden_inputs,
    passed_message,
    student_line,
)
from course.display import show_briefly

__all__ = ["CheckFailed", "check", "check_all", "check_hidden", "digest", "questions"]

# Question ids are "<assignment number>.<question number>"; each assignment has one module.
_MODULES = {
    "1": "sourcing",
    "2": "close_reading",
    "3": "context",
    "4": "actors",
    "5": "corroboration",
    "6": "briefing",
}


def _lookup(qid: Any) -> Question:
    """Find a registered question, importing its assignment's module on first use."""
    if not isinstance(qid, str):
        raise TypeError(f"qid must be a question id string such as '1.3', got {type(qid).__name__}")
    assignment = qid.split(".", 1)[0]
    if assignment in _MODULES and qid not in REGISTRY:
        importlib.import_module(f"course.checks.{_MODULES[assignment]}")
    if qid not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none loaded"
        raise ValueError(f"qid {qid!r} is not a question of this course (known: {known})")
    return REGISTRY[qid]


def _guarded(q: Question, fn, value: Any) -> Any:
    """Run one check function; a crash inside it becomes a plain, answer-free failure."""
    try:
        return fn(value)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 -- an odd value must never show library internals
        # A notebook cell's code raised (a student's function called by a check): show where.
        if student_line(exc, cells_only=True) is not None:
            shown = f"{q.variable}(...)" if callable(value) else q.variable
            message = (hidden_crash_message(q.variable, exc, shown) if in_hidden_inputs()
                       else crash_message(shown, exc, shown, cells_only=True))
            raise CheckFailed(message, question=q.qid) from None
        raise CheckFailed(
            f"`{q.variable}` could not be checked ({type(exc).__name__}). Look at its value "
            "and compare it with what the question asks for.",
            question=q.qid,
        ) from None


def check(qid: str, value: Any) -> None:
    """Run the visible checks of question ``qid`` on ``value`` and print a friendly verdict.

    The verdict says what was checked and what was not; raises CheckFailed with a teaching
    message when a check fails.
    """
    q = _lookup(qid)
    note = _guarded(q, q.run, value)
    print(passed_message(q))
    if note:
        print(f"  {note}")


def check_all(qid: str, value: Any) -> None:
    """Run the full check of ``qid``, visible and hidden, the one grading runs; print a verdict.

    For self-study: nothing is graded, so this is how to check a function on inputs made up for
    grading. Raises CheckFailed like :func:`check`.
    """
    q = _lookup(qid)
    note = _guarded(q, q.run, value)
    if q.hidden is not None:
        with hidden_inputs():
            _guarded(q, q.hidden, value)
    print(passed_message(q, full=True))
    if note:
        print(f"  {note}")


def check_hidden(qid: str, value: Any) -> None:
    """Run the full check of ``qid`` silently: the call in the notebooks' hidden test cells.

    Kept under this name for released notebooks; learners call :func:`check_all` instead.
    """
    q = _lookup(qid)
    _guarded(q, q.run, value)
    if q.hidden is not None:
        with hidden_inputs():
            _guarded(q, q.hidden, value)


def questions(assignment: str | None = None) -> list[str]:
    """List the question ids of one assignment (``"1"``) or of the whole course."""
    wanted = [assignment] if assignment is not None else list(_MODULES)
    for number in wanted:
        if number not in _MODULES:
            raise ValueError(f"assignment must be one of {sorted(_MODULES)}, got {number!r}")
        try:
            importlib.import_module(f"course.checks.{_MODULES[number]}")
        except ModuleNotFoundError as exc:
            if exc.name != f"course.checks.{_MODULES[number]}":
                raise
    return sorted(
        (q for q in REGISTRY if assignment is None or q.split(".", 1)[0] == assignment),
        key=lambda q: tuple(int(p) for p in q.split(".")),
    )


# In Jupyter a failed check shows its message alone: the traceback would only leak internals.
show_briefly(CheckFailed)
