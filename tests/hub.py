"""A real JupyterHub for the tests that need one (``pytest -m hub``).

The hub is the test's own: started from this venv's ``jupyterhub`` with npm's
``configurable-http-proxy``, everything on 127.0.0.1 and free ports, its database, cookie
secret and proxy pid in a temporary folder, stopped (with every server it spawned) after. Nobody
logs in with a password (``NullAuthenticator``): the test drives the hub's REST API with a
service token and each user's own API token, and is served by each user's single-user server
through the hub's proxy.

The servers are spawned by ``SimpleLocalProcessSpawner``: one process per user, each with its
own home folder, all as the test's own Unix user. Real Unix users (``LocalProcessSpawner``)
cannot run here: this machine's Python lives under /root (mode 0700), which no other user may
enter. nbgrader then names every student after that one Unix user; the students' nbgrader
config names them after ``JUPYTERHUB_USER`` instead, as container deployments must (see
docs/guide/jupyterhub.md).

A developer's run without the proxy or without jupyterhub skips; CI (``CI=true``) fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from postgres import free_port, mark_owner, stale_folders, unavailable

BIN = Path(sys.executable).parent
PROXY = "configurable-http-proxy"
PREFIX = "kosovo-hub-"
START_TIMEOUT = 180.0  # seconds: the hub, or one user's server, on a loaded 2-core machine


@dataclass
class Hub:
    """A running hub: its URL, its process, its users and their API tokens."""

    base: Path
    url: str
    token: str  # the test's service token (admin of users and servers)
    proc: subprocess.Popen[bytes]
    users: list[str] = field(default_factory=list)
    proxy_api_port: int = 0

    def home(self, user: str) -> Path:
        """A user's home folder: their single-user server's root."""
        return self.base / "home" / user

    user_tokens: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, token: str | None = None, **kw):
        """Call the hub's REST API (``/hub/api`` + ``path``) and return the response."""
        import requests

        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kw
        )

    def server(self, user: str, method: str, path: str, **kw):
        """Call ``user``'s single-user server through the proxy, with ``user``'s own token."""
        import requests

        headers = {"Authorization": f"token {self.user_tokens[user]}"}
        url = f"{self.url}/user/{user}{path}"
        return requests.request(method, url, headers=headers, timeout=300, **kw)

    def start_server(self, user: str) -> None:
        """Spawn ``user``'s server and return when the hub reports it ready (progress stream)."""
        r = self.api("POST", f"/users/{user}/server")
        assert r.status_code in (201, 202), f"spawn {user}: {r.status_code} {r.text}"
        # The progress endpoint streams events until the server is ready or has failed.
        r = self.api("GET", f"/users/{user}/server/progress", stream=True)
        assert r.status_code == 200, r.text
        last: dict = {}
        for line in r.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                last = json.loads(line[5:])
                if last.get("ready") or last.get("failed"):
                    break
        r.close()
        assert last.get("ready"), f"{user}'s server did not start: {last}\n{self.log()}"
        if user not in self.user_tokens:
            made = self.api("POST", f"/users/{user}/tokens", json={"note": "hub test"})
            assert made.status_code in (200, 201), made.text
            self.user_tokens[user] = made.json()["token"]

    def log(self) -> str:
        """The hub's log so far (its stderr), for failure messages."""
        path = self.base / "hub.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""


HUB_CONFIG = """\
# A one-machine JupyterHub for the tests (tests/hub.py): loopback only, no password logins.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {pid_file!r}
c.JupyterHub.db_url = "sqlite:///{base}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.authenticator_class = "null"
c.Authenticator.allowed_users = set({users!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r}
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = {timeout}
c.Spawner.http_timeout = {timeout}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "hub-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "hub-test",
        "scopes": ["admin:users", "admin:servers", "tokens", "read:users"],
        "services": ["hub-test"],
    }}
]
"""


