"""The loader module course.data: article parts, typed tables, fresh copies, clear errors."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course import data

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets"
TABLES = {
    "events.csv": data.load_events,
    "countries.csv": data.load_countries,
    "eu_recognition.csv": data.load_recognition,
    "people.csv": data.load_people,
    "glossary.csv": data.load_glossary,
    "transcripts.csv": data.load_transcripts,
}
LOADERS = list(TABLES.values())
DATE = "datetime64[us]"


@pytest.fixture(scope="module")
def article() -> data.Article:
    return data.load_article()


# --------------------------------------------------------------------------- Article


def test_text_is_the_file_exactly(article: data.Article) -> None:
    assert article.text == (DATA / "article.txt").read_bytes().decode("utf-8")


def test_parts_of_the_article(article: data.Article) -> None:
    assert article.headline == "NATO Forces 'Ready' If Kosovo-Serbia Tensions Boil Over"
    assert "(left)" in article.caption
    assert len(article.paragraphs) == 11
    assert isinstance(article.paragraphs, tuple)
    assert article.paragraph(1).startswith("NATO Secretary-General Jens Stoltenberg says")
    assert article.paragraph(11).startswith("EU leaders stopped short")
    assert article.caption not in article.paragraphs
    assert article.body == "\n\n".join(article.paragraphs)
    assert article.headline not in article.body


def test_parts_rebuild_the_text(article: data.Article) -> None:
    # Nothing is lost or invented between the file and its parts.
    rebuilt = "\n\n".join([article.headline, article.caption, *article.paragraphs])
    assert rebuilt == article.text.strip()


def test_metadata_matches_the_text(article: data.Article) -> None:
    assert article.metadata["headline"] == article.headline
    assert article.metadata["text_file"] == "article.txt"


@pytest.mark.parametrize("n", [0, 12, -1])
def test_paragraph_out_of_range_names_n(article: data.Article, n: int) -> None:
    with pytest.raises(ValueError, match=rf"\bn\b.*{n}"):
        article.paragraph(n)


@pytest.mark.parametrize("n", ["1", 1.0, True, None])
def test_paragraph_needs_an_int(article: data.Article, n: object) -> None:
    with pytest.raises(TypeError, match=r"\bn\b"):
        article.paragraph(n)  # type: ignore[arg-type]


@given(st.integers(min_value=-1000, max_value=1000))
def test_paragraph_numbering_is_one_based(n: int) -> None:
    article = data.load_article()
    if 1 <= n <= 11:
        assert article.paragraph(n) == article.paragraphs[n - 1]
    else:
        with pytest.raises(ValueError, match=f"n={n}"):
            article.paragraph(n)


def test_paragraph_table(article: data.Article) -> None:
    table = article.paragraph_table()
    assert list(table.columns) == ["paragraph", "text"]
    assert table["paragraph"].dtype == "int64"
    assert table["paragraph"].tolist() == list(range(1, 12))
    assert table["text"].tolist() == list(article.paragraphs)


def test_article_is_frozen_and_metadata_does_not_leak(article: data.Article) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.text = "changed"  # type: ignore[misc]
    first = data.load_article()
    first.metadata["headline"] = "changed"
    first.metadata["sources"].clear()
    second = data.load_article()
    assert second.metadata["headline"] == article.headline
    assert second.metadata["sources"]


# --------------------------------------------------------------------------- tables


def test_events_dtypes_and_order() -> None:
    events = data.load_events()
    assert len(events) >= 30
    assert events["date"].dtype == DATE and events["end_date"].dtype == DATE
    assert events["in_article"].dtype == "bool"
    assert pd.api.types.is_string_dtype(events["title"])
    assert events["end_date"].isna().any() and events["end_date"].notna().any()
    assert events["date"].is_monotonic_increasing
    assert events["date"].iloc[0] == pd.Timestamp("1389-06-28")
    assert list(events.index) == list(range(len(events)))
    # Empty optional text is missing, so a plain mask works without na= arguments.
    assert events.loc[~events["in_article"], "article_phrase"].isna().all()
    assert events["article_phrase"].str.contains("2008").dtype == "bool"


def test_countries_dtypes() -> None:
    countries = data.load_countries()
    assert len(countries) == 6
    assert countries["population"].dtype == "int64"
    assert countries["population_year"].dtype == "int64"
    for column in ("eu_applied", "eu_candidate", "eu_negotiations", "status_latest_date"):
        assert countries[column].dtype == DATE, column
    kosovo = countries.set_index("country").loc["Kosovo"]
    assert pd.isna(kosovo["eu_candidate"]) and pd.isna(kosovo["eu_negotiations"])


def test_transcripts_dtypes_and_order() -> None:
    lines = data.load_transcripts()
    assert str(lines["order"].dtype) == "int64"
    assert lines["text"].map(type).eq(str).all()
    # Documents in file order, each one's lines in their order: the order a reader meets them.
    first = lines.loc[lines["event"] == "nato-press-conference"].iloc[0]
    assert first["id"] == "nato-vucic-01"
    for _, group in lines.groupby("document", sort=False):
        assert group["order"].tolist() == sorted(group["order"])
    assert set(lines["kind"]) == {"transcript", "wire", "reported"}
    assert set(lines["event"]) <= set(data.load_events()["id"])


def test_recognition_and_people_dtypes() -> None:
    recognition = data.load_recognition()
    assert recognition["recognises_kosovo"].dtype == "bool"
    assert int((~recognition["recognises_kosovo"]).sum()) == 5
    people = data.load_people()
    assert people["named_in_article"].dtype == "bool"
    assert people["quoted_in_article"].dtype == "bool"
    assert people["role_start"].dtype == DATE and people["role_end"].dtype == DATE


@pytest.mark.parametrize(("file_name", "loader"), TABLES.items())
def test_columns_follow_the_package_schema(file_name: str, loader) -> None:
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == file_name)
    frame = loader()
    assert list(frame.columns) == [f["name"] for f in resource["schema"]["fields"]]
    for spec in resource["schema"]["fields"]:
        dtype = frame[spec["name"]].dtype
        if spec["type"] == "date":
            assert dtype == DATE, spec["name"]
        elif spec["type"] == "boolean":
            assert dtype == "bool", spec["name"]
        elif spec["type"] == "integer":
            assert dtype in ("int64", "Int64"), spec["name"]
        else:
            assert pd.api.types.is_string_dtype(dtype), spec["name"]


@pytest.mark.parametrize("loader", LOADERS)
def test_mutation_does_not_leak_into_the_next_load(loader) -> None:
    # Snapshot before mutating: if the loader handed out its cached frame, this copy still differs.
    expected = loader().copy(deep=True)
    first = loader()
    assert first is not loader()
    first.iloc[0, 0] = "changed"
    del first[first.columns[1]]
    first["extra"] = 1
    pd.testing.assert_frame_equal(loader(), expected)


# --------------------------------------------------------------------------- errors and reloads


def test_missing_file_names_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(DATA / "datapackage.json", tmp_path)
    monkeypatch.setenv("KOSOVO_COURSE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="events.csv"):
        data.load_events()
    with pytest.raises(FileNotFoundError, match="article.txt"):
        data.load_article()


def test_an_edited_file_is_reread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path)
    monkeypatch.setenv("KOSOVO_COURSE_DATA", str(tmp_path))
    assert data.load_people()["name"].iloc[0] == "Jens Stoltenberg"
    people = tmp_path / "people.csv"
    edited = people.read_text(encoding="utf-8").replace("true", "yes", 1)
    people.write_text(edited, encoding="utf-8")
    with pytest.raises(ValueError, match="not booleans"):
        data.load_people()


def test_a_wrong_header_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in DATA.iterdir():
        shutil.copy(path, tmp_path)
    monkeypatch.setenv("KOSOVO_COURSE_DATA", str(tmp_path))
    glossary = tmp_path / "glossary.csv"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("term,", "word,", 1), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="expects"):
        data.load_glossary()


def test_import_stays_light() -> None:
    code = (
        "import sys, course.data\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'frictionless') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "course.data.load_events()\n"
        "assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
