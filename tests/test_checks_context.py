"""Assignment 03's checks: the answer key passes, typical mistakes get teaching messages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from check_harness import Case, assert_passes, case_tests
from course.checks.context import SINCE_2011_OPTIONS
from course.data import load_events
from course.timeline import ARTICLE_DATE, between, event_date, resolve_relative, years_between

EVENTS = load_events()
DECLARATION = event_date(EVENTS, "declaration-of-independence")


def _rows(*ids: str) -> pd.DataFrame:
    return EVENTS[EVENTS["id"].isin(ids)]


def _war_years() -> pd.DataFrame:
    return EVENTS[EVENTS["date"].dt.year.between(1998, 1999)]


def _period() -> pd.DataFrame:
    return between(EVENTS, DECLARATION, ARTICLE_DATE, inclusive="neither")


def _period_counts() -> pd.Series:
    return _period()["category"].value_counts()


def _resolved(phrase: str) -> tuple[str, str]:
    first, last = resolve_relative(phrase, ARTICLE_DATE)
    return first.date().isoformat(), last.date().isoformat()


def _range() -> tuple[int, int]:
    first, last = resolve_relative("June 2013", ARTICLE_DATE)
    conference = event_date(EVENTS, "serbia-first-igc")
    return (conference - last).days, (conference - first).days


def _good_year(events, year):
    return events[events["date"].dt.year == year]


def _library_year(events, year):
    return between(events, year, year)


def _hardcoded_year(events, year):
    return events[events["date"].dt.year == 2022]


def _reloading_year(events, year):
    table = load_events()
    return table[table["date"].dt.year == year]


def _mutating_year(events, year):
    events["year"] = events["date"].dt.year
    return events[events["year"] == year].drop(columns="year")


def _strict_string_year(events, year):
    # A typical slip: '<' against the first day of the year drops nothing, '<=' on the string of
    # the next year keeps its New Year's Day.
    return events[(events["date"] >= str(year)) & (events["date"] <= str(year + 1))]


CASES = {
    "3.1": Case(_war_years, [
        (..., "placeholder"),
        (EVENTS[(EVENTS["date"] >= "1998") & (EVENTS["date"] <= "1999")], "first moment of 1999"),
        (EVENTS[EVENTS["date"].dt.year == 1999], "leaves out events that began in 1998"),
        (EVENTS[EVENTS["date"].dt.year.between(1998, 2004)], "after 1999"),
        (EVENTS[EVENTS["date"].dt.year.between(1989, 1999)], "before 1998"),
        (EVENTS["date"].dt.year.between(1998, 1999), "mask"),
        (_war_years()["id"], "pandas DataFrame"),
        (_war_years()[["title"]], "filter rows, not columns"),
        (pd.concat([_war_years(), _war_years()]), "more than once"),
        (EVENTS[EVENTS["date"].dt.year == 1900], "no rows"),
        (_war_years().assign(id=lambda f: f["id"] + "-x"), "not in `events`"),
        (_war_years().iloc[:-1], "1 event missing"),
    ]),
    "3.2": Case(_period, [
        (between(EVENTS, "2008", "2022"), "declaration itself"),
        (between(EVENTS, DECLARATION, ARTICLE_DATE, inclusive="right"), "news conference"),
        (EVENTS[EVENTS["date"] > DECLARATION], "after the article date"),
        (pd.concat([_rows("kosovo-war"), _period()]), "before the declaration"),
        (_period().iloc[:-1], "missing"),
        ([1, 2], "pandas DataFrame"),
    ]),
    "3.3": Case(_period_counts, [
        (EVENTS["category"].value_counts(), "whole table"),
        (between(EVENTS, DECLARATION, ARTICLE_DATE)["category"].value_counts(),
         "declaration and the news conference"),
        (_period()["category"].value_counts(normalize=True), "shares"),
        (_period().groupby("category").count(), "is a table"),
        (_period_counts().rename(lambda c: c.upper()).drop("EU"), "1 category missing"),
        (_period_counts().mul(2), "wrong count for"),
        (len(_period()), "pandas Series"),
        (pd.Series([1.5], index=["eu"]), "not whole"),
        ({1: 3}, "category names"),
        ({"eu": "three"}, "not a number"),
    ]),
    "3.4": Case(lambda: years_between(DECLARATION, ARTICLE_DATE), [
        ((ARTICLE_DATE - DECLARATION).days / 365.25, "whole number"),
        (ARTICLE_DATE - DECLARATION, "Timedelta"),
        (-years_between(DECLARATION, ARTICLE_DATE), "negative"),
        (ARTICLE_DATE.year - DECLARATION.year + 1, "fence-post"),
        (years_between(DECLARATION, ARTICLE_DATE) - 1, "not the right one"),
        ("14", "quotes around a number"),
    ]),
    "3.5": Case(lambda: years_between(event_date(EVENTS, "dialogue-first-round"), ARTICLE_DATE), [
        (years_between(DECLARATION, ARTICLE_DATE), "2008 declaration"),
        (years_between(event_date(EVENTS, "brussels-agreement"), ARTICLE_DATE),
         "Brussels Agreement"),
        (ARTICLE_DATE.year - 2011 + 1, "fence-post"),
        (years_between("2015", ARTICLE_DATE), "first round of the dialogue"),
        (11.4, "whole number"),
    ]),
    "3.6": Case(_range, [
        (_range()[1], "single number"),
        ((_range()[1], _range()[1]), "same number twice"),
        ((_range()[1], _range()[0]), "longest interval first"),
        ((_range()[0] - 1, _range()[1]), "first day of the next month"),
        ((_range()[0] + 1, _range()[1] + 1), "both end days"),
        ((_range()[0] + 3, _range()[1]), "not the right one"),
        ([pd.Timedelta(days=d) for d in _range()], ".days"),
        ((1, 2, 3), "too many"),
        ("205, 234", "tuple or a list"),
        ((205.0, 234.0), "whole number"),
    ]),
    "3.7": Case(lambda: _resolved("in October"), [
        (("2021-10-01", "2021-10-30"), "does not end on its last day"),
        (("2022-10-01", "2022-10-31"), "had not begun"),
        ("2021-10-06", "single date"),
        (("2021-10-06", "2021-10-06"), "single day"),
        (tuple(reversed(_resolved("in October"))), "last day first"),
        (("1 October", "31 October"), "YYYY-MM-DD"),
        (("2021-10-01",), "too few"),
    ]),
    "3.8": Case(lambda: "energy-roadmap", [
        ("plates-documents-decisions", "not what the sentence is about"),
        (["energy-roadmap", "plates-documents-decisions"], "one event id"),
        ("Energy Agreements Implementation Roadmap", "title"),
        ("road-map", "not an id"),
        ("brdo-summit", "outside the June"),
        (42, "text in quotes"),
    ]),
    "3.9": Case(lambda: "C", [
        ("A", SINCE_2011_OPTIONS["A"][:30]),
        ("b", SINCE_2011_OPTIONS["B"][:30]),
        ("D", SINCE_2011_OPTIONS["D"][:30]),
        ("E", "should be one of"),
        (2, "one letter in quotes"),
    ], secrets=[SINCE_2011_OPTIONS["C"]]),
    "3.10": Case(lambda: _good_year, [
        (None, "should be a function"),
        (lambda events, year: None, "forget `return`"),
        (lambda events, year: events["id"], "should be a pandas DataFrame"),
        (lambda events, year: events["date"].dt.year == year, "mask"),
        (lambda events, year: events[events["date"].dt.year == year][["id", "date"]],
         "keep every column"),
        (lambda events, year: events[events["date"].dt.year >= year], "that should not be there"),
        (_mutating_year, "changes the `events` table"),
        (lambda events, year: pd.concat([_good_year(events, year)] * 2), "more than once"),
    ]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_equivalent_forms_are_accepted(capsys):
    # 3.1 and 3.2 with the course's helpers, a reordered frame and a fresh index.
    assert_passes("3.1", between(EVENTS, "1998", "1999"), capsys)
    assert_passes("3.1", _war_years().iloc[::-1].reset_index(drop=True), capsys)
    assert_passes("3.2", EVENTS[(EVENTS["date"] > DECLARATION) & (EVENTS["date"] < ARTICLE_DATE)],
                  capsys)
    # 3.3 as a dict, with a category counted zero times, and with groupby's Series.
    counts = _period_counts().to_dict()
    assert_passes("3.3", counts | {"conflict": 0}, capsys)
    assert_passes("3.3", _period().groupby("category").size(), capsys)
    # 3.6 as a list; 3.7 as Timestamps, dates or strings with a time part.
    assert_passes("3.6", list(_range()), capsys)
    assert_passes("3.7", resolve_relative("in October", ARTICLE_DATE), capsys)
    assert_passes("3.7", [dt.date(2021, 10, 1), dt.date(2021, 10, 31)], capsys)
    assert_passes("3.7", ("2021-10-01 00:00:00", "2021-10-31"), capsys)
    assert_passes("3.8", " energy-roadmap ", capsys)
    assert_passes("3.10", _library_year, capsys)


def test_hidden_check_catches_fixed_values():
    from course.checks import CheckFailed, check, check_hidden

    for _ in range(5):  # the visible check tries a random year on part of the table
        with pytest.raises(CheckFailed, match="same answer for every year"):
            check("3.10", _hardcoded_year)
        with pytest.raises(CheckFailed, match="do not load the course table again"):
            check("3.10", _reloading_year)
    for fn in (_hardcoded_year, _reloading_year, _strict_string_year):
        with pytest.raises(CheckFailed, match="events_in_year"):
            check_hidden("3.10", fn)
    check_hidden("3.10", _good_year)
    check_hidden("3.10", _library_year)


def test_hidden_check_messages_name_the_function():
    from course.checks import CheckFailed, check_hidden

    with pytest.raises(CheckFailed) as info:
        check_hidden("3.10", _reloading_year)
    assert "do not load the course table again" in str(info.value)


def test_checks_do_not_change_the_answer(capsys):
    answer = _period()
    before = answer.copy(deep=True)
    assert_passes("3.2", answer, capsys)
    pd.testing.assert_frame_equal(answer, before)


def test_a_warning_in_the_students_function_stays_off_stderr(capsys):
    import warnings

    def noisy(events, year):
        warnings.warn("something is deprecated", FutureWarning, stacklevel=1)
        return _good_year(events, year)

    assert_passes("3.10", noisy, capsys)
    assert capsys.readouterr().err == ""


def test_a_right_number_from_another_dialogue_row_is_flagged_honestly(capsys):
    """The 2010 UN resolution and the first round both give the same whole years: the ✓ says the
    check cannot tell them apart, rather than implying the row was right."""
    from_un = years_between(event_date(EVENTS, "unga-dialogue-resolution"), ARTICLE_DATE)
    assert from_un == years_between(event_date(EVENTS, "dialogue-first-round"), ARTICLE_DATE)
    assert_passes("3.5", from_un, capsys)
    from course.checks import check

    check("3.5", from_un)
    assert "cannot tell which row you counted from" in capsys.readouterr().out
