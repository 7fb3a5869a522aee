"""Assignment 05's checks: the answer key passes, typical mistakes get teaching messages."""

from __future__ import annotations

import pandas as pd
import pytest

from check_harness import Case, assert_passes, case_tests
from course.checks.corroboration import (
    CLAIMS,
    FRAMING_OPTIONS,
    NOT_CHECKABLE_OPTIONS,
    SECOND_CONFERENCE_OPTIONS,
    TERMS,
    TRANSCRIPT_OPTIONS,
)
from course.data import load_article, load_events, load_people
from course.text import find_quotes, kwic

ARTICLE = load_article()
QUOTES = find_quotes(ARTICLE.body)

VERDICTS_KEY = ["supported", "supported", "supported", "supported", "not checkable here",
                "supported", "supported", "supported", "contradicted", "supported"]
EVIDENCE_KEY = [
    "events:nato-press-conference",
    "transcripts:nato-vucic-06; events:unscr-1244; glossary:KFOR (Kosovo Force)",
    "events:dialogue-first-round",
    "events:energy-roadmap",
    "",
    "events:declaration-of-independence",
    "events:declaration-of-independence; glossary:recognition",
    "eu_recognition; glossary:recognition",
    "countries:Bosnia and Herzegovina; countries:Kosovo; glossary:potential candidate",
    "events:brdo-summit",
]


def _good_finder(phrase, paragraphs):
    for number, paragraph in enumerate(paragraphs, start=1):
        if phrase in paragraph:
            return number
    return None


def _zero_based(phrase, paragraphs):
    for number, paragraph in enumerate(paragraphs):
        if phrase in paragraph:
            return number
    return None


def _last_match(phrase, paragraphs):
    found = None
    for number, paragraph in enumerate(paragraphs, start=1):
        if phrase in paragraph:
            found = number
    return found


def _minus_one(phrase, paragraphs):
    found = _good_finder(phrase, paragraphs)
    return -1 if found is None else found


def _raises_when_absent(phrase, paragraphs):
    return next(n for n, p in enumerate(paragraphs, start=1) if phrase in p)


def _returns_text(phrase, paragraphs):
    return next((p for p in paragraphs if phrase in p), None)


def _hardcoded_finder(phrase, paragraphs):
    return _good_finder(phrase, ARTICLE.paragraphs)


def _table(verdicts=None, evidence=None, **changes):
    frame = pd.DataFrame({"claim": list(CLAIMS)})
    frame["paragraph"] = [_good_finder(c, ARTICLE.paragraphs) for c in CLAIMS]
    frame["verdict"] = list(verdicts or VERDICTS_KEY)
    frame["evidence"] = list(evidence or EVIDENCE_KEY)
    for column, values in changes.items():
        frame[column] = values
    return frame


def _with(values, row, value):
    changed = list(values)
    changed[row - 1] = value
    return changed


def _words_by(column):
    totals = {}
    for speaker, value in zip(QUOTES["speaker"], QUOTES[column], strict=True):
        totals[speaker] = totals.get(speaker, 0) + (value if column == "words" else 1)
    return totals


RIGHT_WORDS = _words_by("words")
EVENTS = load_events()


def _ids_where(mask):
    return EVENTS.loc[mask.fillna(False).astype(bool), "id"].tolist()


CITING_ARTICLE = _ids_where(EVENTS["source"].str.contains("S33", regex=False))
USED_TERMS = [t for t in TERMS if len(kwic(ARTICLE.body, t))]

