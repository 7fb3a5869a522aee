"""course.timeline: period filters, intervals, relative time phrases and the timeline figure."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from course import timeline  # noqa: E402
from course.plots import Chart  # noqa: E402

REFERENCE = "2022-08-17"


def make_events() -> pd.DataFrame:
    """A small events table shaped like course.data.load_events()."""
    rows = [
        # id, date, end_date, precision, title, category, in_article
        ("battle", "1389-06-28", None, "day", "Battle of Kosovo", "history", False),
        ("war", "1998-02-28", "1999-06-11", "day", "Kosovo War", "conflict", False),
        ("independence", "2008-02-17", None, "day", "Kosovo declares independence", "law", True),
        ("eu-year", "2008-01-01", None, "year", "Something in 2008", "eu", False),
        ("dialogue", "2011-03-08", None, "day", "EU-led dialogue begins", "diplomacy", True),
        ("brdo", "2021-10-06", None, "day", "Brdo summit", "eu", True),
        ("energy", "2022-06-01", None, "month", "Energy road map", "diplomacy", True),
        ("press", "2022-08-17", None, "day", "Stoltenberg and Vucic in Brussels", "security", True),
        ("talks", "2022-08-18", None, "day", "New round of talks", "diplomacy", True),
    ]
    frame = pd.DataFrame(
        rows, columns=["id", "date", "end_date", "precision", "title", "category", "in_article"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["description"] = ""
    frame["article_phrase"] = ""
    frame["confidence"] = "verified"
    frame["source"] = "test"
    return frame


@pytest.fixture
def events() -> pd.DataFrame:
    return make_events()


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


def test_importing_timeline_stays_light():
    code = (
        "import sys, course, course.timeline; "
        "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_student_modules_never_import_grading_code():
    code = (
        "import sys, course.timeline, course.plots, course.widgets; "
        "print(sorted(m for m in sys.modules if m.startswith(('course.checks', 'course.grading'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- between


def test_between_years_cover_whole_years(events):
    assert ids(timeline.between(events, "2008", "2011")) == ["independence", "eu-year", "dialogue"]
    assert ids(timeline.between(events, 2008, 2008)) == ["independence", "eu-year"]


def test_between_accepts_every_date_form(events):
    forms = [
        ("2022-08", "2022-08"),
        ("2022-08-01", "2022-08-31"),
        (dt.date(2022, 8, 1), dt.date(2022, 8, 31)),
        (dt.datetime(2022, 8, 1, 9, 30), dt.datetime(2022, 8, 31, 23, 0)),
        (pd.Timestamp("2022-08-01"), pd.Timestamp("2022-08-31")),
        (np.datetime64("2022-08-01"), np.datetime64("2022-08-31")),
        (pd.Timestamp("2022-08-01", tz="Europe/Brussels"), "2022-08-31"),
    ]
    for start, end in forms:
        assert ids(timeline.between(events, start, end)) == ["press", "talks"], (start, end)


def test_between_inclusive_excludes_whole_bound_periods(events):
    assert ids(timeline.between(events, "2022-08-17", "2022-08-18", inclusive="both")) == [
        "press",
        "talks",
    ]
    assert ids(timeline.between(events, "2022-08-17", "2022-08-18", inclusive="left")) == ["press"]
    assert ids(timeline.between(events, "2022-08-17", "2022-08-18", inclusive="right")) == ["talks"]
    assert ids(timeline.between(events, "2022-08-17", "2022-08-18", inclusive="neither")) == []
    # A year bound excluded excludes the whole year.
    assert ids(timeline.between(events, "2008", "2011", inclusive="right")) == ["dialogue"]


def test_between_open_bounds(events):
    assert ids(timeline.between(events, None, "1500")) == ["battle"]
    assert ids(timeline.between(events, "2022-08-18", None)) == ["talks"]
    assert len(timeline.between(events, None, None)) == len(events)


def test_between_overlap_counts_spans_and_imprecise_dates(events):
    assert ids(timeline.between(events, "1999-01", "1999-12")) == []
    assert ids(timeline.between(events, "1999-01", "1999-12", overlap=True)) == ["war"]
    # A year-precision event covers its whole year; a month-precision one its whole month.
    assert "eu-year" in ids(timeline.between(events, "2008-06", "2008-07", overlap=True))
    assert ids(timeline.between(events, "2022-06-15", "2022-06-20", overlap=True)) == ["energy"]
    assert ids(timeline.between(events, "2022-06-15", "2022-06-20")) == []


def test_between_keeps_index_and_does_not_modify_input(events):
    before = events.copy()
    result = timeline.between(events, "2022", "2022")
    pd.testing.assert_frame_equal(events, before)
    assert list(result.index) == [6, 7, 8]


def test_between_converts_iso_string_dates():
    frame = pd.DataFrame({"date": ["2008-02-17", "2011"], "id": ["a", "b"]})
    assert ids(timeline.between(frame, "2008", "2008")) == ["a"]


@pytest.mark.parametrize(
    ("start", "end", "kwargs", "error", "match"),
    [
        ("2011", "2008", {}, ValueError, "start"),
        ("17/02/2008", "2011", {}, ValueError, "start"),
        ("2008", "2011-13", {}, ValueError, "end"),
        ("2008", "2011-02-30", {}, ValueError, "end"),
        ("2008", "2011-02-03Tnoon", {}, ValueError, "end"),
        (2008.0, "2011", {}, TypeError, "start"),
        (True, "2011", {}, TypeError, "start"),
        (pd.NaT, "2011", {}, ValueError, "start"),
        ("2008", [2011], {}, TypeError, "end"),
        ("2008", "2011", {"inclusive": "all"}, ValueError, "inclusive"),
        ("2008", "2011", {"overlap": "yes"}, TypeError, "overlap"),
    ],
)
def test_between_validates(events, start, end, kwargs, error, match):
    with pytest.raises(error, match=match):
        timeline.between(events, start, end, **kwargs)


def test_between_names_missing_columns_and_bad_frames():
    with pytest.raises(ValueError, match="'date'"):
        timeline.between(pd.DataFrame({"when": [1]}), "2008", "2011")
    with pytest.raises(TypeError, match="events"):
        timeline.between([{"date": "2008"}], "2008", "2011")
    with pytest.raises(ValueError, match="'date'"):
        timeline.between(pd.DataFrame({"date": ["yesterday"]}), "2008", "2011")
    with pytest.raises(TypeError, match="'date'.*numbers"):
        timeline.between(pd.DataFrame({"date": [2008, 2011]}), "2008", "2011")
    with pytest.raises(ValueError, match="missing dates"):
        timeline.between(pd.DataFrame({"date": [pd.NaT]}), "2008", "2011")


# --------------------------------------------------------------------------- category, article


def test_in_category(events):
    assert ids(timeline.in_category(events, "law")) == ["independence"]
    assert ids(timeline.in_category(events, "EU", "law")) == ["independence", "eu-year", "brdo"]
    assert ids(timeline.in_category(events, ["eu", "law"])) == ids(
        timeline.in_category(events, "eu", "law")
    )


def test_in_category_validates(events):
    with pytest.raises(ValueError, match="Did you mean 'diplomacy'"):
        timeline.in_category(events, "diplomcy")
    with pytest.raises(ValueError, match="at least one"):
        timeline.in_category(events)
    with pytest.raises(TypeError, match="categories"):
        timeline.in_category(events, 3)
    with pytest.raises(ValueError, match="'category'"):
        timeline.in_category(events.drop(columns="category"), "eu")


def test_mentioned_in_article(events):
    assert ids(timeline.mentioned_in_article(events)) == [
        "independence",
        "dialogue",
        "brdo",
        "energy",
        "press",
        "talks",
    ]
    frame = events.assign(in_article=pd.array([True, None] + [False] * 7, dtype="boolean"))
    assert ids(timeline.mentioned_in_article(frame)) == ["battle"]
    with pytest.raises(TypeError, match="in_article"):
        timeline.mentioned_in_article(events.assign(in_article="yes"))
    with pytest.raises(ValueError, match="'in_article'"):
        timeline.mentioned_in_article(events.drop(columns="in_article"))


# --------------------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    ("a", "b", "years"),
    [
        ("2008-02-17", "2022-08-17", 14),
        ("2008-02-17", "2022-02-17", 14),
        ("2008-02-17", "2022-02-16", 13),
        ("2022-08-17", "2008-02-17", -14),
        ("2008-02-29", "2009-02-28", 0),
        ("2008-02-29", "2009-03-01", 1),
        ("1389-06-28", "1989-06-28", 600),
        ("2011", "2022-08-17", 11),
        (dt.date(1999, 6, 10), pd.Timestamp("2022-08-17"), 23),
        ("2022-08-17", "2022-08-17", 0),
    ],
)
def test_years_between_examples(a, b, years):
    assert timeline.years_between(a, b) == years


def test_duration_handles_six_centuries():
    assert timeline.duration("1389-06-28", "2022-08-17") == pd.Timedelta(days=231248)
    assert timeline.duration("2022-08-17", "2022-08-16") == pd.Timedelta(days=-1)


def test_interval_functions_name_bad_arguments():
    with pytest.raises(ValueError, match="^a "):
        timeline.years_between("Feb 2008", "2022")
    with pytest.raises(TypeError, match="^b "):
        timeline.duration("2008", 3.5)


dates = st.dates(min_value=dt.date(1300, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(dates, dates)
def test_years_between_matches_reference_and_is_antisymmetric(a, b):
    years = timeline.years_between(a, b)
    assert years == -timeline.years_between(b, a)
    early, late = min(a, b), max(a, b)
    expected = late.year - early.year - ((late.month, late.day) < (early.month, early.day))
    assert abs(years) == expected
    if a <= b:
        # dateutil agrees except on 29 February, where it counts 28 February as the anniversary.
        if not (a.month == 2 and a.day == 29):
            assert years == relativedelta(b, a).years
        assert pd.Timestamp(a) + pd.DateOffset(years=years) <= pd.Timestamp(b)


@settings(max_examples=200, deadline=None)
@given(dates, dates)
def test_duration_agrees_with_date_arithmetic(a, b):
    assert timeline.duration(a, b) == pd.Timedelta(days=(b - a).days)


# --------------------------------------------------------------------------- event_date


def test_event_date(events):
    assert timeline.event_date(events, "independence") == pd.Timestamp("2008-02-17")
    assert timeline.event_date(events, "battle") == pd.Timestamp("1389-06-28")


def test_event_date_suggests_close_ids(events):
    with pytest.raises(ValueError, match="event_id 'independance'.*'independence'"):
        timeline.event_date(events, "independance")
    with pytest.raises(TypeError, match="event_id"):
        timeline.event_date(events, 3)
    doubled = pd.concat([events, events.iloc[:1]])
    with pytest.raises(ValueError, match="unique"):
        timeline.event_date(doubled, "battle")
    with pytest.raises(ValueError, match="'id'"):
        timeline.event_date(events.drop(columns="id"), "battle")


# --------------------------------------------------------------------------- relative phrases


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("expression", "start", "end"),
    [
        ("In June", "2022-06-01", "2022-06-30"),
        ("in October", "2021-10-01", "2021-10-31"),
        ("in August", "2022-08-01", "2022-08-31"),
        ("in June 2021", "2021-06-01", "2021-06-30"),
        ("in Sept.", "2021-09-01", "2021-09-30"),
        ("since 2011", "2011-01-01", REFERENCE),
        ("since June", "2022-06-01", REFERENCE),
        ("in 2008", "2008-01-01", "2008-12-31"),
        ("in the 1990s", "1990-01-01", "1999-12-31"),
        ("on August 17", REFERENCE, REFERENCE),
        ("on 17 August", REFERENCE, REFERENCE),
        ("on the 17th of August", REFERENCE, REFERENCE),
        ("on August 18", "2021-08-18", "2021-08-18"),
        ("on August 17, 2021", "2021-08-17", "2021-08-17"),
        ("on February 29", "2020-02-29", "2020-02-29"),
        ("last year", "2021-01-01", "2021-12-31"),
        ("this year", "2022-01-01", "2022-12-31"),
        ("last month", "2022-07-01", "2022-07-31"),
        ("yesterday", "2022-08-16", "2022-08-16"),
        ("the eve of", "2022-08-16", "2022-08-16"),
        ("on the eve of a new round of talks", "2022-08-16", "2022-08-16"),
        ("  IN   JUNE,  ", "2022-06-01", "2022-06-30"),
        ("2022-06", "2022-06-01", "2022-06-30"),
    ],
)
def test_resolve_relative(expression, start, end):
    assert timeline.resolve_relative(expression, REFERENCE) == (day(start), day(end))


def test_resolve_relative_accepts_date_objects_as_reference():
    expected = (day("2022-06-01"), day("2022-06-30"))
    assert timeline.resolve_relative("In June", dt.date(2022, 8, 17)) == expected
    assert timeline.resolve_relative("In June", pd.Timestamp("2022-08-17 15:00")) == expected
    # January reference: "last month" crosses the year boundary.
    assert timeline.resolve_relative("last month", "2023-01-05") == (
        day("2022-12-01"),
        day("2022-12-31"),
    )
    # "the eve of" the talks on 18 August is the article's date.
    assert timeline.resolve_relative("the eve of", "2022-08-18")[0] == day(REFERENCE)


@pytest.mark.parametrize(
    ("expression", "reference", "error", "match"),
    [
        ("next Tuesday", REFERENCE, ValueError, "expression 'next Tuesday'.*Supported forms"),
        ("", REFERENCE, ValueError, "expression"),
        ("on June 31", REFERENCE, ValueError, "expression"),
        ("since 2030", REFERENCE, ValueError, "expression"),
        (2008, REFERENCE, TypeError, "expression"),
        ("In June", "2022", ValueError, "reference"),
        ("In June", "August 17", ValueError, "reference"),
        ("In June", None, TypeError, "reference"),
    ],
)
def test_resolve_relative_validates(expression, reference, error, match):
    with pytest.raises(error, match=match):
        timeline.resolve_relative(expression, reference)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_resolve_relative_raises_only_value_errors_for_arbitrary_text(text):
    try:
        start, end = timeline.resolve_relative(text, REFERENCE)
    except ValueError as error:
        assert "expression" in str(error)
    else:
        assert start <= end


words = st.sampled_from(
    ["in", "on", "since", "the", "eve", "of", "june", "august", "17", "17th", "2011", "0000",
     "9999", "1990s", "last", "next", "year", "month", ",", "feb", "29", "31", "2022-02-30"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(words, min_size=1, max_size=5).map(" ".join), dates)
def test_resolve_relative_phrase_soup_never_crashes(text, reference):
    try:
        start, end = timeline.resolve_relative(text, reference)
    except ValueError as error:
        assert "expression" in str(error)
    else:
        assert start <= end


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.none(), dates))
def test_between_raises_only_value_or_type_errors(bound):
    frame = make_events()
    try:
        result = timeline.between(frame, bound, "2024")
    except (ValueError, TypeError) as error:
        assert "start" in str(error)
    else:
        assert set(result["id"]) <= set(frame["id"])


def test_match_relative(events):
    assert ids(timeline.match_relative(events, "In June", REFERENCE)) == ["energy"]
    assert ids(timeline.match_relative(events, "in October", REFERENCE)) == ["brdo"]
    assert ids(timeline.match_relative(events, "the eve of", "2022-08-18")) == ["press"]
    assert ids(timeline.match_relative(events, "since 2011", REFERENCE)) == [
        "dialogue",
        "brdo",
        "energy",
        "press",
    ]
    with pytest.raises(ValueError, match="'date'"):
        timeline.match_relative(events.drop(columns="date"), "In June", REFERENCE)


# --------------------------------------------------------------------------- plot_timeline


def assert_timeline(chart: Chart, title: str) -> None:
    assert isinstance(chart, Chart)
    assert chart.ax.get_title().replace("\n", " ") == title
    assert chart.ax.get_xlabel() in ("Year", "Date")
    assert chart.ax.get_ylabel() == "events, staggered"
    assert list(chart.ax.get_yticks()) == []
    assert chart.alt.startswith("Timeline of ")
    assert chart.to_png().startswith(b"\x89PNG")


def texts(chart: Chart) -> list[str]:
    return [t.get_text() for t in chart.ax.texts]


def test_plot_timeline_recent_events(events):
    chart = timeline.plot_timeline(events, title="Since 2008", start="2008")
    assert_timeline(chart, "Since 2008")
    assert chart.ax.get_xlabel() == "Year"
    labels = texts(chart)
    assert "Kosovo declares independence" in labels and "Battle of Kosovo" not in labels
    assert "article" in labels
    assert chart.alt.startswith("Timeline of 7 events dated 2008 to 2022-08-18")
    # Only real end_dates become bars (the war ended before 2008, so none here).
    assert "drawn as a bar" not in chart.alt
    assert "dashed line marks the article date" in chart.alt
    legend = [t.get_text() for t in chart.ax.get_legend().get_texts()]
    assert legend == ["diplomacy", "eu", "law", "security"]


def test_plot_timeline_short_span_uses_date_axis_and_highlights(events):
    chart = timeline.plot_timeline(
        events, title="Summer 2022", start="2022-06", end="2022-08", highlight="press"
    )
    assert_timeline(chart, "Summer 2022")
    assert chart.ax.get_xlabel() == "Date"
    assert "highlighted: 'Stoltenberg and Vucic in Brussels' (2022-08-17)" in chart.alt
    bold = [t.get_text() for t in chart.ax.texts if t.get_fontweight() in ("bold", 700)]
    assert bold == ["Stoltenberg and Vucic in Brussels"]
    assert "3 events" in chart.alt


def test_plot_timeline_staggers_labels_that_would_collide(events):
    chart = timeline.plot_timeline(events, title="August 2022", start="2022-08", end="2022-08")
    positions = {t.get_text(): t.xy[1] for t in chart.ax.texts if hasattr(t, "xy")}
    # Events a day apart get different heights so their labels do not overlap.
    assert positions["Stoltenberg and Vucic in Brussels"] != positions["New round of talks"]


def test_plot_timeline_draws_spans_and_pins_earlier_events(events):
    chart = timeline.plot_timeline(events, title="1999", start="1999", end="1999")
    assert "← Kosovo War" in texts(chart)
    assert "1 with a duration drawn as a bar" in chart.alt
    assert "1 began before the period" in chart.alt
    assert "article" not in texts(chart)


def test_plot_timeline_full_span_recommends_zooming(events):
    chart = timeline.plot_timeline(events, title="Six centuries")
    assert_timeline(chart, "Six centuries")
    assert "from 1389-06-28" in chart.alt
    assert "633 years" in chart.alt
    note = chart.figure.get_supxlabel()
    assert "start=" in note


def test_plot_timeline_many_events_are_not_all_labelled():
    many = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(60)],
            "date": pd.date_range("2000-01-01", periods=60, freq="MS"),
            "category": ["eu"] * 60,
            "title": [f"Event {i}" for i in range(60)],
        }
    )
    chart = timeline.plot_timeline(many, title="Many", highlight=["e5"])
    assert [t for t in texts(chart) if t.startswith("Event")] == ["Event 5"]
    assert "too many events to label" in chart.alt


def label_boxes(chart: Chart) -> list:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(chart.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [
        t.get_window_extent(renderer) for t in chart.ax.texts if t.get_text() not in ("", "article")
    ]


def assert_no_overlapping_labels(chart: Chart) -> None:
    boxes = label_boxes(chart)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_plot_timeline_drops_labels_rather_than_overprint():
    crowded = pd.DataFrame(
        {
            "id": [f"e{i}" for i in range(30)],
            "date": pd.date_range("2022-08-01", periods=30, freq="D"),
            "category": ["diplomacy"] * 30,
            "title": [f"A fairly long event title number {i}" for i in range(30)],
        }
    )
    chart = timeline.plot_timeline(crowded, title="Crowded", highlight="e15")
    assert_no_overlapping_labels(chart)
    bold = [t for t in chart.ax.texts if t.get_fontweight() in ("bold", 700)]
    assert len(bold) == 1  # the highlighted label always stays
    assert "labels are left out for lack of room" in chart.alt
    assert "lack of room" in chart.figure.get_supxlabel()


def test_plot_timeline_custom_label_column_and_unknown_category(events):
    frame = events.assign(category=events["category"].replace({"law": "courts"}))
    chart = timeline.plot_timeline(frame, title="T", start="2008", label_column="id")
    assert "independence" in texts(chart)
    assert "1 courts" in chart.alt


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"title": ""}, ValueError, "title"),
        ({"title": "T", "label_column": "name"}, ValueError, "'name'"),
        ({"title": "T", "start": "2030"}, ValueError, "no events"),
        ({"title": "T", "start": "soon"}, ValueError, "start"),
        ({"title": "T", "highlight": "independance"}, ValueError, "highlight.*'independence'"),
        ({"title": "T", "start": "2022", "highlight": "battle"}, ValueError, "outside"),
        ({"title": "T", "highlight": 3}, TypeError, "highlight"),
    ],
)
def test_plot_timeline_validates(events, kwargs, error, match):
    with pytest.raises(error, match=match):
        timeline.plot_timeline(events, **kwargs)


def test_plot_timeline_names_missing_columns(events):
    with pytest.raises(ValueError, match="'category'"):
        timeline.plot_timeline(events.drop(columns="category"), title="T")


# --------------------------------------------------------------------------- with the real data


@pytest.fixture(scope="module")
def real_events() -> pd.DataFrame:
    data = pytest.importorskip("course.data")
    return data.load_events()


def test_real_events_filters(real_events):
    article = timeline.mentioned_in_article(real_events)
    assert 0 < len(article) < len(real_events)
    june = timeline.match_relative(real_events, "In June", REFERENCE)
    assert not june.empty
    assert (june["date"].dt.month == 6).all() and (june["date"].dt.year == 2022).all()
    since = timeline.between(real_events, "2011", REFERENCE)
    assert since["date"].min() >= pd.Timestamp("2011-01-01")


def test_real_events_timelines(real_events):
    full = timeline.plot_timeline(real_events, title="Kosovo and Serbia, 1389–2024")
    assert "1389" in full.alt and "start=" in full.figure.get_supxlabel()
    recent = timeline.plot_timeline(real_events, title="2022", start="2022", end="2022")
    assert "dashed line marks the article date" in recent.alt
    assert recent.ax.get_xlabel() == "Date"
    for start, end in [("2022", "2022"), ("1998", "2013"), ("2020", "2022")]:
        chart = timeline.plot_timeline(real_events, title="T", start=start, end=end)
        assert_no_overlapping_labels(chart)


def test_format_when_shows_only_the_known_precision():
    """One implementation of 'a date as precisely as it is known', used by the timeline, the
    period explorer and the briefing."""
    import pandas as pd

    from course import briefing, widgets
    from course.timeline import format_when

    day = pd.Timestamp("2022-06-01")
    assert format_when(day, "year") == "2022"
    assert format_when(day, "month") == "2022-06"
    assert format_when(day, "day") == "2022-06-01"
    assert format_when("2008-02-17") == "2008-02-17"
    for module in (briefing, widgets):
        assert not hasattr(module, "_when"), f"{module.__name__} keeps its own date formatter"


def test_the_notebooks_timelines_label_every_event():
    """Every timeline a notebook draws has room for all its labels (03's main timeline once
    dropped eight, among them the 29 June 2022 decisions its written answer is built on)."""
    from course_helpers import notebook_charts

    charts = notebook_charts("plot_timeline")
    assert len(charts) >= 3
    for chart in charts:
        assert "left out" not in chart.alt and "too many events" not in chart.alt, chart.alt
    shown = {text.get_text() for chart in charts for text in chart.ax.texts}
    assert any(label.startswith("Kosovo decides on licence plates") for label in shown), shown
