"""The typed records passed between planning, executors, units and the coordinator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.grading.flags import Flag

__all__ = ["Event", "Flag", "GradeRun", "Outcome", "Task", "UNGRADED", "UnitResult"]


@dataclass
class Task:
    """One student to grade, with the digest of the submission as planned."""

    student: str
    digest: str | None = None
    reason: str = "new"  # why it is graded (plan.py)


@dataclass
class Event:
    """What happened to one task: an answer, a dead worker, or an overrun."""

    kind: str  # "answer", "died" or "timeout"
    task: Task
    answer: dict[str, Any] | None
    started: float
    ended: float


@dataclass
class UnitResult:
    """What one grading unit returns for one student (sent as JSON between processes).

    ``record`` holds the gradebook fields nbgrader wrote (results.extract), None when nbgrader
    never got that far; ``autograded`` is the folder of autograded files in the unit's scratch
    course (a Dask executor would send it back as a tar: ``autograded`` is then unpacked first).
    """

    student: str
    graded: bool = False
    record: dict[str, Any] | None = None
    autograded: str | None = None
    flags: list[Flag] = field(default_factory=list)
    seconds: float | None = None
    log_tail: str = ""
    scratch: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (flags as dicts)."""
        return {**self.__dict__, "flags": [f.__dict__ for f in self.flags]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnitResult:
        """Rebuild a result a worker sent."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["flags"] = [Flag(**f) for f in data.get("flags", [])]
        return cls(**known)


@dataclass
class Outcome:
    """How one student ended in this run."""

    student: str
    status: str  # graded, flagged, unchanged, not merged
    flags: list[Flag] = field(default_factory=list)
    seconds: float | None = None


UNGRADED = ("flagged", "not merged")  # statuses of students who could not be graded


@dataclass
class GradeRun:
    """Everything one ``grade`` call did, for the summary table and the tests."""

    assignment: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    jobs: int = 1
    scheduler: str | None = None  # the Dask cluster graded on (--scheduler), else the pool
    warnings: list[str] = field(default_factory=list)
    # The coordinator's own time (benchmarks/grading.py): merging results, and with Dask,
    # packing submissions and unpacking the autograded folders that come back.
    merge_seconds: float = 0.0
    transfer_seconds: float = 0.0

    @property
    def ungraded(self) -> list[str]:
        """Students this run could not grade (no current score): `grade` then exits 1."""
        return sorted(s for s, o in self.outcomes.items() if o.status in UNGRADED)

    @property
    def flags(self) -> list[Flag]:
        """All flags raised in this run."""
        return [f for o in self.outcomes.values() for f in o.flags]
