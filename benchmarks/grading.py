"""Benchmark: stock serial ``nbgrader autograde`` against ``kosovo-course grade --jobs N``,
sandboxed (the default) and with ``--no-sandbox``, in one run.

Builds one synthetic class (default 36 submissions) of one assignment, copies the course twice,
grades one copy with stock nbgrader and the other with kosovo-course, checks that the grades
are identical, and compares the time per notebook with the bare cost of starting and stopping
a python3 kernel. Prints a table and writes JSON to benchmarks/out/.

    .venv/bin/python benchmarks/grading.py                  # 01-sourcing if present, else fixture
    .venv/bin/python benchmarks/grading.py --assignment ps1 --students 36 --jobs 2 --repeat 3
    .venv/bin/python benchmarks/grading.py --scheduler local:2   # Dask instead of --no-sandbox

With ``--scheduler``, the third grading is ``grade --scheduler ADDRESS`` (a Dask cluster, or
``local:N`` workers started for it) instead of ``--no-sandbox``; it runs through the Python API
in a child process, to report the coordinator's own time per student (merging; packing and
unpacking what travels to and from the workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "grading" / "course"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))

from course.grading.compare import autograded_cells, differences, gradebook_dump  # noqa: E402
from course.grading.synth import synthesise_class  # noqa: E402


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    return env


CPU = {"last": 0.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command; return its wall time (its CPU time, kernels included, goes to CPU)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    CPU["last"] = _children_cpu() - cpu
    return wall, proc


def pick_assignment(name: str | None) -> tuple[Path, str]:
    """The course folder holding the source and the assignment to benchmark."""
    real = REPO / "notebooks"
    if name is None:
        name = "01-sourcing" if (real / "01-sourcing").is_dir() else "ps1"
    for root in (REPO, FIXTURE):
        if (root / "notebooks" / name).is_dir():
            return root, name
    raise SystemExit(f"no assignment {name!r} in {real} or the test fixture")


def build_class(src_root: Path, assignment: str, students: int, dest: Path) -> Path:
    """A released course with a synthetic class of ``students`` submissions."""
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(src_root / "notebooks" / assignment, dest / "notebooks" / assignment)
    _, proc = _run([str(BIN / "kosovo-course"), "release", assignment, "--no-verify"], dest)
    if proc.returncode:
        raise SystemExit(f"release failed:\n{proc.stdout}\n{proc.stderr}")
    synthesise_class(
        dest / "notebooks" / assignment,
        dest / "release" / assignment,
        dest / "submitted",
        assignment,
        students,
    )
    return dest


def kernel_startup(samples: int) -> list[float]:
    """Seconds to start a python3 kernel, wait until it answers, and shut it down."""
    from jupyter_client.manager import KernelManager

    times = []
    for _ in range(samples):
        start = time.perf_counter()
        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        times.append(time.perf_counter() - start)
    return times


def inner_grade(root: Path, assignment: str, scheduler: str, out: Path) -> None:
    """In a child process: grade on Dask through the API; write the run's timings as JSON."""
    from course.grading.dask_executor import start_cluster

    # As `kosovo-course grade --scheduler` does: the cluster starts before nbgrader is imported
    # here (Course.open), so that the two overlap.
    with start_cluster(scheduler) as cluster:
        from course.grading.coursedir import Course
        from course.grading.grade import grade

        run = grade(Course.open(root), assignment, progress=False, scheduler=cluster)
    graded = sum(1 for o in run.outcomes.values() if o.status in ("graded", "flagged"))
    data = {
        "merge_seconds": run.merge_seconds,
        "transfer_seconds": run.transfer_seconds,
        "merged": graded,
        "students": len(run.outcomes),
        "unit_seconds": [o.seconds for o in run.outcomes.values() if o.seconds is not None],
    }
    out.write_text(json.dumps(data), encoding="utf-8")


