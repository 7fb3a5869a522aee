"""Checks for assignment 06, the briefing: citations, a checked claim, and the briefing's parts.

The student's *content* is free, so most checks here are structural and computed from the
datasets, never digests: the timeline rows must be real rows, the citations must resolve, the
text must have the right length. The hidden checks re-resolve every citation from the raw data
files, without ``course.briefing`` or ``course.data``, so a notebook that patches those modules
cannot make a made-up citation pass.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from course import briefing as _briefing
from course.checks.core import (
    call_student,
    expect_columns,
    expect_rows,
    expect_type,
    fail,
    hidden,
    question,
    student_line,
)
from course.data import load_article, load_countries, load_events
from course.paths import dataset_path
from course.plots import Chart
from course.text import STOPWORDS, fold_accents, tokens

CITATION_HINT = "cite a paragraph as '¶3' and a dataset row as 'events:<id>', 'countries:<name>'..."

# --------------------------------------------------------------------------- 6.1 and 6.2


def _paragraphs_saying(fragment: str) -> list[int]:
    return [n for n, p in enumerate(load_article().paragraphs, start=1) if fragment in p.lower()]


@question("6.1", "answer_6_1")
def recognition_paragraph(value: Any) -> None:
    """The paragraph that says who does and does not recognise Kosovo, cited as '¶N'."""
    expect_type(value, str, "answer_6_1",
                hint="write a citation in quotes: the pilcrow sign and a number, like '¶3'.")
    text = unicodedata.normalize("NFC", value).strip()
    cited = re.fullmatch(r"¶\s*(\d+)", text)
    if cited is None:
        if re.fullmatch(r"(?:p|para|paragraph)?\.?\s*\d+", text, re.IGNORECASE):
            fail("answer_6_1", "is a paragraph number, not yet a citation.",
                  "start it with the pilcrow sign: copy ¶ from this notebook, or write f'¶{n}'.")
        fail("answer_6_1", f"is {value!r}, which is not a paragraph citation.",
              "a paragraph citation is the pilcrow sign and a number, like '¶3'.")
    n = int(cited.group(1))
    right = _paragraphs_saying("recogni")[0]
    count = len(load_article().paragraphs)
    if n == right:
        return
    if n == right + 2:
        fail("answer_6_1", "counts the headline and the caption as paragraphs.",
              "search `article.body` (or `article.paragraphs`), not `article.text`: ¶1 is the "
              "first body paragraph.")
    if n == right + 1:
        fail("answer_6_1", "counts the photo caption as a paragraph.",
              "the caption is not part of the body; ¶1 is `article.paragraphs[0]`.")
    if n == right - 1:
        fail("answer_6_1", "counts from 0, as Python's indexes do.",
              "citations count from 1: ¶1 is `article.paragraphs[0]`.")
    if not 1 <= n <= count:
        fail("answer_6_1", f"points past the body, which has ¶1 to ¶{count}.")
    fail("answer_6_1", "is a real paragraph, but not the one that says who recognises Kosovo.",
          "search the body for the word: `kwic(article.body, 'recognize')` gives the paragraph.")


@question("6.2", "answer_6_2")
def roadmap_event(value: Any) -> None:
    """The events.csv row that corroborates ¶7, cited as 'events:<id>'."""
    expect_type(value, str, "answer_6_2", hint="write the citation in quotes: 'events:<id>'.")
    if ":" not in value and value.strip() in set(load_events()["id"]):
        fail("answer_6_2", "is an event's id without its table.",
              "a citation names the table too: 'events:' and then the id.")
    try:
        kind, key = _briefing.parse_citation(value)
    except ValueError:
        fail("answer_6_2", "does not resolve to a paragraph or a dataset row.",
              "run `resolve_citation(answer_6_2)` to see what is wrong and which citations come "
              "close; a row of events.csv is cited as 'events:<id>'.")
    if kind == "article":
        fail("answer_6_2", "cites the article itself, and a claim cannot corroborate itself.",
              "find the row of events.csv that records the same event, and cite it.")
    if kind != "events":
        fail("answer_6_2", f"cites the {kind} table; the question asks for an event.",
              "cite a row of events.csv as 'events:<id>'.")
    events = load_events()
    paragraph = load_article().paragraph(7)
    row = events[events["id"] == key].iloc[0]
    phrase = row["article_phrase"]
    if bool(row["in_article"]) and isinstance(phrase, str) and phrase in paragraph:
        return
    if bool(row["in_article"]):
        fail("answer_6_2", "is an event the article mentions, but in another paragraph.",
              "compare the row's `article_phrase` with the words of ¶7.")
    if row["date"].year == 2022 and row["date"].month == 6:
        fail("answer_6_2", "is an event of June 2022, but not something 'the two sides agreed'.",
              "read its description: whose decision was it? ¶7 reports an agreement within the "
              "EU-led dialogue.")
    fail("answer_6_2", "is an event the article does not refer to.",
          "the columns `in_article` and `article_phrase` say which events the article mentions.")


# --------------------------------------------------------------------------- 6.3


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_ARTICLE_DAY = re.compile(
    r"\b(17\s+aug(?:ust|\.)?\s+2022|aug(?:ust|\.)?\s+17,?\s+2022|2022-08-17|17/0?8/2022|"
    r"17\.0?8\.2022)\b", re.IGNORECASE)


def _counts_in(sentence: str) -> list[int]:
    """The small whole numbers a sentence gives, in digits or words (one to six)."""
    words = re.findall(r"\b(\d+|one|two|three|four|five|six)\b", sentence.lower())
    return [int(w) if w.isdigit() else _NUMBER_WORDS[w] for w in words
            if not (w.isdigit() and len(w) == 4)]  # a year is not a count


@question("6.3", "answer_6_3")
def status_sentence(value: Any) -> None:
    """One dated sentence on the six states' EU status on 17 August 2022, with both counts.

    The counts are computed from countries.csv: states with candidate status (negotiating ones
    included) and potential candidates, on the article's date.
    """
    variable = "answer_6_3"
    expect_type(value, str, variable, hint="write the sentence as text in quotes.")
    sentence = " ".join(value.split())
    if len(sentence.split()) < 6:
        fail(variable, "is too short to be a sentence a newcomer can use.",
             "one sentence: when, how many had candidate status, how many were potential "
             "candidates.")
    if len(sentence.split()) > 60:
        fail(variable, "is longer than one sentence of a briefing (60 words at most).",
             "keep the date and the two counts; cut the rest.")
    status = load_countries()["status_2022_08_17"]
    candidates = int(status.isin(["candidate", "negotiating"]).sum())
    potential = int((status == "potential candidate").sum())
    counts = _counts_in(_ARTICLE_DAY.sub(" ", sentence))
    lower = sentence.lower()
    if "potential" not in lower:
        fail(variable, "does not mention the potential candidates.",
             "¶11 calls all six 'candidates': the correction is to say which of them were not "
             "candidates yet, and what they were instead.")
    if len(status) in counts and candidates not in counts:
        fail(variable, f"still speaks of all {len(status)} as one group, as ¶11 does.",
             "give two numbers: states with candidate status, and potential candidates.")
    if candidates not in counts or potential not in counts:
        fail(variable, "does not give both counts from `countries` yet.",
             "count the rows of `status_2022_08_17` for each group (a 'negotiating' state "
             "has candidate status too) and write both numbers into the sentence.")
    if not _ARTICLE_DAY.search(sentence):
        fail(variable, "gives no date, or not the article's.",
             "statuses change (one of the six became a candidate months later): say when, "
             "e.g. 'On 17 August 2022, ...'.")


# --------------------------------------------------------------------------- 6.4


def _as_dates(values: pd.Series) -> pd.Series:
    """Read a column as dates; anything unreadable becomes NaT, silently.

    Any warning printed in a test cell scores zero under nbgrader, and pandas warns about
    ambiguous date text ('17/02/2008'), so the warnings are swallowed here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(values, errors="coerce")


