"""course.widgets: explorers follow their controls, escape data and stand down while grading."""

from __future__ import annotations

import re
import subprocess
import sys
import types

import pandas as pd
import pytest

from course import widgets

TEXT = (
    "Stoltenberg warned against escalation in the north.\n\n"
    "Vucic said <script>alert('x')</script> the talks would be difficult.\n\n"
    "Both sides want to avoid escalation, and escalating rhetoric, the EU said."
)


def fake_text_module() -> types.ModuleType:
    """A tiny stand-in for course.text, so these tests pin down the widgets' own behaviour."""
    module = types.ModuleType("course.text")
    module.STOPWORDS = frozenset({"the", "and", "to", "in", "said", "would", "be"})

    def split(text: str) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]

    def kwic(text, keyword, width=40, *, whole_word=True):
        if keyword == "bad<word>":
            raise ValueError("keyword <bad> is not allowed")
        pattern = re.escape(keyword) + (r"\b" if whole_word else r"\w*")
        rows = [
            (
                number,
                p[max(0, m.start() - width) : m.start()],
                m.group(),
                p[m.end() : m.end() + width],
            )
            for number, p in enumerate(split(text), start=1)
            for m in re.finditer(r"\b" + pattern, p, flags=re.IGNORECASE)
        ]
        return pd.DataFrame(rows, columns=["paragraph", "left", "match", "right"])

    def word_frequencies(text, stopwords=module.STOPWORDS, *, top=None):
        words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in (stopwords or ())]
        counts = pd.Series(words, dtype=str).value_counts()
        counts = counts.rename_axis("word").reset_index(name="count")
        counts = counts.sort_values(["count", "word"], ascending=[False, True], ignore_index=True)
        counts["share"] = counts["count"] / counts["count"].sum()
        return counts if top is None else counts.head(top)

    module.kwic = kwic
    module.word_frequencies = word_frequencies
    return module


@pytest.fixture
def fake_text(monkeypatch):
    monkeypatch.delenv(widgets.GRADING_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "course.text", fake_text_module())


@pytest.fixture
def interactive(monkeypatch):
    monkeypatch.delenv(widgets.GRADING_ENV, raising=False)


def make_events() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": ["battle", "war", "independence", "dialogue", "press", "xss"],
            "date": pd.to_datetime(
                ["1389-06-28", "1998-02-28", "2008-02-17", "2011-03-08", "2022-08-17", "2022-06-01"]
            ),
            "end_date": pd.to_datetime([None, "1999-06-11", None, None, None, None]),
            "precision": ["day", "day", "day", "day", "day", "month"],
            "title": [
                "Battle of Kosovo",
                "Kosovo War",
                "Kosovo declares independence",
                "EU-led dialogue begins",
                "Stoltenberg and Vucic in Brussels",
                "<script>alert(1)</script> & co",
            ],
            "category": ["history", "conflict", "law", "diplomacy", "security", "diplomacy"],
            "in_article": [False, False, True, True, True, False],
        }
    )
    return frame


def body_rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


# --------------------------------------------------------------------------- grading mode


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_grading_mode_builds_no_widgets(monkeypatch, mode):
    import ipywidgets.widgets.widget as widget_module

    monkeypatch.setenv(widgets.GRADING_ENV, mode)
    before = len(widget_module._instances)  # ipywidgets 8 registry of every live widget
    notes = [
        widgets.kwic_explorer(TEXT),
        widgets.period_explorer(make_events()),
        widgets.frequency_explorer(TEXT),
        # Even a bad call must not break grading.
        widgets.kwic_explorer(None),  # type: ignore[arg-type]
    ]
    assert len(widget_module._instances) == before
    for note in notes:
        assert isinstance(note, widgets.GradingNote)
        assert "skipped while grading" in repr(note)
    assert repr(notes[0]) == "(KWIC explorer is interactive; it is skipped while grading)"


