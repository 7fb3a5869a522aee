"""Fixtures shared across the test suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from browser_helpers import in_ci
from hypothesis import HealthCheck, settings

from course_helpers import BIN, execute, source_notebook

# Hypothesis fails an example that takes over 200 ms, and a test whose data generation is slow:
# both are clocks, and a busy CI machine trips them. Off for every test (the pytest timeout is
# the safety net); tests/test_no_timed_assertions.py checks that this profile is loaded.
settings.register_profile(
    "no-clocks", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("no-clocks")

os.environ.setdefault("MPLBACKEND", "Agg")
# nbgrader runs `alembic` and kernels by name: the venv's bin must come first on PATH even when
# pytest was started as .venv/bin/python -m pytest without activating the venv.
os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"


# ------------------------------------------------------------ every nbgrader run is marked
# `-m "not nbgrader"` must leave out every test that runs nbgrader, so a test that starts nbgrader
# (or alembic, which nbgrader's Gradebook runs, or a kosovo-course command built on nbgrader)
# without the marker fails, naming the command. Seen through the interpreter's audit events, so
# a run from a fixture counts for the test that first needed it.
# `lab` releases every assignment before it fills the workspace.
NBGRADER_SUBCOMMANDS = {"release", "collect", "grade", "feedback", "report", "demo", "lab"}
_running: list[pytest.Item] = []
_ran_nbgrader: dict[str, str] = {}


def runs_nbgrader(argv: list[str]) -> bool:
    """Whether a process started with argv runs nbgrader."""
    names = [Path(a).name for a in argv]
    if not names:
        return False
    if names[0] in {"nbgrader", "alembic"} or "nbgrader" in names[1:3]:
        return True  # nbgrader ..., python -m nbgrader ..., jupyter nbgrader ...
    if names[0] == "kosovo-course" or names[1:3] == ["-m", "course.grading.cli"]:
        return any(a in NBGRADER_SUBCOMMANDS for a in argv[1:])
    return False


def _audit(event: str, args: tuple) -> None:
    if event != "subprocess.Popen" or not _running:
        return
    argv = args[1]
    argv = argv.split() if isinstance(argv, str | bytes) else list(argv or [])
    argv = [os.fsdecode(a) for a in argv]
    if runs_nbgrader(argv):
        _ran_nbgrader.setdefault(_running[-1].nodeid, " ".join(argv)[:200])


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


# The slow groups (pyproject.toml's markers): in CI (CI=true) a test of one of them that skips
# (no browser, no PostgreSQL...) fails instead, so a missing install step cannot pass unseen.
SLOW_GROUPS = ("nbgrader", "browser", "cluster", "postgres", "hub")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    command = _ran_nbgrader.get(item.nodeid)
    if (report.when == "call" and report.passed and command
            and item.get_closest_marker("nbgrader") is None):
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} runs nbgrader ({command}) but is not marked: add "
                           "@pytest.mark.nbgrader (or pytestmark = pytest.mark.nbgrader)")
    groups = [g for g in SLOW_GROUPS if item.get_closest_marker(g) is not None]
    if report.skipped and groups and in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} ({', '.join(groups)}) skipped in CI: {reason}"
    return report


# ------------------------------------------------------------------ parallel runs (xdist)
# `make test` runs two workers with --dist loadgroup. Each test file is one group, so its module
# fixtures are built once. The files that share grading_fixtures' cached course templates (built
# once per process) form one group, so no template is built twice, on two workers at once.
SHARED_TEMPLATES = {"class_template", "graded_template", "released_template", "released_course",
                    "frozen_package", "private_package"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        module = getattr(item, "module", None)
        shares = module is not None and SHARED_TEMPLATES & set(vars(module))
        group = "grading-templates" if shares else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def executed_sources(tmp_path_factory):
    """Source notebooks (the answer key), each executed once, on first use, top to bottom."""

    class Executed(dict):
        def __missing__(self, assignment: str):
            workdir = tmp_path_factory.mktemp(f"run-{assignment}")
            self[assignment] = execute(source_notebook(assignment), cwd=workdir)
            return self[assignment]

    return Executed()
