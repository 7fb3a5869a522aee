"""A class's lifecycle around grading: rosters, LMS files, bad input, late work, marking, export."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from grading_fixtures import (
    ASSIGNMENT,
    cli,
    copy_of,
    graded_template,
    released_template,
    write_class,
)

from course.grading.coursedir import CourseError
from course.grading.flags import Flag, explain
from course.grading.lms import Entry, parse_entry
from course.grading.roster import Roster
from course.grading.standing import question_label

ROSTER = "student_id,first_name,last_name,canvas_id,moodle_id\n" + "\n".join(
    f"s{i:03d},First{i},Last{i},{50000 + i},{100 + i}" for i in range(1, 9)
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _nb(tag: str) -> bytes:
    cell = {"cell_type": "markdown", "metadata": {}, "source": tag}
    return json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    ).encode()


# --- rosters -------------------------------------------------------------------------------


def test_semicolon_roster_with_balkan_names(tmp_path):
    roster = Roster.load(
        _write(tmp_path / "r.csv", "student_id;first_name;last_name\nu1;Đorđe;Šljivić\n")
    )
    assert roster.by_id["u1"].last_name == "Šljivić"


def test_windows_1250_roster_asks_for_the_encoding_then_reads_it(tmp_path):
    path = _write(
        tmp_path / "r.csv", "student_id,first_name,last_name\nu1,Đorđe,Šljivić\n", "cp1250"
    )
    with pytest.raises(CourseError, match="not UTF-8.*--roster-encoding cp1250"):
        Roster.load(path)
    assert Roster.load(path, "cp1250").by_id["u1"].first_name == "Đorđe"


def test_canvas_gradebook_export_as_roster(tmp_path):
    text = (
        "Student,ID,SIS User ID,SIS Login ID,Section,01-sourcing (900001)\n"
        "    Points Possible,,,,,16\n"
        '"Petrović, Jelena",50003,jpetrovic,jpetrovic,A,\n'
        '"Berisha, Luan",50004,,lberisha,A,\n'
        "Test Student,99,,,A,\n"
    )
    roster = Roster.load(_write(tmp_path / "canvas.csv", text))
    assert [s.student_id for s in roster.students] == ["jpetrovic", "lberisha"]
    jelena = roster.by_id["jpetrovic"]
    assert (jelena.first_name, jelena.last_name, jelena.canvas_id) == (
        "Jelena",
        "Petrović",
        "50003",
    )


def test_moodle_grading_worksheet_as_roster(tmp_path):
    text = (
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade\n"
        "Participant 101,Ana Petrović,ana@example.org,Submitted,,16\n"
    )
    roster = Roster.load(_write(tmp_path / "moodle.csv", text))
    ana = roster.students[0]
    assert (ana.student_id, ana.moodle_id, ana.first_name) == ("ana@example.org", "101", "Ana")


def test_roster_without_ids_is_refused_in_words(tmp_path):
    with pytest.raises(CourseError, match="no student_id column"):
        Roster.load(_write(tmp_path / "r.csv", "name,mark\nx,1\n"))
    with pytest.raises(CourseError, match="cannot read roster"):
        Roster.load(tmp_path / "missing.csv")


def test_canvas_file_names_with_underscores_in_the_name_are_matched(tmp_path):
    roster = Roster.load(
        _write(
            tmp_path / "r.csv",
            "student_id,first_name,last_name,canvas_id\njp,Jelena,Petrović,50003\n",
        )
    )
    p = parse_entry(
        Entry("petrovic_jelena_50003_900003_01-sourcing.ipynb", None, lambda: b""), {"01-sourcing"}
    )
    assert (p.lms, p.lms_id, p.filename) == ("canvas", "50003", "01-sourcing.ipynb")
    assert roster.match(p.lms, p.lms_id, p.name)[0].student_id == "jp"


# --- collect: bad downloads, HTML re-uploads, missing students ------------------------------


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = copy_of(released_template(), tmp_path / "course")
    _write(tmp_path / "roster.csv", ROSTER)
    return root


@pytest.mark.nbgrader
@pytest.mark.parametrize("kind", ["not-a-zip", "truncated"])
def test_a_bad_download_gets_one_line_and_nothing_changes(course, tmp_path, kind):
    bad = tmp_path / "download.zip"
    if kind == "not-a-zip":
        bad.write_text("<html>Canvas session expired</html>")
    else:
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("last1first1_50001_1_ps1.ipynb", _nb("x") * 50)
        bad.write_bytes(bad.read_bytes()[:-60])
    proc = cli(
        "collect",
        ASSIGNMENT,
        str(bad),
        "--roster",
        str(tmp_path / "roster.csv"),
        cwd=course,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "download it again" in proc.stderr
    assert not (course / "submitted").exists()


@pytest.mark.nbgrader
def test_html_reupload_never_deletes_the_collected_notebook(course, tmp_path):
    roster = str(tmp_path / "roster.csv")

    def upload(name: str, when: tuple[int, ...], data: bytes, zip_name: str) -> str:
        path = tmp_path / zip_name
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
        return cli("collect", ASSIGNMENT, str(path), "--roster", roster, cwd=course).stdout

    upload("last1first1_50001_1_ps1.ipynb", (2022, 8, 20, 9, 0, 0), _nb("the work"), "a.zip")
    out = upload("last1first1_50001_2_ps1.html", (2022, 8, 21, 9, 0, 0), b"<html/>", "b.zip")
    folder = course / "submitted" / "s001" / ASSIGNMENT
    assert json.loads((folder / "ps1.ipynb").read_text())["cells"][0]["source"] == "the work"
    assert "kept-notebook" in out and "has no notebook" in out


@pytest.mark.nbgrader
def test_collect_lists_the_missing_and_keeps_every_unmatched_report(course, tmp_path):
    roster = str(tmp_path / "roster.csv")
    src = tmp_path / "plain"
    (src / "s002").mkdir(parents=True)
    (src / "s002" / "ps1.ipynb").write_bytes(_nb("s002"))
    (src / "stranger").mkdir()
    (src / "stranger" / "ps1.ipynb").write_bytes(_nb("?"))
    first = cli("collect", ASSIGNMENT, str(src), "--roster", roster, cwd=course).stdout
    assert "still missing (7 on the roster without a notebook): s001, s003" in first
    second = cli("collect", ASSIGNMENT, str(src), "--roster", roster, cwd=course).stdout
    reports = sorted((course / "reports" / ASSIGNMENT / "collect").glob("unmatched-*.csv"))
    assert len(reports) == 2 and "unmatched" in second  # the first run's report is kept


@pytest.mark.nbgrader
@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_positive_number(course, jobs):
    proc = cli("grade", ASSIGNMENT, "--jobs", jobs, cwd=course, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--jobs" in proc.stderr


@pytest.mark.nbgrader
def test_feedback_before_grading_and_for_an_unknown_student(course):
    proc = cli("feedback", ASSIGNMENT, cwd=course, check=False)
    assert proc.returncode == 2 and "run `kosovo-course grade ps1` first" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- graded class: feedback warning, unknown student, LMS export ----------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root, _ = graded_template()
    return copy_of(root, tmp_path_factory.mktemp("lifecycle") / "course")


@pytest.mark.nbgrader
def test_feedback_for_an_unknown_student_is_refused(graded):
    proc = cli("feedback", ASSIGNMENT, "--student", "nobody", cwd=graded, check=False)
    assert proc.returncode == 2 and "No graded submission of ps1 for: nobody" in proc.stderr


@pytest.mark.nbgrader
def test_feedback_warns_about_unmarked_written_answers(graded):
    proc = cli("feedback", ASSIGNMENT, "--student", "s001", cwd=graded)
    assert "written answer(s) of 1 student(s) are not marked yet" in proc.stdout


@pytest.mark.nbgrader
@pytest.mark.parametrize("lms", ["canvas", "moodle"])
def test_export_in_each_lms_import_format(graded, tmp_path, lms):
    roster = _write(tmp_path / "roster.csv", ROSTER)
    cli("feedback", ASSIGNMENT, cwd=graded)
    proc = cli("export", ASSIGNMENT, "--lms", lms, "--roster", str(roster), cwd=graded)
    out = graded / "reports" / ASSIGNMENT
    with open(out / f"{lms}-grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    from course.grading.coursedir import Course
    from course.grading.standing import standings

    found = standings(Course.open(graded), ASSIGNMENT)
    if lms == "canvas":
        assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        by_id = {r[2]: r[5] for r in rows[2:]}
        assert rows[2][:3] == ["Last1, First1", "50001", "s001"]
    else:
        assert rows[0][:4] == ["Identifier", "Full name", "Email address", "Grade"]
        by_id = {f"s{int(r[0].split()[1]) - 100:03d}": r[3] for r in rows[1:]}
        assert rows[1][:2] == ["Participant 101", "First1 Last1"]
    for student, grade in by_id.items():
        assert (grade != "") == found[student].current, (student, found[student])
    assert by_id["s001"] != "" and float(by_id["s001"]) > 0
    names = zipfile.ZipFile(out / f"{lms}-feedback.zip").namelist()
    expected = (
        "last1first1_50001_ps1-feedback.html"
        if lms == "canvas"
        else "First1 Last1_101_assignsubmission_file_/ps1-feedback.html"
    )
    assert expected in names
    assert "left empty" in proc.stdout  # the ungraded students are named


# --- late work ------------------------------------------------------------------------------


@pytest.mark.nbgrader
def test_late_penalty_in_the_gradebook_summary_and_report(tmp_path):
    root = copy_of(released_template(), tmp_path / "late")
    config = root / "nbgrader_config.py"
    config.write_text(
        config.read_text()
        + '\nc.AssignLatePenalties.plugin_class = "course.grading.late.PercentPerDayPenalty"\n'
        "c.PercentPerDayPenalty.percent_per_day = 25\n"
    )
    proc = cli("release", ASSIGNMENT, "--no-verify", "--due", "2022-08-24 11:00", cwd=root)
    assert "due date: 2022-08-24 11:00 UTC" in proc.stdout
    write_class(root, ["full", "full"], extras={})  # s001 09:00, s002 09:07 (on time)
    stamp = root / "submitted" / "s002" / ASSIGNMENT / "timestamp.txt"
    stamp.write_text("2022-08-25 12:00:00.000000 UTC")  # 1 day 1 h late: 2 started days
    grade = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root)
    assert "Late (1)" in grade.stdout and "s002: 1 day 1 h late, -" in grade.stdout
    report = cli("report", ASSIGNMENT, cwd=root)
    with open(root / "reports" / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    raw = float(rows["s002"]["raw_score"])
    assert float(rows["s002"]["late_submission_penalty"]) == pytest.approx(raw * 0.5)
    assert float(rows["s001"]["late_submission_penalty"]) == 0
    assert "late: 1 submission(s) penalised, s002" in report.stdout


def test_penalty_plugin_per_started_day():
    from course.grading.late import PercentPerDayPenalty

    plugin = PercentPerDayPenalty(percent_per_day=10)
    assert plugin.late_submission_penalty("x", 10, 0) is None
    assert plugin.late_submission_penalty("x", 10, 60) == 1
    assert plugin.late_submission_penalty("x", 10, 86400 * 2 + 1) == 3
    assert plugin.late_submission_penalty("x", 10, 86400 * 30) == 10


# --- words an instructor can act on ---------------------------------------------------------


def test_flags_are_explained_without_internals():
    words = explain(Flag("s1", "ps1", "autograde-failed", "KeyError: 'grade_id'"))
    assert "KeyError" not in words and "pasted" in words and "ps1.ipynb" in words
    words = explain(
        Flag(
            "s1",
            "",
            "autograde-failed",
            "nbgrader.converters.base.NbGraderException: x (see the above traceback)",
        )
    )
    assert "traceback" not in words and "nbgrader.converters" not in words
    assert "appears twice" in explain(Flag("s1", "", "autograde-failed", "Duplicate cell a1-1"))


def test_question_labels():
    assert question_label("t1-1") == "Q1.1" and question_label("t6-10") == "Q6.10"
    assert question_label("w2-byline") == "W2" and question_label("test_squares") == "test_squares"


@pytest.mark.nbgrader
def test_release_counts_graded_submissions_of_another_version(tmp_path):
    from course.grading.coursedir import Course
    from course.grading.release import affected_by_release
    from course.grading.state import StudentState, load_state, save_state

    root = copy_of(released_template(), tmp_path / "c")
    course = Course.open(root)
    reports = course.assignment_reports(ASSIGNMENT)
    save_state(reports, StudentState("a", "d", "graded", release_digest="v2"))
    save_state(reports, StudentState("b", "d", "graded", release_digest="v1"))
    save_state(reports, StudentState("c", "d", "graded"))  # recorded before versions were
    save_state(reports, StudentState("d", "d", "failed", reason="x", release_digest="v1"))
    assert affected_by_release(course, ASSIGNMENT, "v2") == ["b", "c"]
    # An older record (no reason, no release_digest fields) still loads.
    (reports / ".grade-state" / "e.json").write_text(
        '{"student": "e", "digest": "d", "status": "graded"}'
    )
    assert not load_state(reports, "e").release_digest


def test_zip_times_read_in_the_course_zone():
    from zoneinfo import ZoneInfo

    from course.grading.lms import _zip_time

    info = zipfile.ZipInfo("x", date_time=(2022, 8, 21, 23, 30, 0))
    assert _zip_time(info, UTC) == datetime(2022, 8, 21, 23, 30, tzinfo=UTC)
    assert _zip_time(info, ZoneInfo("Europe/Belgrade")) == datetime(2022, 8, 21, 21, 30, tzinfo=UTC)


def test_synthetic_full_marks_students_hand_in_their_own_words_not_the_key():
    from grading_fixtures import REPO

    from course.grading.synth import _solutions, as_student_answer

    source = json.loads((REPO / "notebooks" / "01-sourcing" / "01-sourcing.ipynb").read_text())
    written = [a for gid, a in _solutions(source).items() if gid.startswith("w")]
    assert written and all("instructor only" not in a and "Rubric" not in a for a in written)
    assert (
        as_student_answer("**Model answer (instructor only).** Yes.\n\n**Rubric (1).** x") == "Yes."
    )


@pytest.mark.nbgrader
def test_roster_import_puts_everyone_in_the_grades_as_missing(course, tmp_path):
    export = _write(
        tmp_path / "canvas.csv",
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        "    Points Possible,,,,\n"
        '"Petrović, Jelena",50003,jpetrovic,,A\n',
    )
    proc = cli("roster", str(export), cwd=course)
    assert "1 new in the gradebook" in proc.stdout
    cli("report", ASSIGNMENT, cwd=course)
    with open(course / "reports" / "grades.csv", newline="", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["student_id"] == "jpetrovic")
    assert (row["status"], row["score"], row["last_name"]) == ("missing", "0.0", "Petrović")


@pytest.mark.nbgrader
def test_grade_writes_no_progress_bar_into_a_log(tmp_path):
    """grade's output piped to a file holds the summary and flag lines, no carriage returns."""
    root = copy_of(released_template(), tmp_path / "c")
    write_class(root, ["full", "blank"], extras={})
    proc = cli("grade", ASSIGNMENT, "--jobs", "2", cwd=root, check=False)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "\r" not in proc.stdout + proc.stderr
    assert "student" in proc.stdout
