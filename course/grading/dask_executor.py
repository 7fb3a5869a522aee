"""Grading on a Dask cluster: the same grading units as the local pool, sent through
dask.distributed's public client API (``Client.submit``, ``Client.run``, ``as_completed``).

``grade --scheduler tcp://HOST:PORT`` connects to a running scheduler; ``--scheduler local:N``
starts a ``LocalCluster`` of N worker processes (one thread each, on 127.0.0.1) to try it on
one machine. Imported only then: ``import course`` never needs dask.

No shared filesystem. The scratch template (config, source, release, gradebook snapshot and
the student library) travels as the bytes of a tar, the result of one task that every grading
task depends on (each worker fetches it once), unpacked once per worker process and cached by
its SHA-256; each task carries one submission's
bytes and returns the unit's result with the autograded folder as bytes. The coordinator
unpacks that folder locally and stays the only writer of the course.

A worker that dies mid-task: the scheduler gives its task to another worker (Dask's
``distributed.scheduler.allowed-failures``, 3 by default); a submission that kills a worker
more often than that ends as a ``KilledWorker`` error, reported here as a ``died`` event (the
flag ``worker-died``), and the batch goes on. Dask may run a task twice; the coordinator merges
one answer per student and submission.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course.grading.executors import Activity, PoolError
from course.grading.flags import Flag
from course.grading.model import Event, Task

LOCAL = "local:"
# What local:N workers import before they fork (see DaskExecutor._client).
_PRELOAD = ["distributed", "nbgrader.api", "nbgrader.converters", "course.grading.unit"]
_SCHEMES = ("tcp://", "tls://", "inproc://", "ws://", "wss://", "ucx://")


def parse_scheduler(text: str) -> str | int:
    """``"local:N"`` -> N (workers of a LocalCluster), else the scheduler address itself.

    Raises ValueError naming ``--scheduler`` for anything else (e.g. ``local:0``, ``host:8786``
    without a scheme).
    """
    if text.startswith(LOCAL):
        count = text[len(LOCAL) :]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--scheduler {text!r}: local:N needs a worker count N of 1 or more")
        return int(count)
    if not text.startswith(_SCHEMES) or len(text.split("://", 1)[1]) == 0:
        raise ValueError(
            f"--scheduler {text!r}: give a scheduler address such as tcp://HOST:8786 "
            "(tls://HOST:8786 with TLS), or local:N for N workers on this machine"
        )
    return text


# ----------------------------------------------------------------------------- worker side
# State kept in each Dask worker process between tasks: the unpacked templates by digest.
_CACHE_LOCK = threading.Lock()
_TEMPLATES: dict[str, Path] = {}
_UNITS: dict[str, Any] = {}  # unit.Worker by template digest and set-up


def _cleanup() -> None:
    for root in _TEMPLATES.values():
        shutil.rmtree(root, ignore_errors=True)


atexit.register(_cleanup)


def _template_here(digest: str, data: bytes) -> Path:
    """This worker's unpacked copy of the template whose tar has SHA-256 ``digest``."""
    from course.grading.unit import unpack_folder

    with _CACHE_LOCK:
        root = _TEMPLATES.get(digest)
        if root is None or not root.is_dir():
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError("the template received does not match its digest")
            root = Path(tempfile.mkdtemp(prefix=f"kosovo-template-{digest[:12]}-"))
            unpack_folder(data, root / "template")
            _TEMPLATES[digest] = root
        return root


