"""Executors: where grading units run. Now a local pool of worker processes.

One small interface (:class:`Executor`): ``run(tasks, jobs, consume)`` grades the tasks and
calls ``consume(event)`` in the caller's thread for each finished one. The local pool below
implements it; a Dask executor (issue "Past one machine") would hand the same tasks to
``Client.submit`` and the same answers back.

The local pool: worker processes fed one student at a time.

Each slot owns one worker process (its own session, so a kill takes its whole process group)
and grades students from a shared queue until it is empty. The first workers are forked from
the coordinator before any thread starts, so they begin with nbgrader already imported (about
2 s of CPU saved per worker); a replacement for a worker that died or overran its time is a
fresh ``python -m course.grading.worker`` process, since forking a threaded process is unsafe.
The student is then reported, not retried. The pool never touches the course: every answer
goes back to the caller's thread, which is the only writer.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import course as _course_pkg
from course.grading.model import Event, Task


class Executor(Protocol):
    """Runs grading units and hands each result to one consumer thread."""

    def run(self, tasks: list[Task], jobs: int, consume: Callable[[Event], None]) -> None:
        """Grade ``tasks`` on up to ``jobs`` at once; call ``consume`` per finished task."""


class PoolError(RuntimeError):
    """The pool itself failed (a worker could not start): the grading tool failed."""


def _worker_env(code_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Workers must import this very checkout of `course`, installed or not; or, when given, the
    # copy taken when grading started (the installed one may have been changed since).
    package_parent = str(code_path or Path(_course_pkg.__file__).resolve().parent.parent)
    parts = [package_parent, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def fork_is_safe() -> bool:
    """Whether a forked child would start clean: one thread, no event loop, no ZeroMQ context.

    A process that already ran kernels (``demo`` releases first, in-process) holds an asyncio
    loop and a ZeroMQ context that a child must not share; such a coordinator starts its
    workers with exec instead.
    """
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    jc = sys.modules.get("jupyter_core.utils")
    loop_var = getattr(jc, "_loop", None)
    if loop_var is not None and loop_var.get() is not None:
        return False
    zmq = sys.modules.get("zmq")
    return not (zmq is not None and getattr(zmq.Context, "_instance", None) is not None)


class _Forked:
    """The part of ``subprocess.Popen`` that WorkerProcess uses, for a forked child."""

    def __init__(self, pid: int, stdin: TextIO) -> None:
        self.pid = pid
        self.stdin: TextIO | None = stdin
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit code, or None while the child runs."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to exit (TimeoutExpired after ``timeout`` seconds)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode


def _forked_child(req_r: int, ans_w: int, log_fd: int, cwd: Path) -> None:
    """Body of a forked worker: wire the pipes to fds 0 and 3, drop the rest, serve."""
    code = 1
    try:
        os.setsid()
        os.dup2(req_r, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.dup2(ans_w, 3)
        # The coordinator's files (the gradebook, the grading lock) must not stay open here:
        # an orphaned worker would otherwise hold the lock after the coordinator was killed.
        os.closerange(4, 1 << 16)
        os.chdir(cwd)
        from course.grading.worker import serve

        code = serve(os.fdopen(0, "r", encoding="utf-8"), os.fdopen(3, "w", encoding="utf-8"))
    except BaseException:  # the log is the only place left to tell
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


class WorkerProcess:
    """One worker process, its request pipe and its private answer pipe."""

    def __init__(
        self, log_path: Path, *, fork: bool = False, code_path: Path | None = None
    ) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.killed = False
        self.ready = False  # set once the set-up message was answered
        self._log: Any = None
        if fork:
            self._fork(log_path)
            return
        read_fd, write_fd = os.pipe()
        self._log = open(log_path, "ab")  # noqa: SIM115 -- lives as long as the process
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "course.grading.worker", "--result-fd", str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
                text=True,
                env=_worker_env(code_path),
                cwd=str(log_path.parent),
            )
        finally:
            os.close(write_fd)
        self.answers: TextIO = os.fdopen(read_fd, "r", encoding="utf-8")

    def _fork(self, log_path: Path) -> None:
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _forked_child(req_r, ans_w, log_fd, log_path.parent)
        for fd in (req_r, ans_w, log_fd):
            os.close(fd)
        self.proc: Any = _Forked(pid, os.fdopen(req_w, "w", encoding="utf-8"))
        self.answers = os.fdopen(ans_r, "r", encoding="utf-8")

    def _send(self, message: dict[str, Any]) -> bool:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def setup(self, message: dict[str, Any]) -> None:
        """Send the set-up message and wait until the worker is ready."""
        if not self._send(message) or not self.answers.readline().strip():
            code = self.proc.poll()
            raise PoolError(f"a grading worker failed to start (exit code {code}); see its log")
        self.ready = True

    def request(self, student: str, digest: str | None) -> dict[str, Any] | None:
        """Grade one student; None if the worker died (or was killed) before answering."""
        if not self._send({"student": student, "digest": digest}):
            return None
        line = self.answers.readline()
        if not line:
            return None
        try:
            answer: dict[str, Any] = json.loads(line)
        except ValueError:
            return None
        return answer if answer.get("student") == student else None

    def kill(self) -> None:
        """Kill the worker's process group (kernels have their own and follow their parent)."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def close(self, timeout: float = 10.0) -> None:
        """Let the worker finish (stdin closed) and reap it; kill it if it does not stop."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait()
        self.answers.close()
        if self._log is not None:
            self._log.close()


@dataclass
class Activity:
    """When each student's grading ran, to know who could have caused a change seen later."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    spans: dict[str, list[float | None]] = field(default_factory=dict)

    def start(self, student: str) -> float:
        """Record that a student's grading started."""
        now = time.monotonic()
        with self.lock:
            self.spans[student] = [now, None]
        return now

    def end(self, student: str) -> float:
        """Record that a student's grading ended."""
        now = time.monotonic()
        with self.lock:
            self.spans[student][1] = now
        return now

    def overlapping(self, since: float, until: float) -> list[str]:
        """The students whose grading ran at some moment in [since, until]."""
        with self.lock:
            return sorted(
                s
                for s, (a, b) in self.spans.items()
                if a is not None and a <= until and (b is None or b >= since)
            )


