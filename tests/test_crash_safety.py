"""``kosovo-course grade`` killed with SIGKILL at each write of a merge, then rerun.

The coordinator merges one student at a time: autograded folder (copy beside, rename aside,
rename in), gradebook transaction, flags.csv, state record. ``KOSOVO_GRADE_KILL_AT`` makes it
SIGKILL itself at a named point of that sequence (course/grading/crashpoints.py), so every
point is hit deterministically. After a clean rerun the course must be what an uninterrupted
run makes: the gradebook and autograded notebooks of stock serial ``nbgrader autograde``, no
duplicate or missing rows, no hidden leftovers, the same flags, and nothing left to grade.
"""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

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
    nbgrader,
)

from course.grading.compare import differences
from course.grading.crashpoints import ENV, POINTS

pytestmark = pytest.mark.nbgrader

KILLED = -signal.SIGKILL
NTH = 2  # kill when the second student reaches the point: one student is fully done before
CASES = list(POINTS)
UNGRADABLE = ("invalid-json", "missing-notebook", "kernel-died")


def _statuses(stdout: str) -> dict[str, str]:
    """student -> status column of grade's summary table (not the flag lines printed above)."""
    rows = {}
    table = stdout[stdout.index("student  score  max  status") :]
    for line in table.split("\n\n")[0].splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[0] not in ("student", "-------") and parts[0][-1] != ":":
            rows[parts[0]] = parts[3]
    return rows


def _flag_rows(root: Path) -> list[tuple[str, ...]]:
    with open(root / "reports" / ASSIGNMENT / "flags.csv", newline="", encoding="utf-8") as fh:
        return sorted(tuple(row) for row in csv.reader(fh))


