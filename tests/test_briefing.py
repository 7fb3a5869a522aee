"""course.briefing: citations resolve (or fail helpfully), briefings type-check, render escapes."""

from __future__ import annotations

import re
import subprocess
import sys
from html import escape

import pandas as pd
import pytest
from matplotlib.figure import Figure

from course import briefing as module
from course.briefing import (
    CITATION_KINDS,
    Briefing,
    RenderedBriefing,
    parse_citation,
    render,
    resolve_citation,
    word_count,
)
from course.data import (
    load_article,
    load_countries,
    load_events,
    load_glossary,
    load_people,
    load_recognition,
)
from course.plots import Chart, bar_chart
from course.text import tokens
from course_helpers import ROOT

ARTICLE = load_article()
TABLES = {
    "events": (load_events, "id"),
    "countries": (load_countries, "country"),
    "people": (load_people, "name"),
    "recognition": (load_recognition, "member_state"),
    "glossary": (load_glossary, "term"),
}
IDS = ["declaration-of-independence", "serbia-negotiations-decision", "north-kosovo-barricades",
       "nato-press-conference"]
CLAIMS = [
    ("Stoltenberg said KFOR stands ready to intervene if stability is jeopardised.", "¶3"),
    ("Spain does not recognise Kosovo, citing international law and no UN Security Council basis.",
     "recognition:Spain"),
    ("Albin Kurti was Kosovo's prime minister at the time of the article.", "people:Kurti"),
]
TEXT = "Kosovo and Serbia disagree about Kosovo's status. " * 35  # 245 word tokens


@pytest.fixture(scope="module")
def chart():
    return bar_chart(pd.Series({"recognise": 22, "do not recognise": 5}),
                     title="EU member states and Kosovo", xlabel="Position",
                     ylabel="Member states")


def timeline(ids=IDS):
    events = load_events()
    return events[events["id"].isin(ids)][["id", "date", "title"]].reset_index(drop=True)


def make(chart, **changes):
    parts = {"title": "Kosovo and Serbia, August 2022", "figure": chart, "timeline": timeline(),
             "claims": CLAIMS, "text": TEXT}
    parts.update(changes)
    return Briefing(**parts)


# --------------------------------------------------------------------------- citations


def test_paragraph_citations_return_the_body_paragraphs():
    for n, paragraph in enumerate(ARTICLE.paragraphs, start=1):
        assert resolve_citation(f"¶{n}") == paragraph
    assert resolve_citation(" ¶ 3 ") == ARTICLE.paragraph(3)
    assert parse_citation("¶11") == ("article", "11")


@pytest.mark.parametrize("kind", list(TABLES))
def test_every_row_of_every_table_resolves_to_one_line(kind):
    loader, column = TABLES[kind]
    for key in loader()[column]:
        line = resolve_citation(f"{kind}:{key}")
        assert "\n" not in line
        assert line.startswith(str(key)) or kind == "events"
        assert re.search(rf"\[{re.escape(CITATION_KINDS[kind])}, "
                         r"(verified|partly|general-knowledge|reported)\]$", line), line
        assert parse_citation(f"{kind}:{key}") == (kind, key)


def test_row_descriptions_carry_what_a_reader_needs():
    assert "(2013-06)" in resolve_citation("events:serbia-negotiations-decision")
    assert "2011-03-08 to 2011-03-09" in resolve_citation("events:dialogue-first-round")
    kosovo = resolve_citation("countries:Kosovo")
    assert "potential candidate" in kosovo and "1,586,659" in kosovo
    assert "does not recognise" in resolve_citation("recognition:Spain")
    cyprus = resolve_citation("recognition:Cyprus")
    assert "Official reason: international law" in cyprus and "Reported explanation" in cyprus
    assert "recognises Kosovo" in resolve_citation("recognition:Austria")
    assert "not quoted" in resolve_citation("people:Kurti")
    assert "Named and quoted" in resolve_citation("people:Stoltenberg")
    assert "Not named" in resolve_citation("people:Borrell")
    assert "administrative line" in resolve_citation("glossary:border")


