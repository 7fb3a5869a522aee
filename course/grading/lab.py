"""``kosovo-course lab`` (what ``make lab`` runs): a student workspace and JupyterLab.

Release every assignment, copy each released file into the workspace only if it is not there
yet (a student's work is never overwritten), turn off JupyterLab's first-run news prompt, and
start JupyterLab on the workspace as a *student* workspace: nbgrader's instructor extensions
(the Create Assignment cell toolbar, Formgrader, the course list) are disabled in a Jupyter
config folder of the workspace's own, which ``jupyter lab`` is started with. The user's and the
environment's Jupyter configuration are not touched, so an instructor's ``jupyter lab`` in the
same environment keeps every extension.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading.coursedir import Course

# Both keys are in @jupyterlab/apputils-extension's notification.json schema; fetchNews is a
# string enum ("true" / "false" / "none"), not a boolean.
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
NOTIFICATION_SETTINGS = {"checkForUpdates": False, "fetchNews": "false"}

# nbgrader's instructor-only parts, as its installation guide names them. One click on Create
# Assignment's cell role menu changes a cell's grade id or role, and grading then scores the
# notebook as if that question were missing; Formgrader and the course list need the gradebook
# and the exchange, which students do not have. Validate (and the assignment list) stay.
INSTRUCTOR_LAB_PLUGINS = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
STUDENT_CONFIG_DIR = ".jupyter"  # inside the workspace; hidden in JupyterLab's file browser


@dataclass
class WorkspaceCopy:
    """Which released files were copied into the workspace and which were already there."""

    new: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def fill_workspace(release_dir: Path, workspace: Path) -> WorkspaceCopy:
    """Copy every file of ``release_dir`` into ``workspace`` that does not exist there yet."""
    result = WorkspaceCopy()
    for src in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in src.parts:
            continue
        dest = workspace / src.relative_to(release_dir)
        if dest.exists():
            result.kept.append(dest)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)  # not copy2: the student's copy must be writable
        result.new.append(dest)
    return result


def overrides_path(prefix: str | None = None) -> Path:
    """JupyterLab's application-wide settings overrides file for this environment."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(path: Path) -> dict[str, Any]:
    """Merge the notification settings into overrides.json, keeping every other setting."""
    return _merge_json(path, {NOTIFICATION_PLUGIN: NOTIFICATION_SETTINGS})


def _deep_merge(data: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    for key, value in update.items():
        current = data.get(key)
        if isinstance(value, dict):
            data[key] = _deep_merge(current if isinstance(current, dict) else {}, value)
        else:
            data[key] = value
    return data


def _merge_json(path: Path, update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into the JSON object in ``path`` (created if missing), keeping the rest.

    A file that is not valid JSON is kept beside it as ``<name>.invalid`` and replaced.
    """
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            # keep what we could not read
            shutil.copyfile(path, path.with_name(path.name + ".invalid"))
    if not isinstance(data, dict):
        data = {}
    data = _deep_merge(data, update)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return data


def write_student_config(config_dir: Path) -> None:
    """Disable nbgrader's instructor extensions in the Jupyter config folder ``config_dir``.

    The lab plugins go where ``jupyter labextension disable --level=user`` puts them with
    ``JUPYTER_CONFIG_DIR=config_dir`` (``labconfig/page_config.json``; these lists are merged
    across config folders). The server extensions go into ``jupyter_server_config.json`` as a
    ``ServerApp.jpserver_extensions`` setting rather than into ``jupyter_server_config.d/``:
    inside a virtual environment Jupyter reads the environment's folder *before* the user's, so
    nbgrader's own ``.d`` file, which enables them, would win; a loaded setting is not overridden
    by ``.d`` files. Settings already in either file are kept.
    """
    _merge_json(config_dir / "labconfig" / "page_config.json",
                {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PLUGINS, True)})
    _merge_json(config_dir / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions":
                               dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False)}})


def student_environment(workspace: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment ``jupyter lab`` runs with: Jupyter config read from the workspace."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_DIR"] = str(workspace / STUDENT_CONFIG_DIR)
    return env


def lab_command(workspace: Path, *, open_browser: bool, port: int | None) -> list[str]:
    """The ``jupyter lab`` command line for the workspace."""
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or "jupyter"
    cmd = [jupyter, "lab", f"--notebook-dir={workspace}"]
    if not open_browser:
        cmd.append("--no-browser")
    if port:
        cmd.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; Jupyter refuses without it
    return cmd


def lab(
    course: Course,
    *,
    workspace: Path | None = None,
    open_browser: bool = True,
    port: int | None = None,
    prepare_only: bool = False,
    settings: Path | None = None,
) -> int:
    """Release, fill the workspace, write settings, then exec JupyterLab (unless prepare_only)."""
    from course.grading.release import release

    ws = (workspace or course.root / "workspace").resolve()
    ws.mkdir(parents=True, exist_ok=True)
    failed = 0
    for report in release(course, verify=False):
        if not report.ok:
            failed += 1
            print(f"{report.assignment}: release FAILED: " + "; ".join(report.problems))
            continue
        copied = fill_workspace(
            course.step_dir("release", assignment=report.assignment), ws / report.assignment
        )
        print(
            f"{report.assignment}: {len(copied.new)} new file(s), "
            f"{len(copied.kept)} kept (already in the workspace)"
        )
        for p in copied.new:
            print(f"  new   {p.relative_to(ws)}")
        for p in copied.kept:
            print(f"  kept  {p.relative_to(ws)}")
    settings = settings or overrides_path()
    write_overrides(settings)
    write_student_config(ws / STUDENT_CONFIG_DIR)
    print(f"JupyterLab settings: {settings}")
    print(f"Student Jupyter config (instructor extensions off): {ws / STUDENT_CONFIG_DIR}")
    print(f"Workspace: {ws}")
    if prepare_only:
        return 1 if failed else 0
    cmd = lab_command(ws, open_browser=open_browser, port=port)
    env = student_environment(ws)
    sys.stdout.flush()
    if os.path.isabs(cmd[0]):
        os.execve(cmd[0], cmd, env)
    else:
        os.execvpe(cmd[0], cmd, env)
    return 0  # not reached
