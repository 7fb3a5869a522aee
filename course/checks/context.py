"""Checks for assignment 03, contextualisation: placing the article in time.

Filters are checked against sets of event ids computed from ``course.data.load_events()``, so a
check never stores a list of answers; single values (intervals, resolved periods, one event id,
the multiple-choice letter) are stored as salted digests.
"""

from __future__ import annotations

import datetime as dt
import numbers
import random
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from course.checks.core import (
    call_student,
    choice_question,
    expect_columns,
    expect_digest,
    expect_length,
    expect_same_set,
    expect_type,
    fail,
    hidden,
    iso_day,
    normalise_text,
    question,
)
from course.data import load_events
from course.timeline import ARTICLE_DATE, years_between

DECLARATION = "declaration-of-independence"
DIALOGUE_START = "dialogue-first-round"
BRUSSELS_AGREEMENT = "brussels-agreement"
ARTICLE_EVENT = "nato-press-conference"
PLATES_DECISIONS = "plates-documents-decisions"
MONTH_DECISION = "serbia-negotiations-decision"
FIRST_CONFERENCE = "serbia-first-igc"

SINCE_2011_OPTIONS = {
    "A": "`resolve_relative` turns a bare year into its first day: that is the function's "
    "convention, not a fact about the dialogue; the events table dates the first round to March "
    "2011. And words assign roles: 'led' suggests the EU steers the outcome, 'facilitated' that it "
    "convenes and mediates while Belgrade and Pristina negotiate.",
    "B": "'Since' dates a beginning; it says nothing about how often the sides met, and the table "
    "records particular rounds on particular days, not talks without a pause. Nor is 'EU-led' the "
    "dialogue's usual name: that is the one ¶1 uses, 'European Union-facilitated'.",
    "C": "'Since 2011' dates a beginning, the first round in Brussels in March 2011, not an "
    "unbroken process; and 'EU-led' (¶4, ¶7) gives the EU a larger role than "
    "'European Union-facilitated' (¶1), the usual name of the dialogue, in which Belgrade and "
    "Pristina negotiate and the EU convenes and mediates.",
    "D": "Read the resolution again: it welcomed a dialogue the EU would *facilitate*; it neither "
    "started the talks nor gave the EU the lead. The first round came in March 2011, so 'since "
    "2011' holds; it is 'EU-led' that changes the EU's role.",
}


# --- shared helpers -------------------------------------------------------------------------


def _events() -> pd.DataFrame:
    return load_events()


def _ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["id"].astype(str))


def _date_of(events: pd.DataFrame, event_id: str) -> pd.Timestamp:
    return events.loc[events["id"] == event_id, "date"].iloc[0]


def _event_rows(value: Any, variable: str) -> pd.DataFrame:
    """Check that an answer is a table of whole rows of `events`, each event once."""
    if isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value):
        fail(variable, "is a column of True/False values (a mask), not the rows themselves.",
             "use the condition to pick rows: `events[condition]`.")
    expect_type(value, pd.DataFrame, variable,
                hint="filter the rows of `events` and keep the result: `events[condition]`.")
    expect_columns(value, ["id", "date"], variable,
                   hint="filter rows, not columns: keep every column of `events`.")
    if value.empty:
        fail(variable, "has no rows: no event matched your condition.",
             "print the condition on its own and look at which rows are True.")
    ids = value["id"].astype(str)
    if ids.duplicated().any():
        fail(variable, "holds the same event more than once.",
             "each event should appear once: did you concatenate two filters?")
    if not set(ids) <= _ids(_events()):
        fail(variable, "holds rows that are not in `events`.",
             "start from `events = load_events()` and only filter it.")
    return value


