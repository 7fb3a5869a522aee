"""A class on a real JupyterHub with nbgrader's exchange, then ``kosovo-course grade``.

One instructor and two students, each a hub user with a single-user server spawned by the hub
(tests/hub.py). The instructor generates and releases ps1 into the exchange; each student
lists, fetches, works in and submits it through their OWN server, reached through the hub's
proxy with their own API token (nbgrader's assignment-list server extension and the Jupyter
contents API); the instructor collects and grades with ``kosovo-course grade``. The
instructor's commands run as the commands typed in the instructor's terminal would.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_fixtures import ASSIGNMENT, REPO, cli, env, new_course
from hub import BIN, Hub, make_hub  # noqa: F401  (make_hub: the fixture)
from postgres import mark_owner, stale_folders

from course.grading.solutions import (
    cell_source,
    hidden_test_regions,
    nbgrader_meta,
    solution_regions,
)
from course.grading.synth import filled

pytestmark = [pytest.mark.hub, pytest.mark.nbgrader]

COURSE_ID = "kosovo-hub"


STUDENT_CONFIG = """\
# The students' nbgrader config (on JUPYTER_CONFIG_PATH of every single-user server).
c = get_config()  # noqa
import os

c.Exchange.root = {exchange!r}
c.CourseDirectory.course_id = {course_id!r}
# Every server here runs as the same Unix user, as in containers (where it is `jovyan`):
# nbgrader would name every student after it. The hub tells each server whose it is.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "*")
"""


@pytest.fixture(scope="module")
def shared() -> Iterator[Path]:
    """The exchange and the students' nbgrader config."""
    for folder in stale_folders("kosovo-hub-shared-"):
        shutil.rmtree(folder, ignore_errors=True)
    base = Path(tempfile.mkdtemp(prefix="kosovo-hub-shared-"))
    mark_owner(base)
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's exchange: one folder every user writes (its limit)
    etc = base / "etc"
    etc.mkdir()
    (etc / "nbgrader_config.py").write_text(
        STUDENT_CONFIG.format(exchange=str(exchange), course_id=COURSE_ID)
    )
    yield base
    shutil.rmtree(base, ignore_errors=True)


