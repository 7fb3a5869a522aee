"""Recognise the files of an LMS submissions download: Canvas, Moodle, or plain folders."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath

# Canvas: lastnamefirstname[_LATE]_<canvas user id>_<submission id>_<file>[-<n>].<ext>; the name
# part may itself hold underscores ("petrovic_jelena_50003_900003_01-sourcing.ipynb").
CANVAS = re.compile(
    r"^(?P<name>[^/]+?)(?:_(?P<late>LATE))?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>[^/]+)$"
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


class DownloadError(ValueError):
    """A download that cannot be read (not a zip, cut short); the message says what to do."""


# A submission zip inside the download is opened only up to these limits (a zip bomb is not).
MAX_INNER_BYTES = 200 * 1024 * 1024
MAX_INNER_FILES = 500


def _zip_time(info: zipfile.ZipInfo, tz: tzinfo) -> datetime | None:
    try:
        # Zip stores wall-clock time without a zone: read it in the course's zone, never the
        # collecting machine's, so every TA's collect writes the same timestamp.
        return datetime(*info.date_time, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def iter_entries(source: Path, tz: tzinfo = UTC) -> Iterator[Entry]:
    """Every file of a .zip download or a folder, with its timestamp.

    Zip times are read in ``tz`` (the course's time zone); folder files carry their own
    modification time. Raises DownloadError for a file that is not a readable zip.
    """
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                yield Entry(path.relative_to(source).as_posix(), mtime, path.read_bytes)
        return
    if not source.is_file():
        raise DownloadError(f"{source} does not exist: give the LMS download (.zip) or a folder")
    try:
        with zipfile.ZipFile(source) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DownloadError(
            f"{source} is not a readable zip file ({exc}); download it again from the LMS "
            "(a download cut short looks like this), or unpack it and give the folder"
        ) from None
    if bad is not None:
        raise DownloadError(
            f"{source} is damaged: {bad} fails its checksum; download it again from the LMS"
        )
    for info in infos:
        yield Entry(info.filename, _zip_time(info, tz), _zip_reader(source, info.filename))


def _zip_reader(archive: Path, member: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)

    return read


def open_inner_zip(parsed: Parsed) -> tuple[list[Parsed], str]:
    """The files of a submission that is itself a zip, each as the student's own file.

    Every file keeps the outer entry's LMS time (inner zip times are the student's clock).
    Returns the files and "" or, when the zip cannot be opened, [] and why not.
    """
    import io

    try:
        data = parsed.entry.read()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_INNER_FILES or sum(i.file_size for i in infos) > MAX_INNER_BYTES:
                return [], "the zip is too large to open safely; unpack it yourself"
            members = {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return [], f"the zip could not be opened ({exc})"
    found = []
    for name, content in members.items():
        parts = PurePosixPath(name).parts
        if any(p in SKIP_PARTS or p.startswith("._") for p in parts):
            continue
        filename = safe_filename(name)
        if not filename:
            continue
        entry = Entry(f"{parsed.entry.path}!{name}", parsed.entry.timestamp, lambda c=content: c)
        found.append(
            Parsed(entry, parsed.lms, parsed.lms_id, parsed.name, filename, 0, parsed.late)
        )
    if not found:
        return [], "the zip holds no files"
    return found, ""


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
