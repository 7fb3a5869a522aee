"""Assignment 04's checks: the answer key passes, typical mistakes get teaching messages."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

from check_harness import Case, assert_passes, case_tests, wrong_params
from course.checks import CheckFailed, check, check_hidden
from course.checks.actors import (
    COMMON_OPTIONS,
    POPULATION_OPTIONS,
    SLIP_OPTIONS,
    expected_merge,
    reference_status,
)
from course.data import load_countries, load_glossary, load_people, load_recognition

COUNTRIES = load_countries()
PEOPLE = load_people()
RECOGNITION = load_recognition()
GLOSSARY = load_glossary()


def _local(term):
    cell = GLOSSARY.loc[GLOSSARY["term"] == term, "local_names"].iloc[0]
    return cell.split(";")


def _status_on(countries, date):
    day = pd.Timestamp(date)
    status = pd.Series("potential candidate", index=countries.index)
    status[countries["eu_candidate"] <= day] = "candidate"
    status[countries["eu_negotiations"] <= day] = "negotiating"
    return status


def _strict(countries, date):
    """Uses < instead of <=: wrong only on the day a status is granted."""
    day = pd.Timestamp(date)
    status = pd.Series("potential candidate", index=countries.index)
    status[countries["eu_candidate"] < day] = "candidate"
    status[countries["eu_negotiations"] < day] = "negotiating"
    return status


def _reset_index(countries, date):
    return _status_on(countries, date).reset_index(drop=True)


def _hardcoded(countries, date):
    return countries["status_2022_08_17"].copy()


def _candidate_last(countries, date):
    day = pd.Timestamp(date)
    status = pd.Series("potential candidate", index=countries.index)
    status[countries["eu_negotiations"] <= day] = "negotiating"
    status[countries["eu_candidate"] <= day] = "candidate"
    return status


def _mutating(countries, date):
    countries["status"] = _status_on(countries, date)
    return countries["status"]


def _merge(how="left"):
    merged = PEOPLE.merge(COUNTRIES, how=how, left_on="organisation_or_country",
                          right_on="country")
    return merged[["name", "organisation_or_country", "capital", "status_2022_08_17"]]


def _merge_with_nato_capital():
    frame = _merge().copy()
    frame.loc[frame["organisation_or_country"] == "NATO", "capital"] = "Brussels"
    return frame


def _set(mask, frame=COUNTRIES, column="country"):
    return set(frame.loc[mask, column])


THEN = COUNTRIES["status_2022_08_17"]
LATEST = COUNTRIES["status_latest"]
ENDS = PEOPLE["role_end"]
END_2024 = pd.Timestamp("2024-12-31")
NOT_RECOGNISING = _set(~RECOGNITION["recognises_kosovo"], RECOGNITION, "member_state")
RECOGNISING = _set(RECOGNITION["recognises_kosovo"], RECOGNITION, "member_state")
SHARE = float(RECOGNITION["recognises_kosovo"].mean())

CASES = {
    "4.1": Case(lambda: [n.strip() for n in _local("Pristina")], [
        (..., "placeholder"),
        (";".join(_local("Pristina")), "split"),
        (_local("Pristina"), ".strip()"),
        ([n.strip() for n in _local("Kosovo")], "not of its capital"),
        (["Pristina"] + [n.strip() for n in _local("Pristina")], "English form"),
        (["Prishtina", "Prishtine", "Pristina", "Приштина"], "diacritics"),
        ([n.strip() for n in _local("Pristina")][:2], "too few"),
        ([1, 2, 3, 4], "as text"),
        (set(_local("Pristina")), "should be a list"),
    ]),
    "4.2": Case(lambda: int(THEN.isin(["candidate", "negotiating"]).sum()), [
        (int((THEN == "potential candidate").sum()), "*potential* candidates"),
        (len(COUNTRIES), "¶11"),
        (int((THEN == "candidate").sum()), "exactly 'candidate'"),
        (int(LATEST.isin(["candidate", "negotiating"]).sum()), "latest status"),
        ("4", "quotes around a number"),
        (4.0 + 0.5, "whole number"),
        (3, "not the right one"),
    ]),
    "4.3": Case(lambda: COUNTRIES.loc[THEN == "potential candidate", "country"].tolist(), [
        (["Kosovo", "Bosnia"], "holds 'Bosnia', which is not one of the six"),
        (COUNTRIES.loc[LATEST == "potential candidate", "country"].tolist(), "latest date"),
        (COUNTRIES.loc[THEN != "potential candidate", "country"].tolist(), "lists the candidates"),
        (COUNTRIES.loc[THEN == "potential candidate", "country"], ".tolist()"),
        ("Kosovo, Bosnia and Herzegovina", "square brackets"),
        (["Kosovo", "Kosovo"], "same country twice"),
        (["Kosovo", "Bosnia"], "not one of the six"),
        (["Kosovo", "Serbia"], "not the right one"),
    ]),
    "4.4": Case(lambda: "B", [
        ("A", SLIP_OPTIONS["A"][:30]),
        ("c", SLIP_OPTIONS["C"][:30]),
        ("D", SLIP_OPTIONS["D"][:30]),
        ("E", "should be one of"),
        (3, "one letter in quotes"),
    ], secrets=[SLIP_OPTIONS["B"]]),
    "4.5": Case(lambda: _set(THEN != LATEST), [
        (_set(COUNTRIES["status_latest_date"] > pd.Timestamp("2022-08-17")),
         "an application is not a new status"),
        (_set(THEN == LATEST), "did *not* change"),
        (sorted(_set(THEN != LATEST)), "set(...)"),
        ({"Bosnia and Herzegovina", "Serbia"}, "too many"),
        ({"Serbia"}, "not the right one"),
        ({"Narnia"}, "not one of the six"),
    ]),
    "4.6": Case(lambda: _status_on, [
        (None, "should be a function"),
        (lambda c, d: None, "pandas Series"),
        (lambda c, d: list(_status_on(c, d)), "pandas Series"),
        (lambda c, d: _status_on(c, d).head(2), "too few"),
        (lambda c, d: _status_on(c, d).str.title(), "not one of the table's three labels"),
        (_hardcoded, "whatever the date"),
        (_candidate_last, "keeps its candidate status"),
        (_mutating, "changes the table"),
        (lambda c, d: pd.Series("potential candidate", index=c.index), "wrong status for"),
    ]),
    "4.7": Case(lambda: _merge(), [
        (_merge("inner"), "how='left'"),
        (COUNTRIES.merge(PEOPLE, how="left", left_on="country",
                         right_on="organisation_or_country")[list(_merge().columns)],
         "one row per country"),
        (_merge()[["name", "capital", "status_2022_08_17"]], "missing the column"),
        (PEOPLE.merge(COUNTRIES, how="left", left_on="organisation_or_country",
                      right_on="country"), "did not ask for"),
        (_merge_with_nato_capital(), "wrong value in the column 'capital'"),
        (_merge().to_dict("list"), "pd.DataFrame(...)"),
        (_merge()["name"], "[[...]]"),
    ]),
    "4.8": Case(lambda: PEOPLE.loc[ENDS.isna() | (ENDS > END_2024), "name"].tolist(), [
        (PEOPLE.loc[ENDS > END_2024, "name"].tolist(), "role_end` is empty"),
        (PEOPLE.loc[ENDS.notna(), "name"].tolist(), "end date in the table"),
        (PEOPLE.loc[ENDS.notna() & (ENDS <= END_2024), "name"].tolist(), "opposite group"),
        (["Albin Kurti", "Aleksandar Vučić"], "not the right one"),
        (["Kurti", "Albin Kurti"], "same person twice"),
        (set(PEOPLE["name"]), ".tolist()"),
    ]),
    "4.9": Case(lambda: NOT_RECOGNISING, [
        (RECOGNISING, "*do* recognise"),
        (NOT_RECOGNISING | {"Serbia"}, "not one of the 27"),
        (sorted(NOT_RECOGNISING), "set(...)"),
        (set(sorted(NOT_RECOGNISING)[:4]), "1 member state missing"),
        (set(sorted(NOT_RECOGNISING)[:4]) | {"France"}, "should not be there"),
        ({1, 2}, "as text"),
    ]),
    "4.10": Case(lambda: SHARE, [
        (int(RECOGNITION["recognises_kosovo"].sum()), "count, not a share"),
        (100 * SHARE, "percentage"),
        (1 - SHARE, "do *not* recognise"),
        (round(SHARE, 2), "not the right one"),
        (1.5, "between 0 and 1"),
        ("0.8", "quotes around a number"),
        (True, "True or False"),
    ]),
    "4.11": Case(lambda: "A", [
        ("B", COMMON_OPTIONS["B"][:30]),
        ("C", COMMON_OPTIONS["C"][:30]),
        ("D", COMMON_OPTIONS["D"][:30]),
        (["A"], "one letter in quotes"),
    ], secrets=[COMMON_OPTIONS["A"]]),
    "4.12": Case(lambda: _set(COUNTRIES["population_year"] > 2022), [
        (_set(COUNTRIES["population_year"] >= 2022), "2022 itself"),
        (_set(COUNTRIES["population_year"] <= 2022), "opposite group"),
        (sorted(_set(COUNTRIES["population_year"] > 2022)), "set(...)"),
        ({"Kosovo"}, "not the right one"),
    ]),
    "4.13": Case(lambda: "B", [
        ("A", POPULATION_OPTIONS["A"][:30]),
        ("c", POPULATION_OPTIONS["C"][:30]),
        ("D", POPULATION_OPTIONS["D"][:30]),
        ("Z", "should be one of"),
    ], secrets=[POPULATION_OPTIONS["B"]]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_other_spellings_and_types_are_accepted(capsys):
    assert_passes("4.3", ["Bosnia-Herzegovina", "KOSOVO"], capsys)
    assert_passes("4.5", frozenset({"bosnia & herzegovina"}), capsys)
    assert_passes("4.8", ["Vucic", "Kurti", "Miroslav Lajčák"], capsys)
    assert_passes("4.9", {m.upper() for m in NOT_RECOGNISING}, capsys)
    assert_passes("4.10", round(SHARE, 4), capsys)
    assert_passes("4.13", " b ", capsys)
    shuffled = _merge().iloc[::-1][["status_2022_08_17", "capital", "organisation_or_country",
                                    "name"]]
    assert_passes("4.7", shuffled, capsys)


def test_the_rule_reproduces_the_tables_own_status_columns():
    assert reference_status(COUNTRIES, "2022-08-17").tolist() == THEN.tolist()
    for index, row in COUNTRIES.iterrows():
        assert reference_status(COUNTRIES, row["status_latest_date"])[index] == row["status_latest"]
    assert expected_merge().equals(_merge())


def test_hidden_check_catches_what_the_visible_one_cannot():
    check("4.6", _strict)  # the visible check avoids the days a status was granted...
    with pytest.raises(CheckFailed, match="compare with `<=`"):
        check_hidden("4.6", _strict)  # ...the hidden one tries them
    for _ in range(5):  # the visible check tries a random day on rows in another order
        with pytest.raises(CheckFailed, match="index does not match"):
            check("4.6", _reset_index)
    check_hidden("4.6", _status_on)  # and shuffled rows with another index


def test_status_on_accepts_every_date_type(capsys):
    for date in ("2014-06-27", dt.date(2014, 6, 27), pd.Timestamp("2014-06-27")):
        assert reference_status(COUNTRIES, date).tolist() == _status_on(COUNTRIES, date).tolist()
    assert_passes("4.6", _status_on, capsys)


def test_checks_are_warning_free(capsys):
    # A warning in a test cell goes to stderr, which nbgrader scores as zero.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for qid, case in CASES.items():
            check(qid, case.right())
        check_hidden("4.6", _status_on)
        for qid, value, _ in [p.values for p in wrong_params(CASES)]:
            with pytest.raises(CheckFailed):
                check(qid, value)
