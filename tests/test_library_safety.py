"""Safe library inputs: any argument gives a sensible result or an error that names it.

Students call these functions with whatever their cell happens to hold. The rule
(CONTRIBUTING.md): a result, or ``TypeError``/``ValueError`` whose message names the argument;
never an ``IndexError``, ``KeyError``, ``AttributeError``, ``ZeroDivisionError`` or
``OverflowError`` from inside the library.

Functions covered, found by introspection (``__all__`` of each module, plus the methods listed in
``METHODS``); ``test_every_public_function_has_a_baseline`` fails when a new public function
appears, so it cannot go untested:

* ``course.text``: find_quotes, kwic, modal_phrases, paragraphs, quote_share, sentences, tokens,
  word_frequencies;
* ``course.timeline``: between, duration, event_date, in_category, match_relative,
  mentioned_in_article, plot_timeline, resolve_relative, years_between;
* ``course.briefing``: Briefing (and Briefing.problems), RenderedBriefing (and .save),
  parse_citation, render, resolve_citation, word_count;
* ``course.data``: Article (its constructor and headline) and Article.paragraph (the loaders
  take no argument; they are listed, and their baseline call runs).

What is generated from each signature (``inspect.signature``): a baseline call that works, then
one argument at a time replaced by values of the wrong type for its annotation (None, bytes,
int, list, DataFrame where a str is expected; a str, dict or Series where a DataFrame is
expected; DataFrames missing the required columns), by arbitrary Unicode for every argument that
takes a str (right-to-left scripts, bidi controls, combining marks, every kind of quote and line
break, digits of other scripts), by a megabyte of text, and tables filled with arbitrary cells.

Not repeated from tests/test_text_properties.py and tests/test_timeline.py: well-formedness of
the text functions' results on news-like text, a non-str ``text``/``keyword``, arbitrary
``resolve_relative`` phrases and ``between`` bounds; tests/test_text.py runs a megabyte of
``text`` for the text functions. Here: every other argument and function, the odd Unicode, the
megabyte for every other str argument, and tables with arbitrary cells.
"""

from __future__ import annotations

import functools
import html
import inspect
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from course import briefing, data, text, timeline  # noqa: E402
from course.plots import bar_chart  # noqa: E402

MODULES = (text, timeline, briefing, data)
# Public methods reached through an instance rather than a module's __all__.
METHODS = {
    "data.Article.paragraph": lambda: _article().paragraph,
    "briefing.Briefing.problems": lambda: _briefing().problems,
    "briefing.RenderedBriefing.save": lambda: briefing.RenderedBriefing("<p>x</p>", "T", 1).save,
}
FORBIDDEN = (IndexError, KeyError, AttributeError, ZeroDivisionError, OverflowError)
SAFE_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


# ============================================================================ shared inputs


@functools.cache
def _events() -> pd.DataFrame:
    return data.load_events()


def events() -> pd.DataFrame:
    return _events().copy()


@functools.cache
def _chart():
    return bar_chart(pd.Series({"recognise": 22, "do not recognise": 5}), title="EU and Kosovo",
                     xlabel="Position", ylabel="Member states")


@functools.cache
def _article() -> data.Article:
    return data.load_article()


def _quotes() -> pd.DataFrame:
    return text.find_quotes('"We are ready," Stoltenberg said. "Not yet," Vucic said.')


def _briefing(**changes: Any) -> briefing.Briefing:
    parts = {"title": "Kosovo and Serbia", "figure": _chart(), "timeline": events().head(5),
             "claims": [("NATO stands ready.", "¶3")], "text": "Kosovo and Serbia talk."}
    parts.update(changes)
    return briefing.Briefing(**parts)


