"""Tag the cells that fail in a blank student version with ``raises-exception``.

JupyterLab's *Run All* stops at the first error unless the cell is tagged ``raises-exception``.
A student who has answered question 3 but not question 1 should still see every verdict, so each
check cell, and each ungraded cell that uses a student's answer, carries the tag. nbgrader ignores
the tag: a failing check still scores zero.

Usage: .venv/bin/python -m tools.tag_failing_cells [ASSIGNMENT ...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TAG = "raises-exception"


def failing_cell_ids(assignment: str) -> set[str]:
    """Release ``assignment`` with real nbgrader in a scratch course; run it; return failing ids."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy2(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "notebooks" / assignment, course / "notebooks" / assignment)
        nbgrader = Path(sys.executable).parent / "nbgrader"
        subprocess.run([str(nbgrader), "generate_assignment", assignment, "--force"], cwd=course,
                       check=True, capture_output=True)
        path = course / "release" / assignment / f"{assignment}.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                       extra_arguments=["--IPKernelApp.log_level=ERROR"],
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        return {c.id for c in nb.cells if c.cell_type == "code"
                and any(o.output_type == "error" for o in c.outputs)}


def tag(assignment: str) -> list[str]:
    """Add the tag to the source cells that fail in the blank release; return their ids."""
    source = ROOT / "notebooks" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(source, as_version=4)
    failing = failing_cell_ids(assignment)
    added = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.id in failing and TAG not in tags:
            cell.metadata["tags"] = [*tags, TAG]
            added.append(cell.id)
    if added:
        nbformat.write(nb, source)
    return added


def main(argv: list[str]) -> None:
    """Tag every assignment named on the command line (default: all)."""
    names = argv or sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())
    for assignment in names:
        print(f"{assignment}: tagged {', '.join(tag(assignment)) or 'nothing new'}")


if __name__ == "__main__":
    main(sys.argv[1:])
