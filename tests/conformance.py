"""The conformance harness: nbgrader's own autograde scenarios, graded by stock and by us.

Each scenario of ``nbgrader/tests/apps/test_nbgrader_autograde.py`` (the installed nbgrader's
own test file) is set up here as that test sets it up: the same fixture notebooks, read at run
time from the installed package (never copied into this repository), the same config lines, the
same ``nbgrader db ... add`` and ``nbgrader generate_assignment`` commands. The prepared course
is then copied twice; one copy is graded with stock ``nbgrader autograde``, the other with
``kosovo-course grade``, side by side, and everything a grader leaves behind is compared:

- the exit status class (0, or not 0: nbgrader exits 1 when a student could not be graded);
- the CSV ``nbgrader export`` writes (its CsvExportPlugin, run in-process on each gradebook);
- every gradebook field of every student, submission, grade and comment (``results.dump``);
- the autograded and submitted trees: every path, its mode, and its content (notebooks without
  the cell execution timestamps, which differ between any two runs).

How the upstream steps are translated (the same for both graders, so nothing is favoured):

- The course folder is also the folder ``nbgrader`` runs in: upstream runs in a separate
  folder that holds ``nbgrader_config.py`` (and ``late_plugin.py``) with
  ``CourseDirectory.root`` pointing at the course; here both live in the course folder, stock
  runs there and ``kosovo-course`` runs from elsewhere with ``--course-dir``.
- The gradebook is the course's default ``gradebook.db``, not a ``--db`` elsewhere.
- nbgrader settings upstream passes on the command line (``--Execute.timeout=2``,
  ``--no-execute``, ``--AutogradeApp.permissions=644``, ...) are written to
  ``nbgrader_config.py`` for that step, for both graders: ``kosovo-course grade`` takes
  nbgrader settings from the config file only. Options (``--force``, ``-f``, ``--student``,
  ``--notebook``) are passed to both as they are.
- ``nbgrader validate`` calls upstream makes on submitted files test nbgrader, not a grader,
  and are left out; the autograded notebooks are compared instead.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grading_fixtures import BIN, env, nbgrader

ASSIGNMENT = "ps1"
DUEDATE = "2015-02-02 14:58:23.948203 America/Los_Angeles"
STUDENTS = ("foo", "bar")  # every upstream scenario adds these two with `nbgrader db student add`
JOBS = 2

ASPECTS = ("exit", "export", "gradebook", "autograded", "submitted")


@dataclass(frozen=True)
class Deliberate:
    """A difference from stock we keep on purpose: what it touches and why."""

    aspects: frozenset[str]
    why: str
    lines: str = ""  # a regular expression every differing line must match ("": any line)


# A step that shows one names it (``deliberate=``): the test asserts that it still differs there
# and that nothing else does. docs/guide/conformance.md lists every name (a test checks).
DELIBERATE: dict[str, Deliberate] = {
    "regrade-changed-submission": Deliberate(
        frozenset({"export", "gradebook", "autograded"}),
        "a submission whose files changed is regraded even when its timestamp.txt is not newer; "
        "stock keeps the grade of the old files. A grade must describe the files in submitted/.",
    ),
    "no-empty-folder-after-failure": Deliberate(
        frozenset({"autograded"}),
        "when a student cannot be graded, stock leaves an empty autograded/<student>/ (and with "
        "--notebook an empty autograded/<student>/<assignment>/); ours leaves nothing, so an "
        "autograded folder always holds a grade.",
        lines=r"/[^/]+/(ps1/)?: '0o\d+' != '<missing>'",
    ),
    "empty-submission-not-graded": Deliberate(
        frozenset({"exit"}),
        "a student whose submitted folder holds no notebook at all is flagged missing-notebook "
        "and counted as not graded, so grade exits 1; stock skips them silently and exits 0. A "
        "student who handed in nothing must not look graded, and scripts must be able to tell.",
        lines=r"stock 0, ours 1",
    ),
}

_SESSION = Path(tempfile.mkdtemp(prefix="kosovo-conformance-"))


@functools.cache
def fixture_dir() -> Path:
    """nbgrader's own test fixtures, in the installed package (``nbgrader/tests/apps/files``)."""
    import nbgrader

    folder = Path(nbgrader.__file__).resolve().parent / "tests" / "apps" / "files"
    if not folder.is_dir():
        raise FileNotFoundError(f"the installed nbgrader has no test fixtures at {folder}")
    return folder