def grade_on_worker(
    setup: dict[str, Any],
    template_digest: str,
    template: bytes,
    student: str,
    digest: str | None,
    submission: bytes,
    student_timeout: float | None = None,
) -> dict[str, Any]:
    """One grading unit on a Dask worker: the result as JSON and the autograded folder as bytes.

    ``setup`` is the coordinator's set-up message (unit.Worker); its paths are replaced by
    this worker's own: the cached template and a fresh folder for this one task, removed after.
    After ``student_timeout`` seconds (``grade --student-timeout``) the unit's sandboxed kernels
    are killed and the task returns ``{"timed_out": True}``: the worker itself lives on (killing
    it would make Dask run the task again elsewhere).
    Returns ``{"answer": UnitResult JSON, "autograded": tar bytes or None}``.
    """
    from distributed import get_worker

    from course.grading import engine
    from course.grading.scratch import COURSE_MODULES
    from course.grading.unit import Worker, pack_folder, unpack_folder

    threads = get_worker().state.nthreads
    if threads != 1:  # a unit sets per-process state (the sandbox's kernel manager)
        raise RuntimeError(f"this Dask worker runs {threads} threads; start it with --nthreads 1")
    engine.ensure_scripts_on_path()
    root = _template_here(template_digest, template)
    task_dir = Path(tempfile.mkdtemp(prefix="task-", dir=root))
    try:
        assignment = setup["template"]["assignment"]
        unpack_folder(submission, task_dir / "submitted" / student / assignment)
        key = hashlib.sha256(
            (template_digest + json.dumps(setup, sort_keys=True)).encode()
        ).hexdigest()
        with _CACHE_LOCK:
            unit = _UNITS.get(key)
            if unit is None:
                local = {
                    **setup,
                    "template": {**setup["template"], "root": str(root / "template")},
                    "submitted_root": str(root),
                    "scratch_parent": str(root),
                    # The course folder stays on the coordinator's side; its plugin modules
                    # travel in the template (stock imports them from the course folder).
                    "course_root": str(root / "template" / COURSE_MODULES),
                }
                unit = _UNITS[key] = Worker(local)
        # One task at a time per worker process (--nthreads 1): these are this task's folders.
        unit.submitted_root = task_dir / "submitted"
        unit.scratch_parent = task_dir
        with _StudentTimer(student_timeout) as timer:
            result = unit.grade(student, digest)
        if timer.expired:
            return {"answer": None, "autograded": None, "timed_out": True}
        folder = Path(result.autograded) if result.autograded else None
        packed = pack_folder(folder) if folder is not None and folder.is_dir() else None
        answer = result.to_json()
        answer["autograded"] = None
        answer["scratch"] = None
        return {"answer": answer, "autograded": packed}
    finally:
        shutil.rmtree(task_dir, ignore_errors=True)


