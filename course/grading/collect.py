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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from course.grading.coursedir import Course, CourseError
from course.grading.lms import DownloadError, Parsed, iter_entries, open_inner_zip, parse_entry
from course.grading.lock import course_lock
from course.grading.merge import replace_folder, sweep_partial
from course.grading.roster import Roster, RosterStudent
from course.grading.synth import nbgrader_timestamp

UNMATCHED_COLUMNS = ("file", "lms", "lms_id", "name", "reason")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_TIMEZONE = "UTC"  # nbgrader's own default for Exchange.timezone


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
    action: str  # new, updated, unchanged, kept-newer, kept-notebook
    duplicates: int = 0
    late: bool = False  # the LMS marked the submission late (Canvas's _LATE_)
    notes: list[str] = field(default_factory=list)  # what the instructor should know


@dataclass
class CollectResult:
    """What collect did."""

    assignment: str
    timezone: str = DEFAULT_TIMEZONE
    collected: list[Collected] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    unmatched_csv: Path | None = None
    new_students: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # roster students with no submission


def course_timezone(course: Course, name: str | None = None) -> ZoneInfo:
    """The zone LMS zip times are read in: ``name``, else the config's Exchange.timezone, else UTC.

    Raises CourseError for a name that is not an IANA zone ("Europe/Belgrade").
    """
    chosen = name or course.config.Exchange.get("timezone") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(str(chosen))
    except (ZoneInfoNotFoundError, ValueError):
        raise CourseError(
            f"unknown time zone {chosen!r}: give an IANA name such as Europe/Belgrade or UTC"
        ) from None


def _key(p: Parsed) -> tuple[datetime, int]:
    # Newest first by timestamp; Canvas's resubmission number breaks ties.
    return (p.entry.timestamp or _EPOCH, p.resubmission)


def _when(p: Parsed) -> str:
    return p.entry.timestamp.strftime("%Y-%m-%d %H:%M UTC") if p.entry.timestamp else "no time"


def choose_files(
    parsed: list[Parsed], expected: list[str]
) -> tuple[dict[str, Parsed], int, list[str]]:
    """One file per target name (the newest), and notes on what was set aside.

    For a one-notebook assignment the student's newest notebook is the submission whatever its
    name ("01-sourcing (1).ipynb" after an older "01-sourcing.ipynb"); older notebooks are set
    aside and named in the notes.
    """
    single = f"{expected[0]}.ipynb" if len(expected) == 1 else None
    targets: dict[str, list[Parsed]] = {}
    notes: list[str] = []
    notebooks = [p for p in parsed if p.filename.endswith(".ipynb") or not p.filename]
    others = [p for p in parsed if p not in notebooks]
    if single is not None and notebooks:
        newest = max(notebooks, key=_key)
        targets[single] = notebooks
        for p in sorted(notebooks, key=_key):
            if p is not newest:
                notes.append(
                    f"older notebook set aside: {p.filename or p.entry.path} ({_when(p)}); "
                    f"graded: {newest.filename or newest.entry.path} ({_when(newest)})"
                )
    else:
        for p in notebooks:
            if p.filename:
                targets.setdefault(p.filename, []).append(p)
    for p in others:
        targets.setdefault(p.filename, []).append(p)
    chosen = {name: max(ps, key=_key) for name, ps in targets.items()}
    duplicates = sum(len(ps) - 1 for ps in targets.values())
    return chosen, duplicates, notes


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


