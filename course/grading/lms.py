"""Recognise the files of an LMS submissions download: Canvas, Moodle, or plain folders."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

# Canvas: lastnamefirstname[_LATE]_<canvas user id>_<submission id>_<file>[-<n>].<ext>
CANVAS = re.compile(
    r"^(?P<name>[^_/]+?)(?:_(?P<late>LATE))?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>[^/]+)$"
)
# Moodle: "Firstname Lastname_<participant id>_assignsubmission_file_" folder, or flattened.
MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$"
)
RESUBMISSION = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)$")
SKIP_PARTS = ("__MACOSX", ".ipynb_checkpoints", ".DS_Store", "__pycache__")


@dataclass
class Entry:
    """One file of the download."""

    path: str  # as in the archive or relative to the folder, with "/" separators
    timestamp: datetime | None  # when the LMS (archive) or the file system says it was made
    read: Callable[[], bytes]


@dataclass
class Parsed:
    """Who an entry belongs to according to its name, and which file it is."""

    entry: Entry
    lms: str  # "canvas", "moodle" or "plain"
    lms_id: str  # canvas user id, moodle participant id, or the plain folder/file name
    name: str  # the name as the LMS wrote it ("" for plain)
    filename: str  # the student's own file name
    resubmission: int = 0  # Canvas's -1, -2 ... suffix
    late: bool = False


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        # Zip stores local wall-clock time without a zone: read it as this machine's zone.
        return datetime(*info.date_time).astimezone(UTC)
    except ValueError:
        return None


def iter_entries(source: Path) -> Iterator[Entry]:
    """Every file of a .zip download or a folder, with its timestamp."""
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
        for info in infos:
            yield Entry(info.filename, _zip_time(info), _zip_reader(source, info.filename))
    elif source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                yield Entry(path.relative_to(source).as_posix(), mtime, path.read_bytes)
    else:
        raise FileNotFoundError(f"{source} is neither a folder nor a .zip file")


def _zip_reader(archive: Path, member: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)

    return read


def safe_filename(name: str) -> str:
    """A file name that cannot climb out of the folder it is written to."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    return "" if base in ("", ".", "..") else base


def split_resubmission(filename: str, expected: set[str]) -> tuple[str, int]:
    """``01-sourcing-2.ipynb`` -> (``01-sourcing.ipynb``, 2) when the plain name is expected."""
    stem, ext = os.path.splitext(filename)
    if stem in expected:
        return filename, 0
    m = RESUBMISSION.match(stem)
    if m and m["stem"] in expected:
        return m["stem"] + ext, int(m["n"])
    return filename, 0


def parse_entry(entry: Entry, expected: set[str]) -> Parsed | None:
    """Read an entry's name; None for files that are no one's submission (OS debris)."""
    parts = [p for p in PurePosixPath(entry.path).parts if p not in ("", ".")]
    if not parts or any(p in SKIP_PARTS or p.startswith("._") for p in parts):
        return None
    for i, part in enumerate(parts):
        m = MOODLE.match(part)
        if m:
            inner = "/".join(parts[i + 1 :]) if i + 1 < len(parts) else m["file"]
            filename = safe_filename(inner) if i + 1 < len(parts) else safe_filename(m["file"])
            if not filename:
                return None
            return Parsed(entry, "moodle", m["uid"], m["name"].strip(), filename)
    base = parts[-1]
    m = CANVAS.match(base)
    if m:
        filename, resub = split_resubmission(safe_filename(m["file"]), expected)
        return Parsed(entry, "canvas", m["uid"], m["name"], filename, resub, bool(m["late"]))
    if len(parts) >= 2:
        return Parsed(entry, "plain", parts[-2], "", safe_filename(base))
    stem, ext = os.path.splitext(base)
    if ext == ".ipynb":
        # <student_id>.ipynb: the whole submission is one notebook named after the student.
        return Parsed(entry, "plain", stem, "", "")
    return None
