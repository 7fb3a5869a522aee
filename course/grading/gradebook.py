"""The course gradebook as a database: check it can be used, and snapshot it for a scratch course.

nbgrader keeps its gradebook wherever ``CourseDirectory.db_url`` points: a SQLite file (its
default) or a database server such as PostgreSQL (``postgresql+psycopg://USER@HOST/DB``). The
grading coordinator is the only writer of the real gradebook; nbgrader itself runs in scratch
courses, each with a private SQLite copy made here, whatever the real one is.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from course.grading.coursedir import CourseError, display_url, sqlite_path

if TYPE_CHECKING:
    from nbgrader.api import Gradebook

T = TypeVar("T")

# How long to keep retrying a connection the server refused for its connection limit (s).
CONNECT_WAIT = 60.0
TOO_MANY_CONNECTIONS = "53300"  # PostgreSQL's SQLSTATE too_many_connections


def refused_for_limit(exc: BaseException) -> bool:
    """Whether a failed connection was refused for a connection limit (role, database, server).

    A backend whose client has just disconnected still counts against the limit until its
    process has exited; under load that takes a moment, and the next connection is refused.
    """
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == TOO_MANY_CONNECTIONS:
        return True
    text = str(orig)
    return "too many connections" in text or "remaining connection slots are reserved" in text


def retry_connect(connect: Callable[[], T], wait: float | None = None) -> T:
    """``connect()``, tried again (with back-off, up to ``wait`` s, default
    :data:`CONNECT_WAIT`) while the database server refuses it for a connection limit; any
    other error, or the last refusal, is raised."""
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + (CONNECT_WAIT if wait is None else wait)
    delay = 0.05
    while True:
        try:
            return connect()
        except OperationalError as exc:
            if not refused_for_limit(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def open_gradebook(db_url: str, course_id: str | None = None) -> Gradebook:
    """nbgrader's ``Gradebook`` at ``db_url`` (use as a context manager), opened with
    :func:`retry_connect`: one connection, closed when the Gradebook is.

    Raises CourseError (one line, what to do) when the server still refuses for its connection
    limit after :data:`CONNECT_WAIT` seconds; other errors pass through.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import OperationalError

    try:
        if course_id is None:
            return retry_connect(lambda: Gradebook(db_url))
        return retry_connect(lambda: Gradebook(db_url, course_id))
    except OperationalError as exc:
        if not refused_for_limit(exc):
            raise
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[-1].strip()
        raise CourseError(
            f"The gradebook server at {display_url(db_url)} refused a connection for "
            f"{CONNECT_WAIT:g} s ({reason}). Other programs hold this role's connections "
            "(formgrader, an nbgrader command, psql): close one or raise the role's CONNECTION "
            "LIMIT, then run the command again. Students already graded are kept."
        ) from None


def backup_sqlite(src: Path, dst: Path) -> None:
    """Copy a SQLite database consistently, even while another connection writes to it."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    os.replace(tmp, dst)


def snapshot_gradebook(db_url: str, dst: Path) -> None:
    """Write the gradebook at ``db_url`` to the SQLite file ``dst``, rows and schema version.

    A SQLite gradebook is copied with SQLite's online backup. Any other database (PostgreSQL)
    is copied row by row, table by table, in one read transaction, into a new file with
    nbgrader's schema: the scratch course then sees exactly the rows the real gradebook had.
    A SQLite gradebook that does not exist yet gives no file (nbgrader creates an empty one).
    """
    path = sqlite_path(db_url)
    if path is not None:
        if path.exists():
            backup_sqlite(path, dst)
        return
    from nbgrader.api import Base
    from sqlalchemy import create_engine, inspect, select, text
    from sqlalchemy.pool import NullPool

    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    tmp.unlink(missing_ok=True)
    source = create_engine(db_url, poolclass=NullPool)
    target = create_engine(f"sqlite:///{tmp}", poolclass=NullPool)
    try:
        with retry_connect(source.connect) as src, target.begin() as out:
            Base.metadata.create_all(out)
            if inspect(src).has_table("alembic_version"):
                versions = src.execute(text("SELECT version_num FROM alembic_version")).all()
                out.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
                insert = text("INSERT INTO alembic_version (version_num) VALUES (:v)")
                for (version,) in versions:
                    out.execute(insert, {"v": version})
            # Parents before children, so every foreign key points at a row already there.
            for table in Base.metadata.sorted_tables:
                if not inspect(src).has_table(table.name):
                    continue
                rows = [dict(r) for r in src.execute(select(table)).mappings()]
                if rows:
                    out.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
    os.replace(tmp, dst)


def check_gradebook(db_url: str, assignment: str, wait: float = 5.0) -> None:
    """Raise a CourseError, with a way out, if the gradebook cannot be opened and read.

    For SQLite: an unreadable or locked file. For a server: no connection (server down, wrong
    host, database or credentials). Nothing is written either way.
    """
    path = sqlite_path(db_url)
    if path is None:
        _check_server(db_url, assignment, wait)
    elif path.is_file():
        _check_sqlite(path, assignment, wait)


def _check_sqlite(path: Path, assignment: str, wait: float) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=wait)
        try:
            con.execute("select count(*) from sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise CourseError(
                f"The gradebook {path} is locked by another program ({exc}; waited "
                f"{wait:g} s). Formgrader, a Jupyter server or an nbgrader command working on "
                "this course may be writing to it. Nothing was graded and nothing was changed. "
                "Let that program finish or close it, then run `kosovo-course grade "
                f"{assignment}` again."
            ) from None
        raise CourseError(
            f"The gradebook {path} is not a readable SQLite database ({exc}). Nothing was "
            "graded and nothing was changed. Move it aside and put back a backup (a copy a "
            f"grading run set aside is in reports/{assignment}/gradebook-tampered-*.db, if "
            "any), or, to start from an empty gradebook, move it aside and run "
            f"`kosovo-course release {assignment}` to create a new one; then run grade again."
        ) from None


def _check_server(db_url: str, assignment: str, wait: float) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    shown = display_url(db_url)
    try:
        engine = create_engine(db_url, poolclass=NullPool, connect_args=_timeout_args(db_url, wait))
    except (ArgumentError, ImportError) as exc:
        raise CourseError(
            f"CourseDirectory.db_url = {shown} cannot be used ({type(exc).__name__}: {exc}). "
            "For PostgreSQL install the driver (pip install 'kosovo-course[postgres]') and "
            "write the URL as postgresql+psycopg://USER@HOST:PORT/DATABASE."
        ) from None
    try:
        with retry_connect(engine.connect, wait) as con:
            con.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CourseError(
            f"Cannot open the gradebook at {shown}: {reason}. Nothing was graded and nothing "
            "was changed. Check that the database server is running and reachable, that the "
            "database exists (createdb) and that the password is in ~/.pgpass (or "
            f"PGPASSFILE); then run `kosovo-course grade {assignment}` again."
        ) from None
    finally:
        engine.dispose()


def _timeout_args(db_url: str, wait: float) -> dict[str, int]:
    """A connect timeout for drivers that take one (libpq's ``connect_timeout``, in seconds)."""
    if db_url.startswith("postgresql"):
        return {"connect_timeout": max(1, round(wait))}
    return {}
