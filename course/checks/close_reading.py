"""Checks for assignment 02, close reading: what the words do.

Most expected values are computed here from the article with the same ``course.text`` tools the
students use, so a check and the notebook can never disagree about what the tools return; a
name and the multiple-choice letters are stored as salted digests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pandas as pd

from course.checks.core import (
    call_student,
    choice_question,
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
from course.data import load_article, load_people
from course.text import (
    STOPWORDS,
    find_quotes,
    kwic,
    modal_phrases,
    paragraphs,
    tokens,
    word_frequencies,
)

PARAPHRASE_OPTIONS = {
    "A": "'Says' introduces reported (indirect) speech: the reporter's words for what "
    "Stoltenberg said. Put it next to ¶3: his condition was 'Should stability be jeopardized', "
    "the reporter's is 'if tensions ... rise', and 'intervene' has become 'step in'.",
    "B": "There are no quotation marks in ¶1, so nobody is quoted there. Compare ¶3, where "
    "Stoltenberg's own words about KFOR are inside quotation marks.",
    "C": "Vučić is not the subject of ¶1: the sentence reports what Stoltenberg 'says'. Vučić "
    "first appears in ¶2.",
    "D": "Nothing in the text says so, and words copied from a release would be quoted or "
    "credited. Stay with what the text itself shows: who is the subject of 'says'?",
}

HEDGE_OPTIONS = {
    "A": "Nothing has been decided: 'Should ...' makes any intervention depend on a condition "
    "that has not been met. Read it as 'if stability should be jeopardized ...'.",
    "B": "'Should stability be jeopardized' is an inverted 'if' clause, not a report that it has "
    "been; in ¶2 the same speaker says the situation 'has improved'.",
    "C": "The hedge sits on the condition, not on NATO's ability: 'stands ready' asserts that KFOR "
    "can and will act. What the clause leaves open is *when*.",
    "D": "The inverted 'if' clause makes a conditional commitment: it warns (deterrence) "
    "without acting, and leaves NATO to judge when stability counts as 'jeopardized'.",
}


def _article_tables() -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """The article, its quotations (body only) and the same run on the whole text."""
    article = load_article()
    return article, find_quotes(article.body), find_quotes(article.text)


def _whole_number(value: Any, variable: str, what: str) -> int:
    """Check that a count is a whole number, with a tip for the usual near-misses."""
    if isinstance(value, pd.DataFrame | pd.Series | list):
        fail(variable, f"should be a whole number (int), got {type(value).__name__}.",
             f"{what} is one number: count the rows with len(...) or add them up with .sum().")
    expect_type(value, int, variable)
    return int(value)


# --- 1. Counting words -----------------------------------------------------------------------


@question("2.1", "answer_2_1")
def most_frequent_word(value: Any) -> None:
    """The most frequent content word of the body, stopwords left out."""
    if isinstance(value, pd.DataFrame | pd.Series):
        fail("answer_2_1", f"should be text in quotes (str), got {type(value).__name__}.",
             "store the word itself: the 'word' of the first row of the table.")
    expect_type(value, str, "answer_2_1")
    word = normalise_text(value)
    if len(word.split()) != 1:
        fail("answer_2_1", "should be one word, but it holds several.",
             "take the 'word' column of the first row, not the whole row or table.")
    if word in STOPWORDS:
        fail("answer_2_1", "is a stopword: a frequent word that carries little meaning.",
             "count with `word_frequencies(...)`, which leaves stopwords out by default.")
    article = load_article()
    top_of_text = word_frequencies(article.text, top=1).loc[0, "word"]
    if word == top_of_text and top_of_text != word_frequencies(article.body, top=1).loc[0, "word"]:
        fail("answer_2_1", "counts the headline and the caption too.",
             "count the words of `article.body` only: the headline and caption are not the report.")
    expect_digest(word, "2.1", "3a5c789b7344964ef6ff0a6950cf0fe47ea1bec5777275e9d79579880885b965",
                  "answer_2_1", hint="sort by count, largest first, and take the top word.")


# --- 2. Keywords in context ------------------------------------------------------------------


@question("2.2", "answer_2_2")
def escalation_paragraphs(value: Any) -> None:
    """The body paragraphs (numbers, ascending) in which 'escalation' occurs."""
    variable = "answer_2_2"
    expect_type(value, list, variable)
    for item in value:
        if isinstance(item, str):
            fail(variable, "should hold paragraph numbers as whole numbers, not text.",
                 "take the 'paragraph' column of the KWIC table and use .tolist().")
        expect_type(item, int, f"{variable} (each item)")
    numbers = [int(v) for v in value]
    if len(set(numbers)) != len(numbers):
        fail(variable, "lists a paragraph more than once.", "name each paragraph once.")
    article = load_article()
    expected = sorted(set(kwic(article.body, "escalation")["paragraph"].tolist()))
    # Headline and caption are blocks of the whole text too: searching it shifts every number.
    shift = len(paragraphs(article.text)) - len(article.paragraphs)
    if sorted(numbers) == [n + shift for n in expected]:
        fail(variable, "is shifted by two: it numbers the headline and caption as paragraphs.",
             "search `article.body`, so that the first body paragraph is number one.")
    if sorted(numbers) == [n - 1 for n in expected]:
        fail(variable, "counts paragraphs from 0, like Python positions.",
             "the course cites paragraphs from ¶1: use the 'paragraph' column of `kwic(...)`.")
    expect_length(value, len(expected), variable, unit="paragraphs",
                  hint="one number for each paragraph where the word occurs.")
    expect_same_set(numbers, expected, variable, what="paragraph numbers",
                    hint="search the body for the whole word 'escalation'.")
    if numbers != expected:
        fail(variable, "has the right paragraphs, but not in ascending order.", "sort them.")


@question("2.3", "answer_2_3")
def normalize_family(value: Any) -> None:
    """How often a word of the normalize/normalization/normalizing family occurs in the body."""
    variable = "answer_2_3"
    count = _whole_number(value, variable, "the number of occurrences")
    body = load_article().body
    expected = len(kwic(body, "normaliz", whole_word=False))
    if count == len(kwic(body, "normalization")) != expected:
        fail(variable, "counts only the exact word 'normalization'.",
             "search for the stem with `whole_word=False` to find every form of the word.")
    if count == 0:
        fail(variable, "is zero, but the family does occur in the body.",
             "the article uses the US spelling with a 'z'; a stem such as 'normaliz' finds "
             "anything only with `whole_word=False`.")
    if count != expected:
        fail(variable, "is a whole number, but not the number of occurrences yet.",
             "count the rows of `kwic(article.body, stem, whole_word=False)` and read each one.")


def _try_counter(fn: Any, text: str, keyword: str) -> int:
    """Call a student's count_keyword and check that it returned a count."""
    result = call_student(fn, "count_keyword", (text, keyword),
                          shown=f"count_keyword(text, {keyword!r})",
                          try_it="count_keyword('Talks, talks and more talks.', 'talks')",
                          signature="def count_keyword(text, keyword):")
    if isinstance(result, list | pd.DataFrame | pd.Series):
        fail("count_keyword(...)", f"returns {type(result).__name__}, not a number.",
             "return how many there are: len(...) of what you found.")
    expect_type(result, int, "count_keyword(...)", hint="return a whole number (int).")
    return int(result)


