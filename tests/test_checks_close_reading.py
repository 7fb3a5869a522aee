"""Assignment 02's checks: the answer key passes, typical mistakes get teaching messages."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from check_harness import Case, assert_passes, case_tests
from course.checks.close_reading import HEDGE_OPTIONS, PARAPHRASE_OPTIONS
from course.data import load_article
from course.text import find_quotes, kwic, modal_phrases, quote_share, tokens, word_frequencies

ARTICLE = load_article()
QUOTES = find_quotes(ARTICLE.body)
PARTIAL = QUOTES[QUOTES["kind"] == "partial"]
QUOTED_WORDS = int(QUOTES["words"].sum())
QUOTED_TEXT = "\n\n".join(QUOTES["quote"])


def _good_counter(text, keyword):
    return tokens(text).count(keyword.lower())


def _counter_via_frequencies(text, keyword):
    table = word_frequencies(text, stopwords=None)
    return int(table.loc[table["word"] == keyword.lower(), "count"].sum())


def _hardcoded_counter(text, keyword):
    return Counter(tokens(ARTICLE.body))[keyword.lower()]


def _right_share():
    return quote_share(QUOTES).loc[0, "speaker"]


CASES = {
    "2.1": Case(lambda: word_frequencies(ARTICLE.body).loc[0, "word"], [
        ("nato", "headline and the caption"),
        ("NATO", "headline and the caption"),
        ("the", "stopword"),
        (["serbia"], "one piece of text"),
        (word_frequencies(ARTICLE.body).head(1), "should be text"),
        ("serbia 5", "one word"),
        ("kosovo", "not the right one"),
        (..., "placeholder"),
    ]),
    "2.2": Case(lambda: kwic(ARTICLE.body, "escalation")["paragraph"].tolist(), [
        (kwic(ARTICLE.text, "escalation")["paragraph"].tolist(), "shifted by two"),
        ([p - 1 for p in kwic(ARTICLE.body, "escalation")["paragraph"]], "from 0"),
        (kwic(ARTICLE.body, "escalation")["paragraph"], ".tolist()"),
        ([str(p) for p in kwic(ARTICLE.body, "escalation")["paragraph"]], "not text"),
        ([2], "too few"),
        ([2, 6, 6], "more than once"),
        ([6, 2], "ascending order"),
        ([2, 7], "missing"),
        (2, "should be a list"),
    ]),
    "2.3": Case(lambda: len(kwic(ARTICLE.body, "normaliz", whole_word=False)), [
        (len(kwic(ARTICLE.body, "normalization")), "exact word"),
        (len(kwic(ARTICLE.body, "normalis", whole_word=False)), "US spelling"),
        (kwic(ARTICLE.body, "normaliz", whole_word=False), "len(...)"),
        ("3", "quotes around a number"),
        (3.0, "whole number"),
        (5, "not the number of occurrences"),
    ]),
    "2.4": Case(lambda: _good_counter, [
        (None, "should be a function"),
        (lambda text, keyword: kwic(text, keyword), "not a number"),
        (lambda text, keyword: len(kwic(text, keyword)), "inside longer words"),
        (lambda text, keyword: tokens(text).count(keyword), "lower case"),
        (lambda text, keyword: text.lower().split().count(keyword.lower()), "wrong count"),
        (lambda text, keyword: "2", "whole number"),
    ]),
    "2.5": Case(lambda: PARTIAL, [
        (QUOTES, "keeps every quotation"),
        (QUOTES[QUOTES["kind"] == "full"], "full quotations"),
        (find_quotes(ARTICLE.text).query("kind == 'partial'"), "article.text"),
        (PARTIAL[["speaker", "quote"]], "missing the column"),
        (PARTIAL.iloc[:2], "too few"),
        (pd.concat([PARTIAL, QUOTES.iloc[:1]]), "not 'partial'"),
        (PARTIAL.to_dict("records"), "pd.DataFrame"),
        (PARTIAL.assign(quote="difficult"), "quotations missing"),
    ]),
    "2.6": Case(_right_share, [
        ("Aleksandar Vucic", "most quotations"),
        ("Vučić", "most quotations"),
        ("Albin Kurti", "never quotes"),
        ("EU leaders", "not the right one"),
        (quote_share(QUOTES).iloc[0], "should be text"),
    ]),
    "2.7": Case(lambda: QUOTED_WORDS / len(tokens(ARTICLE.body)), [
        (QUOTED_WORDS, "number of quoted words, not yet a fraction"),
        (100 * QUOTED_WORDS / len(tokens(ARTICLE.body)), "percentage"),
        (1 - QUOTED_WORDS / len(tokens(ARTICLE.body)), "outside"),
        (QUOTED_WORDS / len(tokens(ARTICLE.text)), "whole text"),
        ("0.35", "quotes around a number"),
        (0.5, "not the right one yet"),
    ]),
    "2.8": Case(lambda: "A", [
        ("B", PARAPHRASE_OPTIONS["B"][:30]),
        ("c", PARAPHRASE_OPTIONS["C"][:30]),
        ("D", PARAPHRASE_OPTIONS["D"][:30]),
        ("E", "should be one of"),
        (3, "one letter in quotes"),
    ], secrets=[PARAPHRASE_OPTIONS["A"]]),
    "2.9": Case(lambda: int(modal_phrases(QUOTED_TEXT)["count"].sum()), [
        (int(modal_phrases(ARTICLE.body)["count"].sum()), "every hedge in the body"),
        (int(modal_phrases(ARTICLE.text)["count"].sum()), "whole text"),
        (int(modal_phrases(ARTICLE.body)["count"].sum() - modal_phrases(QUOTED_TEXT)["count"]
             .sum()), "outside quotations"),
        (modal_phrases(QUOTED_TEXT), "whole number"),
        (1, "not the number of hedges"),
    ]),
    "2.10": Case(lambda: "D", [
        ("A", HEDGE_OPTIONS["A"][:30]),
        ("b", HEDGE_OPTIONS["B"][:30]),
        ("C", HEDGE_OPTIONS["C"][:30]),
        (["B"], "one letter in quotes"),
    ], secrets=[HEDGE_OPTIONS["D"]]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_equivalent_answers_are_accepted(capsys):
    assert_passes("2.1", " Serbia ", capsys)
    assert_passes("2.3", QUOTES["words"].dtype.type(3), capsys)  # a numpy integer is a count
    assert_passes("2.4", _counter_via_frequencies, capsys)
    assert_passes("2.5", PARTIAL.reset_index(drop=True), capsys)
    assert_passes("2.6", "STOLTENBERG", capsys)
    assert_passes("2.7", round(QUOTED_WORDS / len(tokens(ARTICLE.body)), 2), capsys)
    assert_passes("2.9", modal_phrases(QUOTED_TEXT)["count"].sum(), capsys)


def test_the_article_gives_robust_answers():
    """The answers rest on clear margins, not on a tie that a library tweak could flip."""
    frequencies = word_frequencies(ARTICLE.body)
    assert frequencies.loc[0, "count"] > frequencies.loc[1, "count"]
    shares = quote_share(QUOTES)
    assert shares.loc[0, "words"] > shares.loc[1, "words"]
    assert QUOTES["speaker"].notna().all(), "every quotation of the body has a speaker"
    # The top-10 figure cuts between counts, so no tied word is dropped arbitrarily.
    assert frequencies.loc[9, "count"] > frequencies.loc[10, "count"]


def test_hidden_check_catches_a_hardcoded_function():
    from course.checks import CheckFailed, check, check_hidden

    for _ in range(5):  # the visible check tries one paragraph at random, each time
        with pytest.raises(CheckFailed, match="does not come from its `text`"):
            check("2.4", _hardcoded_counter)
    with pytest.raises(CheckFailed, match="count_keyword"):
        check_hidden("2.4", _hardcoded_counter)
    check_hidden("2.4", _good_counter)
    check_hidden("2.4", _counter_via_frequencies)

