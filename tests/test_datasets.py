"""The datasets: valid Frictionless package, faithful to the article and to the fact sheet."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets"
# CI checks out shared/ beside the clone; the fact sheet and the original article live there.
SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_ARTICLE = SHARED / "sources/article.txt"
FACTS = SHARED / "reference/facts.md"

ARTICLE_DATE = date(2022, 8, 17)
CSV_FILES = ["events.csv", "countries.csv", "eu_recognition.csv", "people.csv", "glossary.csv"]
TRANSCRIPTS = "transcripts.csv"
CONFIDENCE = {"verified", "partly", "general-knowledge", "reported"}
NON_RECOGNISERS = {"Cyprus", "Greece", "Romania", "Slovakia", "Spain"}
SIX = {"Serbia", "Kosovo", "Montenegro", "Albania", "North Macedonia", "Bosnia and Herzegovina"}
GK_MENTION = re.compile(r"general knowledge|\bGK\b")


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def iso(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


@pytest.fixture(scope="module")
def article_text() -> str:
    return (DATA / "article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def metadata() -> dict:
    return json.loads((DATA / "article.json").read_text(encoding="utf-8"))


def added_sources() -> list[str]:
    """The entries (S108 onwards) of datasets/README.md's "Sources beyond the fact sheet"."""
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Sources beyond the fact sheet\n", 1)[1].split("\n\n## ", 1)[0]
    listing = next(p for p in section.split("\n\n") if p.startswith("S108 "))
    return listing.strip().split(" · ")


@pytest.fixture(scope="module")
def fact_sources() -> dict[str, str]:
    """Map each S-number of the fact sheet to its URL text, rendered as the CSVs cite it."""
    if not FACTS.is_file():
        pytest.skip(f"fact sheet not found at {FACTS} (shared/ is not beside this checkout)")
    text = FACTS.read_text(encoding="utf-8")
    # The source list ends where the next section (source quality, §9) begins.
    listing = text.split("## Sources\n", 1)[1].split("\n\n## ", 1)[0]
    entries = listing.split(" · ") + added_sources()
    sources = {}
    for entry in entries:
        sid, rest = entry.strip().split(" ", 1)
        sources[sid] = rest.replace("; ", ", ")
    return sources


# --------------------------------------------------------------------------- the package


def test_datapackage_validates_with_frictionless() -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(DATA / "datapackage.json")
    errors = report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors
    assert {task.name for task in report.tasks} >= {"article-text", "events", "glossary"}


def test_datapackage_describes_every_data_file(package: dict) -> None:
    described = {resource["path"] for resource in package["resources"]}
    on_disk = {p.name for p in DATA.iterdir() if p.is_file()} - {"README.md", "datapackage.json"}
    assert described == on_disk


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_table_has_a_full_schema(package: dict, name: str) -> None:
    resource = next(r for r in package["resources"] if r["path"] == name)
    schema = resource["schema"]
    assert schema["primaryKey"], name
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert [f["name"] for f in schema["fields"]] == header
    for spec in schema["fields"]:
        assert spec["type"] in {"string", "date", "integer", "boolean", "number"}, spec
        assert spec["description"].strip(), spec["name"]
        if spec["type"] == "boolean":
            assert spec["trueValues"] == ["true"] and spec["falseValues"] == ["false"]
    key = schema["primaryKey"][0]
    key_spec = next(f for f in schema["fields"] if f["name"] == key)
    assert key_spec["constraints"]["unique"] and key_spec["constraints"]["required"]


def test_licences_separate_the_article_from_our_tables(package: dict) -> None:
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    text = next(r for r in package["resources"] if r["path"] == "article.txt")
    assert text["licenses"][0]["name"] != "CC-BY-4.0"
    assert "Radio Free Europe" in text["licenses"][0]["title"]


# --------------------------------------------------------------------------- the article


def test_article_copy_is_byte_identical_to_the_shared_source() -> None:
    if not SHARED_ARTICLE.is_file():
        pytest.skip(f"original not found at {SHARED_ARTICLE} (shared/ is not beside this checkout)")
    assert (DATA / "article.txt").read_bytes() == SHARED_ARTICLE.read_bytes()


def test_sha256_in_metadata_and_package_match_the_file(package: dict, metadata: dict) -> None:
    raw = (DATA / "article.txt").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    assert metadata["sha256"] == digest
    assert metadata["text_bytes"] == len(raw)
    resource = next(r for r in package["resources"] if r["path"] == "article.txt")
    assert resource["hash"] == f"sha256:{digest}"
    assert resource["bytes"] == len(raw)


