"""A private PostgreSQL server for the tests that need one (``pytest -m postgres``).

The server is the test session's own: a new cluster (``initdb``) in a temporary folder, started
with ``pg_ctl`` on a free port of 127.0.0.1 only, its Unix socket in that folder, password
(SCRAM) authentication for every connection, and removed when the session ends. As root it runs
as the ``postgres`` system user that Debian's ``postgresql`` package creates (``nobody`` if
there is none): PostgreSQL refuses to run as root.

Without the server binaries a developer's run skips; CI (``CI=true``) fails with the reason.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ENV_BIN = "KOSOVO_PG_BIN"
PREFIX = "kosovo-pg-"  # a folder holding initdb and pg_ctl, if not the usual ones


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the server must be there."""
    if _in_ci():
        pytest.fail(f"this test must run in CI but cannot: {reason}", pytrace=False)
    pytest.skip(reason)


def server_bin() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: $KOSOVO_PG_BIN, PATH, or Debian's newest version."""
    if os.environ.get(ENV_BIN):
        return Path(os.environ[ENV_BIN])
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now (the kernel's pick for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OWNER = "owner.pid"  # in each service folder: the pid of the test process that made it


def mark_owner(folder: Path) -> None:
    """Record this test process as the owner of a service folder (see ``stale_folders``)."""
    (folder / OWNER).write_text(str(os.getpid()))


def stale_folders(prefix: str) -> list[Path]:
    """Service folders under the temp dir whose owner process is gone.

    A test process killed by a signal runs no teardown: its server is left running. The next
    session ends what such a process left, found by its folder, never by a process name.
    """
    stale = []
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            pid = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stale.append(folder)
        except PermissionError:
            continue
    return stale


@dataclass
class PostgresServer:
    """A running private server: where it listens and how to reach it as its superuser."""

    bindir: Path
    base: Path  # the temporary folder: data/, the socket, the log
    port: int
    password: str
    user: str | None  # the system user the server runs as (None: the current user)
    superuser: str = "postgres"

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) over TCP on 127.0.0.1."""
        who = user or self.superuser
        secret = password if password is not None else self.password
        return f"postgresql+psycopg://{who}:{secret}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        """Run one SQL statement as the superuser (autocommit) and return its rows."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.superuser,
            password=self.password,
            dbname=database,
            autocommit=True,
        ) as con:
            cur = con.execute(sql)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str, owner: str, password: str, limit: int = -1) -> str:
        """A new role (with a connection limit) owning a new database; return its URL."""
        self.execute(
            f"CREATE ROLE {owner} LOGIN PASSWORD '{password}' CONNECTION LIMIT {int(limit)}"
        )
        self.execute(f"CREATE DATABASE {name} OWNER {owner}")
        return self.url(name, owner, password)

    def connections(self, user: str, settle: float = 60.0) -> int:
        """How many sessions ``user`` still has open (pg_stat_activity) once closed ones are gone.

        A backend whose client has disconnected is listed until its process exits, which on a
        busy machine takes a moment: poll until none is left, for up to ``settle`` seconds (a
        leaked connection stays open, so it is still counted then).
        """
        import time

        deadline = time.monotonic() + settle
        while True:
            rows = self.execute(
                f"SELECT count(*) FROM pg_stat_activity WHERE usename = '{user}'"
            )
            count = int(rows[0][0])
            if count == 0 or time.monotonic() > deadline:
                return count
            time.sleep(0.1)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            user=self.user,
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def stop(self) -> None:
        """Stop the server at once (nothing in it is kept) and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def _folder_user(folder: Path) -> str | None:
    """The user a left-over server ran as: the owner of its folder (None: ourselves)."""
    uid = folder.stat().st_uid
    return None if uid == os.geteuid() else pwd.getpwuid(uid).pw_name


def _run_as() -> str | None:
    """The unprivileged system user to run the server as root, or None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def start_server() -> PostgresServer:
    """initdb and start a new server; raise RuntimeError with its log if it does not start."""
    bindir = server_bin()
    if bindir is None or not (bindir / "initdb").exists():
        raise FileNotFoundError(
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's `postgresql` "
            f"package or set {ENV_BIN}"
        )
    user = _run_as()
    if os.geteuid() == 0 and user is None:
        raise RuntimeError("running as root and there is no `postgres` or `nobody` user")
    # Not under pytest's tmp_path: that is private to root, and the server runs as `user`.
    for folder in stale_folders(PREFIX):
        left = PostgresServer(bindir, folder, 0, "", _folder_user(folder))
        left.stop()
    base = Path(tempfile.mkdtemp(prefix=PREFIX))
    mark_owner(base)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    password = secrets.token_hex(16)
    server = PostgresServer(bindir, base, 0, password, user)
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n")
    if user is not None:
        os.chown(pwfile, pwd.getpwnam(user).pw_uid, -1)
    pwfile.chmod(0o600)
    init = server._run(
        str(bindir / "initdb"),
        "-D",
        str(server.data),
        "-U",
        server.superuser,
        "--auth=scram-sha-256",
        f"--pwfile={pwfile}",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
    )
    pwfile.unlink()
    if init.returncode != 0:
        server.stop()
        raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    last = ""
    for _ in range(3):  # another program may take the free port before the server binds it
        server.port = free_port()
        options = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -k {base} "
            "-c max_connections=40 -c fsync=off"
        )
        start = server._run(
            str(bindir / "pg_ctl"),
            "start",
            "-w",  # wait until the server accepts connections
            "-t",
            "120",
            "-D",
            str(server.data),
            "-l",
            str(server.log),
            "-o",
            options,
        )
        if start.returncode == 0:
            return server
        last = start.stdout + start.stderr + (server.log.read_text() if server.log.exists() else "")
    server.stop()
    raise RuntimeError(f"pg_ctl start failed:\n{last}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the test session, removed at its end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("the psycopg driver is not installed: pip install -e '.[postgres]'")
    try:
        server = start_server()
    except (OSError, RuntimeError) as exc:
        unavailable(f"a private PostgreSQL server could not be started: {exc}")
    try:
        yield server
    finally:
        server.stop()