_COLUMNS = ["id", "date", "title"]
_SAMPLE_IDS = ["nato-press-conference", "declaration-of-independence", "kfor-enters-kosovo",
               "brdo-summit"]


def _check_excerpt_function(fn: Any, events: pd.DataFrame, ids: list[str], unknown: str,
                            variable: str = "timeline_excerpt") -> None:
    """Call a student's timeline_excerpt and compare its result with the rows of ``events``."""
    before = events.copy(deep=True)
    result = call_student(fn, variable, (events, list(ids)),
                          shown=f"{variable}(events, {list(ids)!r})",
                          try_it=f"{variable}(events, {list(ids[:2])!r})",
                          signature="def timeline_excerpt(events, ids):")
    if not events.equals(before):
        fail(variable, "changes the table passed to it.",
              "filtering and `sort_values` return new tables; never assign into `events` or use "
              "`inplace=True` on it.")
    shown = f"{variable}(...)"
    expect_type(result, pd.DataFrame, shown, hint="return a DataFrame: the rows of `events` "
                "you asked for.")
    if list(result.columns) != _COLUMNS:
        if set(result.columns) == set(_COLUMNS):
            fail(shown, "has the right columns in another order.",
                  "put them in the order id, date, title.")
        expect_columns(result, _COLUMNS, shown, hint="keep the columns id, date and title.")
        fail(shown, "keeps more columns than id, date and title.",
              "select the three columns with a list inside the brackets: [[...]].")
    expect_rows(result, len(ids), shown, hint="one row for each id asked for.")
    if set(result["id"].astype(str)) != set(ids):
        fail(shown, "returns rows for other events than the ids it was given.",
              "keep the rows whose id is in `ids`: `.isin(...)` does that.")
    dates = _as_dates(result["date"])
    if not dates.is_monotonic_increasing:
        fail(shown, "is not in date order.", "sort the rows by date, earliest first.")
    truth = events.set_index("id")
    for event_id, date, title in zip(result["id"], dates, result["title"], strict=True):
        if date != pd.Timestamp(truth.at[event_id, "date"]) or title != truth.at[event_id, "title"]:
            fail(shown, f"changes the date or title of event {event_id!r}.",
                  "copy the rows as they are: an excerpt selects, it does not edit.")
    if not result.index.equals(pd.RangeIndex(len(result))):
        fail(shown, "keeps the row labels of the big table.",
              "end with `.reset_index(drop=True)` so the rows are numbered 0, 1, 2, ...")
    try:
        fn(events, [ids[0], unknown])
    except ValueError as exc:
        if unknown not in str(exc):
            fail(variable, "raises ValueError for an unknown id, but the message does not name it.",
                  "put the id in the message, so a reader can see the typo.")
    except Exception as exc:  # noqa: BLE001 -- any other error type is the mistake we explain
        line = student_line(exc)
        fail(variable, f"raises {type(exc).__name__} for an unknown id, not ValueError"
             + (f" (in your code, {line})." if line else "."),
              "check the ids yourself and `raise ValueError(...)` naming the missing one.")
    else:
        fail(variable, "silently leaves out an id it cannot find.",
              "a typo in an id should stop you: raise ValueError naming the id.")


