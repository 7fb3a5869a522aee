"""Checks for assignment 05, corroboration: which claims hold up, whose voices and whose words?

Expected values are computed from the course datasets where a dataset decides them (counts,
sources cited, quoted words, terms found in the text, the transcript lines the article prints)
and stored as salted digests where they are judgements (the verdict of each claim, which rows
bear on which claim, the multiple choices).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from course.briefing import citation_kind, parse_citation
from course.checks.core import (
    call_student,
    choice_question,
    count_of,
    digest,
    expect_columns,
    expect_digest,
    expect_rows,
    expect_same_set,
    expect_type,
    fail,
    hidden,
    normalise_text,
    question,
    surname_key,
)
from course.data import (
    load_article,
    load_countries,
    load_events,
    load_glossary,
    load_people,
    load_recognition,
    load_transcripts,
)
from course.text import find_quotes, kwic

#: The day of the news conference and of the article (see article.json).
ARTICLE_DATE = pd.Timestamp("2022-08-17")

#: The claims the notebook gives, in the order of the claims table (rows 1-10).
CLAIMS = (
    "a joint news conference with Serbian President Aleksandar Vucic in Brussels on August 17",
    "Our KFOR peacekeeping mission remains focused on its UN mandate",
    "Kosovo and Serbia have engaged in the EU-led dialogue since 2011",
    "In June, the two sides agreed to adopt a road map for the implementation of energy "
    "agreements",
    "Moscow's invasion of Ukraine has added to calls to bring not only Kosovo and Serbia, but "
    "also Montenegro, Albania, North Macedonia, and Bosnia-Herzegovina closer to the EU",
    "Kosovo declared independence from Serbia in 2008",
    "Serbia doesn't recognize it as independent",
    "most EU countries do",
    "the six Western Balkans candidates",
    "at a summit in Slovenia in October",
)

VERDICTS = ("supported", "contradicted", "not checkable here")

#: The words and phrases of question 5.9, as the notebook lists them.
TERMS = (
    "border",
    "administrative line",
    "declaration of independence",
    "unilateral",
    "declared independence",
    "Republic of Kosovo",
    "Kosovo and Metohija",
    "Kosovo*",
    "humanitarian intervention",
    "aggression",
    "pogrom",
    "unrest",
    "Kosovar",
    "two countries",
    "neighbors",
)

#: The tables evidence may cite, by this check's name for each (see _resolve for the spellings).
TABLES: dict[str, tuple[Callable[[], pd.DataFrame], str]] = {
    "events": (load_events, "id"),
    "countries": (load_countries, "country"),
    "eu_recognition": (load_recognition, "member_state"),
    "people": (load_people, "name"),
    "glossary": (load_glossary, "term"),
    "transcripts": (load_transcripts, "id"),
}

#: course.briefing's name of each table -> the name used in TABLES and in the digests above.
_CHECK_NAMES = {"events": "events", "countries": "countries", "recognition": "eu_recognition",
                "people": "people", "glossary": "glossary",
                "transcripts": "transcripts"}

#: Claims (row numbers) that report someone's spoken words: checked against a transcript.
SPOKEN_CLAIMS = frozenset({2})

# --- 5.5: the verdict of each claim, one digest per row and one for the ordered list --------

_VERDICT_DIGESTS = (
    "fdebec78b1b677bd9a2a21d094cc62756713a26b7b2883150261c5f6ccbeaa5f",
    "522134b8e60f157a74f5a3bbbb72736f122bf970979817cc20ab55ce3ac675ad",
    "5f5b3e9fa5581ffe59e6a5c533eadcb68076acd9d19092ed94f170527801752d",
    "b80155f7b19a752446bad3b91914f4a0ee54757b1c0016c49ee49f2738cd7697",
    "258f006cea0acf96efb0fd213f5a2b1efdfb57a0c2bad019489f3ed50f9ac65b",
    "a8e044ee3be542e86dabccac0604f105082f566cde6cfba4a357b66b544c09dd",
    "99c657b7ac8bcafeb18dfa246988403b88ec2ac570e2cdc42ceb45fc95f8f213",
    "584a1a312edc2e160f907786e9e0ba4a0cd231890df4c818880f2502f329ef0d",
    "061bf82afe8e122ad62eb2b459d1f7afadd83546eea26cbb4d26b972491060de",
    "75518c325a5d33f37a84a0136c29e0667a84911d9c4ca37bb8945b0c99fc3938",
)
_VERDICT_LIST_DIGEST = "8a966fa5845fcda6feab871702bfcf3608e080661657f509c563009412076362"

# Digests of digest("5.5", f"{row}|{item}") for the evidence items that bear on each row's claim.
# Row 1 also accepts any line of NATO's transcript of the Vučić press conference; row 2 (words
# Stoltenberg spoke) the transcript line that holds them.
_RELEVANT: dict[int, frozenset[str]] = {
    1: frozenset({
        "002180f5605253f522fbac6ffea0d619133abeac7f670fd109b7f76538f7795d",
        "ac84a29a06085deb57406fc1364aaf35c4aeca1d98dba51e1cffa0a62a7241c1",
        "0b72c15ea0bb30f99803012836b5ce24bd2cc2072fbbdf4c823695ecb1275252",
        "10e548778d267aa783f0d92454f230d81375abfcc1248d02b12fa9f2652896b5",
        "055b24325ce58536c20fcd9ffe45bb1bb899721634c548e17d5daea7ed87a1d3",
        "9acda88be91adc49310b4ea5a0bf0d29f866ac995f2e748e2265c8ee9a24de76",
        "7bb34953acd16932f507ff03563ae5c42fa898213a38a2a1ac297cb47897743b",
        "17b05940cadf1417c22a5958f9eb4026fc4200ddac4cca4f4de9d050e5ea81c3",
        "369ac49d76727fe7d997c182aceb41570e578b7660907abcb00439c2ef8e564c",
        "96008eb26c3d62d344c502c4b1a69fbc9b30e05e0a6d9b6cc2d188fc5f1225be",
        "b8288fd806c9963a4c8c1cd67f561a9488e7581cf80ecd4f5e8b556e564ddf14",
        "6acfe93b410e3234f2b1642e597754cf93c6ed3d46b905f2d6b858c5fd6f772b",
        "d4b685a3bb1e6df80a5ee8d90a32a18fd901208e4154ff6e3e9c0f35ef536be5",
        "564d7b5c44de3aebd9fb408fe82a6be864b95def60b639e92be98cd11dbcc0da",
    }),
    2: frozenset({
        "94f1130f8c5486e2b1d919959c915e078cb7b5a6973c1f3bfee120b60882706d",
        "7732ca1e88e2d657ed630bb401fa06243914512cdb2dd3b78ca632373c89a542",
        "52fabeae1774164f103dd8576dcc57a7459d1a4966e07a1474424b4323b33d5f",
        "2eed0f5c79e43d9c6b6e5a54e7a412c9ae89af03916e0e7ab1e2bc5615494e26",
    }),
    3: frozenset({
        "86a606a314562aeaa04c04584827b00453d5a4e1e7a4b8772bcbad8022763b6e",
        "cfbb145ef97a8965c23f78e95bfa31ad0e57947e6bc5865dc2bab92c013d5a25",
    }),
    4: frozenset({
        "ea1395147d31d5cdcebcc569284dfab7b83656edc8211229b30da4cee40e8466",
    }),
    6: frozenset({
        "7e54771d3a6767284c22393762768856d8c33221090488d33f2733371da14588",
        "92de98a7c8c60bd366ce4856a1d93c37c4d5ab98c2f9bcb7476e0c42a2f1c121",
    }),
    7: frozenset({
        "2a3e3934b911166ad5e12babd7c20bc2818ec45fa452c74dd037a0c13162b34b",
        "a6ce733773d9d1f40ab1c5b1bb52e8c86e85c166dc8ec72eeb39380b675457f1",
        "6f4cdf0b35967288110a2dc5406b6603ea0501fb74b77c81254bfd558fba11ab",
        "ac58e12c7a6bbda2a28d6a59ede24184947c920594a484b933e956d40a346e50",
        "0f16b3aeecd958010daf57803a5dc86989c8e18f3762c9566cb52c565879686e",
        "cb15ab6568c7c6b6a409a22d50391cc400fa78ca0b40ea5c429ce11635c6b9a6",
    }),
    8: frozenset({
        "efbcf354df9d48545dd18e23ac9d1e3dde7fc246f6f236b79f5a75b45b23084a",
        "a71543bbd44083c61c402850dd6e04e69d013a0c8eb5591e698c1a2dc17f194c",
        "074e7df21702ab1fd35964cf7773eda720daea6d7b15e57610392f2dfdec52a2",
    }),
    9: frozenset({
        "452942ed4c21049634cd660a107b55bbb82266aa8912f716d69fc0b75a08c838",
        "f4c3c9e56103a26d094c188efd2c8453b2e8c940320a1053a0a95ad095a4f176",
        "b1fc9699265f215f176c258d98cbe5efced62c79eb8b34ee39ff95c255e72d3a",
        "84b677cba66a89d9814549004122394cf3bc06a47ce0ab060f4aab1d71a07bbc",
        "78c879412bfa89b9036e6440951f3338d2bbeae965f52387c8f5962f9c5f9dae",
        "8b9e14ccbe442170165321d7745a10874391ae52323e3af51548f787f547c932",
        "720068a507ab37de639edac56a45228c7c740d415308ff07833eb73c6d678350",
    }),
    10: frozenset({
        "fd9efa690c20af12bd16cb669e781954f294f310715204c3d724c389efb273df",
    }),
}

# --- multiple choice -------------------------------------------------------------------------

NOT_CHECKABLE_OPTIONS = {
    "A": "'Not checkable here' describes our evidence, not the claim. The course tables have no "
    "row about the invasion of Ukraine or about calls for enlargement, so they can no more show "
    "the sentence false than show it true.",
    "B": "'Has added to calls' is a claim about events in the world: people made calls, and the "
    "invasion added to them. Other sources could confirm or contradict it; it is not a matter of "
    "taste.",
    "C": "The verdict is about the evidence we hold: no course table bears on the claim. To check "
    "it a reader must leave the article and the tables (lateral reading): who made these "
    "'calls', when, and in which words? The sentence itself names no one.",
    "D": "That judges the outlet instead of the claim. Lateral reading checks what a source says "
    "against other sources; it does not dismiss a claim because of who printed it.",
}

FRAMING_OPTIONS = {
    "A": "Belgrade's official usage speaks of 'Kosovo and Metohija', part of Serbia, and of a "
    "'unilateral' declaration; kwic finds none of those words in the text, and that usage would "
    "not call Serbia and Kosovo 'two countries' or their relations 'bilateral'.",
    "B": "The EU's status-neutral form is 'Kosovo*', with a footnote leaving status open. The text "
    "has no asterisk and no footnote, and 'two countries' or 'bilateral relations' is not "
    "status-neutral: it counts Kosovo as a country.",
    "C": "'The two countries', 'both countries' and 'bilateral relations' count Kosovo as a "
    "country: the usage of those who treat it as a state. 'Declared independence' is different: "
    "both sides agree the Assembly declared it; they disagree about what that made Kosovo. ¶9 "
    "reports that Serbia does not recognise Kosovo, but gives neither side's reasons.",
    "D": "Where the parties disagree about what Kosovo is, 'two countries' and 'bilateral' are "
    "not neutral: they already count Kosovo as a state, which Belgrade does not accept. "
    "'Declared independence' is closer to neutral, since both sides agree the act took place; "
    "telling the two kinds of phrase apart is the point.",
}


# --- shared helpers --------------------------------------------------------------------------


def _is_missing(cell: Any) -> bool:
    """True for None, NaN and pandas' missing markers (an empty evidence cell)."""
    if cell is None:
        return True
    try:
        missing = pd.isna(cell)
    except (TypeError, ValueError):
        return False
    return isinstance(missing, bool) and missing


