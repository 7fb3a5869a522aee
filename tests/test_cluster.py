"""``grade --scheduler``: grading on a real Dask cluster (a ``dask scheduler`` and two ``dask
worker`` processes on loopback), same grades as the local pool, workers killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from grading_fixtures import (
    ASSIGNMENT,
    BIN,
    autograded_cells,
    class_template,
    cli,
    copy_of,
    dump_gradebook,
    env,
    graded_template,
    released_course,
    write_class,
)

pytestmark = [pytest.mark.cluster, pytest.mark.nbgrader]

# Allowed failures of one task before Dask gives up on it (KilledWorker): 1, so a submission
# that takes down two workers in a row is flagged, and one lost worker is survived.
ALLOWED_FAILURES = 1


def _dask(
    *args: str, log: Path, extra_env: dict[str, str] | None = None, command: str = "dask"
) -> subprocess.Popen:
    e = env()
    e.update(extra_env or {})
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(BIN / command), *args],
            env=e,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
        )


def _wait_for(condition, what: str, proc: subprocess.Popen | None = None) -> None:
    """Poll ``condition`` until true; fail at once if ``proc`` exited (no clock decides)."""
    while not condition():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"{what}: the process exited with {proc.returncode}\n{out}{err}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A scheduler and two nanny-supervised workers, 1 thread each, all bound to 127.0.0.1."""
    from distributed import Client

    base = tmp_path_factory.mktemp("cluster")
    scheduler_file = base / "scheduler.json"
    scheduler = _dask(
        "scheduler",
        "--host", "127.0.0.1",
        "--port", "0",
        "--no-dashboard",
        "--scheduler-file", str(scheduler_file),
        log=base / "scheduler.log",
        extra_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES)},
    )  # fmt: skip
    procs = [scheduler]
    try:
        _wait_for(
            lambda: scheduler_file.is_file() and scheduler_file.stat().st_size,
            "scheduler",
            scheduler,
        )
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        # w1 is a plain `dask worker`; w2 comes from `kosovo-course worker`, which checks the
        # sandbox and then execs the same `dask worker ... --nthreads 1` (same process id).
        where = ["--host", "127.0.0.1", "--no-dashboard", "--name"]
        procs.append(_dask("worker", address, "--nthreads", "1", *where, "w1", log=base / "w1.log"))
        procs.append(
            _dask("worker", address, *where, "w2", log=base / "w2.log", command="kosovo-course")
        )
        with Client(address) as client:
            client.wait_for_workers(2)
        yield {"address": address, "nannies": procs[1:], "base": base}
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _kernels(nannies: list[subprocess.Popen]) -> list[tuple[int, int, list[bytes]]]:
    """(worker pid, bwrap pid, kernel command) for each student's kernel running on a worker
    now: a
    bwrap child of a worker process (a nanny's child) whose command runs ipykernel (not
    grade's sandbox probe, ``bwrap ... true``)."""
    found = []
    for nanny in nannies:
        for worker in _children(nanny.pid):
            for child in _children(worker):
                try:
                    argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if argv[0].endswith(b"bwrap") and any(b"ipykernel" in a for a in argv):
                    found.append((worker, child, argv))
    return found


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _sandboxed_kernel_parents(nannies: list[subprocess.Popen]) -> list[int]:
    """Worker processes running a student's kernel now."""
    return [worker for worker, _, _ in _kernels(nannies)]


def _grade(root: Path, address: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "kosovo-course"), "grade", ASSIGNMENT, "--no-progress",
         "--scheduler", address, *args],
        cwd=root,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _statuses(stdout: str) -> dict[str, str]:
    rows = {}
    for line in stdout.split("\n\n")[0].splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[0] not in ("student", "-------") and parts[0][-1] != ":":
            rows[parts[0]] = parts[3]
    return rows