def empty_notebook(path: Path, kernel: str | None = None) -> None:
    """An empty notebook, with a kernelspec for ``kernel`` if any (upstream ``_empty_notebook``)."""
    import nbformat
    from nbformat.v4 import new_notebook

    nb = new_notebook()
    if kernel is not None:
        nb.metadata.kernelspec = {"display_name": "kernel", "language": kernel, "name": kernel}
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with open(path, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh, 4)


@dataclass(frozen=True)
class Notebook:
    """A notebook to put in place: a fixture file's name, or an empty one (``kernel``)."""

    fixture: str | None = None
    kernel: str | None = None

    def write(self, dest: Path) -> None:
        if self.fixture is None:
            empty_notebook(dest, self.kernel)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                dest.unlink()
            shutil.copy(fixture_dir() / self.fixture, dest)


EMPTY = Notebook()


@dataclass(frozen=True)
class Source:
    """A prepared assignment: source notebooks, other files and config before the release."""

    notebooks: tuple[tuple[str, Notebook], ...]
    files: tuple[tuple[str, str], ...] = ()  # relative to the course folder -> text
    fixtures: tuple[tuple[str, str], ...] = ()  # relative to the course folder -> fixture name
    config: str = ""  # appended to nbgrader_config.py before generate_assignment


def source(
    *notebooks: tuple[str, str | Notebook],
    files: dict[str, str] | None = None,
    fixtures: dict[str, str] | None = None,
    config: str = "",
) -> Source:
    """A Source from ``(name, fixture or Notebook)`` pairs; names without ``.ipynb``."""
    nbs = tuple((n, nb if isinstance(nb, Notebook) else Notebook(nb)) for n, nb in notebooks)
    return Source(
        nbs, tuple(sorted((files or {}).items())), tuple(sorted((fixtures or {}).items())), config
    )


def _checked(proc: subprocess.CompletedProcess[str]) -> None:
    if proc.returncode != 0:
        raise AssertionError(f"{proc.args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")


@functools.cache
def _base() -> Path:
    """A course with the assignment (due date) and foo, bar in its gradebook: upstream's first
    three commands, run once and copied."""
    root = _SESSION / "base"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    _checked(nbgrader("db", "assignment", "add", ASSIGNMENT, "--duedate", DUEDATE, cwd=root))
    for student in STUDENTS:
        _checked(nbgrader("db", "student", "add", student, cwd=root))
    return root


_prepared: dict[Source, Path] = {}


def prepared(spec: Source) -> Path:
    """The course of ``spec`` after ``nbgrader generate_assignment`` (built once per session)."""
    if spec in _prepared:
        return _prepared[spec]
    root = _SESSION / f"prepared-{hashlib.sha256(repr(spec).encode()).hexdigest()[:12]}"
    shutil.copytree(_base(), root)
    if spec.config:
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
            fh.write(spec.config + "\n")
    for name, nb in spec.notebooks:
        nb.write(root / "source" / ASSIGNMENT / f"{name}.ipynb")
    for rel, text in spec.files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for rel, name in spec.fixtures:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture_dir() / name, root / rel)
    _checked(nbgrader("generate_assignment", ASSIGNMENT, cwd=root))
    _prepared[spec] = root
    return root


def prepare_all(specs: Iterable[Source], workers: int = 2) -> None:
    """Build several prepared courses side by side (each is one generate_assignment)."""
    todo = [s for s in dict.fromkeys(specs) if s not in _prepared]
    _base()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(prepared, todo))


# --- what a grader leaves behind ---------------------------------------------------------------


def exit_class(code: int) -> str:
    """``ok`` for 0, ``failed`` for anything else."""
    return "ok" if code == 0 else "failed"


def export_csv(root: Path) -> list[dict[str, str]]:
    """The rows ``nbgrader export`` writes for this course (CsvExportPlugin), sorted."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    db = root / "gradebook.db"
    if not db.is_file():
        return []
    dest = root.parent / f".export-{root.name}.csv"
    with Gradebook(f"sqlite:///{db}") as gb:
        CsvExportPlugin(to=str(dest)).export(gb)
    with open(dest, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    dest.unlink()
    return sorted(rows, key=lambda r: (r["assignment"], r["student_id"]))


def gradebook(root: Path) -> dict[str, Any]:
    """Every student, submission, grade and comment field of the course's gradebook."""
    from course.grading.compare import gradebook_dump

    db = root / "gradebook.db"
    return gradebook_dump(db) if db.is_file() else {}