def instructor_runs(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command in the instructor's terminal, in the course folder (must succeed)."""
    proc = subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=course,
        env=env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def classroom(make_hub, shared: Path) -> dict:  # noqa: F811
    """The whole round trip; each step's result is kept for the tests below."""
    tag = secrets.token_hex(3)
    instructor = f"kh{tag}-prof"
    students = [f"kh{tag}-s1", f"kh{tag}-s2"]
    hub: Hub = make_hub([instructor, *students], {"JUPYTER_CONFIG_PATH": str(shared / "etc")})
    steps: dict[str, object] = {"hub": hub, "instructor": instructor, "students": students}

    # The instructor's course, in the instructor's home, released into the exchange.
    course = new_course(hub.home(instructor) / "course")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(
            f"\n# tests: the hub's exchange\nc.Exchange.root = {str(shared / 'exchange')!r}\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        )
    steps["course"] = course
    instructor_runs(course, "kosovo-course", "release", ASSIGNMENT)
    instructor_runs(course, "nbgrader", "release_assignment", ASSIGNMENT)

    source = json.loads((course / "notebooks" / ASSIGNMENT / "ps1.ipynb").read_text())
    for student in students:
        hub.start_server(student)
        listed = hub.server(student, "GET", "/assignments", params={"course_id": COURSE_ID})
        steps[f"{student}:listed"] = listed.json() if listed.ok else listed.text
        fetched = hub.server(
            student,
            "POST",
            "/assignments/fetch",
            data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
        )
        steps[f"{student}:fetched"] = fetched.json() if fetched.ok else fetched.text
        path = f"/api/contents/{ASSIGNMENT}/ps1.ipynb"
        got = hub.server(student, "GET", path, params={"content": 1})
        assert got.ok, f"{student} cannot open the fetched notebook: {got.status_code}"
        release = got.json()["content"]
        # s1 answers everything; s2 hands the release back untouched.
        work = filled(source, release, None) if student == students[0] else release
        saved = hub.server(
            student, "PUT", path, json={"type": "notebook", "format": "json", "content": work}
        )
        assert saved.ok, saved.text
        submitted = hub.server(
            student,
            "POST",
            "/assignments/submit",
            data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
        )
        steps[f"{student}:submitted"] = submitted.json() if submitted.ok else submitted.text

    instructor_runs(course, "nbgrader", "collect", ASSIGNMENT)
    steps["grade"] = cli(
        "grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=course, check=False
    )
    return steps


def _entries(listing: object, status: str) -> list[dict]:
    assert isinstance(listing, dict) and listing.get("success"), listing
    return [
        a for a in listing["value"] if a["assignment_id"] == ASSIGNMENT and a["status"] == status
    ]


def test_each_student_sees_the_release_in_their_own_server(classroom):
    for student in classroom["students"]:
        assert _entries(classroom[f"{student}:listed"], "released"), student


def test_each_student_fetches_into_their_own_home(classroom):
    for student in classroom["students"]:
        assert _entries(classroom[f"{student}:fetched"], "fetched"), student
        assert (classroom["hub"].home(student) / ASSIGNMENT / "ps1.ipynb").is_file(), student


def test_each_submission_lands_in_the_exchange_under_its_student(classroom):
    for student in classroom["students"]:
        subs = _entries(classroom[f"{student}:submitted"], "submitted")
        assert subs and all(s["student_id"] == student for s in subs), subs


def test_collect_brings_both_submissions_into_the_course(classroom):
    course = classroom["course"]
    for student in classroom["students"]:
        assert (course / "submitted" / student / ASSIGNMENT / "ps1.ipynb").is_file()


def test_grades_are_full_for_the_answered_work_and_zero_for_the_blank(classroom):
    proc = classroom["grade"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from nbgrader.api import Gradebook

    s1, s2 = classroom["students"]
    with Gradebook(f"sqlite:///{classroom['course'] / 'gradebook.db'}", COURSE_ID) as gb:
        nb1 = gb.find_submission_notebook("ps1", ASSIGNMENT, s1)
        nb2 = gb.find_submission_notebook("ps1", ASSIGNMENT, s2)
        auto1 = {
            g.name: (g.auto_score, g.max_score) for g in nb1.grades if g.auto_score is not None
        }
        auto2 = {g.name: g.auto_score for g in nb2.grades if g.auto_score is not None}
    assert auto1 and all(score == top for score, top in auto1.values()), auto1
    assert all(auto2.get(name) == 0 for name in auto1), auto2
    # The written answer: s1's waits for a TA in formgrader; s2's untouched one scores 0 at once.
    assert "explain_counts" not in auto1 and auto2.get("explain_counts") == 0
    for student in (s1, s2):
        assert student in proc.stdout


def test_the_exchange_inbound_is_write_only_for_other_users(classroom, shared):
    """What nbgrader's release made of the shared folder (the guide's 'Limits' section)."""
    inbound = shared / "exchange" / COURSE_ID / "inbound"
    others = inbound.stat().st_mode & 0o007
    assert others == 0o003, oct(others)  # write and enter, never list


# --- The student wheel: what students install on the hub ------------------------------------


@pytest.fixture(scope="module")
def student_wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The wheel ``pip wheel .`` builds from this checkout (what the guide tells you to build)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("kosovo_course-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        yield zf


def test_the_wheel_holds_the_library_and_datasets_and_no_notebook(student_wheel):
    names = student_wheel.namelist()
    assert "course/_datasets/article.txt" in names
    assert "course/checks/__init__.py" in names
    assert not [n for n in names if n.endswith(".ipynb") or "notebooks/" in n]
    assert {n.split("/")[0] for n in names} == {"course", "kosovo_course-0.1.0.dist-info"}
    # The primary source travels byte for byte.
    article = (REPO / "datasets" / "article.txt").read_bytes()
    assert student_wheel.read("course/_datasets/article.txt") == article


def test_every_file_of_the_wheel_is_a_file_of_course_or_datasets(student_wheel):
    """Nothing generated or picked up from elsewhere: each file is one of the checkout's."""
    for info in student_wheel.infolist():
        name = info.filename
        if name.startswith("kosovo_course-0.1.0.dist-info/"):
            continue
        if name.startswith("course/_datasets/"):
            origin = REPO / "datasets" / name[len("course/_datasets/") :]
        else:
            origin = REPO / name
        assert origin.is_file(), f"{name} has no source in course/ or datasets/"
        assert student_wheel.read(name) == origin.read_bytes(), name


def _blocks(text: str) -> list[str]:
    """Each two consecutive substantial lines (10+ characters: not a bracket or an ``else:``),
    spaces normalised."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if len(line) >= 10]
    return ["\n".join(lines[i : i + 2]) for i in range(len(lines) - 1)]


def _secret_pairs() -> dict[str, str]:
    """Two consecutive lines of a solution or hidden test -> "<notebook>/<grade_id>"."""
    pairs: dict[str, str] = {}
    for path in sorted((REPO / "notebooks").glob("*/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = cell_source(cell)
            regions = hidden_test_regions(src)
            if nbgrader_meta(cell).get("solution"):
                regions += solution_regions(src)
            for region in regions:
                for block in _blocks(region):
                    pairs[block] = f"{path.parent.name}/{nbgrader_meta(cell).get('grade_id')}"
    return pairs


def _leaks(wheel: zipfile.ZipFile) -> set[tuple[str, str]]:
    """(file of the wheel, notebook/grade_id) for each solution or hidden test found in it."""
    pairs = _secret_pairs()
    assert len(pairs) > 50, "the source notebooks have too few solution lines to look for"
    found = set()
    for name in wheel.namelist():
        text = "\n".join(_blocks(wheel.read(name).decode("utf-8", errors="replace")))
        found |= {(name, where) for block, where in pairs.items() if block in text}
    return found


def test_no_solution_or_hidden_test_of_any_source_notebook_is_in_the_wheel(student_wheel):
    """Every two consecutive lines of every solution and hidden test, searched in every file.

    Single lines are no evidence here: library code shares short lines with the answers by
    design (``return number``, an event id of datasets/events.csv), so the unit searched is two
    consecutive substantial lines of a solution or hidden-test region, which no library file
    has reason to hold.
    """
    assert not [n for n in student_wheel.namelist() if n.endswith(".ipynb")]
    leaks = _leaks(student_wheel)
    assert not leaks, f"solution or hidden-test lines in the wheel: {sorted(leaks)[:3]}"
