"""``kosovo-course release``: generate the student version of each assignment, then prove it.

Three checks per assignment, all on real nbgrader output:
1. the source notebook, autograded as if a student had submitted it, passes every autograded
   test cell;
2. the blank release, autograded the same way, passes none of them (score 0);
3. no solution line and no hidden-test line of the source appears in the release.
Autograding happens in a scratch course (config, source, release, gradebook snapshot), so the
real ``submitted/``, ``autograded/`` and gradebook never see the two check students.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from course.grading import engine
from course.grading.coursedir import Course, CourseError
from course.grading.scratch import (
    GRADEBOOK,
    build_template,
    relative_step,
    scratch_config,
    tree_digest,
)
from course.grading.solutions import leaked, notebook_secrets, notebook_text

SOLUTION_STUDENT = "release-check-solution"
BLANK_STUDENT = "release-check-blank"


@dataclass
class CellResult:
    """One autograded test cell in a check run."""

    notebook: str
    grade_id: str
    score: float | None
    max_score: float
    error: str = ""


@dataclass
class ReleaseReport:
    """What release did for one assignment and what the checks found."""

    assignment: str
    generated: bool = False
    verified: bool = False
    solution: list[CellResult] = field(default_factory=list)
    blank: list[CellResult] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    affected: list[str] = field(default_factory=list)  # graded against an earlier version
    due: datetime | None = None  # the due date recorded by this release

    @property
    def ok(self) -> bool:
        """Whether the release was generated and every check that ran passed."""
        return self.generated and not self.problems


def release_digest(course: Course, assignment: str) -> str:
    """One digest of what grading depends on: the source (tests, points) and the release.

    A student graded under another digest was graded against an earlier version. The grading
    core records it per student (StudentState.release_digest) from this same function.
    """
    import hashlib

    h = hashlib.sha256()
    for step in ("source", "release"):
        h.update(tree_digest(course.step_dir(step, assignment=assignment)).encode())
    return h.hexdigest()


def affected_by_release(course: Course, assignment: str, digest: str) -> list[str]:
    """Students whose recorded grade was computed against another version of the assignment.

    Reads each student's grading state (course.grading.state.load_state); a graded state with
    no recorded version predates version tracking and counts as affected.
    """
    from course.grading.state import load_state, state_dir

    reports = course.assignment_reports(assignment)
    affected = []
    for path in sorted(state_dir(reports).glob("*.json")):
        state = load_state(reports, path.stem)
        if state is not None and state.status == "graded" and state.release_digest != digest:
            affected.append(state.student)
    return affected


def first_error_line(cell: dict) -> str:
    """The first line of an error shown by a cell ("AssertionError: message"), or ""."""
    for out in cell.get("outputs", []) or []:
        if out.get("output_type") == "error":
            value = str(out.get("evalue", "")).strip().splitlines()
            return f"{out.get('ename', 'Error')}: {value[0] if value else ''}".strip().rstrip(":")
    return ""


def _check_run(
    course_cfg,
    scratch: Path,
    assignment: str,
    student: str,
    files: list[Path],
    dirs: dict[str, str],
) -> tuple[list[CellResult], str]:
    dest = scratch / dirs["submitted"] / student / assignment
    dest.mkdir(parents=True)
    for path in files:
        shutil.copy(path, dest / path.name)
    run = engine.autograde(scratch_config(course_cfg, scratch), assignment, student)
    if not run.success:
        return [], (run.error.strip().splitlines() or ["autograde failed"])[-1]
    from nbgrader.api import Gradebook

    errors: dict[tuple[str, str], str] = {}
    out_dir = scratch / dirs["autograded"] / student / assignment
    for nb_path in out_dir.glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                errors[(nb_path.stem, gid)] = first_error_line(cell)
    cells = []
    with Gradebook(f"sqlite:///{scratch / GRADEBOOK}") as gb:
        sub = gb.find_submission(assignment, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                cell = grade.cell
                if cell.cell_type != "code" or _is_solution(gb, nb.name, assignment, cell.name):
                    continue  # manually graded answers have no automatic score
                cells.append(
                    CellResult(
                        nb.name,
                        cell.name,
                        grade.auto_score,
                        grade.max_score,
                        errors.get((nb.name, cell.name), ""),
                    )
                )
    return cells, ""


def _is_solution(gb, notebook: str, assignment: str, name: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_solution_cell(name, notebook, assignment)
    except MissingEntry:
        return False
    return True


def verify_release(course: Course, assignment: str, report: ReleaseReport) -> None:
    """Run the three checks on a freshly generated release; record problems in ``report``."""
    source = course.step_dir("source", assignment=assignment)
    release_dir = course.step_dir("release", assignment=assignment)
    secrets = notebook_secrets(source)
    for path in sorted(release_dir.glob("*.ipynb")):
        text = notebook_text(json.loads(path.read_text(encoding="utf-8")))
        for s in leaked([x for x in secrets if x.notebook == path.stem], text):
            report.leaks.append(f"{path.name} [{s.grade_id}] {s.kind}: {s.line}")
    if report.leaks:
        report.problems.append(f"{len(report.leaks)} solution/hidden-test line(s) in the release")

    dirs = {s: relative_step(course, s) for s in ("source", "release", "submitted", "autograded")}
    with tempfile.TemporaryDirectory(prefix="kosovo-release-") as tmp:
        scratch = Path(tmp)
        build_template(course, assignment, scratch)
        report.solution, err = _check_run(
            course.config,
            scratch,
            assignment,
            SOLUTION_STUDENT,
            sorted(source.glob("*.ipynb")),
            dirs,
        )
        if err:
            report.problems.append(f"the source notebook could not be autograded: {err}")
        report.blank, err = _check_run(
            course.config,
            scratch,
            assignment,
            BLANK_STUDENT,
            sorted(release_dir.glob("*.ipynb")),
            dirs,
        )
        if err:
            report.problems.append(f"the blank release could not be autograded: {err}")
    for c in report.solution:
        if c.score != c.max_score:
            report.problems.append(
                f"solution fails {c.notebook}/{c.grade_id} ({c.score}/{c.max_score})"
                + (f": {c.error}" if c.error else "")
            )
    for c in report.blank:
        if c.score:
            report.problems.append(
                f"blank release passes {c.notebook}/{c.grade_id} ({c.score}/{c.max_score}): "
                "the test does not need the student's answer"
            )
    if not report.solution and not report.problems:
        report.problems.append("no autograded test cells found")
    report.verified = True


def release(
    course: Course,
    assignments: list[str] | None = None,
    *,
    verify: bool = True,
    due: datetime | None = None,
) -> list[ReleaseReport]:
    """Generate (with --force) and optionally verify the given assignments (default: all).

    ``due`` (aware datetime) is recorded as each assignment's due date in the gradebook.
    """
    names = assignments or course.assignments()
    if not names:
        raise CourseError(f"No assignments in {course.step_dir('source')}.")
    for name in names:
        course.require_assignment(name)
    reports = []
    with engine.kernel_output_to() as kernel_log:
        for name in names:
            reports.append(_release_one(course, name, verify))
            if due is not None and reports[-1].generated:
                from course.grading.late import set_due_date

                set_due_date(course, name, due)
                reports[-1].due = due
    Path(kernel_log).unlink(missing_ok=True)
    return reports


def _release_one(course: Course, name: str, verify: bool) -> ReleaseReport:
    """Generate one assignment and, if asked, verify it."""
    report = ReleaseReport(name)
    from course.grading.locked import release_config

    result = engine.generate_assignment(release_config(course.config), name, force=True)
    report.generated = result.success
    if not result.success:
        last = (result.error.strip().splitlines() or ["unknown error"])[-1]
        report.problems.append(f"nbgrader generate_assignment failed: {last}")
        for line in result.log.splitlines():
            if "RuntimeError" in line or "ERROR" in line:
                report.problems.append("  " + line.strip())
                break
    elif verify:
        verify_release(course, name, report)
    if report.generated:
        report.affected = affected_by_release(course, name, release_digest(course, name))
    return report


def format_report(reports: list[ReleaseReport]) -> str:
    """A readable per-assignment summary of release and its checks."""
    lines = []
    for r in reports:
        status = "OK" if r.ok else "FAILED"
        lines.append(f"{r.assignment}: {status}")
        if r.generated:
            lines.append("  generated release/" + r.assignment)
        if r.due is not None:
            lines.append(f"  due date: {r.due:%Y-%m-%d %H:%M} UTC")
        if r.verified:
            n = len(r.solution)
            passed = sum(1 for c in r.solution if c.score == c.max_score)
            zero = sum(1 for c in r.blank if not c.score)
            lines.append(f"  solution passes {passed}/{n} autograded test cells")
            lines.append(f"  blank release fails {zero}/{len(r.blank)} autograded test cells")
            lines.append(f"  leak check: {len(r.leaks)} solution/hidden-test line(s) found")
        if r.affected:
            lines.append(
                f"  ! {len(r.affected)} graded submission(s) were graded against an earlier "
                f"version and are no longer current: run `kosovo-course grade {r.assignment}` "
                "to regrade them"
            )
        elif r.generated:
            lines.append("  graded submissions affected: 0")
        for p in r.problems:
            lines.append(f"  ! {p}")
        for leak in r.leaks[:10]:
            lines.append(f"    {leak}")
    return "\n".join(lines)
