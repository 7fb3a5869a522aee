"""Checks for assignment 05, corroboration: which claims hold up, whose voices and whose words?

Expected values are computed from the course datasets where a dataset decides them (counts,
sources cited, quoted words, terms found in the text) and stored as salted digests where they are
judgements (the verdict of each claim, which rows bear on which claim, the multiple choices).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from course.checks.core import (
    choice_question,
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

#: Evidence is written "table:key"; the key is looked up in this column of the table.
TABLES: dict[str, tuple[Callable[[], pd.DataFrame], str]] = {
    "events": (load_events, "id"),
    "countries": (load_countries, "country"),
    "eu_recognition": (load_recognition, "member_state"),
    "people": (load_people, "name"),
    "glossary": (load_glossary, "term"),
}

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
_RELEVANT: dict[int, frozenset[str]] = {
    1: frozenset({
        "002180f5605253f522fbac6ffea0d619133abeac7f670fd109b7f76538f7795d",
        "ac84a29a06085deb57406fc1364aaf35c4aeca1d98dba51e1cffa0a62a7241c1",
    }),
    2: frozenset({
        "94f1130f8c5486e2b1d919959c915e078cb7b5a6973c1f3bfee120b60882706d",
        "7732ca1e88e2d657ed630bb401fa06243914512cdb2dd3b78ca632373c89a542",
        "52fabeae1774164f103dd8576dcc57a7459d1a4966e07a1474424b4323b33d5f",
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
    "A": "Belgrade's official usage speaks of the 'Autonomous Province of Kosovo and Metohija' "
    "and of a 'unilateral' declaration; none of those words is in the text (check with kwic), "
    "and 'two countries' is not how that usage describes Serbia and Kosovo.",
    "B": "The EU's status-neutral form is 'Kosovo*', with a footnote leaving status open. The text "
    "has no asterisk and no footnote, and 'two countries' is not status-neutral.",
    "C": "The text speaks of 'the two countries' and 'both countries', calls Kurti Vučić's "
    "'Kosovar counterpart' and writes 'declared independence' without 'unilateral': the usage of "
    "those who treat Kosovo as a state. It does report, in ¶9, that Serbia does not recognise "
    "it, but gives neither side's reasons.",
    "D": "Where the parties disagree about what Kosovo is, no word is simply neutral: calling "
    "Serbia and Kosovo 'two countries' already treats Kosovo as a state, which Belgrade does not "
    "accept. Plain-sounding words are still choices.",
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
    for number, paragraph in enumerate(paragraphs, start=1):
        if phrase in paragraph:
            return number
    return None


# --- 5.1 find_paragraph -----------------------------------------------------------------------


def _check_finder(fn: Any, cases: list[tuple[str, Sequence[str]]]) -> None:
    """Call a student's find_paragraph on (phrase, paragraphs) cases and compare."""
    variable = "find_paragraph"
    if not callable(fn):
        fail(variable, f"should be a function, got {type(fn).__name__}.",
             "define it with `def find_paragraph(phrase, paragraphs):`.")
    for phrase, paragraphs in cases:
        want = _first_paragraph(phrase, paragraphs)
        try:
            got = fn(phrase, paragraphs)
        except Exception as exc:  # noqa: BLE001 -- the student's code may raise anything
            if want is None:
                fail(f"{variable}(...)", f"raised {type(exc).__name__} for a phrase that no "
                     "paragraph contains.", "after the loop, `return None`: no paragraph, no "
                     "number.")
            fail(f"{variable}(...)", f"raised {type(exc).__name__} for the phrase {phrase!r}.",
                 "loop over the paragraphs and test `phrase in paragraph`.")
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


@hidden("5.1")
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
        fail(variable, f"holds {strangers} item(s) that are not event ids.",
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


def _glossary_keys(term: str) -> set[str]:
    """Ways to cite a glossary term: whole, without its bracket, or either half of a pair."""
    parts = {term, *term.split(" / ")}
    keys = set()
    for part in parts:
        keys.add(normalise_text(part))
        keys.add(normalise_text(part.split(" (")[0]))
    return keys


def _evidence_index() -> dict[str, dict[str, str]]:
    """For each table, a map from the normalised keys a student may write to the exact key."""
    index: dict[str, dict[str, str]] = {}
    for table, (load, column) in TABLES.items():
        keys: dict[str, str] = {}
        for exact in load()[column]:
            if table == "people":
                keys[surname_key(exact)] = exact
            elif table == "glossary":
                keys.update(dict.fromkeys(_glossary_keys(exact), exact))
            else:
                keys[normalise_text(exact)] = exact
        index[table] = keys
    return index


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


def _resolve(item: str, index: dict[str, dict[str, str]]) -> str | None:
    """The canonical 'table:key' (or 'table' for a whole table) an item names; None if no row."""
    table, _, key = item.partition(":")
    table = normalise_text(table).removesuffix(".csv").replace(" ", "_")
    if table not in index:
        names = ", ".join(TABLES)
        fail("answer_5_5", f"cites {item!r}, which does not start with a table name.",
             f"write evidence as 'table:key', where table is one of {names}.")
    if not key.strip():
        return table
    lookup = surname_key(key) if table == "people" else normalise_text(key)
    exact = index[table].get(lookup)
    return None if exact is None else f"{table}:{exact}"


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
        fail(variable, f"has {wrong} paragraph number(s) that do not match the text.",
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
        fail(variable, f"has {wrong} verdict(s) out of {len(CLAIMS)} that the evidence does not "
             "bear out.",
             "for each claim: does a course table hold a row that agrees (supported), a row that "
             "disagrees (contradicted), or nothing on it at all (not checkable here)?", "5.5")
    expect_digest(verdicts, "5.5", _VERDICT_LIST_DIGEST, variable)

    index = _evidence_index()
    cited: list[list[str]] = []
    unknown = 0
    for row, cell in enumerate(value["evidence"], start=1):
        items = []
        for item in _evidence_items(cell, row):
            canonical = _resolve(item, index)
            if canonical is None:
                unknown += 1
            else:
                items.append(canonical)
        cited.append(items)
    if unknown:
        fail(variable, f"has {unknown} evidence item(s) that name no row of their table.",
             "copy keys exactly from the table: `events['id']`, `countries['country']`, "
             "`eu_recognition['member_state']`, `people['name']` or `glossary['term']`.")

    cluttered = sum(1 for v, items in zip(verdicts, cited, strict=True)
                    if v == "not checkable here" and items)
    if cluttered:
        fail(variable, f"cites evidence in {cluttered} row(s) marked 'not checkable here'.",
             "if a course table bore on the claim it would be checkable here; leave the "
             "evidence of such rows empty ('').")
    bare = sum(1 for v, items in zip(verdicts, cited, strict=True)
               if v != "not checkable here" and not items)
    if bare:
        fail(variable, f"has {bare} verdict(s) with no evidence.",
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
        fail(variable, f"supports {late} claim(s) with events dated after the article "
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
        fail(variable, f"has {off_topic} row(s) whose evidence exists but does not bear on "
             "the claim.",
             "open each cited row and read its description: does it say what the claim "
             "says (or the opposite)?")


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
        fail(variable, f"has the wrong number of words for {wrong} speaker(s).",
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
