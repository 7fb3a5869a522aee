"""Example-based tests for course.text, on the RFE/RL article and on small made-up texts."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from work_counter import growth

from course import text as T
from course.paths import dataset_path


@pytest.fixture(scope="module")
def article() -> str:
    return dataset_path("article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def body(article: str) -> str:
    # The article body: everything after the headline and the photo caption.
    return "\n\n".join(T.paragraphs(article)[2:])


def quotes_of(text: str) -> list[tuple]:
    frame = T.find_quotes(text)
    return list(frame[["speaker", "quote", "paragraph", "kind"]].itertuples(index=False, name=None))


# --------------------------------------------------------------------------------- paragraphs


def test_article_has_headline_caption_and_eleven_body_paragraphs(article: str) -> None:
    blocks = T.paragraphs(article)
    assert len(blocks) == 13
    assert blocks[0] == "NATO Forces 'Ready' If Kosovo-Serbia Tensions Boil Over"
    assert blocks[1].startswith("Serbian President Aleksandar Vucic (left)")
    assert blocks[2].startswith("NATO Secretary-General Jens Stoltenberg says")
    assert blocks[-1].startswith("EU leaders stopped short")


def test_paragraphs_strip_and_treat_whitespace_only_lines_as_blank() -> None:
    text = "  first line\nstill first  \n \t \n\n\nsecond\r\n\r\nthird\u2029\u2029fourth\n"
    assert T.paragraphs(text) == ["first line\nstill first", "second", "third", "fourth"]


def test_paragraphs_of_empty_or_blank_text_are_empty() -> None:
    assert T.paragraphs("") == []
    assert T.paragraphs(" \n\n \t\n") == []


# ---------------------------------------------------------------------------------- sentences


def test_article_sentences(article: str) -> None:
    found = T.sentences(article)
    assert len(found) == 17
    # The quote in body paragraph 3 holds four sentences; the closing quote stays with the last.
    assert found[4] == '"I call on all sides to show restraint and to avoid violence.'
    assert found[7] == 'Should stability be jeopardized, KFOR stands ready to intervene," he said.'
    # "for...NATO" is an ellipsis inside a quotation, not a sentence end.
    assert any("both for...NATO and we want" in s for s in found)
    # The final partial quote keeps its closing mark.
    assert found[-1].endswith('"commitment to the enlargement process."')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in the U.S. on Friday. The talks went well.",
            ["Mr. Smith met Dr. Jones in the U.S. on Friday.", "The talks went well."],
        ),
        (
            "He lives in the U.S. The E.U. agreed. U.S. President Joe Biden spoke.",
            ["He lives in the U.S.", "The E.U. agreed.", "U.S. President Joe Biden spoke."],
        ),
        (
            "J. Smith paid $2.50 at 3.5 p.m. today. It was cheap.",
            ["J. Smith paid $2.50 at 3.5 p.m. today.", "It was cheap."],
        ),
        (
            "He lives on St. Petersburg Road. No. 10 is his house. She said no. Then she left.",
            [
                "He lives on St. Petersburg Road.",
                "No. 10 is his house.",
                "She said no.",
                "Then she left.",
            ],
        ),
        (
            'Talks start on Aug. 17. "We are ready... Really," she said. Fine.',
            ["Talks start on Aug. 17.", '"We are ready... Really," she said.', "Fine."],
        ),
        (
            '"Why?" Smith asked. "Because," she said. Really? Yes!',
            ['"Why?" Smith asked.', '"Because," she said.', "Really?", "Yes!"],
        ),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
    ],
)
def test_sentences_handle_abbreviations_decimals_ellipses_and_quotes(
    text: str, expected: list[str]
) -> None:
    assert T.sentences(text) == expected


def test_paragraph_break_always_ends_a_sentence_and_line_breaks_do_not() -> None:
    text = "A headline without a full stop\n\nA body line\nwrapped here. Second sentence"
    assert T.sentences(text) == [
        "A headline without a full stop",
        "A body line wrapped here.",
        "Second sentence",
    ]


# ------------------------------------------------------------------------------------- tokens


def test_tokens_keep_hyphens_apostrophes_numbers_and_drop_dashes() -> None:
    text = "The alliance's Kosovo-Serbia talks -- doesn’t it? 3.5% of 1,000 in 2008; U.S.-led"
    assert T.tokens(text) == [
        "the", "alliance's", "kosovo-serbia", "talks", "doesn't", "it", "3.5", "of", "1,000",
        "in", "2008", "u.s.", "led",
    ]  # fmt: skip


def test_tokens_handle_unicode_letters_and_case() -> None:
    text = "Vučić visited Priština (Prishtinë, Kosovë)."
    assert T.tokens(text, lower=False) == ["Vučić", "visited", "Priština", "Prishtinë", "Kosovë"]
    # A decomposed "č" (c + combining caron) is the same word once normalised.
    assert T.tokens("Vuc\u030cic\u0301") == ["vučić"]


def test_tokens_of_punctuation_only_text_are_empty() -> None:
    assert T.tokens("") == []
    assert T.tokens(" -- ... \"' ") == []


def test_stopwords_are_a_lower_case_frozenset_of_common_words() -> None:
    assert isinstance(T.STOPWORDS, frozenset)
    assert len(T.STOPWORDS) >= 150
    assert all(w == w.lower() and " " not in w for w in T.STOPWORDS)
    assert {"the", "and", "of", "doesn't", "said"} - T.STOPWORDS == {"said"}


# ---------------------------------------------------------------------------- word_frequencies


def test_word_frequencies_on_the_article(article: str) -> None:
    freq = T.word_frequencies(article, top=5)
    assert list(freq.columns) == ["word", "count", "share"]
    assert list(freq["word"]) == ["nato", "serbia", "kosovo", "two", "vucic"]
    assert list(freq["count"]) == [6, 5, 4, 4, 4]
    full = T.word_frequencies(article)
    assert full["share"].sum() == pytest.approx(1.0)
    assert freq["share"].iloc[0] == pytest.approx(6 / full["count"].sum())


def test_word_frequencies_ties_are_alphabetical_and_stopwords_configurable() -> None:
    text = "y x z y x The the"
    default = T.word_frequencies(text)
    assert list(default.itertuples(index=False, name=None)) == [
        ("x", 2, 0.4), ("y", 2, 0.4), ("z", 1, 0.2),
    ]  # fmt: skip
    kept = T.word_frequencies(text, stopwords=None)
    assert kept.iloc[0].tolist() == ["the", 2, pytest.approx(2 / 7)]
    assert T.word_frequencies(text, stopwords=[]).equals(kept)
    custom = T.word_frequencies(text, stopwords={"X", "THE"})
    assert list(custom["word"]) == ["y", "z"]
    assert T.word_frequencies(text, top=0).empty


def test_word_frequencies_of_empty_text_has_typed_columns() -> None:
    freq = T.word_frequencies("")
    assert freq.empty
    assert list(freq.columns) == ["word", "count", "share"]
    assert freq["count"].dtype == "int64"
    assert freq["share"].dtype == "float64"


# --------------------------------------------------------------------------------------- kwic


def test_kwic_multi_word_keyword_on_the_article(article: str) -> None:
    hits = T.kwic(article, "Ready To", width=20)
    assert list(hits.columns) == ["paragraph", "left", "match", "right"]
    assert list(hits["paragraph"]) == [3, 5]
    assert list(hits["match"]) == ["ready to", "ready to"]
    # Twenty characters before the match ("rdized, KFOR stands "), stripped.
    assert hits["left"].iloc[1] == "rdized, KFOR stands"
    assert hits["right"].iloc[1] == 'intervene," he said'


def test_kwic_whole_word_and_prefix_search(article: str, body: str) -> None:
    # Hyphens count as word edges, so "Serbia" is found inside "Kosovo-Serbia".
    assert T.kwic(article, "serbia")["paragraph"].tolist() == [1, 3, 6, 10, 11, 11]
    assert T.kwic(body, "normaliz").empty
    prefix = T.kwic(body, "normaliz", whole_word=False)
    assert prefix["match"].tolist() == ["normalize", "normalization", "Normalizing"]
    assert prefix["paragraph"].tolist() == [1, 4, 10]


def test_kwic_context_stays_inside_the_paragraph_and_normalises_whitespace() -> None:
    text = "First block ends here.\n\nready\n   to   go now"
    hits = T.kwic(text, "ready to", width=30)
    assert hits.iloc[0].tolist() == [2, "", "ready to", "go now"]
    zero = T.kwic(text, "go", width=0)
    assert zero.iloc[0].tolist() == [2, "", "go", ""]


def test_kwic_empty_result_keeps_columns() -> None:
    hits = T.kwic("nothing to see", "Kosovo")
    assert hits.empty
    assert list(hits.columns) == ["paragraph", "left", "match", "right"]
    assert T.kwic("", "Kosovo").empty


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"keyword": ""}, ValueError, "keyword"),
        ({"keyword": "  \n"}, ValueError, "keyword"),
        ({"keyword": "x", "width": -1}, ValueError, "width"),
        ({"keyword": "x", "width": 2.5}, TypeError, "width"),
        ({"keyword": 3}, TypeError, "keyword"),
        ({"keyword": "x", "whole_word": "yes"}, TypeError, "whole_word"),
    ],
)
def test_kwic_rejects_bad_arguments(kwargs: dict, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        T.kwic("some text", **kwargs)


# ------------------------------------------------------------------------------- find_quotes


def test_find_quotes_on_the_article_body(body: str) -> None:
    quotes = T.find_quotes(body)
    assert list(quotes.columns) == ["speaker", "quote", "paragraph", "kind", "words", "attribution"]
    assert quotes[["speaker", "paragraph", "kind", "words"]].values.tolist() == [
        ["Jens Stoltenberg", 2, "full", 25],
        ["Jens Stoltenberg", 3, "full", 41],
        ["Aleksandar Vucic", 5, "partial", 1],
        ["Aleksandar Vucic", 5, "partial", 6],
        ["Aleksandar Vucic", 6, "full", 40],
        ["EU leaders", 11, "partial", 5],
    ]
    text = quotes["quote"].tolist()
    assert text[0].startswith("While the situation on the ground has improved")
    assert text[0].endswith("to prevent escalation again")
    assert text[1].startswith("I call on all sides") and text[1].endswith("ready to intervene")
    assert text[2:4] == ["difficult", "do not agree almost on anything."]
    assert text[4].startswith("We have our history") and "both for...NATO" in text[4]
    assert text[5] == "commitment to the enlargement process."
    assert quotes["attribution"].tolist() == [
        "named after", "pronoun", "named before", "named before", "named after",
        "sentence subject",
    ]  # fmt: skip


def test_find_quotes_on_the_full_article_numbers_paragraphs_from_the_headline(
    article: str, body: str
) -> None:
    full = T.find_quotes(article)
    assert (full["paragraph"] - 2).tolist() == T.find_quotes(body)["paragraph"].tolist()
    # The headline's 'Ready' is in single quotes, which are not treated as quotation marks.
    assert "Ready" not in full["quote"].tolist()


def test_curly_quotes_and_inverted_attribution() -> None:
    text = "“We will not give up,” said Jane Doe, the party leader."
    assert quotes_of(text) == [("Jane Doe", "We will not give up", 1, "full")]


def test_pronoun_follows_the_last_named_speaker_across_sentences_and_paragraphs() -> None:
    text = (
        "Prime Minister Albin Kurti met reporters on Monday. Kurti said talks had failed.\n\n"
        "“We tried everything,” he said. He then left with Serbian envoy Petar Petkovic."
    )
    # Petkovic is named later, but not as a speaker, so "he" is still Kurti.
    assert quotes_of(text) == [("Albin Kurti", "We tried everything", 2, "full")]


def test_pronoun_without_a_named_speaker_gives_none() -> None:
    text = 'Talks resumed on Monday.\n\n"We tried everything," he said.'
    assert quotes_of(text) == [(None, "We tried everything", 2, "full")]


def test_partial_quotes_take_the_subject_of_the_speech_verb() -> None:
    text = 'Mr. Smith said the plan was "dead on arrival" and a "farce."'
    assert quotes_of(text) == [
        ("Smith", "dead on arrival", 1, "partial"),
        ("Smith", "farce.", 1, "partial"),
    ]


def test_scare_quotes_without_a_speech_verb_have_no_speaker() -> None:
    assert quotes_of('The so-called "reforms" were never carried out.') == [
        (None, "reforms", 1, "partial")
    ]


def test_collective_speakers_are_kept_as_written() -> None:
    text = (
        'Officials said the talks were "constructive."\n\n'
        "The ministry called the plan “historic.”\n\n"
        '"We remain committed," it said.'
    )
    assert quotes_of(text) == [
        ("officials", "constructive.", 1, "partial"),
        ("the ministry", "historic.", 2, "partial"),
        ("the ministry", "We remain committed", 3, "full"),
    ]


def test_names_are_reported_at_their_fullest_without_titles() -> None:
    text = (
        "U.S. Secretary of State Antony Blinken met NATO chief Jens Stoltenberg.\n\n"
        '"The deal is close," Blinken said.\n\n'
        '"We agree," said Stoltenberg.\n\n'
        'According to Ursula von der Leyen, the offer is "final."'
    )
    assert [q[0] for q in quotes_of(text)] == [
        "Antony Blinken",
        "Jens Stoltenberg",
        "Ursula von der Leyen",
    ]


def test_quote_spanning_two_paragraphs_is_one_quote() -> None:
    straight = (
        'Jane Smith, the mayor, warned: "We will not give up.\n\n'
        '"We will fight on," she said.\n\nThe meeting ended.'
    )
    curly = straight.replace(': "', ": “").replace('\n\n"', "\n\n“").replace(',"', ",”")
    for text in (straight, curly):
        assert quotes_of(text) == [
            ("Jane Smith", "We will not give up. We will fight on", 1, "full")
        ]


def test_interrupted_quote_is_joined() -> None:
    text = (
        'Serbian President Aleksandar Vucic said: "Ready."\n\n'
        '"We will talk," he said, "and listen."'
    )
    found = T.find_quotes(text)
    assert found["quote"].tolist() == ["Ready.", "We will talk and listen."]
    assert found["speaker"].tolist() == ["Aleksandar Vucic", "Aleksandar Vucic"]
    assert found["words"].tolist() == [1, 5]


def test_unattributed_quote_paragraph_continues_the_previous_speaker() -> None:
    text = '"First point," Jens Stoltenberg said.\n\n"Second point, made at length."'
    found = T.find_quotes(text)
    assert found["speaker"].tolist() == ["Jens Stoltenberg", "Jens Stoltenberg"]
    assert found["attribution"].tolist() == ["named after", "continued"]


def test_scare_quote_opening_a_sentence_is_partial_and_not_continued() -> None:
    text = '"We are ready," Jens Stoltenberg said.\n\n"Reforms" are needed, critics argue.'
    assert quotes_of(text) == [
        ("Jens Stoltenberg", "We are ready", 1, "full"),
        (None, "Reforms", 2, "partial"),
    ]


def test_speaker_named_in_apposition_or_in_an_earlier_sentence() -> None:
    text = (
        'Kosovo\'s prime minister, Albin Kurti, said Serbia was "destabilizing" the region.\n\n'
        'Josep Borrell spoke next. He said the plan "would not work."'
    )
    assert quotes_of(text) == [
        ("Albin Kurti", "destabilizing", 1, "partial"),
        ("Josep Borrell", "would not work.", 2, "partial"),
    ]


def test_unicode_speaker_names() -> None:
    text = "Serbian President Aleksandar Vučić spoke.\n\n“Priština must act,” Vučić said."
    assert quotes_of(text) == [("Aleksandar Vučić", "Priština must act", 2, "full")]


def test_find_quotes_without_quotes_is_empty_with_columns() -> None:
    for text in ("", "No quotation here.", "NATO Forces 'Ready'", '""  "..."'):
        found = T.find_quotes(text)
        assert found.empty
        assert list(found.columns) == [
            "speaker", "quote", "paragraph", "kind", "words", "attribution",
        ]  # fmt: skip


# ------------------------------------------------------------------------------- quote_share


def test_quote_share_on_the_article(body: str) -> None:
    share = T.quote_share(T.find_quotes(body))
    assert list(share.columns) == ["speaker", "quotes", "words", "share"]
    assert share[["speaker", "quotes", "words"]].values.tolist() == [
        ["Jens Stoltenberg", 2, 66],
        ["Aleksandar Vucic", 3, 47],
        ["EU leaders", 1, 5],
    ]
    assert share["share"].sum() == pytest.approx(1.0)


def test_quote_share_counts_unattributed_quotes_and_validates_input() -> None:
    quotes = pd.DataFrame({"speaker": ["A", None, "A"], "words": [2, 6, 2]})
    share = T.quote_share(quotes)
    assert share.values.tolist() == [["(no speaker)", 1, 6, 0.6], ["A", 2, 4, 0.4]]
    assert T.quote_share(T.find_quotes("")).empty
    with pytest.raises(TypeError, match="quotes"):
        T.quote_share([("A", 3)])
    with pytest.raises(ValueError, match="words"):
        T.quote_share(pd.DataFrame({"speaker": ["A"]}))
    with pytest.raises(ValueError, match="words"):
        T.quote_share(pd.DataFrame({"speaker": ["A"], "words": ["many"]}))


# ----------------------------------------------------------------------------- modal_phrases


def test_modal_phrases_on_the_article(article: str) -> None:
    counts = T.modal_phrases(article)
    assert list(counts.columns) == ["phrase", "count"]
    assert len(counts) == len(T.HEDGES)
    found = dict(zip(counts["phrase"], counts["count"], strict=True))
    assert found["ready to"] == 2
    assert found["seen as"] == found["aiming to"] == found["should"] == 1
    assert found["might"] == 0
    assert counts["count"].tolist() == sorted(counts["count"], reverse=True)


def test_modal_phrases_custom_list_whole_words_and_case() -> None:
    text = "Should we? We should. Shoulder the load; ready\nto go; not ready, to go."
    counts = T.modal_phrases(text, ["should", "ready to", "Should"])
    assert counts.values.tolist() == [["should", 2], ["ready to", 1]]
    with pytest.raises(TypeError, match="phrases"):
        T.modal_phrases(text, "should")
    with pytest.raises(ValueError, match="phrases"):
        T.modal_phrases(text, ["should", " "])


# ------------------------------------------------------------------------------- bad input

TEXT_FUNCTIONS = [
    T.paragraphs,
    T.sentences,
    T.tokens,
    T.word_frequencies,
    T.find_quotes,
    T.modal_phrases,
    lambda text: T.kwic(text, "x"),
]


@pytest.mark.parametrize("function", TEXT_FUNCTIONS)
@pytest.mark.parametrize("value", [3, None, b"bytes", ["a list"]])
def test_non_string_text_raises_type_error_naming_text(function, value) -> None:
    with pytest.raises(TypeError, match=r"text must be a str, got \w+"):
        function(value)


def test_bad_options_raise_errors_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="top"):
        T.word_frequencies("a b", top=-1)
    with pytest.raises(TypeError, match="top"):
        T.word_frequencies("a b", top=True)
    with pytest.raises(TypeError, match="stopwords"):
        T.word_frequencies("a b", stopwords="the")
    with pytest.raises(TypeError, match="stopwords"):
        T.word_frequencies("a b", stopwords=[1, 2])
    with pytest.raises(TypeError, match="lower"):
        T.tokens("a b", lower="no")


# ------------------------------------------------------------------------- import and speed


def test_import_does_not_load_plotting_or_widgets() -> None:
    code = (
        "import sys, course.text; "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "sys.exit(str(bad) if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# Speed is measured in benchmarks/text.py. These tests count work instead (interpreter events,
# see tests/work_counter.py), which is the same on every machine and under any load; the
# timeouts only stop a run that has stopped making progress.

NEWS_FUNCTIONS = {
    "paragraphs": T.paragraphs,
    "sentences": T.sentences,
    "tokens": T.tokens,
    "word_frequencies": T.word_frequencies,
    "find_quotes": T.find_quotes,
    "modal_phrases": T.modal_phrases,
    "kwic": lambda text: T.kwic(text, "Kosovo"),
    "kwic-prefix": lambda text: T.kwic(text, "a", whole_word=False),
}


def _size(result: object) -> list[int] | int:
    """What must scale with the input: row counts, and the count column where there is one."""
    if isinstance(result, pd.DataFrame) and "count" in result.columns:
        return result["count"].tolist()
    return len(result)  # type: ignore[arg-type]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("function", NEWS_FUNCTIONS.values(), ids=NEWS_FUNCTIONS.keys())
def test_a_megabyte_of_news_text_gives_the_article_results_repeated(article: str, function) -> None:
    copies = 1_000_000 // len(article)
    one, many = _size(function(article)), _size(function((article + "\n\n") * copies))
    if isinstance(one, list):
        assert many == [copies * count for count in one]
    else:
        assert many == copies * one


@pytest.mark.timeout(300)
@pytest.mark.parametrize("function", NEWS_FUNCTIONS.values(), ids=NEWS_FUNCTIONS.keys())
def test_work_on_news_text_grows_linearly(article: str, function) -> None:
    measured = growth(function, lambda n: (article + "\n\n") * n, 8)
    assert measured.is_linear(), measured


PATHOLOGICAL = {
    "dots": lambda n: "." * n,
    "quote-marks": lambda n: '"' * n,
    "dotted": lambda n: "a.b" * (n // 3) + "cc",
    "digits": lambda n: "1," * (n // 2) + "x",
    "blank-lines": lambda n: "\n \n" * (n // 3),
}
PATHOLOGICAL_FUNCTIONS = {
    "sentences": T.sentences,
    "tokens": T.tokens,
    "find_quotes": T.find_quotes,
    "modal_phrases": T.modal_phrases,
    "kwic-prefix": lambda text: T.kwic(text, "a.b", whole_word=False),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("function", PATHOLOGICAL_FUNCTIONS.values(),
                         ids=PATHOLOGICAL_FUNCTIONS.keys())
@pytest.mark.parametrize("make_input", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_work_on_pathological_inputs_grows_linearly(make_input, function) -> None:
    # Each input once made the library quadratic; 20 000 characters are enough to see growth.
    measured = growth(function, make_input, 20_000)
    assert measured.is_linear(), measured


def _quadratic(text: str) -> int:
    """Compares every sampled character with every other: quadratic work, for the test below."""
    sample = text[::50]
    return sum(1 for a in sample for b in sample if a == b)


def test_the_work_count_tells_linear_from_quadratic() -> None:
    # The measure behind the tests above could fail: quadratic work is caught, linear passes.
    quadratic = growth(_quadratic, lambda n: "." * n, 4_000)
    assert not quadratic.is_linear() and 3.5 < quadratic.ratio < 4.5, quadratic
    linear = growth(T.sentences, lambda n: "One. Two. " * n, 200)
    assert linear.is_linear() and 1.8 < linear.ratio < 2.2, linear


def test_fold_accents_is_the_one_name_folding():
    """Names compare without case, accents or extra spaces; the checks and the briefing use it."""
    import course.briefing
    import course.checks.briefing
    from course.checks.core import surname_key
    from course.text import fold_accents

    assert fold_accents("  Aleksandar  VUČIĆ ") == "aleksandar vucic"
    assert fold_accents("Lajčák") == fold_accents("Lajcak")
    assert fold_accents("Вучић") == "вучић"  # Cyrillic has no accents to drop: kept, folded
    assert surname_key("Aleksandar Vučić") == "vucic"
    with pytest.raises(TypeError, match="text"):
        fold_accents(None)
    assert not hasattr(course.briefing, "_fold")
    assert not hasattr(course.checks.briefing, "_raw_fold")
