"""``kosovo-course lab`` (what ``make lab`` runs): a student workspace and JupyterLab.

Release every assignment, copy each released file into the workspace only if it is not there
yet (a student's work is never overwritten), turn off JupyterLab's first-run news prompt, and
start JupyterLab on the workspace.
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
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            backup = path.with_name(path.name + ".invalid")
            shutil.copyfile(path, backup)  # keep what we could not read
            data = {}
    if not isinstance(data, dict):
        data = {}
    plugin = data.get(NOTIFICATION_PLUGIN)
    data[NOTIFICATION_PLUGIN] = {
        **(plugin if isinstance(plugin, dict) else {}),
        **NOTIFICATION_SETTINGS,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return data


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
    print(f"JupyterLab settings: {settings}")
    print(f"Workspace: {ws}")
    if prepare_only:
        return 1 if failed else 0
    cmd = lab_command(ws, open_browser=open_browser, port=port)
    sys.stdout.flush()
    os.execv(cmd[0], cmd) if os.path.isabs(cmd[0]) else os.execvp(cmd[0], cmd)
    return 0  # not reached
