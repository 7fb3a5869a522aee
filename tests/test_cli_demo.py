"""``kosovo-course demo``: the whole instructor workflow on a small synthetic class."""

from __future__ import annotations

import pytest
from grading_fixtures import FIXTURE_COURSE, REPO, cli, new_course

pytestmark = pytest.mark.nbgrader


def _demo_course(tmp_path):
    """The real first assignment when it exists, else the fixture course."""
    if (REPO / "notebooks" / "01-sourcing" / "01-sourcing.ipynb").is_file():
        return REPO, "01-sourcing"
    assert (FIXTURE_COURSE / "notebooks" / "ps1").is_dir()
    return new_course(tmp_path / "src"), "ps1"


def test_demo_runs_end_to_end_without_touching_the_repo(tmp_path):
    src, assignment = _demo_course(tmp_path)
    before = sorted(p.name for p in REPO.iterdir())
    keep = tmp_path / "demo"
    args = ["demo", "--students", "4", "--keep", str(keep)]
    proc = cli("--course-dir", str(src), *args, "--assignment", assignment, timeout=600)
    assert sorted(p.name for p in REPO.iterdir()) == before
    out = proc.stdout
    assert f"{assignment}: OK" in out
    for student in ("s001", "s002", "s003", "s004"):
        assert student in out
    assert "flagged: invalid-json" in out
    assert "no hidden tests or solutions" in out
    for path in (
        "gradebook.db",
        "reports/grades.csv",
        f"reports/{assignment}/items.csv",
        f"reports/{assignment}/scores.png",
        f"reports/{assignment}/flags.csv",
    ):
        assert (keep / path).is_file(), path
    pages = list((keep / "feedback").glob(f"*/{assignment}/*.html"))
    assert len(pages) == 3
    for page in pages:  # full marks hand in their own words, not the instructor's key
        assert "instructor only" not in page.read_text(encoding="utf-8"), page
