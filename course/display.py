"""Short messages in notebooks: errors shown as one line, and figures that wait for an answer.

A figure cell under a function question calls the student's function; while the question is
unanswered the function raises (nbgrader's ``raise NotImplementedError()``) or returns None, and
the cell would show a traceback of plotting code the student never wrote. ``figure_input`` calls
the function instead and, if it cannot give the figure its data, stops the cell with one line
saying which question to finish first.

Student-facing: imports nothing from the grading code (``course.checks`` builds on this module).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["FigureNeedsAnswer", "ShortError", "figure_input", "show_briefly"]


class ShortError(Exception):
    """An error whose message says everything: in IPython it is shown as one line, no frames."""


class FigureNeedsAnswer(ShortError):
    """A figure cell cannot run yet: the function it draws from is not finished."""


def figure_input(fn: Callable[..., Any], *args: Any, question: str) -> Any:
    """Return ``fn(*args)`` for a figure; if it raises or returns None, stop with one line.

    ``question`` is the question that defines ``fn`` ('1.5'). Raises FigureNeedsAnswer naming
    the function and the question; TypeError when ``fn`` is not callable or ``question`` not a
    str.
    """
    if not isinstance(question, str) or not question:
        raise TypeError("question must be a question id such as '1.5'")
    name = getattr(fn, "__name__", "the function")
    if not callable(fn):
        raise FigureNeedsAnswer(
            f"This figure needs your function from Question {question}, but it is not a "
            f"function yet: finish Question {question}, run its cell, then run this cell again.")
    try:
        result = fn(*args)
    except Exception as exc:  # noqa: BLE001 -- any error means the answer is not ready
        raise FigureNeedsAnswer(
            f"This figure needs your `{name}` from Question {question}, which raised "
            f"{type(exc).__name__}: finish Question {question} (its self-check shows where), "
            "then run this cell again.") from None
    if result is None:
        raise FigureNeedsAnswer(
            f"This figure needs your `{name}` from Question {question}, which returned None: "
            f"did you forget `return`? Finish Question {question}, then run this cell again.")
    return result


def _show_one_line(shell: Any, etype: type, value: BaseException, tb: Any,
                   tb_offset: int | None = None) -> list[str]:  # pragma: no cover - IPython
    """Show a ShortError as its name and message alone: the frames would only be our internals."""
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    # _showtraceback is how ipykernel publishes an 'error' output, which nbgrader scores as 0.
    shell._showtraceback(etype, value, stb)
    return stb


_TYPES: dict[type[BaseException], None] = {ShortError: None}


def show_briefly(*types: type[BaseException]) -> None:
    """Show exceptions of ``types`` (and ShortError) as one line in IPython; a no-op elsewhere.

    IPython keeps one custom handler, so every caller adds to the same set of types rather than
    replacing another module's.
    """
    _TYPES.update(dict.fromkeys(types))
    ipython = sys.modules.get("IPython")  # not imported means not running inside IPython
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.set_custom_exc(tuple(_TYPES), _show_one_line)


show_briefly()
