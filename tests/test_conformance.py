"""Conformance: nbgrader's own autograde scenarios, graded by stock nbgrader and by us (#16).

One test per scenario of the installed nbgrader's ``tests/apps/test_nbgrader_autograde.py``,
named after it, set up as it is set up (see tests/conformance.py for the harness and how the
upstream steps are translated). Each ``autograde`` step grades both copies and fails on any
difference in exit status class, export, gradebook, autograded or submitted files; then the
upstream test's own assertions run on both copies. docs/guide/conformance.md has the table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conformance import (
    ASPECTS,
    DELIBERATE,
    EMPTY,
    TABLE,
    Notebook,
    Pair,
    Source,
    fixture_dir,
    prepare_all,
    source,
    table_markdown,
)

pytestmark = [pytest.mark.nbgrader, pytest.mark.conformance]

REPO = Path(__file__).resolve().parent.parent

UNCHANGED = source(("p1", "submitted-unchanged.ipynb"))
CHANGED = source(("p1", "submitted-changed.ipynb"))
WITH_FILES = source(
    ("p1", "submitted-unchanged.ipynb"),
    files={"source/ps1/foo.txt": "foo", "source/ps1/data/bar.txt": "bar"},
)
OVERWRITE = source(
    ("p1", "submitted-unchanged.ipynb"),
    files={"source/ps1/data.csv": "some,data\n", "source/ps1/helper.py": "print('hello!')\n"},
    config='c.Autograde.exclude_overwriting = {"ps1": ["helper.py"]}',
)
SUBDIR_HELPER = os.path.join("subdir", "helper.py")
OVERWRITE_SUBDIR = source(
    ("p1", "submitted-unchanged.ipynb"),
    files={
        "source/ps1/subdir/data.csv": "some,data\n",
        "source/ps1/subdir/helper.py": "print('hello!')\n",
    },
    config=f'c.Autograde.exclude_overwriting = {{"ps1": ["{SUBDIR_HELPER}"]}}',
)
AUTOTESTS = {"autotests.yml": "autotests.yml"}
AUTOTEST_SIMPLE = source(("p1", "autotest-simple.ipynb"), fixtures=AUTOTESTS)
AUTOTEST_HASHED = source(("p1", "autotest-hashed.ipynb"), fixtures=AUTOTESTS)
AUTOTEST_MULTI = source(("p1", "autotest-multi.ipynb"), fixtures=AUTOTESTS)
CODE_STUB = 'c.ClearSolutions.code_stub=dict(python="# YOUR CODE HERE")'
AUTOTEST_HIDDEN = source(("p1", "autotest-hidden.ipynb"), fixtures=AUTOTESTS, config=CODE_STUB)
HIDDEN_TESTS = source(("p1", "test-hidden-tests.ipynb"), config=CODE_STUB)
EMPTY_TWO = source(("p1", EMPTY), ("p2", EMPTY))
EMPTY_ONE = source(("p1", EMPTY))
PERMISSIONS = source(("foo", EMPTY), files={"source/ps1/foo.txt": "foo"})
PERMISSIONS_GROUPSHARED = source(
    ("foo", EMPTY),
    files={"source/ps1/foo.txt": "foo"},
    config="c.CourseDirectory.groupshared = True",
)
KERNEL_STUB = "c.ClearSolutions.code_stub = {'python': '## Answer', 'blah': '## Answer'}"
EMPTY_STUB = source(("p1", EMPTY), config=KERNEL_STUB)
BLAH_KERNEL = source(("p1", Notebook(kernel="blah")), config=KERNEL_STUB)
PYTHON_KERNEL = source(("p1", Notebook(kernel="python")))
TEST = source(("p1", "test.ipynb"))
TEST_TWO = source(("p1", "test.ipynb"), ("p2", "test.ipynb"))
INFINITE_LOOP = source(("p1", "infinite-loop.ipynb"), config="c.Execute.timeout = 1")
SIDE_EFFECTS = source(("p1", "side-effects.ipynb"))
ENVVAR = source(("p1", "validating-environment-variable.ipynb"))
TIMEOUT = source(("p1", "timeout.ipynb"))
UNCHANGED_TWO = source(("p1", "submitted-unchanged.ipynb"), ("p2", "submitted-unchanged.ipynb"))

SOURCES = [v for v in list(globals().values()) if isinstance(v, Source)]
CLEAR_METADATA = (
    "c.ClearMetadataPreprocessor.enabled = True\n"
    "c.ClearMetadataPreprocessor.clear_notebook_metadata = False\n"
    "c.ClearMetadataPreprocessor.preserve_cell_metadata_mask = [('nbgrader')]"
)
NO_EXECUTE = "c.Execute.enabled = False\nc.ClearOutput.enabled = False"

# The differences of #16 the current grader still shows (strict: an xfail that passes fails).


@pytest.fixture(scope="module", autouse=True)
def _table():
    """The table of every step, written to $CONFORMANCE_TABLE (if set) at the end.

    Prepared courses are built on first use (one ``generate_assignment`` each) and shared by
    the scenarios with the same source; ``CONFORMANCE_PREPARE=all`` builds them all up front,
    two at a time, which is faster on an idle machine.
    """
    if os.environ.get("CONFORMANCE_PREPARE") == "all":
        prepare_all(SOURCES)
    yield
    dest = os.environ.get("CONFORMANCE_TABLE")
    if dest:
        Path(dest).write_text(table_markdown(TABLE), encoding="utf-8")


@pytest.fixture
def pair(request, tmp_path):
    """``pair(source)``: two copies of a prepared course for this scenario."""
    name = request.node.name.removeprefix("test_")
    return lambda spec: Pair(name, spec, tmp_path)


# --- upstream's assertions, applied to each graded copy ---------------------------------------


def autograded(root: Path, student: str, *rest: str) -> Path:
    return root.joinpath("autograded", student, "ps1", *rest)


def gradebook(root: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def notebook_score(root: Path, student: str, nb: str = "p1") -> tuple[float, float, bool]:
    with gradebook(root) as gb:
        n = gb.find_submission_notebook(nb, "ps1", student)
        return n.score, n.max_score, n.needs_manual_grade


def submission(root: Path, student: str) -> tuple[float, list[tuple[float, float | None]]]:
    """total_seconds_late and (score, late_submission_penalty) per notebook."""
    with gradebook(root) as gb:
        s = gb.find_submission("ps1", student)
        return s.total_seconds_late, [(n.score, n.late_submission_penalty) for n in s.notebooks]


def graded_files(*students: str, timestamp: bool = False):
    def check(root: Path) -> None:
        for student in students:
            assert autograded(root, student, "p1.ipynb").is_file()
            assert autograded(root, student, "timestamp.txt").is_file() == timestamp

    return check


def mode(path: Path) -> str:
    st = path.stat().st_mode
    return oct(st)[-4:] if st & 0o2000 else oct(st)[-3:]


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the scenarios -----------------------------------------------------------------------------


def test_missing_student(pair):
    p = pair(CHANGED)
    p.submit("baz", "submitted-changed.ipynb")
    p.autograde(config="c.Autograde.create_student = False", stock_rc=1)
    p.autograde()
    p.each(lambda r: autograded(r, "baz", "p1.ipynb").is_file() or pytest.fail("baz not graded"))


def test_missing_assignment(pair):
    p = pair(UNCHANGED)
    p.copy_fixture("submitted-changed.ipynb", "submitted/ps2/foo/p1.ipynb")
    p.autograde(assignment="ps2", stock_rc=1)


def test_grade(pair):
    p = pair(UNCHANGED)
    p.submit("foo", "submitted-unchanged.ipynb")
    p.submit("bar", "submitted-changed.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar")(root)
        assert notebook_score(root, "foo") == (1, 7, False)
        assert notebook_score(root, "bar") == (2, 7, True)
        with gradebook(root) as gb:
            for cell in ("set_a", "baz", "quux"):
                assert gb.find_comment(cell, "p1", "ps1", "foo").comment == "No response."
            for cell in ("set_a", "baz"):
                assert gb.find_comment(cell, "p1", "ps1", "bar").comment is None

    p.each(check)


@pytest.mark.parametrize(
    "spec, stem, foo, bar",
    [
        (AUTOTEST_SIMPLE, "autotest-simple", (0, 1, False), (1, 1, False)),
        (AUTOTEST_HASHED, "autotest-hashed", (0, 1, False), (1, 1, False)),
        (AUTOTEST_MULTI, "autotest-multi", (0, 4, False), (3, 4, False)),
    ],
    ids=["grade_autotest", "grade_hashed_autotest", "grade_complex_autotest"],
)
def test_autotest(pair, spec, stem, foo, bar):
    p = pair(spec)
    p.submit("foo", f"{stem}-unchanged.ipynb")
    p.submit("bar", f"{stem}-changed.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar")(root)
        assert notebook_score(root, "foo") == foo
        assert notebook_score(root, "bar") == bar

    p.each(check)


def test_showtraceback_exploit(pair):
    p = pair(UNCHANGED)
    p.append_config("c.Execute.timeout = None")
    p.submit("foo", "submitted-unchanged.ipynb")
    p.submit("bar", "submitted-changed.ipynb")
    p.submit("spam", "submitted-cheat-attempt.ipynb")
    p.submit("eggs", "submitted-cheat-attempt-alternative.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar", "spam", "eggs")(root)
        assert notebook_score(root, "foo") == (1, 7, False)
        assert notebook_score(root, "bar") == (2, 7, True)
        assert notebook_score(root, "spam") == (1, 7, True)
        assert notebook_score(root, "eggs") == (1, 7, True)

    p.each(check)


def test_student_id_exclude(pair):
    from nbgrader.api import MissingEntry

    p = pair(UNCHANGED)
    p.submit("foo", "submitted-unchanged.ipynb")
    p.submit("bar", "submitted-changed.ipynb")
    p.submit("baz", "submitted-changed.ipynb")
    p.autograde(config="c.CourseDirectory.student_id_exclude = 'bar,baz'")

    def check(root: Path) -> None:
        assert autograded(root, "foo", "p1.ipynb").is_file()
        assert not autograded(root, "bar", "p1.ipynb").is_file()
        assert not autograded(root, "baz", "p1.ipynb").is_file()
        assert notebook_score(root, "foo")[0] == 1
        for student in ("bar", "baz"):
            with pytest.raises(MissingEntry):
                notebook_score(root, student)

    p.each(check)


def test_grade_timestamp(pair):
    p = pair(UNCHANGED)
    p.submit("foo", "submitted-unchanged.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    p.submit("bar", "submitted-changed.ipynb")
    p.make_file("submitted/bar/ps1/timestamp.txt", "2015-02-01 14:58:23.948203 America/Los_Angeles")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar", timestamp=True)(root)
        assert submission(root, "foo")[0] > 0
        assert submission(root, "bar")[0] == 0

    p.each(check)
    p.autograde()  # "make sure it still works to run it a second time"


def test_grade_empty_timestamp(pair):
    p = pair(UNCHANGED)
    p.submit("foo", "submitted-unchanged.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", "")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", timestamp=True)(root)
        assert submission(root, "foo")[0] == 0

    p.each(check)
    p.submit("bar", "submitted-changed.ipynb")
    p.make_file("submitted/bar/ps1/timestamp.txt", "But I want to be a timestamp string :(")
    p.autograde(stock_rc=1, deliberate=("no-empty-folder-after-failure",))


def _late_class(p: Pair, foo_time: str, bar_time: str) -> None:
    p.submit("foo", "submitted-unchanged.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", f"2015-02-02 {foo_time} America/Los_Angeles")
    p.submit("bar", "submitted-changed.ipynb")
    p.make_file("submitted/bar/ps1/timestamp.txt", f"2015-02-02 {bar_time} America/Los_Angeles")


def test_late_submission_penalty_none(pair):
    p = pair(UNCHANGED)
    _late_class(p, "14:58:23.948203", "15:58:23.948203")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar", timestamp=True)(root)
        assert submission(root, "foo") == (0, [(1, None)])
        late, nbs = submission(root, "bar")
        assert late > 0 and nbs == [(2, None)]

    p.each(check)


def test_late_submission_penalty_zero(pair):
    p = pair(UNCHANGED)
    p.append_config("c.LateSubmissionPlugin.penalty_method = 'zero'")
    _late_class(p, "14:58:23.948203", "15:58:23.948203")
    p.autograde()

    def late(root: Path) -> None:
        graded_files("foo", "bar", timestamp=True)(root)
        assert submission(root, "foo") == (0, [(1, None)])
        seconds, nbs = submission(root, "bar")
        assert seconds > 0 and nbs == [(2, 2)]

    p.each(late)
    # Issue 723 - check penalty is reset if timestamp changed
    p.make_file("submitted/bar/ps1/timestamp.txt", "2015-02-02 14:58:23.948203 America/Los_Angeles")
    p.autograde("--force")
    p.each(lambda root: _assert(submission(root, "bar") == (0, [(2, None)])))


LATE_PLUGIN = """
from __future__ import division
from nbgrader.plugins import BasePlugin

