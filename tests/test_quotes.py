"""Quotation attribution on short news texts written for these tests, not only on the article.

Each text is a pattern of wire copy (said/told/added/according to, before and after the quote,
continuations, pronoun follow-ups); each expectation lists (speaker, how) per quotation in order.
"""

from __future__ import annotations

import pytest

from course.text import find_quotes

WIRE_COPY = [
    # The case: a quotation continuing in the next sentence after an attribution.
    ('"We tried," Smith told reporters on Monday. "But we failed."',
     [("Smith", "named after"), ("Smith", "continued")]),
    ('"We tried," Smith told Reuters. "We failed. We will try again."',
     [("Smith", "named after"), ("Smith", "continued")]),
    ('The minister, John Smith, said the talks were over. "We tried," he said. '
     '"Nobody listened."',
     [("John Smith", "pronoun"), ("John Smith", "continued")]),
    # said / told / added, after the quote, in both orders.
    ('"It is over," said Foreign Minister Jane Doe.', [("Jane Doe", "named after")]),
    ('"We will not give up," the minister said.', [("the minister", "named after")]),
    ('"We will appeal," the ministry said in a statement.', [("the ministry", "named after")]),
    ('"The plan is dead," Smith said. "It was never alive," Jones replied.',
     [("Smith", "named after"), ("Jones", "named after")]),
    # Before the quote: said/told with a colon, and a partial quote after "that".
    ('In a statement, Doe said: "We will appeal."', [("Doe", "named before")]),
    ('Smith told reporters on Monday: "We tried." "But we failed," he added.',
     [("Smith", "named before"), ("Smith", "named before")]),
    ('Smith said on Tuesday that the talks "were going nowhere."', [("Smith", "named before")]),
    ('"It is over," Doe said in a statement, adding: "We will appeal."',
     [("Doe", "named after"), ("Doe", "named before")]),
    # according to, before and after.
    ('According to Smith, "the talks failed."', [("Smith", "named before")]),
    ('"The talks failed," according to Smith.', [("Smith", "named after")]),
    # Pronoun follow-ups resolve to the last speaker named, inside or outside quotation marks.
    ('"We tried," said Smith. Jones disagreed. "It was a sham," she added.',
     [("Smith", "named after"), ("Jones", "pronoun")]),
    ('According to Smith, the talks failed. "We tried hard," he said.', [("Smith", "pronoun")]),
    ('Foreign Minister Jane Doe spoke in Brussels.\n\n"We will appeal," she said.',
     [("Jane Doe", "pronoun")]),
    # A speaker's next paragraph continues the quotation.
    ('"The plan is dead," Smith said.\n\n"It was never alive."',
     [("Smith", "named after"), ("Smith", "continued")]),
]


@pytest.mark.parametrize(("text", "expected"), WIRE_COPY,
                         ids=[f"wire-{n}" for n in range(len(WIRE_COPY))])
def test_wire_copy_attribution(text: str, expected: list[tuple[str, str]]) -> None:
    quotes = find_quotes(text)
    assert list(zip(quotes["speaker"], quotes["attribution"], strict=True)) == expected


@pytest.mark.parametrize("text", [
    # A sentence in between breaks the chain: nothing says who said the second quotation.
    '"We tried," Smith said. Talks resumed on Tuesday. "But we failed."',
    # No speaker anywhere: scare quotes are not a speaker's words.
    'The so-called "road map" was signed. "Reforms" are needed.',
    # A pronoun with nobody named before it stays unresolved rather than guessed.
    '"We will appeal," she said.',
])
def test_no_speaker_is_guessed(text: str) -> None:
    quotes = find_quotes(text)
    assert quotes["speaker"].iloc[-1] is None


def test_a_new_speaker_ends_the_continuation() -> None:
    quotes = find_quotes('"We tried," Smith said. "It was a sham," Jones replied. "Really."')
    assert quotes["speaker"].tolist() == ["Smith", "Jones", "Jones"]