def _first_paragraph(phrase: str, paragraphs: Sequence[str]) -> int | None:
    """The 1-based number of the first paragraph containing ``phrase``, or None."""
    # One expression, not the loop a student writes: the installed library must not carry a copy
    # of 5.1's model solution (tests/test_hub.py searches the student wheel for one).
    return next((n for n, text in enumerate(paragraphs, start=1) if phrase in text), None)


# --- 5.1 find_paragraph -----------------------------------------------------------------------


def _check_finder(fn: Any, cases: list[tuple[str, Sequence[str]]]) -> None:
    """Call a student's find_paragraph on (phrase, paragraphs) cases and compare."""
    variable = "find_paragraph"
    for phrase, paragraphs in cases:
        want = _first_paragraph(phrase, paragraphs)
        got = call_student(fn, variable, (phrase, paragraphs),
                           shown=f"{variable}({phrase!r}, paragraphs)",
                           try_it=f"{variable}('b', ['a', 'b c'])" if want else
                           f"{variable}('z', ['a', 'b c'])  # no paragraph has it: None",
                           signature="def find_paragraph(phrase, paragraphs):")
        if want is None:
            if got is not None:
                fail(f"{variable}(...)", f"returns {got!r} for a phrase that no paragraph "
                     "contains.", "return None when no paragraph contains the phrase: a number "
                     "such as -1 or 0 could be mistaken for a paragraph.")
            continue
        if got is None:
            fail(f"{variable}(...)", f"returns None for {phrase!r}, which is in the text.",
                 "`phrase in paragraph` is True when the phrase occurs anywhere inside it.")
        if isinstance(got, str):
            fail(f"{variable}(...)", "returns the paragraph's text; return its number.",
                 "`enumerate(paragraphs, start=1)` gives each paragraph with its number.")
        expect_type(got, int, f"{variable}(...)")
        if got == want - 1:
            fail(f"{variable}(...)", "counts paragraphs from 0, but ¶ numbers count from 1.",
                 "`enumerate(paragraphs, start=1)` starts the count at 1.")
        if got != want:
            hits = [n for n, p in enumerate(paragraphs, start=1) if phrase in p]
            if len(hits) > 1 and got == hits[-1]:
                fail(f"{variable}(...)", "returns the last paragraph that contains the phrase; "
                     "the question asks for the first.",
                     "`return` as soon as you find a match, inside the loop.")
            fail(f"{variable}(...)", f"gives the wrong paragraph number for {phrase!r}.",
                 "number the paragraphs 1, 2, 3, ... and return the first whose text contains "
                 "the phrase.")


