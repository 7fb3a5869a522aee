"""Load the course's article and data tables with the right types.

Every table is typed from the schema in ``datasets/datapackage.json`` (one source of truth), read
with the ``json`` module so that frictionless stays a test-only dependency.

Types you get back:

* text columns: pandas' default ``str`` dtype; an empty cell is missing (``NaN``), so
  ``df[col].isna()`` finds it and ``df[col].str.contains(...)`` gives plain ``True``/``False``;
* dates: ``datetime64[us]``; an empty date is ``NaT``;
* required yes/no columns: ``bool``;
* integers: ``int64`` (``Int64`` for a column that may be empty).

Each call returns a fresh copy, so changing a table in one notebook cell never changes what the
next call returns. The article's paragraphs are numbered 1 to 11 (body only): ¶1 is
"NATO Secretary-General Jens Stoltenberg says ...".
"""

from __future__ import annotations

import copy
import functools
import json
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from course.paths import dataset_path

__all__ = [
    "Article",
    "load_article",
    "load_countries",
    "load_events",
    "load_glossary",
    "load_people",
    "load_recognition",
    "load_transcripts",
]

ARTICLE_FILE = "article.txt"
METADATA_FILE = "article.json"
PACKAGE_FILE = "datapackage.json"

# Microseconds, not pandas' old nanosecond default: datetime64[ns] cannot hold dates before 1677,
# and the timeline starts in 1389.
DATE_DTYPE = "datetime64[us]"
STRING_DTYPE = "str"

