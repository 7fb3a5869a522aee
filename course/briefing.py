"""Assemble a one-page briefing from the article and the datasets, with checkable citations.

A briefing has a title, one figure (a :class:`course.plots.Chart`), a timeline excerpt (rows of
``load_events()``, with their ``id``), three claims each with a citation, and a short text.
Citations point a reader at the evidence:

* ``"¶3"``: body paragraph 3 of the article (``load_article().paragraphs``, counted from 1);
* ``"events:<id>"``: a row of ``load_events()``, e.g. ``"events:brdo-summit"``;
* ``"countries:<country>"``, e.g. ``"countries:Kosovo"``;
* ``"people:<name>"``, e.g. ``"people:Vučić"`` (full name, native spelling or surname);
* ``"recognition:<member_state>"``, e.g. ``"recognition:Spain"`` (``"eu_recognition:Spain"``, the
  file's name, is the same citation);
* ``"glossary:<term>"``, e.g. ``"glossary:border"`` (the full term, or one side of a ``/``).

Names are matched without regard to case or accents. A citation that does not resolve raises
``ValueError`` naming it, with the closest citations that do. Nothing here imports matplotlib or
ipywidgets; the figure is rendered only when :func:`render` runs.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import html
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from course.data import (
    load_article,
    load_countries,
    load_events,
    load_glossary,
    load_people,
    load_recognition,
    load_transcripts,
)
from course.paths import dataset_path
from course.plots import Chart
from course.text import fold_accents, tokens
from course.timeline import format_when

__all__ = [
    "CITATION_KINDS",
    "citation_kind",
    "CLAIMS",
    "TIMELINE_ROWS",
    "WORD_RANGE",
    "Briefing",
    "RenderedBriefing",
    "parse_citation",
    "render",
    "resolve_citation",
    "word_count",
]

#: What a finished briefing holds: words of text (inclusive), timeline rows (inclusive), claims.
WORD_RANGE: tuple[int, int] = (200, 300)
TIMELINE_ROWS: tuple[int, int] = (4, 8)
CLAIMS: int = 3

#: The prefixes a dataset citation may have, and the table each one points into.
CITATION_KINDS: dict[str, str] = {
    "events": "events.csv",
    "countries": "countries.csv",
    "people": "people.csv",
    "recognition": "eu_recognition.csv",
    "glossary": "glossary.csv",
    "transcripts": "transcripts.csv",
}

#: Other names a student sees for a table: eu_recognition.csv is read by load_recognition(), so
#: both "eu_recognition:" and "recognition:" cite it (05 and 06 accept the same citations).
_KIND_ALIASES: dict[str, str] = {"eu_recognition": "recognition"}

PILCROW = "¶"
_PARAGRAPH = re.compile(r"^¶\s*(\d+)$")
# Forms students type when the pilcrow is not on their keyboard: "p3", "para 3", "paragraph 3".
_PARAGRAPH_LIKE = re.compile(r"^(?:p|para|paragraph|§)?\.?\s*(\d+)$", re.IGNORECASE)
_ARTICLE_DATE = pd.Timestamp("2022-08-17")


# --------------------------------------------------------------------------- matching names


def _without_parenthesis(term: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", term).strip()


def _glossary_aliases(term: str) -> list[str]:
    """A term, the term without a trailing '(...)', and each side of a ' / ' pair."""
    forms = [term, _without_parenthesis(term)]
    for part in _without_parenthesis(term).split(" / ") if " / " in term else []:
        forms.append(_without_parenthesis(part))
    return forms


def _people_aliases(name: str, native: object) -> list[str]:
    forms = [name, name.split()[-1]]
    if isinstance(native, str):
        for spelling in native.split(";"):
            spelling = spelling.strip()
            if spelling:
                forms += [spelling, spelling.split()[-1]]
    return forms


def _country_aliases(country: str) -> list[str]:
    # The article writes "Bosnia-Herzegovina"; a citation copied from it should still resolve.
    return [country, country.replace(" and ", "-")]


@dataclass(frozen=True)
class _Table:
    """One citable table: its rows by canonical key, and every accepted spelling of each key."""

    kind: str
    rows: dict[str, pd.Series]
    aliases: dict[str, str]  # folded spelling -> canonical key

    def lookup(self, key: str) -> str | None:
        return self.aliases.get(fold_accents(key))


def _table(kind: str, frame: pd.DataFrame, column: str,
           aliases: Callable[[pd.Series], list[str]]) -> _Table:
    rows = {str(row[column]): row for _, row in frame.iterrows()}
    seen: dict[str, set[str]] = {}
    for key, row in rows.items():
        for form in aliases(row):
            seen.setdefault(fold_accents(form), set()).add(key)
    # A spelling shared by two rows would be a guess, so it is accepted for neither.
    unique = {form: next(iter(keys)) for form, keys in seen.items() if len(keys) == 1}
    return _Table(kind, rows, unique)


_BUILDERS: dict[str, Callable[[], _Table]] = {
    "events": lambda: _table("events", load_events(), "id", lambda r: [r["id"]]),
    "countries": lambda: _table("countries", load_countries(), "country",
                                lambda r: _country_aliases(r["country"])),
    "people": lambda: _table("people", load_people(), "name",
                             lambda r: _people_aliases(r["name"], r["name_native"])),
    "recognition": lambda: _table("recognition", load_recognition(), "member_state",
                                  lambda r: [r["member_state"]]),
    "glossary": lambda: _table("glossary", load_glossary(), "term",
                               lambda r: _glossary_aliases(r["term"])),
    "transcripts": lambda: _table("transcripts", load_transcripts(), "id", lambda r: [r["id"]]),
}


@functools.lru_cache(maxsize=16)
def _cached_table(kind: str, stamp: tuple[int, int]) -> _Table:
    return _BUILDERS[kind]()


def _table_for(kind: str) -> _Table:
    # Keyed on the file's size and mtime, so an edited data file is re-read, never served stale.
    stat = dataset_path(CITATION_KINDS[kind]).stat()
    return _cached_table(kind, (stat.st_mtime_ns, stat.st_size))


def _suggest(wanted: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(wanted, choices, n=3, cutoff=0.5)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


# --------------------------------------------------------------------------- citations


def citation_kind(name: str) -> str:
    """The table a citation's prefix names: 'events', 'Events', 'events.csv' or 'eu_recognition'.

    Returns a key of CITATION_KINDS; raises ValueError naming ``name`` (with the closest table
    names) when it names no citable table, TypeError when it is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a table name such as 'events', got {type(name).__name__}")
    kind = "_".join(fold_accents(name).removesuffix(".csv").split())
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in CITATION_KINDS:
        raise ValueError(
            f"table name {name.strip()!r} is not a table you can cite; use one of "
            f"{', '.join(CITATION_KINDS)}.{_suggest(kind, list(CITATION_KINDS))}"
        )
    return kind


