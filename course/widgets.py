"""Interactive explorers (ipywidgets 8) for the article text and the events table.

Each function returns a widget box; make it the last expression of a cell to display it. While
nbgrader grades or validates a notebook (it sets ``NBGRADER_EXECUTION``), each function returns a
short text note instead and builds no widgets, so interactive cells never slow down or break
grading.

The inner controls are attributes of the returned box (``box.keyword.value = "NATO"``), and the
boxes carry CSS classes (``kwic-explorer``, ``period-explorer``, ``frequency-explorer``, with the
tables in ``kwic-results``, ``period-results``, ``frequency-results``) for browser tests.
"""

from __future__ import annotations

import html
import importlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import ipywidgets

__all__ = [
    "GRADING_ENV",
    "GradingNote",
    "frequency_explorer",
    "is_grading",
    "kwic_explorer",
    "period_explorer",
]

GRADING_ENV = "NBGRADER_EXECUTION"
_MAX_ROWS = 200


class GradingNote:
    """Stands in for a widget while nbgrader grades: shows one line of text, holds no widgets."""

    def __init__(self, name: str) -> None:
        self.message = f"({name} is interactive; it is skipped while grading)"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.message)


def is_grading() -> bool:
    """Return True while nbgrader autogrades or validates (``NBGRADER_EXECUTION`` is set)."""
    return bool(os.environ.get(GRADING_ENV, "").strip())


# --------------------------------------------------------------------------- shared helpers