@question("5.1", "find_paragraph")
def find_paragraph(fn: Callable[[str, Sequence[str]], int | None]) -> None:
    """A function giving the ¶ number of the first paragraph that contains a phrase."""
    paragraphs = load_article().paragraphs
    cases = [(claim, paragraphs) for claim in CLAIMS]
    cases.append(("Kosovo declared independence in 2009", paragraphs))
    _check_finder(fn, cases)
    # The same claims on the paragraphs in another order: the number must come from the list.
    rng = random.Random()
    shuffled = list(paragraphs)
    while shuffled == list(paragraphs):
        rng.shuffle(shuffled)
    for claim in CLAIMS:
        on_article = _first_paragraph(claim, paragraphs)
        got = call_student(fn, "find_paragraph", (claim, shuffled),
                           shown=f"find_paragraph({claim!r}, paragraphs)")
        if got == on_article != _first_paragraph(claim, shuffled):
            fail("find_paragraph(...)", "gives the article's paragraph number even when the "
                 "same paragraphs come in another order: the number does not come from its "
                 "`paragraphs`.",
                 "number the paragraphs of the list the function is given, "
                 "`enumerate(paragraphs, start=1)`, not of the article.")
    _check_finder(fn, [(claim, shuffled) for claim in CLAIMS])