def _paragraph_number(digits: str) -> int | None:
    """The number a run of digits spells, or None when it is too long to be a paragraph."""
    # int() refuses strings of more than 4300 digits with a ValueError that names no argument.
    return int(digits) if len(digits) <= 9 else None


def parse_citation(cite: str) -> tuple[str, str]:
    """Return ``(kind, key)`` for a citation: ``("article", "3")`` or ``("events", "<id>")``."""
    if not isinstance(cite, str):
        raise TypeError(
            f"cite must be a string such as '¶3' or 'events:brdo-summit', got "
            f"{type(cite).__name__}: {cite!r}"
        )
    text = unicodedata.normalize("NFC", cite).strip()
    if not text:
        raise ValueError("cite must not be empty: write '¶3' or 'events:<id>'")
    count = len(load_article().paragraphs)
    paragraph = _PARAGRAPH.match(text)
    if paragraph:
        n = _paragraph_number(paragraph.group(1))
        if n is None or not 1 <= n <= count:
            raise ValueError(
                f"cite {cite!r}: the article's body paragraphs are ¶1 to ¶{count} "
                "(the headline and the caption are not numbered)"
            )
        return "article", str(n)
    loose = _PARAGRAPH_LIKE.match(text)
    if loose:
        n = _paragraph_number(loose.group(1))
        meant = loose.group(1) if n is None else n
        raise ValueError(
            f"cite {cite!r} is not a citation yet. Did you mean '¶{meant}'? "
            "Paragraphs are cited with the pilcrow sign: copy it, or write f'¶{n}'."
        )
    if ":" not in text:
        raise ValueError(
            f"cite {cite!r} is not a citation: write '¶<number>' for the article or "
            f"'<table>:<row>' for a dataset, with <table> one of {', '.join(CITATION_KINDS)}"
        )
    kind, key = (part.strip() for part in text.split(":", 1))
    try:
        kind = citation_kind(kind)
    except ValueError as error:
        raise ValueError(f"cite {cite!r}: {error}") from None
    if not key:
        raise ValueError(f"cite {cite!r} names the table {kind!r} but no row after the colon")
    table = _table_for(kind)
    canonical = table.lookup(key)
    if canonical is None:
        choices = [f"{kind}:{k}" for k in table.rows]
        raise ValueError(
            f"cite {cite!r}: {CITATION_KINDS[kind]} has no row {key!r}."
            f"{_suggest(f'{kind}:{key}', choices)}"
        )
    return kind, canonical