def _dates(frame: pd.DataFrame) -> pd.Series:
    """A frame's dates as datetimes, quietly: a warning would print to stderr and score zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(frame["date"])


def _years(frame: pd.DataFrame) -> set[int]:
    return set(_dates(frame).dt.year)


def _no_timedelta(value: Any, variable: str, what: str) -> None:
    kinds = (pd.Timedelta, dt.timedelta)
    if isinstance(value, kinds) or (
        isinstance(value, list | tuple) and any(isinstance(v, kinds) for v in value)
    ):
        fail(variable, "holds a Timedelta (a length of time), not a number.",
             f"{what}")


# --- 1. The timeline as a table -------------------------------------------------------------


@question("3.1", "answer_3_1")
def war_years(value: Any) -> None:
    """The events whose date falls in 1998 or 1999, as rows of `events`."""
    rows = _event_rows(value, "answer_3_1")
    events = _events()
    expected = events[events["date"].dt.year.between(1998, 1999)]
    got, want = _ids(rows), _ids(expected)
    years = _years(rows)
    if got < want and years <= {1998}:
        fail("answer_3_1", "stops at the first moment of 1999.",
             "compared with a date, the text '1999' means 1 January 1999 at midnight, not the "
             "whole year. Compare years instead (`events['date'].dt.year`), or use "
             "`between(events, '1998', '1999')`, which reads a year as the whole year.")
    if got < want and years <= {1999}:
        fail("answer_3_1", "leaves out events that began in 1998.",
             "the period runs from the first day of 1998 to the last day of 1999.")
    if any(y > 1999 for y in years):
        fail("answer_3_1", "includes events after 1999.",
             "the period ends on 31 December 1999.")
    if any(y < 1998 for y in years):
        fail("answer_3_1", "includes events before 1998.",
             "the period starts on 1 January 1998.")
    expect_same_set(got, want, "answer_3_1", what="events",
                    hint="keep the events whose `date` is in 1998 or 1999.")


# --- 2. Periods and groups ------------------------------------------------------------------


def _between_declaration_and_article(events: pd.DataFrame, *, with_ends: bool = False
                                     ) -> pd.DataFrame:
    start = _date_of(events, DECLARATION)
    if with_ends:
        return events[(events["date"] >= start) & (events["date"] <= ARTICLE_DATE)]
    return events[(events["date"] > start) & (events["date"] < ARTICLE_DATE)]


@question("3.2", "answer_3_2")
def after_declaration(value: Any) -> None:
    """The events strictly after the 2008 declaration and strictly before the article."""
    rows = _event_rows(value, "answer_3_2")
    events = _events()
    got = _ids(rows)
    dates = _dates(rows)
    if DECLARATION in got:
        fail("answer_3_2", "includes the declaration itself.",
             "'after the declaration' means strictly later: use `>` (or "
             "`inclusive=\"neither\"`), not `>=`.")
    if (dates > ARTICLE_DATE).any():
        fail("answer_3_2", "includes events after the article date.",
             "the writer on 17 August 2022 could not know them: the period ends before the "
             "article.")
    if ARTICLE_EVENT in got:
        fail("answer_3_2", "includes the news conference the article reports.",
             "'before the article' means strictly earlier than its date: use `<`, not `<=`.")
    if (dates < _date_of(events, DECLARATION)).any():
        fail("answer_3_2", "includes events before the declaration.",
             "the period starts after 17 February 2008.")
    expect_same_set(got, _ids(_between_declaration_and_article(events)), "answer_3_2",
                    what="events",
                    hint="compare `events['date']` with the declaration's date and the "
                    "article's date (`ARTICLE_DATE`).")


def _counts(value: Any, variable: str) -> dict[str, float]:
    """Read category counts given as a Series or a dict into {category: count}."""
    if isinstance(value, pd.DataFrame):
        fail(variable, "is a table; the answer is one count per category, a Series.",
             "`.value_counts()` on the 'category' column, or `.groupby('category').size()`, "
             "gives a Series.")
    expect_type(value, (pd.Series, dict), variable,
                hint="count with `answer_3_2['category'].value_counts()`.")
    items = value.to_dict() if isinstance(value, pd.Series) else dict(value)
    counts: dict[str, float] = {}
    for key, number in items.items():
        if not isinstance(key, str):
            fail(variable, "should be labelled by category names (text).",
                 "count the 'category' column, so that the labels are the categories.")
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            fail(variable, f"has a count for {key!r} that is not a number.")
        if number:  # a category counted zero times is the same as one left out
            counts[normalise_text(key)] = number
    return counts


@question("3.3", "answer_3_3")
def category_counts(value: Any) -> None:
    """How many events of each category fall in the period of question 3.2."""
    counts = _counts(value, "answer_3_3")
    if counts and all(0 < n < 1 for n in counts.values()):
        fail("answer_3_3", "holds shares (fractions), not counts.",
             "leave out `normalize=True`: the question asks how many events.")
    if any(float(n) != int(n) for n in counts.values()):
        fail("answer_3_3", "holds numbers that are not whole: a count is a whole number.")
    counts = {k: int(n) for k, n in counts.items()}
    events = _events()

    def tally(frame: pd.DataFrame) -> dict[str, int]:
        return {normalise_text(k): int(n) for k, n in frame["category"].value_counts().items()}

    if counts == tally(events):
        fail("answer_3_3", "counts the whole table.",
             "count only the events of the period of question 3.2 (`answer_3_2`).")
    if counts == tally(_between_declaration_and_article(events, with_ends=True)):
        fail("answer_3_3", "counts the declaration and the news conference too.",
             "the period of question 3.2 lies strictly between them: count `answer_3_2`.")
    expected = tally(_between_declaration_and_article(events))
    expect_same_set(counts, expected, "answer_3_3", what="categories",
                    hint="count the 'category' column of the events of question 3.2.")
    for category, number in sorted(expected.items()):
        if counts[category] != number:
            fail("answer_3_3", f"has the wrong count for {category!r}.",
                 "count the 'category' column of `answer_3_2`, not of the whole table.")


# --- 3. Measuring time ----------------------------------------------------------------------


def _whole_years(value: Any, variable: str) -> int:
    _no_timedelta(value, variable,
                  "a Timedelta counts days; count whole years with `years_between(a, b)`.")
    expect_type(value, int, variable)
    if value < 0:
        fail(variable, "is negative.", "give the earlier date first: `years_between(earlier, "
             "later)`.")
    return int(value)


@question("3.4", "answer_3_4")
def years_since_declaration(value: Any) -> None:
    """Whole years from the 2008 declaration to the article."""
    years = _whole_years(value, "answer_3_4")
    start = _date_of(_events(), DECLARATION)
    if years == ARTICLE_DATE.year - start.year + 1:
        fail("answer_3_4", "counts the calendar years from 2008 to 2022 with both ends included.",
             "that is a fence-post error: from 2008 to 2009 is one year, not two.")
    expect_digest(years, "3.4",
                  "972f42ab9e859459a9f57be0fc490820a3f9c89219a9177e7507ac173f6d14ee",
                  "answer_3_4",
                  hint="count whole years, as ages are counted: "
                  "`years_between(event_date(events, ...), ARTICLE_DATE)`.")


@question("3.5", "answer_3_5")
def years_of_dialogue(value: Any) -> str | None:
    """Whole years from the first round of the EU-facilitated dialogue to the article."""
    years = _whole_years(value, "answer_3_5")
    events = _events()
    if years == years_between(_date_of(events, DECLARATION), ARTICLE_DATE):
        fail("answer_3_5", "counts from the 2008 declaration.",
             "the dialogue began later: find its first round in `events`.")
    if years == years_between(_date_of(events, BRUSSELS_AGREEMENT), ARTICLE_DATE):
        fail("answer_3_5", "counts from the 2013 Brussels Agreement.",
             "that agreement was reached within the dialogue; the question asks how long the "
             "dialogue itself had run, from its first round.")
    if years == ARTICLE_DATE.year - _date_of(events, DIALOGUE_START).year + 1:
        fail("answer_3_5", "counts the calendar years with both ends included.",
             "that is a fence-post error: count whole years with `years_between(...)`.")
    expect_digest(years, "3.5",
                  "063fc4f35b35cbc3fe1a5fd138ccf0d1214f8631efa3acf2c6f7789c3f000fca",
                  "answer_3_5",
                  hint="start from the first round of the dialogue "
                  "(`event_date(events, 'dialogue-first-round')`).")
    # The check sees only a number, and more than one starting row gives it; say so honestly.
    same = [str(title) for day, title in zip(events["date"], events["title"], strict=True)
            if day <= ARTICLE_DATE and years_between(day, ARTICLE_DATE) == years
            and "dialogue" in str(title).lower()]
    if len(same) > 1:
        return ("The check sees only the number, and it cannot tell which row you counted "
                "from: other rows about the dialogue give the same whole years. Make sure "
                "yours is the first round of the dialogue itself, not an event before it.")
    return None


@question("3.6", "answer_3_6")
def honest_interval(value: Any) -> None:
    """The shortest and longest possible days from a month-precision decision to a dated event."""
    variable = "answer_3_6"
    _no_timedelta(value, variable, "take the number of days of a Timedelta with `.days`.")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        fail(variable, "is a single number.",
             "the decision is dated to a month: its stored first-of-month day is a convention, "
             "not a fact. It could fall on any day of that month, so give two numbers, "
             "(shortest, longest).")
    expect_type(value, (tuple, list), variable,
                hint="give two numbers in brackets: `(shortest, longest)`.")
    expect_length(value, 2, variable, unit="numbers", hint="two numbers: (shortest, longest).")
    for item in value:
        expect_type(item, int, variable,
                    hint="each number is a count of days: a whole number (`.days`).")
    shortest, longest = (int(v) for v in value)
    if shortest > longest:
        fail(variable, "gives the longest interval first.", "put the shortest first.")
    if shortest == longest:
        fail(variable, "gives the same number twice.",
             "if the decision fell on the first day of its month the interval is longest; if "
             "on the last day, shortest.")
    events = _events()
    first = _date_of(events, MONTH_DECISION)
    last = first + pd.offsets.MonthEnd(0)
    conference = _date_of(events, FIRST_CONFERENCE)
    if shortest == (conference - last).days - 1:
        fail(variable, "counts the shortest interval from the first day of the next month.",
             "the latest possible day of the decision is the last day of its own month.")
    if (shortest, longest) == ((conference - last).days + 1, (conference - first).days + 1):
        fail(variable, "counts both end days.",
             "count days as a subtraction does, `later - earlier`: from 1 to 2 June is one day.")
    expect_digest([shortest, longest], "3.6",
                  "54171fe0a29e8376d32a2959a4296f5acf588ed37dc73925e8988d1538281299",
                  variable,
                  hint="shortest: from the last possible day of the decision's month; longest: "
                  "from its first day; both to the first intergovernmental conference.")


# --- 4. Reading the article's time words ----------------------------------------------------


@question("3.7", "answer_3_7")
def in_october(value: Any) -> None:
    """The first and last day that the article's "in October" denotes, as ISO dates."""
    variable = "answer_3_7"
    if isinstance(value, str | dt.date):
        fail(variable, "is a single date.",
             "'in October' names a whole month: give its first and last day, "
             "`(first, last)`.")
    expect_type(value, (tuple, list), variable,
                hint="give two dates in brackets: `(first_day, last_day)`.")
    expect_length(value, 2, variable, unit="dates", hint="two dates: the first and last day.")
    days = [iso_day(v, allow_time=True) for v in value]
    if None in days:
        fail(variable, "holds something that is not a date in the form 'YYYY-MM-DD'.",
             "turn a Timestamp into text with `.date().isoformat()` or `.strftime('%Y-%m-%d')`.")
    first, last = days
    if first > last:
        fail(variable, "gives the last day first.", "put the first day of the period first.")
    if first == last:
        fail(variable, "is a single day (start and end are the same).",
             "that looks like the date of an event; 'in October' names the whole month.")
    month_end = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    if first[:7] == last[:7] and first[8:] == "01" and last != month_end:
        fail(variable, "starts on the first of the month but does not end on its last day.",
             "months have 28 to 31 days: `pd.Timestamp(first) + pd.offsets.MonthEnd(0)` (or "
             "`resolve_relative`) gives the last day.")
    if first[:7] == last[:7] == f"{ARTICLE_DATE.year}-10":
        fail(variable, "points to an October that had not begun when the article was written.",
             "the article reports something that has already happened. Read a month without "
             "a year as the most recent one that had begun by 17 August 2022.")
    expect_digest([first, last], "3.7",
                  "28a4072bd42aead93532401c79b3b6cf743cf385bd62d801b584cff23c26b0fd",
                  variable,
                  hint="`resolve_relative('in October', ARTICLE_DATE)` gives the first and last "
                  "day of the month the phrase means.")