@hidden("5.1", "your function on paragraphs it has never seen")
def find_paragraph_hidden(fn: Callable[[str, Sequence[str]], int | None]) -> None:
    """The same function on paragraphs the student has not seen, so hard-coding cannot pass."""
    unseen = [
        "Talks resumed in Brussels on Thursday.",
        "Delegations from Belgrade and Pristina attended.",
        "Talks resumed in Brussels after a pause, a spokesperson said.",
        "No agreement was reached.",
    ]
    _check_finder(fn, [
        ("Talks resumed", unseen),
        ("Pristina", list(unseen)),
        ("agreement", tuple(unseen)),
        ("licence plates", unseen),
        ("anything", []),
    ])


# --- 5.2-5.3: two claims against the data; 5.4: tracing the evidence itself -------------


@question("5.2", "answer_5_2")
def verified_support(value: Any) -> None:
    """How many rows that support ¶9's 'most EU countries do' are marked 'verified'.

    Computed from eu_recognition.csv: the rows with ``recognises_kosovo`` True and
    ``confidence == 'verified'``. 04 already counted the recognisers; this weighs the evidence.
    """
    variable = "answer_5_2"
    expect_type(value, int, variable)
    table = load_recognition()
    recognises = table["recognises_kosovo"].astype(bool)
    verified = table["confidence"] == "verified"
    expected = int((recognises & verified).sum())
    if value == expected:
        return
    if value == int(recognises.sum()):
        fail(variable, "counts every recognising state, whatever its `confidence`.",
             "04 asked how many; this asks how well each is sourced: combine two masks with "
             "`&`, one on `recognises_kosovo`, one on `confidence`.")
    if value == int(verified.sum()):
        fail(variable, "counts every verified row, but those rows are not the ones that support "
             "'most'.", "keep only the rows where `recognises_kosovo` is True as well (`&`).")
    if value == int((recognises & ~verified).sum()):
        fail(variable, "counts the supporting rows that are *not* verified.",
             "the question asks for the rows marked 'verified'.")
    if value == len(table):
        fail(variable, "counts every member state in the table.",
             "two conditions must hold together: recognises, and verified.")
    fail(variable, "is a whole number, but not the number of verified supporting rows.",
         "look at `recognition[['member_state', 'recognises_kosovo', 'confidence']]`, then "
         "count the rows where both conditions hold.")


@question("5.3", "answer_5_3")
def not_yet_applied(value: Any) -> None:
    """Which of the six had not applied for EU membership by 17 August 2022 (a set of names).

    Computed from countries.csv: ``eu_applied`` after the article's date, or empty.
    04 and 06 count the candidates; this traces ¶11's word one step further back.
    """
    variable = "answer_5_3"
    expect_type(value, (set, frozenset, list, tuple), variable,
                hint="store the country names in a set, e.g. {'A', 'B'}.")
    given = [str(v).strip() for v in value if isinstance(v, str)]
    if len(given) != len(value):
        fail(variable, "should hold country names as text.")
    table = load_countries()
    applied = table["eu_applied"]
    expected = set(table.loc[applied.isna() | (applied > ARTICLE_DATE), "country"])
    key = str.casefold
    names = {key(n) for n in table["country"]}
    if any(key(n) not in names for n in given):
        fail(variable, "names a state that is not one of the six in `countries`.",
             "copy the names from the `country` column.")
    got = {key(n) for n in given}
    no_candidate = {key(n) for n in table.loc[~(table["eu_candidate"] <= ARTICLE_DATE),
                                              "country"]}
    if got == no_candidate and got != {key(n) for n in expected}:
        fail(variable, "lists the states without candidate status: 04 asked that.",
             "this asks about the first step, the application: compare `eu_applied` with the "
             "article's date.")
    ever = {key(n) for n in table.loc[applied.isna(), "country"]}
    if ever and got == ever and got != {key(n) for n in expected}:
        fail(variable, "lists the states that have *never* applied, as of today's data.",
             "an application made after the article does not count on 17 August 2022: compare "
             "the dates.")
    expect_same_set(got, {key(n) for n in expected}, variable, what="state(s)",
                    hint="keep the rows whose `eu_applied` is after 2022-08-17 or empty.")