# A working call of every public function; each argument is then replaced in turn.
BASELINES: dict[str, Callable[[], dict[str, Any]]] = {
    "text.find_quotes": lambda: {"text": '"Ready," he said.'},
    "text.fold_accents": lambda: {"text": "Vučić"},
    "text.kwic": lambda: {"text": "Serbia said.", "keyword": "said", "width": 10,
                          "whole_word": True},
    "text.modal_phrases": lambda: {"text": "It may rain.", "phrases": ["may", "ready to"]},
    "text.paragraphs": lambda: {"text": "a\n\nb"},
    "text.quote_share": lambda: {"quotes": _quotes()},
    "text.sentences": lambda: {"text": "One. Two."},
    "text.tokens": lambda: {"text": "Kosovo-Serbia talks", "lower": True},
    "text.word_frequencies": lambda: {"text": "the talks, the talks", "stopwords": ["the"],
                                      "top": 3},
    "timeline.between": lambda: {"events": events(), "start": "2008", "end": "2011",
                                 "inclusive": "both", "overlap": False},
    "timeline.duration": lambda: {"a": "2008-02-17", "b": "2022-08-17"},
    "timeline.event_date": lambda: {"events": events(), "event_id": "brdo-summit"},
    "timeline.in_category": lambda: {"events": events(), "categories": ("eu", "law")},
    "timeline.match_relative": lambda: {"events": events(), "expression": "in June",
                                        "reference": "2022-08-17"},
    "timeline.mentioned_in_article": lambda: {"events": events()},
    "timeline.plot_timeline": lambda: {"events": events(), "title": "2022", "start": "2022",
                                       "end": "2022", "highlight": None, "label_column": "title"},
    "timeline.resolve_relative": lambda: {"expression": "in June", "reference": "2022-08-17"},
    "timeline.years_between": lambda: {"a": "2008-02-17", "b": "2022-08-17"},
    "briefing.Briefing": lambda: {"title": "T", "figure": _chart(), "timeline": events().head(5),
                                  "claims": [("A claim.", "¶3")], "text": "Some text."},
    "briefing.RenderedBriefing": lambda: {"html": "<p>x</p>", "title": "T", "words": 1},
    "briefing.citation_kind": lambda: {"name": "eu_recognition"},
    "briefing.parse_citation": lambda: {"cite": "events:brdo-summit"},
    "briefing.render": lambda: {"briefing": _briefing()},
    "briefing.resolve_citation": lambda: {"cite": "¶3"},
    "briefing.word_count": lambda: {"text": "Kosovo and Serbia"},
    "data.Article": lambda: {"text": _article().text},
    # The loaders take no argument: there is nothing to get wrong, but they are public too.
    **{f"data.{name}": dict for name in data.__all__ if name.startswith("load_")},
    "data.Article.paragraph": lambda: {"n": 3},
    "briefing.Briefing.problems": lambda: {},
    "briefing.RenderedBriefing.save": lambda: {"path": SAVED_PAGE},
}
SAVED_PAGE = Path(tempfile.gettempdir()) / f"kosovo-safety-{os.getpid()}.html"


@pytest.fixture(autouse=True, scope="module")
def _remove_saved_page():
    yield
    SAVED_PAGE.unlink(missing_ok=True)


# Plain records with no checks of their own: they hold what render() made.
UNCHECKED = {"briefing.RenderedBriefing"}
# Each call draws a figure or a page: fewer examples keep the module fast.
SLOW = {"timeline.plot_timeline", "briefing.render"}
# Arbitrary text as a file name would write files wherever it points: wrong types only.
NO_FUZZ = {("briefing.RenderedBriefing.save", "path")}
STR_ANNOTATIONS = {"str", "str | Path", "str | Iterable[str] | None", "DateLike",
                   "DateLike | None"}


def public_functions() -> dict[str, Callable[..., Any]]:
    """Every public function and class of the covered modules, and the listed methods."""
    found: dict[str, Callable[..., Any]] = {}
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{short}.{name}"] = obj
    for name, get in METHODS.items():
        found[name] = get()
    return found


FUNCTIONS = public_functions()


def call(name: str, arguments: dict[str, Any]) -> Any:
    """Call a public function with keyword-style arguments, spreading a *args parameter."""
    function = FUNCTIONS[name]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(function).parameters.values():
        if param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is param.VAR_POSITIONAL:
            args.extend(value)
        elif param.kind is param.POSITIONAL_OR_KEYWORD and not kwargs:
            args.append(value)
        else:
            kwargs[param.name] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' date-guessing warnings are not the point here
        result = function(*args, **kwargs)
    if isinstance(result, briefing.Briefing):
        result.problems()  # a draft that was accepted must also be checkable
    return result