@question("3.8", "answer_3_8")
def in_june(value: Any) -> None:
    """The id of the event the article's "In June" refers to."""
    variable = "answer_3_8"
    if isinstance(value, pd.Series | pd.DataFrame | list | tuple):
        fail(variable, "holds several values; the answer is one event id, as text.",
             "a date can match several events: read the sentence to pick one, then take its id "
             "as a string (e.g. with `.item()` or `[0]`).")
    expect_type(value, str, variable, hint="give the event's id in quotes, e.g. 'some-event'.")
    events = _events()
    key = value.strip()
    if key not in _ids(events):
        titles = {normalise_text(t) for t in events["title"]}
        if normalise_text(key) in titles:
            fail(variable, "looks like an event's title.",
                 "give its `id`, the short name in the 'id' column.")
        fail(variable, f"is {value!r}, which is not an id in `events['id']`.",
             "copy the id from the table, or select it with code.")
    when = _date_of(events, key)
    june = ARTICLE_DATE.replace(month=6, day=1)
    if not (when.year == june.year and when.month == june.month):
        fail(variable, "names an event outside the June the phrase points to.",
             "read 'In June' on the article's date: the most recent June that had begun.")
    if key == PLATES_DECISIONS:
        fail(variable, "is dated in the right month, but it is not what the sentence is about.",
             "a matching date is necessary, not enough: read the whole sentence of ¶7. What "
             "did 'the two sides' agree?")
    expect_digest(key, "3.8",
                  "da8ae5948bd3690378b986d5db6b1f480f567c2ae35b0ad81f7363ac728c43dd",
                  variable,
                  hint="match the phrase to events with `match_relative(...)`, then compare "
                  "each with the sentence.")