def test_article_metadata_says_what_is_unknown(metadata: dict, article_text: str) -> None:
    assert metadata["headline"] == article_text.splitlines()[0]
    assert (
        metadata["url"] == "https://www.rferl.org/a/nato-ready-tensions-serbia-kosovo/31993016.html"
    )
    assert "reconstructed" in metadata["url_note"].lower()
    assert metadata["byline"] is None and metadata["dateline"] is None
    unknown = "unknown: not in the text we hold"
    assert metadata["byline_note"] == metadata["dateline_note"] == unknown
    assert metadata["event_date"] == metadata["publication_date"] == "2022-08-17"
    assert metadata["publication_date_basis"]
    assert {"S33", "S34"} <= set(metadata["source_ids"])
    assert "(left)" in metadata["caption_note"]


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_row_cites_a_source(name: str) -> None:
    for row in rows(name):
        assert re.match(r"S\d+ \S", row["source"]), (name, row)


@pytest.mark.parametrize("name", CSV_FILES)
def test_cited_sources_carry_the_fact_sheet_urls(name: str, fact_sources: dict[str, str]) -> None:
    for row in rows(name):
        cited = re.findall(r"(?:^|; )(S\d+) ", row["source"])
        assert cited, row
        for sid in cited:
            assert sid in fact_sources, (name, sid)
            assert f"{sid} {fact_sources[sid]}" in row["source"], (name, sid, row["source"])


@pytest.mark.parametrize("name", CSV_FILES)
def test_confidence_reflects_general_knowledge_notes(name: str) -> None:
    for row in rows(name):
        assert row["confidence"] in CONFIDENCE, row
        if any(GK_MENTION.search(value) for value in row.values()):
            assert row["confidence"] != "verified", (name, row)


# --------------------------------------------------------------------------- events


def test_events_span_1389_to_2024_with_unique_ids() -> None:
    events = rows("events.csv")
    assert len(events) >= 30
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids))
    years = [iso(e["date"]).year for e in events]
    assert min(years) == 1389 and max(years) == 2024


def test_event_dates_are_coherent() -> None:
    for e in rows("events.csv"):
        start, end = iso(e["date"]), iso(e["end_date"])
        if end is not None:
            assert end >= start, e["id"]
        if e["precision"] in {"month", "year"}:
            assert start.day == 1, e["id"]
        if e["precision"] == "year":
            assert start.month == 1, e["id"]


def test_battle_of_kosovo_notes_both_calendars() -> None:
    battle = next(e for e in rows("events.csv") if e["id"] == "battle-of-kosovo")
    assert battle["date"] == "1389-06-28"
    assert "15 June" in battle["description"] and "Julian" in battle["description"]


def test_in_article_events_quote_the_article(article_text: str) -> None:
    for e in rows("events.csv"):
        if e["in_article"] == "true":
            assert e["article_phrase"] and e["article_phrase"] in article_text, e["id"]
        else:
            assert e["in_article"] == "false" and not e["article_phrase"], e["id"]


@pytest.mark.parametrize(
    ("event_date", "words"),
    [
        ("2008-02-17", "in 2008"),
        ("2011-03-08", "since 2011"),
        ("2021-10-06", "in October"),
        ("2022-06-21", "In June"),
        ("2022-08-17", "August 17"),
        ("2022-08-18", "the eve of a new round of talks"),
    ],
)
def test_article_references_are_marked(event_date: str, words: str) -> None:
    events = rows("events.csv")
    matches = [e for e in events if e["date"] == event_date and e["in_article"] == "true"]
    assert matches, event_date
    assert any(words in e["article_phrase"] for e in matches), event_date


def test_no_event_outside_the_fact_sheet_slipped_in() -> None:
    # The fact sheet has no entry for the invasion of Ukraine, so the timeline must not either.
    for e in rows("events.csv"):
        assert "Ukraine" not in e["title"] + e["description"], e["id"]


def test_contested_events_carry_both_names() -> None:
    events = {e["id"]: e for e in rows("events.csv")}
    assert {"unrest", "pogrom"} <= set(events["march-2004-unrest"]["title"].lower().split())
    assert "unilateral" in events["declaration-of-independence"]["title"].lower()
    campaign = events["nato-air-campaign"]["description"]
    assert "humanitarian intervention" in campaign and "aggression" in campaign


