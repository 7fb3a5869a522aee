"""The class roster (CSV) and matching LMS names and ids to roster students."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from course.grading.coursedir import CourseError

COLUMNS = ("student_id", "first_name", "last_name", "email", "canvas_id", "moodle_id")

# Letters NFKD does not decompose into base letter + accent.
_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "þ": "th",
        "ð": "d",
    }
)


def name_key(text: str, *, dj: bool = False) -> str:
    """Accent-, case- and punctuation-insensitive form of a name: "Vučić" -> "vucic".

    With ``dj``, "Đ" becomes "dj", as Serbian and Croatian names are often transliterated
    ("Đurić" -> "djuric"); without it, "d", as plain accent-stripping does.
    """
    if dj:
        text = text.replace("Đ", "Dj").replace("đ", "dj")
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", plain.lower())


@dataclass(frozen=True)
class RosterStudent:
    """One roster row."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    canvas_id: str = ""
    moodle_id: str = ""

    def name_keys(self) -> set[str]:
        """The forms an LMS may write this name in: "lastfirst" (Canvas) and "first last"."""
        keys = set()
        for dj in (False, True):
            first = name_key(self.first_name, dj=dj)
            last = name_key(self.last_name, dj=dj)
            if first or last:
                keys |= {last + first, first + last}
        return keys


class Roster:
    """Roster rows, indexed by student id, LMS ids and name keys."""

    def __init__(self, students: list[RosterStudent]) -> None:
        self.students = students
        self.by_id = {s.student_id: s for s in students}
        self.by_canvas = {s.canvas_id: s for s in students if s.canvas_id}
        self.by_moodle = {s.moodle_id: s for s in students if s.moodle_id}
        self.by_name: dict[str, list[RosterStudent]] = {}
        for s in students:
            for key in s.name_keys():
                if s not in self.by_name.setdefault(key, []):
                    self.by_name[key].append(s)

    @classmethod
    def load(cls, path: Path, encoding: str | None = None) -> Roster:
        """Read a roster: our CSV, a Canvas gradebook export or a Moodle grading worksheet.

        Commas, semicolons (Excel in many European locales) and tabs are recognised. The file
        must be UTF-8 unless ``encoding`` says otherwise ("cp1250" for Excel's Central European
        CSV); a file that is not gets a CourseError saying how to fix it.
        """
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CourseError(f"cannot read roster {path}: {exc.strerror or exc}") from None
        try:
            text = raw.decode(encoding or "utf-8-sig")
        except UnicodeDecodeError:
            raise CourseError(
                f"roster {path} is not UTF-8 (Excel often saves Windows-1250 for Serbian and "
                "Albanian names): save it as 'CSV UTF-8', or pass --roster-encoding cp1250"
            ) from None
        except LookupError:
            raise CourseError(
                f"unknown roster encoding {encoding!r} (try utf-8 or cp1250)"
            ) from None
        rows = parse_roster_rows(text, str(path))
        ids = [r.student_id for r in rows]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise CourseError(f"roster {path} lists these student ids twice: {', '.join(dupes)}")
        return cls(rows)

    def match(self, lms: str, lms_id: str, name: str) -> tuple[RosterStudent | None, str]:
        """The roster student an LMS entry belongs to, or None and why not."""
        by_lms = {"canvas": self.by_canvas, "moodle": self.by_moodle}.get(lms, {})
        if lms_id and lms_id in by_lms:
            return by_lms[lms_id], f"{lms} id"
        if lms == "plain" and lms_id in self.by_id:
            return self.by_id[lms_id], "student id"
        key = name_key(name or (lms_id if lms == "plain" else ""))
        if key:
            found = self.by_name.get(key, [])
            if len(found) == 1:
                return found[0], "name"
            if len(found) > 1:
                ids = ", ".join(s.student_id for s in found)
                return None, f"name matches several students ({ids})"
        return None, "no roster student with this id or name"


# Column names LMS exports use for our columns (compared case-insensitively).
ALIASES = {
    "student_id": ("student_id", "sis user id", "sis login id", "id number", "username"),
    "first_name": ("first_name", "first name", "given name"),
    "last_name": ("last_name", "last name", "surname", "family name"),
    "email": ("email", "email address", "e-mail"),
    "canvas_id": ("canvas_id",),
    "moodle_id": ("moodle_id",),
}


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _split_name(full: str, *, last_first: bool) -> tuple[str, str]:
    """("First", "Last") from "Last, First" (Canvas) or "First Last" (Moodle)."""
    if last_first and "," in full:
        last, first = (x.strip() for x in full.split(",", 1))
        return first, last
    first, _, last = full.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def parse_roster_rows(text: str, where: str = "roster") -> list[RosterStudent]:
    """Roster rows from CSV text in our format, Canvas's gradebook export or Moodle's worksheet.

    Canvas: "Student" ("Last, First"), "ID" (the Canvas user id), "SIS User ID"/"SIS Login
    ID" (the student id); its "Points Possible" row is skipped. Moodle: "Identifier"
    ("Participant 101", the id in download names), "Full name", "Email address", and "ID number"
    or the email as the student id. Raises CourseError when no student id column is found.
    """
    reader = csv.DictReader(io.StringIO(text), dialect=_dialect(text))
    header = [h.strip() for h in reader.fieldnames or [] if h]
    lower = {h.lower(): h for h in header}
    canvas = "student" in lower and "id" in lower
    moodle = "identifier" in lower and "full name" in lower

    def col(row: dict[str, str], name: str) -> str:
        for alias in ALIASES[name]:
            if alias in lower and row.get(lower[alias]):
                return row[lower[alias]]
        return ""

    if not (canvas or moodle or any(a in lower for a in ALIASES["student_id"])):
        raise CourseError(
            f"{where} has no student_id column (has: {', '.join(header) or 'nothing'}); give a "
            "CSV with student_id, or Canvas's gradebook export, or Moodle's grading worksheet"
        )
    rows = []
    for raw in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        fields = {c: col(row, c) for c in COLUMNS}
        if canvas:
            student = row.get(lower["student"], "")
            if not student or student.lower().startswith(("points possible", "test student")):
                continue
            if not row.get(lower["id"], "").isdigit():
                continue  # Canvas's "Manual Posting" and other header rows
            fields["canvas_id"] = fields["canvas_id"] or row[lower["id"]]
            first, last = _split_name(student, last_first=True)
            fields["first_name"] = fields["first_name"] or first
            fields["last_name"] = fields["last_name"] or last
            fields["student_id"] = fields["student_id"] or row[lower["id"]]
        if moodle:
            ident = row.get(lower["identifier"], "")
            number = re.sub(r"\D", "", ident)
            fields["moodle_id"] = fields["moodle_id"] or number
            first, last = _split_name(row.get(lower["full name"], ""), last_first=False)
            fields["first_name"] = fields["first_name"] or first
            fields["last_name"] = fields["last_name"] or last
            fields["student_id"] = fields["student_id"] or fields["email"] or number
        if fields["student_id"]:
            rows.append(RosterStudent(**fields))
    return rows