@question("6.4", "timeline_excerpt")
def timeline_excerpt(fn: Callable[[pd.DataFrame, list[str]], pd.DataFrame]) -> None:
    """A function selecting events by id, in date order, with id, date and title."""
    _check_excerpt_function(fn, load_events(), _SAMPLE_IDS, "no-such-event")
    # Other ids, on the table in another order with other row labels: the rows must come from
    # the arguments, whatever they are.
    rng = random.Random()
    events = load_events()
    others = [i for i in events["id"] if i not in _SAMPLE_IDS]
    dated = events.set_index("id")["date"]
    ids = rng.sample(others, k=3)
    while dated[ids].nunique() < len(ids):  # distinct days, so that some order is wrong
        ids = rng.sample(others, k=3)
    shuffled = events
    # Shuffled so that the chosen rows are out of date order: an excerpt must sort them itself.
    while shuffled.loc[shuffled["id"].isin(ids), "date"].is_monotonic_increasing:
        shuffled = events.sample(frac=1, random_state=rng.randrange(2**32))
    shuffled.index = rng.sample(range(1000, 1000 + 10 * len(events)), k=len(events))
    _check_excerpt_function(fn, shuffled, ids, "no-such-event-either")


def _unseen_events() -> pd.DataFrame:
    """A small made-up table in another order and with another index, for the hidden check."""
    dates = ["2019-05-02", "2001-11-30", "2015-01-19", "2023-07-07", "2011-04-01"]
    return pd.DataFrame(
        {
            "id": ["talks-c", "summit-a", "accord-b", "visit-d", "census-e"],
            "date": pd.to_datetime(dates).astype("datetime64[us]"),
            "end_date": pd.to_datetime([None] * 5).astype("datetime64[us]"),
            "title": ["Third talks", "First summit", "An accord", "A visit", "A census"],
            "category": ["diplomacy", "eu", "law", "politics", "history"],
        },
        index=[40, 3, 17, 8, 25],
    )


