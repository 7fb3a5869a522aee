"""``kosovo-course demo``: the instructor's whole workflow on a synthetic class, in a temp folder.

Copies the course config and one assignment into a new course directory (the repository is
never written), releases it, synthesises a class (full, partial, blank and a few broken
submissions), grades it in parallel, writes feedback and the report, and prints where
everything is.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import course as course_pkg
from course.grading.coursedir import CONFIG_FILE, Course, CourseError, find_course_root


def default_course_root() -> Path:
    """The course this package ships with (its repository), else the current directory's."""
    repo = Path(course_pkg.__file__).resolve().parent.parent
    if (repo / CONFIG_FILE).is_file():
        return repo
    return find_course_root()


def make_demo_course(src: Course, assignment: str, dest: Path) -> Course:
    """A new course directory in ``dest`` with ``src``'s config and one assignment's source."""
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise CourseError(f"{dest} is not empty; pick a new folder for --keep")
    shutil.copy2(src.root / CONFIG_FILE, dest / CONFIG_FILE)
    source = src.step_dir("source", assignment=assignment)
    rel = source.relative_to(src.root)
    shutil.copytree(source, dest / rel, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return Course.open(dest)


def demo(
    *,
    course_dir: Path | None = None,
    students: int = 12,
    assignment: str | None = None,
    keep: Path | None = None,
    jobs: int | None = None,
    progress: bool = True,
) -> int:
    """Run the demo; return the exit code (0 when every step worked)."""
    from course.grading.feedback import feedback, format_feedback
    from course.grading.grade import grade, summary_table
    from course.grading.release import format_report, release
    from course.grading.report import format_report as format_item_report
    from course.grading.report import report
    from course.grading.synth import synthesise_class

    started = time.monotonic()
    if students < 1:
        raise CourseError("--students must be at least 1")
    src = Course.open(course_dir or default_course_root())
    names = src.assignments()
    if not names:
        raise CourseError(f"No assignments in {src.step_dir('source')} to demonstrate.")
    name = src.require_assignment(assignment) if assignment else names[0]
    root = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="kosovo-course-demo-"))
    course = make_demo_course(src, name, root)
    print(f"Demo course: {root} (a copy of {src.root}'s config and {name})\n")

    print("== release ==")
    reports = release(course, [name])
    print(format_report(reports))
    if not all(r.generated for r in reports):
        return 1

    print(f"\n== class: {students} synthetic submissions ==")
    kinds = synthesise_class(
        course.step_dir("source", assignment=name),
        course.step_dir("release", assignment=name),
        course.step_dir("submitted"),
        name,
        students,
    )
    for sid, kind in kinds.items():
        print(f"  {sid}: {kind}")

    print("\n== grade ==")
    run = grade(course, name, jobs=jobs, progress=progress)
    print(summary_table(run))

    print("\n== feedback ==")
    fb = feedback(course, name)
    print(format_feedback(fb, course))

    print("\n== report ==")
    print(format_item_report(report(course, name), course))

    print(f"\nDone in {time.monotonic() - started:.0f} s. Everything is in {root}:")
    for step in ("release", "submitted", "autograded", "feedback"):
        print(f"  {step + '/':<12} {course.step_dir(step)}")
    print(f"  {'reports/':<12} {course.reports_dir}")
    print(
        f"  {'gradebook':<12} {course.db_path}  (open it with formgrader: cd {root} && jupyter lab)"
    )
    if not keep:
        print(f"Remove it with: rm -rf {root}")
    return 0 if fb.ok and all(r.ok for r in reports) else 1