# Multiple choice: what "since 2011" and "EU-led" tell a reader.
since_2011 = choice_question(
    "3.9", "answer_3_9",
    "06ca9ee236dea4989c5d6e5e63e9423f69c9a86df63907269e9b743918537d76",
    SINCE_2011_OPTIONS,
)


# --- 5. A function for any year -------------------------------------------------------------


def _check_year_function(fn: Any, events: pd.DataFrame, year: int) -> set[str]:
    """Call a student's events_in_year on a table and a year, and compare with the rows."""
    variable = "events_in_year"
    call = f"{variable}(events, {year})"
    before = events.copy(deep=True)
    # call_student silences warnings: a pandas FutureWarning from the student's own code would go
    # to stderr, which nbgrader scores as zero even when the answer is right.
    result = call_student(fn, variable, (events, year), shown=call,
                          try_it=f"{variable}(events.head(5), {year})",
                          signature="def events_in_year(events, year):")
    if result is None:
        fail(call, "returns None.", "did you forget `return` in front of the result?")
    if not events.equals(before):
        fail(variable, "changes the `events` table it is given.",
             "filter without modifying the argument (no `inplace=True`, no new columns on it).")
    if isinstance(result, pd.Series) and pd.api.types.is_bool_dtype(result):
        fail(call, "returns a mask of True/False values, not the rows.",
             "return `events[mask]`.")
    expect_type(result, pd.DataFrame, call, hint="return the matching rows of `events`.")
    expect_columns(result, list(events.columns), call,
                   hint="filter rows, not columns: keep every column.")
    got = result["id"].astype(str)
    if got.duplicated().any():
        fail(call, "returns the same event more than once.")
    if not set(got) <= _ids(events):
        fail(call, "returns rows that are not in the `events` it was given.",
             "filter the table passed in as `events`; do not load the course table again.")
    expected = events[events["date"].dt.year == year]
    expect_same_set(got, _ids(expected), call, what="events",
                    hint="keep the rows whose `date` falls in `year`, from 1 January to "
                    "31 December; use the arguments, not fixed values.")
    return set(got)


