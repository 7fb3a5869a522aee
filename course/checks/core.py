"""The check machinery: teaching failures, salted answer digests and the question registry.

A check looks at a student's value coarse to fine -- type, then shape, then value, then detail --
and stops at the first problem with a message that says what is wrong and how to think about it.
Expected values are stored as salted SHA-256 digests or computed from the datasets, so reading
this package does not give the answers away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import numbers
import os
import re
import sys
import traceback
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from course.text import fold_accents

# Changing the salt invalidates every stored digest; tests catch that at once.
SALT = "kosovo-serbia-course/2022-08-17"

#: Kept for released notebooks and tools that import it; the verdict itself is now
#: :func:`passed_message`, which says what each question's check did and did not look at.
PASSED_NOTE = "passed its self-check (see below for what was and was not checked)."


class CheckFailed(AssertionError):
    """A check found a problem; its message teaches and never contains the expected answer."""

    def __init__(self, message: str, *, question: str | None = None) -> None:
        super().__init__(message)
        self.question = question


# --- canonical forms and digests ------------------------------------------------------------


def normalise_text(value: str) -> str:
    """Fold case, accents-preserving Unicode form and runs of white space, for comparing words."""
    folded = unicodedata.normalize("NFC", value).casefold()
    return " ".join(folded.split())


def surname_key(name: str) -> str:
    """Reduce a name to its accent-free, case-folded surname: 'Vučić' ~ 'Aleksandar Vucic'."""
    words = normalise_text(fold_accents(name)).split()
    return words[-1] if words else ""


def iso_day(value: Any, *, allow_time: bool = False) -> str | None:
    """Read a day given as 'YYYY-MM-DD' text or as a date object; None if it is neither.

    ``allow_time`` also accepts text with a time part ('2022-08-17T10:00'), which is ignored.
    """
    if isinstance(value, dt.date):  # datetime and pandas.Timestamp are dates too
        return value.strftime("%Y-%m-%d")
    if not isinstance(value, str):
        return None
    parse = dt.datetime.fromisoformat if allow_time else dt.date.fromisoformat
    try:
        parsed = parse(value.strip())
    except ValueError:
        return None
    return parsed.strftime("%Y-%m-%d")


def _canonical(value: Any) -> Any:
    """Turn a value into plain JSON-able data so equal answers hash equally."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if math.isfinite(as_float) and as_float.is_integer():
            return int(as_float)
        return repr(as_float)
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return repr(value)


