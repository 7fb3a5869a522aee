"""The cheap checks of ``grade --no-sandbox``: files a submission must not change, put back.

Only used without the sandbox, where student code runs with the grader's rights. Between
students the coordinator compares, and puts back:

- the real gradebook (from the coordinator's own copy; the changed file is kept aside);
- the scratch template (from memory; it lives in a temporary folder nobody edits);
- Python start-up hooks (``.pth``, ``sitecustomize.py``) and kernel specs, which would run in
  every later kernel (the changed file is kept aside).

These notice a write after the fact; they cannot stop a submission from reading the answer key,
classmates' work or the grader's files. The sandbox (sandbox.py) does.
"""

from __future__ import annotations

import hashlib
import os
import site
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Files that Python runs at start-up: a new one would run inside every later kernel.
_STARTUP_GLOBS = ("*.pth", "sitecustomize.py", "usercustomize.py")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@dataclass
class FileGuard:
    """A byte-for-byte memory of some files, and of which files exist in some folders.

    The modification time is remembered too, so that rewriting a file with the same bytes
    (a tampering that happens to be harmless this time) is still noticed.
    """

    files: dict[Path, bytes | None] = field(default_factory=dict)  # None: must not exist
    mtimes: dict[Path, int | None] = field(default_factory=dict)
    listed: dict[tuple[Path, str], frozenset[str]] = field(default_factory=dict)

    def watch_tree(self, root: Path, suffixes: tuple[str, ...] | None = (".py",)) -> None:
        """Remember every file under ``root`` ending in one of ``suffixes`` (all if None)."""
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if suffixes is None or path.suffix in suffixes:
                self.watch_file(path)
        for pattern in ["**/*"] if suffixes is None else [f"**/*{s}" for s in suffixes]:
            self.listed[(root, pattern)] = self._list(root, pattern)

    def watch_file(self, path: Path) -> None:
        """Remember one file, or that it does not exist."""
        self.files[path] = path.read_bytes() if path.is_file() else None
        self.mtimes[path] = _mtime(path) if path.is_file() else None

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
            if now != data or (now is not None and _mtime(path) != self.mtimes.get(path)):
                changed.append(str(path))
        for (folder, pattern), names in self.listed.items():
            for name in sorted(self._list(folder, pattern) - names):
                changed.append(str(folder / name))
        return changed

    def restore(self) -> list[str]:
        """Put every watched file back as remembered and remove new ones; return what changed.

        Only for folders nobody else edits (the scratch template): elsewhere a revert could
        throw away somebody's work.
        """
        changed = self.changes()
        if not changed:
            return []
        for name in changed:
            path = Path(name)
            data = self.files.get(path)
            if data is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                path.chmod(0o644)
            tmp = path.with_name(f".{path.name}.restore")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        self.remember()
        return changed


def startup_guard() -> FileGuard:
    """Watch what every new kernel runs before any notebook code: start-up hooks, kernel specs.

    A change here would reach every later student of the run, so unlike the library it is put
    back at once (see ``quarantine``); nobody edits these by hand in the middle of grading.
    """
    guard = FileGuard()
    for folder in {Path(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}:
        for pattern in _STARTUP_GLOBS:
            guard.watch_listing(folder, pattern)
            for path in folder.glob(pattern) if folder.is_dir() else []:
                guard.watch_file(path)
    for name in ("sitecustomize.py", "usercustomize.py"):
        for folder in sys.path:
            if folder and Path(folder).is_dir():
                guard.watch_file(Path(folder) / name)
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("kernels"):
        guard.watch_listing(Path(folder), "*/kernel.json")
        for spec in Path(folder).glob("*/kernel.json"):
            guard.watch_file(spec)
    return guard


def quarantine(guard: FileGuard, keep: Path) -> list[str]:
    """Put watched files back as remembered, moving each changed or new one into ``keep``.

    Nothing is deleted: what the change made is kept, named after its original path.
    """
    changed = guard.changes()
    if not changed:
        return []
    for name in changed:
        path = Path(name)
        if path.is_file():
            keep.mkdir(parents=True, exist_ok=True)
            os.replace(path, keep / name.strip("/").replace("/", "__"))
        data = guard.files.get(path)
        if data is not None:
            path.write_bytes(data)
    guard.remember()
    return changed


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
