"""Notice changes that student code makes to files outside its scratch course.

Student code runs as the grader's user, so nothing stops it writing anywhere the grader can.
The scratch courses keep nbgrader's own writes away from the real course; this module watches
what a malicious notebook could still reach: the real gradebook, the grading code (the
``course`` and ``nbgrader`` packages, interpreter start-up hooks) and the course config and
assignment files. The coordinator checks after every student.

The gradebook is put back from the coordinator's in-memory copy (the changed file is kept
aside). Code files are never put back: in a working tree the instructor may be editing them,
and silently reverting an edit would lose work, so a code change stops the run instead.
Stronger isolation (another OS user, a container) is outside what this tool does.
"""

from __future__ import annotations

import hashlib
import os
import site
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Files that Python runs at start-up: a new one would run inside every later worker.
_STARTUP_GLOBS = ("*.pth", "sitecustomize.py", "usercustomize.py")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FileGuard:
    """A byte-for-byte memory of some files, and of which files exist in some folders."""

    files: dict[Path, bytes | None] = field(default_factory=dict)  # None: must not exist
    listed: dict[tuple[Path, str], frozenset[str]] = field(default_factory=dict)

    def watch_tree(self, root: Path, suffixes: tuple[str, ...] | None = (".py",)) -> None:
        """Remember every file under ``root`` ending in one of ``suffixes`` (all if None)."""
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if suffixes is None or path.suffix in suffixes:
                self.files[path] = path.read_bytes()
        for pattern in ["**/*"] if suffixes is None else [f"**/*{s}" for s in suffixes]:
            self.listed[(root, pattern)] = self._list(root, pattern)

    def watch_file(self, path: Path) -> None:
        """Remember one file, or that it does not exist."""
        self.files[path] = path.read_bytes() if path.is_file() else None

    def watch_listing(self, folder: Path, pattern: str) -> None:
        """Remember which files in ``folder`` match ``pattern`` (a new one is a change)."""
        self.listed[(folder, pattern)] = self._list(folder, pattern)

    @staticmethod
    def _list(folder: Path, pattern: str) -> frozenset[str]:
        if not folder.is_dir():
            return frozenset()
        return frozenset(
            str(p.relative_to(folder))
            for p in folder.glob(pattern)
            if p.is_file() and "__pycache__" not in p.parts
        )

    def remember(self) -> None:
        """Accept the current state of every watched file as the new reference."""
        for path in list(self.files):
            self.watch_file(path)
        for folder, pattern in list(self.listed):
            self.watch_listing(folder, pattern)

    def changes(self) -> list[str]:
        """The watched paths that differ from what was remembered."""
        changed = []
        for path, data in self.files.items():
            now = path.read_bytes() if path.is_file() else None
            if (now is None) != (data is None) or (now is not None and now != data):
                changed.append(str(path))
        for (folder, pattern), names in self.listed.items():
            for name in sorted(self._list(folder, pattern) - names):
                changed.append(str(folder / name))
        return changed


def library_guard(course_root: Path, assignment_dirs: list[Path]) -> FileGuard:
    """Watch the grading code, interpreter start-up hooks, course config and assignment files."""
    import nbgrader

    import course

    guard = FileGuard()
    guard.watch_tree(Path(course.__file__).resolve().parent)
    guard.watch_tree(Path(nbgrader.__file__).resolve().parent)
    for folder in {Path(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}:
        for pattern in _STARTUP_GLOBS:
            guard.watch_listing(folder, pattern)
    for name in ("sitecustomize.py", "usercustomize.py"):
        for folder in sys.path:
            if folder and Path(folder).is_dir():
                guard.watch_file(Path(folder) / name)
    guard.watch_file(course_root / "nbgrader_config.py")
    from jupyter_core.paths import jupyter_config_path

    for folder in jupyter_config_path():
        guard.watch_file(Path(folder) / "nbgrader_config.py")
    for folder in assignment_dirs:
        if folder.is_dir():
            guard.watch_tree(folder, suffixes=None)
    return guard


@dataclass
class GradebookGuard:
    """The real gradebook's bytes as the coordinator last left them."""

    path: Path
    data: bytes = b""
    digest: str = ""

    def remember(self) -> None:
        """Record the gradebook as it is now (call right after the coordinator's own writes)."""
        self.data = self.path.read_bytes() if self.path.is_file() else b""
        self.digest = _digest(self.data)

    def changed(self) -> bool:
        """Whether anything but the coordinator changed the gradebook since ``remember``."""
        now = self.path.read_bytes() if self.path.is_file() else b""
        journal = self.path.with_name(self.path.name + "-journal")
        return _digest(now) != self.digest or journal.exists() and journal.stat().st_size > 0

    def restore(self, keep_as: Path | None = None) -> None:
        """Put the remembered gradebook back, keeping the changed one aside for inspection."""
        if keep_as is not None and self.path.is_file():
            keep_as.write_bytes(self.path.read_bytes())
        journal = self.path.with_name(self.path.name + "-journal")
        journal.unlink(missing_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.restore")
        tmp.write_bytes(self.data)
        os.replace(tmp, self.path)
