"""Checks for assignment 04, actors and places: who is involved, and where do they stand?"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from course.checks.core import (
    call_student,
    choice_question,
    count_of,
    expect_close,
    expect_columns,
    expect_digest,
    expect_length,
    expect_rows,
    expect_same_set,
    expect_type,
    fail,
    hidden,
    normalise_text,
    question,
    surname_key,
)
from course.data import load_countries, load_glossary, load_people, load_recognition

#: The article's date; statuses "then" are read on this day.
ARTICLE_DAY = pd.Timestamp("2022-08-17")

#: The three EU status labels the countries table uses, from the least to the most advanced.
STATUSES: tuple[str, ...] = ("potential candidate", "candidate", "negotiating")

#: The columns asked for in question 4.7 (they are named in the question itself).
MERGE_COLUMNS: tuple[str, ...] = ("name", "organisation_or_country", "capital",
                                  "status_2022_08_17")

# The day the office-holding of question 4.8 is read on (given in the question).
OFFICE_DAY = pd.Timestamp("2024-12-31")

SLIP_OPTIONS = {
    "A": "Look at `status_2022_08_17`: two of the six rows hold neither 'candidate' nor "
    "'negotiating'. The article's word and the table disagree, so at least one of them is "
    "loose or wrong.",
    "B": "In August 2022 Montenegro, Serbia, North Macedonia and Albania had candidate "
    "status (and were already negotiating); Bosnia and Herzegovina and Kosovo were potential "
    "candidates. Bosnia and Herzegovina became a candidate on 15 December 2022. A loose word "
    "in a news report is common: a historian notices it, checks it against a better source, "
    "and asks whether it changes the report's point.",
    "C": "In the EU's terms a potential candidate has not (yet) been granted candidate status "
    "(read the glossary rows 'candidate status' and 'potential candidate'). The two are "
    "different steps, which is why the table keeps them apart.",
    "D": "Opening negotiations does not take candidate status away: a negotiating country is a "
    "candidate that has started accession talks. Count both labels.",
}

COMMON_OPTIONS = {
    "A": "The five share an official reason: `official_reason` records what their governments "
    "say (international law, and no UN Security Council basis for Kosovo's independence). "
    "`reported_reason` is something else: the press's explanation (precedent and separatism at "
    "home), and `reported_by` says who gives it. Keep what a government states apart from what "
    "others say its motive is.",
    "B": "The dataset records no votes, and none of our sources reports a vote on Kosovo's "
    "membership of the United Nations (Kosovo is not a UN member). Stay with what the sources "
    "say.",
    "C": "Nothing in the dataset or the fact sheet says so. Not recognising Kosovo is a "
    "position on Kosovo's status; it is not a recorded position on the EU's enlargement as a "
    "whole.",
    "D": "Look at `official_reason` in the five rows, e.g. with `.unique()`: how many different "
    "values are there?",
}

POPULATION_OPTIONS = {
    "A": "A census is a count at one moment, by one office, under one set of rules. Look at "
    "`population_year` and `population_note`: the moments and the rules differ.",
    "B": "A fair comparison needs a common year and a common definition of who is "
    "counted, and here we have neither. Whenever you use one of these figures, give its year "
    "and its caveat with it.",
    "C": "Read Serbia's `population_note` again: its figure *excludes* Kosovo, so nobody is "
    "counted twice. The problem is a different one.",
    "D": "Sorting puts the numbers in order, but it does not change when or how each was "
    "counted. A ranking built on counts from different years and rules inherits their "
    "differences.",
}


# --- shared helpers ---------------------------------------------------------------------------


def _country_key(name: str) -> str:
    """Fold a country name: 'Bosnia-Herzegovina' (the article's form) ~ 'Bosnia and Herzegovina'."""
    spelled = name.replace("&", " and ").replace("-", " and ")
    return normalise_text(spelled)


def _text_items(value: Iterable[Any], variable: str, what: str) -> list[str]:
    """Fail unless every item is text; return the items."""
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            fail(variable, f"should hold {what} as text, but one item is {type(item).__name__}.",
                 "put each name in quotes, or take the names from a table column.")
    return items


def _no_repeats(keys: list[str], variable: str, what: str) -> None:
    if len(set(keys)) != len(keys):
        fail(variable, f"names the same {what} twice.", f"each {what} once.")


def _country_keys(value: Any, variable: str, kind: type | tuple[type, ...]) -> list[str]:
    """Check a collection of country names for type and return their sorted keys."""
    if isinstance(kind, tuple) and set in kind:
        expect_type(value, kind, variable,
                    hint="order does not matter here, so store a set: `set(...)` of the names.")
    else:
        expect_type(value, kind, variable)
    keys = [_country_key(v) for v in _text_items(value, variable, "country names")]
    _no_repeats(keys, variable, "country")
    known = {_country_key(c) for c in load_countries()["country"]}
    strangers = [v for v, k in zip(value, keys, strict=True) if k not in known]
    if strangers:
        fail(variable, f"holds {strangers[0]!r}, which is not one of the six countries of "
             "`countries`.", "copy the names from the `country` column rather than typing them.")
    return sorted(keys)


def _keys_of(countries: pd.DataFrame, mask: pd.Series) -> list[str]:
    return sorted(_country_key(c) for c in countries.loc[mask, "country"])


# --- 1. places and their names ----------------------------------------------------------------


def _local_names(term: str) -> list[str]:
    glossary = load_glossary()
    cell = glossary.loc[glossary["term"] == term, "local_names"].iloc[0]
    return [name.strip() for name in cell.split(";")]


@question("4.1", "answer_4_1")
def pristina_names(value: Any) -> None:
    """The local names the glossary gives for Pristina, as a list of strings."""
    variable = "answer_4_1"
    expect_type(value, list, variable,
                hint="the glossary cell is one string; `.split(';')` turns it into a list."
                if isinstance(value, str) else None)
    items = _text_items(value, variable, "names")
    if any(item != item.strip() for item in items):
        fail(variable, "has names with spaces at the start or the end.",
             "after splitting on ';', tidy each name with `.strip()`.")
    expected = _local_names("Pristina")
    if {normalise_text(i) for i in items} == {normalise_text(n) for n in _local_names("Kosovo")}:
        fail(variable, "holds the local names of Kosovo, the territory, not of its capital.",
             "select the glossary row whose `term` is the capital's English name.")
    if len(items) == len(expected) + 1:
        fail(variable, "has one name too many: is the English form in it?",
             "the question asks for the names in the `local_names` column only.")
    expect_length(items, len(expected), variable, unit="names",
                  hint="split the whole `local_names` cell: every name separated by ';'.")
    expect_same_set(items, expected, variable, what="name(s)", key=normalise_text,
                    hint="take the names from the `local_names` cell of the right row; do not "
                    "retype them (the diacritics and the Cyrillic letters matter).")


# --- 2. EU status on the article's date -------------------------------------------------------


@question("4.2", "answer_4_2")
def candidates_then(value: Any) -> None:
    """How many of the six were EU candidates (negotiating ones included) on 17 August 2022."""
    variable = "answer_4_2"
    expect_type(value, int, variable)
    countries = load_countries()
    then = countries["status_2022_08_17"]
    if value == len(countries):
        fail(variable, "counts all six, as the article's ¶11 does.",
             "check the article against the data: count the rows whose status on the article "
             "date is 'candidate' or 'negotiating'.")
    if value == int((then == "potential candidate").sum()):
        fail(variable, "counts the *potential* candidates.",
             "a potential candidate has not been granted candidate status; count the rows "
             "whose status is 'candidate' or 'negotiating'.")
    if value == int((then == "candidate").sum()):
        fail(variable, "counts only the rows labelled exactly 'candidate'.",
             "a country that is negotiating has candidate status too: count both labels.")
    latest = countries["status_latest"]
    if value == int(latest.isin(["candidate", "negotiating"]).sum()):
        fail(variable, "looks like a count of the latest status, not the status on the "
             "article's date.", "use the column `status_2022_08_17`.")
    expect_digest(int(value), "4.2",
                  "7ea7af8838d91e673df4848980d1f01a238d1d1fee800e5ce011462f48df9baf",
                  variable, hint="count the rows of `status_2022_08_17` that are 'candidate' or "
                  "'negotiating'.")


@question("4.3", "answer_4_3")
def potential_then(value: Any) -> None:
    """The countries that were potential candidates on 17 August 2022, as a list."""
    variable = "answer_4_3"
    keys = _country_keys(value, variable, list)
    countries = load_countries()
    if keys == _keys_of(countries, countries["status_latest"] == "potential candidate"):
        fail(variable, "lists the potential candidates of the latest date in the data, not of "
             "the article's date.", "use the column `status_2022_08_17`.")
    if keys == _keys_of(countries, countries["status_2022_08_17"] != "potential candidate"):
        fail(variable, "lists the candidates, not the potential candidates.",
             "keep the rows whose status is 'potential candidate'.")
    expect_length(keys, 2, variable, unit="countries",
                  hint="filter `countries` on `status_2022_08_17`.")
    expect_digest(keys, "4.3",
                  "3d6ab8c9c5f0f18268144b917a2f6ec9b2a84b5bb95bb37ac89c1b57f7b51d53",
                  variable, hint="keep the rows whose `status_2022_08_17` is 'potential "
                  "candidate'.")


# Multiple choice: the article's 'six Western Balkans candidates' against the data.
article_slip = choice_question(
    "4.4", "answer_4_4",
    "7951b34b46957b4c47d23245da65a024d43f979614195fb0a713499955a46927",
    SLIP_OPTIONS,
)


# --- 3. then and now --------------------------------------------------------------------------


@question("4.5", "answer_4_5")
def changed_status(value: Any) -> None:
    """The countries whose status on the article date differs from their latest status (a set)."""
    variable = "answer_4_5"
    keys = _country_keys(value, variable, (set, frozenset))
    countries = load_countries()
    if keys == _keys_of(countries, countries["status_latest_date"] > ARTICLE_DAY):
        fail(variable, "includes a country whose latest date is after the article's date but "
             "whose status did not change.",
             "an application is not a new status: compare the two status columns, not the "
             "dates.")
    if keys == _keys_of(countries, countries["status_2022_08_17"] == countries["status_latest"]):
        fail(variable, "lists the countries whose status did *not* change.",
             "keep the rows where the two status columns differ (`!=`).")
    expect_length(keys, 1, variable, unit="countries",
                  hint="keep the rows where `status_2022_08_17` and `status_latest` differ.")
    expect_digest(keys, "4.5",
                  "66bbe705bca6e161284302a079e335303b59df00490e3dfdce0cbdb27365f785",
                  variable, hint="compare `status_2022_08_17` with `status_latest`, row by row.")


def reference_status(countries: pd.DataFrame, date: Any) -> pd.Series:
    """The table's own rule: negotiating from the first conference, candidate from the grant."""
    day = pd.Timestamp(date)
    status = pd.Series(STATUSES[0], index=countries.index, dtype=object)
    status[countries["eu_candidate"] <= day] = STATUSES[1]
    status[countries["eu_negotiations"] <= day] = STATUSES[2]
    return status


def _as_label(date: Any) -> str:
    return pd.Timestamp(date).strftime("%Y-%m-%d")


def _try_status_on(fn: Any, countries: pd.DataFrame, date: Any, *,
                   expected: pd.Series | None = None) -> None:
    """Call a student's status_on on one table and one date, and compare with the rule."""
    variable = "status_on"
    call = f"status_on(countries, {_as_label(date)!r})"
    before = countries.copy(deep=True)
    result = call_student(fn, variable, (countries, date), shown=call,
                          try_it=f"status_on(countries.head(2), {_as_label(date)!r})",
                          signature="def status_on(countries, date):")
    if not countries.equals(before):
        fail(variable, "changes the table it is given (a new or altered column).",
             "build a new Series and return it; leave `countries` as it was.")
    expect_type(result, pd.Series, call,
                hint="return a pandas Series with one status per row, built on "
                "`countries.index`.")
    expect_length(result, len(countries), call, unit="statuses", hint="one status per row.")
    if not result.index.equals(countries.index):
        fail(call, "returns a Series whose index does not match the rows of `countries`.",
             "build the Series on `countries.index`, so it lines up with the table even when "
             "the rows are in another order.")
    for got in result:
        if got not in STATUSES:
            fail(call, f"returns {got!r}, which is not one of the table's three labels.",
                 "use exactly 'potential candidate', 'candidate' and 'negotiating'.")
    want = reference_status(countries, date) if expected is None else expected
    day = pd.Timestamp(date)
    for position, (got, right) in enumerate(zip(result, want, strict=True)):
        if got == right:
            continue
        row = countries.iloc[position]
        if day != ARTICLE_DAY and list(result) == list(countries["status_2022_08_17"]):
            hint = ("it returns the table's status on the article's date whatever the date: "
                    "compute from `eu_candidate` and `eu_negotiations` instead.")
        elif day in (row["eu_candidate"], row["eu_negotiations"]):
            hint = ("on the day a status is granted the country already has it: compare "
                    "with `<=`.")
        elif STATUSES.index(got) > STATUSES.index(right):
            hint = "it gives a status the country received only after that date."
        elif got == STATUSES[1] and right == STATUSES[2]:
            hint = ("a country that has opened negotiations keeps its candidate status: let "
                    "`eu_negotiations` decide last, so it wins.")
        else:
            hint = ("compare the date with `eu_candidate` and `eu_negotiations`; an empty "
                    "date (NaT) means that step has not happened.")
        fail(call, f"gives the wrong status for {row['country']}.", hint)


@question("4.6", "status_on")
def status_on(fn: Callable[[pd.DataFrame, Any], pd.Series]) -> None:
    """status_on(countries, date): tried on the article date and the latest date in the data."""
    countries = load_countries()
    _try_status_on(fn, countries, "2022-08-17", expected=countries["status_2022_08_17"])
    latest = countries["status_latest_date"].max()
    _try_status_on(fn, countries, latest.strftime("%Y-%m-%d"),
                   expected=countries["status_latest"])
    # A random day and a random part of the table in another order: the status must come from
    # the arguments, whatever they are.
    # (The days a status was granted are left to the full check.)
    rng = random.Random()
    granted = set(countries["eu_candidate"].dropna()) | set(countries["eu_negotiations"].dropna())
    day = ARTICLE_DAY
    while day == ARTICLE_DAY or day in granted:
        day = pd.Timestamp("2008-01-01") + pd.Timedelta(days=rng.randrange(
            (latest - pd.Timestamp("2008-01-01")).days))
    rows = list(countries.index)[:1]
    while rows == list(countries.index)[:len(rows)]:
        rows = rng.sample(list(countries.index), k=rng.randint(2, len(countries)))
    _try_status_on(fn, countries.loc[rows], day.strftime("%Y-%m-%d"))


@hidden("4.6", "your function on the very days a status was granted, dates of other types, "
        "and rows in another order with other labels")
def status_on_hidden(fn: Callable[[pd.DataFrame, Any], pd.Series]) -> None:
    """Other dates (days a status was granted among them), other date types, shuffled rows."""
    countries = load_countries()
    for date in ["2010-06-01", "2012-03-01", dt.date(2014, 6, 27), pd.Timestamp("2022-07-19"),
                 "2022-12-15", "2013-01-01"]:
        _try_status_on(fn, countries, date)
    shuffled = countries.iloc[::-1].set_axis(range(10, 10 + len(countries)))
    _try_status_on(fn, shuffled, "2022-12-15")
    _try_status_on(fn, countries.iloc[[1, 5, 3]], "2014-06-27")


# --- 4. actors ----------------------------------------------------------------------------------


def expected_merge() -> pd.DataFrame:
    """The merge question 4.7 asks for, computed from the datasets."""
    merged = load_people().merge(load_countries(), how="left",
                                 left_on="organisation_or_country", right_on="country")
    return merged[list(MERGE_COLUMNS)]


def _cells(frame: pd.DataFrame, column: str) -> list[str]:
    return [("" if pd.isna(v) else str(v)) for v in frame[column]]


@question("4.7", "answer_4_7")
def actors_merge(value: Any) -> None:
    """People merged with the countries table: one row per person, four columns."""
    variable = "answer_4_7"
    expect_type(value, pd.DataFrame, variable)
    expect_columns(value, MERGE_COLUMNS, variable,
                   hint="merge `people` with `countries`, then keep the four columns with "
                   "`[[...]]`.")
    extra = [str(c) for c in value.columns if c not in MERGE_COLUMNS]
    if extra:
        shown = ", ".join(extra[:4]) + (", ..." if len(extra) > 4 else "")
        fail(variable, f"has {count_of(len(extra), 'column(s)')}"
             f" the question did not ask for ({shown}).",
             "keep only the four columns, e.g. `merged[['name', ...]]`.")
    people, countries = load_people(), load_countries()
    inner = people["organisation_or_country"].isin(countries["country"]).sum()
    if len(value) == inner:
        fail(variable, "has only the people whose organisation or country is one of the six.",
             "an inner merge (the default) drops everyone without a match, so NATO's and the "
             "EU's people disappear: use `how='left'` with `people` on the left.")
    if len(value) == len(countries):
        fail(variable, "has one row per country.",
             "the question wants one row per person: put `people` on the left of the merge.")
    expect_rows(value, len(people), variable, hint="one row per person in `people`.")
    expected = expected_merge()
    if sorted(_cells(value, "name")) != sorted(_cells(expected, "name")):
        fail(variable, "does not have each person of `people` once in the `name` column.",
             "start from `people` and do not filter rows.")
    got = value.sort_values("name").reset_index(drop=True)
    want = expected.sort_values("name").reset_index(drop=True)
    for column in MERGE_COLUMNS[1:]:
        wrong = sum(a != b for a, b in zip(_cells(got, column), _cells(want, column),
                                           strict=True))
        if wrong:
            hint = ("match `organisation_or_country` (in people) with `country` (in "
                    "countries): `left_on=..., right_on=...`. People of NATO and the EU have "
                    "no row in `countries`, so their cells stay empty (NaN).")
            fail(variable, f"has {count_of(wrong, 'wrong value(s)')}"
                 f" in the column {column!r}.", hint)


@question("4.8", "answer_4_8")
def still_in_office(value: Any) -> None:
    """The people who on 31 December 2024 still held the office they held on the article date."""
    variable = "answer_4_8"
    expect_type(value, list, variable, hint="take the names from the table with `.tolist()`."
                if not isinstance(value, str) else None)
    keys = sorted(surname_key(v) for v in _text_items(value, variable, "names"))
    _no_repeats(keys, variable, "person")
    people = load_people()
    ends = people["role_end"]

    def names(mask: pd.Series) -> list[str]:
        return sorted(surname_key(n) for n in people.loc[mask, "name"])

    if keys == names(ends > OFFICE_DAY):
        fail(variable, "leaves out the people whose `role_end` is empty.",
             "an empty `role_end` (NaT) means the sources give no end: still in office. A "
             "comparison with NaT is always False, so add `| people['role_end'].isna()`.")
    if keys == names(ends.notna()):
        fail(variable, "lists the people whose term has an end date in the table.",
             "an end date after 31 December 2024 still means in office on that day; an empty "
             "one means no end is known.")
    if keys == names(ends.notna() & (ends <= OFFICE_DAY)):
        fail(variable, "lists the people who had left office by then: the opposite group.",
             "keep those whose `role_end` is empty or later than the day.")
    expect_digest(keys, "4.8",
                  "c6996dec7301ca866de5fa7012e680bd5a7e4d3476bc3cc9be59d4b993d4b7f1",
                  variable, hint="compare `role_end` with 31 December 2024, and think about "
                  "the empty cells.")


# --- 5. recognition -----------------------------------------------------------------------------


@question("4.9", "answer_4_9")
def non_recognisers(value: Any) -> None:
    """The EU member states that do not recognise Kosovo, as a set."""
    variable = "answer_4_9"
    expect_type(value, (set, frozenset), variable,
                hint="order does not matter here, so store a set: `set(...)` of the names.")
    items = _text_items(value, variable, "member states")
    recognition = load_recognition()
    members = {normalise_text(m) for m in recognition["member_state"]}
    outsiders = [i for i in items if normalise_text(i) not in members]
    if outsiders:
        fail(variable, "holds a name that is not one of the 27 EU member states of "
             "`recognition`.", "Serbia, Kosovo and the other Western Balkans states are not EU "
             "members; take the names from the `member_state` column.")
    recognisers = recognition.loc[recognition["recognises_kosovo"], "member_state"]
    if {normalise_text(i) for i in items} == {normalise_text(m) for m in recognisers}:
        fail(variable, "lists the member states that *do* recognise Kosovo.",
             "keep the rows where `recognises_kosovo` is False (`~` flips a True/False column).")
    expected = recognition.loc[~recognition["recognises_kosovo"], "member_state"]
    expect_same_set(items, expected, variable, what="member state(s)", key=normalise_text,
                    hint="filter `recognition` on `recognises_kosovo`.")


@question("4.10", "answer_4_10")
def recognising_share(value: Any) -> None:
    """The share (0 to 1) of the 27 EU member states that recognise Kosovo."""
    variable = "answer_4_10"
    expect_type(value, float, variable)
    recognition = load_recognition()
    share = float(recognition["recognises_kosovo"].mean())
    count = int(recognition["recognises_kosovo"].sum())
    if value == count:
        fail(variable, "is a count, not a share.",
             "divide by the number of member states, or take the mean of the True/False "
             "column.")
    if abs(value - 100 * share) < 0.01:
        fail(variable, "looks like a percentage.", "give a share between 0 and 1.")
    if abs(value - (1 - share)) < 1e-4:
        fail(variable, "is the share of member states that do *not* recognise Kosovo.",
             "the mean of `recognises_kosovo` counts the True rows.")
    if not 0 <= value <= 1:
        fail(variable, "is not between 0 and 1, so it cannot be a share.")
    expect_close(value, share, variable, tolerance=1e-4,
                 hint="do not round by hand: `recognition['recognises_kosovo'].mean()`.")


# Multiple choice: what the sources say the five non-recognisers have in common.
what_they_share = choice_question(
    "4.11", "answer_4_11",
    "1cd5c7056d5e4b1ad193d5a76e7201eee14f0feb8f19becb433a512f45c7cb39",
    COMMON_OPTIONS,
)


# --- 6. populations -----------------------------------------------------------------------------


@question("4.12", "answer_4_12")
def later_censuses(value: Any) -> None:
    """The countries whose population figure comes from a census held after 2022 (a set)."""
    variable = "answer_4_12"
    keys = _country_keys(value, variable, (set, frozenset))
    countries = load_countries()
    year = countries["population_year"]
    if keys == _keys_of(countries, year >= ARTICLE_DAY.year):
        fail(variable, "includes a census held in 2022 itself.",
             "the year alone cannot say whether a 2022 census came before or after 17 August: "
             "keep only the years that are clearly later (`>`).")
    if keys == _keys_of(countries, year <= ARTICLE_DAY.year):
        fail(variable, "lists the censuses held in or before 2022: the opposite group.",
             "keep the rows whose `population_year` is later than 2022.")
    expect_digest(keys, "4.12",
                  "9b61ea7def91a4262bd000e38a7a48857bedc8cfd5dc53a5d5bcb810e3c6cb06",
                  variable, hint="compare `population_year` with the article's year.")


# Multiple choice: why the six population figures cannot be compared naively.
populations_compare = choice_question(
    "4.13", "answer_4_13",
    "500deebeb2d720a2b9516ed7c1753ea7d40720d774eaf5c36dea5042e8c8d20f",
    POPULATION_OPTIONS,
)

