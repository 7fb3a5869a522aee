"""The adversarial corpus (tests/adversarial.py) graded as one class of the real 01-sourcing.

One temporary course: the repository's nbgrader_config.py with ``c.Execute.timeout = 30`` (so
the endless loop ends sooner, while deep recursion's long traceback, which takes IPython over
10 s to format on a busy machine, still fits), ``kosovo-course release 01-sourcing``, then the
answer key, the blank release, a classmate whose files a hostile kind rewrites (``v-victim``,
also the key) and one student per kind, graded with ``kosovo-course grade 01-sourcing --jobs
2`` run from a private copy of the ``course`` package (one kind rewrites it). Then: the exit
code, each student's score in the gradebook and flags in flags.csv. Also the corrupt and the
locked gradebook.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from adversarial import GRADED_FIRST, KINDS, VICTIM, Context, Kind
from grading_fixtures import cli, private_package

from course_helpers import make_course_copy

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "01-sourcing"
TIMESTAMP = "2022-08-25 10:00:00.000000 UTC"


def student_of(index: int, kind: Kind) -> str:
    """Ids sort the kinds that must not be merged last: after the classmates they rewrite."""
    return f"z{index:02d}-{kind.name}" if kind.score is None else f"k{index:02d}-{kind.name}"


def _submit(root: Path, student: str, files: dict[str, bytes]) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 01-sourcing released in a temporary course (Execute.timeout lowered to 30 s)."""
    root = make_course_copy(tmp_path_factory.mktemp("adversarial") / "released", [ASSIGNMENT])
    config = root / "nbgrader_config.py"
    config.write_text(
        config.read_text()
        + "\n# tests: endless loops end in 30 s\nc.Execute.timeout = 30\n"
        # nbgrader raises when a cell's output arrives over 4 s after its reply: on a busy CI
        # machine the 3000-frame traceback of deep-recursion can take that long.
        + "c.Execute.iopub_timeout = 60\n"
    )
    cli("release", ASSIGNMENT, cwd=root)
    return root


