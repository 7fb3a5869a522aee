"""``kosovo-course feedback``: nbgrader's feedback HTML, with hidden tests kept hidden.

nbgrader's GenerateFeedback renders the autograded notebook, whose test cells were restored
from the gradebook *with* their hidden tests, and it has no ClearHiddenTests step (nbgrader
issue #917): every student would read the hidden tests. The feedback run here adds
:class:`RedactHiddenTests` to GenerateFeedback's preprocessors (through config, so nbgrader
still does the rendering), then reads every HTML file back and checks that no hidden-test line
and no solution line the student did not write themselves is in it. A file that still leaks is
deleted and reported, so it cannot be released by mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading import engine
from course.grading.coursedir import Course
from course.grading.globids import needs_alias
from course.grading.marking import is_rubric_note
from course.grading.solutions import (
    Secret,
    html_text,
    leaked,
    multiline_text,
    notebook_secrets,
    notebook_text,
)

# The one line a passing visible check prints ("✓ Question 1.5 (`words_per_paragraph`): ...").
_VERDICT = re.compile(r"^✓ Question [\w.]+ \(")
HIDDEN_OUTPUT_NOTE = (
    "(other output of this test cell is hidden: it can show the hidden test's inputs)"
)


def redact_outputs(outputs: list[Any]) -> list[Any]:
    """The outputs of a test cell with hidden tests, as a student may see them.

    The hidden test calls the student's code on inputs the student must not see, and anything
    that code prints or shows (a debug print of its argument, nbgrader#917/#1156/#1363) lands
    in this cell's output. So only the visible check's verdict lines and the error's one-line
    message are kept; everything else is replaced by a note saying it was hidden.
    """
    kept: list[Any] = []
    hidden = False
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = multiline_text(out.get("text", ""))
            lines = text.splitlines()
            verdicts = [ln for ln in lines if _VERDICT.match(ln)]
            hidden = hidden or len(verdicts) < len([ln for ln in lines if ln.strip()])
            if verdicts:
                out["text"] = "\n".join(verdicts) + "\n"
                kept.append(out)
        elif kind == "error":
            # IPython tracebacks quote the failing source line: keep only the message.
            out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
            kept.append(out)
        else:
            hidden = True  # displays and results of the student's code
    if hidden:
        from nbformat.v4 import new_output

        kept.insert(0, new_output("stream", name="stdout", text=HIDDEN_OUTPUT_NOTE + "\n"))
    return kept


def _redactor_class() -> type:
    """RedactHiddenTests, built lazily so importing this module does not import nbgrader."""
    from nbgrader.preprocessors import ClearHiddenTests
    from traitlets import Bool

    class RedactHiddenTests(ClearHiddenTests):
        """Remove hidden tests from test cells and from the tracebacks they produced."""

        # Only test cells are redacted, so nbgrader's metadata check has nothing to guard.
        enforce_metadata = Bool(False).tag(config=True)

        def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
            """Redact one test cell; every other cell is the student's and stays as it is."""
            from nbgrader import utils

            if utils.is_solution(cell):
                meta = cell.metadata.get("nbgrader", {})
                if is_rubric_note(meta.get("comment")):
                    meta["comment"] = None  # the marker's rubric (marking.py), not feedback
                return cell, resources  # student-written text, whatever it contains
            if not utils.is_grade(cell):
                return cell, resources
            try:
                removed = self._remove_hidden_test_region(cell)
            except RuntimeError:  # unbalanced delimiters: hide the whole test cell's code
                cell.source = "# (test code hidden)"
                removed = True
            if removed and cell.cell_type == "code":
                cell["outputs"] = redact_outputs(cell.get("outputs", []))
            return cell, resources

    return RedactHiddenTests


@dataclass
class FeedbackResult:
    """The feedback files written and any leak found (and removed)."""

    assignment: str
    files: list[Path] = field(default_factory=list)
    leaks: dict[str, list[str]] = field(default_factory=dict)  # file -> leaked lines
    error: str = ""
    withdrawn: dict[str, str] = field(default_factory=dict)  # student -> why no feedback
    unmarked: dict[str, int] = field(default_factory=dict)  # student -> written answers unmarked

    @property
    def ok(self) -> bool:
        """Whether feedback was generated and nothing leaked."""
        return not self.error and not self.leaks


def feedback_config(config: Any) -> Any:
    """The course config plus the hidden-test redaction step in GenerateFeedback."""
    import copy

    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    cfg = copy.deepcopy(config)
    configured = cfg.GenerateFeedback.get("preprocessors")
    steps = list(configured) if configured else [GetGrades, CSSHTMLHeaderPreprocessor]
    steps.insert(1, _redactor_class())  # after GetGrades (it reads cell ids), before rendering
    cfg.GenerateFeedback.preprocessors = steps
    return cfg


def _own_text(course: Course, student: str, assignment: str, notebook: str) -> str:
    import nbformat

    path = course.step_dir("submitted", student, assignment) / f"{notebook}.ipynb"
    try:
        # Every format nbgrader accepts (nbformat 3 has worksheets, not cells): read as v4.
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        return notebook_text(nb)
    except Exception:  # unreadable: nothing counts as the student's own text
        return ""


def check_feedback(
    course: Course, assignment: str, html: Path, student: str, secrets: list[Secret]
) -> list[str]:
    """Secret lines in one feedback file that the student did not write themselves."""
    text = html_text(html.read_text(encoding="utf-8"))
    own = _own_text(course, student, assignment, html.stem)
    found = []
    for s in leaked([x for x in secrets if x.notebook == html.stem], text):
        # A student who wrote the model answer sees it in their feedback: their own work.
        if s.kind == "solution" and s.line in own:
            continue
        found.append(f"[{s.grade_id}] {s.kind}: {s.line}")
    return found


def unmarked_answers(course: Course, assignment: str) -> dict[str, int]:
    """Student -> number of written (manually graded) answers not marked yet in formgrader."""
    from nbgrader.api import MissingEntry

    counts: dict[str, int] = {}
    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        for sub in a.submissions:
            n = sum(
                1
                for nb in sub.notebooks
                for g in nb.grades
                if g.needs_manual_grade and g.cell.cell_type == "markdown"
            )
            if n:
                counts[sub.student.id] = n
    return counts


def _autograded(course: Course, assignment: str) -> set[str]:
    base = course.step_dir("autograded")
    if not base.is_dir():
        return set()
    return {p.name for p in base.iterdir() if (p / assignment).is_dir()}


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> FeedbackResult:
    """Generate and check feedback for every autograded student (or only ``students``).

    A student whose newest submission has no current grade (it could not be graded, or came
    after grading) gets no feedback, and any earlier feedback is withdrawn (deleted), so the
    old score is never released as the grade of the newer work. Raises CourseError before
    grading, and for a student with no graded submission.
    """
    from course.grading.coursedir import CourseError
    from course.grading.standing import standings

    course.require_assignment(assignment)
    graded = _autograded(course, assignment)
    if not graded:
        raise CourseError(
            f"No graded submissions of {assignment} yet: run `kosovo-course grade {assignment}` "
            "first, then feedback."
        )
    unknown = sorted(set(students or []) - graded)
    if unknown:
        raise CourseError(
            f"No graded submission of {assignment} for: {', '.join(unknown)} (check the id, or "
            f"run `kosovo-course grade {assignment} --student ID` first)."
        )
    result = FeedbackResult(assignment)
    wanted = set(students) if students else graded
    for sid, st in standings(course, assignment).items():
        # Also students whose failed submission left no autograded folder: their old
        # feedback must go all the same.
        if (not students or sid in wanted) and not st.current and st.status != "missing":
            result.withdrawn[sid] = st.reason
    cfg = feedback_config(course.config)
    # nbgrader's globs cannot find ids like "x[1]": those run one by one under an alias.
    aliased = sorted(s for s in wanted if needs_alias(s))
    if students:
        plain = [s for s in students if not needs_alias(s)]
    else:
        plain = ["*"] if graded - set(aliased) else []  # "*": every student nbgrader can glob
    with engine.kernel_output_to() as log:
        for student in plain:
            run = engine.generate_feedback(cfg, assignment, student, force=True)
            if not run.success:
                result.error = (run.error.strip().splitlines() or ["failed"])[-1]
        for student in aliased:
            error = _aliased_feedback(course, cfg, assignment, student)
            if error:
                result.error = f"{student}: {error}"
    Path(log).unlink(missing_ok=True)
    for sid in result.withdrawn:
        withdraw_feedback(course, assignment, sid)
    secrets = notebook_secrets(course.step_dir("source", assignment=assignment))
    base = course.step_dir("feedback")
    for student_dir in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        student = student_dir.name
        if student not in wanted or student in result.withdrawn:
            continue
        for html in sorted((student_dir / assignment).glob("*.html")):
            found = check_feedback(course, assignment, html, student, secrets)
            if found:
                result.leaks[str(html)] = found
                html.unlink()
            else:
                result.files.append(html)
    result.unmarked = {s: n for s, n in unmarked_answers(course, assignment).items() if s in wanted}
    return result


def _aliased_feedback(course: Course, cfg: Any, assignment: str, student: str) -> str:
    """Feedback for a student id nbgrader cannot glob (``x[1]``), made in a scratch copy.

    The gradebook is copied, the student's submission given to a plain alias there, nbgrader's
    GenerateFeedback run for the alias, and the HTML moved to the real student's folder.
    Returns "" or the reason it failed.
    """
    import shutil
    import tempfile

    from course.grading.globids import alias, move_submission, replace_dir
    from course.grading.gradebook import snapshot_gradebook
    from course.grading.scratch import GRADEBOOK, relative_step, scratch_config

    stand_in = alias(student)
    with tempfile.TemporaryDirectory(prefix="kosovo-feedback-") as tmp:
        root = Path(tmp)
        snapshot_gradebook(course.db_url, root / GRADEBOOK)
        db = f"sqlite:///{root / GRADEBOOK}"
        move_submission(db, course.course_id, assignment, student, stand_in)
        shutil.copytree(
            course.step_dir("autograded", student, assignment),
            root / relative_step(course, "autograded") / stand_in / assignment,
        )
        run = engine.generate_feedback(scratch_config(cfg, root), assignment, stand_in)
        out = root / relative_step(course, "feedback") / stand_in / assignment
        if not (run.success and out.is_dir()):
            return (run.error.strip().splitlines() or ["generate_feedback failed"])[-1]
        replace_dir(out, course.step_dir("feedback", student, assignment))
    return ""


def withdraw_feedback(course: Course, assignment: str, student: str) -> None:
    """Delete a student's feedback files for an assignment (they describe an old grade)."""
    folder = course.step_dir("feedback", student, assignment)
    for path in folder.glob("*.html") if folder.is_dir() else []:
        path.unlink()


def format_feedback(result: FeedbackResult, course: Course) -> str:
    """A short report of the feedback run."""
    lines = [
        f"{result.assignment}: {len(result.files)} feedback file(s) in "
        f"{course.step_dir('feedback')}"
    ]
    if result.error:
        lines.append(f"  ! nbgrader generate_feedback: {result.error}")
    for student, why in sorted(result.withdrawn.items()):
        lines.append(f"  ! no feedback for {student} (any earlier feedback withdrawn): {why}")
    if result.unmarked:
        total = sum(result.unmarked.values())
        lines.append(
            f"  ! {total} written answer(s) of {len(result.unmarked)} student(s) are not marked "
            "yet; their feedback shows no score for them. Mark them in formgrader, then run "
            "feedback again before releasing it."
        )
    for path, found in result.leaks.items():
        lines.append(f"  ! removed {path}: it showed {len(found)} secret line(s)")
        lines += [f"      {x}" for x in found[:5]]
    if result.ok:
        lines.append("  checked: no hidden tests or solutions in any file")
    return "\n".join(lines)