def _check_counter(fn: Any, text: str, keywords: list[str]) -> None:
    """Compare count_keyword with a count of course.text tokens, keyword by keyword."""
    counts = Counter(tokens(text))
    for keyword in keywords:
        got = _try_counter(fn, text, keyword)
        want = counts[keyword.lower()]
        if got == want:
            continue
        if got == 0 and _try_counter(fn, text, keyword.lower()) == want:
            fail("count_keyword", f"finds nothing for {keyword!r}, but does for the same word "
                 "in lower case.", "`tokens(...)` lower-cases the text: lower-case the keyword "
                 "too, with keyword.lower().")
        if got == len(kwic(text, keyword)):
            fail("count_keyword", f"counts {keyword!r} inside longer words too (for example in "
                 "a hyphenated word).", "compare whole tokens: 'EU-led' is one token, not 'EU'.")
        fail("count_keyword", f"gives the wrong count for the keyword {keyword!r}.",
             "count the tokens of `tokens(text)` that are equal to the lower-cased keyword.")


_ARTICLE_KEYWORDS = ["escalation", "NATO", "dialogue", "EU", "Ukraine", "Pristina",
                     "referendum"]


def _one_paragraph(rng: random.Random) -> tuple[str, str]:
    """A random body paragraph and a keyword whose count there differs from the whole body."""
    body = load_article().body
    whole = Counter(tokens(body))
    choices = [(p, k) for p in load_article().paragraphs for k in _ARTICLE_KEYWORDS
               if 0 < Counter(tokens(p))[k.lower()] != whole[k.lower()]]
    return rng.choice(choices)


