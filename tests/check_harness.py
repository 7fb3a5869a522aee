"""Shared assertions for the per-assignment check tests: right answers pass, wrong ones teach."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from course.checks import CheckFailed, _lookup, check


@dataclass
class Case:
    """A question's right answer (built lazily) and typical wrong answers with what they teach."""

    right: Callable[[], Any]
    wrong: list[tuple[Any, str]]
    #: Strings that must never appear in a failure message (e.g. the right option's explanation).
    secrets: list[str] = field(default_factory=list)


def _atoms(value: Any) -> set[str]:
    """The pieces of an answer that a message could leak: words, names, numbers."""
    if isinstance(value, bool) or value is None or callable(value):
        return set()
    if isinstance(value, int | float):
        return {str(value)}
    if isinstance(value, str):
        return {value.strip()} if len(value.strip()) >= 4 else set()
    if isinstance(value, list | tuple | set | frozenset):
        return set().union(*(_atoms(v) for v in value)) if value else set()
    return set()


def assert_passes(qid: str, value: Any, capsys: pytest.CaptureFixture) -> None:
    """The right answer passes, and the verdict says what was and was not checked."""
    check(qid, value)
    printed = capsys.readouterr().out
    assert f"✓ Question {qid}" in printed
    assert "Checked:" in printed or "Not checked yet:" in printed, printed
    assert "graded" not in printed.split("Not checked yet")[0], printed


def assert_teaches(qid: str, value: Any, expect: str, case: Case) -> None:
    """A wrong answer fails with a message that names the variable and hides the answer."""
    with pytest.raises(CheckFailed) as info:
        check(qid, value)
    message = str(info.value)
    variable = _lookup(qid).variable
    assert f"`{variable}" in message, f"message should name {variable}: {message}"
    assert expect.lower() in message.lower(), f"expected {expect!r} in: {message}"
    assert "Traceback" not in message
    leaked = {a for a in _atoms(case.right()) - _atoms(value)
              if re.search(rf"(?<![\w.]){re.escape(a)}(?![\w.])", message)}
    assert not leaked, f"message leaks {leaked}: {message}"
    for secret in case.secrets:
        assert secret not in message


def wrong_params(cases: dict[str, Case]) -> list[Any]:
    """pytest parameters (qid, value, expect) for every wrong answer of every case."""
    return [pytest.param(qid, value, expect, id=f"{qid}-{i}")
            for qid, case in cases.items() for i, (value, expect) in enumerate(case.wrong)]


def case_tests(cases: dict[str, Case]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests every check module needs: each right answer passes, each wrong one teaches.

    Use at module level:
    ``test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)``.
    """

    @pytest.mark.parametrize("qid", list(cases))
    def test_right_answer_passes(qid: str, capsys: pytest.CaptureFixture) -> None:
        assert_passes(qid, cases[qid].right(), capsys)

    @pytest.mark.parametrize(("qid", "value", "expect"), wrong_params(cases))
    def test_wrong_answer_teaches(qid: str, value: Any, expect: str) -> None:
        assert_teaches(qid, value, expect, cases[qid])

    return test_right_answer_passes, test_wrong_answer_teaches