def start_hub(users: list[str], environment: dict[str, str]) -> Hub:
    """Start a hub for ``users``; the caller must call ``stop_hub``."""
    proxy = shutil.which(PROXY)
    if proxy is None:
        raise RuntimeError(f"no {PROXY} on PATH: npm install -g {PROXY}")
    if not (BIN / "jupyterhub").exists():
        raise RuntimeError("jupyterhub is not installed: pip install -e '.[hub]'")
    for folder in stale_folders(PREFIX):
        _stop_stale_hub(folder)
    base = Path(tempfile.mkdtemp(prefix=PREFIX))
    mark_owner(base)
    homes = base / "home"
    homes.mkdir(mode=0o755)
    token = secrets.token_hex(32)
    port, proxy_api_port = free_port(), free_port()
    config = HUB_CONFIG.format(
        port=port,
        hub_port=free_port(),
        proxy_api_port=proxy_api_port,
        proxy=proxy,
        pid_file=str(base / "proxy.pid"),
        base=base,
        cookie=str(base / "cookie_secret"),
        users=sorted(users),
        homes=str(homes / "{username}"),
        # Jupyter refuses to run as root unless told (CI runs as root).
        args=["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [],
        singleuser=str(BIN / "jupyterhub-singleuser"),
        environment=environment,
        timeout=int(START_TIMEOUT),
        token=token,
    )
    (base / "jupyterhub_config.py").write_text(config)
    try:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
        log = open(base / "hub.log", "wb")  # noqa: SIM115 (closed when the hub stops)
        proc = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(base / "jupyterhub_config.py")],
            cwd=base,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        (base / "hub.pid").write_text(str(proc.pid))
        hub = Hub(base, f"http://127.0.0.1:{port}", token, proc, list(users), proxy_api_port)
        _wait_ready(hub)
        made = hub.api("POST", "/users", json={"usernames": list(users)})
        # 409: the hub already added them from allowed_users.
        if made.status_code not in (201, 409):
            raise RuntimeError(f"could not create the hub users: {made.status_code} {made.text}")
        return hub
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise


def _wait_ready(hub: Hub) -> None:
    """Return once the hub answers through its proxy; raise with its log if it exits first."""
    import requests

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.proc.poll() is not None:
            stop_hub(hub)
            raise RuntimeError(f"jupyterhub exited with {hub.proc.returncode}:\n{hub.log()}")
        try:
            if requests.get(f"{hub.url}/hub/api/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)  # a poll interval, not a synchronisation: the loop checks readiness
    log = hub.log()
    stop_hub(hub)
    raise RuntimeError(f"jupyterhub did not answer within {START_TIMEOUT:g} s:\n{log}")


def stop_hub(hub: Hub) -> None:
    """Stop the hub (it stops the servers and the proxy it started) and remove its files."""
    if hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)
        try:
            hub.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait()
            _stop_orphaned_proxy(hub.base / "proxy.pid", hub.proxy_api_port)
    shutil.rmtree(hub.base, ignore_errors=True)


def _stop_orphaned_proxy(pid_file: Path, api_port: int) -> None:
    """End the proxy a killed hub left running: its pid from the hub's pid file, if it is ours."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    args = cmdline.split(b"\0")
    if any(PROXY.encode() in a for a in args) and str(api_port).encode() in args:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def _stop_stale_hub(folder: Path) -> None:
    """End the hub a killed test session left in ``folder`` (by its pid and config path)."""
    config = str(folder / "jupyterhub_config.py").encode()
    try:
        pid = int((folder / "hub.pid").read_text())
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        args = []
    if config in args:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)  # the hub stops its servers and its proxy
        deadline = time.monotonic() + 90
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)  # a poll interval while the hub shuts down
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def make_hub() -> Iterator:
    """``make_hub(users, environment)`` starts a hub; every hub it started is stopped after."""
    started: list[Hub] = []

    def make(users: list[str], environment: dict[str, str]) -> Hub:
        try:
            import requests  # noqa: F401
        except ImportError:
            unavailable("requests (a jupyterhub dependency) is missing: pip install -e '.[hub]'")
        try:
            hub = start_hub(users, environment)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            unavailable(f"a JupyterHub could not be started: {exc}")
        started.append(hub)
        return hub

    yield make
    for hub in started:
        stop_hub(hub)