@question("2.4", "count_keyword")
def count_keyword(fn: Callable[[str, str], int]) -> None:
    """A function counting a keyword's whole-token occurrences: on the body, then one paragraph."""
    body = load_article().body
    _check_counter(fn, body, _ARTICLE_KEYWORDS)
    paragraph, keyword = _one_paragraph(random.Random())
    if _try_counter(fn, paragraph, keyword) == _try_counter(fn, body, keyword):
        fail("count_keyword", f"gives the same count for {keyword!r} in one paragraph as in "
             "the whole article: the number does not come from its `text`.",
             "count the tokens of the `text` the function is given, whatever it is.")
    _check_counter(fn, paragraph, [keyword, keyword.upper()])


@hidden("2.4", "your function on text it has never seen")
def count_keyword_hidden(fn: Callable[[str, str], int]) -> None:
    """The same function on text the student has not seen, so hard-coding cannot pass."""
    unseen = ("Talks resumed. Talks, the envoy said, are the only way: TALKS and more talks. "
              "A talk-show host disagreed.\n\nNobody mentioned the deadline.")
    _check_counter(fn, unseen, ["talks", "Talks", "deadline", "host", "agreement"])
    _check_counter(fn, "", ["talks"])


# --- 3. Who speaks ---------------------------------------------------------------------------


@question("2.5", "answer_2_5")
def partial_quotes(value: Any) -> None:
    """The partial quotations of the body: rows of find_quotes whose kind is 'partial'."""
    variable = "answer_2_5"
    expect_type(value, pd.DataFrame, variable)
    expect_columns(value, ["speaker", "quote", "paragraph", "kind"], variable,
                   hint="filter the rows of `quotes` and keep all of its columns.")
    article, quotes, quotes_text = _article_tables()
    expected = quotes[quotes["kind"] == "partial"]
    kinds = set(value["kind"].astype(str))
    if len(value) == len(quotes) and len(quotes) != len(expected):
        fail(variable, "keeps every quotation.",
             "keep only the rows whose 'kind' is 'partial': `quotes[quotes['kind'] == ...]`.")
    if kinds == {"full"}:
        fail(variable, "holds the full quotations, not the partial ones.",
             "a partial quotation is a fragment set inside the reporter's own sentence.")
    if kinds - {"partial"}:
        fail(variable, "has rows whose kind is not 'partial'.", "filter on the 'kind' column.")
    expect_rows(value, len(expected), variable, hint="one row per partial quotation in the body.")

    def rows(frame: pd.DataFrame) -> list[tuple[int, str]]:
        return [(int(p), normalise_text(str(q)))
                for p, q in zip(frame["paragraph"], frame["quote"], strict=True)]

    shifted = quotes_text[quotes_text["kind"] == "partial"]
    if sorted(rows(value)) == sorted(rows(shifted)) != sorted(rows(expected)):
        fail(variable, "numbers paragraphs from the headline: it was built from `article.text`.",
             "run `find_quotes` on `article.body`, so that ¶1 is the first body paragraph.")
    expect_same_set(rows(value), rows(expected), variable, what="quotations",
                    hint="compare your rows with the table `quotes`, from the body.")