class Blarg(BasePlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        # loss 1 mark per hour late
        hours_late = total_seconds_late / 3600
        return int(hours_late)
"""


def test_late_submission_penalty_plugin(pair):
    p = pair(UNCHANGED)
    p.make_file("late_plugin.py", LATE_PLUGIN)
    p.append_config("c.AssignLatePenalties.plugin_class = 'late_plugin.Blarg'")
    _late_class(p, "18:58:23.948203", "15:58:23.948203")
    p.autograde()

    def check(root: Path) -> None:
        graded_files("foo", "bar", timestamp=True)(root)
        seconds, nbs = submission(root, "foo")
        assert seconds > 0 and nbs == [(1, 1)]
        seconds, nbs = submission(root, "bar")
        assert seconds > 0 and nbs == [(2, 1)]

    p.each(check)


def _with_files(p: Pair) -> None:
    p.submit("foo", "submitted-unchanged.ipynb")
    p.make_file("submitted/foo/ps1/foo.txt", "foo")
    p.make_file("submitted/foo/ps1/data/bar.txt", "bar")
    p.make_file("submitted/foo/ps1/blah.pyc", "asdf")


def _files(root: Path, *, p1: bool = True, foo: bool = True) -> None:
    assert autograded(root, "foo", "p1.ipynb").is_file() == p1
    assert autograded(root, "foo", "foo.txt").is_file() == foo
    assert autograded(root, "foo", "data", "bar.txt").is_file()
    assert not autograded(root, "foo", "blah.pyc").is_file()


@pytest.mark.parametrize("flag", ["--force", "-f"], ids=["force", "force_f"])
def test_force(pair, flag):
    p = pair(WITH_FILES)
    _with_files(p)
    p.autograde()
    p.each(_files)
    # check that it skips the existing directory
    p.remove("autograded/foo/ps1/foo.txt")
    p.autograde()
    p.each(lambda root: _files(root, foo=False))
    # force overwrite the supplemental files
    p.autograde(flag)
    p.each(_files)
    # force overwrite
    p.remove("source/ps1/foo.txt")
    p.remove("submitted/foo/ps1/foo.txt")
    p.autograde(flag)
    p.each(lambda root: _files(root, foo=False))


def test_filter_notebook(pair):
    p = pair(WITH_FILES)
    _with_files(p)
    p.autograde("--notebook", "p1")
    p.each(_files)
    # check that removing the notebook still causes the autograder to run
    p.remove("autograded/foo/ps1/p1.ipynb")
    p.remove("autograded/foo/ps1/foo.txt")
    p.autograde("--notebook", "p1")
    p.each(_files)
    # check that running it again doesn't do anything
    p.remove("autograded/foo/ps1/foo.txt")
    p.autograde("--notebook", "p1")
    p.each(lambda root: _files(root, foo=False))
    # check that removing the notebook doesn't cause the autograder to run
    p.remove("autograded/foo/ps1/p1.ipynb")
    p.autograde()
    p.each(lambda root: _files(root, p1=False, foo=False))


@pytest.mark.parametrize(
    "spec, folder", [(OVERWRITE, ""), (OVERWRITE_SUBDIR, "subdir/")], ids=["files", "files_subdirs"]
)
def test_grade_overwrite(pair, spec, folder):
    p = pair(spec)
    p.submit("foo", "submitted-unchanged.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    p.make_file(f"submitted/foo/ps1/{folder}data.csv", "some,other,data\n")
    p.make_file(f"submitted/foo/ps1/{folder}helper.py", "print('this is different!')\n")
    p.autograde()

    def check(root: Path) -> None:
        out = autograded(root, "foo")
        assert (out / "p1.ipynb").is_file()
        assert text(out / "timestamp.txt") == "2015-02-02 15:58:23.948203 America/Los_Angeles"
        assert text(out / f"{folder}data.csv") == "some,data\n"
        assert text(out / f"{folder}helper.py") == "print('this is different!')\n"

    p.each(check)


def test_side_effects(pair):
    p = pair(SIDE_EFFECTS)
    p.submit("foo", "side-effects.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        assert autograded(root, "foo", "side-effect.txt").is_file()
        assert not (root / "submitted" / "foo" / "ps1" / "side-effect.txt").is_file()

    p.each(check)


def test_skip_extra_notebooks(pair):
    p = pair(UNCHANGED)
    p.submit("foo", "submitted-unchanged.ipynb", name="p1 copy")
    p.submit("foo", "submitted-changed.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        assert autograded(root, "foo", "p1.ipynb").is_file()
        assert not autograded(root, "foo", "p1 copy.ipynb").is_file()

    p.each(check)


@pytest.mark.parametrize("groupshared", [False, True], ids=["private", "groupshared"])
def test_permissions(pair, groupshared):
    p = pair(PERMISSIONS_GROUPSHARED if groupshared else PERMISSIONS)
    p.submit("foo", EMPTY, name="foo")
    p.make_file("source/foo/ps1/foo.txt", "foo")  # sic: upstream writes it under source/
    p.autograde()
    perms, dirperms = ("664", "2775") if groupshared else ("444", None)

    def check(root: Path) -> None:
        out = autograded(root, "foo")
        assert (out / "foo.ipynb").is_file() and (out / "foo.txt").is_file()
        if dirperms:
            assert mode(out) == dirperms
        assert mode(out / "foo.ipynb") == perms
        assert mode(out / "foo.txt") == perms

    p.each(check)


def test_custom_permissions(pair):
    p = pair(PERMISSIONS)
    p.submit("foo", EMPTY, name="foo")
    p.make_file("source/foo/ps1/foo.txt", "foo")
    p.autograde(config="c.AutogradeApp.permissions = 644")

    def check(root: Path) -> None:
        out = autograded(root, "foo")
        assert mode(out / "foo.ipynb") == "644"
        assert mode(out / "foo.txt") == "644"

    p.each(check)


def test_force_single_notebook(pair):
    p = pair(TEST_TWO)
    p.submit("foo", "test.ipynb")
    p.submit("foo", "test.ipynb", name="p2")
    p.autograde(config=CLEAR_METADATA)
    before = {
        r: (text(autograded(r, "foo", "p1.ipynb")), text(autograded(r, "foo", "p2.ipynb")))
        for r in p.roots
    }
    p.each(lambda r: _assert(before[r][0] == before[r][1]))
    p.submit("foo", EMPTY)
    p.submit("foo", EMPTY, name="p2")
    p.autograde("--notebook", "p1", "--force")

    def check(root: Path) -> None:
        assert before[root][0] != text(autograded(root, "foo", "p1.ipynb"))
        assert before[root][1] == text(autograded(root, "foo", "p2.ipynb"))

    p.each(check)


def test_update_newer(pair):
    p = pair(TEST)
    p.submit("foo", "test.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    p.autograde()
    before = {r: text(autograded(r, "foo", "p1.ipynb")) for r in p.roots}
    stamp = "2015-02-02 15"
    p.each(lambda r: _assert(text(autograded(r, "foo", "timestamp.txt")).startswith(stamp)))
    p.submit("foo", EMPTY)
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 16:58:23.948203 America/Los_Angeles")
    p.autograde()

    def check(root: Path) -> None:
        assert text(autograded(root, "foo", "timestamp.txt")).startswith("2015-02-02 16")
        assert before[root] != text(autograded(root, "foo", "p1.ipynb"))

    p.each(check)


def test_update_same_timestamp(pair):
    """Not upstream: test_update_newer with the new files but the old timestamp.txt."""
    p = pair(TEST)
    p.submit("foo", "test.ipynb")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    p.autograde()
    before = {r: text(autograded(r, "foo", "p1.ipynb")) for r in p.roots}
    p.submit("foo", EMPTY)
    p.autograde(deliberate=("regrade-changed-submission",))
    assert before[p.stock] == text(autograded(p.stock, "foo", "p1.ipynb"))  # stock: old grade
    assert before[p.ours] != text(autograded(p.ours, "foo", "p1.ipynb"))  # ours: the new files


def test_update_newer_single_notebook(pair):
    p = pair(TEST_TWO)
    p.submit("foo", "test.ipynb")
    p.submit("foo", "test.ipynb", name="p2")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 15:58:23.948203 America/Los_Angeles")
    p.autograde(config=CLEAR_METADATA)
    before = {
        r: (text(autograded(r, "foo", "p1.ipynb")), text(autograded(r, "foo", "p2.ipynb")))
        for r in p.roots
    }
    p.submit("foo", EMPTY)
    p.submit("foo", EMPTY, name="p2")
    p.make_file("submitted/foo/ps1/timestamp.txt", "2015-02-02 16:58:23.948203 America/Los_Angeles")
    p.autograde("--notebook", "p1")

    def check(root: Path) -> None:
        assert text(autograded(root, "foo", "timestamp.txt")).startswith("2015-02-02 16")
        assert before[root][0] != text(autograded(root, "foo", "p1.ipynb"))
        assert before[root][1] == text(autograded(root, "foo", "p2.ipynb"))

    p.each(check)


def test_hidden_tests_single_notebook(pair):
    p = pair(HIDDEN_TESTS)
    for root in p.roots:
        released = root / "release" / "ps1" / "p1.ipynb"
        assert "BEGIN HIDDEN TESTS" not in text(released)
        dest = root / "submitted" / "foo" / "ps1" / "p1.ipynb"
        dest.parent.mkdir(parents=True)
        shutil.copy(released, dest)
    p.autograde()

    def check(root: Path) -> None:
        assert "BEGIN HIDDEN TESTS" in text(autograded(root, "foo", "p1.ipynb"))
        assert submission(root, "foo")[1][0][0] == 1.5

    p.each(check)


def test_hidden_tests_autotest(pair):
    p = pair(AUTOTEST_HIDDEN)
    p.submit("foo", "autotest-hidden-unchanged.ipynb")
    p.submit("bar", "autotest-hidden-changed-wrong.ipynb")
    p.submit("baz", "autotest-hidden-changed-right.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        for student, score in (("foo", 0), ("bar", 0), ("baz", 1)):
            assert "BEGIN HIDDEN TESTS" in text(autograded(root, student, "p1.ipynb"))
            assert submission(root, student)[1][0][0] == score

    p.each(check)


def test_handle_failure(pair):
    p = pair(EMPTY_TWO)
    p.submit("bar", EMPTY)
    p.submit("bar", "test.ipynb", name="p2")
    p.submit("foo", EMPTY)
    p.submit("foo", EMPTY, name="p2")
    p.autograde(stock_rc=1, deliberate=("no-empty-folder-after-failure",))

    def check(root: Path) -> None:
        assert not autograded(root, "bar").exists()
        assert autograded(root, "foo").exists()

    p.each(check)


def test_handle_failure_single_notebook(pair):
    p = pair(EMPTY_TWO)
    p.submit("foo", EMPTY)
    p.submit("foo", "test.ipynb", name="p2")
    p.autograde("--notebook", "p*", stock_rc=1, deliberate=("no-empty-folder-after-failure",))
    assert autograded(p.stock, "foo").exists()  # ours: see no-empty-folder-after-failure

    def check(root: Path) -> None:
        assert not autograded(root, "foo", "p1.ipynb").is_file()
        assert not autograded(root, "foo", "p2.ipynb").is_file()

    p.each(check)


def test_missing_source_kernelspec(pair):
    p = pair(EMPTY_STUB)
    p.submit("foo", Notebook(kernel="python"))
    p.autograde()
    p.each(lambda root: _assert(autograded(root, "foo", "p1.ipynb").is_file()))
    p.submit("bar", Notebook(kernel="blarg"))
    p.autograde(stock_rc=1, deliberate=("no-empty-folder-after-failure",))
    p.each(lambda root: _assert(not autograded(root, "bar").exists()))


def test_incorrect_source_kernelspec(pair):
    p = pair(BLAH_KERNEL)
    p.submit("foo", Notebook(kernel="python"))
    p.autograde(stock_rc=1, deliberate=("no-empty-folder-after-failure",))
    p.each(lambda root: _assert(not autograded(root, "foo").exists()))


def test_incorrect_submitted_kernelspec(pair):
    p = pair(PYTHON_KERNEL)
    p.submit("foo", Notebook(kernel="blah"))
    p.autograde()
    p.each(lambda root: _assert(autograded(root, "foo", "p1.ipynb").is_file()))


def _outputs(path: Path) -> list:
    nb = json.loads(text(path))
    return [c.get("outputs") for c in nb["cells"]]


def test_no_execute(pair):
    p = pair(TEST)
    p.submit("foo", "test-with-output.ipynb")
    original = _outputs(fixture_dir() / "test-with-output.ipynb")
    p.autograde()
    p.each(lambda r: _assert(_outputs(autograded(r, "foo", "p1.ipynb")) != original))
    p.autograde("--force", config=NO_EXECUTE)
    p.each(lambda r: _assert(_outputs(autograded(r, "foo", "p1.ipynb")) == original))


def test_infinite_loop(pair):
    p = pair(INFINITE_LOOP)
    p.submit("foo", "infinite-loop.ipynb")
    p.autograde()
    p.each(lambda root: _assert(autograded(root, "foo", "p1.ipynb").is_file()))


def test_missing_files(pair):
    p = pair(EMPTY_ONE)
    p.submit("foo", EMPTY)
    p.each(lambda root: (root / "submitted" / "bar" / "ps1").mkdir(parents=True))
    p.autograde(deliberate=("empty-submission-not-graded",))

    def check(root: Path) -> None:
        assert autograded(root, "foo", "p1.ipynb").is_file()
        assert not (root / "autograded" / "bar").exists()

    p.each(check)


def test_grade_missing_notebook(pair):
    p = pair(UNCHANGED_TWO)
    p.submit("foo", "submitted-changed.ipynb")
    p.autograde()

    def check(root: Path) -> None:
        assert autograded(root, "foo", "p1.ipynb").is_file()
        assert not autograded(root, "foo", "p2.ipynb").is_file()
        with gradebook(root) as gb:
            nb1, nb2 = gb.find_submission("ps1", "foo").notebooks
            assert not nb2.needs_manual_grade
            assert nb2.score == 0

    p.each(check)


def test_grade_with_validating_envvar(pair):
    p = pair(ENVVAR)
    p.submit("foo", "validating-environment-variable.ipynb")
    p.autograde()
    p.each(lambda root: _assert(notebook_score(root, "foo")[0] == 0))


def test_autograde_timeout(pair):
    p = pair(TIMEOUT)
    p.submit("foo", "timeout.ipynb")
    p.submit("bar", "timeout.ipynb")
    p.autograde("--student", "foo")
    p.autograde("--student", "bar", config="c.Execute.timeout = 2")
    p.each(lambda root: _assert(notebook_score(root, "foo")[0] == 1))
    p.each(lambda root: _assert(notebook_score(root, "bar")[0] == 0))


def _assert(condition: bool) -> None:
    assert condition


# --- the documentation -------------------------------------------------------------------------


def test_the_guide_lists_every_deliberate_difference():
    page = (REPO / "docs" / "guide" / "conformance.md").read_text(encoding="utf-8")
    for name, deliberate in DELIBERATE.items():
        assert f"`{name}`" in page, f"docs/guide/conformance.md does not list {name}"
        assert deliberate.aspects <= set(ASPECTS)
    guide = (REPO / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    assert re.search(r"\]\((guide/)?conformance\.md\)", guide), "the instructor guide links it"