def test_grading_mode_does_not_even_import_ipywidgets():
    code = (
        "import os, sys; os.environ['NBGRADER_EXECUTION'] = 'autograde'\n"
        "from course import widgets\n"
        "note = widgets.kwic_explorer('escalation again')\n"
        "widgets.period_explorer(None); widgets.frequency_explorer('x')\n"
        "print(repr(note)); print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "(KWIC explorer is interactive; it is skipped while grading)"
    assert lines[1] == "False False"


def test_grading_note_pretty_print(monkeypatch):
    from IPython.lib.pretty import pretty

    monkeypatch.setenv(widgets.GRADING_ENV, "autograde")
    note = widgets.frequency_explorer(TEXT)
    assert pretty(note) == str(note) == note.message
    assert "Word frequency explorer" in pretty(note)


def test_is_grading_reads_the_environment(monkeypatch):
    monkeypatch.delenv(widgets.GRADING_ENV, raising=False)
    assert not widgets.is_grading()
    monkeypatch.setenv(widgets.GRADING_ENV, "")
    assert not widgets.is_grading()
    monkeypatch.setenv(widgets.GRADING_ENV, "autograde")
    assert widgets.is_grading()


# --------------------------------------------------------------------------- KWIC explorer


def test_kwic_explorer_structure(fake_text):
    import ipywidgets

    box = widgets.kwic_explorer(TEXT)
    assert isinstance(box, ipywidgets.VBox)
    assert "kwic-explorer" in box._dom_classes
    assert "kwic-results" in box.results._dom_classes
    assert box.keyword.description == "Keyword"
    assert box.keyword.continuous_update is True
    assert box.context.description and box.whole_word.description == "Whole word"
    assert box.keyword.value == "escalation" and box.context.value == 40


def test_kwic_explorer_updates_as_the_keyword_changes(fake_text):
    box = widgets.kwic_explorer(TEXT)
    assert box.summary.value == "2 matches in 2 paragraphs"
    assert body_rows(box.results.value) == 2
    before = box.results.value
    box.keyword.value = "talks"
    assert box.summary.value == "1 match in 1 paragraph"
    assert "talks" in box.results.value and box.results.value != before


def test_kwic_explorer_whole_word_and_width(fake_text):
    box = widgets.kwic_explorer(TEXT, keyword="escalat")
    assert box.summary.value.startswith("0 matches")
    box.whole_word.value = False
    assert box.summary.value == "3 matches in 2 paragraphs"
    wide = box.results.value
    box.context.value = 10
    assert len(box.results.value) < len(wide)


def test_kwic_explorer_escapes_the_text(fake_text):
    box = widgets.kwic_explorer(TEXT, keyword="script")
    assert "<script>" not in box.results.value
    assert "&lt;script&gt;" in box.results.value or "&lt;/" in box.results.value
    assert "<mark>script</mark>" in box.results.value


def test_kwic_explorer_handles_empty_and_bad_keywords(fake_text):
    box = widgets.kwic_explorer(TEXT)
    box.keyword.value = "   "
    assert box.summary.value == "Type a keyword to search." and box.results.value == ""
    box.keyword.value = "bad<word>"
    assert "Cannot search" in box.summary.value
    assert "<bad>" not in box.summary.value and "&lt;bad&gt;" in box.summary.value


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((3,), {}, TypeError, "text"),
        (("  ",), {}, ValueError, "text"),
        ((TEXT,), {"keyword": 5}, TypeError, "keyword"),
        ((TEXT,), {"width": 5}, ValueError, "width"),
        ((TEXT,), {"width": 40.0}, TypeError, "width"),
    ],
)
def test_kwic_explorer_validates(fake_text, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.kwic_explorer(*args, **kwargs)


# --------------------------------------------------------------------------- period explorer


def test_period_explorer_filters_by_years_and_category(interactive):
    box = widgets.period_explorer(make_events())
    assert "period-explorer" in box._dom_classes
    assert "period-results" in box.results._dom_classes
    assert (box.years.min, box.years.max) == (1389, 2022)
    assert box.summary.value.startswith("6 events from 1389 to 2022")
    box.years.value = (2008, 2022)
    assert box.summary.value.startswith("4 events from 2008 to 2022")
    assert "Battle of Kosovo" not in box.results.value
    box.categories.value = ("diplomacy",)
    assert box.summary.value == "2 events from 2008 to 2022 in 1 category"
    box.in_article.value = True
    assert box.summary.value.startswith("1 event ")
    assert "EU-led dialogue begins" in box.results.value and "✓" in box.results.value


def test_period_explorer_counts_spans_overlapping_the_years(interactive):
    box = widgets.period_explorer(make_events(), years=(1999, 1999))
    assert "Kosovo War" in box.results.value
    assert box.summary.value.startswith("1 event ")
    # The war began in 1998: the row says it began earlier, and the summary says why it is listed.
    assert "← 1998-02-28" in box.results.value
    assert box.summary.value.endswith("1 marked ← began before 1999 and was still running in it")
    box.years.value = (2008, 2022)
    assert "←" not in box.results.value and "began before" not in box.summary.value


def test_period_explorer_escapes_titles_and_handles_empty_selection(interactive):
    box = widgets.period_explorer(make_events(), years=(2022, 2022))
    assert "<script>" not in box.results.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in box.results.value
    assert "2022-06" in box.results.value  # month precision shown as a month
    box.categories.value = ()
    assert box.summary.value == "Select at least one category." and box.results.value == ""


def test_period_explorer_validates(interactive):
    with pytest.raises(TypeError, match="events"):
        widgets.period_explorer([1, 2])
    with pytest.raises(ValueError, match="'category'"):
        widgets.period_explorer(make_events().drop(columns="category"))
    with pytest.raises(ValueError, match="years"):
        widgets.period_explorer(make_events(), years=(1000, 2022))
    with pytest.raises(TypeError, match="years"):
        widgets.period_explorer(make_events(), years=(2000,))
    with pytest.raises(ValueError, match="empty"):
        widgets.period_explorer(make_events().iloc[0:0])


# --------------------------------------------------------------------------- frequency explorer


def test_frequency_explorer_top_n_and_stopwords(fake_text):
    box = widgets.frequency_explorer(TEXT, top=3)
    assert "frequency-explorer" in box._dom_classes
    assert "frequency-results" in box.results._dom_classes
    assert body_rows(box.results.value) == 3
    assert "<td" in box.results.value and ">escalation<" in box.results.value
    assert ">the<" not in box.results.value
    assert box.summary.value.endswith("(stopwords left out)")
    box.stopwords.value = False
    assert ">the<" in box.results.value
    box.top.value = 5
    assert body_rows(box.results.value) == 5
    assert box.summary.value.startswith("Top 5 of ")
    assert "%" in box.results.value and "<script>" not in box.results.value


def test_frequency_explorer_validates(fake_text):
    with pytest.raises(ValueError, match="top"):
        widgets.frequency_explorer(TEXT, top=0)
    with pytest.raises(TypeError, match="text"):
        widgets.frequency_explorer(b"bytes")


# --------------------------------------------------------------------------- with the real modules


@pytest.fixture
def article_body(interactive) -> str:
    data = pytest.importorskip("course.data")
    pytest.importorskip("course.text")
    return data.load_article().body


def test_real_kwic_explorer_on_the_article(article_body):
    from course import text

    box = widgets.kwic_explorer(article_body)
    expected = text.kwic(article_body, "escalation")
    assert len(expected) >= 1
    assert box.summary.value.startswith(f"{len(expected)} match")
    assert body_rows(box.results.value) == len(expected)
    box.keyword.value = "KFOR"
    assert body_rows(box.results.value) == len(text.kwic(article_body, "KFOR"))


def test_real_frequency_and_period_explorers(article_body):
    from course import data, text

    box = widgets.frequency_explorer(article_body)
    top = text.word_frequencies(article_body, top=10)
    assert body_rows(box.results.value) == len(top)
    assert f">{top['word'].iloc[0]}<" in box.results.value
    events = data.load_events()
    explorer = widgets.period_explorer(events, years=(2022, 2022))
    assert "Stoltenberg" in explorer.results.value or "NATO" in explorer.results.value