# --------------------------------------------------------------------------- countries


def status_on(row: dict[str, str], day: date) -> str:
    negotiations, candidate = iso(row["eu_negotiations"]), iso(row["eu_candidate"])
    if negotiations is not None and negotiations <= day:
        return "negotiating"
    if candidate is not None and candidate <= day:
        return "candidate"
    return "potential candidate"


def test_six_western_balkans_countries() -> None:
    countries = rows("countries.csv")
    assert {c["country"] for c in countries} == SIX
    assert len(countries) == 6
    assert all(int(c["population"]) > 0 for c in countries)


def test_status_columns_follow_from_the_dates() -> None:
    for c in rows("countries.csv"):
        assert c["status_2022_08_17"] == status_on(c, ARTICLE_DATE), c["country"]
        assert c["status_latest"] == status_on(c, iso(c["status_latest_date"])), c["country"]
        candidate, negotiations = iso(c["eu_candidate"]), iso(c["eu_negotiations"])
        if candidate is not None:
            assert iso(c["eu_applied"]) < candidate, c["country"]
        if negotiations is not None:
            assert candidate is not None and candidate < negotiations, c["country"]


def test_only_four_were_candidates_in_august_2022() -> None:
    status = {c["country"]: c["status_2022_08_17"] for c in rows("countries.csv")}
    potential = {name for name, s in status.items() if s == "potential candidate"}
    assert potential == {"Bosnia and Herzegovina", "Kosovo"}


def test_kosovo_row() -> None:
    kosovo = next(c for c in rows("countries.csv") if c["country"] == "Kosovo")
    assert kosovo["eu_applied"] == "2022-12-15" and kosovo["eu_candidate"] == ""
    assert "1 Apr 2016" in kosovo["note"]
    assert "Prishtina" in kosovo["capital_local"] and "Priština" in kosovo["capital_local"]


def test_country_eu_dates_appear_in_the_timeline() -> None:
    events = rows("events.csv")
    eu_days = {e["date"] for e in events if e["category"] == "eu"}
    eu_days |= {e["end_date"] for e in events if e["category"] == "eu" and e["end_date"]}
    for c in rows("countries.csv"):
        for column in ("eu_applied", "eu_candidate", "eu_negotiations"):
            if c[column]:
                assert c[column] in eu_days, (c["country"], column)


# --------------------------------------------------------------------------- recognition


def test_27_eu_states_and_the_five_that_do_not_recognise() -> None:
    states = rows("eu_recognition.csv")
    assert len(states) == 27 and len({s["member_state"] for s in states}) == 27
    refusers = {s["member_state"] for s in states if s["recognises_kosovo"] == "false"}
    assert refusers == NON_RECOGNISERS
    for s in states:
        assert s["recognises_kosovo"] in {"true", "false"}
        refuses = s["recognises_kosovo"] == "false"
        for column in ("official_reason", "reported_reason", "reported_by"):
            assert bool(s[column]) == refuses, (column, s)
        if refuses:
            # Issue 12: the official reason is international law; precedent and separatism is
            # the press's explanation and must say who gives it.
            assert "international law" in s["official_reason"], s
            assert "precedent" not in s["official_reason"], s
            assert "S62" in s["reported_by"], s


# --------------------------------------------------------------------------- people


def is_quoted(surname: str, text: str) -> bool:
    """A person counts as quoted when a paragraph with quotation marks reports them speaking."""
    speech = re.compile(rf"\b{re.escape(surname)} (?:said|says|told)\b")
    return any('"' in p and speech.search(p) for p in text.split("\n\n"))


def test_people_flags_agree_with_the_article(article_text: str) -> None:
    people = rows("people.csv")
    named = {p["name"] for p in people if p["named_in_article"] == "true"}
    assert {"Jens Stoltenberg", "Aleksandar Vucic", "Albin Kurti"} <= named
    for p in people:
        spelling = p["article_spelling"]
        if p["named_in_article"] == "true":
            assert spelling and spelling in article_text, p["name"]
            surname = spelling.split()[-1]
            assert (p["quoted_in_article"] == "true") == is_quoted(surname, article_text), p["name"]
        else:
            assert not spelling and p["quoted_in_article"] == "false", p["name"]
            assert p["name"].split()[-1] not in article_text, p["name"]


def test_quote_check_distinguishes_speakers(article_text: str) -> None:
    assert is_quoted("Stoltenberg", article_text)
    assert is_quoted("Vucic", article_text)
    assert not is_quoted("Kurti", article_text)


