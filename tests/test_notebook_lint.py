"""Static checks on every source notebook: clean, valid nbgrader metadata, written for people."""

from __future__ import annotations

import re

import nbformat
import pytest

from course_helpers import NOTEBOOKS, assignments, source_notebook

ASSIGNMENTS = assignments()
PLOT_FUNCTIONS = re.compile(r"\b(bar_chart|histogram|status_chart|tile_map|plot_timeline)\(")


def load(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(source_notebook(assignment), as_version=4)


def markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_every_folder_is_an_assignment():
    folders = sorted(p.name for p in NOTEBOOKS.iterdir() if p.is_dir() and p.name[0] != ".")
    assert folders == ASSIGNMENTS, "each notebooks/<id>/ must hold exactly <id>.ipynb"
    assert "01-sourcing" in ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_clean_and_valid(assignment):
    nb = load(assignment)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{cell.id}: outputs committed"
            assert cell.execution_count is None, f"{cell.id}: execution count committed"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids must be unique"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata(assignment):
    nb = load(assignment)
    grade_ids = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        assert meta.get("schema_version") == 3, cell.id
        assert meta.get("grade_id"), cell.id
        grade_ids.append(meta["grade_id"])
        if meta.get("grade"):
            assert float(meta.get("points", 0)) > 0, f"{meta['grade_id']}: no points"
        if meta.get("grade") and not meta.get("solution"):
            assert cell.cell_type == "code" and meta.get("locked"), f"{meta['grade_id']}: unlocked"
            assert re.search(r"\bcheck(_hidden)?\(\"\d+\.\d+\"", cell.source), (
                f"{meta['grade_id']}: every test cell grades through course.checks"
            )
            assert "raises-exception" in cell.metadata.get("tags", []), (
                f"{meta['grade_id']}: without the tag, Run All stops at the first failed check "
                "(python -m tools.tag_failing_cells adds it)"
            )
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if meta.get("solution") and meta.get("grade"):
            assert cell.cell_type == "markdown", f"{meta['grade_id']}: written answers are markdown"
            assert "Rubric" in cell.source, f"{meta['grade_id']}: written answer without rubric"
    assert len(grade_ids) == len(set(grade_ids)), "grade ids must be unique"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_for_people(assignment):
    nb = load(assignment)
    text = markdown(nb)
    h1 = [line for line in text.splitlines() if re.match(r"#\s", line)]
    assert len(h1) == 1, f"exactly one H1, found {h1}"
    assert "Learning goals" in text
    assert "**Skill:**" in text, "name the historical-thinking skill"
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections, "sections are H2"
    for heading in sections:
        assert re.search(r"\(\d+ min\)", heading), f"no time estimate: {heading}"
    assert any("Reflection" in h for h in sections), "ends with a reflection"
    assert "<details><summary>Hint</summary>" in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_figures_go_through_course_plots(assignment):
    nb = load(assignment)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "pyplot" not in cell.source and "plt." not in cell.source, (
            f"{cell.id}: make figures with course.plots (titles, labels and alt text built in)"
        )
        for match in PLOT_FUNCTIONS.finditer(cell.source):
            call = cell.source[match.start():]
            assert "title=" in call, f"{cell.id}: {match.group(1)} without a title"
