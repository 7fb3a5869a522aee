"""``kosovo-course collect``: Canvas and Moodle downloads, rosters, duplicates, unmatched files."""

from __future__ import annotations

import csv
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from grading_fixtures import ASSIGNMENT, cli, copy_of, dump_gradebook, released_template

from course.grading.lms import Entry, parse_entry, split_resubmission
from course.grading.roster import Roster, RosterStudent, name_key

ROSTER = """student_id,first_name,last_name,email,canvas_id,moodle_id
u1001,Aleksandar,Vučić,av@example.org,50001,
u1002,Vjosa,Osmani,vo@example.org,50002,70002
u1003,Albin,Kurti,,,70003
u1004,Ana,Brnabić,,,
u1005,Miroslav,Lajčák,,,
u1006,Đorđe,Đurić,,,
"""


def _nb(tag: str) -> bytes:
    """A tiny valid notebook whose one cell says which file it came from."""
    return json.dumps(
        {
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": tag}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ).encode()


def _zip(path: Path, entries: list[tuple[str, tuple[int, ...], bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, when, data in entries:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def _stamp(*when: int) -> str:
    from course.grading.synth import nbgrader_timestamp

    return nbgrader_timestamp(datetime(*when).astimezone(UTC))


def _tag(root: Path, student: str) -> str:
    nb = json.loads((root / "submitted" / student / ASSIGNMENT / "ps1.ipynb").read_text())
    return nb["cells"][0]["source"]


def _unmatched(root: Path) -> list[dict[str, str]]:
    """The rows of the newest collect run's unmatched CSV (one file per run)."""
    newest = sorted((root / "reports" / ASSIGNMENT / "collect").glob("unmatched-*.csv"))[-1]
    with open(newest, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = copy_of(released_template(), tmp_path / "course")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return root


CANVAS = [
    ("vucicaleksandar_50001_900001_ps1.ipynb", (2022, 8, 20, 10, 0, 0), _nb("vucic first")),
    ("vucicaleksandar_50001_900002_ps1-1.ipynb", (2022, 8, 21, 9, 0, 0), _nb("vucic resubmitted")),
    ("osmanivjosa_LATE_50002_900003_ps1.ipynb", (2022, 8, 22, 23, 0, 0), _nb("osmani late")),
    ("brnabicana_99999_900004_ps1.ipynb", (2022, 8, 20, 12, 0, 0), _nb("brnabic by name")),
    ("lajcakmiroslav_88888_900005_ps1-1.ipynb", (2022, 8, 20, 8, 0, 0), _nb("lajcak 1")),
    ("lajcakmiroslav_88888_900006_ps1-2.ipynb", (2022, 8, 20, 8, 0, 0), _nb("lajcak 2")),
    ("djuricdjordje_66666_900008_ps1.ipynb", (2022, 8, 20, 8, 0, 0), _nb("djuric")),
    ("unknownperson_77777_900007_ps1.ipynb", (2022, 8, 20, 8, 0, 0), _nb("nobody")),
]


@pytest.mark.nbgrader
def test_canvas_zip_matches_ids_then_names_and_keeps_the_newest(course, tmp_path):
    archive = _zip(tmp_path / "canvas.zip", CANVAS)
    proc = cli(
        "collect", ASSIGNMENT, str(archive), "--roster", str(tmp_path / "roster.csv"), cwd=course
    )
    assert _tag(course, "u1001") == "vucic resubmitted"  # newer by the LMS timestamp
    assert _tag(course, "u1002") == "osmani late"
    assert _tag(course, "u1004") == "brnabic by name"  # unknown canvas id, accent-free name
    assert _tag(course, "u1005") == "lajcak 2"  # same timestamp: higher resubmission wins
    assert _tag(course, "u1006") == "djuric"  # Đ written as dj
    stamp = (course / "submitted" / "u1001" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp == "2022-08-21 09:00:00.000000 UTC"  # zip times in the course zone (UTC)
    unmatched = _unmatched(course)
    assert [u["file"] for u in unmatched] == ["unknownperson_77777_900007_ps1.ipynb"]
    assert unmatched[0]["lms"] == "canvas" and unmatched[0]["lms_id"] == "77777"
    assert "unknownperson" in proc.stdout and "1 unmatched" in proc.stdout
    students = dump_gradebook(course)["students"]
    assert students["u1001"][:3] == ["Aleksandar", "Vučić", "av@example.org"]
    assert students["u1001"][3] == "50001"
    assert "u1003" in students  # did not submit: in the gradebook all the same (grades show 0)
    assert "still missing (1 on the roster without a notebook): u1003" in proc.stdout


@pytest.mark.nbgrader
def test_moodle_folders_and_flat_files_then_never_older_over_newer(course, tmp_path):
    roster = str(tmp_path / "roster.csv")
    cli(
        "collect",
        ASSIGNMENT,
        str(_zip(tmp_path / "canvas.zip", CANVAS)),
        "--roster",
        roster,
        cwd=course,
    )
    moodle = _zip(
        tmp_path / "moodle.zip",
        [
            (
                "Vjosa Osmani_70002_assignsubmission_file_/ps1.ipynb",
                (2022, 8, 19, 9, 0, 0),
                _nb("osmani older on moodle"),
            ),
            (
                "Albin Kurti_123_assignsubmission_file_/ps1 (2).ipynb",
                (2022, 8, 23, 9, 0, 0),
                _nb("kurti by name, renamed"),
            ),
            ("Albin Kurti_123_assignsubmission_file_/notes.txt", (2022, 8, 23, 9, 0, 0), b"notes"),
            (
                "Ana Brnabić_555_assignsubmission_file_ps1.ipynb",
                (2022, 8, 24, 9, 0, 0),
                _nb("brnabic flat, newer"),
            ),
            ("Nobody Here_999_assignsubmission_file_/ps1.ipynb", (2022, 8, 24, 9, 0, 0), _nb("x")),
            ("__MACOSX/._ps1.ipynb", (2022, 8, 24, 9, 0, 0), b"junk"),
        ],
    )
    proc = cli("collect", ASSIGNMENT, str(moodle), "--roster", roster, cwd=course)
    assert _tag(course, "u1002") == "osmani late"  # the Moodle copy is older: kept
    assert "kept-newer" in proc.stdout
    assert _tag(course, "u1003") == "kurti by name, renamed"
    assert (course / "submitted" / "u1003" / ASSIGNMENT / "notes.txt").read_bytes() == b"notes"
    assert _tag(course, "u1004") == "brnabic flat, newer"
    assert [u["name"] for u in _unmatched(course)] == ["Nobody Here"]
    # Collecting the same download again changes nothing.
    from course.grading.collect import collect
    from course.grading.coursedir import Course

    again = collect(Course.open(course), ASSIGNMENT, moodle, Path(roster))
    assert {c.action for c in again.collected} <= {"unchanged", "kept-newer"}


@pytest.mark.nbgrader
def test_plain_folder_of_student_ids(course, tmp_path):
    src = tmp_path / "plain"
    (src / "u1001").mkdir(parents=True)
    (src / "u1001" / "my work.ipynb").write_bytes(_nb("u1001 plain"))
    (src / "u1003.ipynb").write_bytes(_nb("u1003 bare file"))
    (src / "stranger").mkdir()
    (src / "stranger" / "ps1.ipynb").write_bytes(_nb("stranger"))
    os.utime(src / "u1001" / "my work.ipynb", (1661000000, 1661000000))
    from course.grading.collect import collect
    from course.grading.coursedir import Course

    result = collect(Course.open(course), ASSIGNMENT, src, tmp_path / "roster.csv")
    assert {c.student for c in result.collected} == {"u1001", "u1003"}
    assert _tag(course, "u1001") == "u1001 plain" and _tag(course, "u1003") == "u1003 bare file"
    stamp = (course / "submitted" / "u1001" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp == _stamp(*datetime.fromtimestamp(1661000000).timetuple()[:6])
    assert [u.lms_id for u in result.unmatched] == ["stranger"]


def test_name_keys_fold_accents_case_and_dj():
    assert name_key("Vučić") == "vucic" == name_key("VUCIC")
    assert name_key("Đurić") == "duric" and name_key("Đurić", dj=True) == "djuric"
    assert name_key("Ljubiša Ćosić-Ž.") == "ljubisacosicz"
    s = RosterStudent("x", first_name="Đorđe", last_name="Đurić")
    assert {"djuricdjordje", "duricdorde", "djordjedjuric"} <= s.name_keys()


def test_roster_matching_prefers_lms_ids_and_refuses_ambiguous_names(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "student_id,first_name,last_name,canvas_id\na,Ana,Brnabić,1\nb,Ana,Brnabic,2\n",
        encoding="utf-8",
    )
    roster = Roster.load(path)
    assert roster.match("canvas", "2", "brnabicana")[0].student_id == "b"
    student, why = roster.match("canvas", "9", "brnabicana")
    assert student is None and "several" in why
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,x\n")
    from course.grading.coursedir import CourseError

    with pytest.raises(CourseError, match="student_id"):
        Roster.load(bad)


def test_parse_entry_recognises_each_lms():
    def parse(path: str):
        return parse_entry(Entry(path, None, lambda: b""), {"01-sourcing"})

    p = parse("kurtialbin_LATE_123_456_01-sourcing-3.ipynb")
    assert (p.lms, p.lms_id, p.name, p.filename, p.resubmission, p.late) == (
        "canvas",
        "123",
        "kurtialbin",
        "01-sourcing.ipynb",
        3,
        True,
    )
    p = parse("Albin Kurti_42_assignsubmission_file_/sub/01-sourcing.ipynb")
    assert (p.lms, p.lms_id, p.name, p.filename) == (
        "moodle",
        "42",
        "Albin Kurti",
        "01-sourcing.ipynb",
    )
    p = parse("Albin Kurti_42_assignsubmission_file_01-sourcing.ipynb")
    assert (p.lms, p.filename) == ("moodle", "01-sourcing.ipynb")
    assert parse("s001/01-sourcing.ipynb").lms_id == "s001"
    assert parse("s001.ipynb").filename == ""
    assert parse("__MACOSX/x.ipynb") is None and parse("notes.txt") is None
    assert parse("../../etc/passwd_1_2_x.ipynb").filename == "x.ipynb"
    assert split_resubmission("ps-2.ipynb", {"ps-2"}) == ("ps-2.ipynb", 0)


@pytest.mark.nbgrader
def test_collect_refuses_to_run_while_grade_holds_the_course(course, tmp_path):
    """grade treats any change to submitted/ as tampering: collect refuses to run beside it."""
    from course.grading.coursedir import Course
    from course.grading.lock import course_lock

    src = tmp_path / "plain"
    (src / "u1001").mkdir(parents=True)
    (src / "u1001" / "ps1.ipynb").write_bytes(_nb("u1001 plain"))
    with course_lock(Course.open(course), "grade"):
        proc = cli(
            "collect",
            ASSIGNMENT,
            str(src),
            "--roster",
            str(tmp_path / "roster.csv"),
            cwd=course,
            check=False,
        )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "another kosovo-course grade or collect is running" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (course / "submitted" / "u1001").exists()
    cli("collect", ASSIGNMENT, str(src), "--roster", str(tmp_path / "roster.csv"), cwd=course)
    assert _tag(course, "u1001") == "u1001 plain"