@hidden("6.4", "your function on a table it has never seen")
def timeline_excerpt_hidden(fn: Callable[[pd.DataFrame, list[str]], pd.DataFrame]) -> None:
    """The same function on a table it has not seen, so reading load_events() inside fails."""
    _check_excerpt_function(fn, _unseen_events(), ["visit-d", "summit-a", "talks-c"], "accord-x")


# --------------------------------------------------------------------------- 6.5 the timeline


def _same(a: Any, b: Any) -> bool:
    """Compare two table cells, treating missing as equal to missing and dates as dates."""
    missing_a, missing_b = _missing(a), _missing(b)
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, pd.Timestamp) or isinstance(b, pd.Timestamp):
        return pd.Timestamp(a) == pd.Timestamp(b)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_timeline(value: Any, variable: str) -> None:
    expect_type(value, pd.DataFrame, variable,
                hint="build it with your `timeline_excerpt(events, [...])`.")
    expect_columns(value, _COLUMNS, variable,
                   hint="a reader needs the id, the date and the title of each event.")
    low, high = _briefing.TIMELINE_ROWS
    if not low <= len(value) <= high:
        fail(variable, f"has {len(value)} rows; a timeline excerpt has {low} to {high} events.",
              "choose the events a newcomer needs: fewer, well chosen, beat many.")
    ids = value["id"].tolist()
    if not all(isinstance(i, str) for i in ids):
        fail(variable, "has ids that are not text.", "ids are strings such as 'brdo-summit'.")
    if len(set(ids)) != len(ids):
        fail(variable, "lists the same event twice.", "each event once.")
    truth = load_events().set_index("id")
    unknown = [i for i in ids if i not in truth.index]
    if unknown:
        listed = ", ".join(repr(i) for i in unknown[:3])
        fail(variable, f"has ids that are not in events.csv: {listed}.",
              "copy ids from `load_events()`; the period explorer above shows the events.")
    dates = _as_dates(value["date"])
    as_text = not pd.api.types.is_datetime64_any_dtype(value["date"])
    for event_id, date in zip(ids, dates, strict=True):
        if pd.isna(date) or date.normalize() != truth.at[event_id, "date"]:
            fail(variable, f"gives event {event_id!r} a date that differs from events.csv.",
                  "an excerpt copies rows as they are: no edited rows."
                  + (" Keep the dates as dates, or as ISO text 'YYYY-MM-DD'." if as_text else ""))
    for column in value.columns:
        if column in ("id", "date") or column not in truth.columns:
            continue
        for event_id, cell in zip(ids, value[column], strict=True):
            if not _same(cell, truth.at[event_id, column]):
                fail(variable, f"changes the {column} of event {event_id!r}.",
                      "an excerpt copies rows as they are: no edited rows.")
    if not dates.is_monotonic_increasing:
        fail(variable, "is not in date order.", "a timeline reads from the earliest event down.")


@question("6.5", "answer_6_5", form="4 to 8 real, unedited rows of events.csv, in date order")
def timeline(value: Any) -> None:
    """The briefing's timeline: 4-8 real, unedited rows of events.csv in date order."""
    _check_timeline(value, "answer_6_5")


# --------------------------------------------------------------------------- 6.6 the figure


