"""The class roster (CSV) and matching LMS names and ids to roster students."""

from __future__ import annotations

import csv
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
    def load(cls, path: Path) -> Roster:
        """Read a roster CSV; ``student_id`` is required, the other columns optional."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                header = [h.strip() for h in reader.fieldnames or []]
                if "student_id" not in header:
                    raise CourseError(f"roster {path} has no student_id column (has: {header})")
                rows = []
                for raw in reader:
                    row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
                    if not row.get("student_id"):
                        continue
                    rows.append(RosterStudent(**{c: row.get(c, "") for c in COLUMNS}))
        except OSError as exc:
            raise CourseError(f"cannot read roster {path}: {exc}") from None
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