@question("5.4", "answer_5_4")
def rows_citing_article(value: Any) -> None:
    """The ids of the events whose sources include the article itself (S33)."""
    variable = "answer_5_4"
    expect_type(value, list, variable)
    for item in value:
        if not isinstance(item, str):
            fail(variable, f"should hold event ids as text, but one item is "
                 f"{type(item).__name__}.")
    given = [item.strip() for item in value]
    if len(set(given)) != len(given):
        fail(variable, "lists the same event twice.", "each id once.")
    events = load_events()
    ids = set(events["id"])
    strangers = sum(1 for item in given if item not in ids)
    if strangers:
        fail(variable, f"holds {count_of(strangers, 'item(s)')} that are not event ids.",
             "take the ids from the `id` column, e.g. `events.loc[..., 'id'].tolist()`.")
    sources = events["source"].fillna("")
    cites = set(events.loc[sources.str.contains(r"\bS33\b", regex=True), "id"])
    loose = set(events.loc[sources.str.contains("S3", regex=False), "id"])
    if set(given) == loose and loose != cites:
        fail(variable, "matches 'S3', which is also the start of other sources (S30 to S39).",
             "search for the whole id: 'S33'.")
    mentioned = set(events.loc[events["in_article"], "id"])
    if set(given) == mentioned and mentioned != cites:
        fail(variable, "lists every event the article mentions, but not all of them cite it.",
             "read the `source` column itself: which rows name S33?")
    expect_same_set(given, cites, variable, what="event id(s)",
                    hint="keep the rows whose `source` contains 'S33' and list their `id`.")


# --- 5.5: the claims table ---------------------------------------------------------------------


def _evidence_items(cell: Any, row: int) -> list[str]:
    """Split one evidence cell ('events:a; glossary:b') into items; empty for a blank cell."""
    if _is_missing(cell):
        return []
    if isinstance(cell, list | tuple):
        parts = list(cell)
    elif isinstance(cell, str):
        parts = cell.split(";")
    else:
        fail("answer_5_5", f"has evidence in row {row} that is {type(cell).__name__}, not text.",
             "write evidence as text such as 'events:some-id', or '' when there is none.")
    return [str(p).strip() for p in parts if str(p).strip()]


def _resolve(item: str, row: int) -> str:
    """The canonical 'table:key' (or 'table' for a whole table) an evidence item names.

    Citations are read by ``course.briefing.parse_citation``, the one reader 06 uses too, so both
    assignments accept the same table names and spellings ('recognition:' or 'eu_recognition:',
    'Bosnia-Herzegovina'); this check's own names for the tables are those of ``TABLES``. Fails
    naming the item, its row and what is wrong with it.
    """
    variable = "answer_5_5"
    table, colon, key = item.partition(":")
    try:
        if not key.strip() and not item.lstrip().startswith("¶"):  # a whole table
            return _CHECK_NAMES[citation_kind(table)]
        kind, exact = parse_citation(item)
    except ValueError as error:
        reason = str(error).removeprefix(f"cite {item!r}: ")
        fail(variable, f"cites {item!r} in row {row}, which does not resolve: {reason}",
             "write evidence as 'table:key' with a key copied from the table: `events['id']`, "
             "`countries['country']`, `eu_recognition['member_state']`, `people['name']`, "
             "`glossary['term']` or `transcripts['id']`.")
    if kind == "article":
        fail(variable, f"cites {item!r} in row {row}: a paragraph of the article.",
             "a claim cannot corroborate itself: cite a row of a course table.")
    return f"{_CHECK_NAMES[kind]}:{exact}"


def _relevance_form(canonical: str) -> str:
    """Any row of eu_recognition stands for the table: one state alone cannot show 'most'."""
    return "eu_recognition" if canonical.startswith("eu_recognition") else canonical


