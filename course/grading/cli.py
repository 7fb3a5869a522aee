"""``kosovo-course``: the instructor's command line (argument parsing only; work is elsewhere)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading.coursedir import Course, CourseError

if TYPE_CHECKING:
    from course.grading.dask_executor import Cluster


def _course(args: argparse.Namespace) -> Course:
    return Course.open(args.course_dir)


def _release(args: argparse.Namespace) -> int:
    from course.grading.release import format_report, release

    course = _course(args)
    due = None
    if args.due:
        from course.grading.collect import course_timezone
        from course.grading.late import parse_due

        due = parse_due(args.due, course_timezone(course, args.timezone))
    reports = release(course, args.assignments or None, verify=not args.no_verify, due=due)
    print(format_report(reports))
    return 0 if all(r.ok for r in reports) else 1


def _collect(args: argparse.Namespace) -> int:
    from course.grading.collect import collect, format_collect

    course = _course(args)
    result = collect(
        course,
        args.assignment,
        Path(args.source),
        Path(args.roster),
        timezone=args.timezone,
        encoding=args.roster_encoding,
    )
    print(format_collect(result, course))
    return 0


def _grade(args: argparse.Namespace) -> int:
    from course.grading.grade import grade, summary_table

    with _cluster(args) as cluster:
        course = _course(args)
        if args.jobs is not None and args.jobs < 1:
            raise CourseError(f"--jobs must be 1 or more, got {args.jobs}")
        settings: dict[str, dict[str, object]] = {"Sandbox": {}}
        for flag, trait in (
            ("memory_limit", "memory_limit"),
            ("max_processes", "max_processes"),
            ("file_size_limit", "file_size_limit"),
            ("cpu_time_limit", "cpu_time_limit"),
        ):
            value = getattr(args, flag)
            if value is not None:
                settings["Sandbox"][trait] = value
        if args.no_sandbox:
            print(UNPROTECTED, file=sys.stderr)
        run = grade(
            course,
            args.assignment,
            jobs=max(1, args.jobs or os.cpu_count() or 1),
            students=args.student or None,
            force=args.force,
            progress=not args.no_progress,
            student_timeout=args.student_timeout,
            sandbox=not args.no_sandbox,
            settings=settings,
            notebook=args.notebook,
            scheduler=cluster,
        )
        print(summary_table(run))
        print(_after_grading(course, args.assignment))
        flags = course.assignment_reports(args.assignment) / "flags.csv"
        if run.flags:
            print(f"Flags: {flags}")
        return 1 if run.ungraded else 0


def _cluster(args: argparse.Namespace) -> contextlib.AbstractContextManager[Cluster | None]:
    """``--scheduler``'s cluster, starting now: local:N workers start (about 2 s) while the
    course and nbgrader load here. Without the flag, nothing to close."""
    if not args.scheduler:
        return contextlib.nullcontext()
    from course.grading.coursedir import find_course_root
    from course.grading.dask_executor import start_cluster

    find_course_root(args.course_dir)  # not a course: say so now, not once the workers are up

    return start_cluster(args.scheduler, sandbox=not args.no_sandbox)


UNPROTECTED = (
    "kosovo-course: --no-sandbox: student code runs with your rights. Unprotected: the answer "
    "key, classmates' work, the gradebook, your home folder, the network, other kernels, and "
    "processes left running; no memory, process, file-size or CPU limits. Only cheap checks "
    "remain: the gradebook, grading's own copies and Python start-up files are compared and "
    "put back between students."
)

GRADE_EPILOG = """exit status:
  0  every student planned was graded (flags may still need a look: see flags.csv)
  1  some students could not be graded (listed in the summary; the batch went on)
  2  nothing was graded: a usage, course or configuration error (one line says what to do)

sandbox limits (defaults; also c.Sandbox.<name> in nbgrader_config.py):
  memory_limit 2G, max_processes 256, file_size_limit 1G, cpu_time_limit 600 (s per kernel)