class _StudentTimer:
    """Kills this worker's sandboxed kernels once ``seconds`` have passed, and keeps killing any
    new one until the block ends (a kernel may not have started yet when time runs out)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.expired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _StudentTimer:
        if self.seconds is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.expired = True
        while not self._done.is_set():
            _kill_sandboxed_children()
            self._done.wait(0.2)


def _kill_sandboxed_children() -> None:
    """SIGKILL the bubblewrap processes this process started (its kernels die with them)."""
    import psutil  # a dependency of dask.distributed

    for child in psutil.Process().children():
        try:
            if Path(child.cmdline()[0]).name == "bwrap":
                child.kill()
        except (psutil.Error, IndexError):
            continue


def check_worker_sandbox(config: Any, settings: dict[str, dict[str, Any]]) -> str | None:
    """On a worker: None if the sandbox can run there, else the one-line reason it cannot."""
    from types import SimpleNamespace

    from course.grading.coursedir import CourseError
    from course.grading.sandbox import check_sandbox

    try:
        check_sandbox(SimpleNamespace(config=config), settings)
    except CourseError as exc:
        return str(exc)
    return None


def worker_command(address: str, dask_args: list[str]) -> list[str]:
    """``kosovo-course worker``: the ``dask worker`` command line, after checking that the
    sandbox runs on this machine (CourseError, one line, if it cannot or dask is missing).

    One thread per worker process: nbgrader's converter and the sandbox's kernel settings are
    per process. ``--nthreads`` in ``dask_args`` is refused for that reason.
    """
    import shutil
    import sys

    from traitlets.config import Config

    from course.grading.coursedir import CourseError

    try:
        target = parse_scheduler(address)
    except ValueError as exc:
        raise CourseError(str(exc).replace("--scheduler", "worker ADDRESS")) from None
    if isinstance(target, int):
        raise CourseError("worker ADDRESS: give the scheduler's tcp:// or tls:// address")
    if any(a.split("=")[0] == "--nthreads" for a in dask_args):
        raise CourseError("worker: --nthreads is always 1 (one grading unit per process)")
    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        found = shutil.which("dask")
        if found is None:
            raise CourseError('worker needs dask.distributed: pip install "kosovo-course[cluster]"')
        dask = Path(found)
    why = check_worker_sandbox(Config(), {})
    if why is not None:
        raise CourseError(why)
    return [str(dask), "worker", target, "--nthreads", "1", *dask_args]


# ------------------------------------------------------------------------ coordinator side
NEEDS_SANDBOX = (
    "--scheduler needs the sandbox: its checks of --no-sandbox watch this machine's files, "
    "not a worker's"
)


def start_cluster(scheduler: str, *, sandbox: bool = True) -> Cluster:
    """The cluster of ``grade --scheduler``, already starting (see :class:`Cluster`).

    Raises CourseError, one line, when dask.distributed is not installed, when ``scheduler`` is
    neither ``local:N`` nor a scheduler address, or when ``sandbox`` is False.
    """
    import importlib.util

    from course.grading.coursedir import CourseError

    if importlib.util.find_spec("distributed") is None:
        raise CourseError(
            '--scheduler needs dask.distributed: pip install "kosovo-course[cluster]"'
        )
    try:
        cluster = Cluster(scheduler)
    except ValueError as exc:
        raise CourseError(str(exc)) from None
    if not sandbox:
        raise CourseError(NEEDS_SANDBOX)
    return cluster.start()


class Cluster:
    """The Dask cluster of one grading run: a client of the scheduler at ``tcp://HOST:PORT``,
    or a ``LocalCluster`` of N workers started for the run (``local:N``).

    Starting ``local:N`` takes about 2 s on an idle machine: a forkserver that imports nbgrader,
    then N nannies and their workers. That is as long as the coordinator's own import of
    nbgrader, so :meth:`start` begins it in a thread and the two overlap; :meth:`client` waits
    for it. A remote scheduler is connected to when the first task is sent. Use as a context
    manager, or call :meth:`close`; a closed Cluster cannot be used again.
    """

    def __init__(self, scheduler: str) -> None:
        self.target = parse_scheduler(scheduler)  # ValueError naming --scheduler
        self.name = scheduler
        self._client: Any = None
        # What close() undoes, last first: the client, the LocalCluster, its config change.
        self._resources = contextlib.ExitStack()
        self._failed: BaseException | None = None
        self._starting: threading.Thread | None = None
        self._closed = False

    def start(self) -> Cluster:
        """Begin starting the LocalCluster of ``local:N`` in a thread (nothing for a remote one).

        Call it from the main thread if you can: the forkserver then starts with Ctrl-C
        ignored (see :func:`_start_forkserver`).
        """
        if isinstance(self.target, int) and self._starting is None and not self._closed:
            _start_forkserver()
            self._starting = threading.Thread(
                target=self._start_local, name="kosovo-dask-start", daemon=True
            )
            self._starting.start()
        return self

    def _start_local(self) -> None:
        try:
            self._client = _local_cluster(int(self.target), self._resources)
        except BaseException as exc:  # handed to the caller of client()
            self._failed = exc

    def client(self) -> Any:
        """The ``distributed.Client``, once the cluster is up.

        Raises CourseError, one line, when the local workers could not start or the scheduler
        cannot be reached, and RuntimeError once the Cluster is closed.
        """
        from course.grading.coursedir import CourseError

        if self._closed:
            raise RuntimeError(f"the Dask cluster {self.name} is closed")
        self.start()
        if self._starting is not None:
            self._starting.join()
        if self._failed is not None:
            raise CourseError(
                f"--scheduler {self.name}: the local Dask workers could not start: "
                f"{type(self._failed).__name__}: {self._failed}"
            ) from self._failed
        if self._client is None:
            from distributed import Client

            try:
                self._client = Client(self.target)
                self._resources.callback(self._client.close)
            except (OSError, TimeoutError) as exc:
                raise CourseError(
                    f"--scheduler {self.name}: cannot reach the Dask scheduler ({exc}). Is it "
                    "running, and is its address right? See docs/guide/cluster.md."
                ) from None
        return self._client

    def close(self) -> None:
        """Close the client, and the LocalCluster with its workers if this run started it."""
        self._closed = True
        if self._starting is not None:
            self._starting.join()
        self._client = None
        self._resources.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_forkserver() -> None:
    """Start the forkserver that forks local:N workers, with nbgrader imported (``_PRELOAD``).

    Started from the calling thread before anything else, so that its imports (about 1.5 s of
    CPU) run on another core while this process goes on. From the main thread, Ctrl-C is
    ignored while it starts: an ignored signal stays ignored across exec, and the forkserver
    gives the workers it forks the handler it started with. Ctrl-C reaches every process of
    the terminal's process group; the coordinator alone handles it (it closes the cluster,
    which stops the workers), instead of the forkserver and the workers dying half-way with
    tracebacks of their own.
    """
    import multiprocessing.forkserver
    import signal

    multiprocessing.forkserver.set_forkserver_preload(_PRELOAD)
    if threading.current_thread() is not threading.main_thread():
        multiprocessing.forkserver.ensure_running()  # signal.signal works in the main thread only
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _local_cluster(workers: int, resources: contextlib.ExitStack) -> Any:
    """The client of a new LocalCluster of ``workers`` processes on 127.0.0.1 (one thread
    each). What it opens goes on ``resources`` as it is opened, so that closing them undoes
    what was done even when starting fails half-way."""
    import dask
    from distributed import Client, LocalCluster
    from distributed.gc import disable_gc_diagnosis

    # Workers forked from the forkserver (_start_forkserver), not spawned (Dask's default):
    # a fresh process would spend seconds of CPU importing nbgrader. Kept while the cluster
    # lives, so that a worker the nanny restarts is forked too.
    resources.enter_context(
        dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    )
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # Without a dashboard the scheduler still serves HTTP (health, metrics); on a free
        # port of 127.0.0.1, not 8787, which another program or run may hold.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    resources.callback(cluster.close)
    # The scheduler, here in the coordinator's process, logs long garbage collections from a
    # gc callback. A Ctrl-C that lands in that callback is lost (Python ignores what a gc
    # callback raises), and grading needs none of that logging.
    disable_gc_diagnosis(force=True)
    client = Client(cluster)
    resources.callback(client.close)
    return client


class DaskExecutor:
    """Runs grading units on a Dask cluster (the ``Executor`` protocol of executors.py).

    ``cluster`` belongs to the caller (``grade``, or the command line), which closes it.
    """

    def __init__(
        self,
        cluster: Cluster,
        setup: dict[str, Any],
        template_root: Path,
        scratch: Path,
        *,
        student_timeout: float | None = None,
        sandbox_check: tuple[Any, dict[str, dict[str, Any]]] | None = None,
    ) -> None:
        self.cluster = cluster
        self.setup = setup
        self.template = _pack(template_root)
        self.template_digest = hashlib.sha256(self.template).hexdigest()
        self.submitted_root = Path(setup["submitted_root"])
        self.results = scratch / "results"
        # Enforced on the worker (grade_on_worker): Dask cannot stop a running task from outside.
        self.student_timeout = student_timeout
        self.sandbox_check = sandbox_check
        self.activity = Activity()  # what the coordinator's checks read (unsandboxed only)
        self.transfer_seconds = 0.0  # packing submissions, unpacking results (benchmarks)

    def run(self, tasks: list[Task], jobs: int, consume: Callable[[Event], None]) -> None:
        """Grade ``tasks`` on the cluster's workers (``jobs`` is the cluster's to decide)."""
        from distributed import as_completed

        client = self.cluster.client()
        self._check_workers(client)
        # The template as a task's result, not scattered data: Dask drops extra replicas
        # of scattered data (its active memory manager), and scattered data lost with its
        # last worker cannot be recomputed, which would cancel every task; a task's
        # result is computed again on another worker.
        template = client.submit(
            _template_bytes, self.template, key=f"kosovo-template-{self.template_digest}"
        )
        assignment = self.setup["template"]["assignment"]
        futures: dict[Any, tuple[Task, float]] = {}
        for task in tasks:
            packing = time.perf_counter()
            submission = _pack(self.submitted_root / task.student / assignment)
            self.transfer_seconds += time.perf_counter() - packing
            future = client.submit(
                grade_on_worker,
                self.setup,
                self.template_digest,
                template,
                task.student,
                task.digest,
                submission,
                self.student_timeout,
                key=f"grade-{task.student}-{uuid.uuid4().hex[:8]}",
                pure=False,
            )
            futures[future] = (task, time.monotonic())
        for future in as_completed(list(futures)):
            task, started = futures.pop(future)
            consume(self._event(future, task, started))

    def _check_workers(self, client: Any) -> None:
        """Refuse to grade (CourseError) when some worker cannot run the sandbox."""
        from course.grading.coursedir import CourseError

        client.wait_for_workers(1)
        if self.sandbox_check is None:
            return
        answers = client.run(check_worker_sandbox, *self.sandbox_check, on_error="return")
        # A worker lost during the check (an exception here) gets no task; any that cannot
        # sandbox stops the run before a single student is graded.
        bad = {w: why for w, why in answers.items() if isinstance(why, str)}
        if bad:
            worker, why = next(iter(sorted(bad.items())))
            raise CourseError(f"{len(bad)} Dask worker(s) cannot sandbox ({worker}): {why}")

    def _event(self, future: Any, task: Task, started: float) -> Event:
        from distributed import KilledWorker

        ended = time.monotonic()
        if future.status != "finished":
            exc = None if future.status == "cancelled" else future.exception()
            if isinstance(exc, KilledWorker):
                return Event("died", task, None, started, ended)
            if future.status == "cancelled" or exc is None:
                raise PoolError(
                    f"the Dask task of {task.student} ended {future.status} ({exc!r}); "
                    "see the scheduler's log"
                )
            # The worker could not run the unit at all (e.g. kosovo-course missing there).
            detail = f"the Dask worker failed: {type(exc).__name__}: {exc}"[:300]
            flag = Flag(task.student, "", "autograde-failed", detail)
            answer = {"student": task.student, "flags": [flag.__dict__]}
            return Event("answer", task, answer, started, ended)
        reply = future.result()
        if reply.get("timed_out"):
            return Event("timeout", task, None, started, ended)
        answer = dict(reply["answer"])
        if reply["autograded"] is not None:
            from course.grading.unit import unpack_folder

            unpacking = time.perf_counter()
            dest = self.results / f"{task.student}-{uuid.uuid4().hex[:8]}"
            unpack_folder(reply["autograded"], dest / task.student)
            answer["autograded"] = str(dest / task.student)
            answer["scratch"] = str(dest)  # the coordinator removes it after the merge
            self.transfer_seconds += time.perf_counter() - unpacking
        return Event("answer", task, answer, started, ended)


def _template_bytes(data: bytes) -> bytes:
    """The template's tar, as the result of a task (see DaskExecutor.run)."""
    return data


def _pack(folder: Path) -> bytes:
    from course.grading.unit import pack_folder

    return pack_folder(folder)