def _table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        tables = [n for (n,) in con.execute("select name from sqlite_master where type='table'")]
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The class graded without interruption: by stock serial nbgrader, and by grade --jobs 2."""
    base, kinds = class_template()
    stock = copy_of(base, tmp_path_factory.mktemp("crash") / "stock")
    nbgrader("autograde", ASSIGNMENT, cwd=stock)  # exits 1: some submissions cannot be graded
    ours, proc = graded_template()
    assert proc.returncode == 1, proc.stdout + proc.stderr  # as stock: some cannot be graded
    return {
        "base": base,
        "graded": ours,
        "students": sorted(kinds),
        # Ungradable (stock too): never cached as graded, so every run tries them again.
        "failed": {s for s, k in kinds.items() if k in UNGRADABLE},
        "gradebook": dump_gradebook(stock),
        "cells": autograded_cells(stock),
        "counts": _table_counts(stock / "gradebook.db"),
        "flags": _flag_rows(ours),
    }


def _grade_killed_at(root: Path, at: str, *args: str) -> None:
    """Run grade with the kill point set; it must die by SIGKILL (so the point was reached)."""
    proc = subprocess.run(
        [str(BIN / "kosovo-course"), "grade", ASSIGNMENT, "--jobs", "2", "--no-progress", *args],
        cwd=root,
        env={**env(), ENV: at},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == KILLED, (
        f"grade with {ENV}={at} was not killed (exit {proc.returncode}): point never reached?"
        f"\n{proc.stdout}\n{proc.stderr}"
    )


def _left_behind(root: Path) -> dict[str, list[str]]:
    """The hidden half-written files a killed merge can leave (student ids or file names)."""
    reports = root / "reports" / ASSIGNMENT
    auto = root / "autograded"
    return {
        "new": sorted(p.parent.name for p in auto.glob(f"*/.{ASSIGNMENT}.new-*")),
        "old": sorted(p.parent.name for p in auto.glob(f"*/.{ASSIGNMENT}.old-*")),
        "state_tmp": sorted(p.name for p in (reports / ".grade-state").glob(".tmp-*")),
        "flags_tmp": sorted(p.name for p in reports.glob(".flags-*")),
    }


def _recorded(root: Path) -> set[str]:
    """Students with a state record (a killed save_state leaves only a hidden temp file)."""
    state = root / "reports" / ASSIGNMENT / ".grade-state"
    return {p.stem for p in state.glob("*.json") if not p.name.startswith(".")}


def _check_left_behind(root: Path, point: str, *, regrade: bool) -> None:
    """What a kill at ``point`` leaves, before the rerun cleans up (documents each point)."""
    left = _left_behind(root)
    kinds = {k for k, v in left.items() if v}
    in_gradebook = {k.split("/")[1] for k in dump_gradebook(root)["submissions"]}
    if point in ("folder-copied", "folder-swapped-out"):
        # The new copy is beside the folder; at folder-swapped-out the old one (when there
        # was one, i.e. on a regrade) is renamed aside and the student has no folder at all.
        # (The second student merged is s001 or s002, whose autograde makes a folder; a
        # student without one, s004 say, would reach these points with nothing to copy.)
        assert len(left["new"]) == 1, left
        (student,) = left["new"]
        swapped = point == "folder-swapped-out" and regrade
        assert kinds == ({"new", "old"} if swapped else {"new"}), left
        assert left["old"] == (left["new"] if swapped else []), left
        has_folder = (root / "autograded" / student / ASSIGNMENT).is_dir()
        assert has_folder == (regrade and point == "folder-copied")
    elif point in ("folder-merged", "gradebook-written"):
        assert kinds == set(), left
        recorded = _recorded(root)
        if regrade:  # only the killed student's record was cleared (all are in the gradebook)
            submitted = {p.name for p in (root / "submitted").iterdir()}
            assert len(submitted - recorded) == 1, recorded
        elif point == "folder-merged":  # the killed student's results are not in the gradebook
            assert in_gradebook <= recorded, (in_gradebook, recorded)
        else:  # ... and now they are, with no record yet
            assert len(in_gradebook - recorded) == 1, (in_gradebook, recorded)
    elif point == "flags-written":
        assert kinds == {"flags_tmp"}, left
    elif point == "state-written":
        assert kinds == {"state_tmp"}, left
    else:
        raise AssertionError(f"no expectation for {point}")


def _check_consistent(root: Path, ref: dict[str, Any]) -> None:
    """The course after the clean rerun is the course an uninterrupted run makes."""
    assert differences(dump_gradebook(root), ref["gradebook"]) == []
    assert differences(autograded_cells(root), ref["cells"]) == []
    db = root / "gradebook.db"
    assert _table_counts(db) == ref["counts"]
    with sqlite3.connect(db) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert con.execute("pragma foreign_key_check").fetchall() == []
        per_student = dict(
            con.execute(
                "select sa.student_id, count(*) from submitted_assignment sa "
                "join assignment a on a.id = sa.assignment_id where a.name = ? "
                "group by sa.student_id",
                (ASSIGNMENT,),
            ).fetchall()
        )
        assert per_student == dict.fromkeys(ref["students"], 1)
        for table, key in (
            ("submitted_notebook", "assignment_id, notebook_id"),
            ("grade", "notebook_id, cell_id"),
            ("comment", "notebook_id, cell_id"),
        ):
            dupes = con.execute(
                f"select {key}, count(*) from {table} group by {key} having count(*) > 1"
            ).fetchall()
            assert dupes == [], table
    assert {k: v for k, v in _left_behind(root).items() if v} == {}
    assert list((root / "autograded").glob("*/.*")) == []
    assert _flag_rows(root) == ref["flags"]
    third = _statuses(cli("grade", ASSIGNMENT, "--no-progress", cwd=root, check=False).stdout)
    assert {s for s, v in third.items() if v == "unchanged"} == set(ref["students"]) - ref["failed"]


def ref_failed(reference: dict[str, Any]) -> set[str]:
    """The students no run can grade (tried again on every run)."""
    return set(reference["failed"])


def _rerun(root: Path) -> dict[str, str]:
    proc = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the ungradable students, as stock
    return _statuses(proc.stdout)


@pytest.mark.parametrize("point", CASES)
def test_kill_while_grading_then_rerun(reference, tmp_path, point):
    root = copy_of(reference["base"], tmp_path / "class")
    _grade_killed_at(root, f"{point}:{NTH}")
    _check_left_behind(root, point, regrade=False)
    done = _recorded(root)
    assert 1 <= len(done) < len(reference["students"])

    rerun = _rerun(root)
    assert set(rerun) == set(reference["students"])
    assert {s for s, status in rerun.items() if status == "unchanged"} == done - ref_failed(
        reference
    )
    _check_consistent(root, reference)


@pytest.mark.parametrize("point", CASES)
def test_kill_while_regrading_with_force_then_rerun(reference, tmp_path, point):
    # A regrade replaces existing autograded folders and gradebook rows: the swap is real.
    root = copy_of(reference["graded"], tmp_path / "class")
    _grade_killed_at(root, f"{point}:{NTH}", "--force")
    _check_left_behind(root, point, regrade=True)

    rerun = _rerun(root)
    regraded = {s for s, status in rerun.items() if status != "unchanged"}
    assert len(regraded - ref_failed(reference)) == 1, (
        rerun
    )  # the student killed half way, and only that one
    _check_consistent(root, reference)


def test_two_kills_in_a_row_then_rerun(reference, tmp_path):
    root = copy_of(reference["base"], tmp_path / "class")
    _grade_killed_at(root, f"folder-swapped-out:{NTH}")
    _grade_killed_at(root, f"gradebook-written:{NTH}")
    _check_left_behind(root, "gradebook-written", regrade=False)
    _rerun(root)
    _check_consistent(root, reference)


def test_sweep_puts_back_the_old_folder_when_a_kill_left_none(tmp_path):
    """Killed between replace_folder's two renames: the previous results come back."""
    from course.grading.merge import sweep_partial

    student = tmp_path / "autograded" / "s001"
    (student / ".ps1.old-1234abcd").mkdir(parents=True)
    (student / ".ps1.old-1234abcd" / "ps1.ipynb").write_text("previous")
    (student / ".ps1.new-1234abcd").mkdir()
    (student / ".ps1.new-1234abcd" / "ps1.ipynb").write_text("half")
    done = tmp_path / "autograded" / "s002"
    (done / "ps1").mkdir(parents=True)
    (done / "ps1" / "ps1.ipynb").write_text("current")
    (done / ".ps1.old-99999999").mkdir()  # the rename went through: the old copy is stale
    sweep_partial(tmp_path / "autograded", "ps1")
    assert (student / "ps1" / "ps1.ipynb").read_text() == "previous"
    assert (done / "ps1" / "ps1.ipynb").read_text() == "current"
    assert sorted(p.name for p in (tmp_path / "autograded").glob("*/.*")) == []