# --------------------------------------------------------------------------- glossary


def test_glossary_covers_the_terms_a_student_meets() -> None:
    glossary = rows("glossary.csv")
    assert len(glossary) >= 15
    terms = " | ".join(g["term"] for g in glossary)
    for needle in [
        "KFOR",
        "UNMIK",
        "UNSCR 1244",
        "dialogue",
        "normalisation",
        "candidate status",
        "potential candidate",
        "Western Balkans",
        "Stabilisation and Association Agreement",
        "Kosovo*",
        "administrative line",
        "unilateral declaration",
        "ICJ",
        "Brussels Agreement",
        "Serb-majority municipalities",
        "Pristina",
        "Belgrade",
        "recognition",
        "Ohrid",
    ]:
        assert needle in terms, needle
    local = {g["term"]: g["local_names"] for g in glossary}
    assert "Kosovo i Metohija" in local["Kosovo"] and "Kosova" in local["Kosovo"]
    assert "Beograd" in local["Belgrade"]


def test_asterisk_footnote_is_quoted_exactly() -> None:
    if not FACTS.is_file():
        pytest.skip(f"fact sheet not found at {FACTS}")
    match = re.search(r'Kosovo\\?\* – "([^"]+)"', FACTS.read_text(encoding="utf-8"))
    assert match, "footnote not found in the fact sheet"
    entry = next(g for g in rows("glossary.csv") if g["term"].startswith("Kosovo*"))
    assert f'"{match.group(1)}"' in entry["definition"]


def test_border_term_gives_both_framings() -> None:
    entry = next(g for g in rows("glossary.csv") if "administrative line" in g["term"])
    assert '"border"' in entry["framing"] and '"administrative line"' in entry["framing"]


# --------------------------------------------------------------------------- transcripts

CORROBORATION = SHARED / "sources/corroboration.md"


def test_transcripts_quote_only_what_the_shared_excerpts_hold() -> None:
    """Every line is word for word in corroboration.md: the course never extends a quotation."""
    if not CORROBORATION.is_file():
        pytest.skip(f"excerpts not found at {CORROBORATION} (shared/ is not beside this checkout)")
    held = " ".join(CORROBORATION.read_text(encoding="utf-8").split())
    for row in rows(TRANSCRIPTS):
        assert " ".join(row["text"].split()) in held, row["id"]


def test_transcripts_cover_both_press_conferences_with_provenance() -> None:
    lines = rows(TRANSCRIPTS)
    events = {e["id"] for e in rows("events.csv")}
    assert {r["event"] for r in lines} == {"nato-press-conference", "nato-press-conference-kurti"}
    assert {r["event"] for r in lines} <= events
    nato = [r for r in lines if r["kind"] == "transcript"]
    assert {r["source"] for r in nato} == {
        "https://www.nato.int/cps/en/natohq/opinions_198174.htm",
        "https://www.nato.int/cps/en/natohq/opinions_198172.htm",
    }
    assert all("As delivered" in r["where_read"] for r in nato)
    for document in {r["document"] for r in lines}:
        orders = [int(r["order"]) for r in lines if r["document"] == document]
        assert orders == list(range(1, len(orders) + 1)), document
    # Kurti's own words are not in the excerpts: anything of his is a reported paraphrase.
    assert all(r["kind"] == "reported" for r in lines if r["speaker"] == "Albin Kurti")
    assert all(r["source"] and r["where_read"] for r in lines)


def test_article_quotes_the_transcript_with_known_changes(article_text: str) -> None:
    """The facts corroboration.md states: dashes for commas, American spellings, lines left out."""
    lines = rows(TRANSCRIPTS)
    vucic = {int(r["order"]): r["text"] for r in lines if r["id"].startswith("nato-vucic")}
    assert "officials from Belgrade and Pristina" in vucic[3] and "--" not in vucic[3]
    assert "focussed" in vucic[6] and "focused" in article_text
    assert "jeopardised" in vucic[7] and "jeopardized" in article_text
    for left_out in (2, 8, 12):
        assert vucic[left_out][:30] not in article_text
    wire = next(r["text"] for r in rows(TRANSCRIPTS) if r["id"] == "reuters-vucic-02")
    # Word for word, ellipsis included; only the spacing of the ellipsis and the closing
    # punctuation before "Vucic said" differ.
    assert wire.replace(" ... ", "...").rstrip(".") in article_text