def _check_figure(value: Any, variable: str) -> None:
    if value is not Ellipsis and not isinstance(value, Chart):
        kind = type(value).__name__
        if kind in ("Figure", "Axes", "AxesSubplot"):
            fail(variable, f"is a matplotlib {kind}, not a Chart.",
                  "make the figure with a course.plots function or `plot_timeline`: they return "
                  "a Chart that carries its title and alt text.")
        if value is None:
            fail(variable, "is None.", "store the Chart a plotting function returns, not the "
                 "result of showing or saving it.")
        fail(variable, f"should be a Chart, got {kind}.",
              "make the figure with a course.plots function or `plot_timeline`.")
    expect_type(value, Chart, variable)
    if len(tokens(value.title)) < 3:
        fail(variable, "has a title of fewer than three words.",
              "say what the figure shows, where and when, in a few words.")
    if len(tokens(value.alt)) < 8:
        fail(variable, "has alt text of fewer than eight words.",
              "alt text is one sentence saying what the figure shows, for readers who cannot "
              "see it; leave `alt=` out and course.plots writes one for you.")


def _check_figure_drawn(value: Any, variable: str) -> None:
    axes = list(value.figure.axes)
    if value.ax not in axes:
        fail(variable, "is a Chart whose axes are not part of its figure.",
              "make the figure with a course.plots function rather than by hand.")
    if not any(a.collections or a.patches or a.lines or a.images for a in axes):
        fail(variable, "holds an empty figure.",
              "draw the figure with a course.plots function or `plot_timeline`.")
    if not value.ax.get_title().strip():
        fail(variable, "has no title drawn on the figure itself.",
              "course.plots functions draw the title; a Chart built by hand does not.")


@question("6.6", "answer_6_6", form="a course.plots Chart with a title and alt text")
def figure(value: Any) -> None:
    """One figure: a course.plots Chart with a title and alt text."""
    _check_figure(value, "answer_6_6")


@hidden("6.6", "that the figure is really drawn")
def figure_hidden(value: Any) -> None:
    """The Chart really holds a drawn figure with its title (not an empty one made by hand)."""
    _check_figure_drawn(value, "answer_6_6")


# --------------------------------------------------------------------------- 6.7 the claims

# Words nearly every source in this course contains; sharing only these proves nothing.
_UBIQUITOUS = {"kosov", "serbi"}
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]")


def _stems(text: str) -> set[str]:
    return {t[:5] for t in tokens(text) if t not in STOPWORDS and len(t) >= 3} - _UBIQUITOUS


def _joined(text: str) -> str:
    return f" {' '.join(tokens(text))} "


def _pairs(value: Any, variable: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        fail(variable, "is a dict; the claims are a list of pairs.",
              "write [(claim, cite), (claim, cite), (claim, cite)].")
    if isinstance(value, tuple):
        fail(variable, "is a tuple; the claims are a list of pairs.",
              "use square brackets [ ... ] around the three (claim, cite) pairs.")
    expect_type(value, list, variable, hint="write [(claim, cite), (claim, cite), (claim, cite)].")
    count = _briefing.CLAIMS
    if len(value) != count:
        fail(variable, f"has {len(value)} claims; a briefing has {count}.",
              "choose the claims a newcomer most needs, each with its citation.")
    pairs = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, tuple | list) or len(item) != 2:
            fail(variable, f"item {number} is not a pair (claim, cite).",
                  "each item is two strings in round brackets: (claim, cite).")
        claim, cite = item
        if not isinstance(claim, str) or not isinstance(cite, str):
            fail(variable, f"item {number} should hold two strings, a claim and a citation.")
        pairs.append((claim, cite))
    return pairs


def _resolves(cite: str) -> bool:
    try:
        _briefing.parse_citation(cite)
    except ValueError:
        return False
    return True


