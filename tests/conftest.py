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
# `make test` runs two workers with --dist loadgroup, whose units are chosen here: each test file
# is one unit, so its module fixtures (a graded class, a JupyterHub, a Dask cluster) are built on
# one worker only; the conformance scenarios, which share no module fixture, are one unit each,
# so they spread over both workers. grading_fixtures' course templates are cached per worker
# process: one may be built on both workers, which costs less than one worker running every file
# that uses one.
# xdist's own loadgroup reads `xdist_group` marks by appending them to `item._nodeid`, which
# pytest 9.2 no longer uses as the node id: with it, every test was its own unit and module
# fixtures were built on both workers (tests/test_parallel_groups.py guards against that).
UNGROUPED = {"tests/test_conformance.py"}


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its file, or the test itself for the conformance file."""
    path = nodeid.split("::")[0]
    return nodeid if path in UNGROUPED else path


@pytest.hookimpl(tryfirst=True)  # before xdist's own choice of scheduler
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # Hand the units out in collection order (below), not xdist's default of most tests first,
    # which starts the many short parametrized files first and the long slow files last.
    config.option.loadscopereorder = False  # --no-loadscope-reorder

    class FileScheduling(LoadScopeScheduling):
        """xdist's scope scheduler (whole units to the next free worker) with our units."""

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return FileScheduling(config, log)


# Units are handed out in collection order: whole files of the slow marks first, then the
# conformance scenarios, then the fast files, each part in pytest-randomly's order. A long unit
# started last would leave the other worker idle at the end; many short ones fill it evenly.
@pytest.hookimpl(tryfirst=True)  # after pytest-randomly's shuffle (it runs in a wrapper)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    slow = {
        unit_of(item.nodeid)
        for item in items
        if any(item.get_closest_marker(g) is not None for g in SLOW_GROUPS)
    }

    def rank(item: pytest.Item) -> int:
        if item.nodeid.split("::")[0] in UNGROUPED:
            return 1
        return 0 if unit_of(item.nodeid) in slow else 2

    items.sort(key=rank)  # stable: the seed's order within each part


@pytest.fixture(scope="session")
def executed_sources(tmp_path_factory):
    """Source notebooks (the answer key), each executed once, on first use, top to bottom."""

    class Executed(dict):
        def __missing__(self, assignment: str):
            workdir = tmp_path_factory.mktemp(f"run-{assignment}")
            self[assignment] = execute(source_notebook(assignment), cwd=workdir)
            return self[assignment]

    return Executed()
