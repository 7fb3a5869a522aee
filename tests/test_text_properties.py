"""Property-based tests for course.text: any string in, a well-formed result out."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course import text as T

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of news-like text mixed with arbitrary Unicode, so quotes, speech verbs, names,
# abbreviations and paragraph breaks meet each other in every possible order.
FRAGMENTS = [
    '"', "“", "”", "„", "«", "»", "'", "’", "‘", "\n", "\n\n", "\r\n", "\u2029", " ", "  ",
    ".", "...", "…", "?", "!", ",", ":", "--", "—", "(", ")", " said ", " he said", " she ",
    " they said", " it said", "Mr.", "U.S.", "No. 5", "3.5", "Jens Stoltenberg", "Vučić",
    "Aleksandar Vucic", " the ", " and ", " of ", " according to ", "EU leaders", " told ",
    " ready to ", " may ", "Secretary-General ", "alliance's", "doesn't", "İ", "ß", "ſ", "_",
]  # fmt: skip
news_text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS)), max_size=40).map(
    "".join
)
not_text = st.one_of(
    st.integers(), st.none(), st.floats(), st.binary(), st.lists(st.text(max_size=3), max_size=3)
)

TEXT_FUNCTIONS = {
    "paragraphs": T.paragraphs,
    "sentences": T.sentences,
    "tokens": T.tokens,
    "word_frequencies": T.word_frequencies,
    "find_quotes": T.find_quotes,
    "modal_phrases": T.modal_phrases,
    "kwic": lambda text: T.kwic(text, "said"),
}


def _fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split()).casefold()


@SETTINGS
@given(text=news_text)
def test_no_function_raises_on_any_string(text: str) -> None:
    assert all(isinstance(p, str) for p in T.paragraphs(text))
    assert all(isinstance(s, str) and s for s in T.sentences(text))
    assert all(isinstance(t, str) and t for t in T.tokens(text, lower=False))
    assert list(T.word_frequencies(text).columns) == ["word", "count", "share"]
    assert list(T.kwic(text, "the").columns) == ["paragraph", "left", "match", "right"]
    assert len(T.modal_phrases(text)) == len(T.HEDGES)
    quotes = T.find_quotes(text)
    assert list(quotes.columns) == [
        "speaker", "quote", "paragraph", "kind", "words", "attribution",
    ]  # fmt: skip
    share = T.quote_share(quotes)
    assert list(share.columns) == ["speaker", "quotes", "words", "share"]


@pytest.mark.parametrize("name", sorted(TEXT_FUNCTIONS))
@settings(max_examples=25, deadline=None)
@given(value=not_text)
def test_wrong_types_raise_type_error_naming_text(name: str, value: object) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        TEXT_FUNCTIONS[name](value)


@settings(max_examples=50, deadline=None)
@given(value=not_text)
def test_wrong_keyword_type_raises_type_error_naming_keyword(value: object) -> None:
    with pytest.raises(TypeError, match="keyword"):
        T.kwic("text", value)


@SETTINGS
@given(text=news_text)
def test_paragraphs_are_stripped_non_empty_and_contain_no_blank_line(text: str) -> None:
    for block in T.paragraphs(text):
        assert block and block == block.strip()
        assert all(line.strip() for line in block.splitlines())


@SETTINGS
@given(text=news_text)
def test_sentences_lose_no_text(text: str) -> None:
    # Whitespace may change, but every other character of every paragraph is kept, in order.
    def squash(parts: list[str]) -> str:
        return "".join("".join(unicodedata.normalize("NFC", p).split()) for p in parts)

    assert squash(T.sentences(text)) == squash(T.paragraphs(text))
    assert len(T.sentences(text)) >= len(T.paragraphs(text))


@SETTINGS
@given(text=news_text)
def test_tokens_are_words(text: str) -> None:
    lowered = T.tokens(text)
    assert lowered == [t.lower() for t in T.tokens(text, lower=False)]
    for token in lowered:
        assert token.strip() == token
        assert any(ch.isalnum() for ch in token)
        assert "--" not in token


@SETTINGS
@given(text=news_text, stopwords=st.sampled_from([T.STOPWORDS, None, (), ("said", "the")]))
def test_word_frequencies_add_up(text: str, stopwords) -> None:
    freq = T.word_frequencies(text, stopwords)
    stop = set(stopwords or ())
    kept = [t for t in T.tokens(text) if t not in stop]
    assert freq["count"].sum() == len(kept)
    assert freq["word"].is_unique
    if kept:
        assert math.isclose(freq["share"].sum(), 1.0)
    # Sorted by count (descending), then word.
    keys = list(zip(-freq["count"], freq["word"], strict=True))
    assert keys == sorted(keys)


@SETTINGS
@given(text=news_text, top=st.integers(min_value=0, max_value=5))
def test_word_frequencies_top_is_a_prefix(text: str, top: int) -> None:
    full = T.word_frequencies(text)
    head = T.word_frequencies(text, top=top)
    assert head.equals(full.head(top).reset_index(drop=True))


@st.composite
def text_and_keyword(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(news_text)
    words = T.tokens(text, lower=False)
    if words and draw(st.booleans()):
        # A word from the text, in a random case, so there is usually something to find.
        word = draw(st.sampled_from(words))
        keyword = draw(st.sampled_from([word, word.upper(), word.lower(), word.title()]))
    else:
        keyword = draw(st.text(min_size=1, max_size=6).filter(str.strip))
    return text, keyword


@SETTINGS
@given(data=text_and_keyword(), width=st.integers(0, 30), whole_word=st.booleans())
def test_kwic_matches_contain_the_keyword(data: tuple[str, str], width: int, whole_word) -> None:
    text, keyword = data
    hits = T.kwic(text, keyword, width, whole_word=whole_word)
    n_paragraphs = len(T.paragraphs(text))
    for row in hits.itertuples(index=False):
        assert 1 <= row.paragraph <= n_paragraphs
        assert len(row.left) <= width and len(row.right) <= width
        folded_match, folded_keyword = _fold(row.match), _fold(keyword)
        # re's case-insensitive match and str.casefold agree except for a few letters
        # (such as "İ"), whose folded form is longer; those must still match upper-cased.
        assert folded_keyword in folded_match or _fold(keyword.upper()) in _fold(row.match.upper())
        if whole_word:
            assert len(row.match) == len(" ".join(unicodedata.normalize("NFC", keyword).split()))


@SETTINGS
@given(text=news_text)
def test_find_quotes_rows_are_well_formed(text: str) -> None:
    quotes = T.find_quotes(text)
    n_paragraphs = len(T.paragraphs(text))
    for row in quotes.itertuples(index=False):
        assert 1 <= row.paragraph <= n_paragraphs
        assert row.kind in {"full", "partial"}
        assert row.quote and row.quote == row.quote.strip()
        assert row.words == len(T.tokens(row.quote)) >= 1
        assert row.speaker is None or (isinstance(row.speaker, str) and row.speaker.strip())
        assert (row.speaker is None) == (row.attribution == "none")


@SETTINGS
@given(text=news_text)
def test_quote_share_adds_up(text: str) -> None:
    quotes = T.find_quotes(text)
    share = T.quote_share(quotes)
    assert share["words"].sum() == quotes["words"].sum()
    assert share["quotes"].sum() == len(quotes)
    if len(quotes):
        assert math.isclose(share["share"].sum(), 1.0)


@SETTINGS
@given(text=news_text, phrases=st.lists(st.sampled_from(list(T.HEDGES)), min_size=1))
def test_modal_phrases_count_whole_words(text: str, phrases: list[str]) -> None:
    counts = T.modal_phrases(text, phrases)
    assert set(counts["phrase"]) == set(phrases)
    assert (counts["count"] >= 0).all()
    # Every token equal to a one-word hedge is counted (more may be found inside "may-be").
    tokens = T.tokens(text)
    for phrase, count in zip(counts["phrase"], counts["count"], strict=True):
        if " " not in phrase:
            assert count >= tokens.count(phrase)
