"""The adversarial corpus: bad submissions of a real assignment, each with its expected outcome.

Each ``Kind`` turns the answer key and the blank release of a notebook (nbformat 4 dicts) into
the files one student hands in (name -> bytes), and says what ``kosovo-course grade`` must do
with it: the autograded score in the gradebook (a number, ``"full"``, or ``None`` when the
submission must not be merged at all) and the flag kinds that ``flags.csv`` must hold for that
student (an empty set: no flag). The batch must go on for every kind. docs/guide/hardening.md
explains each row.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Notebook = dict[str, Any]
Files = dict[str, bytes]
Maker = Callable[[Notebook, Notebook, str, "Context"], Files]


@dataclass(frozen=True)
class Context:
    """What a hostile notebook may know about the machine: the real course's folder, the
    folder the grading run imports ``course`` from, and a classmate's id."""

    course_root: Path
    package: Path  # <package>/course is the library the grading process runs
    victim: str  # a student graded later, whose submitted files some kinds rewrite
    graded_first: str  # a student already merged when the hostile kinds run


# Students the class also holds (see test_adversarial.py).
VICTIM = "v-victim"
GRADED_FIRST = "a-key"


@dataclass(frozen=True)
class Kind:
    """One kind of bad submission and what grading must make of it."""

    name: str
    make: Maker
    score: float | str | None  # a number, "full", or None: not merged (no gradebook row)
    flags: frozenset[str] = field(default_factory=frozenset)
    batch_continues: bool = True
    why: str = ""


def _meta(cell: dict[str, Any]) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def _src(cell: dict[str, Any]) -> str:
    s = cell.get("source", "")
    return s if isinstance(s, str) else "".join(s)


def _is_test(cell: dict[str, Any]) -> bool:
    m = _meta(cell)
    return cell.get("cell_type") == "code" and bool(m.get("grade")) and not m.get("solution")


def _dump(nb: Notebook) -> bytes:
    return json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")


def _one(name: str, nb: Notebook) -> Files:
    return {f"{name}.ipynb": _dump(nb)}


def _prepend(nb: Notebook, grade_id: str, code: str) -> Notebook:
    """The notebook with ``code`` run at the top of the solution cell ``grade_id``."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if _meta(cell).get("grade_id") == grade_id:
            cell["source"] = code.rstrip("\n") + "\n" + _src(cell)
            return nb
    raise KeyError(grade_id)


def _tests(nb: Notebook, edit: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Notebook:
    """Apply ``edit`` to every autograded test cell (None deletes it)."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb["cells"]:
        if _is_test(cell):
            cell = edit(cell)
        if cell is not None:
            cells.append(cell)
    nb["cells"] = cells
    return nb


