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


def test_grades_csv_is_what_nbgrader_export_writes(reported):
    root, proc = reported
    ours = (root / "reports" / "grades.csv").read_text()
    nbgrader("export", "--to", "stock.csv", cwd=root)
    assert ours == (root / "stock.csv").read_text()
    assert str(root / "reports" / "grades.csv") in proc.stdout


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
    assert int(squares["n"]) == 11
    assert 0 < float(squares["share_passing"]) < 1
    assert "squares(3) should be [0, 1, 4]" in squares["common_failures"]
    assert "(" in squares["common_failures"]  # counts, never student ids
    assert "s0" not in "".join(r["common_failures"] for r in rows.values())
    assert rows["explain_counts"]["kind"] == "manual"


def test_figures_are_pngs_with_alt_text(reported):
    root, _ = reported
    for name in ("scores.png", "pass-rates.png"):
        data = (root / "reports" / ASSIGNMENT / name).read_bytes()
        assert data.startswith(b"\x89PNG") and b"Description" in data
