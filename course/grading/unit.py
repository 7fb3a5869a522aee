"""A grading unit: the assignment template and one submission in, a UnitResult out.

Stateless and away from the real course: the submission is copied into a fresh scratch course
made from the template (config, source, release, a gradebook snapshot), nbgrader's own
Autograde converter grades it there (so grades are stock nbgrader's), its kernel runs in the
sandbox (sandbox.py), and the unit answers with what nbgrader wrote: the student's gradebook
fields, the autograded folder, flags and timings. It never opens the real gradebook; the
coordinator merges.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from course.grading import engine, results
from course.grading.flags import Flag
from course.grading.model import UnitResult
from course.grading.scan import scan_submission
from course.grading.scratch import (
    GRADEBOOK,
    LIB,
    Template,
    TemplateTampered,
    copy_submission,
    library_changes,
    materialise,
    scratch_config,
)

_KERNEL_DIED = ("DeadKernelError", "Kernel died", "kernel died")
_TIMEOUT = ("UnresponsiveKernelError", "CellTimeoutError", "Timeout waiting for", "TimeoutError")
_BAD_JSON = (
    "NotJSONError",
    "JSONDecodeError",
    "does not appear to be JSON",
    "ValidationError",
    "UnicodeDecodeError",
)


def classify_failure(log: str, error: str) -> str:
    """The flag kind for a failed autograde, from nbgrader's captured log and traceback."""
    text = log + "\n" + error
    for markers, kind in (
        (_KERNEL_DIED, "kernel-died"),
        (_TIMEOUT, "timeout"),
        (_BAD_JSON, "invalid-json"),
    ):
        if any(m in text for m in markers):
            return kind
    return "autograde-failed"


def failure_detail(log: str, error: str) -> str:
    """The most telling line of a failure: the first exception line of nbgrader's log."""
    for text in (log, error):
        for line in text.splitlines():
            s = line.strip()
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)\b", s):
                return s[:300]
    lines = [ln.strip() for ln in (error or log).splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "unknown error"


def precheck(folder: Path, expected: list[str], student: str) -> list[Flag]:
    """Flags nbgrader would not raise clearly: missing, unknown and unreadable notebooks."""
    flags = []
    present = {p.stem: p for p in folder.glob("*.ipynb")}
    for name in expected:
        if name not in present:
            flags.append(Flag(student, name, "missing-notebook", f"{name}.ipynb not submitted"))
    for name, path in sorted(present.items()):
        if name not in expected:
            flags.append(Flag(student, name, "unknown-notebook", f"{path.name} is not graded"))
            continue
        # Only the JSON: nbgrader reads and validates the notebook itself right after.
        try:
            data = json.loads(path.read_bytes())
            # nbformat 4 has cells; nbformat 3 has worksheets, which nbgrader upgrades itself.
            if not isinstance(data, dict) or not (
                isinstance(data.get("cells"), list) or isinstance(data.get("worksheets"), list)
            ):
                raise ValueError("no list of cells: not a Jupyter notebook")
        except (ValueError, UnicodeDecodeError) as exc:
            detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            flags.append(Flag(student, name, "invalid-json", detail[:300]))
    return flags


def timeout_flags(folder: Path, student: str) -> list[Flag]:
    """A flag per autograded notebook where a cell was stopped by Execute.timeout."""
    flags = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []) or []:
                if out.get("output_type") == "error" and out.get("ename") == "CellTimeoutError":
                    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
                    flags.append(Flag(student, path.stem, "timeout", f"cell {gid} timed out"))
    return flags


@contextlib.contextmanager
def kernel_environment(scratch: Path) -> Iterator[None]:
    """Point the kernels started inside the block at the scratch course's library copy."""
    lib = scratch / LIB
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "KOSOVO_COURSE_DATA", "IPYTHONDIR")}
    rest = [p for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(lib), *rest])
    os.environ["KOSOVO_COURSE_DATA"] = str(lib / "datasets")
    os.environ["IPYTHONDIR"] = str(scratch / ".ipython")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def library_flags(template: Template, scratch: Path, student: str) -> list[Flag]:
    """A library-tampered flag if the student's run changed its copy of the course library."""
    changed = library_changes(template, scratch)
    if not changed:
        return []
    shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
    return [
        Flag(
            student,
            "",
            "library-tampered",
            f"the submission rewrote its own copy of the course library ({shown}); not merged",
        )
    ]


def _as_config(data: dict[str, dict[str, Any]]) -> Any:
    """A traitlets Config from ``{"Section": {"trait": value}}`` (the coordinator's overrides)."""
    from traitlets.config import Config

    cfg = Config()
    for section, values in data.items():
        for key, value in values.items():
            cfg[section][key] = value
    return cfg