def expect_safe(name: str, param: str, arguments: dict[str, Any], *, must_fail: bool) -> Any:
    """Call; a failure must be TypeError/ValueError naming ``param``. Returns the result."""
    try:
        result = call(name, arguments)
    except (TypeError, ValueError) as error:
        message = str(error)
        assert re.search(rf"(?<![\w]){re.escape(param)}(?![\w])", message), (
            f"{name}({param}={arguments[param]!r:.60}) raised {type(error).__name__} without "
            f"naming {param!r}: {message[:300]}"
        )
        return None
    except FORBIDDEN as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{name}({param}={arguments[param]!r:.60}) raised {type(error).__name__} "
                    f"from inside the library: {error}")
    if must_fail:
        pytest.fail(f"{name} accepted {param}={arguments[param]!r:.60}, a value of the wrong type")
    return result


# ============================================================================ wrong types


def _frame_missing_columns() -> list[pd.DataFrame]:
    return [pd.DataFrame(), pd.DataFrame({"unrelated": ["x", "y"]})]


def _not_a_frame() -> list[Any]:
    return [None, "events.csv", 42, ["a", "b"], {"date": ["2008-02-17"]}, b"x",
            pd.Series(["2008-02-17"])]


_NOT_STR = [None, b"bytes", 42, 3.5, ["a"], ("a",), pd.DataFrame({"a": ["x"]}), pd.Series(["x"])]

# Wrong values by annotation (as written in the source, since annotations are strings here).
WRONG: dict[str, Callable[[], list[Any]]] = {
    "str": lambda: list(_NOT_STR),
    "pd.DataFrame": _not_a_frame,
    "int": lambda: ["3", 2.5, [1], b"1", True, None],
    "int | None": lambda: ["3", 2.5, [1], b"1", True],
    "bool": lambda: ["yes", None, 1, 0.0],
    "Iterable[str]": lambda: [42, None, "may", [1, 2], b"may", pd.DataFrame({"w": ["may"]})],
    "Iterable[str] | None": lambda: [42, "the", [1, 2], b"the", pd.DataFrame({"w": ["the"]})],
    "DateLike": lambda: [None, [2008], b"2008", 2008.5, {"year": 2008}, object()],
    "DateLike | None": lambda: [[2008], b"2008", 2008.5, {"year": 2008}, object()],
    "Inclusive": lambda: ["sideways", None, 1],
    "str | Iterable[str] | None": lambda: [42, [1], [None], b"brdo-summit"],
    "Chart": lambda: ["chart.png", None, 42, object()],
    "Briefing": lambda: ["a briefing", None, {"title": "T"}, 42],
    "list[tuple[str, str]]": lambda: ["claim", [("only one",)], [(1, 2)], {"a": "b"}, None, 42,
                                      [("a", "b", "c")]],
    "str | Path": lambda: [None, 42, b"page.html", ["page.html"]],
}
# Arguments where a frame without the usual columns is still a valid input (a draft briefing
# may hold any table; problems() then says what is missing).
MISSING_COLUMNS_OK = {("briefing.Briefing", "timeline")}


def _parameters(name: str) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(FUNCTIONS[name]).parameters.values()
            if p.name != "self" and p.name in BASELINES[name]()]


def _wrong_cases() -> list[tuple[str, str, int]]:
    cases = []
    for name in sorted(FUNCTIONS):
        if name in UNCHECKED or name not in BASELINES:
            continue
        for param in _parameters(name):
            values = WRONG[param.annotation]()
            if param.annotation == "pd.DataFrame":
                values += _frame_missing_columns()
            cases += [(name, param.name, i) for i in range(len(values))]
    return cases


def test_every_public_function_has_a_baseline() -> None:
    assert set(FUNCTIONS) == set(BASELINES) | UNCHECKED, (
        "add a baseline call for each new public function (or list it as UNCHECKED)")


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_call_works(name: str) -> None:
    call(name, BASELINES[name]())


def test_every_annotation_has_wrong_values() -> None:
    annotations = {p.annotation for name in BASELINES for p in _parameters(name)}
    assert annotations <= set(WRONG), sorted(annotations - set(WRONG))


@pytest.mark.parametrize(("name", "param", "index"), _wrong_cases())
def test_wrong_types_raise_errors_naming_the_argument(name: str, param: str, index: int) -> None:
    spec = next(p for p in _parameters(name) if p.name == param)
    values = WRONG[spec.annotation]()
    missing_columns = spec.annotation == "pd.DataFrame" and index >= len(values)
    if missing_columns:
        values += _frame_missing_columns()
    arguments = BASELINES[name]()
    value = values[index]
    arguments[param] = (value,) if spec.kind is spec.VAR_POSITIONAL else value
    expect_safe(name, param, arguments,
                must_fail=not (missing_columns and (name, param) in MISSING_COLUMNS_OK))


