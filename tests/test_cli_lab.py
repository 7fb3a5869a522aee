"""``kosovo-course lab --prepare-only``: workspace filled without overwriting, settings merged."""

from __future__ import annotations

import json

import pytest
from grading_fixtures import ASSIGNMENT, cli, copy_of, released_template

from course.grading.lab import (
    INSTRUCTOR_LAB_PLUGINS,
    INSTRUCTOR_SERVER_EXTENSIONS,
    NOTIFICATION_PLUGIN,
    STUDENT_CONFIG_DIR,
    lab_command,
    student_environment,
    write_overrides,
    write_student_config,
)
from course.grading.locked import LOCKED_NOTE


@pytest.mark.nbgrader
def test_prepare_only_keeps_student_work_and_merges_settings(tmp_path, capsys):
    root = copy_of(released_template(), tmp_path / "course")
    ws = tmp_path / "ws"
    (ws / ASSIGNMENT).mkdir(parents=True)
    (ws / ASSIGNMENT / "ps1.ipynb").write_text("my work")
    settings = tmp_path / "settings" / "overrides.json"
    settings.parent.mkdir()
    settings.write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:themes": {"theme": "x"},
                NOTIFICATION_PLUGIN: {"doNotDisturbMode": True},
            }
        )
    )
    proc = cli(
        "lab", "--prepare-only", "--workspace", str(ws), "--settings-file", str(settings), cwd=root
    )
    assert (ws / ASSIGNMENT / "ps1.ipynb").read_text() == "my work"
    assert "kept  ps1/ps1.ipynb" in proc.stdout
    data = json.loads(settings.read_text())
    assert data["@jupyterlab/apputils-extension:themes"] == {"theme": "x"}
    assert data[NOTIFICATION_PLUGIN] == {
        "doNotDisturbMode": True,
        "checkForUpdates": False,
        "fetchNews": "false",
    }

    (ws / ASSIGNMENT / "ps1.ipynb").unlink()
    from course.grading.coursedir import Course
    from course.grading.lab import lab

    assert lab(Course.open(root), workspace=ws, prepare_only=True, settings=settings) == 0
    assert "new   ps1/ps1.ipynb" in capsys.readouterr().out
    assert json.loads((ws / ASSIGNMENT / "ps1.ipynb").read_text())["cells"]


def test_settings_match_the_installed_schema(tmp_path):
    import sys
    from pathlib import Path

    schema_path = (
        Path(sys.prefix)
        / "share"
        / "jupyter"
        / "lab"
        / "schemas"
        / "@jupyterlab"
        / "apputils-extension"
        / "notification.json"
    )
    schema = json.loads(schema_path.read_text())
    data = write_overrides(tmp_path / "overrides.json")[NOTIFICATION_PLUGIN]
    props = schema["properties"]
    assert (
        isinstance(data["checkForUpdates"], bool) and props["checkForUpdates"]["type"] == "boolean"
    )
    assert data["fetchNews"] in {c["const"] for c in props["fetchNews"]["oneOf"]}
    (tmp_path / "bad.json").write_text("{not json")
    write_overrides(tmp_path / "bad.json")
    assert (tmp_path / "bad.json.invalid").read_text() == "{not json"


def test_lab_command(tmp_path):
    cmd = lab_command(tmp_path, open_browser=False, port=8899)
    assert cmd[1] == "lab" and f"--notebook-dir={tmp_path}" in cmd
    assert "--no-browser" in cmd and "--port=8899" in cmd


def _jupyter(*args: str, env: dict[str, str]) -> str:
    """Run the venv's ``jupyter`` with ``env``; return its output without colour codes."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.run([str(jupyter), *args], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)


def _effective_server_extensions(env: dict[str, str]) -> dict[str, bool]:
    """The server extensions `jupyter lab` would load, as ServerApp.initialize decides them."""
    import subprocess
    import sys

    code = ("import json; from jupyter_server.serverapp import ServerApp; app = ServerApp(); "
            "app.load_config_file(); app.find_server_extensions(); "
            "print(json.dumps(app.jpserver_extensions))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_student_workspace_disables_the_instructor_extensions(tmp_path):
    """Jupyter itself, started as `kosovo-course lab` starts it, sees the extensions off."""
    ws = tmp_path / "ws"
    config = ws / STUDENT_CONFIG_DIR
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"some-other:plugin": True}}))
    write_student_config(config)
    write_student_config(config)  # running `lab` twice changes nothing
    env = student_environment(ws)

    listing = _jupyter("labextension", "list", env=env)
    disabled = listing.split("Disabled extensions:", 1)[1].split()
    for plugin in INSTRUCTOR_LAB_PLUGINS:
        assert plugin in disabled, listing
    kept = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert kept["disabledExtensions"]["some-other:plugin"] is True  # other settings are kept
    assert "@jupyter/nbgrader:validate-assignment" not in disabled  # Validate stays

    loaded = _effective_server_extensions(env)
    for name in INSTRUCTOR_SERVER_EXTENSIONS:
        assert loaded[name] is False, loaded
    assert loaded["nbgrader.server_extensions.validate_assignment"] is True
    assert loaded["jupyterlab"] is True


def test_the_instructors_jupyter_keeps_every_extension(tmp_path):
    """The workspace's config folder changes nothing outside it."""
    write_student_config(tmp_path / "ws" / STUDENT_CONFIG_DIR)
    env = student_environment(tmp_path / "ws")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "instructor")
    listing = _jupyter("labextension", "list", env=env)
    assert "@jupyter/nbgrader:create-assignment" not in listing.partition("Disabled")[2]
    assert _effective_server_extensions(env)["nbgrader.server_extensions.formgrader"] is True


@pytest.mark.nbgrader  # `lab --help` imports nbgrader through the lab module
def test_lab_help_names_the_real_settings_path():
    import sys

    proc = cli("lab", "--help")
    text = " ".join(proc.stdout.split())
    assert "{sys.prefix}" not in text
    assert "".join(proc.stdout.split()).find("".join(sys.prefix.split())) >= 0, proc.stdout


@pytest.mark.nbgrader
def test_released_locked_cells_are_marked_and_read_only(tmp_path):
    """Every test cell the student receives says it is locked and is read-only in JupyterLab;
    the gradebook holds the same source, so grading does not see the note as a change."""
    root = copy_of(released_template(), tmp_path / "course")
    ws = tmp_path / "ws"
    cli("lab", "--prepare-only", "--workspace", str(ws), "--settings-file",
        str(tmp_path / "overrides.json"), cwd=root)
    nb = json.loads((ws / ASSIGNMENT / "ps1.ipynb").read_text())
    tests = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
             and not c["metadata"]["nbgrader"].get("solution")]
    assert tests
    for cell in tests:
        source = "".join(cell["source"])
        assert source.splitlines()[0] == LOCKED_NOTE
        assert cell["metadata"]["editable"] is False and cell["metadata"]["deletable"] is False
    answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert answers and not any("🔒" in "".join(c["source"]) for c in answers)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        stored = {c.name: c.source for c in gb.find_notebook("ps1", ASSIGNMENT).source_cells}
    for cell in tests:  # the gradebook also holds the hidden tests the release leaves out
        assert stored[cell["metadata"]["nbgrader"]["grade_id"]].startswith(LOCKED_NOTE + "\n")