@question("5.5", "answer_5_5")
def claims_table(value: Any) -> None:
    """The claims table: claim, paragraph, verdict and evidence for each of the ten claims."""
    variable = "answer_5_5"
    expect_type(value, pd.DataFrame, variable)
    expect_columns(value, ["claim", "paragraph", "verdict", "evidence"], variable,
                   hint="start from the `claims` table and add `verdict` and `evidence` columns.")
    expect_rows(value, len(CLAIMS), variable, hint="one row per claim in CLAIMS, no more.")
    claims = [normalise_text(str(c)) for c in value["claim"]]
    if claims != [normalise_text(c) for c in CLAIMS]:
        fail(variable, "does not hold the claims of CLAIMS in their order.",
             "keep the `claim` column as given: do not sort, drop or retype rows.")

    paragraphs = load_article().paragraphs
    expected_numbers = [_first_paragraph(c, paragraphs) for c in CLAIMS]
    got_numbers = list(value["paragraph"])
    if got_numbers == [n - 1 for n in expected_numbers]:
        fail(variable, "numbers paragraphs from 0, but ¶ numbers count from 1.",
             "fix `find_paragraph` (Question 5.1) and rebuild `claims`.")
    wrong = sum(got != want for got, want in zip(got_numbers, expected_numbers, strict=True))
    if wrong:
        fail(variable, "has a paragraph number that does not match the text in "
             f"{count_of(wrong, 'row(s)')}.",
             "rebuild the `paragraph` column with your `find_paragraph` (Question 5.1).")

    verdicts = []
    for row, cell in enumerate(value["verdict"], start=1):
        if not isinstance(cell, str) or normalise_text(cell) not in VERDICTS:
            allowed = ", ".join(repr(v) for v in VERDICTS)
            fail(variable, f"has a verdict in row {row} that is not one of {allowed}.",
                 "copy the verdicts from VERDICTS exactly.")
        verdicts.append(normalise_text(cell))
    wrong = sum(digest("5.5", f"{row}|{verdict}") != expected
                for row, (verdict, expected)
                in enumerate(zip(verdicts, _VERDICT_DIGESTS, strict=True), start=1))
    if wrong:
        fail(variable, f"has {count_of(wrong, 'verdict(s)')}"
             f" out of {len(CLAIMS)} that the evidence does not "
             "bear out.",
             "for each claim: does a course table hold a row that agrees (supported), a row that "
             "disagrees (contradicted), or nothing on it at all (not checkable here)?", "5.5")
    expect_digest(verdicts, "5.5", _VERDICT_LIST_DIGEST, variable)

    cited = [[_resolve(item, row) for item in _evidence_items(cell, row)]
             for row, cell in enumerate(value["evidence"], start=1)]

    cluttered = sum(1 for v, items in zip(verdicts, cited, strict=True)
                    if v == "not checkable here" and items)
    if cluttered:
        fail(variable, f"cites evidence in {count_of(cluttered, 'row(s)')}"
             " marked 'not checkable here'.",
             "if a course table bore on the claim it would be checkable here; leave the "
             "evidence of such rows empty ('').")
    bare = sum(1 for v, items in zip(verdicts, cited, strict=True)
               if v != "not checkable here" and not items)
    if bare:
        fail(variable, f"has {count_of(bare, 'verdict(s)')} with no evidence.",
             "a reader must be able to follow every verdict to a row: cite 'table:key'.")

    events = load_events().set_index("id")["date"]
    late = 0
    for verdict, items in zip(verdicts, cited, strict=True):
        if verdict != "supported":
            continue
        dates = [events[c.split(":", 1)[1]] for c in items
                 if c.startswith("events:")]
        late += any(d > ARTICLE_DATE for d in dates)
    if late:
        fail(variable, f"supports {count_of(late, 'claim(s)')} with events dated after the article "
             "(17 August 2022).",
             "a later event can only tell you what happened later; cite what was already the "
             "case when the article was written.")

    off_topic = 0
    for row, items in enumerate(cited, start=1):
        relevant = _RELEVANT.get(row, frozenset())
        if items and not any(digest("5.5", f"{row}|{_relevance_form(c)}") in relevant
                             for c in items):
            off_topic += 1
    if off_topic:
        fail(variable, f"has {count_of(off_topic, 'row(s)')}"
             " whose evidence exists but does not bear on "
             "the claim.",
             "open each cited row and read its description: does it say what the claim "
             "says (or the opposite)?")

    # By the notebook's own rule, a claim that someone *said* something is checked against a
    # record of what was said, not against a table of events.
    unheard = sum(1 for row, (verdict, items) in enumerate(zip(verdicts, cited, strict=True),
                                                           start=1)
                  if row in SPOKEN_CLAIMS and verdict != "not checkable here"
                  and not any(c.startswith("transcripts:") for c in items))
    if unheard:
        fail(variable, f"checks {unheard} claim(s) about a speaker's own words against tables "
             "only.",
             "a table of events can show that a press conference took place, not what was said "
             "at it: find the line in `transcripts` and cite it as 'transcripts:<id>'.")


# Multiple choice: what the verdict 'not checkable here' says.
not_checkable = choice_question(
    "5.6", "answer_5_6",
    "9ca43784f272a659914d2564910692194483ed1d7af44969eadf3b481678187b",
    NOT_CHECKABLE_OPTIONS,
)


# --- 5.7-5.8: voices ---------------------------------------------------------------------------


def _quoted_words() -> dict[str, int]:
    """Quoted words per speaker in the body, keyed by surname (computed with find_quotes)."""
    quotes = find_quotes(load_article().body)
    totals: dict[str, int] = {}
    for speaker, words in zip(quotes["speaker"], quotes["words"], strict=True):
        key = surname_key(str(speaker))
        totals[key] = totals.get(key, 0) + int(words)
    return totals