# ============================================================================ any Unicode

# The odd corners of Unicode a pasted text brings: right-to-left scripts and bidi controls,
# combining marks, zero-width characters, every quote mark, every line break, digits of other
# scripts, and the markers the library itself parses (¶, "table:", dates).
ODD = [
    "שלום", "مرحبا", "کوزوو", "\u202e", "\u202b", "\u200f", "\u2066", "\u2069", "e\u0301",
    "\u0301", "\u20dd", "Vuc\u030cic\u0301", "\u200b", "\u200d", "\ufeff", "\u00ad", '"', "“",
    "”", "„", "«", "»", "‹", "'", "’", "‘", "＂", "\n", "\n\n", "\r\n", "\r", "\u2028", "\u2029",
    "\x0b", "\x0c", "\x85", "\t", " ", "\x00", "١٢", "３", "²", "Ⅻ", "¶", "¶3", "¶ 12", ":",
    "events:", "people:", "glossary:", "recognition:", "2022", "2022-08-17", "in June", "since ",
    "İ", "ß", "ﬁ", "ǅ", "😀", "🇽🇰",
]  # fmt: skip
any_text = st.lists(st.one_of(st.text(max_size=10), st.sampled_from(ODD)), max_size=14).map(
    "".join)


def _str_cases() -> list[tuple[str, str]]:
    return [(name, param.name) for name in sorted(BASELINES) if name not in UNCHECKED
            for param in _parameters(name)
            if param.annotation in STR_ANNOTATIONS and (name, param.name) not in NO_FUZZ]


STR_CASES = _str_cases()


@pytest.mark.parametrize(("name", "param"), STR_CASES)
def test_any_unicode_string_is_handled(name: str, param: str) -> None:
    spec = next(p for p in _parameters(name) if p.name == param)

    @settings(max_examples=25 if name in SLOW else 150, **SAFE_SETTINGS)
    @given(value=any_text)
    def check(value: str) -> None:
        arguments = BASELINES[name]()
        arguments[param] = (value,) if spec.kind is spec.VAR_POSITIONAL else value
        expect_safe(name, param, arguments, must_fail=False)

    check()


@pytest.mark.parametrize(("name", "param"), [
    ("text.modal_phrases", "phrases"), ("text.word_frequencies", "stopwords"),
    ("timeline.in_category", "categories"), ("timeline.plot_timeline", "highlight"),
])
def test_any_collection_of_unicode_strings_is_handled(name: str, param: str) -> None:
    @settings(max_examples=25 if name in SLOW else 150, **SAFE_SETTINGS)
    @given(values=st.lists(any_text, max_size=4))
    def check(values: list[str]) -> None:
        arguments = BASELINES[name]()
        arguments[param] = tuple(values)
        expect_safe(name, param, arguments, must_fail=False)

    check()


@settings(max_examples=150, **SAFE_SETTINGS)
@given(cite=any_text)
def test_a_citation_resolves_exactly_when_it_parses(cite: str) -> None:
    try:
        kind, key = briefing.parse_citation(cite)
    except ValueError as error:
        assert "cite" in str(error)
        with pytest.raises(ValueError, match="cite"):
            briefing.resolve_citation(cite)
        return
    assert kind == "article" or kind in briefing.CITATION_KINDS
    assert key and isinstance(key, str)
    resolved = briefing.resolve_citation(cite)
    assert isinstance(resolved, str) and resolved.strip()


@settings(max_examples=150, **SAFE_SETTINGS)
@given(body=any_text, n=st.integers(-5, 20))
def test_article_paragraphs_of_any_text(body: str, n: int) -> None:
    article = data.Article(body)
    try:
        headline = article.headline
    except ValueError as error:
        assert not body.strip() and "headline" in str(error)
    else:
        assert headline == headline.strip() and "\n" not in headline
    try:
        paragraph = article.paragraph(n)
    except ValueError as error:
        assert re.search(r"\bn\b|article\.txt", str(error))
    else:
        assert paragraph in article.paragraphs and paragraph == paragraph.strip()


@settings(max_examples=30, **SAFE_SETTINGS)
@given(title=any_text.filter(str.strip), body=any_text,
       claims=st.lists(st.tuples(any_text, any_text), max_size=3))