def digest(question: str, value: Any) -> str:
    """Return the salted SHA-256 digest of a canonical answer for one question."""
    if not isinstance(question, str) or not question:
        raise TypeError("question must be a non-empty str such as '1.2'")
    payload = json.dumps([SALT, question, _canonical(value)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# --- describing values to students ----------------------------------------------------------

_FRIENDLY = {
    "int": "a whole number (int)",
    "float": "a number (float)",
    "str": "text in quotes (str)",
    "list": "a list",
    "tuple": "a tuple",
    "dict": "a dictionary (dict)",
    "set": "a set",
    "bool": "True or False (bool)",
    "DataFrame": "a pandas DataFrame",
    "Series": "a pandas Series",
    "NoneType": "None",
    "ellipsis": "`...` (the placeholder)",
}


def describe_type(kind: type | tuple[type, ...]) -> str:
    """Say in plain words what kind of value a type (or tuple of types) means."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = [_FRIENDLY.get(k.__name__, k.__name__) for k in kinds]
    return " or ".join(dict.fromkeys(names))


def _type_name(value: Any) -> str:
    return _FRIENDLY.get(type(value).__name__, type(value).__name__)


_TYPE_TIPS = {
    ("int", "str"): "did you put quotes around a number?",
    ("int", "float"): "a count is a whole number: did you divide, or use int(...)?",
    ("int", "list"): "did you keep the whole list? Its length is len(...).",
    ("int", "tuple"): "did you keep the whole tuple? Its length is len(...).",
    ("str", "list"): "the answer is one piece of text, not a list of them.",
    ("str", "int"): "put the answer in quotes, like 'B'.",
    ("list", "str"): "did you forget the square brackets [ ... ]?",
    ("list", "tuple"): "use square brackets [ ... ] to make a list.",
    ("list", "Series"): "turn a Series into a list with .tolist().",
    ("DataFrame", "list"): "did you forget pd.DataFrame(...)?",
    ("DataFrame", "dict"): "did you forget pd.DataFrame(...)?",
    ("DataFrame", "Series"): "selecting one column gives a Series; keep a DataFrame with [[...]].",
    ("Series", "DataFrame"): "select one column, e.g. df['column'], to get a Series.",
    ("float", "str"): "did you put quotes around a number?",
    ("bool", "str"): "write True or False without quotes.",
}


# --- building blocks used by the assignment modules -----------------------------------------

_SINGULAR = {"countries": "country", "categories": "category", "statuses": "status",
             "people": "person", "quotations": "quotation"}


def count_of(n: int, noun: str) -> str:
    """'1 name', '3 names', '1 country': ``noun`` is given in the plural or as 'name(s)'."""
    if noun.endswith("(s)"):
        return f"{n} {noun[:-3]}" if n == 1 else f"{n} {noun[:-3]}s"
    if n != 1:
        return f"{n} {noun}"
    head, _, last = noun.rpartition(" ")
    one = _SINGULAR.get(last, last[:-1] if last.endswith("s") else last)
    return f"{n} {head + ' ' if head else ''}{one}"




def fail(variable: str, problem: str, hint: str | None = None, question: str | None = None):
    """Raise CheckFailed saying what is wrong with ``variable`` and, optionally, a hint."""
    message = f"`{variable}` {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise CheckFailed(message, question=question)


def expect_type(
    value: Any,
    kind: type | tuple[type, ...],
    variable: str,
    *,
    hint: str | None = None,
) -> None:
    """Fail unless ``value`` is of ``kind``; bool never passes for a number."""
    if value is Ellipsis:
        fail(variable, "still holds the placeholder `...`.", "replace `...` with your answer.")
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wants_number = any(k in (int, float) for k in kinds) and bool not in kinds
    matches = isinstance(value, kinds) or (
        wants_number and isinstance(value, numbers.Real) and not isinstance(value, bool)
        and (float in kinds or isinstance(value, numbers.Integral))
    )
    if isinstance(value, bool) and wants_number:
        matches = False
    if matches:
        return
    wanted = kinds[0].__name__
    tip = hint or _TYPE_TIPS.get((wanted, type(value).__name__))
    fail(variable, f"should be {describe_type(kind)}, got {_type_name(value)}.", tip)


def expect_length(value: Any, length: int, variable: str, *, unit: str = "items",
                  hint: str | None = None) -> None:
    """Fail unless ``len(value) == length`` (a length is shape, not the answer itself)."""
    actual = len(value)
    if actual != length:
        more_or_fewer = "too many" if actual > length else "too few"
        fail(variable, f"has {count_of(actual, unit)}: that is {more_or_fewer}.", hint)


def expect_digest(value: Any, question: str, expected: str | Iterable[str], variable: str,
                  *, hint: str | None = None) -> None:
    """Fail unless the canonical value's digest is the stored one (or one of them)."""
    allowed = {expected} if isinstance(expected, str) else set(expected)
    if digest(question, value) not in allowed:
        fail(variable, "has the right kind of value, but not the right one yet.", hint, question)


def expect_columns(frame: Any, columns: Iterable[str], variable: str,
                   *, hint: str | None = None) -> None:
    """Fail unless a DataFrame has every one of ``columns``, naming the missing ones."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        have = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        fail(variable, f"is missing the column(s) {listed} (it has: {have}).", hint)


def expect_rows(frame: Any, rows: int, variable: str, *, hint: str | None = None) -> None:
    """Fail unless a DataFrame has ``rows`` rows."""
    expect_length(frame, rows, variable, unit="rows", hint=hint)


def expect_same_set(value: Iterable[Any], expected: Iterable[Any], variable: str, *,
                    what: str = "items", hint: str | None = None,
                    key: Callable[[Any], Any] = lambda v: v) -> None:
    """Fail unless two collections hold the same items; says how many are wrong, not which."""
    got = {key(v) for v in value}
    want = {key(v) for v in expected}
    extra, missing = len(got - want), len(want - got)
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"{count_of(missing, what)} missing")
        if extra:
            parts.append(f"{count_of(extra, what)} that should not be there")
        fail(variable, f"has {' and '.join(parts)}.", hint)


def expect_close(value: float, expected: float, variable: str, *, tolerance: float = 1e-6,
                 hint: str | None = None) -> None:
    """Fail unless a number is within ``tolerance`` of a value computed from the data."""
    if not math.isclose(float(value), float(expected), rel_tol=0, abs_tol=tolerance):
        fail(variable, "is a number, but not the right one yet.", hint)


# --- calling a student's function -----------------------------------------------------------

# Code a student runs in a notebook cell is compiled under a name like these: IPython's
# "<ipython-input-3-9f1c...>" and ipykernel's "/tmp/ipykernel_4242/1234567890.py".
_CELL_FILE = re.compile(r"^<ipython-input-\d+-[0-9a-f]+>$|[/\\]ipykernel_\d+[/\\]\d+\.py$")
_COURSE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    os.path.abspath(d) for d in {sys.prefix, sys.base_prefix, sys.exec_prefix} if d
)


def _is_student_file(filename: str, *, cells_only: bool = False) -> bool:
    """True for code the student wrote: a notebook cell, or a file outside the course and Python."""
    if _CELL_FILE.search(filename):
        return True
    if cells_only or filename.startswith("<"):  # <string>, <frozen ...>: nothing a student can read
        return False
    path = os.path.abspath(filename)
    return not path.startswith((_COURSE_DIR + os.sep, *(d + os.sep for d in _LIBRARY_DIRS)))


def student_line(exc: BaseException, *, cells_only: bool = False) -> str | None:
    """'line 3: return events[...]' for the deepest frame of the student's own code, or None.

    ``cells_only`` counts only notebook cells as the student's code (for errors raised while a
    check inspects a value, where any other frame may be the check's own).
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if _is_student_file(f.filename, cells_only=cells_only)]
    if not frames:
        return None
    frame = frames[-1]
    code = (frame.line or "").strip()
    where = f"line {frame.lineno}" if frame.lineno else "a line"
    return f"{where}: {code}" if code else where


def crash_message(call: str, exc: BaseException, try_it: str, *,
                  cells_only: bool = False) -> str:
    """Say that a student's function raised, with its own message and line, never our frames."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"`{call}` raised {type(exc).__name__}" + (f": {detail}" if detail else ".")
    line = student_line(exc, cells_only=cells_only)
    if line:
        text += f"\n  in your code, {line}"
    text += (f"\nHint: call it yourself on a small input, e.g. `{try_it}`, and read the whole "
             "error: the last line of your code it shows is where to start.")
    return text


# True while a question's hidden checks run: their inputs are ones the student cannot see.
_HIDDEN_INPUTS: ContextVar[bool] = ContextVar("hidden_inputs", default=False)


@contextmanager
def hidden_inputs() -> Iterator[None]:
    """Run hidden checks inside this: a crash there never quotes the inputs the student cannot see.

    A student's own error message may print its argument (``assert x, f"bad {x!r}"``), and the
    feedback shows test cells' outputs, so under it :func:`call_student` reports the exception's
    type and the student's line, not its message or the call's arguments.
    """
    token = _HIDDEN_INPUTS.set(True)
    try:
        yield
    finally:
        _HIDDEN_INPUTS.reset(token)


def in_hidden_inputs() -> bool:
    """Whether hidden checks are running now (see :func:`hidden_inputs`)."""
    return _HIDDEN_INPUTS.get()


def hidden_crash_message(variable: str, exc: BaseException, try_it: str) -> str:
    """A crash on hidden inputs: the exception's type and the student's line, never its message."""
    text = (f"`{variable}` raised {type(exc).__name__} on an input of the full check that is kept "
            "hidden (its message is not shown here, as it may quote that input).")
    line = student_line(exc)
    if line:
        text += f"\n  in your code, {line}"
    text += (f"\nHint: think of unusual inputs (an empty list, an empty string, a year with no "
             f"events) and call it yourself on them, e.g. `{try_it}`.")
    return text


def call_student(fn: Any, variable: str, args: tuple[Any, ...], *, shown: str | None = None,
                 try_it: str | None = None, signature: str | None = None) -> Any:
    """Call a student's function ``fn(*args)``; if it raises, fail with its message and line.

    ``variable`` names the function in messages, ``shown`` is how the call is written there
    ('events_in_year(events, 2022)'), ``try_it`` a small call the student can run themselves and
    ``signature`` the ``def`` line suggested when ``fn`` is not a function. Warnings raised by
    the student's code are silenced: under nbgrader any text on stderr scores the cell zero.
    """
    shown = shown or f"{variable}(...)"
    if not callable(fn):
        fail(variable, f"should be a function, got {_type_name(fn)}.",
             f"define it with `{signature}`." if signature else "define it with `def ...:`.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 -- a student's code may raise anything
        if _HIDDEN_INPUTS.get():
            # `shown` may write out the hidden arguments: only the check's own small call is used.
            example = try_it or f"{variable}(...)"
            raise CheckFailed(hidden_crash_message(variable, exc, example)) from None
        raise CheckFailed(crash_message(shown, exc, try_it or shown)) from None


# --- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One autograded question: its id ('1.2'), the variable it checks and its check function.

    ``form`` is set for questions whose content is the student's own (a briefing's text): it says
    which parts of the form the check looks at; ``hidden_adds`` says, in a student's words, what
    the hidden checks look at beyond the visible ones.
    """

    qid: str
    variable: str
    run: Callable[[Any], str | None]
    hidden: Callable[[Any], None] | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    form: str | None = None
    hidden_adds: str | None = None


REGISTRY: dict[str, Question] = {}


def question(qid: str, variable: str, *, options: Mapping[str, str] | None = None,
             form: str | None = None):
    """Register a check function for question ``qid`` that inspects ``variable``.

    Give ``form`` ("its length: 200 to 300 words") when the check looks only at the form of an
    answer whose content a person judges; the ✓ then says so.
    """

    def register(fn: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if qid in REGISTRY and REGISTRY[qid].run is not fn:
            raise ValueError(f"question {qid!r} is registered twice")
        REGISTRY[qid] = Question(qid, variable, fn, options=dict(options or {}), form=form)
        return fn

    return register


def hidden(qid: str, adds: str = "further checks that graders run"):
    """Register the extra checks of ``qid`` that grading always runs (and ``check_all`` too).

    ``adds`` says in a student's words what they look at beyond the visible checks, e.g. "your
    function on a table it has not seen"; the ✓ of the visible check names it as not yet checked.
    """

    def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        if qid not in REGISTRY:
            raise ValueError(f"register question {qid!r} before its hidden checks")
        current = REGISTRY[qid]
        REGISTRY[qid] = Question(current.qid, current.variable, current.run, fn, current.options,
                                 current.form, adds)
        return fn

    return register


def passed_message(q: Question, *, full: bool = False) -> str:
    """The ✓ line: what the check just looked at and, as plainly, what it did not.

    Worded to be true both in a class (where the work is graded) and in self-study (where
    nothing is): it names the full check and how to run it, never "more checks later".
    """
    head = f"✓ Question {q.qid} (`{q.variable}`): "
    if q.options:
        return head + "right. Checked: your letter; this is the whole check for this question."
    if q.form:
        text = head + f"the form is right. Checked: {q.form}."
        if q.hidden is not None:
            text += (f" Also checked: {q.hidden_adds}." if full else
                     f" Not checked yet: {q.hidden_adds}; run `check_all({q.qid!r}, "
                     f"{q.variable})` for that too.")
        return text + (" Not checked by any code: whether it is accurate and clear; judge "
                       "that with the question's rubric.")
    if q.hidden is not None:
        if full:
            return head + (f"passed the full check, the one grading runs, including "
                           f"{q.hidden_adds}.")
        return head + ("passed the self-check, on the course data and on inputs made up for "
                       f"this check. Not checked yet: {q.hidden_adds}; run "
                       f"`check_all({q.qid!r}, {q.variable})` for the full check, the one "
                       "grading runs.")
    return head + ("right. Checked: the value; this is the whole check for this question. "
                   "Not checked: how you got it, so let your code compute it rather than "
                   "typing it in.")


def multiple_choice(value: Any, qid: str, answer_digest: str, options: Mapping[str, str],
                    variable: str) -> str:
    """Check a one-letter answer; every option, right or wrong, explains itself."""
    letters = "/".join(f"'{k}'" for k in options)
    expect_type(value, str, variable, hint=f"answer with one letter in quotes: {letters}.")
    letter = value.strip().upper()
    if letter not in options:
        fail(variable, f"should be one of {letters}, got {value!r}.",
              "answer with a single capital letter in quotes.")
    if digest(qid, letter) != answer_digest:
        fail(variable, f"is {letter!r}, which is not the best answer. {options[letter]}",
              "reread the options, then try again.", qid)
    return options[letter]


def choice_question(qid: str, variable: str, answer_digest: str,
                    options: Mapping[str, str]) -> Callable[[Any], str]:
    """Register a multiple-choice question whose answer is one letter of ``options``."""

    def run(value: Any) -> str:
        return multiple_choice(value, qid, answer_digest, options, variable)

    run.__name__ = f"choice_{qid.replace('.', '_')}"
    run.__doc__ = f"Multiple choice {qid}: one letter of {'/'.join(options)}."
    return question(qid, variable, options=options)(run)