def _present(value: object) -> bool:
    return not (value is None or (not isinstance(value, str) and pd.isna(value)))


def _describe(kind: str, row: pd.Series) -> str:
    """One line saying what a dataset row records, ending with its table and confidence."""
    if kind == "events":
        when = format_when(row["date"], row["precision"])
        if _present(row["end_date"]):
            when += f" to {format_when(row['end_date'], row['precision'])}"
        line = f"{row['title']} ({when}): {row['description']}"
    elif kind == "countries":
        note = row["population_note"].rstrip(".")
        applied = format_when(row["eu_applied"], row["eu_applied_precision"])
        line = (
            f"{row['country']}: capital {row['capital']}; population {row['population']:,} in "
            f"{row['population_year']} ({note}); applied to join the EU {applied}; EU status on "
            f"17 August 2022: {row['status_2022_08_17']}; latest, from "
            f"{row['status_latest_date']:%Y-%m-%d}: {row['status_latest']}."
        )
    elif kind == "people":
        term = f"from {row['role_start']:%Y-%m-%d}"
        if _present(row["role_end"]):
            term += f" to {row['role_end']:%Y-%m-%d}"
        if row["quoted_in_article"]:
            voice = "Named and quoted in the article."
        elif row["named_in_article"]:
            voice = "Named in the article, not quoted."
        else:
            voice = "Not named in the article."
        native = row["name_native"]
        spelled = f" ({native})" if _present(native) and native != row["name"] else ""
        line = (
            f"{row['name']}{spelled}: {row['role_at_article_date']}, "
            f"{row['organisation_or_country']}, {term}. {voice}"
        )
    elif kind == "recognition":
        if row["recognises_kosovo"]:
            line = f"{row['member_state']} (EU member state) recognises Kosovo."
        else:
            official, reported = row["official_reason"], row["reported_reason"]
            why = f" Official reason: {official}." if _present(official) else ""
            if _present(reported):
                why += f" Reported explanation ({row['reported_by']}): {reported}."
            line = f"{row['member_state']} (EU member state) does not recognise Kosovo.{why}"
    elif kind == "transcripts":
        if row["kind"] == "reported":  # a paraphrase in translation: never shown as a quotation
            line = f"{row['document']}: {row['speaker']}, as reported: {row['text']}"
        else:
            line = f"{row['document']}: {row['speaker']}: \"{row['text']}\""
    else:
        line = f"{row['term']}: {row['definition']}"
        if _present(row["local_names"]):
            line += f" Local names: {row['local_names']}."
        if _present(row["framing"]):
            line += f" Framing: {row['framing']}"
    # Transcript rows carry their kind (transcript, wire, reported) where other tables carry a
    # confidence: both say how far the line can be trusted as a record of what happened.
    trust = row["kind"] if kind == "transcripts" else row["confidence"]
    return f"{line} [{CITATION_KINDS[kind]}, {trust}]"


def resolve_citation(cite: str) -> str:
    """Return what a citation points to: the paragraph's text, or a line describing the row."""
    kind, key = parse_citation(cite)
    if kind == "article":
        return load_article().paragraph(int(key))
    return _describe(kind, _table_for(kind).rows[key])


def _canonical(cite: str) -> str:
    kind, key = parse_citation(cite)
    return f"{PILCROW}{key}" if kind == "article" else f"{kind}:{key}"


# --------------------------------------------------------------------------- the briefing


