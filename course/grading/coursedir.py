"""Locate and validate an nbgrader course directory and load its configuration."""

from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # nbgrader takes ~2 s to import; only the commands that need it pay for it
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

CONFIG_FILE = "nbgrader_config.py"


class CourseError(Exception):
    """A problem with the course directory the instructor should fix (printed without traceback)."""


def find_course_root(start: str | os.PathLike[str] | None = None) -> Path:
    """Return the course directory: ``start`` (default: the current directory) with its config."""
    root = Path(start) if start is not None else Path.cwd()
    root = root.expanduser().resolve()
    if not root.is_dir():
        raise CourseError(f"Course directory {root} does not exist.")
    if not (root / CONFIG_FILE).is_file():
        raise CourseError(
            f"{root} is not an nbgrader course directory: it has no {CONFIG_FILE}. "
            "Run kosovo-course from the course folder or pass --course-dir DIR."
        )
    return root


def load_nbgrader_config(root: Path) -> Config:
    """Load the config exactly as ``nbgrader <cmd>`` run in ``root`` would, with absolute paths."""
    from jupyter_core.application import JupyterApp
    from nbgrader.apps.baseapp import NbGrader

    app = NbGrader()
    # The global search path is the same for every nbgrader command; the cwd is not, so the course
    # root stands in for it, as it does when nbgrader is run from the course folder.
    app.load_cwd_config = False
    level = app.log.level
    app.log.setLevel(logging.ERROR)  # silence "No nbgrader_config.py file found" for global paths
    try:
        app.load_config_file()
        super(JupyterApp, app).load_config_file(CONFIG_FILE, path=str(root))
    finally:
        app.log.setLevel(level)
    cfg = copy.deepcopy(app.config)
    cfg.CourseDirectory.root = str(root)
    cfg.CourseDirectory.db_url = absolute_db_url(cfg.CourseDirectory.get("db_url"), root)
    return cfg


def absolute_db_url(db_url: str | None, root: Path) -> str:
    """Resolve a relative SQLite URL against the course root (nbgrader resolves it against cwd)."""
    if not db_url:
        return f"sqlite:///{root / 'gradebook.db'}"
    prefix = "sqlite:///"
    if db_url.startswith(prefix):
        path = db_url[len(prefix) :]
        if path and path != ":memory:" and not os.path.isabs(path):
            return prefix + str(root / path)
    return db_url


def sqlite_path(db_url: str) -> Path | None:
    """Return the file of a SQLite gradebook URL, or None for any other database."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url[len(prefix) :] not in ("", ":memory:"):
        return Path(db_url[len(prefix) :])
    return None


def display_url(db_url: str) -> str:
    """The gradebook URL as it may be printed: a password in it is shown as ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<an unreadable URL>"


@dataclass
class Course:
    """An nbgrader course directory and its loaded configuration."""

    root: Path
    config: Config
    _coursedir: CourseDirectory | None = field(default=None, repr=False)

    @classmethod
    def open(cls, start: str | os.PathLike[str] | None = None) -> Course:
        """Open the course directory at ``start`` (default: the current directory)."""
        root = find_course_root(start)
        return cls(root=root, config=load_nbgrader_config(root))

    # --- nbgrader objects -------------------------------------------------------------------
    @property
    def coursedir(self) -> CourseDirectory:
        """nbgrader's CourseDirectory for this course (one per Course, reused)."""
        if self._coursedir is None:
            from nbgrader.coursedir import CourseDirectory

            self._coursedir = CourseDirectory(config=copy.deepcopy(self.config))
        return self._coursedir

    def api(self, **extra: Any) -> NbGraderAPI:
        """A fresh NbGraderAPI bound to this course's config."""
        from nbgrader.apps import NbGraderAPI

        cfg = copy.deepcopy(self.config)
        for key, value in extra.items():
            section, name = key.split(".", 1)
            cfg[section][name] = value
        return NbGraderAPI(config=cfg)

    def gradebook(self) -> Gradebook:
        """Open the course gradebook (use as a context manager).

        Each call opens one connection (SQLite file or database server) and closing the
        Gradebook closes it: nbgrader's ``Gradebook.close`` disposes of its engine.
        """
        from course.grading.gradebook import open_gradebook

        return open_gradebook(self.db_url, self.course_id)

    # --- configuration values ---------------------------------------------------------------
    @property
    def course_id(self) -> str:
        """The nbgrader course id."""
        return self.coursedir.course_id

    @property
    def db_url(self) -> str:
        """The gradebook URL, with SQLite paths made absolute."""
        return str(self.config.CourseDirectory.db_url)

    @property
    def db_path(self) -> Path | None:
        """The gradebook file when the gradebook is SQLite, else None (a database server)."""
        return sqlite_path(self.db_url)

    def step_dir(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """nbgrader's folder for ``step`` ("source", "release", ...), student and assignment."""
        name = getattr(self.coursedir, f"{step}_directory")
        return Path(os.path.normpath(self.coursedir.format_path(name, student, assignment)))

    @property
    def reports_dir(self) -> Path:
        """Where kosovo-course writes its reports (not an nbgrader folder)."""
        return self.root / "reports"

    def assignment_reports(self, assignment: str) -> Path:
        """The report folder of one assignment, created on demand."""
        path = self.reports_dir / assignment
        path.mkdir(parents=True, exist_ok=True)
        return path

    # --- assignments ------------------------------------------------------------------------
    def assignments(self) -> list[str]:
        """The assignments with at least one source notebook, sorted by name."""
        source = self.step_dir("source")
        if not source.is_dir():
            return []
        return sorted(
            p.name
            for p in source.iterdir()
            if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb"))
        )

    def notebooks(self, assignment: str) -> list[str]:
        """The notebook names (without .ipynb) of an assignment's source."""
        folder = self.step_dir("source", assignment=assignment)
        return sorted(p.stem for p in folder.glob("*.ipynb"))

    def require_assignment(self, assignment: str) -> str:
        """Return ``assignment`` if its source exists, else raise a CourseError with the choices."""
        known = self.assignments()
        if assignment not in known:
            choices = ", ".join(known) or "none"
            raise CourseError(
                f"No assignment {assignment!r} in {self.step_dir('source')} ({choices})."
            )
        return assignment
