"""``kosovo-course collect``: an LMS download into nbgrader's ``submitted/`` folder.

Each file is matched to a roster student (LMS id first, then accent-insensitive name), the
newest of duplicate files is kept, and the student's folder
``submitted/<student>/<assignment>/`` is replaced in one rename together with a
``timestamp.txt`` in nbgrader's format, unless the folder already holds a newer submission.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.grading.coursedir import Course, CourseError
from course.grading.lms import Parsed, iter_entries, parse_entry
from course.grading.lock import course_lock
from course.grading.merge import replace_folder, sweep_partial
from course.grading.roster import Roster, RosterStudent
from course.grading.synth import nbgrader_timestamp

UNMATCHED_COLUMNS = ("file", "lms", "lms_id", "name", "reason")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Unmatched:
    """A file of the download that could not be given to a roster student."""

    file: str
    lms: str
    lms_id: str
    name: str
    reason: str


@dataclass
class Collected:
    """One student's submission as collected."""

    student: str
    matched_by: str
    files: dict[str, str]  # target file name -> file in the download
    timestamp: datetime
    action: str  # new, updated, unchanged, kept-newer
    duplicates: int = 0


@dataclass
class CollectResult:
    """What collect did."""

    assignment: str
    collected: list[Collected] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    unmatched_csv: Path | None = None
    new_students: list[str] = field(default_factory=list)


def _key(p: Parsed) -> tuple[datetime, int]:
    # Newest first by timestamp; Canvas's resubmission number breaks ties.
    return (p.entry.timestamp or _EPOCH, p.resubmission)


def choose_files(parsed: list[Parsed], expected: list[str]) -> tuple[dict[str, Parsed], int]:
    """One file per target name (the newest), renaming the notebook when that is unambiguous."""
    single = f"{expected[0]}.ipynb" if len(expected) == 1 else None
    targets: dict[str, list[Parsed]] = {}
    notebooks = [p for p in parsed if p.filename.endswith(".ipynb") or not p.filename]
    others = [p for p in parsed if p not in notebooks]
    if single is not None:
        exact = [p for p in notebooks if p.filename == single]
        if exact:
            targets[single] = exact
            for p in notebooks:
                if p not in exact and p.filename:
                    targets.setdefault(p.filename, []).append(p)
        elif notebooks:
            # One notebook per assignment: the student's newest notebook is it, whatever its name.
            newest = max(notebooks, key=_key)
            targets[single] = [p for p in notebooks if p.filename == newest.filename]
            for p in notebooks:
                if p.filename != newest.filename and p.filename:
                    targets.setdefault(p.filename, []).append(p)
    else:
        for p in notebooks:
            if p.filename:
                targets.setdefault(p.filename, []).append(p)
    for p in others:
        targets.setdefault(p.filename, []).append(p)
    chosen = {name: max(ps, key=_key) for name, ps in targets.items()}
    duplicates = sum(len(ps) - 1 for ps in targets.values())
    return chosen, duplicates