def _set_source(text: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def edit(cell: dict[str, Any]) -> dict[str, Any]:
        cell["source"] = text
        return cell

    return edit


def _to_markdown(cell: dict[str, Any]) -> dict[str, Any]:
    return {
        "cell_type": "markdown",
        "id": cell.get("id"),
        "metadata": cell["metadata"],
        "source": _src(cell),
    }


def _points(cell: dict[str, Any]) -> dict[str, Any]:
    cell["metadata"]["nbgrader"]["points"] = 100
    return cell


def _duplicate_first_test(nb: Notebook) -> Notebook:
    nb = copy.deepcopy(nb)
    i = next(i for i, c in enumerate(nb["cells"]) if _is_test(c))
    twin = copy.deepcopy(nb["cells"][i])
    twin["id"] = twin["id"] + "-copy"
    nb["cells"].insert(i + 1, twin)
    return nb


def _same_ids(nb: Notebook) -> Notebook:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["id"] = "same"
    return nb


def _strip_nbgrader(nb: Notebook) -> Notebook:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("nbgrader", None)
    return nb


def _v3(nb: Notebook) -> bytes:
    import nbformat

    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["source"] = _src(cell)
    node = nbformat.from_dict(nb)
    return nbformat.writes(nbformat.convert(node, 3), version=3).encode("utf-8")


def _cp1252(nb: Notebook) -> bytes:
    nb = copy.deepcopy(nb)
    nb["cells"][0]["source"] = _src(nb["cells"][0]) + "\n\nPriština, Kosovo – Srbija"
    return json.dumps(nb, indent=1, ensure_ascii=False).encode("cp1252", errors="replace")


# Student code used by several kinds. The first solution cell of 01-sourcing is a1-1.
PATCH_CHECK = 'check = check_hidden = lambda *args, **kwargs: print("✓ (patched)")'
PATCH_DIGEST = (
    "import course.checks.core as _core\n"
    "_core.expect_digest = lambda *args, **kwargs: None\n"
    "_core.digest = lambda *args, **kwargs: 'same'"
)
PATCH_SHOWTRACEBACK = "get_ipython().showtraceback = lambda *args, **kwargs: None"
PATCH_CUSTOM_EXC = "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)"


def _kinds() -> list[Kind]:
    def key_with(grade_id: str, code: str) -> Maker:
        return lambda key, blank, name, ctx: _one(name, _prepend(key, grade_id, code))

    def blank_with(grade_id: str, code: str) -> Maker:
        return lambda key, blank, name, ctx: _one(name, _prepend(blank, grade_id, code))

    sus = frozenset({"suspicious-code"})
    return [
        Kind(
            "test-cell-pass",
            lambda key, blank, name, ctx: _one(name, _tests(blank, _set_source("pass"))),
            0,
            why="nbgrader puts locked test cells back from the gradebook before running",
        ),
        Kind(
            "test-cell-emptied",
            lambda key, blank, name, ctx: _one(name, _tests(blank, _set_source(""))),
            0,
            why="as above: the test cell's source is restored",
        ),
        Kind(
            "test-cells-deleted",
            lambda key, blank, name, ctx: _one(name, _tests(blank, lambda c: None)),
            0,
            why="OverwriteCells.add_missing_cells puts deleted test cells back",
        ),
        Kind(
            "test-cell-to-markdown",
            lambda key, blank, name, ctx: _one(name, _tests(blank, _to_markdown)),
            0,
            why="nbgrader restores the cell type of a locked cell",
        ),
        Kind(
            "points-inflated",
            lambda key, blank, name, ctx: _one(name, _tests(key, _points)),
            "full",
            why="points come from the gradebook, not from the submitted metadata",
        ),
        Kind(
            "grade-cell-duplicated",
            lambda key, blank, name, ctx: _one(name, _duplicate_first_test(key)),
            0,
            frozenset({"autograde-failed"}),
            why="nbgrader's autograde stops on a second cell with the same grade id (stock "
            "nbgrader too): remove the copy and regrade with --force",
        ),
        Kind(
            "cell-ids-duplicated",
            lambda key, blank, name, ctx: _one(name, _same_ids(key)),
            "full",
            why="cells are matched by nbgrader grade id, not by cell id",
        ),
        Kind(
            "nbgrader-metadata-stripped",
            lambda key, blank, name, ctx: _one(name, _strip_nbgrader(key)),
            0,
            frozenset({"autograde-failed"}),
            why="nbgrader cannot match solution cells without their metadata and stops (stock "
            "nbgrader too): copy the answers into a fresh release and regrade",
        ),
        Kind(
            "notebook-renamed",
            lambda key, blank, name, ctx: {f"{name} (1).ipynb": _dump(key)},
            0,
            frozenset({"missing-notebook", "unknown-notebook", "autograde-failed"}),
            why="nbgrader grades only the expected file name; rename it and regrade",
        ),
        Kind(
            "notebook-missing",
            lambda key, blank, name, ctx: {},
            None,
            frozenset({"missing-notebook", "autograde-failed"}),
            why="nothing to grade: nbgrader stops, so there is no gradebook row (stock "
            "nbgrader too); the flags say why",
        ),
        Kind(
            "extra-notebooks",
            lambda key, blank, name, ctx: {
                **_one(name, key),
                "scratch.ipynb": _dump(blank),
                "Untitled.ipynb": _dump(blank),
            },
            "full",
            frozenset({"unknown-notebook"}),
            why="extra notebooks are ignored and listed",
        ),
        Kind(
            "nbformat-v3",
            lambda key, blank, name, ctx: {f"{name}.ipynb": _v3(key)},
            "full",
            why="nbgrader upgrades nbformat 3 itself; no flag (the pre-check used to call it "
            "invalid)",
        ),
        Kind(
            "empty-file",
            lambda key, blank, name, ctx: {f"{name}.ipynb": b""},
            0,
            frozenset({"invalid-json"}),
            why="not JSON",
        ),
        Kind(
            "invalid-json",
            lambda key, blank, name, ctx: {f"{name}.ipynb": _dump(key)[:5000]},
            0,
            frozenset({"invalid-json"}),
            why="a download cut short",
        ),
        Kind(
            "non-utf8",
            lambda key, blank, name, ctx: {f"{name}.ipynb": _cp1252(key)},
            0,
            frozenset({"invalid-json"}),
            why="a notebook saved as cp1252 is not valid UTF-8 JSON",
        ),
        Kind(
            "endless-loop",
            key_with("a1-3", "while True:\n    pass"),
            10,
            frozenset({"timeout"}),
            why="Execute.timeout interrupts the cell; the rest of the notebook runs",
        ),
        Kind(
            "kernel-crash",
            key_with("a1-10", "import os\nos._exit(1)"),
            0,
            frozenset({"kernel-died", "suspicious-code"}),
            why="a dead kernel stops nbgrader's autograde: every test scores 0 (stock nbgrader "
            "too); the scan names the cell",
        ),
        Kind(
            "system-exit",
            key_with("a1-3", "raise SystemExit(1)"),
            10,
            why="IPython turns SystemExit into an error in that cell; answer_1_3 is never set",
        ),
        Kind(
            "input",
            key_with("a1-3", 'name = input("Your name? ")'),
            10,
            why="the grading kernel has no stdin: input() raises in that cell",
        ),
        Kind(
            "huge-output",
            key_with("a1-3", 'print("x" * 50_000_000)'),
            "full",
            why="nbgrader's LimitOutput keeps the first lines; the cell itself succeeds",
        ),
        Kind(
            "deep-recursion",
            key_with("a1-3", "def down(n):\n    return down(n + 1)\ndown(0)"),
            10,
            why="RecursionError in that cell; the kernel survives",
        ),
        Kind(
            "stderr-in-solution",
            key_with("a1-3", 'import sys\nprint("warning: just a note", file=sys.stderr)'),
            "full",
            why="stderr in a solution cell is not graded; only test cells are",
        ),
        Kind(
            "check-replaced",
            blank_with("a1-1", PATCH_CHECK),
            "full",
            sus,
            why="cannot be prevented: the rebound check passes every test cell; detected by "
            "the static scan",
        ),
        Kind(
            "digest-patched",
            blank_with("a1-1", PATCH_DIGEST),
            0,
            sus,
            why="the checks hold their own references; patching the module does not help",
        ),
        Kind(
            "showtraceback-patched",
            blank_with("a1-1", PATCH_SHOWTRACEBACK),
            0,
            sus,
            why="nbgrader reads the kernel's error status, not only the traceback it prints",
        ),
        Kind(
            "custom-exc",
            blank_with("a1-1", PATCH_CUSTOM_EXC),
            0,
            sus,
            why="as above: a swallowed exception still ends the cell in error",
        ),
        Kind(
            "gradebook-deleted",
            lambda key, blank, name, ctx: _one(
                name,
                _prepend(
                    key,
                    "a1-1",
                    f"import os\nos.remove({str(ctx.course_root / 'gradebook.db')!r})",
                ),
            ),
            10,
            sus,
            why="blocked: the sandbox shows no gradebook (FileNotFoundError in that cell, whose "
            "test then fails); the scan names the cell",
        ),
        Kind(
            "library-copy-rewritten",
            key_with(
                "a1-1",
                "import course, pathlib\n"
                "core = pathlib.Path(course.__file__).parent / 'checks' / 'core.py'\n"
                "core.write_text(core.read_text() + '\\nTAMPERED = True\\n')",
            ),
            10,
            sus,
            why="blocked: the library the kernel imports is bound read-only (OSError in that "
            "cell, whose test then fails)",
        ),
        Kind(
            "installed-library-rewritten",
            lambda key, blank, name, ctx: _one(
                name,
                _prepend(
                    key,
                    "a1-1",
                    f"open({str(ctx.package / 'course' / 'checks' / 'core.py')!r}, 'a')"
                    ".write('\\nTAMPERED = True\\n')",
                ),
            ),
            10,
            why="blocked: the installed package does not exist in the sandbox "
            "(FileNotFoundError in that cell, whose test then fails)",
        ),
        Kind(
            "other-submission-rewritten",
            lambda key, blank, name, ctx: _one(
                name,
                _prepend(
                    key,
                    "a1-1",
                    "import pathlib\n"
                    f"for p in pathlib.Path({str(ctx.course_root / 'submitted' / ctx.victim)!r})"
                    ".rglob('*.ipynb'):\n"
                    "    p.write_text('{}')",
                ),
            ),
            "full",
            why="blocked: the course folder does not exist in the sandbox, so the loop finds "
            "no file; the classmate's files are untouched",
        ),
        Kind(
            "other-autograded-rewritten",
            lambda key, blank, name, ctx: _one(
                name,
                _prepend(
                    key,
                    "a1-1",
                    "import os, pathlib\n"
                    "for p in pathlib.Path("
                    f"{str(ctx.course_root / 'autograded' / ctx.graded_first)!r}"
                    ").rglob('*.ipynb'):\n"
                    "    os.chmod(p, 0o644)\n"
                    "    p.write_text('{}')",
                ),
            ),
            "full",
            why="blocked, as above: no other student's autograded folder exists in the sandbox",
        ),
        Kind(
            "ipython-startup-file",
            key_with(
                "a1-1",
                "import pathlib\n"
                "startup = pathlib.Path(get_ipython().profile_dir.startup_dir)\n"
                "startup.mkdir(parents=True, exist_ok=True)\n"
                "(startup / '00-pass.py').write_text("
                "'import course.checks\\ncourse.checks.check = lambda *a, **k: None\\n')",
            ),
            "full",
            sus,
            why="the kernel's IPython folder is in its private /tmp, gone with the kernel: a "
            "start-up file there runs in no other student's kernel",
        ),
    ]


KINDS: list[Kind] = _kinds()