def write_submission(
    folder: Path,
    files: dict[str, bytes],
    timestamp: datetime,
    times: dict[str, datetime] | None = None,
) -> None:
    """Replace a submitted folder with ``files`` and a timestamp.txt, in one rename.

    ``times`` gives each file its own modification time (when the LMS received it).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".collect-") as tmp:
        staging = Path(tmp) / "new"
        staging.mkdir()
        for name, data in files.items():
            (staging / name).write_bytes(data)
            when = (times or {}).get(name)
            if when is not None:
                os.utime(staging / name, (when.timestamp(), when.timestamp()))
        (staging / "timestamp.txt").write_text(nbgrader_timestamp(timestamp), encoding="utf-8")
        replace_folder(staging, folder)


def collect(
    course: Course,
    assignment: str,
    source: Path,
    roster_path: Path,
    timezone: str | None = None,
    encoding: str | None = None,
) -> CollectResult:
    """Collect ``source`` (zip or folder) for ``assignment`` using the roster at ``roster_path``.

    Zip times are read in ``timezone`` (default: the course's, see course_timezone); the roster
    is read in ``encoding`` (default UTF-8).
    """
    tz = course_timezone(course, timezone)
    roster = Roster.load(roster_path, encoding)
    with course_lock(course, "collect"):
        return _collect(course, assignment, source, roster, tz)


def _expand(parsed: Parsed, result: CollectResult) -> list[Parsed]:
    """A submission zip's files instead of the zip (or nothing, with the reason recorded)."""
    if not parsed.filename.lower().endswith(".zip"):
        return [parsed]
    inner, why = open_inner_zip(parsed)
    if why:
        result.unmatched.append(
            Unmatched(
                parsed.entry.path,
                parsed.lms,
                parsed.lms_id,
                parsed.name,
                f"the student's submission is a zip that was not opened: {why}",
            )
        )
    return inner


def _collect(
    course: Course, assignment: str, source: Path, roster: Roster, tz: ZoneInfo
) -> CollectResult:
    course.require_assignment(assignment)
    sweep_partial(course.step_dir("submitted"), assignment)  # left by a killed collect
    expected = course.notebooks(assignment)
    result = CollectResult(assignment, timezone=tz.key)
    per_student: dict[str, list[Parsed]] = {}
    how: dict[str, str] = {}
    students: dict[str, RosterStudent] = {}
    try:
        entries = list(iter_entries(source, tz))
    except DownloadError as exc:
        raise CourseError(str(exc)) from None
    for entry in entries:
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
        per_student.setdefault(student.student_id, []).extend(_expand(parsed, result))
        how.setdefault(student.student_id, reason)
        students[student.student_id] = student

    for sid in sorted(per_student):
        if per_student[sid]:
            result.collected.append(_collect_one(course, assignment, sid, per_student[sid], how))
    # Everyone on the roster goes into the gradebook, so the grades show who did not submit.
    result.new_students = add_students(course, roster.students)
    result.missing = missing_students(course, assignment, [s.student_id for s in roster.students])
    result.unmatched_csv = _write_unmatched(course, assignment, source, result.unmatched)
    return result


def _collect_one(
    course: Course, assignment: str, sid: str, parsed: list[Parsed], how: dict[str, str]
) -> Collected:
    """Write one student's newest files into submitted/, unless that would lose work."""
    expected = course.notebooks(assignment)
    chosen, duplicates, notes = choose_files(parsed, expected)
    notebooks = [p for n, p in chosen.items() if n.endswith(".ipynb")]
    stamps = [p.entry.timestamp for p in (notebooks or list(chosen.values())) if p.entry.timestamp]
    timestamp = max(stamps) if stamps else datetime.now(UTC)
    data = {name: p.entry.read() for name, p in chosen.items()}
    times = {name: p.entry.timestamp for name, p in chosen.items() if p.entry.timestamp}
    folder = course.step_dir("submitted", sid, assignment)
    existing = _existing_timestamp(folder) if folder.is_dir() else None
    had_notebook = folder.is_dir() and any(folder.glob("*.ipynb"))
    if existing is None:
        action = "updated" if folder.is_dir() else "new"
    elif _same_content(folder, data):
        action = "unchanged"
    elif timestamp > existing:
        action = "updated"
    else:
        action = "kept-newer"  # never replace a submission with an older one
    if action in ("new", "updated") and not notebooks:
        uploaded = ", ".join(sorted(chosen)) or "nothing"
        if had_notebook:
            # A re-upload of only an HTML export or a PDF must not delete the notebook.
            action = "kept-notebook"
            notes.append(
                f"the new upload has no notebook ({uploaded}): the notebook collected before "
                "is kept; ask the student to upload the .ipynb"
            )
        else:
            notes.append(
                f"no notebook in this upload ({uploaded}): it will be flagged missing-notebook; "
                "ask the student to upload the .ipynb"
            )
    if action in ("new", "updated"):
        write_submission(folder, data, timestamp, times)
    return Collected(
        sid,
        how[sid],
        {n: p.entry.path for n, p in chosen.items()},
        timestamp,
        action,
        duplicates,
        late=any(p.late for p in parsed),
        notes=notes,
    )


def add_students(course: Course, students: list[RosterStudent]) -> list[str]:
    """Create or update each roster student in the gradebook; return the ids that were new."""
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


def missing_students(course: Course, assignment: str, students: list[str]) -> list[str]:
    """The students (of ``students``) without every notebook of the assignment in submitted/."""
    names = course.notebooks(assignment)
    return sorted(
        s
        for s in students
        if not all(
            (course.step_dir("submitted", s, assignment) / f"{n}.ipynb").is_file() for n in names
        )
    )


def _write_unmatched(
    course: Course, assignment: str, source: Path, rows: list[Unmatched]
) -> Path | None:
    """One CSV per collect run (never overwriting an earlier run's), or None if all matched."""
    if not rows:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = course.assignment_reports(assignment) / "collect"
    folder.mkdir(exist_ok=True)
    path = folder / f"unmatched-{stamp}-{source.stem}.csv"
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
        f"{result.assignment}: {len(result.collected)} student(s) in "
        f"{course.step_dir('submitted')} (LMS zip times read as {result.timezone})"
    ]
    for c in result.collected:
        dup = f", {c.duplicates} older duplicate(s) skipped" if c.duplicates else ""
        late = " [LATE in the LMS]" if c.late else ""
        files = ", ".join(
            f"{src} -> {name}" if Path(src).name != name else name
            for name, src in sorted(c.files.items())
        )
        lines.append(f"  {c.student:<12} {c.action:<10} by {c.matched_by}: {files}{dup}{late}")
        lines += [f"    ! {note}" for note in c.notes]
    if result.new_students:
        shown = ", ".join(result.new_students[:10])
        more = f" and {len(result.new_students) - 10} more" if len(result.new_students) > 10 else ""
        lines.append(f"  added to the gradebook from the roster: {shown}{more}")
    if result.unmatched:
        lines.append(
            f"  {len(result.unmatched)} unmatched file(s) (also in {result.unmatched_csv}):"
        )
        for u in result.unmatched:
            lines.append(f"    {u.file}: {u.reason}")
    if result.missing:
        lines.append(
            f"  still missing ({len(result.missing)} on the roster without a notebook): "
            + ", ".join(result.missing)
        )
    else:
        lines.append("  every student on the roster has a submission")
    return "\n".join(lines)