@question("2.6", "answer_2_6")
def largest_share(value: Any) -> None:
    """The speaker with the largest share of quoted words."""
    variable = "answer_2_6"
    expect_type(value, str, variable, hint="store the speaker's name as text.")
    key = surname_key(value)
    _, quotes, _ = _article_tables()
    most_quotes = quotes["speaker"].value_counts().index[0]
    most_words = quotes.groupby("speaker")["words"].sum().idxmax()
    named_only = load_people().query("named_in_article and not quoted_in_article")["name"]
    if key in {surname_key(n) for n in named_only}:
        fail(variable, "names someone the article names but never quotes.",
             "a share of quoted words needs quoted words: look at the 'speaker' column.")
    if key == surname_key(most_quotes) and most_quotes != most_words:
        fail(variable, "names the speaker with the most quotations, not the most quoted words.",
             "one long quotation can hold more words than several short ones: use `quote_share`, "
             "which adds up the 'words' column.")
    expect_digest(key, "2.6", "1380f44457a9534c265556e883a81d76f1bfd8de32e1e3103745a8f0decca873",
                  variable, hint="the table from `quote_share(quotes)` is sorted by words, "
                  "largest first.")


@question("2.7", "answer_2_7")
def quoted_fraction(value: Any) -> None:
    """The fraction of the body's word tokens that are inside quotation marks."""
    variable = "answer_2_7"
    expect_type(value, float, variable)
    article, quotes, _ = _article_tables()
    quoted = int(quotes["words"].sum())
    expected = quoted / len(tokens(article.body))
    share = float(value)
    if share == quoted:
        fail(variable, "is the number of quoted words, not yet a fraction.",
             "divide it by the number of word tokens in the body, `len(tokens(article.body))`.")
    if 1 < share <= 100 and abs(share / 100 - expected) < 0.005:
        fail(variable, "looks like a percentage.", "give a fraction between 0 and 1 (divide, "
             "but do not multiply by 100).")
    if not 0 <= share <= 1:
        fail(variable, "should be a fraction between 0 and 1.",
             "divide the number of quoted words by the number of word tokens in the body.")
    if abs(share - (1 - expected)) < 0.005:
        fail(variable, "is the share of words outside quotation marks: the reporter's words.",
             "the question asks for the quoted words' share.")
    if abs(share - quoted / len(tokens(article.text))) < 0.005:
        fail(variable, "divides by the words of the whole text, headline and caption included.",
             "divide by `len(tokens(article.body))`.")
    expect_close(share, expected, variable, tolerance=0.005,
                 hint="add up the 'words' column of `quotes`, then divide by the body's tokens.")


# Multiple choice: whose words are 'ready to step in if tensions ... rise' in ¶1?
paraphrase = choice_question(
    "2.8", "answer_2_8",
    "77aafb25fb241b3f3767446efacab59f536cda7eab7d2cc7ee07b5aca0e351c0",
    PARAPHRASE_OPTIONS,
)


# --- 4. Hedges -------------------------------------------------------------------------------


@question("2.9", "answer_2_9")
def quoted_hedges(value: Any) -> None:
    """How many hedge/modal phrases occur inside the quotations of the body."""
    variable = "answer_2_9"
    count = _whole_number(value, variable, "the number of hedges")
    article, quotes, _ = _article_tables()
    inside = int(modal_phrases("\n\n".join(quotes["quote"]))["count"].sum())
    in_body = int(modal_phrases(article.body)["count"].sum())
    if count == in_body != inside:
        fail(variable, "counts every hedge in the body, not only those inside quotations.",
             "run `modal_phrases` on the quoted words only: join the 'quote' column first.")
    if count == int(modal_phrases(article.text)["count"].sum()) != inside:
        fail(variable, "counts every hedge in the whole text, headline included.",
             "run `modal_phrases` on the quoted words only: join the 'quote' column first.")
    if count == in_body - inside != inside:
        fail(variable, "counts the hedges outside quotations: the reporter's.",
             "the question asks about the speakers' words, inside quotation marks.")
    if count != inside:
        fail(variable, "is a whole number, but not the number of hedges in the quotations yet.",
             "add up the 'count' column of `modal_phrases(...)` on the joined quotations.")


# Multiple choice: what does 'Should stability be jeopardized' do?
conditional = choice_question(
    "2.10", "answer_2_10",
    "878c532a14e735fbc56a22a8d7bf047c9bb88da265df9b2aedc9596c07bbe9f9",
    HEDGE_OPTIONS,
)