def normalised_notebook(text: str) -> Any:
    """A notebook without what differs between any two runs: cell execution timestamps."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        cell.get("metadata", {}).pop("execution", None)
    return nb


def tree(folder: Path) -> dict[str, Any]:
    """Every path under ``folder``: its mode and (for files) its normalised content."""
    out: dict[str, Any] = {}
    if not folder.exists():
        return out
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        mode = oct(stat.S_IMODE(path.lstat().st_mode))
        if path.is_dir():
            out[rel + "/"] = mode
        elif path.suffix == ".ipynb":
            content = path.read_text(encoding="utf-8", errors="replace")
            out[rel] = [mode, normalised_notebook(content)]
        else:
            out[rel] = [mode, hashlib.sha256(path.read_bytes()).hexdigest()[:16]]
    return out


def state(root: Path) -> dict[str, Any]:
    """Everything compared between the two graded copies (without the exit status)."""
    return {
        "export": export_csv(root),
        "gradebook": gradebook(root),
        "autograded": tree(root / "autograded"),
        "submitted": tree(root / "submitted"),
    }


def scores(root: Path) -> str:
    """``student score/max`` for the table, from the export."""
    rows = export_csv(root)
    return (
        ", ".join(
            f"{r['student_id']} {float(r['score']):g}/{float(r['max_score']):g}" for r in rows
        )
        or "no grades"
    )


# --- one scenario, graded twice ----------------------------------------------------------------


@dataclass
class Step:
    """One autograde step of a scenario, as each grader ran it and what differed."""

    scenario: str
    args: tuple[str, ...]
    stock_rc: int
    ours_rc: int
    stock: str
    ours: str
    differences: dict[str, list[str]] = field(default_factory=dict)
    deliberate: tuple[str, ...] = ()
    stock_output: str = ""
    ours_output: str = ""

    @property
    def identical(self) -> bool:
        return not self.differences


TABLE: list[Step] = []


def _differences(a: Any, b: Any, limit: int = 6) -> list[str]:
    from course.grading.compare import differences

    return differences(a, b, limit=limit)


class Pair:
    """Two copies of a prepared course: ``stock`` and ``ours``, changed alike, graded apart."""

    def __init__(self, scenario: str, spec: Source, tmp: Path) -> None:
        self.scenario = scenario
        base = prepared(spec)
        self.stock = tmp / "stock"
        self.ours = tmp / "ours"
        for root in self.roots:
            shutil.copytree(base, root, symlinks=True)
        self.steps: list[Step] = []

    @property
    def roots(self) -> tuple[Path, Path]:
        return (self.stock, self.ours)

    # Changes applied to both copies, as upstream makes them.
    def copy_fixture(self, name: str, rel: str) -> None:
        for root in self.roots:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(fixture_dir() / name, root / rel)

    def submit(self, student: str, fixture: str | Notebook, name: str = "p1") -> None:
        nb = fixture if isinstance(fixture, Notebook) else Notebook(fixture)
        for root in self.roots:
            nb.write(root / "submitted" / student / ASSIGNMENT / f"{name}.ipynb")

    def make_file(self, rel: str, text: str = "") -> None:
        for root in self.roots:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")

    def remove(self, rel: str) -> None:
        for root in self.roots:
            path = root / rel
            if path.exists():
                path.chmod(0o644)
                path.unlink()

    def append_config(self, text: str) -> None:
        for root in self.roots:
            with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
                fh.write(text + "\n")

    def each(self, fn: Callable[[Path], None]) -> None:
        """Run upstream's assertions (``fn(course folder)``) on both graded copies."""
        for root in self.roots:
            fn(root)

    def autograde(
        self,
        *args: str,
        config: str = "",
        stock_rc: int = 0,
        deliberate: tuple[str, ...] = (),
        assignment: str = ASSIGNMENT,
    ) -> Step:
        """Grade both copies side by side; record and compare; raise if they differ.

        ``config`` is written to both configs for this step only (upstream passes it on the
        command line). ``stock_rc`` is upstream's expected exit status, asserted for stock.
        ``deliberate`` names documented differences (DELIBERATE) this step shows on purpose.
        """
        saved = {r: (r / "nbgrader_config.py").read_text(encoding="utf-8") for r in self.roots}
        if config:
            self.append_config(config)
        try:
            stock_cmd = [str(BIN / "nbgrader"), "autograde", assignment, *args]
            ours_cmd = [
                str(BIN / "kosovo-course"),
                "--course-dir",
                str(self.ours),
                "grade",
                assignment,
                "--no-progress",
                "--jobs",
                str(JOBS),
                *args,
            ]
            procs = [
                subprocess.Popen(
                    cmd,
                    cwd=cwd,
                    env=env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for cmd, cwd in ((stock_cmd, self.stock), (ours_cmd, self.ours.parent))
            ]
            outputs = [p.communicate(timeout=600)[0] for p in procs]
        finally:
            for root, text in saved.items():
                (root / "nbgrader_config.py").write_text(text, encoding="utf-8")
        got_stock = procs[0].returncode
        ours_rc = procs[1].returncode
        diffs: dict[str, list[str]] = {}
        if exit_class(got_stock) != exit_class(ours_rc):
            diffs["exit"] = [f"stock {got_stock}, ours {ours_rc}"]
        a, b = state(self.stock), state(self.ours)
        for aspect in a:
            found = _differences(a[aspect], b[aspect])
            if found:
                diffs[aspect] = found
        step = Step(
            self.scenario,
            args + ((f"[config: {config.strip()}]",) if config else ()),
            got_stock,
            ours_rc,
            f"exit {got_stock}; {scores(self.stock)}",
            f"exit {ours_rc}; {scores(self.ours)}",
            diffs,
            deliberate,
            outputs[0][-3000:],
            outputs[1][-3000:],
        )
        TABLE.append(step)
        self.steps.append(step)
        assert got_stock == stock_rc, (
            f"stock nbgrader exited {got_stock}, upstream expects {stock_rc}:\n{outputs[0]}"
        )
        for name in deliberate:
            assert name in DELIBERATE, f"undocumented deliberate difference {name!r}"
            assert DELIBERATE[name].aspects & diffs.keys(), f"{name!r} no longer differs here"
        unexplained = {k: v for k, v in diffs.items() if not _explained(k, v, deliberate)}
        assert not unexplained, _report(step)
        return step


def _explained(aspect: str, lines: list[str], names: tuple[str, ...]) -> bool:
    """Whether the named deliberate differences account for every line of ``aspect``."""
    known = [DELIBERATE[n] for n in names if n in DELIBERATE and aspect in DELIBERATE[n].aspects]
    return any(not d.lines or all(re.fullmatch(d.lines, line) for line in lines) for d in known)


def _aspects(names: tuple[str, ...]) -> set[str]:
    """The aspects (exit, export, gradebook, ...) the named deliberate differences cover."""
    return {a for name in names if name in DELIBERATE for a in DELIBERATE[name].aspects}


def _report(step: Step) -> str:
    out = io.StringIO()
    out.write(f"{step.scenario} {' '.join(step.args)}: stock and ours differ\n")
    out.write(f"  stock: {step.stock}\n  ours:  {step.ours}\n")
    for aspect, found in step.differences.items():
        out.write(f"  {aspect}:\n")
        for line in found:
            out.write(f"    {line}\n")
    out.write("--- ours output (tail) ---\n" + step.ours_output[-1500:])
    return out.getvalue()


def table_markdown(steps: list[Step]) -> str:
    """The conformance table: scenario, stock, ours, identical?"""
    lines = ["| scenario | stock | ours | identical? |", "|---|---|---|---|"]
    for s in steps:
        name = s.scenario + (f" `{' '.join(s.args)}`" if s.args else "")
        name = name.replace("\n", "; ")
        if s.identical:
            same = "yes"
        elif all(_explained(k, v, s.deliberate) for k, v in s.differences.items()):
            same = "no, on purpose: " + ", ".join(f"`{d}`" for d in s.deliberate)
        else:
            first = "; ".join(f"{k}: {v[0]}" for k, v in s.differences.items())
            same = "no: " + first.replace("|", "\\|")[:300]
        lines.append(f"| {name} | {s.stock} | {s.ours} | {same} |")
    return "\n".join(lines) + "\n"
