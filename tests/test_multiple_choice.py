"""Multiple-choice questions must be answered by reading, not by the shape of the options.

Every question registered with ``options`` in ``course.checks`` is found in its source notebook;
its key is found by asking the check itself (the notebook holds the letter only in the answer
cell, the check module only as a salted digest). Across all questions the key must not be the
longest option too often, nor the same letter too often: a student who always picks the longest
option, or always 'C', must not score.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import nbformat
import pytest

from course.checks import _MODULES, CheckFailed, _lookup
from course.checks.core import REGISTRY
from course_helpers import NOTEBOOKS

# An option is "- **A.** text"; its continuation lines are indented.
_OPTION = re.compile(r"^- \*\*([A-Z])\.\*\*\s+(.*(?:\n[ \t]+\S.*)*)", re.M)
_MARKUP = re.compile(r"[*_`\\]")


@dataclass(frozen=True)
class Choice:
    """One multiple-choice question as a student sees it."""

    qid: str
    options: dict[str, str]  # letter -> option text as read (markup removed)
    key: str

    @property
    def key_is_longest(self) -> bool:
        """True when no other option is at least as long as the key."""
        key_len = len(self.options[self.key])
        return all(len(text) < key_len for letter, text in self.options.items()
                   if letter != self.key)

    @property
    def key_is_shortest(self) -> bool:
        """True when no other option is as short as the key (the opposite cue)."""
        key_len = len(self.options[self.key])
        return all(len(text) > key_len for letter, text in self.options.items()
                   if letter != self.key)


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split())


def _question_cell(qid: str) -> str:
    number = qid.split(".", 1)[0]
    [path] = NOTEBOOKS.glob(f"{int(number):02d}-*/{int(number):02d}-*.ipynb")
    nb = nbformat.read(path, as_version=4)
    marker = f"**Question {qid}.**"
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and marker in c.source]
    assert len(cells) == 1, f"question {qid} should be asked in one markdown cell of {path.name}"
    return cells[0][cells[0].index(marker):]


def _key(qid: str, letters: list[str]) -> str:
    question = _lookup(qid)
    right = []
    for letter in letters:
        try:
            question.run(letter)
        except CheckFailed:
            continue
        right.append(letter)
    assert len(right) == 1, f"question {qid} should accept exactly one letter, accepts {right}"
    return right[0]


def _choices() -> list[Choice]:
    for module in _MODULES.values():
        __import__(f"course.checks.{module}")
    found = []
    for qid in sorted(REGISTRY, key=lambda q: tuple(int(p) for p in q.split("."))):
        question = REGISTRY[qid]
        if not question.options:
            continue
        options = {m.group(1): _plain(m.group(2)) for m in _OPTION.finditer(_question_cell(qid))}
        assert sorted(options) == sorted(question.options), (
            f"question {qid}: the notebook offers {sorted(options)}, the check explains "
            f"{sorted(question.options)}")
        found.append(Choice(qid, options, _key(qid, sorted(options))))
    return found


CHOICES = _choices()


def table() -> str:
    """The length of every option, the key starred: for reports and failure messages."""
    rows = []
    for c in CHOICES:
        lengths = "  ".join(f"{letter}{'*' if letter == c.key else ' '}{len(text):4d}"
                            for letter, text in sorted(c.options.items()))
        cue = "key longest" if c.key_is_longest else "key shortest" if c.key_is_shortest else ""
        rows.append(f"{c.qid:>5}  {lengths}  {cue}")
    return "\n".join(rows)


def test_every_multiple_choice_question_is_found() -> None:
    assert len(CHOICES) >= 10, table()
    for choice in CHOICES:
        assert len(choice.options) >= 3, f"{choice.qid} offers too few options"


def test_the_key_is_not_usually_the_longest_option() -> None:
    longest = [c.qid for c in CHOICES if c.key_is_longest]
    assert len(longest) * 3 <= len(CHOICES), (
        f"the key is the longest option in {len(longest)} of {len(CHOICES)} questions "
        f"({', '.join(longest)}); a student could score without reading:\n{table()}")


def test_the_key_is_not_usually_the_shortest_option() -> None:
    """Padding every distractor would only move the cue to the other end."""
    shortest = [c.qid for c in CHOICES if c.key_is_shortest]
    assert len(shortest) * 3 <= len(CHOICES), (
        f"the key is the shortest option in {len(shortest)} of {len(CHOICES)} questions "
        f"({', '.join(shortest)}):\n{table()}")


def test_no_letter_is_the_key_of_more_than_half() -> None:
    letters = Counter(c.key for c in CHOICES)
    letter, count = letters.most_common(1)[0]
    assert count * 2 <= len(CHOICES), (
        f"{letter!r} is the key of {count} of {len(CHOICES)} questions: {dict(letters)}")


@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: c.qid)
def test_options_are_comparable_in_length(choice: Choice) -> None:
    """No option is a throwaway: each is at least a third as long as the longest."""
    longest = max(len(t) for t in choice.options.values())
    short = {letter: len(t) for letter, t in choice.options.items() if len(t) * 3 < longest}
    assert not short, f"{choice.qid}: options {short} are far shorter than {longest} characters"


if __name__ == "__main__":
    print(table())
