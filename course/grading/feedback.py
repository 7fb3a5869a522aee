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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading import engine
from course.grading.coursedir import Course
from course.grading.solutions import (
    Secret,
    hidden_test_regions,
    html_text,
    leaked,
    notebook_secrets,
    notebook_text,
)


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

            if not utils.is_grade(cell) or utils.is_solution(cell):
                return cell, resources  # student-written text, whatever it contains
            hidden = [
                ln.strip()
                for r in hidden_test_regions(str(cell.source))
                for ln in r.splitlines()
                if ln.strip()
            ]
            try:
                removed = self._remove_hidden_test_region(cell)
            except RuntimeError:  # unbalanced delimiters: hide the whole test cell's code
                cell.source = "# (test code hidden)"
                removed = True
            if removed and cell.cell_type == "code":
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        # IPython tracebacks quote the failing source line: keep only the message.
                        out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
                    elif "text" in out and hidden:
                        text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                        out["text"] = "\n".join(
                            ln for ln in text.splitlines() if ln.strip() not in hidden
                        )
            return cell, resources

    return RedactHiddenTests


@dataclass
class FeedbackResult:
    """The feedback files written and any leak found (and removed)."""

    assignment: str
    files: list[Path] = field(default_factory=list)
    leaks: dict[str, list[str]] = field(default_factory=dict)  # file -> leaked lines
    error: str = ""

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
    path = course.step_dir("submitted", student, assignment) / f"{notebook}.ipynb"
    try:
        return notebook_text(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
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


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> FeedbackResult:
    """Generate and check feedback for every autograded student (or only ``students``)."""
    course.require_assignment(assignment)
    result = FeedbackResult(assignment)
    cfg = feedback_config(course.config)
    with engine.kernel_output_to() as log:
        for student in students or ["*"]:
            run = engine.generate_feedback(cfg, assignment, student, force=True)
            if not run.success:
                result.error = (run.error.strip().splitlines() or ["failed"])[-1]
    Path(log).unlink(missing_ok=True)
    secrets = notebook_secrets(course.step_dir("source", assignment=assignment))
    base = course.step_dir("feedback")
    for html in sorted(base.glob(f"*/{assignment}/*.html")):
        student = html.parent.parent.name
        if students and student not in students:
            continue
        found = check_feedback(course, assignment, html, student, secrets)
        if found:
            result.leaks[str(html)] = found
            html.unlink()
        else:
            result.files.append(html)
    return result


def format_feedback(result: FeedbackResult, course: Course) -> str:
    """A short report of the feedback run."""
    lines = [
        f"{result.assignment}: {len(result.files)} feedback file(s) in "
        f"{course.step_dir('feedback')}"
    ]
    if result.error:
        lines.append(f"  ! nbgrader generate_feedback: {result.error}")
    for path, found in result.leaks.items():
        lines.append(f"  ! removed {path}: it showed {len(found)} secret line(s)")
        lines += [f"      {x}" for x in found[:5]]
    if result.ok:
        lines.append("  checked: no hidden tests or solutions in any file")
    return "\n".join(lines)
