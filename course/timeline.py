"""Filter events by period and category, measure intervals, read time phrases, draw a timeline.

The functions work on the events table from ``course.data.load_events()`` (or any DataFrame with
the same columns). Dates are calendar days: a time of day, if given, is ignored.

Dates may be given as ``"2008"``, ``"2008-02"``, ``"2008-02-17"``, a whole year as an ``int``,
``datetime.date``, ``datetime.datetime`` or ``pandas.Timestamp``. A year or month stands for the
whole period: ``between(events, "2008", "2011")`` runs from 1 January 2008 to 31 December 2011.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from course.plots import CATEGORY_COLOURS

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from course.plots import Chart

__all__ = [
    "ARTICLE_DATE",
    "CATEGORIES",
    "between",
    "duration",
    "event_date",
    "in_category",
    "match_relative",
    "mentioned_in_article",
    "plot_timeline",
    "resolve_relative",
    "years_between",
]

ARTICLE_DATE = pd.Timestamp("2022-08-17")
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_COLOURS)

DateLike = str | int | dt.date | dt.datetime | pd.Timestamp | np.datetime64
Inclusive = Literal["both", "neither", "left", "right"]

_DAY = pd.Timedelta(days=1)


# --------------------------------------------------------------------------- parsing dates


class _Period:
    """A calendar period (a day, month or year) as its first and last day."""

    __slots__ = ("first", "last", "precision")

    def __init__(self, first: pd.Timestamp, last: pd.Timestamp, precision: str) -> None:
        self.first, self.last, self.precision = first, last, precision


def _day(year: int, month: int, day: int, name: str, shown: object) -> pd.Timestamp:
    """Build a midnight Timestamp, turning impossible dates into a ValueError naming ``name``."""
    try:
        return pd.Timestamp(dt.datetime(year, month, day))
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{name} {shown!r} is not a valid date: {error}") from None


def _last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


_ISO = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2})(?:[T ].*)?)?)?")


def _period(value: object, name: str) -> _Period:
    """Parse a date-like ``value`` into the calendar period it denotes."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a date, got a bool")
    if isinstance(value, int | np.integer):
        year = int(value)
        return _Period(_day(year, 1, 1, name, value), _day(year, 12, 31, name, value), "year")
    if isinstance(value, str):
        text = value.strip()
        match = _ISO.fullmatch(text)
        if match is None:
            raise ValueError(
                f"{name} {value!r} is not a date; use 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' "
                "(e.g. '2008', '2008-02', '2008-02-17')"
            )
        year = int(match["y"])
        if match["m"] is None:
            return _Period(_day(year, 1, 1, name, value), _day(year, 12, 31, name, value), "year")
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise ValueError(f"{name} {value!r} is not a valid date: month must be 01..12")
        if match["d"] is None:
            last = _last_day_of_month(year, month)
            first = _day(year, month, 1, name, value)
            return _Period(first, _day(year, month, last, name, value), "month")
        day = _day(year, month, int(match["d"]), name, value)
        if len(text) > 10:
            # Check the time part is well formed even though it is then dropped.
            try:
                dt.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{name} {value!r} is not a valid ISO date-time") from None
        return _Period(day, day, "day")
    if isinstance(value, np.datetime64 | dt.date):  # datetime and Timestamp are dates too
        if pd.isna(value):
            raise ValueError(f"{name} is missing (NaT); give a date")
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)  # keep the wall-clock date the caller wrote
        day = stamp.normalize()
        return _Period(day, day, "day")
    if value is None or value is pd.NaT:
        raise TypeError(f"{name} must be a date, got None")
    raise TypeError(
        f"{name} must be a date ('YYYY', 'YYYY-MM', 'YYYY-MM-DD', int year, date, datetime or "
        f"Timestamp), got {type(value).__name__}"
    )


# --------------------------------------------------------------------------- checking frames


def _require_columns(events: object, columns: Iterable[str], name: str = "events") -> pd.DataFrame:
    """Check ``events`` is a DataFrame with ``columns``, naming any that are missing."""
    if not isinstance(events, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame (e.g. course.data.load_events()), "
            f"got {type(events).__name__}"
        )
    missing = [column for column in columns if column not in events.columns]
    if missing:
        raise ValueError(
            f"{name} is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {list(map(str, events.columns))}"
        )
    return events


