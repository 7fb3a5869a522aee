"""Every real-world case of ``../shared/cases`` with the outcome its README calls right.

The static cases (and the students the two collect cases bring in) are graded together in ONE
``kosovo-course grade`` run, then ``feedback`` and ``report`` run once; the resubmission case
needs three runs in sequence on a course of its own (its first run is under LC_ALL=C, where
the unicode case's students are graded too). Real nbgrader throughout.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from case_fixtures import (
    ASSIGNMENT,
    COLLECT_CASES,
    KEY_SCORE,
    SEQUENCE_CASES,
    STATIC_CASES,
    all_case_names,
    case,
    case_students,
    copy_submissions,
    fresh_copy,
    released_cases_course,
)
from grading_fixtures import BIN, env

from course.grading.flags import read_flags
from course.grading.solutions import html_text

pytestmark = pytest.mark.nbgrader

# Downloads collected (and then graded in the class run) under a prefix: both hold a student
# "apetrovic" and a "lberisha", so the class gets them as zip-apetrovic, moodle-apetrovic...
COLLECTED = {
    "collect-nested-zip": ("canvas-submissions.zip", "zip"),
    "collect-two-attempts": ("moodle-download.zip", "moodle"),
}


def run(*args: str, cwd: Path, extra_env: dict[str, str] | None = None, timeout: float = 3600):
    """``kosovo-course ARGS`` in ``cwd``; the finished process (not checked)."""
    e = env()
    e.update(extra_env or {})
    return subprocess.run(
        [str(BIN / "kosovo-course"), *args],
        cwd=cwd,
        env=e,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def scores(root: Path) -> dict[str, float]:
    """student -> total score in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.score) for s in gb.find_assignment(ASSIGNMENT).submissions}


def flags_of(root: Path, student: str) -> list[str]:
    """The flag kinds recorded for one student."""
    path = root / "reports" / ASSIGNMENT / "flags.csv"
    return sorted(f.kind for f in read_flags(path) if f.student_id == student)