CASES = {
    "5.1": Case(lambda: _good_finder, [
        (None, "should be a function"),
        (_zero_based, "counts paragraphs from 0"),
        (_minus_one, "return None"),
        (_raises_when_absent, "raised StopIteration"),
        (_returns_text, "return its number"),
        (lambda phrase, paragraphs: 5, "wrong paragraph number"),
    ]),
    "5.2": Case(lambda: 0, [
        (22, "whatever its `confidence`"),
        (5, "not the ones that support"),
        (27, "every member state"),
        ("0", "quotes around a number"),
        (3, "not the number of verified"),
    ]),
    "5.3": Case(lambda: {"Kosovo"}, [
        ({"Kosovo", "Bosnia and Herzegovina"}, "without candidate status"),
        ({"Serbia"}, "missing"),
        ({"Kosovo", "Serbia"}, "should not be there"),
        ({"Narnia"}, "not one of the six"),
        ("Kosovo", "set"),
        ({3}, "names as text"),
    ]),
    "5.4": Case(lambda: list(CITING_ARTICLE), [
        (", ".join(CITING_ARTICLE), "square brackets"),
        (_ids_where(EVENTS["source"].str.contains("S3", regex=False)), "S30 to S39"),
        (_ids_where(EVENTS["in_article"]), "not all of them cite it"),
        (CITING_ARTICLE[1:], "1 event id missing"),
        (CITING_ARTICLE + ["kosovo-war"], "1 event id that should not be there"),
        (CITING_ARTICLE + CITING_ARTICLE[:1], "same event twice"),
        (["Declaration of independence"], "not event ids"),
        ([7], "ids as text"),
    ]),
    "5.5": Case(lambda: _table(), [
        ([1, 2], "pandas DataFrame"),
        (_table().drop(columns="evidence"), "missing the column(s) 'evidence'"),
        (_table().iloc[:9], "too few"),
        (_table().iloc[::-1].reset_index(drop=True), "in their order"),
        (_table(paragraph=[_zero_based(c, ARTICLE.paragraphs) for c in CLAIMS]),
         "numbers paragraphs from 0"),
        (_table(paragraph=_with([_good_finder(c, ARTICLE.paragraphs) for c in CLAIMS], 1, 1)),
         "paragraph number that does not match the text in 1 row"),
        (_table(verdicts=_with(VERDICTS_KEY, 1, "true")), "not one of"),
        (_table(verdicts=["supported"] * 10), "2 verdicts out of 10"),
        (_table(verdicts=_with(VERDICTS_KEY, 9, "supported")), "1 verdict out of 10"),
        # An unresolved item is named, with its row and the closest spelling that resolves.
        (_table(evidence=_with(EVIDENCE_KEY, 4, "events:energy-road-map")),
         "cites 'events:energy-road-map' in row 4, which does not resolve: events.csv has no "
         "row 'energy-road-map'. Did you mean 'events:energy-roadmap'"),
        (_table(evidence=_with(EVIDENCE_KEY, 4, "timeline:energy-roadmap")),
         "'timeline' is not a table you can cite"),
        (_table(evidence=_with(EVIDENCE_KEY, 4, "¶7")), "a claim cannot corroborate itself"),
        (_table(evidence=_with(EVIDENCE_KEY, 5, "events:north-kosovo-barricades")),
         "marked 'not checkable here'"),
        (_table(evidence=_with(EVIDENCE_KEY, 10, "")), "1 verdict with no evidence"),
        (_table(evidence=_with(EVIDENCE_KEY, 7, "events:ohrid-implementation-annex")),
         "dated after the article"),
        (_table(evidence=_with(EVIDENCE_KEY, 9, "countries:Serbia")),
         "1 row whose evidence exists but does not bear"),
        (_table(evidence=_with(EVIDENCE_KEY, 2, "events:kfor-enters-kosovo")),
         "does not bear on the claim"),
        # Claim 2 is Stoltenberg's own words: tables alone cannot show what he said.
        (_table(evidence=_with(EVIDENCE_KEY, 2, "events:unscr-1244; glossary:KFOR (Kosovo Force)")),
         "speaker's own words against tables only"),
        (_table(evidence=_with(EVIDENCE_KEY, 2, "transcripts:nato-vucic-12")),
         "does not bear on the claim"),
        (_table(evidence=_with(EVIDENCE_KEY, 2, "transcripts:nato-vucic-99")),
         "transcripts.csv has no row"),
    ]),
    "5.6": Case(lambda: "C", [
        ("A", NOT_CHECKABLE_OPTIONS["A"][:30]),
        ("b", NOT_CHECKABLE_OPTIONS["B"][:30]),
        ("D", NOT_CHECKABLE_OPTIONS["D"][:30]),
        ("false", "should be one of"),
        (["B"], "one letter in quotes"),
    ], secrets=[NOT_CHECKABLE_OPTIONS["C"]]),
    "5.7": Case(lambda: dict(RIGHT_WORDS), [
        (pd.Series(RIGHT_WORDS), ".to_dict()"),
        (list(RIGHT_WORDS.items()), "dictionary"),
        (_words_by("quote"), "counts quotations, not words"),
        ({s: len(" ".join(QUOTES.loc[QUOTES["speaker"] == s, "quote"]).split())
          for s in RIGHT_WORDS}, "splitting on spaces"),
        ({k: v for k, v in RIGHT_WORDS.items() if k != "EU leaders"}, "1 speaker missing"),
        ({**RIGHT_WORDS, "Albin Kurti": 3}, "should not be there"),
        ({k: v + (k == "Jens Stoltenberg") for k, v in RIGHT_WORDS.items()},
         "wrong number of words for 1 speaker"),
        ({"Jens Stoltenberg": "66"}, "whole number"),
    ]),
    "5.8": Case(lambda: ["Albin Kurti"], [
        ("Albin Kurti", "square brackets"),
        (["Albin Kurti", "Josep Borrell", "Miroslav Lajcak"], "never names"),
        (["Albin Kurti", "Aleksandar Vučić"], "whose words the article quotes"),
        ([], "1 name missing"),
        (["Kurti", "Albin Kurti"], "same person twice"),
        ([3], "names as text"),
    ]),
    "5.9": Case(lambda: list(USED_TERMS), [
        (", ".join(USED_TERMS), "square brackets"),
        (USED_TERMS + ["declaration of independence"], "Look again at ¶9"),
        (USED_TERMS + ["border"], "1 term that should not be there"),
        (USED_TERMS[1:], "1 term missing"),
        (USED_TERMS + ["Kosova"], "not one of the TERMS"),
        (USED_TERMS + USED_TERMS[:1], "same term twice"),
    ]),
    "5.10": Case(lambda: "C", [
        ("A", FRAMING_OPTIONS["A"][:30]),
        ("B", FRAMING_OPTIONS["B"][:30]),
        ("D", FRAMING_OPTIONS["D"][:30]),
        (3, "one letter in quotes"),
    ], secrets=[FRAMING_OPTIONS["C"]]),
    "5.11": Case(lambda: [3, 4, 5, 6, 7], [
        ([4, 5], "letter for letter"),
        ([2, 3, 4, 5, 6], "counted from 0"),
        ([3, 4, 5, 6, 7, 8], "1 line number that should not be there"),
        ([3, 4, 5, 6], "1 line number missing"),
        ([3, 4, 5, 6, 7, 13], "no line of the transcript"),
        ([3, 3, 4], "same line twice"),
        (["3", "4"], "line numbers"),
        ("3, 4, 5, 6, 7", "square brackets"),
    ]),
    "5.12": Case(lambda: "B", [
        ("A", TRANSCRIPT_OPTIONS["A"][:30]),
        ("C", TRANSCRIPT_OPTIONS["C"][:30]),
        ("D", TRANSCRIPT_OPTIONS["D"][:30]),
        (["B"], "one letter in quotes"),
    ], secrets=[TRANSCRIPT_OPTIONS["B"]]),
    "5.13": Case(lambda: "C", [
        ("A", SECOND_CONFERENCE_OPTIONS["A"][:30]),
        ("B", SECOND_CONFERENCE_OPTIONS["B"][:30]),
        ("d", SECOND_CONFERENCE_OPTIONS["D"][:30]),
        ("E", "should be one of"),
    ], secrets=[SECOND_CONFERENCE_OPTIONS["C"]]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_other_right_forms_are_accepted(capsys):
    assert_passes("5.4", [f" {i} " for i in reversed(CITING_ARTICLE)], capsys)
    assert_passes("5.6", " c ", capsys)
    assert_passes("5.8", ["KURTI"], capsys)
    assert_passes("5.7", {**RIGHT_WORDS, "Albin Kurti": 0}, capsys)  # a true zero is fine
    assert_passes("5.9", [t.upper() for t in reversed(USED_TERMS)], capsys)


def test_claims_table_accepts_other_fair_evidence(capsys):
    evidence = list(EVIDENCE_KEY)
    evidence[0] = "people:Aleksandar Vučić; events:nato-press-conference"
    evidence[1] = "Transcripts: NATO-VUCIC-06; glossary:UNSCR 1244"
    evidence[2] = "glossary:EU-facilitated dialogue"
    evidence[5] = "glossary:declaration of independence"
    evidence[6] = "glossary:Kosovo; events:vucic-presidency"
    evidence[7] = "eu_recognition.csv:Spain; recognition:Germany"  # 06's name works here too
    evidence[8] = "countries:Bosnia-Herzegovina; events:bosnia-candidate"  # the article's spelling
    frame = _table(evidence=evidence)
    frame.loc[4, "evidence"] = None  # a missing cell counts as empty
    frame["verdict"] = [v.upper() for v in VERDICTS_KEY]
    assert_passes("5.5", frame, capsys)


def test_claims_table_message_counts_but_does_not_locate():
    from course.checks import CheckFailed, check

    with pytest.raises(CheckFailed) as info:
        check("5.5", _table(verdicts=_with(VERDICTS_KEY, 5, "contradicted")))
    message = str(info.value)
    assert "1 verdict" in message
    assert "row 5" not in message and "claim 5" not in message
    for claim in CLAIMS:
        assert claim not in message


def test_named_people_come_from_the_data():
    people = load_people()
    assert not people.loc[people["name"] == "Albin Kurti", "quoted_in_article"].item()


def test_hidden_check_catches_a_hardcoded_function():
    from course.checks import CheckFailed, check, check_hidden

    for _ in range(5):  # the visible check shuffles the paragraphs at random, each time
        with pytest.raises(CheckFailed, match="other order"):
            check("5.1", _hardcoded_finder)
    with pytest.raises(CheckFailed, match="find_paragraph"):
        check_hidden("5.1", _hardcoded_finder)
    with pytest.raises(CheckFailed, match="last paragraph"):
        check_hidden("5.1", _last_match)
    check_hidden("5.1", _good_finder)


def test_printed_lines_are_computed_from_the_transcript():
    """5.11's expected lines follow from the data: the article prints lines 3 to 7 of NATO's
    transcript, respelled and repunctuated (corroboration.md), and leaves out 1, 2 and 8 to 12."""
    from course.checks.corroboration import _printed_lines

    assert _printed_lines() == [3, 4, 5, 6, 7]

