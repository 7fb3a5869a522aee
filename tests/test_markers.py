"""The marker check in tests/conftest.py: a test that runs nbgrader must say so."""

from __future__ import annotations

import subprocess

import conftest
import pytest


@pytest.mark.parametrize(
    "argv",
    [
        ["/venv/bin/nbgrader", "autograde", "ps1"],
        ["python", "-m", "nbgrader", "generate_assignment", "ps1"],
        ["jupyter", "nbgrader", "validate", "x.ipynb"],
        ["alembic", "-c", "/tmp/alembic.ini", "heads"],
        ["/venv/bin/kosovo-course", "grade", "ps1", "--jobs", "2"],
        ["/venv/bin/kosovo-course", "--course-dir", "/c", "release", "ps1"],
        ["python", "-m", "course.grading.cli", "feedback", "ps1"],
        ["/venv/bin/kosovo-course", "lab", "--prepare-only"],
    ],
)
def test_an_nbgrader_command_is_recognised(argv: list[str]) -> None:
    assert conftest.runs_nbgrader(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["python", "-m", "ipykernel_launcher", "-f", "kernel.json"],
        ["python", "-c", "print('nbgrader')"],
        ["git", "grade"],
        [],
    ],
)
def test_other_commands_are_not(argv: list[str]) -> None:
    assert not conftest.runs_nbgrader(argv)


def test_a_process_named_nbgrader_is_seen_for_the_running_test(
        tmp_path, request: pytest.FixtureRequest) -> None:
    fake = tmp_path / "nbgrader"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    subprocess.run([str(fake), "--version"], check=True)
    # Seen, so this unmarked test would fail; the entry is removed so that it passes instead.
    assert conftest._ran_nbgrader.pop(request.node.nodeid).endswith("nbgrader --version")


def test_every_slow_group_is_a_declared_marker(pytestconfig: pytest.Config) -> None:
    declared = {line.split(":")[0].strip() for line in pytestconfig.getini("markers")}
    assert set(conftest.SLOW_GROUPS) <= declared