def grade_rows(root: Path) -> dict[str, dict[str, str]]:
    """student -> row of reports/grades.csv."""
    with open(root / "reports" / "grades.csv", newline="", encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def feedback_html(root: Path, student: str) -> Path:
    return root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


@dataclass
class Graded:
    root: Path
    grade: subprocess.CompletedProcess[str]
    feedback: subprocess.CompletedProcess[str]
    report: subprocess.CompletedProcess[str]
    collects: dict[str, tuple[Path, subprocess.CompletedProcess[str]]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    base = tmp_path_factory.mktemp("cases")
    root = fresh_copy(released_cases_course(), base / "class")
    for name in STATIC_CASES:
        copy_submissions(case(name) / "submitted", root)
    collects = {}
    for name, (download, prefix) in COLLECTED.items():
        course = fresh_copy(released_cases_course(), base / name)
        proc = run(
            "collect",
            ASSIGNMENT,
            str(case(name) / download),
            "--roster",
            str(case(name) / "roster.csv"),
            cwd=course,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        collects[name] = (course, proc)
        for student in sorted((course / "submitted").iterdir()):
            shutil.copytree(student, root / "submitted" / f"{prefix}-{student.name}")
    grade = run("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root)
    # 0, or 1 when a student could not be graded (d-deleted may be): each test below checks
    # its own students' outcomes; the batch itself must never stop (2).
    assert grade.returncode in (0, 1), grade.stdout + grade.stderr
    feedback = run("feedback", ASSIGNMENT, cwd=root)
    report = run("report", ASSIGNMENT, cwd=root)
    return Graded(root, grade, feedback, report, collects)


def test_every_case_folder_has_a_test():
    covered = set(STATIC_CASES) | set(COLLECT_CASES) | set(SEQUENCE_CASES)
    assert set(all_case_names()) == covered


def _full_marks_no_flags(graded: Graded, students: list[str]) -> None:
    got = scores(graded.root)
    for student in students:
        assert got.get(student) == KEY_SCORE, (student, got.get(student), graded.grade.stdout)
        assert flags_of(graded.root, student) == [], student
        assert grade_rows(graded.root)[student]["status"] == "graded"


def test_control_key_full_marks_blank_zero(graded_class):
    got = scores(graded_class.root)
    assert got["a-key"] == KEY_SCORE and got["b-blank"] == 0
    assert flags_of(graded_class.root, "a-key") == flags_of(graded_class.root, "b-blank") == []


@pytest.mark.parametrize(
    "name",
    ["helper-module", "ipywidgets-in-answers", "kernelspec-mismatch", "matplotlib-backend"],
)
def test_case_is_graded_full_marks_without_flags(graded_class, name):
    _full_marks_no_flags(graded_class, [s for s in case_students(name) if s != "a-key"])


def test_student_ids_with_special_characters_are_all_graded(graded_class):
    students = [s for s in case_students("student-id-special-chars") if s != "a-key"]
    assert {"x[1]", "UNI\\jdoe", "ana maria", "li+1"} <= set(students)
    _full_marks_no_flags(graded_class, students)
    for student in students:
        assert feedback_html(graded_class.root, student).is_file(), student


def test_unicode_text_graded_and_feedback_written(graded_class):
    _full_marks_no_flags(graded_class, ["u-ascii", "đorđe-ž"])
    for student in ("u-ascii", "đorđe-ž"):
        assert feedback_html(graded_class.root, student).is_file()


def test_foreign_format_notebooks_full_marks_and_feedback(graded_class):
    _full_marks_no_flags(graded_class, ["f-v3", "f-colab", "f-v44ids"])
    for student in ("f-v3", "f-colab", "f-v44ids"):
        assert feedback_html(graded_class.root, student).is_file(), graded_class.feedback.stdout
    assert "removed" not in graded_class.feedback.stdout
    assert graded_class.feedback.returncode == 0, graded_class.feedback.stdout


def test_hidden_check_inputs_never_reach_feedback(graded_class):
    for student in ("f-debug", "f-assert"):
        text = html_text(feedback_html(graded_class.root, student).read_text(encoding="utf-8"))
        assert "Talks resumed in Brussels" not in text, student
        assert "licence plates" not in text, student
        assert "Question 1.5" in text  # the visible check's verdict is still there
    # The debug print did run during grading: it is the feedback that hides it.
    autograded = graded_class.root / "autograded" / "f-debug" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "licence plates" in autograded.read_text(encoding="utf-8")
    assert "checked: no hidden tests or solutions" in graded_class.feedback.stdout


def test_html_in_submission_feedback_comes_from_the_autograded_notebook(graded_class):
    _full_marks_no_flags(graded_class, ["h-html"])
    ours = html_text(feedback_html(graded_class.root, "h-html").read_text(encoding="utf-8"))
    theirs = (case("html-in-submission") / "submitted" / "h-html" / ASSIGNMENT).joinpath(
        f"{ASSIGNMENT}.html"
    )
    assert "Grade cell: t1-1" in ours  # nbgrader's feedback template, with scores
    assert "Grade cell: t1-1" not in html_text(theirs.read_text(encoding="utf-8"))


def test_huge_return_value_graded_with_sane_sizes(graded_class):
    assert scores(graded_class.root)["g-huge"] == KEY_SCORE
    autograded = graded_class.root / "autograded" / "g-huge" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert autograded.stat().st_size < 5_000_000
    html = feedback_html(graded_class.root, "g-huge")
    assert html.is_file() and html.stat().st_size < 5_000_000


def test_changed_solution_cells_never_stop_the_batch(graded_class):
    got = scores(graded_class.root)
    assert got["c-md"] == KEY_SCORE and got["w-code"] == KEY_SCORE
    # d-deleted: 11, or a flag naming the missing answer cell.
    assert got.get("d-deleted") == KEY_SCORE or any(
        "a1-6" in f.detail
        for f in read_flags(graded_class.root / "reports" / ASSIGNMENT / "flags.csv")
        if f.student_id == "d-deleted"
    )
    every = {p.name for p in (graded_class.root / "submitted").iterdir()}
    summary = graded_class.grade.stdout
    for student in every:
        assert student in summary, student  # each one has an outcome: no silent stop


def test_collect_nested_zip_is_opened_and_graded(graded_class):
    course, proc = graded_class.collects["collect-nested-zip"]
    inner = course / "submitted" / "apetrovic" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert inner.is_file(), proc.stdout
    assert "LATE" in proc.stdout  # Canvas's marker is shown
    stamp = (inner.parent / "timestamp.txt").read_text()
    assert stamp == "2022-08-22 01:00:00.000000 UTC"  # the LMS's time, not the inner zip's
    assert scores(graded_class.root)["zip-apetrovic"] == KEY_SCORE
    assert scores(graded_class.root)["zip-lberisha"] == KEY_SCORE


def test_collect_two_attempts_takes_the_newest_notebook(graded_class):
    course, proc = graded_class.collects["collect-two-attempts"]
    folder = course / "submitted" / "apetrovic" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir()) == [f"{ASSIGNMENT}.ipynb", "timestamp.txt"]
    assert (folder / "timestamp.txt").read_text() == "2022-08-21 22:30:00.000000 UTC"
    assert "older notebook set aside: 01-sourcing.ipynb" in proc.stdout
    assert scores(graded_class.root)["moodle-apetrovic"] == KEY_SCORE


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_collect_timestamp_does_not_depend_on_the_machine_zone(tmp_path, zone):
    stamps = {}
    for tz in ("UTC", zone):
        course = fresh_copy(released_cases_course(), tmp_path / tz.replace("/", "-"))
        proc = run(
            "collect",
            ASSIGNMENT,
            str(case("collect-timezone") / "canvas-submissions.zip"),
            "--roster",
            str(case("collect-timezone") / "roster.csv"),
            cwd=course,
            extra_env={"TZ": tz},
        )
        assert proc.returncode == 0, proc.stderr
        assert "read as UTC" in proc.stdout  # the zone used is stated
        stamps[tz] = (course / "submitted" / "lberisha" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamps["UTC"] == stamps[zone] == "2022-08-21 23:30:00.000000 UTC"


def test_collect_timezone_option_reads_zip_times_in_the_course_zone(tmp_path):
    course = fresh_copy(released_cases_course(), tmp_path / "course")
    proc = run(
        "collect",
        ASSIGNMENT,
        str(case("collect-timezone") / "canvas-submissions.zip"),
        "--roster",
        str(case("collect-timezone") / "roster.csv"),
        "--timezone",
        "Europe/Belgrade",
        cwd=course,
        extra_env={"TZ": "Asia/Tokyo"},
    )
    assert proc.returncode == 0, proc.stderr
    stamp = (course / "submitted" / "lberisha" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp == "2022-08-21 21:30:00.000000 UTC"  # 23:30 CEST


# --- resubmission-stale: three submissions, grade + feedback + report after each -------------


@dataclass
class Step:
    grade: subprocess.CompletedProcess[str]
    feedback: subprocess.CompletedProcess[str]
    report: subprocess.CompletedProcess[str]
    score: float | None
    row: dict[str, str]
    feedback_text: str | None


@pytest.fixture(scope="module")
def resubmissions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Step]]:
    root = fresh_copy(released_cases_course(), tmp_path_factory.mktemp("resub") / "course")
    stale = case("resubmission-stale")
    copy_submissions(stale / "v1" / "submitted", root)
    copy_submissions(case("unicode-text") / "submitted", root)  # graded under LC_ALL=C below
    steps = {}
    for version in ("v1", "v2", "v3"):
        if version != "v1":
            target = root / "submitted" / "r-resub"
            shutil.rmtree(target)
            copy_submissions(stale / version / "submitted", root)
        c_locale = {"LC_ALL": "C", "LANG": "C"} if version == "v1" else {}
        grade = run(
            "grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, extra_env=c_locale
        )
        # v3 cannot be graded: grade's documented status for "some students could not be graded".
        expected = 1 if version == "v3" else 0
        assert grade.returncode == expected, grade.stdout + grade.stderr
        feedback = run("feedback", ASSIGNMENT, cwd=root, extra_env=c_locale)
        report = run("report", ASSIGNMENT, cwd=root)
        html = feedback_html(root, "r-resub")
        steps[version] = Step(
            grade,
            feedback,
            report,
            scores(root).get("r-resub"),
            grade_rows(root)["r-resub"],
            html_text(html.read_text(encoding="utf-8")) if html.is_file() else None,
        )
    return root, steps


def test_unicode_text_graded_under_the_c_locale(resubmissions):
    root, steps = resubmissions
    assert "Traceback" not in steps["v1"].grade.stderr
    got = scores(root)
    for student in ("u-ascii", "đorđe-ž"):
        assert got[student] == KEY_SCORE and flags_of(root, student) == []
        assert feedback_html(root, student).is_file()


def test_resubmission_v1_key_then_v2_blank_shows_zero_everywhere(resubmissions):
    _, steps = resubmissions
    v1, v2 = steps["v1"], steps["v2"]
    assert v1.score == KEY_SCORE and v1.row["score"] == "11.0" and v1.row["status"] == "graded"
    assert v1.feedback_text is not None and "Score: 11.0" in v1.feedback_text
    assert v2.score == 0 and v2.row["score"] == "0.0" and v2.row["status"] == "graded"
    assert v2.feedback_text is not None and "Score: 0.0" in v2.feedback_text
    assert "Score: 11.0" not in v2.feedback_text


def test_resubmission_v3_ungradable_is_flagged_never_shown_with_an_old_grade(resubmissions):
    root, steps = resubmissions
    v3 = steps["v3"]
    assert flags_of(root, "r-resub"), v3.grade.stdout
    assert v3.row["status"] == "ungraded" and v3.row["reason"]
    assert v3.row["score"] == v3.row["raw_score"] == ""  # neither 11 (v1) nor 0 (v2)
    assert v3.feedback_text is None  # the v2 feedback is withdrawn
    assert "r-resub" in v3.feedback.stdout and "withdrawn" in v3.feedback.stdout
    assert "ungraded (1): r-resub" in v3.report.stdout
    scores_csv = root / "reports" / ASSIGNMENT / "scores.csv"
    with open(scores_csv, newline="", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["student_id"] == "r-resub")
    assert row["total"] == "" and row["Q1.1"] == ""


def test_resubmission_v3_grade_summary_shows_no_old_score(resubmissions):
    _, steps = resubmissions
    line = next(ln for ln in steps["v3"].grade.stdout.splitlines() if ln.startswith("r-resub"))
    assert line.split()[1] == "-", line  # no score: the gradebook's 0 is v2's


def test_rerelease_with_changed_points_says_how_many_grades_it_affects(resubmissions, tmp_path):
    root = fresh_copy(resubmissions[0], tmp_path / "course")
    nb = root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = nb.read_text(encoding="utf-8")
    nb.write_text(text.replace('"points": 1,', '"points": 2,', 1), encoding="utf-8")
    proc = run("release", ASSIGNMENT, "--no-verify", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    graded = sum(1 for r in grade_rows(root).values() if r["status"] == "graded")
    assert graded == 3  # a-key, u-ascii, đorđe-ž (r-resub's newest could not be graded)
    assert f"{graded} graded submission(s) were graded against an earlier version" in proc.stdout
    assert f"kosovo-course grade {ASSIGNMENT}" in proc.stdout


def test_rerelease_without_changes_affects_no_grade(resubmissions, tmp_path):
    root = fresh_copy(resubmissions[0], tmp_path / "course")
    proc = run("release", ASSIGNMENT, "--no-verify", cwd=root)
    assert "graded submissions affected: 0" in proc.stdout, proc.stdout


def test_rubrics_shown_to_markers_never_in_feedback(graded_class, tmp_path):
    from nbgrader.api import Gradebook

    from course.grading.marking import RUBRIC_NOTE

    root = fresh_copy(graded_class.root, tmp_path / "course")
    proc = run("rubrics", ASSIGNMENT, cwd=root)
    assert proc.returncode == 0, proc.stderr
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        key = gb.find_comment("w1-outlet", ASSIGNMENT, ASSIGNMENT, "u-ascii").auto_comment
        blank = gb.find_comment("w1-outlet", ASSIGNMENT, ASSIGNMENT, "b-blank").auto_comment
    assert key.startswith(RUBRIC_NOTE) and "1 point" in key
    assert blank == "No response."  # nothing to mark: nbgrader's note stays
    fb = run("feedback", ASSIGNMENT, "--student", "u-ascii", cwd=root)
    assert fb.returncode == 0, fb.stdout + fb.stderr
    assert RUBRIC_NOTE.strip() not in feedback_html(root, "u-ascii").read_text(encoding="utf-8")