@question("5.7", "answer_5_7")
def quoted_words(value: Any) -> None:
    """A dict: each speaker find_quotes finds in the body -> number of words quoted."""
    variable = "answer_5_7"
    if isinstance(value, pd.Series):
        fail(variable, "should be a dictionary (dict), got a pandas Series.",
             "turn a Series into a dict with `.to_dict()`.")
    expect_type(value, dict, variable,
                hint="build a dict such as {'Speaker Name': 12, ...}, e.g. with `.to_dict()`.")
    given: dict[str, int] = {}
    for speaker, words in value.items():
        if not isinstance(speaker, str):
            fail(variable, "should have speakers' names (text) as keys.")
        expect_type(words, int, f"{variable}[{speaker!r}]",
                    hint="each value is a number of words: a whole number.")
        key = surname_key(speaker)
        if key in given:
            fail(variable, "has the same speaker twice.", "one key per speaker.")
        if words:  # a speaker with no quoted words is true, but not a quoted speaker
            given[key] = int(words)
    expected = _quoted_words()
    expect_same_set(given, expected, variable, what="speaker(s)",
                    hint="use every speaker in the `speaker` column of `find_quotes(...)`, "
                    "groups included.")
    quotes = find_quotes(load_article().body)
    per_quote: dict[str, int] = {}
    spaces: dict[str, int] = {}
    for speaker, text in zip(quotes["speaker"], quotes["quote"], strict=True):
        key = surname_key(str(speaker))
        per_quote[key] = per_quote.get(key, 0) + 1
        spaces[key] = spaces.get(key, 0) + len(text.split())
    if given == per_quote:
        fail(variable, "counts quotations, not words.",
             "add up the `words` column for each speaker.")
    if given == spaces:
        fail(variable, "looks like words counted by splitting on spaces.",
             "use the `words` column, which counts word tokens the way `tokens` does.")
    wrong = sum(given[k] != expected[k] for k in expected)
    if wrong:
        fail(variable, f"has the wrong number of words for {count_of(wrong, 'speaker(s)')}.",
             "group the quotations by `speaker` and sum `words`; a speaker may have several "
             "quotations.")


@question("5.8", "answer_5_8")
def named_not_quoted(value: Any) -> None:
    """The people the article names whom find_quotes never gives as a speaker."""
    variable = "answer_5_8"
    expect_type(value, list, variable)
    for item in value:
        if not isinstance(item, str):
            fail(variable, f"should hold names as text, but one item is {type(item).__name__}.")
    keys = [surname_key(v) for v in value]
    if len(set(keys)) != len(keys):
        fail(variable, "names the same person twice.", "each person once.")
    people = load_people()
    named = {surname_key(n) for n in people.loc[people["named_in_article"], "name"]}
    quoted = set(_quoted_words())
    if set(keys) - named:
        fail(variable, "includes someone the article never names.",
             "start from the people whose `named_in_article` is True.")
    if set(keys) & quoted:
        fail(variable, "includes someone whose words the article quotes.",
             "remove everyone who appears in the `speaker` column of `quotes`.")
    expect_same_set(keys, named - quoted, variable, what="name(s)",
                    hint="named in the article, yet absent from the speakers of `quotes`.")


# --- 5.9-5.10: words that take sides -------------------------------------------------------------


@question("5.9", "answer_5_9")
def terms_used(value: Any) -> None:
    """The terms of TERMS that the article's body uses (whole words, any case)."""
    variable = "answer_5_9"
    expect_type(value, list, variable)
    known = {normalise_text(t): t for t in TERMS}
    given = []
    for item in value:
        if not isinstance(item, str):
            fail(variable, f"should hold terms as text, but one item is {type(item).__name__}.")
        if normalise_text(item) not in known:
            fail(variable, f"holds {item!r}, which is not one of the TERMS.",
                 "copy terms from TERMS exactly.")
        given.append(normalise_text(item))
    if len(set(given)) != len(given):
        fail(variable, "lists the same term twice.", "each term once.")
    body = load_article().body
    used = {normalise_text(t) for t in TERMS if len(kwic(body, t))}
    if "declaration of independence" in given and "declaration of independence" not in used:
        fail(variable, "includes 'declaration of independence'. Look again at ¶9: which words "
             "does the text actually use for the 2008 act?",
             "`kwic(article.body, 'declaration of independence')` finds no line.")
    expect_same_set(given, used, variable, what="term(s)",
                    hint="test each term with `len(kwic(article.body, term)) > 0`.")


# Multiple choice: whose usage the article's words follow.
framing = choice_question(
    "5.10", "answer_5_10",
    "8c8a17b76d4d65a32648fac6de8f1494d7672552c783ef9c080080fd50bdc723",
    FRAMING_OPTIONS,
)


# --- 5.11-5.13: the article's quotations traced to NATO's transcripts ----------------------------

#: The press conference the article reports (events.csv id), and the one it does not.
REPORTED_CONFERENCE = "nato-press-conference"
OTHER_CONFERENCE = "nato-press-conference-kurti"

#: How many opening words identify a line: spelling ("focussed") and punctuation (dashes for
#: commas) change later in the lines the article prints, never in their first three words.
OPENING_WORDS = 3