def _state(root: Path) -> dict[str, str]:
    folder = root / "reports" / ASSIGNMENT / ".grade-state"
    return {
        p.stem: json.loads(p.read_text())["status"]
        for p in folder.glob("*.json")
        if not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def on_cluster(cluster, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The mixed class graded on the cluster, and by the local pool (which test_cli_grade
    compares with stock nbgrader field by field)."""
    base, kinds = class_template()
    root = copy_of(base, tmp_path_factory.mktemp("dask") / "course")
    proc = _grade(root, str(cluster["address"]))
    out, err = proc.communicate(timeout=600)
    local, _ = graded_template()
    return {
        "root": root,
        "local": local,
        "kinds": kinds,
        "rc": proc.returncode,
        "out": out,
        "err": err,
    }


def test_the_cluster_grades_the_mixed_class_as_the_local_pool_does(on_cluster):
    assert on_cluster["rc"] == 1, on_cluster["out"] + on_cluster["err"]  # some cannot be graded
    assert "could not be graded: s004, s101, s102" in on_cluster["out"]
    root, local = on_cluster["root"], on_cluster["local"]
    assert set(_statuses(on_cluster["out"])) == set(on_cluster["kinds"])
    assert dump_gradebook(root) == dump_gradebook(local)
    assert autograded_cells(root) == autograded_cells(local)
    flags = (root / "reports" / ASSIGNMENT / "flags.csv").read_text()
    assert flags == (local / "reports" / ASSIGNMENT / "flags.csv").read_text()
    # The coordinator was the only writer: no result folders or half-copies left in the course.
    assert list((root / "autograded").glob("*/.*")) == []


def test_a_worker_killed_mid_task_loses_and_duplicates_no_student(cluster, on_cluster, tmp_path):
    """SIGKILL the worker process once it runs a sandboxed kernel: its student is graded on
    the other worker; every student is graded exactly once, with the same grades."""
    from distributed import Client

    base, kinds = class_template()
    students = [s for s, k in kinds.items() if k in ("full", "partial", "blank")][:4]
    root = copy_of(base, tmp_path / "course")
    picked = [a for s in students for a in ("--student", s)]
    nannies = cluster["nannies"]
    proc = _grade(root, str(cluster["address"]), *picked)
    _wait_for(lambda: _sandboxed_kernel_parents(nannies), "no worker started a kernel", proc)
    victim, sandbox, argv = _kernels(nannies)[0]
    os.kill(victim, signal.SIGKILL)
    # The student's kernel dies with the worker: bwrap gets SIGKILL as its parent dies
    # (setpriv --pdeathsig), and takes the kernel with it (--die-with-parent).
    _wait_for(lambda: not _running(sandbox), "the killed worker's sandboxed kernel lives on")
    # The kernel ran in the sandbox on the Dask worker: its own namespaces, no network, and as
    # root a uid of its own (setpriv), as in the local pool.
    assert b"--unshare-net" in argv or b"--unshare-all" in argv, argv
    if os.geteuid() == 0:
        assert any(a.startswith(b"--reuid=") for a in argv), argv
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    statuses = _statuses(out)
    assert statuses == {s: "graded" for s in students}, out
    assert _state(root) == {s: "graded" for s in students}
    ours = dump_gradebook(root)
    local = dump_gradebook(on_cluster["local"])
    assert set(ours["submissions"]) == {f"{ASSIGNMENT}/{s}" for s in students}
    for key, sub in ours["submissions"].items():
        assert sub == local["submissions"][key]
    assert (
        not (root / "reports" / ASSIGNMENT / "flags.csv").is_file()
        or "worker-died" not in (root / "reports" / ASSIGNMENT / "flags.csv").read_text()
    )
    # The nanny restarts the killed worker: the cluster is whole for the next test.
    with Client(str(cluster["address"])) as client:
        client.wait_for_workers(2)


def test_a_submission_that_kills_workers_repeatedly_is_flagged_not_fatal(cluster, tmp_path):
    """Each worker that runs this student's kernel dies: after Dask's allowed failures the
    student is flagged worker-died and the batch still ends with a summary."""
    from distributed import Client

    base, kinds = class_template()
    student = next(s for s, k in kinds.items() if k == "full")
    root = copy_of(base, tmp_path / "course")
    nannies = cluster["nannies"]
    proc = _grade(root, str(cluster["address"]), "--student", student)
    killed: set[int] = set()
    for _ in range(ALLOWED_FAILURES + 1):
        _wait_for(lambda: set(_sandboxed_kernel_parents(nannies)) - killed, "no kernel", proc)
        victim = sorted(set(_sandboxed_kernel_parents(nannies)) - killed)[0]
        os.kill(victim, signal.SIGKILL)
        killed.add(victim)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, out + err
    assert "worker-died" in _statuses(out)[student], out
    assert _state(root) == {student: "failed"}
    flags = (root / "reports" / ASSIGNMENT / "flags.csv").read_text()
    assert f"{student},,worker-died," in flags
    with Client(str(cluster["address"])) as client:
        client.wait_for_workers(2)


def test_bad_scheduler_arguments_are_one_line_errors(tmp_path):
    root = released_course(tmp_path / "course")
    for bad in ("local:0", "localhost:8786", "local:x"):
        proc = cli("grade", ASSIGNMENT, "--scheduler", bad, cwd=root, check=False)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "--scheduler" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("grade", ASSIGNMENT, "--scheduler", "local:1", "--no-sandbox", cwd=root, check=False)
    assert proc.returncode == 2 and "needs the sandbox" in proc.stderr
    for args in (["local:2"], ["tcp://127.0.0.1:8786", "--nthreads", "4"]):
        proc = cli("worker", *args, cwd=root, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith("kosovo-course: worker"), proc


def _session(pid: int) -> list[int]:
    """The processes still in session ``pid`` (the command's, started with its own session)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == pid and fields[0] != "Z":  # fields[3]: the session id
            members.append(int(stat.parent.name))
    return members


def _local_run(root: Path, *args: str) -> subprocess.Popen:
    """``grade ARGS --scheduler local:2``, started in a session of its own, with Ctrl-C's
    signal handled as in a terminal's foreground job. (A test run started in the background
    by a shell, as CI may be, inherits SIGINT ignored, and so would the command.)"""
    return subprocess.Popen(
        [str(BIN / "kosovo-course"), "grade", *args, "--no-progress", "--scheduler", "local:2"],
        cwd=root,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _grade_local(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[int]]:
    """``grade ARGS --scheduler local:2`` run to its end; its result, and the processes of its
    session left once it has exited (workers, forkserver, kernels)."""
    proc = _local_run(root, *args)
    out, err = proc.communicate(timeout=600)
    # Its children exit once they see it gone (the forkserver's pipe closes): wait for that.
    _wait_for(lambda: not _session(proc.pid), "processes of the grading run live on")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), _session(proc.pid)


def test_local_workers_grade_as_the_local_pool_and_stop_with_the_run(tmp_path):
    """``--scheduler local:2``, the way to try Dask on one machine: its workers start while the
    course loads, grade as the local pool does, and are gone when the command ends."""
    base, kinds = class_template()
    students = [s for s, k in kinds.items() if k in ("full", "partial", "blank")][:3]
    root = copy_of(base, tmp_path / "course")
    done, left = _grade_local(root, ASSIGNMENT, *[a for s in students for a in ("--student", s)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert _statuses(done.stdout) == {s: "graded" for s in students}, done.stdout
    ours, local = dump_gradebook(root), dump_gradebook(graded_template()[0])
    assert set(ours["submissions"]) == {f"{ASSIGNMENT}/{s}" for s in students}
    for key, sub in ours["submissions"].items():
        assert sub == local["submissions"][key]
    assert left == []


def test_local_workers_started_for_a_run_that_fails_early_are_stopped(tmp_path):
    """The workers start before the course is read; an error found then (an assignment not
    released) is still one line, and the workers are stopped with the run. Outside a course
    no worker starts at all. Dask's default HTTP port (8787) held by another program changes
    nothing: the scheduler serves on a free port of its own."""
    root = released_course(tmp_path / "course")
    outside = tmp_path / "not-a-course"
    outside.mkdir()
    with socket.socket() as held:
        try:
            held.bind(("127.0.0.1", 8787))
            held.listen()
        except OSError:
            pass  # another program holds it already: the same case
        runs = [_grade_local(root, "no-such-assignment"), _grade_local(outside, ASSIGNMENT)]
    for done, left in runs:
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith("kosovo-course: ") and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert left == []
    assert "no-such-assignment" in runs[0][0].stderr
    assert "not an nbgrader course directory" in runs[1][0].stderr


def test_ctrl_c_stops_a_local_cluster_run_in_one_line_and_the_rerun_grades_the_rest(tmp_path):
    """Ctrl-C reaches the whole foreground process group: the coordinator, the forkserver and
    the workers. Only the coordinator answers it: one line, exit 130, no worker tracebacks,
    nothing left running; the next run grades whoever was not graded, as the pool would."""
    base, kinds = class_template()
    root = copy_of(base, tmp_path / "course")
    proc = _local_run(root, ASSIGNMENT)
    _wait_for(lambda: _state(root), "no student was graded", proc)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 130, out + err
    assert err.strip().splitlines()[-1] == "kosovo-course: interrupted", err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    _wait_for(lambda: not _session(proc.pid), "processes of the interrupted run live on")
    assert len(_state(root)) < len(kinds)  # it did stop half-way
    rerun = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr  # s004, s101, s102: ungradable
    assert set(_state(root)) == set(kinds)
    assert dump_gradebook(root) == dump_gradebook(graded_template()[0])


def test_a_scheduler_that_cannot_be_reached_is_one_line(tmp_path):
    root = copy_of(class_template()[0], tmp_path / "course")
    e = env()
    e["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "2s"  # Dask's own setting; 30 s by default
    proc = subprocess.run(
        [str(BIN / "kosovo-course"), "grade", ASSIGNMENT, "--scheduler", "tcp://127.0.0.1:1"],
        cwd=root,
        env=e,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("kosovo-course: --scheduler tcp://127.0.0.1:1: cannot reach")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_import_course_grading_does_not_import_dask():
    code = (
        "import sys, course, course.grading.cli, course.grading.grade\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'dask imported'"
    )
    subprocess.run([sys.executable, "-c", code], env=env(), check=True)


def test_student_timeout_stops_a_unit_on_its_worker_and_the_worker_lives_on(cluster, tmp_path):
    """--student-timeout holds on Dask too: the unit's kernel is killed on the worker, the
    student is flagged and graded again next run, and no worker is lost (Dask would otherwise
    run the task again elsewhere)."""
    from distributed import Client

    base, kinds = class_template()
    student = next(s for s, k in kinds.items() if k == "endless-loop")
    root = copy_of(base, tmp_path / "course")
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write("\nc.Execute.timeout = 600  # only the student timeout can stop the loop\n")
    with Client(str(cluster["address"])) as client:
        workers = set(client.scheduler_info()["workers"])
    proc = _grade(
        root, str(cluster["address"]), "--student", student, "--student-timeout", "3"
    )
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, out + err
    assert _state(root) == {student: "failed"}
    flags = (root / "reports" / ASSIGNMENT / "flags.csv").read_text()
    assert f"{student},,timeout,grading took over 3 s and was stopped" in flags, flags
    assert not (root / "autograded" / student).exists()
    with Client(str(cluster["address"])) as client:
        assert set(client.scheduler_info()["workers"]) == workers  # the same two processes


LATE_PLUGIN = """
from nbgrader.plugins import LateSubmissionPlugin


class Blarg(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds):
        return 1
"""


def test_a_plugin_module_beside_the_config_reaches_the_workers(cluster, tmp_path):
    """Stock imports late_plugin.py from the course folder; the workers have no course folder,
    so the module travels with the template. Without it every student fails to import it."""
    root = released_course(tmp_path / "plugin")
    (root / "late_plugin.py").write_text(LATE_PLUGIN)
    config = root / "nbgrader_config.py"
    config.write_text(
        config.read_text() + "\nc.AssignLatePenalties.plugin_class = 'late_plugin.Blarg'\n"
    )
    kinds = write_class(root, ["full", "full"], extras={})
    proc = _grade(root, str(cluster["address"]))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    assert _statuses(out) == {s: "graded" for s in kinds}, out
    assert set(_state(root).values()) == {"graded"}