class Worker:
    """Grades students of one assignment, each in a fresh scratch course."""

    def __init__(self, setup: dict[str, Any]) -> None:
        from course.grading.coursedir import load_nbgrader_config

        self.template = Template.from_json(setup["template"])
        self.assignment = self.template.assignment
        self.submitted_root = Path(setup["submitted_root"])
        self.snapshot = bool(setup.get("snapshot"))
        self.scratch_parent = Path(setup["scratch_parent"])
        self.dirs = setup["dirs"]  # nbgrader folder names (relative), from the course config
        # As stock nbgrader does: the course folder is on sys.path, so a plugin module beside
        # nbgrader_config.py (late_plugin.py ...) imports. Only this trusted process uses it.
        course_root = setup.get("course_root")
        if course_root and course_root not in sys.path:
            sys.path.insert(0, course_root)
        # The template's copy of the config: the real one could change under a running batch.
        self.config = load_nbgrader_config(self.template.root)
        self.config.merge(_as_config(setup.get("config") or {}))
        self.sandboxed = bool(setup.get("sandbox", True))
        self.notebook = setup.get("notebook")
        if self.sandboxed:
            from course.grading.sandbox import Sandbox, SandboxKernelManager

            self.limits = Sandbox(config=self.config).limits()
            SandboxKernelManager.student_lib = self.template.root / LIB
            self.config.Execute.kernel_manager_class = SandboxKernelManager
            # Execute is nbgrader's ExecutePreprocessor, an nbclient NotebookClient: a course
            # may set the option under any of the three names.
            sections = ("Execute", "ExecutePreprocessor", "NotebookClient")
            if not any("shutdown_kernel" in self.config.get(name, {}) for name in sections):
                # Every output is in when the last cell ends, and bwrap's PID namespace ends
                # every process the kernel started, so nothing needs a graceful shutdown. And
                # ipykernel 7.4 sometimes hangs after a shutdown_request (its control thread
                # flushes stdout into the IOPub thread it has just stopped), so jupyter_client
                # waits shutdown_wait_time / 2 (2.5 s) and then sends SIGTERM: about 3.5 s
                # lost in one kernel out of 15 (docs/benchmarks.md).
                self.config.Execute.shutdown_kernel = "immediate"
        source = self.template.root / self.dirs["source"] / self.assignment
        self.expected = sorted(p.stem for p in source.glob("*.ipynb"))

    def grade(self, student: str, digest: str | None) -> UnitResult:
        """Grade one student; never raises (a failure is a flag in the result)."""
        started = time.monotonic()
        answer = UnitResult(student)
        flags: list[Flag] = []
        try:
            scratch = Path(tempfile.mkdtemp(prefix="student-", dir=self.scratch_parent))
            answer.scratch = str(scratch)
            materialise(self.template, scratch, library=not self.sandboxed)
            src = self.submitted_root / student / self.assignment
            dest = scratch / self.dirs["submitted"] / student / self.assignment
            copied = copy_submission(src, dest)
            if digest is not None and copied != digest:
                if self.snapshot:  # the copy in the scratch folder: only student code writes it
                    flags.append(
                        Flag(
                            student,
                            "",
                            "scratch-tampered",
                            "the copy of this submission taken when grading started changed",
                        )
                    )
                else:
                    flags.append(
                        Flag(
                            student,
                            "",
                            "submission-changed",
                            "the submitted files changed after grading started",
                        )
                    )
                return answer
            flags += precheck(dest, self.expected, student)
            release = self.template.root / self.dirs["release"] / self.assignment
            flags += scan_submission(dest, release, self.expected, student)
            from nbgrader.api import Gradebook

            with engine.shared_engines():
                config = scratch_config(self.config, scratch)
                if self.sandboxed:
                    from course.grading.sandbox import SandboxKernelManager

                    SandboxKernelManager.runtime_parent = scratch
                    run = engine.autograde(config, self.assignment, student, notebook=self.notebook)
                else:
                    with kernel_environment(scratch):
                        run = engine.autograde(
                            config, self.assignment, student, notebook=self.notebook
                        )
                    flags += library_flags(self.template, scratch, student)
                with Gradebook(f"sqlite:///{scratch / GRADEBOOK}") as gb:
                    answer.record = results.extract(gb, self.assignment, student)
            out = scratch / self.dirs["autograded"] / student / self.assignment
            if run.success and out.is_dir():
                answer.autograded = str(out)
                answer.graded = True
                flags += timeout_flags(out, student)
                if self.sandboxed:
                    from course.grading.limits import limit_flags

                    flags += limit_flags(out, student, self.limits)
            else:
                kind = classify_failure(run.log, run.error)
                detail = failure_detail(run.log, run.error)
                if kind == "kernel-died" and self.sandboxed:
                    detail += (
                        f" (a kernel is stopped when it passes {self.limits.cpu_seconds} s of CPU; "
                        "see Sandbox.cpu_time_limit)"
                    )
                if not (kind == "invalid-json" and any(f.kind == kind for f in flags)):
                    flags.append(Flag(student, "", kind, detail))
            answer.log_tail = run.log[-4000:]
        except TemplateTampered as exc:
            flags.append(Flag(student, "", "scratch-tampered", str(exc)))
        except Exception as exc:  # the batch goes on; the coordinator records the flag
            flags.append(Flag(student, "", "autograde-failed", f"{type(exc).__name__}: {exc}"))
            answer.log_tail = traceback.format_exc()[-4000:]
        finally:
            answer.flags = flags
            answer.seconds = round(time.monotonic() - started, 3)
        return answer


def pack_folder(folder: Path) -> bytes:
    """A folder as the bytes of a gzipped tar (paths relative to it).

    How a remote executor (Dask) would send a template or a submission to a unit, and the
    autograded folder back: ``unpack_folder`` restores it.
    """
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(folder, arcname=".")
    return buf.getvalue()


def unpack_folder(data: bytes, dest: Path) -> None:
    """Extract what ``pack_folder`` made into ``dest``; links and paths outside it are refused."""
    import io
    import tarfile

    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")
