"""Real nbgrader round trip: release, then autograde the answer key (full marks) and the blank
release (zero), in a scratch copy of the course."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_helpers import assignments, make_course_copy, nbgrader, source_notebook

pytestmark = pytest.mark.nbgrader
ASSIGNMENTS = assignments()


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A scratch course; each assignment is released and autograded for two students on first use.

    Students: ``key`` hands in the source notebook (the answer key), ``blank`` the untouched
    release.
    """
    course = make_course_copy(tmp_path_factory.mktemp("course"))
    done: set[str] = set()

    def grade(assignment: str):
        if assignment not in done:
            nbgrader(course, "generate_assignment", assignment, "--force")
            for student, notebook in [
                ("key", source_notebook(assignment)),
                ("blank", course / "release" / assignment / f"{assignment}.ipynb"),
            ]:
                target = course / "submitted" / student / assignment
                target.mkdir(parents=True)
                shutil.copy2(notebook, target / f"{assignment}.ipynb")
            nbgrader(course, "autograde", assignment, "--force")
            done.add(assignment)
        return course

    return grade


def _scores(course, assignment, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        return submission.code_score, submission.max_code_score


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_key_gets_full_autograded_marks(graded_course, assignment):
    score, maximum = _scores(graded_course(assignment), assignment, "key")
    assert maximum > 0
    assert score == maximum


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_scores_zero(graded_course, assignment):
    score, maximum = _scores(graded_course(assignment), assignment, "blank")
    assert maximum > 0
    assert score == 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_contains_no_solution(graded_course, assignment):
    course = graded_course(assignment)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", 4)
    released = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
    assert "Model answer" not in released and "Rubric (" not in released
    source = nbformat.read(source_notebook(assignment), 4)
    for cell in source.cells:
        for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", cell.source,
                                flags=re.S):
            for line in block.splitlines():
                if len(line.strip()) > 12:
                    assert line.strip() not in released, f"leaked into the release: {line!r}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_runs_to_the_end_like_run_all(graded_course, assignment, tmp_path):
    """JupyterLab's Run All stops at an untagged error; a blank release must show every verdict."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    course = graded_course(assignment)
    release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", 4)
    client = NotebookClient(release, kernel_name="python3", allow_errors=False, timeout=120,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except CellExecutionError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"Run All would stop here; tag the cell raises-exception: {error}"[:2000])
    checks = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")
              and c.cell_type == "code"]
    assert all(any(o.output_type == "error" for o in c.outputs) for c in checks)
