"""Run nbgrader's own converters in-process, with their log captured, on any course directory."""

from __future__ import annotations

import copy
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from traitlets.config import Config


def ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts folder on PATH (nbgrader shells out to ``alembic``).

    ``.venv/bin/kosovo-course`` runs without an activated venv; nbgrader's Gradebook then fails
    to find ``alembic`` when it creates a new gradebook, leaving it without a schema version.
    """
    scripts = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if scripts not in parts:
        os.environ["PATH"] = os.pathsep.join([scripts, *[p for p in parts if p]])


@contextmanager
def shared_engines(**engine_kwargs: Any) -> Iterator[None]:
    """One SQLAlchemy engine per gradebook URL inside the block.

    nbgrader opens a new ``Gradebook`` (and so a new engine) about ten times per student, and
    every engine compiles every query afresh: a third of a worker's own CPU time. Sharing one
    engine per URL keeps SQLAlchemy's compiled-query cache warm; the queries, the database and
    the results are exactly nbgrader's. ``engine_kwargs`` are added to each new engine (the
    coordinator uses NullPool: no connection outlives a merge, so a restored gradebook file is
    always the one written). The engines are disposed when the block ends.
    """
    import nbgrader.api as nbapi

    original = getattr(nbapi, "create_engine", None)
    if original is None:  # a future nbgrader without this hook: grade as is
        yield
        return
    engines: dict[str, Any] = {}

    def create_engine(url: Any, *args: Any, **kwargs: Any) -> Any:
        key = f"{url}|{sorted(kwargs.items())}"
        if key not in engines:
            engines[key] = original(url, *args, **{**kwargs, **engine_kwargs})
        return engines[key]

    nbapi.create_engine = create_engine
    try:
        yield
    finally:
        nbapi.create_engine = original
        for engine in engines.values():
            engine.dispose()


@dataclass
class RunResult:
    """What one nbgrader step did: success, its log, and the traceback when it failed."""

    success: bool
    log: str = ""
    error: str = ""


@contextmanager
def quiet_nbgrader() -> Iterator[None]:
    """Hide SQLAlchemy's SAWarnings, which nbgrader's own gradebook code triggers on every run."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        yield


@contextmanager
def kernel_output_to(path: str | os.PathLike[str] | None = None) -> Iterator[str]:
    """Send this process's stdout/stderr file descriptors to a file while kernels run.

    Kernels inherit them and print start-up warnings there; the instructor's terminal should
    show kosovo-course's report instead. Yields the path of the file holding that output.
    """
    if path is None:
        fd, name = tempfile.mkstemp(prefix="kosovo-kernels-", suffix=".log")
        os.close(fd)
    else:
        name = str(path)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(name, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield name
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd_ in saved:
                os.close(fd_)


@contextmanager
def _info_logging() -> Iterator[None]:
    # Without a running nbgrader app, converters log to the "traitlets" logger, which lets only
    # warnings through; the captured log needs the INFO lines ("No submitted file", ...).
    logger = logging.getLogger("traitlets")
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(old)


def _start(app: Any) -> RunResult:
    from nbgrader.utils import capture_log

    with _info_logging(), quiet_nbgrader():
        out = capture_log(app)
    return RunResult(bool(out.get("success")), out.get("log", ""), out.get("error", ""))


def _coursedir(config: Config, **attrs: str) -> tuple[Config, Any]:
    from nbgrader.coursedir import CourseDirectory

    cfg = copy.deepcopy(config)
    for name, value in attrs.items():
        cfg.CourseDirectory[name] = value
    return cfg, CourseDirectory(config=cfg)


def autograde(
    config: Config,
    assignment: str,
    student: str,
    *,
    force: bool = True,
    notebook: str | None = None,
) -> RunResult:
    """``nbgrader autograde ASSIGNMENT --student STUDENT [--notebook NAME]`` on ``config``'s course.

    As ``nbgrader autograde`` does (AutogradeApp._load_config), ``AutogradeApp.*`` settings are
    applied to the Autograde converter.
    """
    from nbgrader.converters import Autograde

    attrs = {"assignment_id": assignment, "student_id": student}
    if notebook:
        attrs["notebook_id"] = notebook
    cfg, coursedir = _coursedir(config, **attrs)
    if "AutogradeApp" in cfg:
        cfg.Autograde.merge(cfg.AutogradeApp)
        del cfg.AutogradeApp
    converter = Autograde(coursedir=coursedir, config=cfg)
    converter.force = force
    return _start(converter)


def generate_assignment(config: Config, assignment: str, *, force: bool = True) -> RunResult:
    """``nbgrader generate_assignment ASSIGNMENT --force`` (creates it in the gradebook too)."""
    from nbgrader.converters import GenerateAssignment

    cfg, coursedir = _coursedir(config, assignment_id=assignment)
    converter = GenerateAssignment(coursedir=coursedir, config=cfg)
    converter.force = force
    converter.create_assignment = True
    return _start(converter)


def generate_feedback(
    config: Config, assignment: str, student: str = "*", *, force: bool = True
) -> RunResult:
    """``nbgrader generate_feedback ASSIGNMENT`` with nbgrader's feedback HTML template."""
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config as TConfig

    extra = TConfig()
    # As NbGraderAPI.generate_feedback does: formgrader may have set another HTML template.
    extra.HTMLExporter.template_name = "feedback"
    cfg, coursedir = _coursedir(config, assignment_id=assignment, student_id=student)
    cfg.merge(extra)
    converter = GenerateFeedback(coursedir=coursedir, config=cfg)
    converter.force = force
    return _start(converter)