def test_render_escapes_any_title_text_and_claims(title: str, body: str, claims) -> None:
    page = briefing.render(_briefing(title=title, text=body, claims=claims)).html
    assert html.escape(title, quote=True) in page
    for claim, _ in claims:
        assert html.escape(claim, quote=True) in page
    # Whatever a student typed, the page holds no markup of theirs.
    assert page.count("<") == _markup_count(page)


def _markup_count(page: str) -> int:
    # Every "<" in the page opens one of render()'s own tags or closes one.
    return len(re.findall(r"<(?:/?[a-z][a-z0-9]*\b|!DOCTYPE)", page))


@settings(max_examples=150, **SAFE_SETTINGS)
@given(body=any_text)
def test_word_count_is_the_number_of_course_tokens(body: str) -> None:
    assert briefing.word_count(body) == len(text.tokens(body))


# ============================================================================ tables of anything

cells = st.one_of(
    st.none(), st.just(float("nan")), st.just(pd.NaT), any_text, st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.sampled_from(["2008", "2008-02-17", "2022-08-17T10:00", "day", "month", "year", "eu",
                     "law", "brdo-summit", "¶3", "1e400", "-1"]),
    st.datetimes(min_value=pd.Timestamp("1300-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2300-01-01").to_pydatetime()).map(pd.Timestamp),
)
COLUMNS = ["id", "date", "end_date", "precision", "title", "category", "in_article", "speaker",
           "words"]


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    """A small DataFrame with some of the course's column names and cells of any kind."""
    columns = draw(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=len(COLUMNS)))
    rows = draw(st.integers(0, 5))
    frame = pd.DataFrame({c: [draw(cells) for _ in range(rows)] for c in columns},
                         index=range(rows))
    if "date" in columns and draw(st.booleans()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame["date"] = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
    return frame


TABLE_CASES = [
    ("text.quote_share", "quotes"),
    ("timeline.between", "events"),
    ("timeline.event_date", "events"),
    ("timeline.in_category", "events"),
    ("timeline.match_relative", "events"),
    ("timeline.mentioned_in_article", "events"),
    ("timeline.plot_timeline", "events"),
    ("briefing.Briefing", "timeline"),
]


def test_table_cases_cover_every_frame_argument() -> None:
    frames = {(name, p.name) for name in BASELINES for p in _parameters(name)
              if p.annotation == "pd.DataFrame"}
    assert frames == set(TABLE_CASES)


@pytest.mark.parametrize(("name", "param"), TABLE_CASES)
def test_tables_of_any_cells_are_handled(name: str, param: str) -> None:
    # A draft briefing is rendered too (below), which makes it as slow as plot_timeline.
    slow = name in SLOW or name == "briefing.Briefing"

    @settings(max_examples=25 if slow else 150, **SAFE_SETTINGS)
    @given(frame=tables())
    def check(frame: pd.DataFrame) -> None:
        arguments = BASELINES[name]()
        arguments[param] = frame
        result = expect_safe(name, param, arguments, must_fail=False)
        if isinstance(result, briefing.Briefing):
            briefing.render(result)  # a draft with any table still lays out

    check()


# ============================================================================ a megabyte

MEGABYTE = 1_000_000


def _megabyte() -> str:
    article = _article().text
    return ((article + "\n\n") * (MEGABYTE // len(article) + 1))[: MEGABYTE + 1]


def _long_cases() -> list[tuple[str, str]]:
    # tests/test_text.py already runs a megabyte of `text` through the text functions.
    return [(name, param) for name, param in STR_CASES
            if not (name.startswith("text.") and param == "text")]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "param"), _long_cases())
def test_a_megabyte_in_any_string_argument(name: str, param: str) -> None:
    spec = next(p for p in _parameters(name) if p.name == param)
    value = _megabyte()
    arguments = BASELINES[name]()
    arguments[param] = (value,) if spec.kind is spec.VAR_POSITIONAL else value
    # No clock here: pytest-timeout stops a call that stops making progress, and
    # benchmarks/text.py measures the speed (kwic and modal_phrases compile a 1 MB pattern).
    expect_safe(name, param, arguments, must_fail=False)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("cite", ["¶" + "1" * MEGABYTE, "p" + "9" * MEGABYTE,
                                  "events:" + "x" * MEGABYTE, "people:" + "Vučić " * 150_000])
def test_a_megabyte_citation(cite: str) -> None:
    with pytest.raises(ValueError, match="^cite"):
        briefing.parse_citation(cite)


@pytest.mark.timeout(120)
def test_a_megabyte_briefing_renders() -> None:
    big = _megabyte()
    page = briefing.render(_briefing(title=big[:200_000], text=big, claims=[(big, "¶3")] * 3))
    assert page.words == len(text.tokens(big))


# ============================================================================ the bugs found
# Each input below broke the library before this module was written.


def test_quote_share_refuses_counts_that_are_not_whole_numbers() -> None:
    # inf raised OverflowError; 2.5 was silently counted as 2; 1e300 raised OverflowError.
    for words in ([float("inf")], [2.5], [1e300], [2**62, 2**62]):
        frame = pd.DataFrame({"speaker": ["Vucic"] * len(words), "words": words})
        with pytest.raises(ValueError, match=r"quotes\['words'\]"):
            text.quote_share(frame)
    whole = pd.DataFrame({"speaker": ["Vucic", "Stoltenberg"], "words": [3.0, np.int64(4)]})
    assert text.quote_share(whole)["words"].tolist() == [4, 3]


def test_event_date_with_a_missing_id_suggests_present_ids() -> None:
    # A None id made difflib raise "TypeError: object of type 'float' has no len()".
    frame = events()
    frame.loc[0, "id"] = None
    with pytest.raises(ValueError, match=r"event_id 'brdo-sumit'.*'brdo-summit'"):
        timeline.event_date(frame, "brdo-sumit")


def test_plot_timeline_highlight_with_a_missing_id() -> None:
    frame = events()
    frame.loc[0, "id"] = None
    with pytest.raises(ValueError, match=r"highlight: 'brdo-sumit'.*'brdo-summit'"):
        timeline.plot_timeline(frame, title="T", highlight="brdo-sumit")


def test_plot_timeline_names_a_label_column_that_is_not_there() -> None:
    # The message used to name only `events`, not the argument that was wrong.
    with pytest.raises(ValueError, match=r"label_column 'name' is not a column of events"):
        timeline.plot_timeline(events(), title="T", label_column="name")


def test_article_of_an_empty_or_non_text() -> None:
    # Article("").headline raised IndexError; Article(None) failed later with AttributeError.
    with pytest.raises(ValueError, match="headline"):
        data.Article("   \n ").headline  # noqa: B018 -- the property access is the test
    with pytest.raises(TypeError, match=r"^text must be a str, got NoneType"):
        data.Article(None)  # type: ignore[arg-type]


def test_paragraph_accepts_a_number_read_from_a_table() -> None:
    # quotes["paragraph"] holds numpy.int64, which paragraph() used to refuse.
    first = text.find_quotes(_article().body)["paragraph"].iloc[0]
    assert isinstance(first, np.integer)
    assert _article().paragraph(first) == _article().paragraphs[int(first) - 1]


@pytest.mark.parametrize(("function", "param"), [(text.modal_phrases, "phrases"),
                                                  (text.word_frequencies, "stopwords")])
def test_a_dataframe_is_not_a_list_of_words(function, param: str) -> None:
    # A DataFrame iterates over its column names: modal_phrases counted "word" and "count".
    with pytest.raises(TypeError, match=rf"^{param} must be a collection of str, got a DataFrame"):
        function("It may be.", pd.DataFrame({"word": ["may"], "count": [1]}))
    assert function("It may be.", pd.Series(["may"])) is not None  # one column is fine


def test_a_paragraph_number_too_long_for_int_names_the_citation() -> None:
    # int() refused it with "Exceeds the limit (4300 digits) ...", naming no argument.
    with pytest.raises(ValueError, match=r"^cite '¶1111.*body paragraphs are ¶1 to ¶11"):
        briefing.parse_citation("¶" + "1" * 5000)
    with pytest.raises(ValueError, match=r"^cite 'p9999.*Did you mean '¶9999"):
        briefing.parse_citation("p" + "9" * 5000)


def test_save_refuses_a_path_it_cannot_write(tmp_path: Path) -> None:
    page = briefing.RenderedBriefing("<p>x</p>", "T", 1)
    for path in (tmp_path / "page.txt", tmp_path / "missing" / "page.html"):
        with pytest.raises(ValueError, match="^path"):
            page.save(path)
    assert page.save(tmp_path / "page.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