def _words(text: str) -> list[str]:
    """Lower-case words without punctuation, so that '--' and ',' compare alike."""
    return re.findall(r"[\w']+", text.casefold())


def _conference_lines(event: str) -> pd.DataFrame:
    """NATO's transcript lines of one press conference, in order (kind 'transcript' only)."""
    lines = load_transcripts()
    return lines[(lines["event"] == event) & (lines["kind"] == "transcript")]


def _printed_lines() -> list[int]:
    """The `order` of each transcript line whose opening words the article's body prints."""
    body = " ".join(_words(load_article().body))
    lines = _conference_lines(REPORTED_CONFERENCE)
    return [int(order) for order, text in zip(lines["order"], lines["text"], strict=True)
            if " ".join(_words(text)[:OPENING_WORDS]) in body]


@question("5.11", "answer_5_11")
def printed_lines(value: Any) -> None:
    """The line numbers (`order`) of the Vučić press conference transcript the article prints."""
    variable = "answer_5_11"
    expect_type(value, list, variable)
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            fail(variable, f"should hold line numbers (whole numbers from the `order` column), "
                 f"but one item is {type(item).__name__}.",
                 "take the numbers from `order`, e.g. with `.tolist()`.")
    if len(set(value)) != len(value):
        fail(variable, "lists the same line twice.", "each line once.")
    lines = _conference_lines(REPORTED_CONFERENCE)
    orders = [int(o) for o in lines["order"]]
    expected = _printed_lines()
    if set(value) - set(orders):
        fail(variable, "holds a number that is no line of the transcript.",
             f"the `order` column runs from {min(orders)} to {max(orders)}.")
    body = load_article().body
    exact = [int(o) for o, text in zip(lines["order"], lines["text"], strict=True)
             if text.rstrip(".") in body]
    if set(value) == set(exact) and set(exact) != set(expected):
        fail(variable, "keeps only the lines the article prints letter for letter.",
             "the article respells and repunctuates what it quotes (compare its quotations of "
             "Stoltenberg with the transcript): match lines by their opening words, in lower "
             "case, not by every character.")
    if set(value) == {o - 1 for o in expected}:
        fail(variable, "looks like positions counted from 0.",
             "use the `order` column: the transcript numbers its lines from 1.")
    expect_same_set(value, expected, variable, what="line number(s)",
                    hint="for each line, is its opening (say, its first three words, in lower "
                    "case) in the article's body? Read Stoltenberg's quotations beside the "
                    "transcript.")


#: 5.12: what the article did with Stoltenberg's words (lines 3-7 of NATO's transcript).
TRANSCRIPT_OPTIONS = {
    "A": "Compare letter by letter: the transcript spells 'focussed' and 'jeopardised' and has "
    "commas in line 3 where ¶2 has dashes. The article did not print the lines exactly; it "
    "respelled and repunctuated them, as newsrooms do to fit their house style.",
    "B": "That is what the two texts show: line 3 in ¶2 with dashes for commas, lines 4 to 7 run "
    "together as one quotation in ¶3, American spellings, and lines 2, 8 and 12 left out. A "
    "quotation in a report is a selection, edited to house style, from a longer record.",
    "C": "Respelling 'focussed' as 'focused' and swapping commas for dashes is house style: the "
    "words and their meaning are the same. The quotation is faithful; what a reader should "
    "notice is what was left out around it (lines 2, 8 and 12).",
    "D": "Line 7 of NATO's transcript of the Vučić press conference reads 'Should stability be "
    "jeopardised, KFOR stands ready to intervene.' The article added nothing; it left lines out.",
}

#: 5.13: what the second press conference said that the article did not.
SECOND_CONFERENCE_OPTIONS = {
    "A": "Compare the two transcripts line by line: the Kurti conference has lines the Vučić "
    "conference does not, e.g. on KFOR's neutrality and its troop numbers. Choosing one press "
    "conference of two is a choice of voices.",
    "B": "The course's excerpts hold none of Kurti's own words: the only line about what he said "
    "is VRT's paraphrase in Dutch, marked 'reported'. Never supply a speaker's words that no "
    "source gives.",
    "C": "Those are lines 3, 4 and 6 of the Kurti transcript: a message Stoltenberg says he gave "
    "Vučić too, KFOR's neutrality and its size. Kurti's own words are not in the excerpts, so "
    "the course cannot say what he answered.",
    "D": "Read lines 2 and 5 of the Kurti transcript: Stoltenberg urged 'all parties' to act with "
    "restraint and said KFOR 'is ready to intervene if stability is jeopardised'. The message "
    "did not change between the two conferences.",
}

transcript_changes = choice_question(
    "5.12", "answer_5_12",
    "8ae07602fe5b5d1837d5e5bc4a233167569148a3355c1054d435b2c3b107fa77",
    TRANSCRIPT_OPTIONS,
)

second_conference = choice_question(
    "5.13", "answer_5_13",
    "10fd42e348a3c388ef0945a4cc333f5f205d55234b1272422304b1ca0f91d2f4",
    SECOND_CONFERENCE_OPTIONS,
)