def _check_claims(value: Any, variable: str) -> None:
    pairs = _pairs(value, variable)
    canonical = []
    for number, (claim, cite) in enumerate(pairs, start=1):
        if _resolves(claim) and not _resolves(cite):
            fail(variable, f"item {number} has the citation first.",
                  "put the claim first, then its citation: (claim, cite).")
        words = len(tokens(claim))
        if not 6 <= words <= 60:
            amount = "too few" if words < 6 else "too many"
            fail(variable, f"claim {number} has {words} words: {amount} for one checkable claim.",
                  "a claim is one full sentence (6 to 60 words) a reader could check.")
        try:
            kind, key = _briefing.parse_citation(cite)
        except ValueError as error:
            fail(variable, f"claim {number}'s citation does not resolve: {error}", CITATION_HINT)
        source = _briefing.resolve_citation(cite)
        if len(tokens(claim)) and _joined(claim) in _joined(source):
            fail(variable, f"claim {number} copies its source word for word.",
                  "say it in your own words; a short quotation in quotation marks is fine.")
        for quoted in _QUOTED.findall(claim):
            if len(tokens(quoted)) >= 2 and _joined(quoted) not in _joined(source):
                fail(variable, f"claim {number} quotes words its source does not contain.",
                      "check the quotation against the cited source, word for word.")
        if not _stems(claim) & _stems(source):
            fail(variable, f"claim {number} shares no word with its source beyond 'Kosovo' "
                 "and 'Serbia'.",
                  f"read `resolve_citation({cite!r})`: does it say what the claim says?")
        canonical.append((kind, key))
    _check_mix(canonical, variable)


def _check_mix(canonical: list[tuple[str, str]], variable: str) -> None:
    if len(set(canonical)) != len(canonical):
        fail(variable, "cites the same source for two claims.",
              "three claims, three different sources: that is what lets a reader cross-check.")
    kinds = {kind for kind, _ in canonical}
    if "article" not in kinds:
        fail(variable, "cites no paragraph of the article.",
              "at least one claim should rest on the article (cite it as '¶N').")
    if kinds == {"article"}:
        fail(variable, "cites only the article.",
              "at least one claim should rest on a dataset row: that is corroboration.")


# The hidden checks read the data files directly, in a way independent of course.briefing.
_RAW_TABLES: dict[str, tuple[str, str, Callable[[dict[str, str]], list[str]]]] = {
    "events": ("events.csv", "id", lambda r: [r["id"]]),
    "countries": ("countries.csv", "country",
                  lambda r: [r["country"], r["country"].replace(" and ", "-")]),
    "people": ("people.csv", "name", lambda r: _raw_names(r)),
    "recognition": ("eu_recognition.csv", "member_state", lambda r: [r["member_state"]]),
    "glossary": ("glossary.csv", "term", lambda r: _raw_terms(r["term"])),
    "transcripts": ("transcripts.csv", "id", lambda r: [r["id"]]),
}


def _raw_names(row: dict[str, str]) -> list[str]:
    names = [row["name"]] + [n.strip() for n in row["name_native"].split(";") if n.strip()]
    return names + [n.split()[-1] for n in names]


def _raw_terms(term: str) -> list[str]:
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", term).strip()
    parts = [re.sub(r"\s*\([^)]*\)\s*$", "", p).strip() for p in bare.split(" / ")]
    return [term, bare, *(parts if " / " in term else [])]