@pytest.mark.parametrize(("cite", "canonical"), [
    ("people:Vučić", ("people", "Aleksandar Vucic")),
    ("people:vucic", ("people", "Aleksandar Vucic")),
    ("people:Александар Вучић", ("people", "Aleksandar Vucic")),
    ("PEOPLE : Lajčák", ("people", "Miroslav Lajcak")),
    ("countries:Bosnia-Herzegovina", ("countries", "Bosnia and Herzegovina")),
    ("countries:north macedonia", ("countries", "North Macedonia")),
    ("glossary:KFOR", ("glossary", "KFOR (Kosovo Force)")),
    ("glossary:administrative line", ("glossary", "border / administrative line")),
    ("glossary:unilateral declaration of independence",
     ("glossary", "declaration of independence / unilateral declaration of independence (UDI)")),
    ("glossary:March pogrom", ("glossary", "March 2004 unrest / March pogrom")),
    ("glossary:Kosovo", ("glossary", "Kosovo")),
    ("glossary:Kosovo*", ("glossary", "Kosovo* (asterisk designation)")),
    ("events: brdo-summit ", ("events", "brdo-summit")),
])
def test_aliases_resolve_to_one_canonical_row(cite, canonical):
    assert parse_citation(cite) == canonical


def test_a_spelling_shared_by_two_rows_is_accepted_for_neither():
    frame = pd.DataFrame({"term": ["alpha / beta", "beta / gamma"]})
    table = module._table("glossary", frame, "term",
                          lambda r: module._glossary_aliases(r["term"]))
    assert table.lookup("alpha") == "alpha / beta"
    assert table.lookup("beta") is None


@pytest.mark.parametrize(("cite", "words"), [
    ("¶0", "¶1 to ¶11"),
    ("¶12", "¶1 to ¶11"),
    ("p3", "Did you mean '¶3'"),
    ("paragraph 3", "Did you mean '¶3'"),
    ("7", "Did you mean '¶7'"),
    ("event:brdo-summit", "Did you mean 'events'"),
    ("events:brdo", "Did you mean 'events:brdo-summit'"),
    ("countries:Macedonia", "countries:North Macedonia"),
    ("people:", "no row after the colon"),
    ("Kosovo declared independence", "not a citation"),
    ("", "must not be empty"),
])
def test_unresolvable_citations_name_themselves_and_suggest(cite, words):
    with pytest.raises(ValueError) as info:
        resolve_citation(cite)
    message = str(info.value)
    assert words in message
    if cite:
        assert repr(cite) in message


@pytest.mark.parametrize("cite", [3, None, ["¶3"], b"\xc2\xb63"])
def test_a_citation_must_be_text(cite):
    with pytest.raises(TypeError, match="cite must be a string"):
        resolve_citation(cite)


def test_word_count_uses_the_course_tokens():
    text = "Kosovo-Serbia talks -- again; NATO's KFOR 'ready'."
    assert word_count(text) == len(tokens(text))
    assert word_count("") == 0
    with pytest.raises(TypeError, match="text must be a str"):
        word_count(["words"])


# --------------------------------------------------------------------------- the dataclass


@pytest.mark.parametrize(("change", "error", "words"), [
    ({"title": 5}, TypeError, "title"),
    ({"title": "  "}, ValueError, "title"),
    ({"figure": Figure()}, TypeError, "figure must be a Chart"),
    ({"timeline": IDS}, TypeError, "timeline must be a pandas DataFrame"),
    ({"claims": "¶3"}, TypeError, "claims must be a list"),
    ({"claims": {"a claim": "¶3"}}, TypeError, "claims must be a list"),
    ({"claims": [("a claim", "¶3", "extra")]}, TypeError, "claims item 1"),
    ({"claims": [("a claim", 3)]}, TypeError, "claims item 1"),
    ({"text": None}, TypeError, "text must be a str"),
])
def test_briefing_checks_its_arguments(chart, change, error, words):
    with pytest.raises(error, match=words):
        make(chart, **change)