def word_count(text: str) -> int:
    """Count the word tokens of ``text`` the way the whole course does (course.text.tokens)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return len(tokens(text))


def _claim_pairs(claims: object) -> list[tuple[str, str]]:
    if isinstance(claims, str | bytes | dict) or not isinstance(claims, list | tuple):
        raise TypeError(
            f"claims must be a list of (claim, cite) pairs, got {type(claims).__name__}"
        )
    pairs = []
    for number, item in enumerate(claims, start=1):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(f"claims item {number} must be a pair (claim, cite), got {item!r}")
        claim, cite = item
        if not isinstance(claim, str) or not isinstance(cite, str):
            raise TypeError(f"claims item {number} must hold two strings (claim, cite)")
        pairs.append((claim, cite))
    return pairs


@dataclass
class Briefing:
    """A one-page briefing: title, figure, timeline excerpt, three cited claims and a text."""

    title: str
    figure: Chart
    timeline: pd.DataFrame
    claims: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.title, str):
            raise TypeError(f"title must be a str, got {type(self.title).__name__}")
        if not self.title.strip():
            raise ValueError("title must not be empty")
        if not isinstance(self.figure, Chart):
            raise TypeError(
                "figure must be a Chart from course.plots or course.timeline.plot_timeline, "
                f"got {type(self.figure).__name__}"
            )
        if not isinstance(self.timeline, pd.DataFrame):
            raise TypeError(
                f"timeline must be a pandas DataFrame, got {type(self.timeline).__name__}"
            )
        self.claims = _claim_pairs(self.claims)
        if not isinstance(self.text, str):
            raise TypeError(f"text must be a str, got {type(self.text).__name__}")

    @property
    def words(self) -> int:
        """The number of word tokens in the text."""
        return word_count(self.text)

    def problems(self) -> list[str]:
        """List what still stands between this draft and a finished briefing (empty when done)."""
        found = []
        low, high = WORD_RANGE
        if not low <= self.words <= high:
            found.append(f"text: {self.words} words; aim for {low}–{high}")
        if len(self.claims) != CLAIMS:
            found.append(f"claims: {len(self.claims)}; a briefing has {CLAIMS}")
        for number, (_, cite) in enumerate(self.claims, start=1):
            try:
                parse_citation(cite)
            except ValueError as error:
                found.append(f"claim {number}: {error}")
        first, last = TIMELINE_ROWS
        if not first <= len(self.timeline) <= last:
            found.append(f"timeline: {len(self.timeline)} rows; choose {first}–{last} events")
        if "id" not in self.timeline.columns:
            found.append("timeline: keep the 'id' column so readers can find each event")
        else:
            known = set(load_events()["id"])
            unknown = [str(i) for i in self.timeline["id"] if i not in known]
            if unknown:
                found.append(f"timeline: ids not in events.csv: {', '.join(unknown)}")
        return found


@dataclass(frozen=True)
class RenderedBriefing:
    """The briefing as one HTML page; shows itself in a notebook and saves as an .html file."""

    html: str
    title: str
    words: int

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<Briefing {self.title!r}: {self.words} words>"

    def save(self, path: str | Path) -> Path:
        """Write a stand-alone HTML file (open it in a browser, print it) and return its path."""
        if not isinstance(path, str | Path):
            raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"path must end in .html, got {str(path)!r}")
        if not target.parent.is_dir():
            raise ValueError(f"path {str(path)!r}: folder {str(target.parent)!r} does not exist")
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head><body>{self.html}</body></html>\n"
        )
        target.write_text(page, encoding="utf-8")
        return target


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _timeline_rows(timeline: pd.DataFrame) -> list[tuple[str, str]]:
    """(when, what) for each row; dates are shown as precisely as events.csv knows them."""
    events = load_events().set_index("id")
    rows = []
    for _, row in timeline.iterrows():
        event_id = row.get("id")
        known = isinstance(event_id, str) and event_id in events.index
        with warnings.catch_warnings():  # ambiguous date text is shown as it is, not warned about
            warnings.simplefilter("ignore")
            stamp = pd.to_datetime(row.get("date"), errors="coerce")
        if known:
            precision, end = events.at[event_id, "precision"], events.at[event_id, "end_date"]
            when = format_when(events.at[event_id, "date"], precision)
            if _present(end):
                when += f" to {format_when(end, precision)}"
        elif pd.notna(stamp):
            when = format_when(stamp)  # no strftime: it fails on years outside 1-9999
        else:
            when = str(row.get("date", ""))
        what = row.get("title")
        if not _present(what):
            what = events.at[event_id, "title"] if known else str(event_id)
        rows.append((when, str(what)))
    return rows


def _footnote(cite: str) -> tuple[str, bool]:
    """The footnote text for a citation, and whether it resolved."""
    try:
        kind, _ = parse_citation(cite)
        found = resolve_citation(cite)
    except ValueError as error:
        return f"Citation not found: {error}", False
    if kind == "article":
        return f"{_canonical(cite)} — RFE/RL, 17 August 2022: {found}", True
    return f"{_canonical(cite)} — {found}", True


_STYLE = (
    "max-width:46em;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.45;"
    "color:#111;background:#fff;padding:1em 1.4em;border:1px solid #ccc"
)


def render(briefing: Briefing) -> RenderedBriefing:
    """Lay a briefing out as one HTML page: text, figure, timeline, claims with footnotes."""
    if not isinstance(briefing, Briefing):
        raise TypeError(
            "briefing must be a Briefing(title=..., figure=..., timeline=..., claims=..., "
            f"text=...), got {type(briefing).__name__}"
        )
    # Footnote anchors must not clash when a notebook shows two briefings.
    tag = hashlib.sha1(f"{briefing.title}\n{briefing.text}".encode()).hexdigest()[:8]
    low, high = WORD_RANGE
    parts = [f'<article class="briefing" style="{_STYLE}">']
    parts.append(f'<h2 style="margin-top:0">{_esc(briefing.title)}</h2>')
    parts.append(
        '<p style="color:#555;font-size:0.9em">A briefing for readers new to the subject, based '
        "on RFE/RL's report of 17 August 2022 and the course datasets · "
        f"{briefing.words} words (target {low}–{high})</p>"
    )
    for block in re.split(r"\n\s*\n", briefing.text.strip()):
        if block.strip():
            parts.append(f"<p>{_esc(' '.join(block.split()))}</p>")

    png = base64.b64encode(briefing.figure.to_png()).decode("ascii")
    parts.append(
        '<figure style="margin:1em 0">'
        f'<img src="data:image/png;base64,{png}" alt="{_esc(briefing.figure.alt)}" '
        'style="max-width:100%"></figure>'
    )

    parts.append("<h3>Timeline</h3>")
    parts.append('<table style="border-collapse:collapse"><thead><tr>'
                 '<th scope="col" style="text-align:left;padding-right:1em">Date</th>'
                 '<th scope="col" style="text-align:left">Event</th></tr></thead><tbody>')
    for when, what in _timeline_rows(briefing.timeline):
        parts.append(f'<tr><td style="padding-right:1em;white-space:nowrap">{_esc(when)}</td>'
                     f"<td>{_esc(what)}</td></tr>")
    parts.append("</tbody></table>")

    parts.append("<h3>Key claims</h3><ol>")
    notes = []
    for number, (claim, cite) in enumerate(briefing.claims, start=1):
        note, ok = _footnote(cite)
        notes.append((number, note, ok))
        parts.append(
            f"<li>{_esc(claim)}<sup><a href='#{tag}-fn{number}' "
            f"id='{tag}-ref{number}'>[{number}]</a></sup></li>"
        )
    parts.append("</ol>")
    parts.append('<h3>Sources</h3><ol style="font-size:0.85em">')
    for number, note, ok in notes:
        colour = "" if ok else ' style="color:#b00020"'
        parts.append(f"<li id='{tag}-fn{number}'{colour}>{_esc(note)} "
                     f"<a href='#{tag}-ref{number}' aria-label='back to claim {number}'>↩</a></li>")
    parts.append("</ol>")

    problems = briefing.problems()
    if problems:
        items = "".join(f"<li>{_esc(p)}</li>" for p in problems)
        parts.append(
            '<aside style="border-left:4px solid #D55E00;padding:0.3em 0.8em;margin-top:1em">'
            f"<strong>Draft: not finished yet</strong><ul>{items}</ul></aside>"
        )
    parts.append("</article>")
    return RenderedBriefing("\n".join(parts), briefing.title, briefing.words)

