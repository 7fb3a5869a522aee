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
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Changing the salt invalidates every stored digest; tests catch that at once.
SALT = "kosovo-serbia-course/2022-08-17"

#: Printed after every passed self-check: visible checks are never the whole story.
PASSED_NOTE = "all visible checks passed; more checks run when your work is graded."


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
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = normalise_text(plain).split()
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
        fail(variable, f"has {actual} {unit}: that is {more_or_fewer}.", hint)


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
            parts.append(f"{missing} {what} missing")
        if extra:
            parts.append(f"{extra} {what} that should not be there")
        fail(variable, f"has {' and '.join(parts)}.", hint)


def expect_close(value: float, expected: float, variable: str, *, tolerance: float = 1e-6,
                 hint: str | None = None) -> None:
    """Fail unless a number is within ``tolerance`` of a value computed from the data."""
    if not math.isclose(float(value), float(expected), rel_tol=0, abs_tol=tolerance):
        fail(variable, "is a number, but not the right one yet.", hint)


# --- questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One autograded question: its id ('1.2'), the variable it checks and its check function."""

    qid: str
    variable: str
    run: Callable[[Any], str | None]
    hidden: Callable[[Any], None] | None = None
    options: Mapping[str, str] = field(default_factory=dict)


REGISTRY: dict[str, Question] = {}


def question(qid: str, variable: str, *, options: Mapping[str, str] | None = None):
    """Register a check function for question ``qid`` that inspects ``variable``."""

    def register(fn: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
        if qid in REGISTRY and REGISTRY[qid].run is not fn:
            raise ValueError(f"question {qid!r} is registered twice")
        REGISTRY[qid] = Question(qid, variable, fn, options=dict(options or {}))
        return fn

    return register


def hidden(qid: str):
    """Register the extra checks that run for ``qid`` only while grading."""

    def register(fn: Callable[[Any], None]) -> Callable[[Any], None]:
        if qid not in REGISTRY:
            raise ValueError(f"register question {qid!r} before its hidden checks")
        current = REGISTRY[qid]
        REGISTRY[qid] = Question(current.qid, current.variable, current.run, fn, current.options)
        return fn

    return register


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
