"""The whole grading path with the gradebook in PostgreSQL: same grades as with SQLite.

A private server (tests/postgres.py) holds the gradebook of a course released and graded by
``kosovo-course`` (``--jobs 2``); its twin is the SQLite course of the other grading tests,
with the same submissions. The grader's role may open ONE connection at a time
(``CONNECTION LIMIT 1``): a run that held a second connection, or leaked one (nbgrader #560),
would fail. The password is in a libpq password file, as the deployment guide advises, not in
nbgrader_config.py.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_fixtures import (
    ASSIGNMENT,
    BIN,
    autograded_cells,
    class_template,
    cli,
    copy_of,
    dump_gradebook,
    env,
    graded_template,
    new_course,
)
from postgres import PostgresServer, postgres_server  # noqa: F401  (the fixture)

from course.grading.compare import differences, gradebook_dump
from course.grading.crashpoints import ENV as KILL_AT
from course.grading.solutions import html_text

pytestmark = [pytest.mark.postgres, pytest.mark.nbgrader]

GRADER = "grader"


def _use_gradebook(root: Path, url: str) -> None:
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(
            f"\n# tests: the gradebook on a PostgreSQL server\nc.CourseDirectory.db_url = {url!r}\n"
        )


def _duplicates(server: PostgresServer, database: str) -> list[tuple]:
    """Rows that appear more than once per natural key (student+assignment, grade cell)."""
    return server.execute(
        """
        SELECT 'submission', s.student_id, a.name, count(*)
          FROM submitted_assignment s JOIN assignment a ON a.id = s.assignment_id
         GROUP BY s.student_id, a.name HAVING count(*) > 1
        UNION ALL
        SELECT 'grade', g.notebook_id, g.cell_id, count(*)
          FROM grade g GROUP BY g.notebook_id, g.cell_id HAVING count(*) > 1
        """,
        database,
    )


@pytest.fixture(scope="module")
def pg(
    postgres_server: PostgresServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict]:
    """A released course on PostgreSQL, an ungraded copy (for the crash test), graded once."""
    server = postgres_server
    base = tmp_path_factory.mktemp("pg")
    secret = "grader-secret"
    server.execute(f"CREATE ROLE {GRADER} LOGIN PASSWORD '{secret}'")
    server.execute(f"CREATE DATABASE gradebook OWNER {GRADER}")
    passfile = base / "pgpass"
    passfile.write_text(f"127.0.0.1:{server.port}:*:{GRADER}:{secret}\n")
    passfile.chmod(0o600)
    url = f"postgresql+psycopg://{GRADER}@127.0.0.1:{server.port}/gradebook"
    server.execute(f"ALTER ROLE {GRADER} CONNECTION LIMIT 1")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PGPASSFILE", str(passfile))
        root = new_course(base / "course")
        _use_gradebook(root, url)
        released = cli("release", ASSIGNMENT, cwd=root, check=False)
        # The same submissions as the SQLite twin.
        class_root, kinds = class_template()
        shutil.copytree(class_root / "submitted", root / "submitted")
        # A released, ungraded copy: the course folder and a clone of its gradebook.
        crash_root = copy_of(root, base / "crash")
        server.execute(f"CREATE DATABASE crash TEMPLATE gradebook OWNER {GRADER}")
        crash_cfg = crash_root / "nbgrader_config.py"
        crash_cfg.write_text(crash_cfg.read_text().replace("/gradebook'", "/crash'"))
        graded = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
        yield {
            "server": server,
            "url": url,
            "root": root,
            "crash_root": crash_root,
            "kinds": kinds,
            "released": released,
            "graded": graded,
        }


def _graded_output(pg: dict) -> str:
    """What the fixture's grade printed, for a failure message: a later test that finds the
    gradebook incomplete then shows why."""
    return f"\n--- the fixture's grade printed:\n{pg['graded'].stdout}\n{pg['graded'].stderr}"


# The fixture class has one unreadable notebook (s004, invalid-json) among its kinds, so every
# `grade` of it ends with 1: "some students could not be graded" (the batch goes on).
SOME_UNGRADED = 1


def test_release_and_grade_succeed_with_one_connection_and_leave_none_open(pg):
    assert pg["released"].returncode == 0, pg["released"].stdout + pg["released"].stderr
    proc = pg["graded"]
    assert proc.returncode == SOME_UNGRADED, proc.stdout + proc.stderr
    for student in pg["kinds"]:
        assert student in proc.stdout
    assert pg["server"].connections(GRADER) == 0
    # Nothing SQLite was left in the course by any command.
    assert not list(pg["root"].glob("*.db"))


def test_every_gradebook_row_is_the_same_as_with_sqlite(pg):
    sqlite_root, sqlite_proc = graded_template()
    assert sqlite_proc.returncode == SOME_UNGRADED, sqlite_proc.stderr
    ours = gradebook_dump(pg["url"])
    theirs = dump_gradebook(sqlite_root)
    assert ours["submissions"], "nothing was graded"
    assert ours == theirs, (differences(ours, theirs), _graded_output(pg))
    assert _duplicates(pg["server"], "gradebook") == []


def test_autograded_notebooks_are_the_same_as_with_sqlite(pg):
    sqlite_root, _ = graded_template()
    ours, theirs = autograded_cells(pg["root"]), autograded_cells(sqlite_root)
    assert ours and ours == theirs, differences(ours, theirs)


def _csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file, sorted: nbgrader orders students by name, and the fixture's
    students have none, so the database's order of equal names (which differs) shows."""
    with open(path, newline="") as fh:
        return sorted(csv.DictReader(fh), key=lambda row: sorted(row.items()))


