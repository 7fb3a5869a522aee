"""Synthesise a class of submissions from an assignment's source and release notebooks.

Used by ``kosovo-course demo``, the tests and the benchmark: full marks (the source's
solutions typed into the release), blank (the release as is), partial (some solutions), and a
few broken ones an instructor meets in real life.
"""

from __future__ import annotations

import copy
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from course.grading.solutions import cell_source, nbgrader_meta, strip_solution_delimiters

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format

# The first twelve students show one of each case; later ones are full or partial.
CLASS_PATTERN = (
    "full",
    "partial",
    "blank",
    "invalid-json",
    "full",
    "raise",
    "partial",
    "deleted-test",
    "full",
    "partial",
    "full",
    "blank",
)


def nbgrader_timestamp(when: datetime) -> str:
    """A timestamp.txt line in nbgrader's own format."""
    return when.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def as_student_answer(markdown: str) -> str:
    """A written answer as a student would hand it in: the model answer's text without the
    instructor's label ("**Model answer (instructor only).**") and without the rubric."""
    text = re.split(r"^\*\*Rubric\b", markdown, maxsplit=1, flags=re.M)[0]
    text = re.sub(r"^\s*\*\*Model answer[^*]*\*\*\s*", "", text)
    return text.strip()


def _solutions(source: dict[str, Any]) -> dict[str, str]:
    answers = {}
    for c in source["cells"]:
        meta = nbgrader_meta(c)
        if meta.get("solution") and meta.get("grade_id"):
            text = strip_solution_delimiters(cell_source(c))
            answers[meta["grade_id"]] = (
                as_student_answer(text) if c.get("cell_type") == "markdown" else text
            )
    return answers


def solution_ids(release: dict[str, Any]) -> list[str]:
    """The grade ids of the solution cells of a notebook, in order."""
    return [
        nbgrader_meta(c)["grade_id"] for c in release["cells"] if nbgrader_meta(c).get("solution")
    ]


def filled(source: dict[str, Any], release: dict[str, Any], ids: set[str] | None) -> dict:
    """The release with the source's solutions typed into the cells in ``ids`` (None: all)."""
    answers = _solutions(source)
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and gid in answers and (ids is None or gid in ids):
            cell["source"] = answers[gid]
    return nb


def with_raise(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook with its first code solution cell raising before anything else runs."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("solution") and cell["cell_type"] == "code":
            cell["source"] = 'raise RuntimeError("unfinished")\n' + cell_source(cell)
            break
    return nb


def without_first_test(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook with its first autograded test cell deleted (nbgrader restores it)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb["cells"]):
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
            del nb["cells"][i]
            break
    return nb


def submission(kind: str, source: dict, release: dict, rng: random.Random) -> dict | str:
    """One submitted notebook of the given kind (a string for an unreadable file)."""
    ids = solution_ids(release)
    if kind == "full":
        return filled(source, release, None)
    if kind == "blank":
        return copy.deepcopy(release)
    if kind == "partial":
        keep = {i for i in ids if rng.random() < 0.5} or set(ids[:1])
        if keep == set(ids) and len(ids) > 1:
            keep.discard(rng.choice(ids))
        return filled(source, release, keep)
    if kind == "raise":
        return with_raise(filled(source, release, None))
    if kind == "deleted-test":
        return without_first_test(filled(source, release, None))
    if kind == "invalid-json":
        text = json.dumps(filled(source, release, None), indent=1)
        return text[: len(text) // 2]  # a download cut short
    raise ValueError(f"unknown submission kind {kind!r}")


def class_kinds(n: int) -> list[str]:
    """The kinds of an n-student synthetic class."""
    return [
        CLASS_PATTERN[i] if i < len(CLASS_PATTERN) else ("full", "partial")[i % 2] for i in range(n)
    ]


def synthesise_class(
    source_dir: Path,
    release_dir: Path,
    submitted_root: Path,
    assignment: str,
    n: int,
    *,
    seed: int = 2022,
    kinds: list[str] | None = None,
    start: datetime | None = None,
) -> dict[str, str]:
    """Write n submissions ``s001``... under ``submitted_root``; return student id -> kind."""
    rng = random.Random(seed)
    kinds = kinds or class_kinds(n)
    start = start or datetime(2022, 8, 24, 9, 0, tzinfo=UTC)
    notebooks = sorted(p.name for p in release_dir.glob("*.ipynb"))
    made = {}
    for i, kind in enumerate(kinds):
        student = f"s{i + 1:03d}"
        folder = submitted_root / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name in notebooks:
            source = json.loads((source_dir / name).read_text(encoding="utf-8"))
            release = json.loads((release_dir / name).read_text(encoding="utf-8"))
            nb = submission(kind, source, release, rng)
            text = nb if isinstance(nb, str) else json.dumps(nb, indent=1, ensure_ascii=False)
            (folder / name).write_text(text, encoding="utf-8")
        when = start + timedelta(minutes=7 * i)
        (folder / "timestamp.txt").write_text(nbgrader_timestamp(when), encoding="utf-8")
        made[student] = kind
    return made