# Blank lines (possibly holding stray spaces) separate headline, caption and paragraphs.
_BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Article:
    """The article text with its parts derived by code, plus its metadata."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # Article(None) would otherwise fail later, inside a property, with an AttributeError.
        if not isinstance(self.text, str):
            raise TypeError(f"text must be a str, got {type(self.text).__name__}")

    def _blocks(self) -> list[str]:
        blocks = [b.strip() for b in _BLOCK_SEPARATOR.split(self.text.strip())]
        blocks = [b for b in blocks if b]
        if len(blocks) < 3:
            # Without headline + caption + body the paragraph numbering would silently shift.
            raise ValueError(
                f"{ARTICLE_FILE} should hold a headline, a caption and body paragraphs separated "
                f"by blank lines; found {len(blocks)} block(s)"
            )
        return blocks

    @property
    def headline(self) -> str:
        """Return the headline: the first line of the text."""
        lines = self.text.strip().splitlines()
        if not lines:  # an empty text has no first line (was an IndexError)
            raise ValueError(f"text holds no headline: {ARTICLE_FILE} is empty")
        return lines[0].strip()

    @property
    def caption(self) -> str:
        """Return the photo caption: the second block of the text."""
        return self._blocks()[1]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Return the body paragraphs (no headline, no caption), in order."""
        return tuple(self._blocks()[2:])

    @property
    def body(self) -> str:
        """Return the body paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    def paragraph(self, n: int) -> str:
        """Return body paragraph ``n``, counting from 1."""
        # bool is a subclass of int, but paragraph(True) is almost certainly a mistake. Any
        # integer type counts: a number read from a table (numpy.int64) is a paragraph number too.
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"n must be an int (a paragraph number), got {type(n).__name__}: {n!r}")
        n = int(n)
        count = len(self.paragraphs)
        if not 1 <= n <= count:
            raise ValueError(f"n must be between 1 and {count} (body paragraphs), got n={n}")
        return self.paragraphs[n - 1]

    def paragraph_table(self) -> pd.DataFrame:
        """Return the body paragraphs as a DataFrame with columns ``paragraph`` and ``text``."""
        paragraphs = self.paragraphs
        return pd.DataFrame(
            {
                "paragraph": pd.Series(range(1, len(paragraphs) + 1), dtype="int64"),
                "text": pd.Series(paragraphs, dtype=STRING_DTYPE),
            }
        )


def _stamp(path: Path) -> tuple[str, int, int]:
    # Keying the cache on size and mtime means an edited file is re-read, not served stale.
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read_text(stamp: tuple[str, int, int]) -> str:
    # newline="" keeps the file's characters exactly as stored (no newline translation).
    with open(stamp[0], encoding="utf-8", newline="") as handle:
        return handle.read()


@functools.lru_cache(maxsize=32)
def _read_json(stamp: tuple[str, int, int]) -> Any:
    with open(stamp[0], encoding="utf-8") as handle:
        return json.load(handle)


def _package() -> dict[str, Any]:
    return _read_json(_stamp(dataset_path(PACKAGE_FILE)))


def _resource(path_name: str) -> dict[str, Any]:
    for resource in _package().get("resources", []):
        if resource.get("path") == path_name:
            return resource
    raise KeyError(f"{PACKAGE_FILE} has no resource with path {path_name!r}")


def _to_bool(values: pd.Series, spec: dict[str, Any], required: bool) -> pd.Series:
    true_values = set(spec.get("trueValues", ["true"]))
    false_values = set(spec.get("falseValues", ["false"]))
    unknown = sorted(set(values) - true_values - false_values - {""})
    if unknown:
        raise ValueError(f"column {spec['name']!r} has values that are not booleans: {unknown}")
    lookup = dict.fromkeys(true_values, True) | dict.fromkeys(false_values, False)
    mapped = values.map(lambda v: lookup.get(v))
    if required:
        return mapped.astype("bool")
    return mapped.astype("boolean")


def _convert(values: pd.Series, spec: dict[str, Any]) -> pd.Series:
    kind = spec.get("type", "string")
    required = bool(spec.get("constraints", {}).get("required", False))
    if kind == "string":
        return values.replace("", None).astype(STRING_DTYPE)
    if kind == "date":
        return pd.to_datetime(values.replace("", None), format="%Y-%m-%d").astype(DATE_DTYPE)
    if kind == "integer":
        numbers = pd.to_numeric(values.replace("", None))
        return numbers.astype("int64" if required else "Int64")
    if kind == "number":
        return pd.to_numeric(values.replace("", None)).astype("float64")
    if kind == "boolean":
        return _to_bool(values, spec, required)
    raise ValueError(f"column {spec['name']!r}: unsupported schema type {kind!r}")


@functools.lru_cache(maxsize=32)
def _read_table(stamp: tuple[str, int, int], schema_json: str) -> pd.DataFrame:
    schema = json.loads(schema_json)
    # Read every cell as text first: the schema, not pandas' guessing, decides the types.
    raw = pd.read_csv(stamp[0], dtype=str, keep_default_na=False, encoding="utf-8")
    expected = [spec["name"] for spec in schema["fields"]]
    if list(raw.columns) != expected:
        raise ValueError(
            f"{stamp[0]} has columns {list(raw.columns)}, but {PACKAGE_FILE} expects {expected}"
        )
    columns = {spec["name"]: _convert(raw[spec["name"]], spec) for spec in schema["fields"]}
    return pd.DataFrame(columns)


def _load_table(file_name: str) -> pd.DataFrame:
    path = dataset_path(file_name)
    schema = _resource(file_name)["schema"]
    # A deep copy of the cached frame keeps students' edits out of the cache.
    return _read_table(_stamp(path), json.dumps(schema, sort_keys=True)).copy(deep=True)


def load_article() -> Article:
    """Load the article text and its metadata as an :class:`Article`."""
    text = _read_text(_stamp(dataset_path(ARTICLE_FILE)))
    metadata = _read_json(_stamp(dataset_path(METADATA_FILE)))
    # The metadata dict is mutable, so each Article gets its own copy of the cached one.
    return Article(text=text, metadata=copy.deepcopy(metadata))


def load_events() -> pd.DataFrame:
    """Load the timeline of events (1389–2024), sorted by date."""
    events = _load_table("events.csv")
    # A stable sort keeps same-day events in the order the data file gives them.
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def load_countries() -> pd.DataFrame:
    """Load the six Western Balkans states with capitals, populations and EU status."""
    return _load_table("countries.csv")


def load_recognition() -> pd.DataFrame:
    """Load whether each of the 27 EU member states recognises Kosovo."""
    return _load_table("eu_recognition.csv")


def load_transcripts() -> pd.DataFrame:
    """Load the transcript excerpts of 17 August 2022, one row per line, in document order.

    Columns: ``id``, ``document``, ``event`` (an ``id`` of :func:`load_events`), ``speaker``
    (spelled as in :func:`load_people`), ``order`` (``int64``, from 1 within each document),
    ``text``, ``kind`` and the provenance columns ``source`` and ``where_read``.

    ``kind`` says what the words are: ``"transcript"`` lines are NATO's official transcripts of
    both joint press conferences ("As delivered": Stoltenberg with Vučić, which the article
    reports, and Stoltenberg with Kurti later that day, which it does not); ``"wire"`` lines are
    words a Reuters report attributes to Vučić; ``"reported"`` lines are another outlet's
    paraphrase in translation (VRT, in Dutch), never the speaker's own words. The excerpts are
    quoted exactly as the course's ``corroboration.md`` gives them, British spellings included.
    """
    transcripts = _load_table("transcripts.csv")
    # Documents in file order, lines in their order: the order a reader meets them.
    documents = {name: rank for rank, name in enumerate(dict.fromkeys(transcripts["document"]))}
    rank = transcripts["document"].map(documents)
    return (
        transcripts.assign(_rank=rank)
        .sort_values(["_rank", "order"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def load_people() -> pd.DataFrame:
    """Load the people named in the article and the EU officials of the next day's talks."""
    return _load_table("people.csv")


def load_glossary() -> pd.DataFrame:
    """Load the glossary of terms, with local names and framings."""
    return _load_table("glossary.csv")