def _cell(value: object) -> str:
    """Escape one table cell: every value shown is data, never markup."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _table(
    css_class: str, headers: Sequence[str], rows: Sequence[Sequence[str]], styles: Sequence[str]
) -> str:
    """Build an HTML table from already-escaped cells, one inline style per column."""
    head = "".join(
        f'<th style="{style}">{html.escape(h)}</th>'
        for h, style in zip(headers, styles, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="{style}">{c}</td>' for c, style in zip(row, styles, strict=True))
        + "</tr>"
        for row in rows[:_MAX_ROWS]
    )
    more = (
        f"<p>Showing the first {_MAX_ROWS} of {len(rows)} rows.</p>"
        if len(rows) > _MAX_ROWS
        else ""
    )
    return (
        f'<table class="{css_class}" style="border-collapse: collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _expose(box: ipywidgets.Box, **parts: Any) -> None:
    """Attach inner widgets to the box for tests and curious students, never shadowing a trait."""
    for name, part in parts.items():
        if hasattr(box, name):
            raise AttributeError(f"{type(box).__name__} already has an attribute {name!r}")
        setattr(box, name, part)


def _watch(controls: Sequence[ipywidgets.Widget], refresh: Callable[..., None]) -> None:
    for control in controls:
        control.observe(refresh, names="value")


def _require_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{name} must not be empty")
    return text


def _require_int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


# --------------------------------------------------------------------------- KWIC


def _kwic_rows(table: pd.DataFrame) -> list[list[str]]:
    return [
        [
            _cell(row["paragraph"]),
            _cell(row["left"]),
            f"<mark>{_cell(row['match'])}</mark>",
            _cell(row["right"]),
        ]
        for _, row in table.iterrows()
    ]


def kwic_explorer(
    text: str, *, keyword: str = "escalation", width: int = 40
) -> ipywidgets.VBox | GradingNote:
    """Search ``text`` for a keyword as you type and show each match in context (KWIC)."""
    if is_grading():
        return GradingNote("KWIC explorer")
    text = _require_text(text)
    if not isinstance(keyword, str):
        raise TypeError(f"keyword must be a string, got {type(keyword).__name__}")
    width = _require_int(width, "width", 10, 120)

    import ipywidgets as w

    # Looked up through importlib (not a from-import) so tests can substitute the module.
    text_tools = importlib.import_module("course.text")

    keyword_box = w.Text(
        value=keyword,
        description="Keyword",
        placeholder="type a word",
        continuous_update=True,  # the table follows the student's typing
    )
    context = w.IntSlider(
        value=width, min=10, max=120, step=5, description="Context", continuous_update=True
    )
    whole_word = w.Checkbox(value=True, description="Whole word", indent=False)
    summary = w.HTML()
    summary.add_class("kwic-summary")
    results = w.HTML()
    results.add_class("kwic-results")
    box = w.VBox([w.HBox([keyword_box, context, whole_word]), summary, results])
    box.add_class("kwic-explorer")

    def refresh(_change: object = None) -> None:
        word = keyword_box.value.strip()
        if not word:
            summary.value = "Type a keyword to search."
            results.value = ""
            return
        try:
            table = text_tools.kwic(text, word, width=context.value, whole_word=whole_word.value)
        except (TypeError, ValueError) as error:
            # A widget callback's exception would vanish into the browser console; show it.
            summary.value = _cell(f"Cannot search for {word!r}: {error}")
            results.value = ""
            return
        paragraphs = table["paragraph"].nunique()
        summary.value = (
            f"{_plural(len(table), 'match', 'matches')} in {_plural(paragraphs, 'paragraph')}"
        )
        results.value = _table(
            "kwic-table",
            ["¶", "left context", "match", "right context"],
            _kwic_rows(table),
            [
                "text-align: right",
                "text-align: right; font-family: monospace; white-space: pre",
                "text-align: center; font-family: monospace; white-space: pre",
                "text-align: left; font-family: monospace; white-space: pre",
            ],
        )

    _watch([keyword_box, context, whole_word], refresh)
    refresh()
    _expose(
        box,
        keyword=keyword_box,
        context=context,
        whole_word=whole_word,
        summary=summary,
        results=results,
        refresh=refresh,
    )
    return box


# --------------------------------------------------------------------------- events by period


def period_explorer(
    events: pd.DataFrame, *, years: tuple[int, int] | None = None
) -> ipywidgets.VBox | GradingNote:
    """Pick a range of years and categories and list the events in it (with a count)."""
    if is_grading():
        return GradingNote("Period explorer")

    from course import timeline

    timeline._require_columns(events, ["date", "title", "category"])
    if events.empty:
        raise ValueError("events is empty: there is nothing to explore")
    dates = timeline._dates(events, "date")
    first_year, last_year = int(dates.min().year), int(dates.max().year)
    if years is None:
        years = (first_year, last_year)
    if (
        not isinstance(years, tuple | list)
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        raise TypeError(f"years must be a pair of whole years like (1999, 2022), got {years!r}")
    low, high = sorted(years)
    if low < first_year or high > last_year:
        raise ValueError(f"years must lie within the events' years {first_year}..{last_year}")
    present = events["category"].dropna().astype(str).str.lower().unique().tolist()
    options = sorted(present, key=lambda c: (timeline._rank(c), c))

    import ipywidgets as w

    year_range = w.IntRangeSlider(
        value=(low, high),
        min=first_year,
        max=last_year,
        step=1,
        description="Years",
        continuous_update=True,
        layout=w.Layout(width="32em"),
    )
    categories = w.SelectMultiple(
        options=options, value=tuple(options), rows=len(options), description="Categories"
    )
    in_article = w.Checkbox(
        value=False,
        description="Only events the article mentions",
        indent=False,
        disabled="in_article" not in events.columns,
    )
    summary = w.HTML()
    summary.add_class("period-summary")
    results = w.HTML()
    results.add_class("period-results")
    box = w.VBox([w.HBox([year_range, categories, in_article]), summary, results])
    box.add_class("period-explorer")

    def refresh(_change: object = None) -> None:
        start, end = year_range.value
        chosen = list(categories.value)
        if not chosen:
            summary.value = "Select at least one category."
            results.value = ""
            return
        # overlap=True: a process that began earlier (the dialogue since 2011) still belongs here.
        shown = timeline.between(events, start, end, overlap=True)
        shown = timeline.in_category(shown, *chosen)
        if in_article.value and "in_article" in events.columns:
            shown = timeline.mentioned_in_article(shown)
        n = len(shown)
        precisions = shown["precision"].tolist() if "precision" in shown.columns else [None] * n
        flags = shown["in_article"].tolist() if "in_article" in shown.columns else [False] * n
        stamps = timeline._dates(shown, "date")
        # Rows dated before the range are there because they were still running in it (a term
        # of office, a process); say so, or they look like a filtering mistake.
        earlier = (stamps < pd.Timestamp(year=start, month=1, day=1)).tolist()
        rows = [
            [
                _cell(("← " if early else "") + timeline.format_when(stamp, precision)),
                _cell(title),
                _cell(category),
                "✓" if not pd.isna(flag) and bool(flag) else "",
            ]
            for stamp, precision, title, category, flag, early in zip(
                stamps,
                precisions,
                shown["title"],
                shown["category"],
                flags,
                earlier,
                strict=True,
            )
        ]
        began = sum(earlier)
        summary.value = _cell(
            f"{_plural(len(shown), 'event')} from {start} to {end} in "
            f"{_plural(len(chosen), 'category', 'categories')}"
            + (f"; {began} marked ← began before {start} and {'was' if began == 1 else 'were'} "
               "still running in it" if began else "")
        )
        results.value = _table(
            "period-table",
            ["date", "event", "category", "in article"],
            rows,
            ["white-space: nowrap", "text-align: left", "text-align: left", "text-align: center"],
        )

    _watch([year_range, categories, in_article], refresh)
    refresh()
    _expose(
        box,
        years=year_range,
        categories=categories,
        in_article=in_article,
        summary=summary,
        results=results,
        refresh=refresh,
    )
    return box


# --------------------------------------------------------------------------- word frequencies


def frequency_explorer(text: str, *, top: int = 10) -> ipywidgets.VBox | GradingNote:
    """Show the most frequent words of ``text``, with or without stopwords."""
    if is_grading():
        return GradingNote("Word frequency explorer")
    text = _require_text(text)
    top = _require_int(top, "top", 1, 50)

    import ipywidgets as w

    text_tools = importlib.import_module("course.text")

    top_n = w.IntSlider(value=top, min=1, max=50, step=1, description="Top N")
    stopwords = w.Checkbox(value=True, description="Leave out stopwords", indent=False)
    summary = w.HTML()
    summary.add_class("frequency-summary")
    results = w.HTML()
    results.add_class("frequency-results")
    box = w.VBox([w.HBox([top_n, stopwords]), summary, results])
    box.add_class("frequency-explorer")

    def refresh(_change: object = None) -> None:
        words = text_tools.STOPWORDS if stopwords.value else frozenset()
        table = text_tools.word_frequencies(text, stopwords=words)
        shown = table.head(top_n.value)
        rows = [
            [str(rank), _cell(row["word"]), _cell(row["count"]), _cell(f"{row['share']:.1%}")]
            for rank, (_, row) in enumerate(shown.iterrows(), start=1)
        ]
        summary.value = (
            f"Top {len(shown)} of {_plural(len(table), 'distinct word')}"
            f"{' (stopwords left out)' if stopwords.value else ''}"
        )
        results.value = _table(
            "frequency-table",
            ["rank", "word", "count", "share"],
            rows,
            ["text-align: right", "text-align: left", "text-align: right", "text-align: right"],
        )

    _watch([top_n, stopwords], refresh)
    refresh()
    _expose(box, top=top_n, stopwords=stopwords, summary=summary, results=results, refresh=refresh)
    return box