def test_a_finished_briefing_has_no_problems(chart):
    done = make(chart, claims=[list(pair) for pair in CLAIMS])
    assert done.claims == CLAIMS and all(isinstance(c, tuple) for c in done.claims)
    assert done.words == 245
    assert done.problems() == []


def test_a_draft_lists_what_is_missing(chart):
    draft = make(chart, text="Too short.", claims=CLAIMS[:1] + [("A claim.", "¶99")],
                 timeline=pd.DataFrame({"id": ["made-up"], "date": ["2022-01-01"]}))
    problems = "\n".join(draft.problems())
    for words in ["text: 2 words", "claims: 2", "claim 2: cite '¶99'", "timeline: 1 rows",
                  "ids not in events.csv: made-up"]:
        assert words in problems
    no_ids = make(chart, timeline=timeline().drop(columns="id"))
    assert any("'id' column" in p for p in no_ids.problems())


# --------------------------------------------------------------------------- rendering


def test_render_lays_out_one_page(chart):
    page = render(make(chart))
    assert isinstance(page, RenderedBriefing)
    html = page._repr_html_()
    assert html.count("<img") == 1 and f'alt="{escape(chart.alt)}"' in html
    assert "data:image/png;base64," in html
    assert html.count("<tr>") == 1 + len(IDS)  # header + one row per event
    assert "<td style=\"padding-right:1em;white-space:nowrap\">2013-06</td>" in html
    assert len(re.findall(r"<li id='[0-9a-f]{8}-fn\d'", html)) == 3
    assert "245 words (target 200–300)" in html
    assert "Draft" not in html
    assert "¶3 — RFE/RL, 17 August 2022" in html
    assert repr(page) == "<Briefing 'Kosovo and Serbia, August 2022': 245 words>"


def test_render_escapes_everything(chart):
    evil = "<script>alert('x')</script>"
    page = render(make(chart, title=evil, text=evil + " " + TEXT,
                       claims=[(evil + " KFOR is ready to intervene, he said.", "¶3")]))
    assert "<script>" not in page.html
    assert "&lt;script&gt;" in page.html


def test_render_shows_a_broken_citation_instead_of_failing(chart):
    page = render(make(chart, claims=CLAIMS[:2] + [("Something made up entirely here.",
                                                    "events:nope")]))
    assert "Citation not found" in page.html
    assert "Draft: not finished yet" in page.html


def test_render_wants_a_briefing():
    with pytest.raises(TypeError, match="briefing must be a Briefing"):
        render({"title": "x"})


def test_save_writes_a_standalone_page(chart, tmp_path):
    page = render(make(chart))
    target = page.save(tmp_path / "briefing.html")
    saved = target.read_text(encoding="utf-8")
    assert saved.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in saved
    assert page.html in saved
    with pytest.raises(ValueError, match=r"\.html"):
        page.save(tmp_path / "briefing.png")
    with pytest.raises(ValueError, match="does not exist"):
        page.save(tmp_path / "missing" / "briefing.html")
    with pytest.raises(TypeError, match="path must be"):
        page.save(3)


def test_two_briefings_on_one_page_do_not_share_anchors(chart):
    first = render(make(chart)).html
    second = render(make(chart, title="Another title for the same page")).html
    anchors = set(re.findall(r"id='([0-9a-f]{8})-fn1'", first))
    assert anchors and anchors.isdisjoint(re.findall(r"id='([0-9a-f]{8})-fn1'", second))


def test_a_hand_made_chart_is_still_a_chart():
    figure = Figure()
    hand = Chart(figure, figure.add_subplot(), title="By hand", alt="A figure made by hand.")
    assert isinstance(make(hand).figure, Chart)


# --------------------------------------------------------------------------- boundaries


def test_importing_briefing_stays_light_and_student_facing():
    code = (
        "import sys, course.briefing\n"
        "bad = [m for m in ('matplotlib', 'ipywidgets', 'course.checks', 'course.grading')\n"
        "       if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported by course.briefing: {out.stdout.strip()}"
    source = (ROOT / "course" / "briefing.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+course\.(checks|grading)", source, re.M)


def test_public_functions_are_documented():
    for name in module.__all__:
        obj = getattr(module, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
