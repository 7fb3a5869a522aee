"""Find solution and hidden-test text in nbgrader source notebooks, and look for it elsewhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"

# A line shorter than this ("pass", "return x") also turns up in scaffolds and prose by chance.
MIN_SECRET_CHARS = 12


@dataclass(frozen=True)
class Secret:
    """One line of a source notebook that students must not see."""

    notebook: str
    grade_id: str
    kind: str  # "solution" or "hidden-test"
    line: str


def multiline_text(value: str | list[str]) -> str:
    """One string from an nbformat multiline value (a cell's source, a stream's text, a
    text/plain datum), which a notebook may store as one string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def cell_source(cell: dict[str, Any]) -> str:
    """The source of a notebook cell as one string (nbformat allows a list of lines)."""
    return multiline_text(cell.get("source", ""))


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    """The nbgrader metadata of a cell ({} when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _delimited(lines: list[str], begin: str, end: str) -> Iterator[list[str]]:
    """Yield the runs of lines strictly between ``begin`` and ``end`` delimiter comments."""
    inside: list[str] | None = None
    for line in lines:
        if begin in line and inside is None:
            inside = []
        elif end in line and inside is not None:
            yield inside
            inside = None
        elif inside is not None:
            inside.append(line)
    if inside:
        yield inside


def solution_regions(source: str) -> list[str]:
    """The solution text of a solution cell: delimited blocks, or the whole cell without them."""
    lines = source.splitlines()
    if not any(BEGIN_SOLUTION in line for line in lines):
        # nbgrader replaces an undelimited solution cell whole with the stub.
        return ["\n".join(lines)]
    return ["\n".join(block) for block in _delimited(lines, BEGIN_SOLUTION, END_SOLUTION)]


def hidden_test_regions(source: str) -> list[str]:
    """The hidden-test blocks of a test cell."""
    return ["\n".join(b) for b in _delimited(source.splitlines(), BEGIN_HIDDEN, END_HIDDEN)]


def strip_solution_delimiters(source: str) -> str:
    """The solution as a student would write it: the source without the delimiter lines."""
    return "\n".join(
        line
        for line in source.splitlines()
        if BEGIN_SOLUTION not in line and END_SOLUTION not in line
    )


def _normal(line: str) -> str:
    return " ".join(line.split())


def public_lines(nb: dict[str, Any]) -> set[str]:
    """Normalised lines of the source notebook that are outside solutions and hidden tests."""
    public: set[str] = set()
    for cell in nb.get("cells", []):
        src = cell_source(cell)
        secret = set()
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            secret |= {_normal(x) for r in solution_regions(src) for x in r.splitlines()}
        secret |= {_normal(x) for r in hidden_test_regions(src) for x in r.splitlines()}
        for line in src.splitlines():
            n = _normal(line)
            if n and n not in secret:
                public.add(n)
    return public


def secrets_of(nb: dict[str, Any], notebook: str) -> list[Secret]:
    """Every non-trivial solution or hidden-test line of a source notebook.

    A line that also appears in the public part of the notebook (a scaffold line kept in the
    release, a function signature in the prose) is not a secret.
    """
    public = public_lines(nb)
    found: dict[tuple[str, str], Secret] = {}
    for cell in nb.get("cells", []):
        meta = nbgrader_meta(cell)
        grade_id = str(meta.get("grade_id", ""))
        src = cell_source(cell)
        regions: list[tuple[str, str]] = []
        if meta.get("solution"):
            regions += [("solution", r) for r in solution_regions(src)]
        regions += [("hidden-test", r) for r in hidden_test_regions(src)]
        for kind, region in regions:
            for line in region.splitlines():
                n = _normal(line)
                if len(n) >= MIN_SECRET_CHARS and n not in public:
                    found.setdefault((kind, n), Secret(notebook, grade_id, kind, n))
    return list(found.values())


def notebook_secrets(source_dir: Path) -> list[Secret]:
    """The secrets of every source notebook of an assignment folder."""
    secrets: list[Secret] = []
    for path in sorted(source_dir.glob("*.ipynb")):
        secrets += secrets_of(json.loads(path.read_text(encoding="utf-8")), path.stem)
    return secrets


def notebook_text(nb: dict[str, Any]) -> str:
    """All text a student sees in a notebook: sources and text outputs, normalised per line."""
    parts: list[str] = []
    for cell in nb.get("cells", []):
        parts.append(cell_source(cell))
        for out in cell.get("outputs", []) or []:
            if "text" in out:
                parts.append(multiline_text(out["text"]))
            for value in (out.get("data") or {}).values():
                parts.append(multiline_text(value))
            parts.extend(out.get("traceback", []) or [])
    return "\n".join(_normal(line) for part in parts for line in str(part).splitlines())


_TAG = re.compile(r"<[^>]+>")


def html_text(html: str) -> str:
    """The visible text of an HTML page, normalised per line (for leak checks on feedback)."""
    import html as html_lib

    # Code in nbconvert HTML is split into <span>s per token; dropping tags rejoins the lines.
    text = html_lib.unescape(_TAG.sub("", html))
    return "\n".join(_normal(line) for line in text.splitlines())


def leaked(secrets: Iterable[Secret], text: str) -> list[Secret]:
    """The secrets whose line occurs in ``text`` (normalised as by notebook_text/html_text)."""
    return [s for s in secrets if s.line in text]