@pytest.fixture(scope="module")
def graded(released: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The mixed class (key, blank, every kind) graded once with --jobs 2."""
    from course.grading.synth import filled

    root = tmp_path_factory.mktemp("adversarial") / "class"
    shutil.copytree(released, root)
    source = json.loads((root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    blank = json.loads((root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    key = filled(source, blank, None)
    package = private_package(root.parent / "package")
    _submit(root, GRADED_FIRST, {f"{ASSIGNMENT}.ipynb": json.dumps(key).encode()})
    _submit(root, "a-blank", {f"{ASSIGNMENT}.ipynb": json.dumps(blank).encode()})
    _submit(root, VICTIM, {f"{ASSIGNMENT}.ipynb": json.dumps(key).encode()})
    victim_files = _files(root, VICTIM)
    context = Context(root, package, VICTIM, GRADED_FIRST)
    students = {}
    for i, kind in enumerate(KINDS):
        student = student_of(i, kind)
        _submit(root, student, kind.make(key, blank, ASSIGNMENT, context))
        students[kind.name] = student
    proc = cli(
        "grade",
        ASSIGNMENT,
        "--jobs",
        "2",
        "--no-progress",
        cwd=root,
        check=False,
        timeout=900,
        package=package,
    )
    return {
        "root": root,
        "proc": proc,
        "students": students,
        "package": package,
        "victim_files": victim_files,
    }


def _files(root: Path, student: str) -> dict[str, bytes]:
    folder = root / "submitted" / student / ASSIGNMENT
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _scores(root: Path) -> tuple[dict[str, float], float]:
    """student -> autograded (code) score, and the assignment's maximum code score."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        a = gb.find_assignment(ASSIGNMENT)
        return {s.student.id: s.code_score for s in a.submissions}, a.max_code_score


def _flags(root: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    path = root / "reports" / ASSIGNMENT / "flags.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["student_id"], []).append(row)
    return out


def test_corpus_is_big_enough_and_names_are_unique():
    names = [k.name for k in KINDS]
    assert len(names) >= 20 and len(set(names)) == len(names)
    assert all(k.batch_continues for k in KINDS)


def test_grade_exits_one_with_every_kind_in_the_summary(graded):
    """Some kinds cannot be graded (stock nbgrader cannot either): exit 1, batch complete."""
    proc = graded["proc"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for student in [*graded["students"].values(), "a-key", "a-blank"]:
        assert student in proc.stdout


def test_normal_students_are_unaffected(graded):
    root = graded["root"]
    scores, maximum = _scores(root)
    assert maximum == 11
    assert scores[GRADED_FIRST] == maximum
    assert scores["a-blank"] == 0
    flags = _flags(root)
    assert GRADED_FIRST not in flags and "a-blank" not in flags
    # Its autograded notebook was rewritten by a classmate, then graded again.
    for path in (root / "autograded" / GRADED_FIRST / ASSIGNMENT).glob("*.ipynb"):
        assert json.loads(path.read_text())["cells"]


def test_a_classmates_files_cannot_be_rewritten(graded):
    root = graded["root"]
    scores, maximum = _scores(root)
    assert scores[VICTIM] == maximum
    assert VICTIM not in _flags(root)
    assert _files(root, VICTIM) == graded["victim_files"]  # the sandbox blocked the rewrite
    assert "Warning" not in graded["proc"].stdout


def test_the_installed_library_cannot_be_rewritten(graded):
    core = graded["package"] / "course" / "checks" / "core.py"
    assert "TAMPERED" not in core.read_text()
    assert not (root := graded["root"] / "reports" / ASSIGNMENT / "quarantine").exists(), root


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_gets_its_expected_score_and_flags(graded, kind):
    root, student = graded["root"], graded["students"][kind.name]
    scores, maximum = _scores(root)
    rows = _flags(root).get(student, [])
    kinds = {r["kind"] for r in rows}
    # Exactly: a student that merely ran beside a tampering one was graded again alone.
    assert kinds == set(kind.flags), rows
    for row in rows:
        assert "ran beside" not in row["detail"], row
    if kind.score is None:
        assert student not in scores
    else:
        expected = maximum if kind.score == "full" else float(kind.score)
        assert scores[student] == expected
    for row in rows:
        if row["kind"] == "suspicious-code":
            assert row["notebook"] == ASSIGNMENT and row["detail"].startswith("cell ")


def test_suspicious_scan_names_the_cell_and_pattern_and_skips_locked_cells(released, tmp_path):
    from course.grading.scan import locked_sources, scan_notebook
    from course.grading.synth import filled

    release = released / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = json.loads((released / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    key = filled(source, json.loads(release.read_text()), None)
    locked = locked_sources(release)
    assert any("from course.checks import" in s for s in locked)  # the set-up cell
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(key))
    assert scan_notebook(path, locked, "s") == []  # the key itself is clean
    hostile = {
        "a1-1": "import builtins\nbuiltins.print = None",
        "a1-2": "import sys\nsys.modules['course.checks'] = None",
        "a1-3": "open('../../gradebook.db', 'wb')",
        "a1-4": "def check(*a):\n    pass",
        "a1-6": "import course\nopen(course.__file__, 'a')",
        "a1-7": "if check == 1:\n    pass",  # a comparison is not a rebinding
    }
    for cell in key["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in hostile:
            cell["source"] = hostile[gid]
    path.write_text(json.dumps(key))
    details = [f.detail for f in scan_notebook(path, locked, "s")]
    assert "cell a1-1: touches builtins ('builtins')" in details
    assert any(d.startswith("cell a1-2: touches sys.modules") for d in details)
    assert any(d.startswith("cell a1-3: touches the gradebook") for d in details)
    assert any(d.startswith("cell a1-4: redefines check") for d in details)
    assert any(d.startswith("cell a1-6: touches the course library") for d in details)
    assert not any(d.startswith("cell a1-7") for d in details)


def test_the_scan_never_raises(tmp_path):
    from course.grading.scan import scan_submission

    (tmp_path / "nb.ipynb").write_text(
        json.dumps(
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {},
                "cells": [{"cell_type": "code", "source": [1, 2], "metadata": {}}],
            }
        )
    )
    (tmp_path / "garbage.ipynb").write_bytes(b"\xff\x00")
    flags = scan_submission(tmp_path, tmp_path / "no-release", ["nb", "garbage", "absent"], "s")
    assert [f.kind for f in flags] in ([], ["suspicious-code"])


def _grade_error(root: Path) -> str:
    proc = cli("grade", ASSIGNMENT, "--jobs", "1", "--no-progress", cwd=root, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr  # one paragraph
    return proc.stderr


def test_a_corrupt_gradebook_is_a_clear_error(released, tmp_path):
    root = shutil.copytree(released, tmp_path / "corrupt")
    db = root / "gradebook.db"
    db.write_bytes(b"this is not a database\x00\xff" * 200)
    message = _grade_error(root)
    assert "not a readable SQLite database" in message
    assert "kosovo-course release" in message and "backup" in message
    assert db.read_bytes().startswith(b"this is not a database")


def test_a_locked_gradebook_is_a_clear_error(released, tmp_path):
    root = shutil.copytree(released, tmp_path / "locked")
    before = (root / "gradebook.db").read_bytes()
    holder = sqlite3.connect(root / "gradebook.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        message = _grade_error(root)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another program" in message and "again" in message
    assert (root / "gradebook.db").read_bytes() == before


def test_the_hardening_guide_lists_every_kind_with_its_flags():
    """docs/guide/hardening.md is the instructor's copy of this table: it must not drift."""
    import re

    guide = Path(__file__).resolve().parent.parent / "docs" / "guide" / "hardening.md"
    rows = {}
    for line in guide.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"[a-z0-9-]+", cells[0]):
            rows[cells[0]] = cells
    for kind in KINDS:
        assert kind.name in rows, f"{kind.name} is missing from {guide.name}"
        documented = {f.strip() for f in rows[kind.name][3].split(",")} - {"—"}
        assert documented == set(kind.flags), (kind.name, documented)
        score = rows[kind.name][2]
        if kind.score is None:
            assert score.startswith("no gradebook row"), (kind.name, score)
        elif kind.score == "full":
            assert "full" in score, (kind.name, score)
        else:
            assert score.startswith(f"{kind.score:g}"), (kind.name, score)