def _dates(events: pd.DataFrame, column: str, *, allow_missing: bool = False) -> pd.Series:
    """Return a column as day-level datetimes, converting ISO strings and naming bad values."""
    series = events[column]
    if pd.api.types.is_numeric_dtype(series) and not series.isna().all():
        # pd.to_datetime would read 2008 as nanoseconds after 1970: refuse rather than guess.
        raise TypeError(
            f"events column {column!r} must hold dates, got numbers (dtype {series.dtype}); "
            "convert it with pd.to_datetime(...) first"
        )
    if not pd.api.types.is_datetime64_any_dtype(series):
        try:
            series = pd.to_datetime(series, format="ISO8601")
        except (ValueError, TypeError, OverflowError) as error:
            raise ValueError(
                f"events column {column!r} must hold dates (datetime64 or 'YYYY-MM-DD' strings): "
                f"{error}"
            ) from None
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    if not allow_missing and series.isna().any():
        where = list(events.index[series.isna().to_numpy()][:3])
        raise ValueError(f"events column {column!r} has missing dates (rows {where})")
    return series.dt.normalize()


def _extent_end(events: pd.DataFrame, start: pd.Series) -> pd.Series:
    """Return the last day each event covers: end_date, else the end of its precision period."""
    end = start.copy()
    if "precision" in events.columns:
        precision = events["precision"].astype("string").str.lower()
        end = end.mask(precision.eq("month").fillna(False), start + pd.offsets.MonthEnd(0))
        end = end.mask(precision.eq("year").fillna(False), start + pd.offsets.YearEnd(0))
    if "end_date" in events.columns:
        end_date = _dates(events, "end_date", allow_missing=True)
        end = end_date.where(end_date.notna(), end)
    # A data slip where end_date precedes date must not make the event vanish.
    return end.where(end >= start, start)


_INCLUSIVE = ("both", "neither", "left", "right")


def _window_mask(
    events: pd.DataFrame,
    start: object,
    end: object,
    inclusive: str,
    overlap: bool,
) -> pd.Series:
    if not isinstance(inclusive, str) or inclusive not in _INCLUSIVE:
        raise ValueError(f"inclusive must be one of {', '.join(_INCLUSIVE)}; got {inclusive!r}")
    if not isinstance(overlap, bool):
        raise TypeError(f"overlap must be True or False, got {type(overlap).__name__}")
    low = None if start is None else _period(start, "start")
    high = None if end is None else _period(end, "end")
    if low is not None and high is not None and low.first > high.last:
        raise ValueError(f"start {start!r} is after end {end!r}; give the earlier date first")
    first = _dates(events, "date")
    last = _extent_end(events, first) if overlap else first
    mask = pd.Series(True, index=events.index)
    if low is not None:
        # Excluding the left bound excludes its whole period: "2008" with "right" starts in 2009.
        mask &= last >= low.first if inclusive in ("both", "left") else last > low.last
    if high is not None:
        mask &= first <= high.last if inclusive in ("both", "right") else first < high.first
    return mask


# --------------------------------------------------------------------------- filtering


def between(
    events: pd.DataFrame,
    start: DateLike | None,
    end: DateLike | None,
    *,
    inclusive: Inclusive = "both",
    overlap: bool = False,
) -> pd.DataFrame:
    """Return the events dated from ``start`` to ``end`` (None leaves that side open).

    A bound given as a year or month stands for the whole period; ``inclusive`` ("both",
    "neither", "left", "right") says whether the bounds' periods are included. With
    ``overlap=True`` an event counts when any part of it (up to its ``end_date``, or the end of its
    month/year for month/year precision) falls in the window.
    """
    _require_columns(events, ["date"])
    return events[_window_mask(events, start, end, inclusive, overlap)]


def _flatten_categories(categories: tuple[object, ...]) -> list[str]:
    flat: list[object] = []
    for item in categories:
        # Accept in_category(events, ["eu", "law"]) as well as in_category(events, "eu", "law").
        if isinstance(item, list | tuple | set | frozenset):
            flat.extend(item)
        else:
            flat.append(item)
    names: list[str] = []
    for item in flat:
        if not isinstance(item, str):
            raise TypeError(f"categories must be strings, got {item!r}")
        names.append(item.strip().lower())
    return names