class Pool:
    """Runs tasks on ``jobs`` worker processes and yields their events to one consumer thread."""

    def __init__(
        self,
        setup: dict[str, Any],
        log_dir: Path,
        *,
        student_timeout: float | None,
        prespawned: Iterable[WorkerProcess] = (),
        code_path: Path | None = None,
        between: Callable[[], None] | None = None,
    ) -> None:
        self.setup = setup
        self.code_path = code_path
        # Called by a slot after each student and before its next one (see grade.py).
        self.between = between
        self.log_dir = log_dir
        self.student_timeout = student_timeout
        self.prespawned = list(prespawned)
        self.activity = Activity()
        self._events: queue.Queue[Event | BaseException | None] = queue.Queue()
        self._tasks: queue.Queue[Task] = queue.Queue()
        self._live: set[WorkerProcess] = set()
        self._live_lock = threading.Lock()
        self._spawned = 0

    def start(self, slots: int) -> None:
        """Fork the first ``slots`` workers now, if this process is still safe to fork."""
        if not fork_is_safe():
            return  # _spawn starts fresh interpreters instead
        forked = []
        for i in range(slots - len(self.prespawned)):
            forked.append(WorkerProcess(self.log_dir / f"worker-fork-{i}.log", fork=True))
        for worker in forked:
            with self._live_lock:
                self._live.add(worker)
            worker.setup(self.setup)
        self.prespawned.extend(forked)

    def _spawn(self) -> WorkerProcess:
        with self._live_lock:
            self._spawned += 1
            n = self._spawned
            worker = self.prespawned.pop() if self.prespawned else None
        if worker is None:
            worker = WorkerProcess(self.log_dir / f"worker-{n}.log", code_path=self.code_path)
        with self._live_lock:
            self._live.add(worker)
        if not worker.ready:
            worker.setup(self.setup)
        return worker

    def _retire(self, worker: WorkerProcess, *, kill: bool = False) -> None:
        if kill:
            worker.kill()
        worker.close()
        with self._live_lock:
            self._live.discard(worker)

    def _slot(self) -> None:
        worker: WorkerProcess | None = None
        try:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if worker is None:
                    worker = self._spawn()
                started = self.activity.start(task.student)
                timer = None
                if self.student_timeout is not None:
                    timer = threading.Timer(self.student_timeout, worker.kill)
                    timer.daemon = True
                    timer.start()
                try:
                    answer = worker.request(task.student, task.digest)
                finally:
                    if timer is not None:
                        timer.cancel()
                ended = self.activity.end(task.student)
                if self.between is not None:
                    self.between()
                if answer is not None:
                    self._events.put(Event("answer", task, answer, started, ended))
                    continue
                kind = "timeout" if worker.killed else "died"
                self._events.put(Event(kind, task, None, started, ended))
                self._retire(worker, kill=True)
                worker = None
        except BaseException as exc:  # handed to the consumer, which stops the run
            self._events.put(exc)
        finally:
            if worker is not None:
                self._retire(worker)
            self._events.put(None)

    def run(self, tasks: list[Task], jobs: int, consume: Callable[[Event], None]) -> None:
        """Grade ``tasks`` on ``jobs`` workers, calling ``consume`` (in this thread) per event."""
        for task in tasks:
            self._tasks.put(task)
        slots = max(1, min(jobs, len(tasks)))
        for extra in self.prespawned[slots:]:
            extra.kill()
            extra.close()
        self.prespawned = self.prespawned[:slots]
        threads = [threading.Thread(target=self._slot, daemon=True) for _ in range(slots)]
        for t in threads:
            t.start()
        running = slots
        try:
            while running:
                item = self._events.get()
                if item is None:
                    running -= 1
                elif isinstance(item, BaseException):
                    raise PoolError(f"grading pool failed: {item}") from item
                else:
                    consume(item)
        except BaseException:
            self.abort()
            raise
        for t in threads:
            t.join()

    def abort(self) -> None:
        """Stop everything now: kill every live worker."""
        while True:
            try:
                self._tasks.get_nowait()
            except queue.Empty:
                break
        with self._live_lock:
            live = list(self._live) + self.prespawned
        for worker in live:
            worker.kill()