def one_round(
    base: Path, assignment: str, jobs: int, work: Path, n: int, scheduler: str | None = None
) -> dict[str, object]:
    """Grade copies of ``base`` with stock nbgrader and with kosovo-course; compare."""
    stock, ours, bare = work / f"stock-{n}", work / f"ours-{n}", work / f"bare-{n}"
    for copy in (stock, ours, bare):
        shutil.copytree(base, copy)
    load = os.getloadavg()[0]
    t_stock, p_stock = _run([str(BIN / "nbgrader"), "autograde", assignment], stock)
    cpu_stock = CPU["last"]
    grade = [str(BIN / "kosovo-course"), "grade", assignment, "--jobs", str(jobs), "--no-progress"]
    timings = work / f"dask-{n}.json"
    third = (
        [*grade, "--no-sandbox"]
        if scheduler is None
        else [sys.executable, __file__, "--inner", str(bare), assignment, scheduler, str(timings)]
    )
    # Every other round grades the third copy first, so that a drift in the machine's load
    # does not always favour the same one of the two.
    runs: dict[str, tuple[float, subprocess.CompletedProcess[str], float]] = {}
    for name in ("ours", "third") if n % 2 == 0 else ("third", "ours"):
        wall, proc = _run(grade if name == "ours" else third, ours if name == "ours" else bare)
        runs[name] = (wall, proc, CPU["last"])
    t_ours, p_ours, cpu_ours = runs["ours"]
    t_bare, p_bare, cpu_bare = runs["third"]
    dask: dict[str, object] = {}
    if scheduler is not None:
        if p_bare.returncode != 0:
            raise SystemExit(f"grade --scheduler failed:\n{p_bare.stdout}\n{p_bare.stderr}")
        p_bare.returncode = 1  # the inner run does not print grade's summary
        dask = json.loads(timings.read_text(encoding="utf-8"))
    diffs: list[str] = []
    for proc, copy in ((p_ours, ours), (p_bare, bare)):
        if proc.returncode not in (0, 1):  # 1: some students could not be graded (stock too)
            raise SystemExit(f"kosovo-course grade failed:\n{proc.stdout}\n{proc.stderr}")
        diffs += differences(
            gradebook_dump(stock / "gradebook.db"), gradebook_dump(copy / "gradebook.db")
        )
        diffs += differences(
            autograded_cells(stock / "autograded", assignment),
            autograded_cells(copy / "autograded", assignment),
        )
    for copy in (stock, ours, bare):
        shutil.rmtree(copy)
    return {
        "stock_seconds": t_stock,
        "ours_seconds": t_ours,
        "unsandboxed_seconds": t_bare,
        "stock_cpu_seconds": round(cpu_stock, 2),
        "ours_cpu_seconds": round(cpu_ours, 2),
        "unsandboxed_cpu_seconds": round(cpu_bare, 2),
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "identical": not diffs,
        "differences": diffs,
        "dask": dask,
    }