"""


def _after_grading(course: Course, assignment: str) -> str:
    """What the grade summary adds for a class: late penalties and unmarked written answers."""
    from course.grading.feedback import unmarked_answers
    from course.grading.late import format_late

    lines = []
    late = format_late(course, assignment)
    if late:
        lines += ["", late]
    unmarked = unmarked_answers(course, assignment)
    if unmarked:
        lines += [
            "",
            f"Unmarked: {sum(unmarked.values())} written answer(s) of {len(unmarked)} "
            "student(s) wait for marking in formgrader.",
        ]
    return "\n".join(lines)


def _feedback(args: argparse.Namespace) -> int:
    from course.grading.feedback import feedback, format_feedback

    course = _course(args)
    result = feedback(course, args.assignment, students=args.student or None)
    print(format_feedback(result, course))
    return 0 if result.ok else 1


def _report(args: argparse.Namespace) -> int:
    from course.grading.report import format_report, report

    course = _course(args)
    result = report(course, args.assignment)
    print(format_report(result, course))
    return 0


def _export(args: argparse.Namespace) -> int:
    from course.grading.export import export_lms, format_export
    from course.grading.roster import Roster

    course = _course(args)
    roster = Roster.load(Path(args.roster), args.roster_encoding)
    out = Path(args.out) if args.out else None
    print(format_export(export_lms(course, args.assignment, args.lms, roster, out)))
    return 0


def _roster(args: argparse.Namespace) -> int:
    from course.grading.collect import add_students
    from course.grading.lock import course_lock
    from course.grading.roster import Roster

    course = _course(args)
    roster = Roster.load(Path(args.roster), args.roster_encoding)
    with course_lock(course, "roster"):
        new = add_students(course, roster.students)
    print(
        f"{len(roster.students)} student(s) in {args.roster}: {len(new)} new in the gradebook, "
        f"{len(roster.students) - len(new)} updated"
    )
    return 0


def _rubrics(args: argparse.Namespace) -> int:
    from course.grading.marking import show_rubrics

    course = _course(args)
    course.require_assignment(args.assignment)
    n = show_rubrics(course, args.assignment)
    print(
        f"{args.assignment}: the rubric is shown in formgrader's comment box (as a grey "
        f"placeholder, never saved or sent to the student) for {n} written answer(s)"
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from course.grading.demo import demo

    root = Path(args.course_dir) if args.course_dir else None
    return demo(
        course_dir=root,
        students=args.students,
        assignment=args.assignment,
        keep=Path(args.keep) if args.keep else None,
        jobs=args.jobs,
    )


def _lab(args: argparse.Namespace) -> int:
    from course.grading.lab import lab

    course = _course(args)
    return lab(
        course,
        workspace=Path(args.workspace) if args.workspace else None,
        open_browser=not args.no_browser,
        port=args.port,
        prepare_only=args.prepare_only,
        settings=Path(args.settings_file) if args.settings_file else None,
    )


def _worker(args: argparse.Namespace) -> int:
    from course.grading.dask_executor import worker_command

    command = worker_command(args.address, args.dask_args)
    print("kosovo-course: the sandbox runs here; starting: " + " ".join(command), flush=True)
    os.execv(command[0], command)
    return 1  # not reached: exec replaced this process


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 ("--jobs 0" is refused in words)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kosovo-course`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="kosovo-course",
        description="Release, collect, grade and report the course's nbgrader assignments.",
    )
    parser.add_argument(
        "--course-dir",
        metavar="DIR",
        default=None,
        help="the nbgrader course directory (default: the current directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("release", help="generate student versions and verify them")
    p.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help="assignments to release (default: every one in the source folder)",
    )
    p.add_argument("--no-verify", action="store_true", help="skip the solution/blank/leak checks")
    p.add_argument(
        "--due",
        metavar="WHEN",
        default=None,
        help="record the due date, e.g. '2022-08-21 23:59' (in --timezone); nbgrader marks "
        "later submissions late and applies the configured late penalty",
    )
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        default=None,
        help="the IANA zone of --due (default: the config's c.Exchange.timezone, else UTC)",
    )
    p.set_defaults(func=_release)

    p = sub.add_parser("collect", help="bring LMS submissions into submitted/")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("source", metavar="SOURCE", help="the LMS download: a .zip or a folder")
    p.add_argument(
        "--roster",
        required=True,
        metavar="CSV",
        help="roster: a CSV with student_id and optional first_name, last_name, email, "
        "canvas_id, moodle_id; or Canvas's gradebook export; or Moodle's grading worksheet",
    )
    p.add_argument(
        "--roster-encoding",
        metavar="ENC",
        default=None,
        help="the roster's text encoding (default: UTF-8; Excel's Central European CSV is cp1250)",
    )
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        default=None,
        help="the IANA time zone LMS zip times are in, e.g. Europe/Belgrade (default: the "
        "config's c.Exchange.timezone, else UTC); the same on every collecting machine",
    )
    p.set_defaults(func=_collect)

    p = sub.add_parser(
        "grade",
        help="autograde submissions in parallel, each kernel in a sandbox",
        epilog=GRADE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=None,
        help="worker processes, at least 1 (default: the number of CPUs)",
    )
    p.add_argument(
        "--student", action="append", metavar="ID", help="grade only this student (repeatable)"
    )
    p.add_argument(
        "--force",
        "-f",
        action="store_true",
        help="regrade students whose submission has not changed (nbgrader's --force, -f)",
    )
    p.add_argument(
        "--student-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop one student's grading after this long (default: every code cell at "
        "Execute.timeout plus 120 s; none when Execute.timeout is None)",
    )
    p.add_argument("--notebook", metavar="NAME", default=None, help="grade only this notebook")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="grade on a Dask cluster: its scheduler's tcp://HOST:PORT (tls:// with TLS), or "
        "local:N for N Dask workers on this machine; needs kosovo-course[cluster] "
        "(docs/guide/cluster.md). Default: the local pool of --jobs processes",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code with your own rights (needed where bubblewrap cannot run: "
        "macOS, Windows, no user namespaces); prints what is then unprotected",
    )
    p.add_argument(
        "--memory-limit", metavar="SIZE", default=None, help="per kernel (Sandbox.memory_limit)"
    )
    p.add_argument(
        "--max-processes", type=int, metavar="N", default=None, help="Sandbox.max_processes"
    )
    p.add_argument(
        "--file-size-limit", metavar="SIZE", default=None, help="Sandbox.file_size_limit"
    )
    p.add_argument(
        "--cpu-time-limit",
        type=int,
        metavar="SECONDS",
        default=None,
        help="CPU seconds per kernel (Sandbox.cpu_time_limit)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)

    p = sub.add_parser(
        "worker",
        help="check the sandbox runs here, then run a Dask grading worker (dask worker "
        "ADDRESS --nthreads 1 DASK_ARGS...)",
    )
    p.add_argument("address", metavar="ADDRESS", help="the scheduler: tcp://HOST:PORT or tls://")
    p.add_argument(
        "dask_args",
        nargs=argparse.REMAINDER,
        metavar="DASK_ARGS",
        help="passed on to dask worker (e.g. --nworkers 4 --name lab-3)",
    )
    p.set_defaults(func=_worker)

    p = sub.add_parser("feedback", help="generate feedback HTML, checked for leaks")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument(
        "--student", action="append", metavar="ID", help="only this student (repeatable)"
    )
    p.set_defaults(func=_feedback)

    p = sub.add_parser("report", help="grades CSV, item analysis and figures")
    p.add_argument(
        "assignment",
        nargs="?",
        metavar="ASSIGNMENT",
        help="assignment for the item analysis (default: every graded one)",
    )
    p.set_defaults(func=_report)

    p = sub.add_parser(
        "roster", help="import a roster (CSV, Canvas gradebook export, Moodle worksheet)"
    )
    p.add_argument("roster", metavar="CSV")
    p.add_argument("--roster-encoding", metavar="ENC", default=None)
    p.set_defaults(func=_roster)

    p = sub.add_parser("rubrics", help="show each written answer's rubric to markers in formgrader")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.set_defaults(func=_rubrics)

    p = sub.add_parser("export", help="grades and feedback for upload to Canvas or Moodle")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--lms", required=True, choices=("canvas", "moodle"))
    p.add_argument(
        "--roster",
        required=True,
        metavar="CSV",
        help="the roster with canvas_id or moodle_id (as for collect)",
    )
    p.add_argument("--roster-encoding", metavar="ENC", default=None)
    p.add_argument(
        "--out", metavar="DIR", default=None, help="where to write (default: reports/ASSIGNMENT)"
    )
    p.set_defaults(func=_export)

    p = sub.add_parser("demo", help="the whole workflow on a synthetic class in a temp folder")
    p.add_argument("--students", type=int, default=12, metavar="N")
    p.add_argument("--assignment", default=None, help="which assignment (default: the first)")
    p.add_argument(
        "--keep",
        metavar="DIR",
        default=None,
        help="build the demo course in DIR and keep it (must be empty or new)",
    )
    p.add_argument("--jobs", "-j", type=positive_int, default=None)
    p.set_defaults(func=_demo)

    p = sub.add_parser("lab", help="build the student workspace and open JupyterLab")
    p.add_argument(
        "--workspace",
        metavar="DIR",
        default=None,
        help="student workspace (default: workspace/ in the course directory)",
    )
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--prepare-only", action="store_true", help="do everything but start JupyterLab")
    p.add_argument(
        "--settings-file",
        metavar="JSON",
        default=None,
        help="JupyterLab overrides.json to update (default: the one in this "
        f"environment, {sys.prefix.replace('%', '%%')}/share/jupyter/lab/settings/overrides.json)",
    )
    p.set_defaults(func=_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``kosovo-course``; return the process exit code."""
    from course.grading.engine import ensure_scripts_on_path

    ensure_scripts_on_path()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CourseError as exc:
        print(f"kosovo-course: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kosovo-course: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kosovo-course ... | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
