"""Build nbgrader source notebooks from Python, with valid nbgrader metadata and no outputs.

Authors may also edit notebooks in JupyterLab with nbgrader's "Create Assignment" toolbar; this
module exists so that scripted edits produce exactly the metadata nbgrader itself would write.

    from tools.nbauthor import md, code, locked, solution, tests, manual, write
    write("notebooks/01-sourcing/01-sourcing.ipynb", [md("# Title"), solution("q1-1", "...")])
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

_SCHEMA = 3


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:60] or "cell"


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": _SCHEMA,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(source: str) -> nbformat.NotebookNode:
    """A plain markdown cell (students may edit it)."""
    return new_markdown_cell(source.strip("\n"))


def code(source: str) -> nbformat.NotebookNode:
    """A plain code cell (ungraded, editable: explorations, widgets, figures)."""
    return new_code_cell(source.strip("\n"))


def locked(grade_id: str, source: str, *, markdown: bool = False) -> nbformat.NotebookNode:
    """A read-only cell nbgrader restores on grading (instructions, set-up imports)."""
    maker = new_markdown_cell if markdown else new_code_cell
    cell = maker(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    """An autograded answer cell: the BEGIN/END SOLUTION region is removed in the release."""
    cell = new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    """A locked, autograded test cell worth ``points``."""
    cell = new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def manual(grade_id: str, model_answer: str, points: float) -> nbformat.NotebookNode:
    """A manually graded written answer; the source holds the model answer and rubric."""
    cell = new_markdown_cell(model_answer.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """Assemble cells into a Python 3 notebook with stable, readable cell ids."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        base = cell.metadata.get("nbgrader", {}).get("grade_id") or f"c{index:02d}"
        cell_id = _slug(base)
        while cell_id in seen:
            cell_id = f"{cell_id}-{index}"
        seen.add(cell_id)
        cell["id"] = cell_id
    return nb


def write(path: str | Path, cells: list[nbformat.NotebookNode]) -> Path:
    """Validate and write a notebook with no outputs or execution counts."""
    nb = notebook(cells)
    nbformat.validate(nb)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target