def test_report_reads_the_same_grades_from_postgres(pg, tmp_path):
    sqlite_root = copy_of(graded_template()[0], tmp_path / "sqlite")
    ours = cli("report", cwd=pg["root"], check=False)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    cli("report", cwd=sqlite_root)
    for name in ("grades.csv", f"{ASSIGNMENT}/items.csv"):
        assert _csv(pg["root"] / "reports" / name) == _csv(sqlite_root / "reports" / name), (
            name,
            _graded_output(pg),
        )
    assert pg["server"].connections(GRADER) == 0


def test_feedback_from_postgres_is_the_same_as_from_sqlite(pg, tmp_path):
    sqlite_root = copy_of(graded_template()[0], tmp_path / "sqlite")
    ours = cli("feedback", ASSIGNMENT, cwd=pg["root"], check=False)
    assert ours.returncode == 0, ours.stdout + ours.stderr + _graded_output(pg)
    cli("feedback", ASSIGNMENT, cwd=sqlite_root)
    pages = sorted(p.relative_to(pg["root"]) for p in (pg["root"] / "feedback").rglob("*.html"))
    assert pages == sorted(
        p.relative_to(sqlite_root) for p in (sqlite_root / "feedback").rglob("*.html")
    )
    assert pages
    for page in pages:
        assert html_text((pg["root"] / page).read_text()) == html_text(
            (sqlite_root / page).read_text()
        ), page
    assert pg["server"].connections(GRADER) == 0


def test_a_grader_killed_after_a_commit_then_rerun_leaves_no_duplicates(pg, monkeypatch):
    root, server = pg["crash_root"], pg["server"]
    # Killed right after the third student's gradebook transaction committed, before its state.
    monkeypatch.setenv(KILL_AT, "gradebook-written:3")
    killed = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
    assert killed.returncode != 0, killed.stdout
    monkeypatch.delenv(KILL_AT)
    # The lock, the scratch and the server's connections were left by a dead process.
    rerun = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
    assert rerun.returncode == SOME_UNGRADED, rerun.stdout + rerun.stderr
    assert _duplicates(server, "crash") == []
    url = pg["url"].rsplit("/", 1)[0] + "/crash"
    ours, theirs = gradebook_dump(url), dump_gradebook(graded_template()[0])
    assert ours == theirs, differences(ours, theirs)
    assert server.connections(GRADER) == 0


