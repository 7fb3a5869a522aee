"""The LMS round trip's way back: grades in the CSV each LMS imports, feedback zipped for upload.

Canvas (Grades > Import) reads its own gradebook export's layout: ``Student`` ("Last, First"),
``ID`` (the Canvas user id it matches on), ``SIS User ID``, ``SIS Login ID``, ``Section``, then
one column per assignment. Moodle (Assignment > Upload grading worksheet) reads its grading
worksheet: ``Identifier`` ("Participant <id>", what it matches on), ``Full name``, ``Email
address``, ``Grade``, ``Maximum Grade``. The ids come from the roster (canvas_id, moodle_id),
the scores from the gradebook. Only current grades are exported: a student whose newest
submission has no grade, or who did not submit, gets an empty cell (the LMS leaves it as it
is), never an old score; the command lists them.

Feedback goes into a zip whose names each LMS's bulk upload matches: Moodle's download folders
(``Full Name_<id>_assignsubmission_file_/``), and Canvas's ``lastfirst_<id>_...`` file prefix.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.coursedir import Course, CourseError
from course.grading.roster import Roster, RosterStudent, name_key
from course.grading.standing import standings

LMS_NAMES = ("canvas", "moodle")


@dataclass
class ExportResult:
    """What export wrote, and who has no exported grade."""

    lms: str
    grades_csv: Path
    feedback_zip: Path | None = None
    exported: int = 0
    blank: dict[str, str] = field(default_factory=dict)  # student -> why no grade
    not_on_roster: list[str] = field(default_factory=list)
    no_lms_id: list[str] = field(default_factory=list)


def _lms_id(student: RosterStudent, lms: str) -> str:
    return student.canvas_id if lms == "canvas" else student.moodle_id


def _scores(course: Course, assignment: str) -> tuple[dict[str, float], float]:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"{assignment} is not in the gradebook: release it first") from None
        return {s.student.id: float(s.score) for s in a.submissions}, float(a.max_score)


def export_lms(
    course: Course,
    assignment: str,
    lms: str,
    roster: Roster,
    dest: Path | None = None,
) -> ExportResult:
    """Write ``<lms>-grades.csv`` and ``<lms>-feedback.zip`` for one assignment.

    ``dest`` defaults to reports/<assignment>/. Raises ValueError for an unknown ``lms``.
    """
    if lms not in LMS_NAMES:
        raise ValueError(f"lms must be one of {', '.join(LMS_NAMES)}, got {lms!r}")
    course.require_assignment(assignment)
    folder = dest or course.assignment_reports(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    found = standings(course, assignment)
    score, max_score = _scores(course, assignment)
    result = ExportResult(lms, folder / f"{lms}-grades.csv")
    rows = []
    for student in roster.students:
        lms_id = _lms_id(student, lms)
        if not lms_id:
            result.no_lms_id.append(student.student_id)
            continue
        st = found.get(student.student_id)
        grade = ""
        if st is not None and st.current and student.student_id in score:
            grade = f"{score[student.student_id]:g}"
            result.exported += 1
        else:
            result.blank[student.student_id] = st.reason if st else "no submission"
        rows.append((student, lms_id, grade))
    result.not_on_roster = sorted(set(found) - {s.student_id for s in roster.students})
    with open(result.grades_csv, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        if lms == "canvas":
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
            writer.writerow(["    Points Possible", "", "", "", "", f"{max_score:g}"])
            for s, lms_id, grade in rows:
                name = f"{s.last_name}, {s.first_name}".strip(", ")
                writer.writerow([name, lms_id, s.student_id, "", "", grade])
        else:
            writer.writerow(["Identifier", "Full name", "Email address", "Grade", "Maximum Grade"])
            for s, lms_id, grade in rows:
                full = f"{s.first_name} {s.last_name}".strip()
                writer.writerow([f"Participant {lms_id}", full, s.email, grade, f"{max_score:g}"])
    result.feedback_zip = _bundle_feedback(course, assignment, lms, rows, found, folder)
    return result


def _bundle_feedback(
    course: Course,
    assignment: str,
    lms: str,
    rows: list[tuple[RosterStudent, str, str]],
    found: dict,
    folder: Path,
) -> Path | None:
    """Zip the current feedback files under the names the LMS's bulk upload matches."""
    path = folder / f"{lms}-feedback.zip"
    added = 0
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for s, lms_id, _ in rows:
            st = found.get(s.student_id)
            if st is None or not st.current:
                continue  # no feedback for a grade that is not current
            fb = course.step_dir("feedback", s.student_id, assignment)
            for html in sorted(fb.glob("*.html")) if fb.is_dir() else []:
                if lms == "canvas":
                    prefix = name_key(s.last_name) + name_key(s.first_name)
                    arcname = f"{prefix}_{lms_id}_{html.stem}-feedback.html"
                else:
                    full = f"{s.first_name} {s.last_name}".strip() or s.student_id
                    arcname = f"{full}_{lms_id}_assignsubmission_file_/{html.stem}-feedback.html"
                zf.write(html, arcname)
                added += 1
    if not added:
        tmp.unlink()
        return None
    tmp.replace(path)
    return path


def format_export(result: ExportResult) -> str:
    """What export wrote, and every student without an exported grade, with why."""
    lines = [f"{result.lms}: {result.exported} grade(s) in {result.grades_csv}"]
    if result.feedback_zip:
        lines.append(f"  feedback for upload: {result.feedback_zip}")
    else:
        lines.append("  no feedback files to bundle (run `kosovo-course feedback` first)")
    for student, why in sorted(result.blank.items()):
        lines.append(f"  ! {student}: left empty ({why})")
    if result.no_lms_id:
        lines.append(
            f"  ! no {result.lms}_id in the roster (not exported): {', '.join(result.no_lms_id)}"
        )
    if result.not_on_roster:
        lines.append(f"  ! graded but not on the roster: {', '.join(result.not_on_roster)}")
    return "\n".join(lines)
