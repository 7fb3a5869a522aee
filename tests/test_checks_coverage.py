"""Every registered question has a right answer and at least one wrong answer under test."""

from __future__ import annotations

import importlib
from pathlib import Path

from course.checks import questions


def test_every_question_is_exercised():
    tested: dict[str, object] = {}
    for path in sorted(Path(__file__).parent.glob("test_checks_*.py")):
        module = importlib.import_module(path.stem)
        tested.update(getattr(module, "CASES", {}))
    registered = set(questions())
    assert registered, "no questions registered"
    assert registered <= set(tested), f"untested questions: {sorted(registered - set(tested))}"
    for qid in registered:
        assert tested[qid].wrong, f"{qid} has no wrong answer under test"