def _extra(ours: float, third: float, scheduler: str | None) -> float:
    """What the third grading adds: Dask over the local pool, or the sandbox over none."""
    return third / ours - 1 if scheduler else ours / third - 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print/write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default=None)
    parser.add_argument("--students", type=int, default=36)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians are reported")
    parser.add_argument("--kernel-samples", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="also grade on Dask (tcp://HOST:PORT or local:N) instead of --no-sandbox",
    )
    parser.add_argument("--inner", nargs=4, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        root, assignment, scheduler, out = args.inner
        inner_grade(Path(root), assignment, scheduler, Path(out))
        return 0
    if args.students < 36:
        print("note: the target is stated for at least 36 submissions", file=sys.stderr)

    src_root, assignment = pick_assignment(args.assignment)
    with tempfile.TemporaryDirectory(prefix="kosovo-bench-") as tmp:
        work = Path(tmp)
        base = build_class(src_root, assignment, args.students, work / "base")
        rounds = [
            one_round(base, assignment, args.jobs, work, i, args.scheduler)
            for i in range(args.repeat)
        ]
    kernel = kernel_startup(args.kernel_samples)

    stock = statistics.median(r["stock_seconds"] for r in rounds)
    ours = statistics.median(r["ours_seconds"] for r in rounds)
    bare = statistics.median(r["unsandboxed_seconds"] for r in rounds)
    k = statistics.median(kernel)
    n = args.students
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "assignment": assignment,
        "students": n,
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1min": os.getloadavg()[0],
        "rounds": rounds,
        "stock_serial_seconds": round(stock, 2),
        "ours_seconds": round(ours, 2),
        # With --scheduler, the third grading is the Dask one (see result["dask"]).
        "unsandboxed_seconds": None if args.scheduler else round(bare, 2),
        "sandbox_overhead": None if args.scheduler else round(_extra(ours, bare, None), 3),
        "speedup": round(stock / ours, 2),
        "speedup_per_round": [round(r["stock_seconds"] / r["ours_seconds"], 2) for r in rounds],
        "identical_grades": all(r["identical"] for r in rounds),
        "stock_seconds_per_notebook": round(stock / n, 3),
        "ours_seconds_per_notebook": round(ours / n, 3),
        "kernel_start_stop_seconds_median": round(k, 3),
        "kernel_samples": [round(x, 3) for x in kernel],
    }
    third = (
        f"grade --scheduler {args.scheduler}"
        if args.scheduler
        else (f"grade --jobs {args.jobs} --no-sandbox")
    )
    rows = [
        ("stock nbgrader autograde (serial)", f"{stock:.1f} s", f"{stock / n:.2f} s"),
        (f"grade --jobs {args.jobs} (sandboxed)", f"{ours:.1f} s", f"{ours / n:.2f} s"),
        (third, f"{bare:.1f} s", f"{bare / n:.2f} s"),
        (
            "Dask over the local pool" if args.scheduler else "sandbox cost over --no-sandbox",
            f"{_extra(ours, bare, args.scheduler) * 100:+.1f} %",
            "",
        ),
        (
            "  per round (odd: ours graded first)",
            " ".join(
                f"{_extra(r['ours_seconds'], r['unsandboxed_seconds'], args.scheduler):+.0%}"
                for r in rounds
            ),
            "",
        ),
        ("speed-up (median wall times)", f"{stock / ours:.2f}x", ""),
        (
            "speed-up per round",
            " ".join(f"{r['stock_seconds'] / r['ours_seconds']:.2f}x" for r in rounds),
            "",
        ),
        (
            "CPU time, stock / ours (kernels incl.)",
            f"{statistics.median(r['stock_cpu_seconds'] for r in rounds):.0f} s",
            f"{statistics.median(r['ours_cpu_seconds'] for r in rounds):.0f} s",
        ),
        (
            f"CPU time, {third}",
            f"{statistics.median(r['unsandboxed_cpu_seconds'] for r in rounds):.0f} s",
            "",
        ),
        ("same as stock (gradebook, cells)", "yes" if result["identical_grades"] else "NO", ""),
        ("python3 kernel start+stop (median)", "", f"{k:.2f} s"),
    ]
    if args.scheduler:
        merge = statistics.median(r["dask"]["merge_seconds"] / n for r in rounds)
        moved = statistics.median(r["dask"]["transfer_seconds"] / n for r in rounds)
        unit = statistics.median(s for r in rounds for s in r["dask"]["unit_seconds"])
        result["dask"] = {
            "scheduler": args.scheduler,
            "seconds": round(bare, 2),
            "over_local_pool": round(_extra(ours, bare, args.scheduler), 3),
            "over_local_pool_per_round": [
                round(_extra(r["ours_seconds"], r["unsandboxed_seconds"], args.scheduler), 3)
                for r in rounds
            ],
            "coordinator_merge_seconds_per_student": round(merge, 4),
            "coordinator_transfer_seconds_per_student": round(moved, 4),
            "unit_seconds_median": round(unit, 3),
        }
        rows += [
            ("coordinator: merge per student", "", f"{merge * 1000:.1f} ms"),
            ("coordinator: pack+unpack per student", "", f"{moved * 1000:.1f} ms"),
            ("unit time on a worker (median)", "", f"{unit:.2f} s"),
        ]
    print(
        f"{n} submissions of {assignment}, {os.cpu_count()} CPUs, "
        f"{args.repeat} round(s), load {result['load_average_1min']:.1f}"
    )
    print(f"{'':38}{'wall':>10}{'per notebook':>16}")
    for label, wall, per in rows:
        print(f"{label:38}{wall:>10}{per:>16}")
    for r in rounds:
        for d in r["differences"]:
            print("  difference:", d)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"grading-{assignment}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {path}")
    return 0 if result["identical_grades"] else 1


if __name__ == "__main__":
    sys.exit(main())
