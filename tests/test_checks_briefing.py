"""Assignment 06's checks: the answer key passes, typical mistakes get teaching messages, and the
hidden checks catch what the visible ones cannot."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

import course.briefing as briefing_module
from check_harness import Case, assert_passes, case_tests
from course.briefing import CITATION_KINDS, Briefing, parse_citation
from course.checks import CheckFailed, check, check_hidden
from course.checks.briefing import _raw_key
from course.data import (
    load_article,
    load_countries,
    load_events,
    load_glossary,
    load_people,
    load_recognition,
    load_transcripts,
)
from course.plots import Chart, bar_chart, status_chart
from course.text import tokens

ARTICLE = load_article()
EVENTS = load_events()
IDS = ["kfor-enters-kosovo", "declaration-of-independence", "icj-advisory-opinion",
       "dialogue-first-round", "north-kosovo-barricades", "nato-press-conference"]


# --------------------------------------------------------------------------- building blocks


def good_excerpt(events, ids):
    known = set(events["id"])
    for event_id in ids:
        if event_id not in known:
            raise ValueError(f"unknown id {event_id!r}")
    chosen = events[events["id"].isin(ids)].sort_values("date", kind="stable")
    return chosen[["id", "date", "title"]].reset_index(drop=True)


def _checked(fn):
    """Wrap an excerpt function with the id check, to isolate one other mistake."""
    def wrapped(events, ids):
        missing = [i for i in ids if i not in set(events["id"])]
        if missing:
            raise ValueError(f"unknown id {missing[0]!r}")
        return fn(events, ids)
    return wrapped


def _rows(events, ids):
    return events[events["id"].isin(ids)]


keeps_all_columns = _checked(lambda e, i: _rows(e, i).reset_index(drop=True))
wrong_column_order = _checked(
    lambda e, i: _rows(e, i)[["date", "id", "title"]].reset_index(drop=True))
newest_first = _checked(lambda e, i: _rows(e, i).sort_values("date", ascending=False)[
    ["id", "date", "title"]].reset_index(drop=True))
keeps_index = _checked(lambda e, i: _rows(e, i).sort_values("date")[["id", "date", "title"]])
unsorted = _checked(lambda e, i: _rows(e, i)[["id", "date", "title"]].reset_index(drop=True))


def silently_drops(events, ids):
    return events[events["id"].isin(ids)].sort_values("date")[
        ["id", "date", "title"]].reset_index(drop=True)


def raises_key_error(events, ids):
    frame = events.set_index("id").loc[list(ids)].reset_index()
    return frame.sort_values("date")[["id", "date", "title"]].reset_index(drop=True)


def unnamed_error(events, ids):
    if not set(ids) <= set(events["id"]):
        raise ValueError("an id is missing")
    return good_excerpt(events, ids)


def edits_its_input(events, ids):
    events.loc[events.index[0], "title"] = "changed"
    return good_excerpt(events, ids)


def hardcoded(events, ids):
    return good_excerpt(load_events(), ids)


def crashes(events, ids):
    raise RuntimeError("not written yet")


def chart():
    return status_chart(load_countries(), status_column="status_2022_08_17",
                        title="EU status of the six Western Balkans states, 17 August 2022")


def hand_made_chart(title="A figure made by hand", alt="A figure made by hand that shows "
                    "nothing at all, for testing."):
    figure = Figure()
    return Chart(figure, figure.add_subplot(), title=title, alt=alt)


CLAIMS = [
    ("NATO's Secretary-General called on all sides to show restraint and said KFOR stands ready "
     "to intervene should stability be put at risk.", "¶3"),
    ("On 31 July 2022 there were barricades, sirens and shots in northern Kosovo; that night "
     "Kosovo's government postponed its measures on licence plates and entry/exit documents.",
     "events:north-kosovo-barricades"),
    ("Spain is one of the EU member states that do not recognise Kosovo; the reason it gives is "
     "international law and no UN Security Council basis.", "recognition:Spain"),
]


def claims_with(index, claim=None, cite=None):
    changed = list(CLAIMS)
    old_claim, old_cite = changed[index]
    changed[index] = (claim if claim is not None else old_claim,
                      cite if cite is not None else old_cite)
    return changed


# Seven tokens repeated: 280 word tokens, none of them copied from the article.
OWN_TEXT = "Kosovo and Serbia disagree about Kosovo's status. " * 40
PASTED_TEXT = " ".join(tokens(ARTICLE.body)[:250])


def excerpt(ids=IDS):
    return good_excerpt(EVENTS, ids)


def edited(column, value):
    frame = excerpt()
    frame.loc[1, column] = value
    return frame


def briefing(**changes):
    parts = {"title": "Kosovo and Serbia in August 2022", "figure": chart(),
             "timeline": excerpt(), "claims": CLAIMS, "text": OWN_TEXT}
    parts.update(changes)
    return Briefing(**parts)


RIGHT_STATUS_SENTENCE = ("On 17 August 2022, four of the six Western Balkans states had EU "
                         "candidate status; the other two were potential candidates.")

CASES = {
    "6.1": Case(lambda: "¶9", [
        (9, "should be text"),
        ("9", "not yet a citation"),
        ("p9", "not yet a citation"),
        ("¶11", "headline and the caption"),
        ("¶10", "caption"),
        ("¶8", "counts from 0"),
        ("¶12", "points past the body"),
        ("¶4", "not the one"),
        ("paragraph nine", "not a paragraph citation"),
        (..., "placeholder"),
    ]),
    "6.2": Case(lambda: "events:energy-roadmap", [
        ("energy-roadmap", "id without its table"),
        ("¶7", "cannot corroborate itself"),
        ("events:plates-documents-decisions", "the two sides agreed"),
        ("events:brdo-summit", "another paragraph"),
        ("events:serbia-candidate", "does not refer to"),
        ("countries:Kosovo", "cites the countries table"),
        ("events:energy roadmap", "does not resolve"),
        (["events:energy-roadmap"], "should be text"),
    ]),
    "6.3": Case(lambda: RIGHT_STATUS_SENTENCE, [
        ("All six Western Balkans states were EU candidates in August 2022.", "potential"),
        ("On 17 August 2022 some were candidates and some were potential candidates.",
         "both counts"),
        ("On 17 August 2022, all six were candidates or potential candidates: 6 in all.",
         "as one group"),
        ("On 17 August 2022, three had candidate status and three were potential candidates.",
         "both counts"),
        ("Four of the six had candidate status and two were potential candidates.", "no date"),
        ("4 and 2 potential", "too short"),
        (4, "text in quotes"),
    ]),
    "6.4": Case(lambda: good_excerpt, [
        (None, "should be a function"),
        (lambda events, ids: None, "should be a pandas DataFrame"),
        (crashes, "raised RuntimeError"),
        (keeps_all_columns, "more columns"),
        (wrong_column_order, "another order"),
        (newest_first, "not in date order"),
        (keeps_index, "row labels"),
        (silently_drops, "silently leaves out"),
        (raises_key_error, "not ValueError"),
        (unnamed_error, "does not name it"),
        (edits_its_input, "changes the table"),
    ]),
    "6.5": Case(excerpt, [
        (IDS, "should be a pandas DataFrame"),
        (excerpt()["id"], "should be a pandas DataFrame"),
        (excerpt(IDS[:3]), "has 3 rows"),
        (good_excerpt(EVENTS, EVENTS["id"].tolist()[:9]), "has 9 rows"),
        (excerpt()[["id", "date"]], "missing the column"),
        (edited("id", "made-up-event"), "not in events.csv"),
        (edited("id", IDS[0]), "same event twice"),
        (edited("date", pd.Timestamp("2009-01-01")), "date that differs"),
        (edited("title", "Independence"), "changes the title"),
        (excerpt().iloc[::-1].reset_index(drop=True), "not in date order"),
    ]),
    "6.6": Case(chart, [
        (None, "is None"),
        (Figure(), "matplotlib Figure"),
        ("status_chart(...)", "should be a Chart"),
        (hand_made_chart(alt="A chart."), "alt text"),
        (hand_made_chart(title="Status"), "title of fewer"),
        (..., "placeholder"),
    ]),
    "6.7": Case(lambda: CLAIMS, [
        (dict(CLAIMS), "is a dict"),
        (tuple(CLAIMS), "square brackets"),
        (CLAIMS[:2], "has 2 claims"),
        (CLAIMS + [CLAIMS[0]], "has 4 claims"),
        (CLAIMS[:2] + ["one claim"], "not a pair"),
        ([(cite, claim) for claim, cite in CLAIMS], "citation first"),
        (claims_with(0, claim="KFOR is ready."), "has 3 words: too few"),
        (claims_with(0, claim="KFOR is ready " * 21), "too many"),
        (claims_with(0, cite="¶30"), "does not resolve"),
        (claims_with(0, cite="Paragraph 3"), "does not resolve"),
        (claims_with(1, claim="Stoltenberg said NATO continues to monitor the situation on the "
                     "ground closely.", cite="¶3"), "same source"),
        (claims_with(0, claim="Kosovo's Assembly declared independence from Serbia in 2008, "
                     "with Serb members boycotting.", cite="events:declaration-of-independence"),
         "cites no paragraph"),
        ([CLAIMS[0], ("Vucic expected difficult talks with his counterpart from Kosovo.", "¶5"),
          ("Normalising relations is seen as crucial to both bids to join the EU.", "¶10")],
         "cites only the article"),
        (claims_with(0, claim=ARTICLE.paragraph(3).split(". ")[0].lstrip('"')), "word for word"),
        (claims_with(0, claim='Stoltenberg said NATO is "ready to fight" if stability is '
                     "jeopardized."), "quotes words its source does not contain"),
        (claims_with(2, claim="Madrid is a large capital city in the south-west of Europe, with "
                     "a long history."), "shares no word"),
    ]),
    "6.8": Case(lambda: OWN_TEXT, [
        (123, "should be text"),
        ("", "is empty"),
        ("Kosovo and Serbia. " * 20, "too few"),
        ("Kosovo and Serbia. " * 120, "too many"),
        ("Kosovo -- " * 150, "Splitting on spaces"),
        ([OWN_TEXT], "should be text"),
        (..., "placeholder"),
    ]),
    "6.9": Case(briefing, [
        ({"title": "A briefing"}, "is a dict"),
        ("My briefing", "should be a Briefing"),
        (..., "placeholder"),
        (briefing(title="Kosovo"), "title 1 word long"),
        (briefing(claims=CLAIMS[:2]), "has 2 claims"),
        (briefing(text="Too short."), "too few"),
        (briefing(timeline=excerpt(IDS[:2])), "has 2 rows"),
        (briefing(figure=hand_made_chart(alt="Short.")), "alt text"),
    ]),
}


test_right_answer_passes, test_wrong_answer_teaches = case_tests(CASES)


def test_accepted_variants(capsys):
    assert_passes("6.1", " ¶ 9 ", capsys)
    assert_passes("6.2", "Events: energy-roadmap", capsys)
    # A timeline may keep every column, and dates may be ISO text, as long as nothing is edited.
    full = EVENTS[EVENTS["id"].isin(IDS)].reset_index(drop=True)
    assert_passes("6.5", full, capsys)
    as_text = excerpt().assign(date=excerpt()["date"].dt.strftime("%Y-%m-%d"))
    assert_passes("6.5", as_text, capsys)
    assert_passes("6.7", [list(pair) for pair in CLAIMS], capsys)
    assert_passes("6.7", claims_with(2, cite="recognition:spain"), capsys)


# --------------------------------------------------------------------------- hidden checks


def test_hidden_excerpt_catches_a_function_that_ignores_its_table():
    check("6.4", hardcoded)  # the visible check cannot tell...
    with pytest.raises(CheckFailed, match="timeline_excerpt"):
        check_hidden("6.4", hardcoded)  # ...the hidden one, on an unseen table, can
    check_hidden("6.4", good_excerpt)


def test_self_check_catches_a_missing_sort():
    for _ in range(5):  # the self-check now also tries the table shuffled, with random ids
        with pytest.raises(CheckFailed, match="not in date order"):
            check("6.4", unsorted)
    with pytest.raises(CheckFailed, match="not in date order"):
        check_hidden("6.4", unsorted)


def test_hidden_figure_catches_an_empty_hand_made_chart():
    empty = hand_made_chart()
    check("6.6", empty)
    with pytest.raises(CheckFailed, match="empty figure"):
        check_hidden("6.6", empty)
    check_hidden("6.6", chart())


def test_hidden_figure_wants_a_drawn_title():
    figure = Figure()
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1])
    drawn = Chart(figure, ax, title="A line drawn by hand", alt="A line drawn by hand, rising "
                  "from left to right, for testing.")
    with pytest.raises(CheckFailed, match="no title drawn"):
        check_hidden("6.6", drawn)


def test_hidden_claims_resolve_in_the_raw_files(monkeypatch):
    fake = claims_with(1, claim="On 31 July 2022 NATO met in Pristina to discuss barricades.",
                       cite="events:made-up-meeting")
    real_parse, real_resolve = briefing_module.parse_citation, briefing_module.resolve_citation

    def parse(cite):
        return ("events", "made-up-meeting") if "made-up" in cite else real_parse(cite)

    def resolve(cite):
        return "NATO met in Pristina about barricades." if "made-up" in cite else real_resolve(cite)

    # A notebook could patch the library; the visible check then believes the citation...
    monkeypatch.setattr(briefing_module, "parse_citation", parse)
    monkeypatch.setattr(briefing_module, "resolve_citation", resolve)
    check("6.7", fake)
    # ...but the hidden check reads the data files itself.
    with pytest.raises(CheckFailed, match="does not resolve in the data files"):
        check_hidden("6.7", fake)
    check_hidden("6.7", CLAIMS)


def test_hidden_text_catches_the_article_pasted_in():
    check("6.8", PASTED_TEXT)
    with pytest.raises(CheckFailed, match="copies most of its words"):
        check_hidden("6.8", PASTED_TEXT)
    check_hidden("6.8", OWN_TEXT)
    # Quoting a sentence or two is fine.
    quoting = OWN_TEXT + ' Stoltenberg said: "' + ARTICLE.paragraph(3) + '"'
    check_hidden("6.8", " ".join(tokens(quoting)[:300]))


def test_hidden_briefing_checks_the_parts_it_holds():
    with_empty_chart = briefing(figure=hand_made_chart())
    check("6.9", with_empty_chart)
    with pytest.raises(CheckFailed, match="answer_6_9.figure"):
        check_hidden("6.9", with_empty_chart)
    pasted = briefing(text=PASTED_TEXT)
    with pytest.raises(CheckFailed, match="answer_6_9.text"):
        check_hidden("6.9", pasted)
    check_hidden("6.9", briefing())


# --------------------------------------------------------------------------- raw resolver


def _every_accepted_citation():
    """Every spelling course.briefing accepts: canonical keys and their aliases."""
    tables = {
        "events": load_events()["id"],
        "countries": load_countries()["country"],
        "people": pd.concat([load_people()["name"],
                             load_people()["name"].str.split().str[-1]]),
        "recognition": load_recognition()["member_state"],
        "glossary": load_glossary()["term"],
        "transcripts": load_transcripts()["id"],
    }
    cites = [f"¶{n}" for n in range(1, len(ARTICLE.paragraphs) + 1)]
    cites += [f"{kind}:{key}" for kind, keys in tables.items() for key in keys]
    cites += ["people:Vučić", "people:Александар Вучић", "countries:Bosnia-Herzegovina",
              "eu_recognition:Spain", "Recognition:cyprus", "events.csv:brdo-summit",
              "glossary:border", "glossary:administrative line", "glossary:KFOR",
              "glossary:March pogrom", "glossary:unilateral declaration of independence",
              "glossary:Brussels Agreement", "glossary:kosovo*"]
    return cites


def test_raw_resolver_agrees_with_the_library():
    cites = _every_accepted_citation()
    assert set(CITATION_KINDS) == {"events", "countries", "people", "recognition", "glossary",
                                   "transcripts"}
    for cite in cites:
        kind, key = parse_citation(cite)
        assert _raw_key(cite) == (kind, key), cite


@pytest.mark.parametrize("cite", ["¶0", "¶12", "events:nope", "glossary:", "nations:Serbia",
                                  "3", "people:Borrell Lajcak"])
def test_raw_resolver_rejects_what_the_library_rejects(cite):
    with pytest.raises(ValueError):
        parse_citation(cite)
    assert _raw_key(cite) is None


def test_visible_chart_check_accepts_every_course_figure(capsys):
    bars = bar_chart(load_recognition()["recognises_kosovo"].value_counts(),
                     title="Recognition of Kosovo among the 27 EU member states",
                     xlabel="Recognises Kosovo", ylabel="Member states")
    assert_passes("6.6", bars, capsys)
    check_hidden("6.6", bars)


def test_checks_print_no_warnings(capsys):
    # Any warning in a test cell scores zero under nbgrader: ambiguous date text must stay quiet.
    import warnings

    day_first = excerpt().assign(date=excerpt()["date"].dt.strftime("%d/%m/%Y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CheckFailed, match="ISO text"):
            check("6.5", day_first)
        for qid, case in CASES.items():
            check_hidden(qid, case.right())
    assert "Warning" not in capsys.readouterr().err
