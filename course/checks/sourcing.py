"""Checks for assignment 01, sourcing: who is speaking, to whom, and when?"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from typing import Any

from course.checks.core import (
    call_student,
    choice_question,
    expect_digest,
    expect_length,
    expect_type,
    fail,
    hidden,
    iso_day,
    normalise_text,
    question,
    surname_key,
)
from course.data import load_article
from course.text import tokens

PUBLISHER_OPTIONS = {
    "A": "NATO hosted the news conference, but the article reports on NATO from outside: it "
    "quotes NATO's Secretary-General in the third person rather than speaking for NATO.",
    "B": "The text we hold does not name its publisher; we know it from where the copy was "
    "found, which is why `article.metadata` records it and how.",
    "C": "The EU appears only as the facilitator of the talks; nothing in the text speaks for "
    "an EU institution.",
    "D": "Vučić is quoted, but the article speaks of him in the third person and also quotes "
    "NATO at length: a presidency's own release would not read like that.",
}

MISSING_OPTIONS = {
    "A": "The event is dated in the text itself: find 'on August 17'.",
    "B": "Look at the first line: it is a headline.",
    "C": "Neither a reporter's name (byline) nor the place the story was filed from (dateline) "
    "is in the text we hold, so we cannot say who wrote it or where.",
    "D": "Several paragraphs open with a quotation mark: the text quotes people directly.",
}


@question("1.1", "answer_1_1")
def headline(value: Any) -> None:
    """The headline, as one string."""
    expect_type(value, str, "answer_1_1")
    if "\n" in value.strip():
        fail("answer_1_1", "spans several lines; the headline is one line.",
              "split the text into lines and keep the first.")
    expect_digest(normalise_text(value), "1.1",
                  "d7f604085fab3da7bbe3f12be781c540f40ebfb017f5a8fa63ca7740597ddf4e",
                  "answer_1_1", hint="the headline is the text's first line.")


@question("1.2", "answer_1_2")
def caption(value: Any) -> None:
    """The photo caption, as one string."""
    expect_type(value, str, "answer_1_2")
    expect_digest(normalise_text(value), "1.2",
                  "7d9794f9b7e907129cae8b72a92efc0cfb09988cbce94ac2bbb6ff5658db6c61",
                  "answer_1_2",
                  hint="a caption describes a photo: which block says who is on the left?")


@question("1.3", "answer_1_3")
def paragraph_count(value: Any) -> None:
    """The number of body paragraphs: not the headline, not the caption."""
    expect_type(value, int, "answer_1_3")
    if value == len(load_article().paragraphs) + 2:
        fail("answer_1_3", "counts the headline and the caption as paragraphs.",
              "body paragraphs are the ones after the caption: `article.paragraphs`.")
    if value == len(load_article().paragraphs) + 1:
        fail("answer_1_3", "counts one block too many: the caption (or the headline) is not a "
             "body paragraph.",
             "body paragraphs are the ones after the caption: `article.paragraphs`.")
    expect_digest(int(value), "1.3",
                  "e4f82a2674c0c56a2b53104d11bbb6eba3d4a4439e13c55264b208394beca418",
                  "answer_1_3", hint="count the blocks of text between blank lines after the "
                  "caption.")


@question("1.4", "answer_1_4")
def body_words(value: Any) -> None:
    """The number of word tokens in the body, counted with course.text.tokens."""
    expect_type(value, int, "answer_1_4")
    article = load_article()
    if value == len(tokens(article.text)):
        fail("answer_1_4", "counts the headline and caption too.",
              "count the tokens of `article.body`, not of `article.text`.")
    if value in (len(article.body), len(article.text)):
        fail("answer_1_4", "counts characters, not words: `len(...)` of a string counts its "
             "letters, spaces and punctuation.",
             "split the text into word tokens first: `tokens(article.body)`, then count them.")
    if value == len(article.body.split()):
        fail("answer_1_4", "looks like a count of pieces split on spaces.",
              "splitting on spaces keeps '--' and punctuation as words; use `tokens(...)`.")
    if value != len(tokens(article.body)):
        fail("answer_1_4", "is a whole number, but not the number of word tokens in the body.",
              "`len(tokens(article.body))`-style counting: tokens first, then count.")


# Multiple choice: who published the article?
publisher = choice_question(
    "1.6", "answer_1_6",
    "528ea3815cd67ef4cd0d1964a86a316765366d14e75bcd4015726525be881bb8",
    PUBLISHER_OPTIONS,
)


@question("1.7", "answer_1_7")
def event_date(value: Any) -> None:
    """The date of the event the article reports, as 'YYYY-MM-DD'."""
    expect_type(value, (str, dt.date), "answer_1_7",
                hint="write the date as text in ISO form, 'YYYY-MM-DD'.")
    iso = iso_day(value)
    if iso is None:
        fail("answer_1_7", f"is {value!r}, which is not a date in the form 'YYYY-MM-DD'.",
             _date_form_hint(value))
    expect_digest(iso, "1.7", "c3f723fcccf91aa1b70192c58b4cb9947e104fc09616c168e77bbc2cf4b033e5",
                  "answer_1_7",
                  hint="the text gives a month and a day; the metadata gives the year.")


def _date_form_hint(text: str) -> str:
    """Say what keeps a typed date from being ISO: its order, its separators or its padding."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d.*", text):
        return "it has a time as well as a day: keep only the day, 'YYYY-MM-DD'."
    parts = re.fullmatch(r"(\d+)([-/. ])(\d+)([-/. ])(\d+)", text)
    if parts is None:
        if re.search(r"[A-Za-z]", text):
            return ("write the month as a number, not a word: 'YYYY-MM-DD', e.g. '1999-03-24' "
                    "for 24 March 1999.")
        return "write four digits for the year, then two for the month and two for the day."
    first, sep1, middle, sep2, last = parts.groups()
    if len(first) != 4:
        return ("ISO dates put the year first: four digits, then the month, then the day "
                "('YYYY-MM-DD').")
    if sep1 != "-" or sep2 != "-":
        return (f"the parts are separated by {sep1 if sep1 != '-' else sep2!r}; ISO dates use "
                "hyphens: 'YYYY-MM-DD'.")
    if int(middle) > 12 >= int(last):
        return "the month comes before the day in ISO form: 'YYYY-MM-DD'."
    if len(middle) != 2 or len(last) != 2:
        return ("the month and the day each take two digits in ISO form: write 03, not 3 "
                "('YYYY-MM-DD').")
    return "that day does not exist: check the month (01-12) and the day."


