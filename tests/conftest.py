"""Fixtures shared across the test suite."""

from __future__ import annotations

import os

import pytest
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


@pytest.fixture(scope="session")
def executed_sources(tmp_path_factory):
    """Source notebooks (the answer key), each executed once, on first use, top to bottom."""

    class Executed(dict):
        def __missing__(self, assignment: str):
            workdir = tmp_path_factory.mktemp(f"run-{assignment}")
            self[assignment] = execute(source_notebook(assignment), cwd=workdir)
            return self[assignment]

    return Executed()
