"""``kosovo-course lab --prepare-only``: workspace filled without overwriting, settings merged."""

from __future__ import annotations

import json

import pytest
from grading_fixtures import ASSIGNMENT, cli, copy_of, released_template

from course.grading.lab import NOTIFICATION_PLUGIN, lab_command, write_overrides


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
