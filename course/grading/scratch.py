"""Disposable scratch course directories where nbgrader runs away from the real course.

A scratch course holds a copy of the course config, one assignment's source and release, a
snapshot of the gradebook, the submissions to grade, and a private copy of the ``course``
library and its datasets (``lib/``) that the student's kernel imports instead of the installed
one. nbgrader runs there unmodified; the real course is written only by the caller, from what
the scratch course produced.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.grading.coursedir import CONFIG_FILE, Course, CourseError
from course.grading.gradebook import snapshot_gradebook

if TYPE_CHECKING:
    from traitlets.config import Config

GRADEBOOK = "gradebook.db"
# The private library copy: lib/course (the package) and lib/datasets (what it reads).
LIB = "lib"
# Jupyter's autosave folder: never part of a submission (nbgrader ignores it too).
IGNORED_DIR = ".ipynb_checkpoints"
# The Python modules beside nbgrader_config.py (a late-penalty plugin ...), for workers that do
# not share the course folder (Dask): stock nbgrader imports them from the course folder.
COURSE_MODULES = "course-modules"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """One SHA-256 over the relative paths and bytes of every file under ``folder``."""
    h = hashlib.sha256()
    if folder.is_dir():
        files = (p for p in folder.rglob("*") if p.is_file() and IGNORED_DIR not in p.parts)
        for path in sorted(files):
            h.update(str(path.relative_to(folder)).encode())
            h.update(b"\0")
            h.update(sha256_file(path).encode())
    return h.hexdigest()


def relative_step(course: Course, step: str) -> str:
    """The configured folder name of an nbgrader step, which must be relative to the course."""
    name = str(getattr(course.coursedir, f"{step}_directory"))
    if os.path.isabs(name):
        # An absolute folder would make a scratch course write into the real one.
        raise CourseError(
            f"CourseDirectory.{step}_directory is absolute ({name}); kosovo-course needs "
            "nbgrader's working folders inside the course directory."
        )
    return name


def scratch_config(config: Config, root: Path) -> Config:
    """The course config re-rooted at a scratch course (folders and gradebook inside it)."""
    cfg = copy.deepcopy(config)
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.db_url = f"sqlite:///{root / GRADEBOOK}"
    return cfg


@dataclass
class Template:
    """A pristine scratch course (no submissions) and the digest of each of its files."""

    root: Path
    assignment: str
    manifest: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able description, for handing the template to a worker process."""
        return {"root": str(self.root), "assignment": self.assignment, "manifest": self.manifest}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Template:
        """Rebuild a template description sent by the coordinator."""
        return cls(Path(data["root"]), data["assignment"], dict(data["manifest"]))


def build_template(course: Course, assignment: str, dest: Path) -> Template:
    """Copy config, source, release and a gradebook snapshot of one assignment into ``dest``.

    The snapshot is a SQLite file whatever the real gradebook is (SQLite or PostgreSQL).
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course.root / CONFIG_FILE, dest / CONFIG_FILE)
    for step in ("source", "release"):
        src = course.step_dir(step, assignment=assignment)
        if src.is_dir():
            target = dest / relative_step(course, step) / assignment
            shutil.copytree(src, target, ignore=shutil.ignore_patterns(IGNORED_DIR))
    snapshot_gradebook(course.db_url, dest / GRADEBOOK)
    copy_library(dest / LIB)
    for module in course.root.glob("*.py"):
        if module.name != CONFIG_FILE and module.is_file():
            (dest / COURSE_MODULES).mkdir(exist_ok=True)
            shutil.copy2(module, dest / COURSE_MODULES / module.name)
    manifest = {
        str(p.relative_to(dest)): sha256_file(p) for p in sorted(dest.rglob("*")) if p.is_file()
    }
    return Template(dest, assignment, manifest)


def materialise(template: Template, dest: Path, *, library: bool = True) -> None:
    """Copy a template into ``dest``, refusing any file that changed since the template was made.

    Student code runs as the grader's user and could edit the template between two students;
    checking every byte against the manifest keeps one submission from grading the next.
    """
    for rel, digest in template.manifest.items():
        if not library and rel.startswith(LIB + "/"):
            continue  # sandboxed kernels read the template's copy, bound read-only
        data = (template.root / rel).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise TemplateTampered(f"scratch template file {rel} changed while grading")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    extra = {
        str(p.relative_to(template.root)) for p in template.root.rglob("*") if p.is_file()
    } - set(template.manifest)
    if extra:
        raise TemplateTampered(f"files appeared in the scratch template: {sorted(extra)[:3]}")


def copy_library(dest: Path) -> None:
    """Copy the ``course`` package and its datasets into ``dest`` for kernels to import.

    The bytecode is compiled with hash-checked .pyc files: they stay valid in every copy (an
    mtime-checked .pyc would not), so kernels import the copy as fast as the installed package.
    """
    import compileall
    import py_compile

    import course
    from course.paths import datasets_dir

    package = Path(course.__file__).resolve().parent
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", IGNORED_DIR)

    def skip_grading(folder: str, names: list[str]) -> set[str]:
        # Kernels import the student-facing library only, never the grading package.
        ignored = set(skip(folder, names))
        if Path(folder) == package:
            ignored.add("grading")
        return ignored

    shutil.copytree(package, dest / "course", ignore=skip_grading)
    # course.paths looks for datasets/ beside the package first, as in a checkout.
    shutil.copytree(datasets_dir(), dest / "datasets", ignore=skip)
    compileall.compile_dir(
        dest / "course",
        quiet=2,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )


def library_changes(template: Template, scratch: Path) -> list[str]:
    """Files of a student's library copy (``lib/``) that differ from the template's."""
    prefix = LIB + "/"
    expected = {rel: d for rel, d in template.manifest.items() if rel.startswith(prefix)}
    changed = []
    for rel, digest in sorted(expected.items()):
        path = scratch / rel
        if not path.is_file() or sha256_file(path) != digest:
            changed.append(rel[len(prefix) :])
    lib = scratch / LIB
    if lib.is_dir():
        for path in sorted(lib.rglob("*")):
            rel = str(path.relative_to(scratch))
            # Python may add bytecode for a module it finds without any; nothing else is new.
            if path.is_file() and rel not in expected and "__pycache__" not in path.parts:
                changed.append(rel[len(prefix) :])
    return changed


class TemplateTampered(RuntimeError):
    """The pristine scratch template was modified after it was built."""


def copy_submission(src: Path, dest: Path) -> str:
    """Copy one student's submitted folder and return the digest of what was copied."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(IGNORED_DIR))
    return tree_digest(dest)