def _names(value: Any, variable: str, count: int, what: str) -> list[str]:
    """Check a list of personal names for type and length, and return their surname keys."""
    expect_type(value, list, variable)
    for item in value:
        if not isinstance(item, str):
            fail(variable, f"should hold names as text, but one item is {type(item).__name__}.")
    keys = [surname_key(v) for v in value]
    if len(set(keys)) != len(keys):
        fail(variable, "names the same person twice.", "each person once.")
    expect_length(value, count, variable, unit="names", hint=what)
    return sorted(keys)


@question("1.8", "answer_1_8")
def people_named(value: Any) -> None:
    """The people the article names (the caption counts), as a list of names."""
    keys = _names(value, "answer_1_8", 3,
                  "count people named anywhere in the text, quoted or not.")
    expect_digest(keys, "1.8", "b1b7af688fc30116eda8609cb74628c24ba0be8a357bebea84ae125e80f62ab9",
                  "answer_1_8", hint="someone can be named without being quoted.")


@question("1.9", "answer_1_9")
def people_quoted(value: Any) -> None:
    """The people the article quotes directly, as a list of names."""
    keys = _names(value, "answer_1_9", 2,
                  "a direct quotation is words inside quotation marks attributed to a person.")
    expect_digest(keys, "1.9", "9725b4833f004f500688cb0f4032f6849fa463feee3f59efacad416e66a9c819",
                  "answer_1_9",
                  hint="being named is not being quoted: whose own words are in quotation marks?")


# Multiple choice: what does the text we hold not contain?
missing = choice_question(
    "1.10", "answer_1_10",
    "f1036a76b0738800a098aa22445bd0d66c3e3134c50d26f00ae621f2e46276ec",
    MISSING_OPTIONS,
)


def _check_counter(fn: Any, paragraphs: list[str], variable: str) -> list[int]:
    """Call a student's words_per_paragraph on some paragraphs and compare with the tokens."""
    result = call_student(fn, variable, (list(paragraphs),), shown=f"{variable}(paragraphs)",
                          try_it=f"{variable}(['One two.', 'Three'])",
                          signature="def words_per_paragraph(paragraphs):")
    expect_type(result, list, f"{variable}(...)", hint="return a list with one number per "
                "paragraph.")
    expect_length(result, len(paragraphs), f"{variable}(...)", unit="numbers",
                  hint="one number per paragraph, in the same order.")
    for position, (got, text) in enumerate(zip(result, paragraphs, strict=True), start=1):
        expect_type(got, int, f"{variable}(...)[{position - 1}]")
        if got != len(tokens(text)):
            fail(f"{variable}(...)", f"gives the wrong count for paragraph {position}.",
                  "count `tokens(paragraph)` for each paragraph.")
    return list(result)


def _other_paragraphs(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Some of the article's paragraphs in another order: the same task on input not seen."""
    while True:
        picked = rng.sample(paragraphs, k=rng.randint(2, len(paragraphs) - 1))
        if [len(tokens(p)) for p in picked] != [len(tokens(p)) for p in paragraphs[:len(picked)]]:
            return picked


@question("1.5", "words_per_paragraph")
def words_per_paragraph(fn: Callable[[list[str]], list[int]]) -> None:
    """A function counting word tokens per paragraph: on the article, then on a random pick."""
    variable = "words_per_paragraph"
    paragraphs = list(load_article().paragraphs)
    on_article = _check_counter(fn, paragraphs, variable)
    picked = _other_paragraphs(paragraphs, random.Random())
    result = call_student(fn, variable, (list(picked),), shown=f"{variable}(paragraphs)")
    if isinstance(result, list) and result[:len(on_article)] == on_article[:len(result)]:
        fail(f"{variable}(...)", f"gives the article's counts for {len(picked)} other "
             "paragraphs in another order: the numbers do not come from its argument.",
             "count the words of each paragraph in `paragraphs`, the list the function is "
             "given, not of `article.paragraphs`.")
    _check_counter(fn, picked, variable)


@hidden("1.5", "your function on paragraphs it has never seen")
def words_per_paragraph_hidden(fn: Callable[[list[str]], list[int]]) -> None:
    """The same function on paragraphs the student has not seen, so hard-coding cannot pass."""
    unseen = [
        "Talks resumed in Brussels -- briefly.",
        "",
        "Priština and Belgrade's delegations met; no agreement was reached on licence plates.",
    ]
    _check_counter(fn, unseen, "words_per_paragraph")
