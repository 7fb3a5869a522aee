"""Shared test helpers: the repo's assignments, notebook execution, nbgrader course copies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BIN = Path(sys.executable).parent


def assignments() -> list[str]:
    """Assignment ids, i.e. the folders of notebooks/ that hold <id>/<id>.ipynb."""
    return sorted(p.parent.name for p in NOTEBOOKS.glob("*/*.ipynb") if p.stem == p.parent.name)


def source_notebook(assignment: str) -> Path:
    """Path of an assignment's nbgrader source notebook."""
    return NOTEBOOKS / assignment / f"{assignment}.ipynb"


def execute(path: Path, *, cwd: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel, keeping going after errors."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(cwd)}})
    env = {"MPLBACKEND": "Agg"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def graded_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The autograded test cells of a notebook (code cells with grade=True)."""
    return [c for c in nb.cells if c.cell_type == "code"
            and c.metadata.get("nbgrader", {}).get("grade")]


def errors(cell: nbformat.NotebookNode) -> list[dict]:
    """Error outputs and stderr streams of a cell: either scores zero under nbgrader."""
    return [o for o in cell.get("outputs", []) if o.output_type == "error"
            or (o.output_type == "stream" and o.get("name") == "stderr")]


def make_course_copy(dest: Path, assignment_ids: list[str] | None = None) -> Path:
    """Copy nbgrader_config.py and the source notebooks into a scratch course directory."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for assignment in assignment_ids or assignments():
        shutil.copytree(NOTEBOOKS / assignment, dest / "notebooks" / assignment)
    return dest


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real `nbgrader` command in a course directory."""
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, text=True,
                            capture_output=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def notebook_charts(*functions: str) -> list:
    """The charts that the notebooks' cells calling ``functions`` draw, in notebook order.

    Each notebook that calls one of them is run in-process from the top: every code cell that
    imports, loads data or defines a function, and every cell that calls one of ``functions``
    (a cell's last expression is kept, as Jupyter would show it, and so is a chart stored in a
    variable). Faster than a kernel, and the same inputs.
    """
    import ast

    charts = []
    for path in sorted(NOTEBOOKS.glob("*/*.ipynb")):
        cells = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "code"]
        calls = [f"{name}(" for name in functions]
        if not any(call in source for source in cells for call in calls):
            continue
        namespace: dict = {}
        cwd = os.getcwd()
        os.chdir(path.parent)
        try:
            for source in cells:
                if not any(call in source for call in calls):
                    if any(word in source for word in ("import", "load_", "def ")):
                        exec(compile(source, str(path), "exec"), namespace)
                    continue
                tree = ast.parse(source)
                last = tree.body.pop() if isinstance(tree.body[-1], ast.Expr) else None
                exec(compile(tree, str(path), "exec"), namespace)
                if last is not None:
                    expression = ast.Expression(last.value)
                    charts.append(eval(compile(expression, str(path), "eval"), namespace))
                # A chart stored in a variable (answer_6_6 = status_chart(...)) counts too.
                charts.extend(v for v in namespace.values()
                              if type(v).__name__ == "Chart" and all(v is not c for c in charts))
        finally:
            os.chdir(cwd)
    return charts
