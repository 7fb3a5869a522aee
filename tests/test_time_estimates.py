"""Honest minutes: each notebook's total, its plan, its section headings, the README and the
chapter guide give the same numbers."""

from __future__ import annotations

import re

import nbformat
import pytest

from course_helpers import ROOT, assignments, source_notebook

_TIME = re.compile(r"\*\*Time:\*\* about (\d+) minutes")


def _plan(intro: str) -> dict[str, int]:
    table = re.search(r"### Plan\n\|.*?\n\|---\|---\|\n((?:\|.*\|\n?)+)", intro)
    assert table, "the intro has no plan table"
    rows = [r.strip("|").rsplit("|", 1) for r in table.group(1).strip().splitlines()]
    return {name.strip(): int(minutes) for name, minutes in rows}


@pytest.mark.parametrize("assignment", assignments())
def test_minutes_agree_everywhere(assignment: str) -> None:
    cells = nbformat.read(source_notebook(assignment), as_version=4).cells
    intro = cells[0].source
    total = int(_TIME.search(intro).group(1))
    plan = _plan(intro)
    required = {name: m for name, m in plan.items() if not name.startswith(("Optional", "8. Opt"))}
    assert sum(required.values()) == total, f"{assignment}: plan {required} vs {total} min"
    headings = {m.group(1).strip(): int(m.group(2)) for c in cells if c.cell_type == "markdown"
                for m in re.finditer(r"^## (.+?) \((\d+) min\)", c.source, re.M)}
    for name, minutes in plan.items():
        name = re.sub(r" \((?:written|not graded)\)$", "", name)
        assert headings.get(name) == minutes, f"{assignment}: '{name}' is {headings.get(name)}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"\| `{assignment}` \|.*\| (\d+) \|", readme)
    assert row and int(row.group(1)) == total, f"README gives {assignment} other minutes"
    [guide] = (ROOT / "docs" / "guide").glob(f"{assignment}.md")
    assert int(_TIME.search(guide.read_text(encoding="utf-8")).group(1)) == total