def in_category(events: pd.DataFrame, *categories: str) -> pd.DataFrame:
    """Return the events in any of the given categories (e.g. ``in_category(ev, "eu", "law")``)."""
    _require_columns(events, ["category"])
    wanted = _flatten_categories(categories)
    if not wanted:
        raise ValueError(f"categories: give at least one category, e.g. one of {CATEGORIES}")
    present = events["category"].dropna().astype(str).str.lower()
    known = list(dict.fromkeys([*CATEGORIES, *present]))
    for category in wanted:
        if category not in known:
            close = difflib.get_close_matches(category, known, n=2)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"categories: {category!r} is not a category; known are {', '.join(known)}.{hint}"
            )
    mask = events["category"].astype("string").str.lower().isin(wanted).fillna(False)
    return events[mask.astype(bool)]


def mentioned_in_article(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events the article mentions (``in_article`` is True)."""
    _require_columns(events, ["in_article"])
    flags = events["in_article"]
    if not (
        pd.api.types.is_bool_dtype(flags)
        or all(isinstance(v, bool | np.bool_) or pd.isna(v) for v in flags)
    ):
        raise TypeError(
            f"events column 'in_article' must hold True/False values, got dtype {flags.dtype}"
        )
    return events[flags.fillna(False).astype(bool)]


# --------------------------------------------------------------------------- intervals


def years_between(a: DateLike, b: DateLike) -> int:
    """Count whole years from ``a`` to ``b`` the way ages are counted (negative if b is earlier).

    2008-02-17 to 2022-08-17 is 14; to 2022-02-16 it is 13. An anniversary of 29 February falls
    on 1 March in other years. A year or month counts from its first day.
    """
    start, end = _period(a, "a").first, _period(b, "b").first
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return sign * years


def duration(a: DateLike, b: DateLike) -> pd.Timedelta:
    """Return the time from ``a`` to ``b`` as a Timedelta (negative if ``b`` is earlier)."""
    return _period(b, "b").first - _period(a, "a").first


def _present_ids(events: pd.DataFrame) -> list[str]:
    """The ids of events as strings, leaving out missing ones (None/NaN)."""
    return [str(i) for i in events["id"] if not pd.isna(i)]


def event_date(events: pd.DataFrame, event_id: str) -> pd.Timestamp:
    """Return the date of the event with id ``event_id``."""
    _require_columns(events, ["id", "date"])
    if not isinstance(event_id, str):
        raise TypeError(f"event_id must be a string, got {type(event_id).__name__}")
    ids = events["id"].astype(str)
    rows = events[ids == event_id]
    if rows.empty:
        # A missing id stays NaN under astype(str) and would crash difflib: suggest present ids.
        close = difflib.get_close_matches(event_id, _present_ids(events), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"event_id {event_id!r} is not in events.{hint}")
    if len(rows) > 1:
        raise ValueError(
            f"event_id {event_id!r} appears {len(rows)} times in events; ids must be unique"
        )
    return _dates(rows, "date").iloc[0]


# --------------------------------------------------------------------------- relative phrases

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>[0-9]{4})"
_DAYNUM = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"

SUPPORTED_PHRASES = (
    "'in June'",
    "'in June 2022'",
    "'on August 17' / 'on 17 August'",
    "'on August 17, 2022'",
    "'in 2008'",
    "'in the 1990s'",
    "'since 2011' / 'since June' / 'since June 2022'",
    "'last year' / 'this year' / 'next year'",
    "'last month' / 'this month' / 'next month'",
    "'yesterday' / 'today' / 'tomorrow'",
    "'the eve of' (the day before the reference date)",
    "'2022-08-17' / '2022-08'",
)


def _most_recent_month(month: int, reference: pd.Timestamp) -> int:
    """Return the year of the latest ``month`` that has begun by ``reference``."""
    return reference.year if month <= reference.month else reference.year - 1


def _point_phrase(text: str, reference: pd.Timestamp, original: str) -> _Period | None:
    """Resolve a phrase naming one period (no 'since'), or return None if it is not one."""
    if match := re.fullmatch(r"(?:on |in |during )?(?:the )?eve(?: of\b.*)?", text):
        day = reference - _DAY
        return _Period(day, day, "day")
    if match := re.fullmatch(r"(?:on )?(yesterday|today|tomorrow)", text):
        day = reference + {"yesterday": -1, "today": 0, "tomorrow": 1}[match[1]] * _DAY
        return _Period(day, day, "day")
    if match := re.fullmatch(r"(?:in |during )?(?:the )?(last|past|previous|this|next) year", text):
        year = reference.year + {"this": 0, "next": 1}.get(match[1], -1)
        return _Period(
            _day(year, 1, 1, "expression", original),
            _day(year, 12, 31, "expression", original),
            "year",
        )
    if match := re.fullmatch(
        r"(?:in |during )?(?:the )?(last|past|previous|this|next) month", text
    ):
        shift = {"this": 0, "next": 1}.get(match[1], -1)
        index = reference.year * 12 + reference.month - 1 + shift
        return _month_period(index // 12, index % 12 + 1, original)
    if match := re.fullmatch(r"(?:in |during )?(?:the )?(?P<decade>[0-9]{3}0)'?s", text):
        start = int(match["decade"])
        first = _day(start, 1, 1, "expression", original)
        return _Period(first, _day(start + 9, 12, 31, "expression", original), "decade")
    if match := re.fullmatch(
        r"(?:in |during |on )?" + r"(?P<iso>[0-9]{4}(?:-[0-9]{2}){0,2})", text
    ):
        return _period(match["iso"], "expression")
    if match := re.fullmatch(
        r"(?:in |during )?(?:early |mid-?|late )?" + _MONTH + r"(?:,? " + _YEAR + r")?", text
    ):
        month = _MONTHS[match["month"]]
        year = int(match["year"]) if match["year"] else _most_recent_month(month, reference)
        return _month_period(year, month, original)
    day_patterns = (
        r"(?:on )?(?:the )?" + _DAYNUM + r"(?: of)? " + _MONTH + r"(?:,? " + _YEAR + r")?",
        r"(?:on )?" + _MONTH + r" " + _DAYNUM + r"(?:,? " + _YEAR + r")?",
    )
    for pattern in day_patterns:
        if match := re.fullmatch(pattern, text):
            month, day = _MONTHS[match["month"]], int(match["day"])
            if match["year"]:
                stamp = _day(int(match["year"]), month, day, "expression", original)
                return _Period(stamp, stamp, "day")
            return _recent_day(month, day, reference, original)
    return None


def _month_period(year: int, month: int, original: str) -> _Period:
    first = _day(year, month, 1, "expression", original)
    last = _day(year, month, _last_day_of_month(year, month), "expression", original)
    return _Period(first, last, "month")


def _recent_day(month: int, day: int, reference: pd.Timestamp, original: str) -> _Period:
    """Return the latest ``month``/``day`` not after ``reference`` (29 Feb: latest leap year)."""
    if not 1 <= day <= 31 or day > calendar.monthrange(2000, month)[1]:
        raise ValueError(f"expression {original!r} names a day that does not exist")
    year = (
        reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1
    )
    while not (day <= _last_day_of_month(year, month)):
        year -= 1
    stamp = _day(year, month, day, "expression", original)
    return _Period(stamp, stamp, "day")


def resolve_relative(expression: str, reference: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day that a time phrase denotes, read on the ``reference`` date.

    Rule for a month or day without a year: it is the most recent one that has begun by the
    reference date. Read on 2022-08-17, "In June" is 2022-06-01..2022-06-30, "in October" is
    October 2021 (October 2022 had not begun), "in August" is August 2022 and "on August 18" is
    2021-08-18. "since 2011" runs from 2011-01-01 to the reference date. "the eve of" is the day
    before the reference: for "the eve of the talks", pass the date of the talks.
    """
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a string, got {type(expression).__name__}")
    ref_period = _period(reference, "reference")
    if ref_period.precision != "day":
        raise ValueError(
            f"reference {reference!r} must be a full date (YYYY-MM-DD), "
            f"not a {ref_period.precision}"
        )
    ref = ref_period.first
    # Case, spacing and trailing punctuation carry no meaning here ("In June," == "in june").
    text = " ".join(expression.lower().split()).strip(" .,;:!?")
    text = text.replace("’", "'")
    since = re.fullmatch(r"(?:ever )?since (?P<rest>.+)", text)
    period = _point_phrase(since["rest"] if since else text, ref, expression)
    if period is None:
        raise ValueError(
            f"expression {expression!r} is not a time phrase this function understands. "
            f"Supported forms: {', '.join(SUPPORTED_PHRASES)}."
        )
    if since:
        if period.first > ref:
            raise ValueError(
                f"expression {expression!r} starts after the reference date {ref.date()}"
            )
        return period.first, ref
    return period.first, period.last


def match_relative(events: pd.DataFrame, expression: str, reference: DateLike) -> pd.DataFrame:
    """Return the events dated inside the period a phrase denotes (see :func:`resolve_relative`)."""
    _require_columns(events, ["date"])
    first, last = resolve_relative(expression, reference)
    return between(events, first, last)


# --------------------------------------------------------------------------- plotting

_LONG_SPAN_YEARS = 150
_MAX_LABELLED = 40
_MAX_LANES = 14
_LABEL_CHARS = 34


def _shorten(label: str, limit: int = _LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def format_when(stamp: pd.Timestamp, precision: object = "day") -> str:
    """Write a date only as precisely as it is known: '2008', '2022-06' or '2022-08-17'.

    ``precision`` is the events table's column: "year", "month" or anything else for a day.
    The stored first-of-month/first-of-year day of a vaguer date is a convention, not a fact, so
    it is never shown.
    """
    stamp = pd.Timestamp(stamp)
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return f"{stamp.year}-{stamp.month:02d}"
    return f"{stamp.year}-{stamp.month:02d}-{stamp.day:02d}"


def _rank(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def _assign_lanes(
    labelled: list[tuple[float, float]],
    bare: list[tuple[float, float]],
    keep: list[bool],
    lanes: int,
) -> tuple[list[int], list[bool]]:
    """Place items in the lowest lane where they overlap nothing, dropping labels that cannot fit.

    ``labelled`` and ``bare`` are each item's (left, right) extent with and without its label;
    ``keep`` marks labels that must stay (highlighted events). Returns lanes and label flags.
    """
    placed: list[list[tuple[float, float]]] = [[] for _ in range(lanes)]

    def clash(lane: int, extent: tuple[float, float]) -> float:
        left, right = extent
        return sum(max(0.0, min(right, b) - max(left, a)) for a, b in placed[lane])

    result, shown = [0] * len(keep), [True] * len(keep)
    # Labels that must stay are placed first, so they get room before the others compete for it.
    order = sorted(range(len(keep)), key=lambda i: not keep[i])
    for item in order:
        with_label, without = labelled[item], bare[item]
        lane = next((i for i in range(lanes) if clash(i, with_label) == 0), None)
        extent = with_label
        if lane is None and not keep[item]:
            # An unlabelled marker reads better than two labels printed over each other.
            extent, shown[item] = without, False
            lane = next((i for i in range(lanes) if clash(i, without) == 0), None)
        if lane is None:
            lane = min(range(lanes), key=lambda i: clash(i, extent))
        placed[lane].append(extent)
        result[item] = lane
    return result, shown


def _highlight_ids(highlight: object, events: pd.DataFrame, window: pd.DataFrame) -> list[str]:
    if highlight is None:
        return []
    wanted = [highlight] if isinstance(highlight, str) else highlight
    if not isinstance(wanted, Iterable):
        raise TypeError(
            f"highlight must be an event id or a list of ids, got {type(highlight).__name__}"
        )
    wanted = list(wanted)
    if not all(isinstance(item, str) for item in wanted):
        raise TypeError("highlight must contain event id strings")
    if "id" not in events.columns:
        raise ValueError("highlight needs an 'id' column in events to find the events")
    all_ids = _present_ids(events)
    shown = set(window["id"].astype(str))
    for item in wanted:
        if item not in all_ids:
            close = difflib.get_close_matches(item, all_ids, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ValueError(f"highlight: {item!r} is not an event id.{hint}")
        if item not in shown:
            raise ValueError(
                f"highlight: event {item!r} is outside the plotted period; widen start/end"
            )
    return wanted


def plot_timeline(
    events: pd.DataFrame,
    *,
    title: str,
    start: DateLike | None = None,
    end: DateLike | None = None,
    highlight: str | Iterable[str] | None = None,
    label_column: str = "title",
) -> Chart:
    """Draw the events on a horizontal time axis, coloured by category, labels staggered.

    ``start``/``end`` zoom in (events overlapping the window are kept). ``highlight`` is an event
    id or list of ids to emphasise. Events with an ``end_date`` are drawn as bars. A dashed line
    marks the article's date (17 August 2022) when it is in view.
    """
    from course import plots

    plots._require_text(title, "title")
    plots._require_text(label_column, "label_column")
    _require_columns(events, ["date", "category"])
    if label_column not in events.columns:
        # Name the argument that is wrong, not only the table.
        raise ValueError(
            f"label_column {label_column!r} is not a column of events; "
            f"it has {list(map(str, events.columns))}"
        )
    if start is None and end is None:
        window = events
    else:
        window = events[_window_mask(events, start, end, "both", True)]
    if window.empty:
        raise ValueError(
            f"no events to plot between start={start!r} and end={end!r}; widen the period"
        )
    highlighted = set(_highlight_ids(highlight, events, window))

    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    first = _dates(window, "date")
    last = _extent_end(window, first)
    order = np.argsort(first.to_numpy(), kind="stable")
    window, first, last = window.iloc[order], first.iloc[order], last.iloc[order]
    # Bars only for a real end_date: a month/year-precision date is vague, not long-lasting.
    if "end_date" in window.columns:
        end_dates = _dates(window, "end_date", allow_missing=True)
        finish = end_dates.where(end_dates.notna() & (end_dates >= first), first)
    else:
        finish = first
    x0 = mdates.date2num(first.to_numpy())
    x1 = mdates.date2num(finish.to_numpy())
    has_span = x1 > x0

    low = _period(start, "start").first if start is not None else first.min()
    high = _period(end, "end").last if end is not None else last.max()
    span_days = (high - low).days
    span_years = span_days / 365.25
    pad = max(span_days * 0.03, 2)  # days; a single event still gets some room around it
    view_start = mdates.date2num(low.to_datetime64())
    x_low, x_high = view_start - pad, mdates.date2num(high.to_datetime64()) + pad
    # Events that began before a zoomed window are pinned to its left edge, marked with an arrow.
    early = x0 < view_start
    xs = np.maximum(x0, view_start)
    labelled = len(window) <= _MAX_LABELLED
    labels = ["" if pd.isna(v) else str(v) for v in window[label_column].tolist()]
    # Labels on the figure are shortened; the alt text keeps them whole.
    shown_labels = [("← " if early[i] else "") + _shorten(label) for i, label in enumerate(labels)]
    ids = window["id"].astype(str).tolist() if "id" in window.columns else [""] * len(window)
    categories = window["category"].astype("string").str.lower().fillna("unknown").tolist()
    precisions = (
        window["precision"].tolist() if "precision" in window.columns else ["day"] * len(window)
    )
    show_label = [labelled or ids[i] in highlighted for i in range(len(window))]

    # Label widths in data units, estimated from the character count: ~6.2 px per character at
    # 8 pt on a 100 dpi figure whose axes take under three quarters of its 11-inch width.
    fig_width = 11.0
    units_per_px = (x_high - x_low) / (fig_width * 100 * 0.72)
    extents, bare, flipped = [], [], []
    for i in range(len(window)):
        chars = len(shown_labels[i]) if show_label[i] else 0
        width = (chars * 6.2 * (1.12 if ids[i] in highlighted else 1.0) + 12) * units_per_px
        # Near the right edge a label goes to the left of its marker instead of off the axes.
        flip = show_label[i] and xs[i] + width > x_high and xs[i] - width > x_low
        flipped.append(flip)
        left, right = (xs[i] - width, xs[i]) if flip else (xs[i], xs[i] + width)
        marker = 12 * units_per_px
        extents.append((min(left, xs[i]), max(right, x1[i])))
        bare.append((xs[i] - marker, max(xs[i] + marker, x1[i])))
    lanes, fits = _assign_lanes(
        extents, bare, [ids[i] in highlighted for i in range(len(window))], _MAX_LANES
    )
    crowded = sum(1 for i in range(len(window)) if show_label[i] and not fits[i])
    show_label = [show_label[i] and fits[i] for i in range(len(window))]
    n_lanes = max(lanes) + 1

    with plots.style_context():
        figure, ax = plots.new_figure((fig_width, 2.2 + 0.42 * n_lanes))
        ax.axhline(0, color="#555555", linewidth=1.2, zorder=1)
        for i in range(len(window)):
            colour = plots.CATEGORY_COLOURS.get(categories[i], plots._FALLBACK_COLOUR)
            strong = ids[i] in highlighted
            y = lanes[i] + 1
            ax.vlines(xs[i], 0, y, color="#BBBBBB", linewidth=0.7, zorder=1)
            if has_span[i]:
                # Just under the label line, so the label's white backing does not hide it.
                ax.hlines(y - 0.22, xs[i], x1[i], color=colour, linewidth=4, alpha=0.5, zorder=2)
            ax.scatter(
                xs[i],
                y,
                s=110 if strong else 45,
                marker=plots.CATEGORY_MARKERS.get(categories[i], "o"),
                color=colour,
                edgecolor="black" if strong else "white",
                linewidth=1.4 if strong else 0.5,
                zorder=3,
            )
            if show_label[i]:
                ax.annotate(
                    shown_labels[i],
                    (xs[i], y),
                    xytext=(-7, 0) if flipped[i] else (7, 0),
                    textcoords="offset points",
                    ha="right" if flipped[i] else "left",
                    va="center",
                    fontsize=8,
                    fontweight="bold" if strong else "normal",
                    # A white backing keeps labels readable where other events' stems cross them.
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
                    zorder=4,
                )
        article_x = mdates.date2num(ARTICLE_DATE.to_datetime64())
        article_in_view = x_low <= article_x <= x_high
        if article_in_view:
            ax.axvline(article_x, color="black", linestyle="--", linewidth=1, zorder=0)
            ax.annotate(
                "article",
                (article_x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(-3, -2),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=8,
                fontstyle="italic",
            )
        notes = []
        if span_years > _LONG_SPAN_YEARS:
            notes.append(
                f"{span_years:.0f} years shown, so recent events crowd together: "
                "zoom with start='1990' (and end=...)"
            )
        if not labelled:
            notes.append(f"{len(window)} events are too many to label: narrow start/end")
        elif crowded:
            notes.append(f"{crowded} labels left out for lack of room: narrow start/end")
        if notes:
            # supxlabel, unlike a free ax.text, is given room by the constrained layout.
            figure.supxlabel(
                "Note: " + "; ".join(notes), x=0.01, ha="left", fontsize=8, fontstyle="italic"
            )
        ax.set_xlim(x_low, x_high)
        ax.set_ylim(-0.4, n_lanes + 0.8)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        x_label = "Year" if span_years >= 3 else "Date"
        plots._label_axes(ax, title, x_label, "events, staggered")
        present = sorted(set(categories), key=lambda c: (c not in CATEGORIES, _rank(c), c))
        handles = [
            Line2D(
                [],
                [],
                linestyle="",
                marker=plots.CATEGORY_MARKERS.get(c, "o"),
                color=plots.CATEGORY_COLOURS.get(c, plots._FALLBACK_COLOUR),
                markersize=7,
                label=c,
            )
            for c in present
        ]
        ax.legend(handles=handles, title="Category", loc="upper left", bbox_to_anchor=(1.01, 1.0))

    n = len(window)
    by_category = ", ".join(f"{categories.count(c)} {c}" for c in present)
    when = [
        format_when(stamp, precision) for stamp, precision in zip(first, precisions, strict=True)
    ]
    if span_years >= 1.5:
        extent = f"about {round(span_years)} years"
    else:
        extent = f"{span_days + 1} day{'s' if span_days else ''}"
    alt = (
        f"Timeline of {n} event{'s' if n != 1 else ''} dated {when[0]} to {when[-1]}, showing "
        f"{extent} from {low.date()} to {high.date()}, marked by category ({by_category})"
    )
    spans = int(has_span.sum())
    if spans:
        alt += f"; {spans} with a duration drawn as a bar"
    if early.any():
        alt += f"; {int(early.sum())} began before the period and are pinned to its start"
    if highlighted:
        described = [f"'{labels[ids.index(h)]}' ({when[ids.index(h)]})" for h in highlighted]
        alt += f"; highlighted: {plots._join(sorted(described))}"
    if article_in_view:
        alt += "; a dashed line marks the article date, 17 August 2022"
    if not labelled:
        alt += "; there are too many events to label, so filter with start and end to read them"
    elif crowded:
        alt += f"; {crowded} labels are left out for lack of room"
    alt += "."
    return plots.Chart(figure, ax, title=title, alt=alt)
