"""``kosovo-course release``: generate_assignment plus the solution/blank/leak checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from grading_fixtures import (
    ASSIGNMENT,
    FIXTURE_COURSE,
    cli,
    copy_of,
    dump_gradebook,
    new_course,
    released_template,
)

from course.grading.solutions import (
    hidden_test_regions,
    leaked,
    notebook_secrets,
    notebook_text,
    secrets_of,
    solution_regions,
)


def test_secrets_are_the_solution_and_hidden_test_lines():
    secrets = notebook_secrets(FIXTURE_COURSE / "notebooks" / ASSIGNMENT)
    lines = {s.line for s in secrets}
    assert "return [i * i for i in range(n)]" in lines
    assert (
        'assert count_words(" Mitrovica bridge ") == 2, "hidden: extra spaces are not words"'
        in lines
    )
    assert not any("def squares" in line for line in lines)  # public scaffold
    assert {s.kind for s in secrets} == {"solution", "hidden-test"}


def test_regions_and_leak_matching_ignore_whitespace():
    src = "x = 1\n### BEGIN SOLUTION\ny = x   +  1\n### END SOLUTION\n"
    assert solution_regions(src) == ["y = x   +  1"]
    assert solution_regions("whole = cell") == ["whole = cell"]
    assert hidden_test_regions("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS") == ["b"]
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": src,
                "outputs": [],
                "metadata": {"nbgrader": {"solution": True, "grade_id": "q"}},
            }
        ]
    }
    nb["cells"][0]["source"] = src.replace("y = x", "total_count = x")
    secrets = secrets_of(nb, "nb")
    assert [s.line for s in secrets] == ["total_count = x + 1"]
    assert leaked(secrets, "something\ntotal_count = x + 1 # copied") == secrets
    assert leaked(secrets, "total_count = x") == []


@pytest.mark.nbgrader
def test_release_generates_and_verifies_the_fixture():
    root = released_template()  # built by `kosovo-course release ps1`
    release_nb = json.loads((root / "release" / ASSIGNMENT / "ps1.ipynb").read_text())
    text = notebook_text(release_nb)
    assert "Mitrovica" not in text and "i * i" not in text
    # The check students never reach the real course.
    assert not (root / "submitted").exists() and not (root / "autograded").exists()
    assert dump_gradebook(root)["submissions"] == {}


@pytest.mark.nbgrader
def test_release_output_and_rerelease(tmp_path):
    root = copy_of(released_template(), tmp_path / "again")
    proc = cli("release", cwd=root)  # default: every assignment; force re-release
    assert "ps1: OK" in proc.stdout
    assert "solution passes 3/3 autograded test cells" in proc.stdout
    assert "blank release fails 3/3 autograded test cells" in proc.stdout
    assert "leak check: 0" in proc.stdout


def _broken_assignment(root: Path) -> None:
    nb_path = root / "notebooks" / ASSIGNMENT / "ps1.ipynb"
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if gid == "count_words":  # a wrong model answer: its test must fail
            cell["source"] = src.replace("len(text.split())", "len(text.split(' '))")
        if gid == "test_squares":  # a test that passes without any answer
            cell["source"] = "assert True"
    nb_path.write_text(json.dumps(nb))


@pytest.mark.nbgrader
def test_release_fails_when_the_solution_fails_or_the_blank_passes(tmp_path):
    root = new_course(tmp_path / "broken")
    _broken_assignment(root)
    proc = cli("release", ASSIGNMENT, cwd=root, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ps1: FAILED" in proc.stdout
    assert "solution fails ps1/test_count_words_hidden" in proc.stdout
    assert "AssertionError: an empty text has no words" in proc.stdout  # why it failed
    assert "blank release passes ps1/test_squares" in proc.stdout


@pytest.mark.nbgrader
def test_a_leak_in_the_release_is_reported(tmp_path):
    from course.grading.coursedir import Course
    from course.grading.release import ReleaseReport, verify_release

    root = copy_of(released_template(), tmp_path / "leak")
    path = root / "release" / ASSIGNMENT / "ps1.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] += (
        '\n\nHint: assert count_words("  Mitrovica   bridge ") == 2, '
        '"hidden: extra spaces are not words"'
    )
    path.write_text(json.dumps(nb))
    report = ReleaseReport(ASSIGNMENT, generated=True)
    verify_release(Course.open(root), ASSIGNMENT, report)
    assert not report.ok
    assert any("hidden-test" in leak and "Mitrovica" in leak for leak in report.leaks)
