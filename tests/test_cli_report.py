"""``kosovo-course report``: nbgrader's CSV export, item analysis and figures."""

from __future__ import annotations

import csv

import pytest
from grading_fixtures import ASSIGNMENT, cli, copy_of, graded_template, nbgrader

pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory):
    root, _ = graded_template()
    root = copy_of(root, tmp_path_factory.mktemp("report") / "course")
    return root, cli("report", cwd=root)


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_grades_csv_is_nbgrader_export_plus_whether_each_grade_is_current(reported):
    root, proc = reported
    ours = _rows(root / "reports" / "grades.csv")
    nbgrader("export", "--to", "stock.csv", cwd=root)
    stock = {r["student_id"]: r for r in _rows(root / "stock.csv")}
    flagged = {r["student_id"] for r in _rows(root / "reports" / ASSIGNMENT / "flags.csv")}
    assert str(root / "reports" / "grades.csv") in proc.stdout
    for row in ours:
        if row["student_id"] not in stock:
            # Never reached the gradebook: listed all the same, as not graded, with the reason.
            assert row["status"] == "ungraded" and row["reason"] and row["score"] == ""
            continue
        same = {k: v for k, v in stock[row["student_id"]].items()}
        if row["status"] == "graded":
            assert {k: row[k] for k in same} == same  # nbgrader's own columns, unchanged
        else:
            assert row["student_id"] in flagged and row["score"] == "" and row["reason"]
    assert {r["status"] for r in ours} >= {"graded", "ungraded"}


def test_items_csv_has_one_row_per_graded_cell(reported):
    root, _ = reported
    rows = {r["grade_id"]: r for r in _rows(root / "reports" / ASSIGNMENT / "items.csv")}
    assert set(rows) == {
        "test_squares",
        "test_count_words",
        "test_count_words_hidden",
        "explain_counts",
    }
    for column in ("grade_id", "max_points", "mean_score", "share_passing", "n", "common_failures"):
        assert column in rows["test_squares"]
    squares = rows["test_squares"]
    assert squares["max_points"] == "2" and squares["kind"] == "autograded"
    # Only current grades count: students whose submission could not be graded are left out.
    current = [
        r for r in _rows(root / "reports" / ASSIGNMENT / "scores.csv") if r["status"] == "graded"
    ]
    assert int(squares["n"]) == len(current) and 0 < len(current) < 11
    assert 0 < float(squares["share_passing"]) < 1
    assert "squares(3) should be [0, 1, 4]" in squares["common_failures"]
    assert "(" in squares["common_failures"]  # counts, never student ids
    assert "s0" not in "".join(r["common_failures"] for r in rows.values())
    assert rows["explain_counts"]["kind"] == "manual"
    # Unmarked written answers are counted, not scored 0.
    explain = rows["explain_counts"]
    assert int(explain["unmarked"]) > 0
    # Blank answers are scored 0 by nbgrader itself; answered ones wait for a marker.
    assert int(explain["n"]) + int(explain["unmarked"]) == len(current)


def test_scores_csv_has_a_row_per_student_and_a_column_per_question(reported):
    root, proc = reported
    rows = {r["student_id"]: r for r in _rows(root / "reports" / ASSIGNMENT / "scores.csv")}
    assert "per student and question" in proc.stdout
    full = rows["s001"]  # the model answers
    assert full["status"] == "graded" and full["test_squares"] == "2"
    assert full["explain_counts"] == "unmarked"
    blank = rows["s003"]
    assert blank["test_squares"] == "0"
    for row in rows.values():
        if row["status"] != "graded":
            assert row["total"] == "" and row["test_squares"] == "" and row["reason"]


def test_figures_are_pngs_with_alt_text(reported):
    root, _ = reported
    for name in ("scores.png", "pass-rates.png"):
        data = (root / "reports" / ASSIGNMENT / name).read_bytes()
        assert data.startswith(b"\x89PNG") and b"Description" in data
