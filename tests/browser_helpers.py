"""Helpers for the browser tests: a throwaway JupyterLab server and JupyterLab 4 page actions.

Nothing here talks to the network except 127.0.0.1. The server runs from this venv with its own
config, data, runtime and settings folders, so a user's personal Jupyter set-up (a vim keymap, an
extra kernel, a dark theme) cannot change what the tests see, and the tests leave nothing in
the user's Jupyter folders.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "tests" / "screenshots"

# Debian's Chromium; COURSE_CHROMIUM points the tests at another Chromium-family binary.
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI and containers run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Generous: two cores shared with other test runs. Playwright timeouts are in milliseconds.
SERVER_START_S = 90
UI_MS = 60_000
KERNEL_MS = 120_000


def in_ci() -> bool:
    """Whether we run in CI, where a missing browser is a failure rather than a skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here (a one-line reason), or None if they can."""
    if importlib.util.find_spec("playwright") is None:
        return "browser tests need the playwright Python package (pip install -e '.[test]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"browser tests need Chromium at {CHROMIUM} "
                "(Debian/Ubuntu: apt-get install chromium; or set COURSE_CHROMIUM)")
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the server


@dataclass
class LabServer:
    """A `jupyter lab` process serving ``root`` on 127.0.0.1 with a random token."""

    root: Path
    home: Path  # throwaway Jupyter config/data/runtime/settings folders live here
    cwd: Path | None = None  # nbgrader's extensions read nbgrader_config.py from the cwd
    app_settings_dir: Path | None = None  # where overrides.json is read from
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Address of ``path`` on the server, with the token (which also logs the browser in)."""
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        dirs = {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
            "IPYTHONDIR": "ipython",
        }
        for var, name in dirs.items():
            path = self.home / name
            path.mkdir(parents=True, exist_ok=True)
            env[var] = str(path)
        # Kernels should start as a student's would: the inline backend, not the tests' Agg.
        env.pop("MPLBACKEND", None)
        env.pop("NBGRADER_EXECUTION", None)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
        ]
        if self.app_settings_dir is not None:
            cmd.append(f"--LabApp.app_settings_dir={self.app_settings_dir}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self) -> LabServer:
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_path = self.home / "jupyter-lab.log"
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command(), cwd=self.cwd or self.root, env=self.env(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log()}")
            with (contextlib.suppress(OSError, ValueError),
                  urllib.request.urlopen(self.url("api/status"), timeout=5) as response):
                if response.status == 200 and "started" in json.load(response):
                    return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_S} s:\n{self.log()}")

    def api(self, path: str) -> dict:
        with urllib.request.urlopen(self.url(path), timeout=30) as response:
            return json.load(response)

    def shutdown_sessions(self) -> None:
        """Shut down every notebook session (and its kernel), so the next test starts quiet."""
        for session in self.api("api/sessions"):
            request = urllib.request.Request(
                f"{self.base}/api/sessions/{session['id']}", method="DELETE",
                headers={"Authorization": f"token {self.token}"},
            )
            with contextlib.suppress(urllib.error.URLError):
                urllib.request.urlopen(request, timeout=30).close()

    def log(self) -> str:
        if self.log_path and self.log_path.is_file():
            return self.log_path.read_text(errors="replace")[-6000:]
        return ""

    def stop(self) -> None:
        """Terminate the server (and its kernels, in its process group); kill it if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # jupyter_server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        # Anything still in the server's own process group (an orphaned kernel) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def prepare_workspace(course: Path, workspace: Path, settings_file: Path) -> str:
    """Build the student workspace with the course's own command, as `make lab` does."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kosovo-course"), "--course-dir", str(course), "lab",
         "--prepare-only", "--workspace", str(workspace), "--settings-file", str(settings_file)],
        cwd=course, text=True, capture_output=True, timeout=600,
    )
    if result.returncode != 0:
        raise AssertionError(f"kosovo-course lab --prepare-only failed:\n{result.stdout}\n"
                             f"{result.stderr}")
    return result.stdout


# --------------------------------------------------------------------------- the page


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def show(element: Locator, block: str = "center") -> None:
    """Scroll ``element`` into the middle of the view and let the notebook paint it.

    Off-screen cells are skipped by `content-visibility: auto`, so their heights are estimates
    until painted: scroll, let two frames pass, and scroll again to land on the real position.
    """
    for _ in range(3):
        element.evaluate(
            """(el, block) => new Promise(done => {
                el.scrollIntoView({block});
                requestAnimationFrame(() => requestAnimationFrame(done));
            })""",
            block,
        )