def _canvas_zip(path: Path, files: dict[str, str]) -> Path:
    """A Canvas-style download: one tiny notebook per file name, saying whose it is."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, tag in files.items():
            nb = {
                "cells": [{"cell_type": "markdown", "metadata": {}, "source": tag}],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
            zf.writestr(zipfile.ZipInfo(name, date_time=(2022, 8, 20, 10, 0, 0)), json.dumps(nb))
    return path


def test_collect_writes_the_roster_names_into_postgres(pg, tmp_path):
    server = pg["server"]
    server.execute(f"CREATE DATABASE collected TEMPLATE gradebook OWNER {GRADER}")
    root = copy_of(pg["root"], tmp_path / "course")
    cfg = root / "nbgrader_config.py"
    cfg.write_text(cfg.read_text().replace("/gradebook'", "/collected'"))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,first_name,last_name,email,canvas_id\n"
        "u1001,Aleksandar,Vučić,av@example.org,50001\n"
        "u1006,Đorđe,Đurić,,\n",
        encoding="utf-8",
    )
    archive = _canvas_zip(
        tmp_path / "canvas.zip",
        {
            "vucicaleksandar_50001_900001_ps1.ipynb": "vucic",
            "djuricdjordje_66666_900008_ps1.ipynb": "djuric",
        },
    )
    proc = cli("collect", ASSIGNMENT, str(archive), "--roster", str(roster), cwd=root, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    students = gradebook_dump(pg["url"].rsplit("/", 1)[0] + "/collected")["students"]
    assert students["u1001"] == ["Aleksandar", "Vučić", "av@example.org", "50001"]
    assert students["u1006"][:2] == ["Đorđe", "Đurić"]
    assert (root / "submitted" / "u1006" / ASSIGNMENT / "ps1.ipynb").is_file()
    assert server.connections(GRADER) == 0


def test_an_unreachable_gradebook_is_one_clear_line(pg, tmp_path):
    root = copy_of(pg["root"], tmp_path / "course")
    cfg = root / "nbgrader_config.py"
    cfg.write_text(cfg.read_text().replace("/gradebook'", "/no_such_db'"))
    proc = cli("grade", ASSIGNMENT, "--no-progress", cwd=root, check=False)
    assert proc.returncode != 0
    assert "Cannot open the gradebook at postgresql+psycopg://grader@" in proc.stderr
    assert 'database "no_such_db" does not exist' in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_connection_refused_for_the_role_limit_is_tried_again(pg):
    """A closed connection counts against CONNECTION LIMIT until its server process exits; on a
    busy machine the next connection is refused ("too many connections for role"). Commands
    try again until a slot frees: here one is held open until the server has refused the
    command at least once (its log says so), then released."""
    import psycopg

    server = pg["server"]
    refusals = f'too many connections for role "{GRADER}"'
    before = server.log.read_text(errors="replace").count(refusals)
    held = psycopg.connect(host="127.0.0.1", port=server.port, user=GRADER, dbname="gradebook")
    try:
        proc = subprocess.Popen(
            [str(BIN / "kosovo-course"), "report"],
            cwd=pg["root"],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while server.log.read_text(errors="replace").count(refusals) == before:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
    finally:
        held.close()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert "Traceback" not in err
    assert server.connections(GRADER) == 0


def test_a_server_that_keeps_refusing_is_one_clear_line(monkeypatch):
    """Past the wait, the refusal is a CourseError saying what to do (the CLI prints one line)."""
    from sqlalchemy.exc import OperationalError

    from course.grading import gradebook
    from course.grading.coursedir import CourseError

    class Refused(Exception):
        sqlstate = gradebook.TOO_MANY_CONNECTIONS

        def __str__(self) -> str:
            return 'connection failed: FATAL:  too many connections for role "grader"'

    tries = []

    def refuse(*args, **kwargs):
        tries.append(args)
        raise OperationalError("connect", {}, Refused())

    monkeypatch.setattr("nbgrader.api.Gradebook", refuse)
    monkeypatch.setattr(gradebook, "CONNECT_WAIT", 0.2)
    with pytest.raises(CourseError, match="refused a connection for 0.2 s") as raised:
        gradebook.open_gradebook("postgresql+psycopg://grader:secret@127.0.0.1:1/gb", "course")
    assert "CONNECTION LIMIT" in str(raised.value) and "secret" not in str(raised.value)
    assert len(tries) > 1  # tried again before giving up
