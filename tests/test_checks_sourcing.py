"""Assignment 01's checks: the answer key passes, typical mistakes get teaching messages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from check_harness import Case, assert_passes, case_tests
from course.checks.sourcing import MISSING_OPTIONS, PUBLISHER_OPTIONS
from course.data import load_article
from course.text import tokens

ARTICLE = load_article()


def _good_counter(paragraphs):
    return [len(tokens(p)) for p in paragraphs]


def _hardcoded_counter(paragraphs):
    return [len(tokens(p)) for p in ARTICLE.paragraphs]


CASES = {
    "1.1": Case(lambda: ARTICLE.headline, [
        (1, "should be text"),
        (ARTICLE.caption, "not the right one"),
        (ARTICLE.text, "spans several lines"),
        (..., "placeholder"),
    ]),
    "1.2": Case(lambda: ARTICLE.caption, [
        (ARTICLE.headline, "not the right one"),
        ([ARTICLE.caption], "should be text"),
    ]),
    "1.3": Case(lambda: len(ARTICLE.paragraphs), [
        (len(ARTICLE.paragraphs) + 2, "headline and the caption"),
        (len(ARTICLE.paragraphs) + 1, "one block too many"),
        ("11", "quotes around a number"),
        (float(len(ARTICLE.paragraphs)), "whole number"),
        (True, "whole number"),
        (len(ARTICLE.paragraphs) - 1, "not the right one"),
    ]),
    "1.4": Case(lambda: len(tokens(ARTICLE.body)), [
        (len(tokens(ARTICLE.text)), "headline and caption"),
        (len(ARTICLE.body), "counts characters"),
        (len(ARTICLE.body.split()), "split on spaces"),
        (tokens(ARTICLE.body), "len(...)"),
        (3, "not the number"),
    ]),
    "1.5": Case(lambda: _good_counter, [
        (None, "should be a function"),
        (lambda ps: None, "should be a list"),
        (lambda ps: [1], "too few"),
        (lambda ps: [0 for _ in ps], "wrong count for paragraph 1"),
    ]),
    "1.6": Case(lambda: "B", [
        ("A", PUBLISHER_OPTIONS["A"][:30]),
        ("d", PUBLISHER_OPTIONS["D"][:30]),
        ("C", PUBLISHER_OPTIONS["C"][:30]),
        ("E", "should be one of"),
        (2, "one letter in quotes"),
    ], secrets=[PUBLISHER_OPTIONS["B"]]),
    "1.7": Case(lambda: "2022-08-17", [
        ("17 August 2022", "month as a number"),
        ("2022-8-17", "two digits"),           # padding, not order, is the problem
        ("2022/08/17", "separated by '/'"),    # separators, not order
        ("2022.08.17", "use hyphens"),
        ("17/08/2022", "year first"),          # here the order is the problem
        ("August 17, 2022", "month as a number"),
        ("2022-02-30", "does not exist"),
        ("2022-17-08", "month comes before the day"),
        ("2022-08-17T10:00", "a time as well as a day"),
        ("2022-08-18", "not the right one"),
        (20220817, "YYYY-MM-DD"),
    ]),
    "1.8": Case(lambda: ["Jens Stoltenberg", "Aleksandar Vučić", "Albin Kurti"], [
        (["Jens Stoltenberg"], "has 1 name: that is too few"),  # not "1 names"
        (["Jens Stoltenberg", "Aleksandar Vucic"], "too few"),
        ("Jens Stoltenberg, Aleksandar Vucic, Albin Kurti", "square brackets"),
        (["Jens Stoltenberg", "Aleksandar Vucic", "Josep Borrell"], "not the right one"),
        (["Vucic", "Aleksandar Vučić", "Kurti"], "same person twice"),
        ([1, 2, 3], "names as text"),
    ]),
    "1.9": Case(lambda: ["Jens Stoltenberg", "Aleksandar Vucic"], [
        (["Jens Stoltenberg", "Aleksandar Vucic", "Albin Kurti"], "too many"),
        (["Jens Stoltenberg", "Albin Kurti"], "being named is not being quoted"),
        (pd.Series(["Jens Stoltenberg", "Aleksandar Vucic"]), ".tolist()"),
    ]),
    "1.10": Case(lambda: "C", [
        ("B", MISSING_OPTIONS["B"][:30]),
        ("a", MISSING_OPTIONS["A"][:30]),
        ("D", MISSING_OPTIONS["D"][:30]),
        (["A"], "one letter in quotes"),
    ], secrets=[MISSING_OPTIONS["C"]]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_surname_forms_are_accepted(capsys):
    assert_passes("1.9", ["Stoltenberg", "VUČIĆ"], capsys)
    assert_passes("1.7", dt.date(2022, 8, 17), capsys)
    assert_passes("1.6", " b ", capsys)


def test_self_check_catches_a_hardcoded_function():
    from course.checks import CheckFailed, check, check_hidden

    for _ in range(5):  # the visible check picks other paragraphs at random, each time
        with pytest.raises(CheckFailed, match="do not come from its argument"):
            check("1.5", _hardcoded_counter)
    with pytest.raises(CheckFailed, match="words_per_paragraph"):
        check_hidden("1.5", _hardcoded_counter)
    check_hidden("1.5", _good_counter)


@pytest.mark.parametrize("typed", ["2022-8-17", "2022/08/17", "2022-08-7", "2022 08 17"])
def test_iso_hint_never_blames_the_order_of_a_year_first_date(typed):
    from course.checks import CheckFailed, check

    with pytest.raises(CheckFailed) as info:
        check("1.7", typed)
    assert "year first" not in str(info.value)