def _existing_timestamp(folder: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    stamp = folder / "timestamp.txt"
    if stamp.is_file():
        try:
            ts = parse_utc(stamp.read_text(encoding="utf-8").strip())
            return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts
        except (ValueError, OverflowError):
            return None
    files = [p for p in folder.rglob("*") if p.is_file()]
    if not files:
        return None
    return datetime.fromtimestamp(max(p.stat().st_mtime for p in files), UTC)


def _same_content(folder: Path, files: dict[str, bytes]) -> bool:
    present = {p.name for p in folder.iterdir() if p.is_file() and p.name != "timestamp.txt"}
    if present != set(files):
        return False
    return all((folder / name).read_bytes() == data for name, data in files.items())


def write_submission(folder: Path, files: dict[str, bytes], timestamp: datetime) -> None:
    """Replace a submitted folder with ``files`` and a timestamp.txt, in one rename."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".collect-") as tmp:
        staging = Path(tmp) / "new"
        staging.mkdir()
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / "timestamp.txt").write_text(nbgrader_timestamp(timestamp), encoding="utf-8")
        replace_folder(staging, folder)


def collect(course: Course, assignment: str, source: Path, roster_path: Path) -> CollectResult:
    """Collect ``source`` (zip or folder) for ``assignment`` using the roster at ``roster_path``."""
    with course_lock(course, "collect"):
        return _collect(course, assignment, source, roster_path)


def _collect(course: Course, assignment: str, source: Path, roster_path: Path) -> CollectResult:
    course.require_assignment(assignment)
    sweep_partial(course.step_dir("submitted"), assignment)  # left by a killed collect
    if not source.exists():
        raise CourseError(f"{source} does not exist")
    roster = Roster.load(roster_path)
    expected = course.notebooks(assignment)
    result = CollectResult(assignment)
    per_student: dict[str, list[Parsed]] = {}
    how: dict[str, str] = {}
    students: dict[str, RosterStudent] = {}
    for entry in iter_entries(source):
        parsed = parse_entry(entry, set(expected))
        if parsed is None:
            continue
        student, reason = roster.match(parsed.lms, parsed.lms_id, parsed.name)
        if student is None:
            result.unmatched.append(
                Unmatched(entry.path, parsed.lms, parsed.lms_id, parsed.name, reason)
            )
            continue
        if not parsed.filename and len(expected) != 1:
            result.unmatched.append(
                Unmatched(
                    entry.path,
                    parsed.lms,
                    parsed.lms_id,
                    parsed.name,
                    "a bare <student>.ipynb, but the assignment has several notebooks",
                )
            )
            continue
        per_student.setdefault(student.student_id, []).append(parsed)
        how.setdefault(student.student_id, reason)
        students[student.student_id] = student

    for sid in sorted(per_student):
        chosen, duplicates = choose_files(per_student[sid], expected)
        stamps = [p.entry.timestamp for p in chosen.values() if p.entry.timestamp]
        timestamp = max(stamps) if stamps else datetime.now(UTC)
        data = {name: p.entry.read() for name, p in chosen.items()}
        folder = course.step_dir("submitted", sid, assignment)
        existing = _existing_timestamp(folder) if folder.is_dir() else None
        if existing is None:
            action = "updated" if folder.is_dir() else "new"
        elif _same_content(folder, data):
            action = "unchanged"
        elif timestamp > existing:
            action = "updated"
        else:
            action = "kept-newer"  # never replace a submission with an older one
        if action in ("new", "updated"):
            write_submission(folder, data, timestamp)
        result.collected.append(
            Collected(
                sid,
                how[sid],
                {n: p.entry.path for n, p in chosen.items()},
                timestamp,
                action,
                duplicates,
            )
        )

    result.new_students = _add_students(course, [students[s] for s in sorted(per_student)])
    result.unmatched_csv = _write_unmatched(course, assignment, result.unmatched)
    return result


def _add_students(course: Course, students: list[RosterStudent]) -> list[str]:
    from nbgrader.api import MissingEntry

    from course.grading.engine import quiet_nbgrader

    new = []
    with quiet_nbgrader(), course.gradebook() as gb:
        for s in students:
            try:
                gb.find_student(s.student_id)
            except MissingEntry:
                new.append(s.student_id)
            fields = {
                "first_name": s.first_name,
                "last_name": s.last_name,
                "email": s.email,
                "lms_user_id": s.canvas_id or s.moodle_id,
            }
            gb.update_or_create_student(s.student_id, **{k: v for k, v in fields.items() if v})
    return new


def _write_unmatched(course: Course, assignment: str, rows: list[Unmatched]) -> Path:
    path = course.assignment_reports(assignment) / "collect-unmatched.csv"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=UNMATCHED_COLUMNS)
        writer.writeheader()
        writer.writerows(r.__dict__ for r in rows)
    os.replace(tmp, path)
    return path


def format_collect(result: CollectResult, course: Course) -> str:
    """A readable report of what collect did."""
    lines = [
        f"{result.assignment}: {len(result.collected)} student(s) in {course.step_dir('submitted')}"
    ]
    for c in result.collected:
        dup = f", {c.duplicates} older duplicate(s) skipped" if c.duplicates else ""
        files = ", ".join(
            f"{src} -> {name}" if Path(src).name != name else name
            for name, src in sorted(c.files.items())
        )
        lines.append(f"  {c.student:<12} {c.action:<10} by {c.matched_by}: {files}{dup}")
    if result.new_students:
        lines.append(f"  added to the gradebook: {', '.join(result.new_students)}")
    if result.unmatched:
        lines.append(
            f"  {len(result.unmatched)} unmatched file(s) (also in {result.unmatched_csv}):"
        )
        for u in result.unmatched:
            lines.append(f"    {u.file}: {u.reason}")
    return "\n".join(lines)
