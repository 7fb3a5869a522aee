"""The check machinery itself: digests, coarse-to-fine messages, registry, Jupyter display."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.checks import CheckFailed, check, questions
from course.checks.core import (
    digest,
    expect_columns,
    expect_length,
    expect_same_set,
    expect_type,
    normalise_text,
    surname_key,
)


def test_digest_is_stable_and_question_specific():
    assert digest("1.3", 11) == digest("1.3", np.int64(11)) == digest("1.3", 11.0)
    assert digest("1.3", 11) != digest("1.4", 11)
    assert digest("9.9", {"b": 1, "a": [1, 2]}) == digest("9.9", {"a": [1, 2], "b": 1})
    assert digest("9.9", {1, 2}) == digest("9.9", {2, 1})
    assert len(digest("9.9", "x")) == 64


def test_digest_rejects_a_bad_question_id():
    with pytest.raises(TypeError, match="question"):
        digest(3, "x")


def test_text_and_name_normalisation():
    assert normalise_text("  NATO\n Forces ") == "nato forces"
    assert surname_key("Aleksandar Vučić") == surname_key("VUCIC") == "vucic"
    assert surname_key("") == ""


@pytest.mark.parametrize(("value", "kind", "expect"), [
    (..., int, "placeholder"),
    (True, int, "True or False"),
    ("3", int, "quotes around a number"),
    ([1], pd.DataFrame, "pd.DataFrame(...)"),
    (pd.Series([1]), pd.DataFrame, "[[...]]"),
    (3.5, int, "whole number"),
])
def test_type_messages_teach(value, kind, expect):
    with pytest.raises(CheckFailed) as info:
        expect_type(value, kind, "answer_x")
    assert "`answer_x`" in str(info.value)
    assert expect in str(info.value)


def test_numbers_of_numpy_type_pass():
    expect_type(np.int64(3), int, "answer_x")
    expect_type(np.float64(0.5), float, "answer_x")
    expect_type(3, float, "answer_x")


def test_shape_and_set_messages_do_not_reveal_items():
    with pytest.raises(CheckFailed, match="too many"):
        expect_length([1, 2, 3], 2, "answer_x")
    with pytest.raises(CheckFailed) as info:
        expect_same_set(["a", "secret-b"], ["a", "hidden-c"], "answer_x", what="names")
    assert "1 name missing" in str(info.value) and "hidden-c" not in str(info.value)
    with pytest.raises(CheckFailed, match="'year'"):
        expect_columns(pd.DataFrame({"date": []}), ["date", "year"], "answer_x")


def test_unknown_question_and_bad_qid():
    with pytest.raises(ValueError, match="qid"):
        check("9.99", 1)
    with pytest.raises(TypeError, match="qid"):
        check(1.1, 1)
    with pytest.raises(ValueError, match="assignment"):
        questions("42")


def test_a_crashing_check_hides_internals():
    class Weird(list):
        def __iter__(self):
            raise RuntimeError("internal detail")

    with pytest.raises(CheckFailed) as info:
        check("1.8", Weird(["a"]))
    assert "internal detail" not in str(info.value)
    assert "`answer_1_8`" in str(info.value)


def test_failure_in_jupyter_shows_only_the_message(tmp_path):
    """In a real kernel a failed check is an error output of one line, no traceback frames."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=[
        new_code_cell("from course.checks import check\n"
                      "answer_1_3 = '11'\ncheck('1.3', answer_1_3)"),
        new_code_cell("check('1.3', 11)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    failed = nb.cells[0].outputs
    assert [o.output_type for o in failed] == ["error"]
    assert failed[0].ename == "CheckFailed"
    assert len(failed[0].traceback) == 1
    assert "quotes around a number" in failed[0].traceback[0]
    assert "File " not in failed[0].traceback[0] and "sourcing.py" not in failed[0].traceback[0]
    passed = nb.cells[1].outputs
    assert [o.output_type for o in passed] == ["stream"] and passed[0].name == "stdout"


def _cell_function(source: str, name: str, filename: str = "<ipython-input-7-0123abcd>"):
    """Define a function as a notebook cell would: compiled under IPython's cell file name."""
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("filename", ["<ipython-input-7-0123abcd>",
                                      "/tmp/ipykernel_4242/2139761289.py"])
def test_a_crashing_function_shows_its_own_error_and_line(filename):
    typo = _cell_function(
        "def events_in_year(events, year):\n"
        "    mask = events['date'].dt.year == yeer\n"
        "    return events[mask]\n", "events_in_year", filename)
    with pytest.raises(CheckFailed) as info:
        check("3.10", typo)
    message = str(info.value)
    assert "raised NameError: name 'yeer' is not defined" in message
    assert "in your code, line 2: mask = events['date'].dt.year == yeer" in message
    assert "call it yourself on a small input" in message
    assert "context.py" not in message and "core.py" not in message and "File " not in message


@pytest.mark.parametrize(("qid", "args"), [
    ("1.5", "paragraphs"), ("2.4", "text, keyword"), ("3.10", "events, year"),
    ("4.6", "countries, date"), ("5.1", "phrase, paragraphs"), ("6.4", "events, ids"),
])
def test_every_function_question_reports_a_crash_the_same_way(qid, args):
    broken = _cell_function(f"def f({args}):\n    return 1 / 0\n", "f")
    with pytest.raises(CheckFailed) as info:
        check(qid, broken)
    message = str(info.value)
    assert "raised ZeroDivisionError: division by zero" in message
    assert "in your code, line 2: return 1 / 0" in message
    assert "course/checks" not in message


def test_a_function_that_is_not_one_is_named():
    with pytest.raises(CheckFailed, match="(?s)should be a function.*def events_in_year"):
        check("3.10", 42)


@pytest.mark.parametrize("qid", ["1.3", "1.6", "3.10", "6.8"])
def test_every_verdict_says_what_was_and_was_not_checked(qid):
    from course.checks import _lookup
    from course.checks.core import passed_message

    q = _lookup(qid)
    visible, full = passed_message(q), passed_message(q, full=True)
    assert visible.startswith(f"✓ Question {qid}")
    assert "Checked:" in visible or "Not checked yet:" in visible
    assert "when your work is graded" not in visible  # untrue for self-study
    if q.hidden is not None:
        assert f"check_all('{qid}'" in visible and "check_all" not in full


def test_check_all_runs_the_hidden_checks_and_says_so(capsys):
    from course.checks import check_all

    with pytest.raises(CheckFailed, match="changes the `events` table|events_in_year"):
        check_all("3.10", lambda events, year: events.drop(events.index[:0]).assign(x=1)
                  if year == 1389 else events[events["date"].dt.year == year])
    check_all("3.10", lambda events, year: events[events["date"].dt.year == year])
    assert "passed the full check" in capsys.readouterr().out


def test_counts_agree_with_their_nouns():
    from course.checks.core import count_of

    assert count_of(1, "names") == "1 name" and count_of(2, "names") == "2 names"
    assert count_of(1, "countries") == "1 country" and count_of(0, "countries") == "0 countries"
    assert count_of(1, "member state(s)") == "1 member state"
    assert count_of(3, "event id(s)") == "3 event ids"
    with pytest.raises(CheckFailed, match="has 1 name: that is too few"):
        expect_length(["a"], 2, "answer_x", unit="names")
    with pytest.raises(CheckFailed, match="has 1 category missing"):
        expect_same_set(["a"], ["a", "b"], "answer_x", what="categories")


def test_a_crash_on_hidden_inputs_never_quotes_them():
    """A student's own error message may print its argument; hidden checks must not show it."""
    from course.checks import CheckFailed
    from course.checks.core import call_student, hidden_inputs

    def leaky(paragraphs):
        assert all(paragraphs), f"empty paragraph in {paragraphs!r}"

    secret = ["Talks resumed in Brussels", ""]
    with pytest.raises(CheckFailed) as shown:
        call_student(leaky, "words_per_paragraph", (secret,))
    assert "Talks resumed" in str(shown.value)  # visible inputs: the student's message helps
    with hidden_inputs(), pytest.raises(CheckFailed) as hidden:
        call_student(leaky, "words_per_paragraph", (secret,), shown=f"f({secret!r})")
    message = str(hidden.value)
    assert "Talks resumed" not in message and "AssertionError" in message
    assert "kept hidden" in message