def _raw_key(cite: str) -> tuple[str, str] | None:
    """Resolve a citation from the raw files; None when it does not resolve."""
    text = unicodedata.normalize("NFC", cite).strip()
    paragraph = re.fullmatch(r"¶\s*(\d+)", text)
    if paragraph:
        raw = dataset_path("article.txt").read_text(encoding="utf-8")
        blocks = [b for b in re.split(r"\n[ \t]*\n", raw.strip()) if b.strip()]
        n = int(paragraph.group(1))
        return ("article", str(n)) if 1 <= n <= len(blocks) - 2 else None
    if ":" not in text:
        return None
    kind, key = (part.strip() for part in text.split(":", 1))
    kind = "_".join(kind.casefold().removesuffix(".csv").split())
    kind = {"eu_recognition": "recognition"}.get(kind, kind)  # as course.briefing.citation_kind
    if kind not in _RAW_TABLES:
        return None
    file_name, column, forms = _RAW_TABLES[kind]
    with open(dataset_path(file_name), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    owners: dict[str, set[str]] = {}
    for row in rows:
        for form in forms(row):
            owners.setdefault(fold_accents(form), set()).add(row[column])
    found = owners.get(fold_accents(key), set())
    return (kind, next(iter(found))) if len(found) == 1 else None


def _check_claims_raw(value: Any, variable: str) -> None:
    keys = []
    for number, (_, cite) in enumerate(_pairs(value, variable), start=1):
        key = _raw_key(cite)
        if key is None:
            fail(variable, f"claim {number}'s citation does not resolve in the data files.",
                  CITATION_HINT)
        keys.append(key)
    _check_mix(keys, variable)


@question("6.7", "answer_6_7", form="three claims, each with a citation that resolves, "
          "sharing words with its source, from a mix of sources")
def claims(value: Any) -> None:
    """Three claims, each with a citation that resolves; mixed sources; the claimant's words."""
    _check_claims(value, "answer_6_7")


@hidden("6.7", "your citations against the raw data files")
def claims_hidden(value: Any) -> None:
    """The citations resolve in the raw data files, whatever the notebook did to the library."""
    _check_claims_raw(value, "answer_6_7")


# --------------------------------------------------------------------------- 6.8 the text


def _check_text(value: Any, variable: str) -> None:
    expect_type(value, str, variable,
                hint='write the text as one string between triple quotes: """ ... """')
    words = _briefing.word_count(value)
    if words == 0:
        fail(variable, "is empty.", "write your briefing between the triple quotes.")
    low, high = _briefing.WORD_RANGE
    if not low <= words <= high:
        more = "too many" if words > high else "too few"
        hint = f"the text of a one-page briefing has {low} to {high} words."
        if low <= len(value.split()) <= high:
            hint += (" Splitting on spaces gives another count: the course counts word tokens "
                     "with `word_count(...)`, so '--' is not a word.")
        fail(variable, f"has {words} words (counted with `word_count`): that is {more}.", hint)


def _check_text_own_words(value: Any, variable: str) -> None:
    article = tokens(load_article().text)
    width = 8
    copied = {tuple(article[i:i + width]) for i in range(len(article) - width + 1)}
    words = tokens(value)
    covered = [False] * len(words)
    for i in range(len(words) - width + 1):
        if tuple(words[i:i + width]) in copied:
            covered[i:i + width] = [True] * width
    if words and sum(covered) / len(words) > 0.5:
        fail(variable, "copies most of its words from the article.",
              "a briefing explains in your own words; quote briefly, in quotation marks.")


@question("6.8", "answer_6_8", form="its length, 200 to 300 word tokens")
def text(value: Any) -> None:
    """The briefing's own words: 200-300 word tokens."""
    _check_text(value, "answer_6_8")


@hidden("6.8", "that the text is in your own words, not copied from the article")
def text_hidden(value: Any) -> None:
    """The text is the student's own, not the article pasted in."""
    _check_text_own_words(value, "answer_6_8")


# --------------------------------------------------------------------------- 6.9 the briefing


def _check_briefing(value: Any, variable: str) -> None:
    if isinstance(value, dict):
        fail(variable, "is a dict.", "build it with `Briefing(title=..., figure=..., ...)`.")
    if value is not Ellipsis and not isinstance(value, _briefing.Briefing):
        fail(variable, f"should be a Briefing, got {type(value).__name__}.",
              "build it with `Briefing(title=..., figure=..., timeline=..., claims=..., "
              "text=...)`.")
    expect_type(value, _briefing.Briefing, variable)
    words = len(tokens(value.title))
    if not 3 <= words <= 20:
        fail(variable, f"has a title {words} word{'s' if words != 1 else ''} long.",
              "a title a newcomer understands at a glance: 3 to 20 words.")
    _check_figure(value.figure, f"{variable}.figure")
    _check_timeline(value.timeline, f"{variable}.timeline")
    _check_claims(value.claims, f"{variable}.claims")
    _check_text(value.text, f"{variable}.text")


@question("6.9", "answer_6_9", form="its title and each part, as in 6.5 to 6.8")
def assembled(value: Any) -> None:
    """The briefing assembled from its parts, ready to render."""
    _check_briefing(value, "answer_6_9")


@hidden("6.9", "the full checks of each part")
def assembled_hidden(value: Any) -> None:
    """The hidden checks of the parts, applied to the parts the briefing really holds."""
    _check_figure_drawn(value.figure, "answer_6_9.figure")
    _check_claims_raw(value.claims, "answer_6_9.claims")
    _check_text_own_words(value.text, "answer_6_9.text")