def _another_year(rng: random.Random) -> tuple[pd.DataFrame, int]:
    """Some rows of the course table in another order, and a year (not 2022) with two events
    or more, one of which is left out: a function that reloads the course table shows it."""
    events = _events()
    counts = events["date"].dt.year.value_counts()
    years = sorted(set(counts[counts >= 2].index) - {2022, 1999, 1995, 1389})
    year = rng.choice(years)
    in_year = events.index[events["date"].dt.year == year].tolist()
    others = events.index.difference(in_year).tolist()
    keep = rng.sample(in_year, k=len(in_year) - 1) + rng.sample(others, k=len(others) // 2)
    rng.shuffle(keep)
    return events.loc[keep], year


@question("3.10", "events_in_year")
def events_in_year(fn: Callable[[pd.DataFrame, int], pd.DataFrame]) -> None:
    """A function returning the events of one year: 2022 on the course table, then a random
    year on a random part of the table, so that fixed values cannot pass."""
    in_2022 = _check_year_function(fn, _events(), 2022)
    table, year = _another_year(random.Random())
    call = f"events_in_year(events, {year})"
    result = call_student(fn, "events_in_year", (_events(), year), shown=call)
    if isinstance(result, pd.DataFrame) and "id" in result.columns and (
            set(result["id"].astype(str)) == in_2022):
        fail(call, f"returns the same events for {year} as for 2022: your function gives the "
             "same answer for every year.",
             "compute it from the table and the year it is given: compare `events['date']` "
             "with the argument `year`, not with a fixed year.")
    _check_year_function(fn, table, year)


def _unseen_table() -> pd.DataFrame:
    """A small events table the student has not seen: edge-of-year dates, shuffled order."""
    source = _events()
    rows = source.head(6).copy()
    rows["id"] = [f"unseen-{n}" for n in range(len(rows))]
    rows["date"] = pd.to_datetime(["1998-12-31", "1999-01-01", "1999-06-01", "1999-12-31",
                                   "2000-01-01", "1999-03-24"]).astype(source["date"].dtype)
    rows["precision"] = ["day", "day", "month", "day", "day", "year"]
    return rows.iloc[[4, 2, 0, 5, 3, 1]].set_index(pd.Index([10, 3, 7, 1, 9, 4]))


def _years_to_try() -> Iterable[tuple[pd.DataFrame, int]]:
    events = _events()
    yield events, 1999
    yield events, 1389
    yield events, 1995  # a year with no events: the answer is an empty table, not an error
    yield _unseen_table(), 1999


@hidden("3.10", "your function on other years, a year with no events, and a table it "
        "has never seen")
def events_in_year_hidden(fn: Callable[[pd.DataFrame, int], pd.DataFrame]) -> None:
    """The same function on other years and an unseen table, so fixed values cannot pass."""
    for table, year in _years_to_try():
        _check_year_function(fn, table, year)