def dismiss_dialogs(page: Page) -> None:
    """Close any modal JupyterLab dialog (e.g. a kernel chooser) by accepting its default."""
    for _ in range(3):
        dialog = page.locator(".jp-Dialog")
        if dialog.count() == 0:
            return
        button = dialog.locator(".jp-Dialog-button.jp-mod-accept")
        if button.count():
            button.first.click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(300)


def open_notebook(page: Page, server: LabServer, path: str) -> Locator:
    """Open ``path`` in JupyterLab and wait until its kernel is idle; return the notebook panel."""
    # ?reset: start from an empty layout, not the tabs an earlier test left open.
    page.goto(server.url(f"lab/tree/{path}?reset"), wait_until="domcontentloaded", timeout=UI_MS)
    panel = page.locator(".jp-NotebookPanel:visible").first
    panel.locator(".jp-Cell").first.wait_for(state="visible", timeout=UI_MS)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A dialog (e.g. "Select Kernel" if the kernelspec did not resolve) can appear while the
    # kernel starts; accept its default whenever one shows up, until the kernel is idle.
    deadline = time.monotonic() + KERNEL_MS / 1000
    while True:
        dismiss_dialogs(page)
        try:
            wait_kernel_idle(page, timeout=2_000)
            return panel
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


def wait_kernel_idle(page: Page, timeout: int = KERNEL_MS) -> None:
    """Wait until the current notebook has a kernel and it is idle, with nothing queued.

    The status bar reads "Python 3 (ipykernel) | Idle" only once the kernel is connected (the
    toolbar's circle already says idle while it is still connecting), and a queued or running cell
    shows the prompt "[*]:".
    """
    page.wait_for_function(
        """() => {
            const items = [...document.querySelectorAll(
                '#jp-main-statusbar .jp-StatusBar-TextItem')];
            const kernel = items.some(e => /^(?!No Kernel).+ \\| Idle$/.test(e.textContent.trim()));
            const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
                .find(p => !p.classList.contains('lm-mod-hidden'));
            const busy = panel && [...panel.querySelectorAll('.jp-InputPrompt')]
                .some(e => e.textContent.includes('[*]'));
            return kernel && panel && !busy;
        }""",
        timeout=timeout,
    )


def run_all_from_menu(page: Page) -> None:
    """Run → Run All Cells, through the menu bar, as a student would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click(timeout=UI_MS)
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click(timeout=UI_MS)


def cell_with_source(panel: Locator, first_line: str) -> Locator:
    """The notebook cell whose source begins with the line ``first_line`` (exactly).

    The release's "# 🔒 Locked: …" note on locked cells (course/grading/locked.py) does not
    count as the first line. The locator is pinned to the cell's position, so it still finds the
    cell after its source has been edited.
    """
    find = """(cells, first) => cells.findIndex(cell => {
            const lines = [...cell.querySelectorAll('.jp-InputArea .cm-content > .cm-line')]
                .filter(line => !line.textContent.startsWith('# 🔒'));
            return lines.length > 0 && lines[0].textContent === first;
        })"""
    # JupyterLab renders only the cells near the viewport: scroll through the notebook, a
    # screen at a time, until the cell's editor has been drawn.
    scroller = panel.locator(".jp-WindowedPanel-outer").first
    index = -1
    for step in range(40):
        index = panel.locator(".jp-Cell").evaluate_all(find, first_line)
        if index >= 0:
            break
        scroller.evaluate("(el, top) => { el.scrollTop = top ? 0 : el.scrollTop + "
                          "el.clientHeight * 0.8; }", step == 0)
        panel.page.wait_for_timeout(150)
    assert index >= 0, f"no cell begins with {first_line!r}"
    return panel.locator(".jp-Cell").nth(index)


def replace_line(page: Page, cell: Locator, old: str, new: str) -> None:
    """In a code cell's CodeMirror 6 editor, replace the line reading ``old`` by typing ``new``."""
    line = cell.locator(".cm-content .cm-line", has_text=re.compile(f"^{re.escape(old)}$"))
    line.first.click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type(new)
    page.keyboard.press("Escape")  # back to command mode, as after editing


