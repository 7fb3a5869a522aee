"""``kosovo-course grade``: same grades as stock nbgrader, flags, reruns, kills, tampering."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from grading_fixtures import (
    ASSIGNMENT,
    BIN,
    TEST_TIMEOUT,
    autograded_cells,
    class_template,
    cli,
    copy_of,
    dump_gradebook,
    env,
    frozen_package,
    graded_template,
    nbgrader,
    private_package,
    released_course,
    write_class,
)

pytestmark = pytest.mark.nbgrader


def _statuses(stdout: str) -> dict[str, str]:
    """student -> status column of grade's summary table."""
    rows = {}
    for line in stdout.split("\n\n")[0].splitlines():
        parts = line.split(None, 3)
        # (lines "  s101: kind, ..." are the flags printed as students finish)
        if len(parts) == 4 and parts[0] not in ("student", "-------") and parts[0][-1] != ":":
            rows[parts[0]] = parts[3]
    return rows


def _flags(root: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with open(root / "reports" / ASSIGNMENT / "flags.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["student_id"], set()).add(row["kind"])
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The same mixed class graded twice: stock serial nbgrader, and kosovo-course --jobs 2."""
    base, kinds = class_template()
    stock = copy_of(base, tmp_path_factory.mktemp("grade") / "stock")
    stock_proc = nbgrader("autograde", ASSIGNMENT, cwd=stock)
    ours, ours_proc = graded_template()
    return {
        "base": base,
        "stock": stock,
        "ours": ours,
        "kinds": kinds,
        "stock_proc": stock_proc,
        "ours_proc": ours_proc,
    }


def test_grade_exits_one_and_prints_a_summary_row_per_student(graded):
    """Some of the class cannot be graded (stock exits 1 too): exit 1, every row printed."""
    proc = graded["ours_proc"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert graded["stock_proc"].returncode == 1
    assert "could not be graded: s004, s101, s102" in proc.stdout
    for student in graded["kinds"]:
        assert student in proc.stdout
    assert "student  score  max  status" in proc.stdout


def test_parallel_gradebook_is_identical_to_stock_serial_autograde(graded):
    stock, ours = dump_gradebook(graded["stock"]), dump_gradebook(graded["ours"])
    assert set(stock["submissions"]) == {f"{ASSIGNMENT}/{s}" for s in graded["kinds"]}
    # Field by field: students, every submission's timestamp, late penalty, every grade's
    # auto/manual score, extra credit, needs_manual_grade, every comment, the course rows.
    assert ours == stock


def test_scores_cover_full_partial_blank_and_broken(graded):
    dump = dump_gradebook(graded["ours"])

    def total(student: str) -> float:
        nbs = dump["submissions"][f"{ASSIGNMENT}/{student}"]["notebooks"]
        return sum((g[0] or 0) for nb in nbs.values() for g in nb["grades"].values())

    kinds = graded["kinds"]
    full = [s for s, k in kinds.items() if k == "full"]
    assert {total(s) for s in full} == {5.0}
    assert total(next(s for s, k in kinds.items() if k == "blank")) == 0.0
    assert all(0 < total(s) < 5 for s, k in kinds.items() if k == "partial")
    assert total(next(s for s, k in kinds.items() if k == "deleted-test")) == 5.0


def test_autograded_notebooks_are_identical_to_stock(graded):
    stock, ours = autograded_cells(graded["stock"]), autograded_cells(graded["ours"])
    assert stock.keys() == ours.keys()
    assert ours == stock


def test_one_printed_text_in_one_or_two_stream_outputs_compares_equal():
    """ipykernel may send one print as two stream messages: the comparison with stock joins
    them, and still tells different text, a different stream or an output in between apart."""
    from course.grading.compare import joined_streams

    def out(name: str, text: str | list[str]) -> dict[str, object]:
        return {"output_type": "stream", "name": name, "text": text}

    whole = [out("stdout", "✓ right.\n")]
    assert joined_streams([out("stdout", ["✓ right."]), out("stdout", "\n")]) == whole
    assert joined_streams([out("stdout", "✓ right."), out("stdout", "!\n")]) != whole
    assert joined_streams([out("stdout", "✓ right."), out("stderr", "\n")]) != whole
    shown = {"output_type": "display_data", "data": {"text/plain": "x"}}
    assert len(joined_streams([out("stdout", "a"), shown, out("stdout", "b")])) == 3


def test_broken_submissions_are_flagged_not_fatal(graded):
    flags = _flags(graded["ours"])
    kinds = {k: s for s, k in graded["kinds"].items()}
    assert "invalid-json" in flags[kinds["invalid-json"]]
    assert {"missing-notebook", "unknown-notebook"} <= flags[kinds["missing-notebook"]]
    assert "kernel-died" in flags[kinds["kernel-died"]]
    assert "timeout" in flags[kinds["endless-loop"]]
    assert kinds["full"] not in flags
    # As stock nbgrader: no empty autograded/<student>/ for a student it could not grade.
    assert not (graded["ours"] / "autograded" / kinds["missing-notebook"]).exists()
    header = (graded["ours"] / "reports" / ASSIGNMENT / "flags.csv").read_text().splitlines()[0]
    assert header == "student_id,notebook,kind,detail"


def _cli_grade(root: Path, *args: str) -> dict[str, str]:
    proc = cli("grade", ASSIGNMENT, "--no-progress", *args, cwd=root, check=False)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: some could not be graded
    return _statuses(proc.stdout)


UNGRADABLE = ("invalid-json", "missing-notebook", "kernel-died")


def _failed(graded: dict) -> set[str]:
    """The students of the mixed class that cannot be graded (nor by stock nbgrader)."""
    return {s for s, k in graded["kinds"].items() if k in UNGRADABLE}


def _api_grade(root: Path) -> dict[str, str]:
    from course.grading.coursedir import Course
    from course.grading.grade import grade

    run = grade(Course.open(root), ASSIGNMENT, progress=False)
    return {s: o.status for s, o in run.outcomes.items()}


def test_rerun_skips_unchanged_and_regrades_a_changed_submission(graded, tmp_path):
    root = copy_of(graded["ours"], tmp_path / "rerun")
    before = dump_gradebook(root)
    statuses = _api_grade(root)
    # A failure is never cached as a grade: only the ungradable students are tried again.
    assert {s for s, v in statuses.items() if v != "unchanged"} == _failed(graded)
    assert dump_gradebook(root) == before

    blank = next(s for s, k in graded["kinds"].items() if k == "blank")
    full = next(s for s, k in graded["kinds"].items() if k == "full")
    sub = root / "submitted" / blank / ASSIGNMENT
    shutil.copy(root / "submitted" / full / ASSIGNMENT / "ps1.ipynb", sub / "ps1.ipynb")
    (sub / "timestamp.txt").write_text("2022-08-26 08:00:00.000000 UTC")
    statuses = _cli_grade(root, "--jobs", "1")
    assert statuses.pop(blank) == "graded"
    assert {v for s, v in statuses.items() if s not in _failed(graded)} == {"unchanged"}
    after = dump_gradebook(root)["submissions"][f"{ASSIGNMENT}/{blank}"]
    assert after["timestamp"] == "2022-08-26T08:00:00"
    assert sum(g[0] for g in after["notebooks"]["ps1"]["grades"].values() if g[0]) == 5.0

    assert _cli_grade(root, "--student", full, "--force", "--jobs", "1") == {full: "graded"}


def _done(state: Path) -> int:
    """Students whose merge finished (a killed write may leave a hidden temp file)."""
    return sum(1 for p in state.glob("*.json") if not p.name.startswith("."))


def test_kill_half_way_then_rerun_loses_and_duplicates_nothing(graded, tmp_path):
    root = copy_of(graded["base"], tmp_path / "killed")
    state = root / "reports" / ASSIGNMENT / ".grade-state"
    total = len(graded["kinds"])
    proc = subprocess.Popen(
        [str(BIN / "kosovo-course"), "grade", ASSIGNMENT, "--jobs", "2", "--no-progress"],
        cwd=root,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill as soon as the first student is merged: the wait is on that event, not on a clock,
    # so a busy machine only makes it longer (the test's pytest timeout is the safety net).
    while _done(state) < 1 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_at_kill = _done(state)
    assert 1 <= done_at_kill < total, (
        f"kill came too late or too early ({done_at_kill} of {total} merged)"
    )

    rerun = _cli_grade(root, "--jobs", "2")
    kept = [s for s, v in rerun.items() if v == "unchanged" or s in _failed(graded)]
    assert len(kept) >= done_at_kill, rerun
    from course.grading.compare import differences

    stock = graded["stock"]
    assert differences(dump_gradebook(root), dump_gradebook(stock)) == []
    assert differences(autograded_cells(root), autograded_cells(stock)) == []
    leftovers = [p for p in (root / "autograded").glob("*/.*")]
    assert leftovers == []
    with sqlite3.connect(root / "gradebook.db") as db:
        rows = db.execute("select count(*) from submitted_assignment").fetchone()[0]
    assert rows == total


def _hostile(root: Path, student: str, code: str) -> None:
    from course.grading.synth import filled

    source = json.loads((root / "notebooks" / ASSIGNMENT / "ps1.ipynb").read_text())
    release = json.loads((root / "release" / ASSIGNMENT / "ps1.ipynb").read_text())
    nb = filled(source, release, None)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "squares":
            cell["source"] = code + "\n" + cell["source"]
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "ps1.ipynb").write_text(json.dumps(nb))
    (folder / "timestamp.txt").write_text("2022-08-25 11:00:00.000000 UTC")


def test_hostile_submissions_cannot_change_grades_or_stop_the_batch(tmp_path):
    root = released_course(tmp_path / "hostile")
    config = root / "nbgrader_config.py"
    # nbgrader's own cell timeout must not end the loop first: the wall-clock limit should.
    config.write_text(
        config.read_text().replace(f"c.Execute.timeout = {TEST_TIMEOUT}", "c.Execute.timeout = 120")
    )
    write_class(root, ["full", "full"], extras={})
    db = root / "gradebook.db"
    _hostile(root, "h01", f"open({str(db)!r}, 'ab').write(b'garbage')")
    _hostile(root, "h02", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    _hostile(root, "h03", "while True:\n    pass")
    proc = cli(
        "grade",
        ASSIGNMENT,
        "--jobs",
        "1",
        "--student-timeout",
        # Long enough for an honest student on a busy 2-core CI machine (6 s was not).
        "45",
        "--no-sandbox",
        cwd=root,
        check=False,
    )
    assert proc.returncode == 1  # h01 and h02 could not be graded
    flags = _flags(root)
    assert "gradebook-tampered" in flags["h01"]
    assert "worker-died" in flags["h02"]
    assert "timeout" in flags["h03"]
    assert "s001" not in flags and "s002" not in flags
    with sqlite3.connect(db) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    dump = dump_gradebook(root)
    assert set(dump["submissions"]) == {f"{ASSIGNMENT}/s001", f"{ASSIGNMENT}/s002"}
    assert list((root / "reports" / ASSIGNMENT).glob("gradebook-tampered-*.db"))
    assert "not merged" in proc.stdout


def _score(root: Path, student: str) -> float | None:
    """A student's autograded score in the gradebook (None: no submission row)."""
    sub = dump_gradebook(root)["submissions"].get(f"{ASSIGNMENT}/{student}")
    if sub is None:
        return None
    return sum(g[0] or 0 for g in sub["notebooks"]["ps1"]["grades"].values())


def _detail(root: Path, student: str, kind: str) -> str:
    with open(root / "reports" / ASSIGNMENT / "flags.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["student_id"] == student and r["kind"] == kind]
    assert rows, f"no {kind} flag for {student}"
    return rows[0]["detail"]


FULL = 5.0  # the fixture assignment's autograded points


def test_a_file_outside_the_course_cannot_be_changed_from_the_sandbox(tmp_path):
    root = released_course(tmp_path / "outside")
    outside = tmp_path / "shared-code.py"
    outside.write_text("ANSWER = 1\n")
    _hostile(root, "a01", f"open({str(outside)!r}, 'a').write('ANSWER = 2\\n')")
    write_class(root, ["full", "full", "full"], extras={})
    proc = cli("grade", ASSIGNMENT, "--jobs", "1", "--no-progress", cwd=root)
    assert outside.read_text() == "ANSWER = 1\n"  # the file does not exist in the sandbox
    assert "Warning" not in proc.stdout
    assert set(_flags(root)) <= {"a01"}
    # The write raised in a01's own cell (its test fails); the rest is graded as usual.
    assert 0 < _score(root, "a01") < FULL
    assert [_score(root, s) for s in ("s001", "s002", "s003")] == [FULL] * 3


def test_a_submission_rewriting_its_library_copy_changes_only_that_copy(tmp_path):
    from course.grading.scratch import tree_digest

    root = released_course(tmp_path / "own-copy")
    installed = tree_digest(frozen_package())
    _hostile(
        root,
        "a01",
        "import course, pathlib\n"
        "core = pathlib.Path(course.__file__).parent / 'checks' / 'core.py'\n"
        "core.write_text(core.read_text() + '\\nTAMPERED = True\\n')",
    )
    write_class(root, ["full", "full", "full"], extras={})
    proc = cli(
        "grade", ASSIGNMENT, "--jobs", "2", "--no-progress", "--no-sandbox", cwd=root, check=False
    )
    assert proc.returncode == 1  # a01 is not merged
    assert "Warning" not in proc.stdout
    assert _flags(root)["a01"] == {"library-tampered", "suspicious-code"}
    assert "its own copy" in _detail(root, "a01", "library-tampered")
    assert "checks/core.py" in _detail(root, "a01", "library-tampered")
    assert set(_flags(root)) == {"a01"}
    assert _score(root, "a01") is None
    assert [_score(root, s) for s in ("s001", "s002", "s003")] == [FULL] * 3
    assert tree_digest(frozen_package()) == installed


def test_the_installed_library_cannot_be_rewritten_from_the_sandbox(tmp_path):
    package = private_package(tmp_path / "pkg")
    core = package / "course" / "checks" / "core.py"
    before = core.read_text()
    root = released_course(tmp_path / "installed")
    _hostile(root, "s000", f"open({str(core)!r}, 'a').write('\\nTAMPERED = True\\n')")
    write_class(root, ["full", "full", "full"], extras={})
    proc = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, package=package)
    assert core.read_text() == before
    assert "Warning" not in proc.stdout
    assert 0 < _score(root, "s000") < FULL
    assert [_score(root, s) for s in ("s001", "s002", "s003")] == [FULL] * 3
    again = _cli_grade(root, "--jobs", "2")
    assert set(again.values()) == {"unchanged"}, again


def test_a_new_start_up_hook_is_put_back_before_any_other_kernel_starts(tmp_path):
    import site
    import uuid

    name = f"zz-kosovo-test-{uuid.uuid4().hex[:8]}.pth"
    planted = [Path(p) / name for p in site.getsitepackages()]
    root = released_course(tmp_path / "hook")
    # A .pth line starting with "import" runs in every Python start-up: harmless here.
    _hostile(
        root,
        "a01",
        "import site, pathlib\n"
        f"pathlib.Path(site.getsitepackages()[0], {name!r}).write_text('import os\\n')",
    )
    write_class(root, ["full", "full"], extras={})
    try:
        proc = cli(
            "grade",
            ASSIGNMENT,
            "--jobs",
            "1",
            "--no-progress",
            "--no-sandbox",
            cwd=root,
            check=False,
        )
        assert not any(p.exists() for p in planted)
    finally:
        for p in planted:
            p.unlink(missing_ok=True)
    assert _flags(root) == {"a01": {"library-tampered"}}
    assert "start-up file put back" in _detail(root, "a01", "library-tampered")
    assert "every new Python process or kernel runs first" in proc.stdout
    kept = list((root / "reports" / ASSIGNMENT / "quarantine").glob(f"*/*{name}"))
    assert len(kept) == 1 and kept[0].read_text() == "import os\n"
    assert _score(root, "a01") is None
    assert [_score(root, s) for s in ("s001", "s002")] == [FULL] * 2


def test_other_students_files_cannot_be_rewritten_from_the_sandbox(tmp_path):
    root = released_course(tmp_path / "others")
    victim = root / "submitted" / "s002" / ASSIGNMENT / "ps1.ipynb"
    blank = root / "release" / ASSIGNMENT / "ps1.ipynb"
    # a00 runs first (--jobs 1, sorted ids): s002 is not graded yet. z99 runs last.
    _hostile(root, "a00", f"import shutil\nshutil.copy({str(blank)!r}, {str(victim)!r})")
    graded = root / "autograded" / "s001" / ASSIGNMENT / "ps1.ipynb"
    _hostile(
        root,
        "z99",
        f"import os\nos.chmod({str(graded)!r}, 0o644)\nopen({str(graded)!r}, 'w').write('{{}}')",
    )
    write_class(root, ["full", "full", "full"], extras={})
    original = victim.read_bytes()
    cli("grade", ASSIGNMENT, "--jobs", "1", "--no-progress", cwd=root)
    assert victim.read_bytes() == original
    assert json.loads(graded.read_text())["cells"]  # nbgrader's notebook, not the rewrite
    assert set(_flags(root)) <= {"a00", "z99"}
    assert [_score(root, s) for s in ("s001", "s002", "s003")] == [FULL] * 3
    assert 0 < _score(root, "a00") < FULL and 0 < _score(root, "z99") < FULL
    again = _cli_grade(root, "--jobs", "1")
    assert set(again.values()) == {"unchanged"}, again


def test_unknown_student_and_unreleased_assignment_are_clear_errors(graded, tmp_path):
    from course.grading.coursedir import Course, CourseError
    from course.grading.grade import grade

    root = copy_of(graded["ours"], tmp_path / "errors")
    with pytest.raises(CourseError, match="nobody"):
        grade(Course.open(root), ASSIGNMENT, students=["nobody"], progress=False)
    os.remove(root / "gradebook.db")
    with pytest.raises(CourseError, match="release"):
        grade(Course.open(root), ASSIGNMENT, progress=False)
    proc = cli("grade", "no-such-assignment", cwd=root, check=False)
    assert proc.returncode == 2 and "no-such-assignment" in proc.stderr


def _tiny_gradebook(folder: Path, *, solution_and_task: bool = False) -> str:
    """A gradebook (URL) with notebook "nb" of ASSIGNMENT: grade cell c1 (2 points), and with
    ``solution_and_task`` c1 as an autograded answer plus a manually graded task t1."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{folder / 'gradebook.db'}"
    with Gradebook(url) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        gb.add_notebook("nb", ASSIGNMENT)
        gb.add_grade_cell("c1", "nb", ASSIGNMENT, max_score=2, cell_type="code")
        if solution_and_task:
            gb.add_solution_cell("c1", "nb", ASSIGNMENT)
            gb.add_task_cell("t1", "nb", ASSIGNMENT, max_score=1, cell_type="markdown")
    return url


def test_results_apply_adds_a_submission_without_sqlalchemy_warnings(tmp_path):
    # Stock Gradebook.add_submission warns (SAWarning: "not in session, add operation ... will
    # not proceed") when autoflush runs half way through; one_transaction turns autoflush off.
    import warnings

    from nbgrader.api import Gradebook

    from course.grading import results

    url = _tiny_gradebook(tmp_path)
    record = {
        "student": "s1",
        "courses": ["default_course"],
        "submission": {
            "timestamp": "2022-08-17 12:00:00",
            "notebooks": {"nb": {"late_submission_penalty": None, "comments": {},
                                 "grades": {"c1": {"auto_score": 1.5,
                                                   "needs_manual_grade": False}}}},
        },
    }
    with Gradebook(url) as gb, warnings.catch_warnings():
        warnings.simplefilter("error")
        results.apply(gb, ASSIGNMENT, record)
    with Gradebook(url) as gb:
        assert results.extract(gb, ASSIGNMENT, "s1") == {
            **record, "submission": {**record["submission"], "timestamp": "2022-08-17T12:00:00"}}


def test_results_apply_updates_an_existing_submission_grades_tasks_and_comments(tmp_path):
    """A regrade writes over the earlier fields: grade cells, task cells and comments alike."""
    from nbgrader.api import Gradebook

    from course.grading import results

    url = _tiny_gradebook(tmp_path, solution_and_task=True)

    def record(score: float, comment: str | None) -> dict:
        return {
            "student": "s1",
            "courses": ["default_course"],
            "submission": {
                "timestamp": "2022-08-17T12:00:00",
                "notebooks": {"nb": {
                    "late_submission_penalty": None,
                    "grades": {"c1": {"auto_score": score, "needs_manual_grade": False},
                               "t1": {"auto_score": None, "needs_manual_grade": True}},
                    "comments": {"c1": {"auto_comment": comment}, "t1": {"auto_comment": None}},
                }},
            },
        }

    for score, comment in ((2.0, None), (0.5, "No response.")):
        with Gradebook(url) as gb:
            results.apply(gb, ASSIGNMENT, record(score, comment))
        with Gradebook(url) as gb:
            assert results.extract(gb, ASSIGNMENT, "s1") == record(score, comment)


def test_results_apply_is_one_transaction(tmp_path):
    from nbgrader.api import Gradebook

    from course.grading import results

    root = released_course(tmp_path / "tx")
    record = {
        "student": "t1",
        "courses": [],
        "submission": {
            "timestamp": None,
            "notebooks": {
                "ps1": {
                    "late_submission_penalty": None,
                    "grades": {"no_such_cell": {"auto_score": 1, "needs_manual_grade": False}},
                    "comments": {},
                }
            },
        },
    }
    from nbgrader.api import MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb, pytest.raises(MissingEntry):
        results.apply(gb, ASSIGNMENT, record)
    dump = dump_gradebook(root)
    assert "t1" not in dump["students"] and not dump["submissions"]


LATE_PLUGIN = """
from nbgrader.plugins import LateSubmissionPlugin


class Blarg(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds):
        return 1
"""


def test_course_settings_are_honoured_as_stock_honours_them(tmp_path):
    """A plugin beside nbgrader_config.py imports, AutogradeApp.* applies, excluded are skipped."""
    root = released_course(tmp_path / "settings")
    (root / "late_plugin.py").write_text(LATE_PLUGIN)
    config = root / "nbgrader_config.py"
    config.write_text(
        config.read_text()
        + "\nc.AssignLatePenalties.plugin_class = 'late_plugin.Blarg'\n"
        + "c.AutogradeApp.permissions = 644\n"
        + "c.CourseDirectory.student_id_exclude = 's002'\n"
    )
    write_class(root, ["full", "full"], extras={})
    proc = cli("grade", ASSIGNMENT, "--no-progress", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _score(root, "s001") == FULL
    assert "s002" not in _statuses(proc.stdout) and _score(root, "s002") is None
    assert not (root / "autograded" / "s002").exists()
    assert _flags(root) == {}
    notebook = root / "autograded" / "s001" / ASSIGNMENT / "ps1.ipynb"
    assert notebook.stat().st_mode & 0o777 == 0o644
