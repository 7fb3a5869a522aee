"""``kosovo-course report``: grades CSV (nbgrader's exporter), item analysis and figures."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.grading.coursedir import Course, CourseError
from course.grading.release import first_error_line
from course.grading.standing import MISSING, Standing, question_label, standings

# nbgrader's export columns, then whether the score is the current grade and why not.
GRADE_COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "status",
    "reason",
    "unmarked",
)
ITEM_COLUMNS = (
    "notebook",
    "question",
    "grade_id",
    "kind",
    "max_points",
    "mean_score",
    "share_passing",
    "n",
    "unmarked",
    "common_failures",
)


@dataclass
class Item:
    """One graded cell of an assignment, summarised over the class."""

    notebook: str
    grade_id: str
    kind: str  # "autograded" or "manual"
    max_points: float
    scores: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    unmarked: int = 0  # written answers not marked yet (not counted as scores)

    def row(self) -> dict[str, Any]:
        """The CSV row of this item (no student identifiers: counts only)."""
        n = len(self.scores)
        mean = sum(self.scores) / n if n else None
        passing = sum(1 for s in self.scores if s >= self.max_points) / n if n else None
        common = "; ".join(f"{msg} ({count})" for msg, count in self.failures.most_common(3))
        return {
            "notebook": self.notebook,
            "question": question_label(self.grade_id),
            "grade_id": self.grade_id,
            "kind": self.kind,
            "max_points": f"{self.max_points:g}",
            "mean_score": "" if mean is None else f"{mean:.3f}",
            "share_passing": "" if passing is None else f"{passing:.3f}",
            "n": n,
            "unmarked": self.unmarked,
            "common_failures": common,
        }


@dataclass
class ReportResult:
    """The files report wrote."""

    grades_csv: Path
    items: dict[str, Path] = field(default_factory=dict)
    scores: dict[str, Path] = field(default_factory=dict)  # per-student, per-question CSVs
    standings: dict[str, dict[str, Standing]] = field(default_factory=dict)
    unmarked: dict[str, int] = field(default_factory=dict)  # assignment -> unmarked answers
    late: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # (student, penalty)
    figures: dict[str, list[Path]] = field(default_factory=dict)
    totals: dict[str, list[float]] = field(default_factory=dict)


def export_grades(course: Course, dest: Path) -> Path:
    """Write the grades CSV: nbgrader's own export, plus whether each score is current.

    The rows and the first columns are what ``nbgrader export`` writes (every student in the
    gradebook, 0 for no submission). ``status`` is graded, ungraded, stale or missing; for a
    student whose newest submission has no grade (``ungraded``/``stale``) the score columns
    are left empty, so an old grade is never exported as the current one; ``reason`` says why.
    """
    import tempfile

    from nbgrader.plugins import CsvExportPlugin

    from course.grading.engine import quiet_nbgrader
    from course.grading.feedback import unmarked_answers

    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        plugin = CsvExportPlugin(config=course.config)
        plugin.to = str(Path(tmp) / "grades.csv")
        with quiet_nbgrader(), course.gradebook() as gb:
            plugin.export(gb)
        with open(plugin.to, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    per_assignment = {
        name: (standings(course, name), unmarked_answers(course, name))
        for name in {r["assignment"] for r in rows}
    }
    for row in rows:
        found, unmarked = per_assignment[row["assignment"]]
        st = found.get(row["student_id"])
        status = st.status if st else MISSING
        reason = st.reason if st else "no submission"
        if st is not None and not st.current and status != MISSING:
            for column in ("raw_score", "late_submission_penalty", "score"):
                row[column] = ""
        row["status"], row["reason"] = status, reason
        row["unmarked"] = str(unmarked.get(row["student_id"], 0))
    # Students with a submission that never reached the gradebook (it could not be graded).
    listed = {(r["assignment"], r["student_id"]) for r in rows}
    for name, (found, _) in sorted(per_assignment.items()):
        max_score = next((r["max_score"] for r in rows if r["assignment"] == name), "")
        for sid, st in sorted(found.items()):
            if (name, sid) not in listed:
                rows.append(
                    {
                        "assignment": name,
                        "student_id": sid,
                        "max_score": max_score,
                        "status": st.status,
                        "reason": st.reason,
                        "unmarked": "0",
                    }
                )
    tmp_dest = dest.with_name(dest.name + ".tmp")
    with open(tmp_dest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=GRADE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    tmp_dest.replace(dest)
    return dest


def failure_message(cell: dict[str, Any]) -> str:
    """How a test cell failed, as a student would read it: the first line of the error."""
    line = first_error_line(cell)
    if line.startswith("AssertionError") and line.strip() == "AssertionError":
        return "AssertionError (no message)"
    return line


@dataclass
class Analysis:
    """One assignment's graded cells and its current submissions' scores."""

    items: list[Item]
    totals: list[float]  # current grades only (never a stale or failed one)
    max_total: float
    scores: dict[str, dict[str, float | None]]  # student -> grade id -> score (None: unmarked)
    late: list[tuple[str, float]]  # (student, penalty) of late current submissions


def item_analysis(course: Course, assignment: str, current: set[str]) -> Analysis:
    """Per graded cell: scores and failure messages, over the students in ``current``.

    Written answers not yet marked count in ``unmarked``, never as a score of 0.
    """
    from nbgrader.api import MissingEntry

    items: dict[tuple[str, str], Item] = {}
    totals: list[float] = []
    scores: dict[str, dict[str, float | None]] = {}
    late: list[tuple[str, float]] = []
    with course.gradebook() as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"{assignment} is not in the gradebook: release it first") from None
        max_total = float(a.max_score)
        for nb in a.notebooks:
            solution_ids = {c.name for c in nb.solution_cells}
            for cell in nb.grade_cells:
                auto = cell.cell_type == "code" and cell.name not in solution_ids
                items[(nb.name, cell.name)] = Item(
                    nb.name, cell.name, "autograded" if auto else "manual", float(cell.max_score)
                )
        for sub in a.submissions:
            student = sub.student.id
            if student not in current:
                continue
            totals.append(float(sub.score))
            if sub.late_submission_penalty:
                late.append((student, float(sub.late_submission_penalty)))
            row: dict[str, float | None] = {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    item = items.get((nb.name, grade.name))
                    if item is not None and item.kind == "manual" and grade.needs_manual_grade:
                        item.unmarked += 1  # not marked yet: its 0 is not a score
                        row[grade.name] = None
                        continue
                    if item is not None and grade.score is not None:
                        item.scores.append(float(grade.score))
                        row[grade.name] = float(grade.score)
            scores[student] = row
            folder = course.step_dir("autograded", student, assignment)
            for path in folder.glob("*.ipynb"):
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                for cell in data.get("cells", []):
                    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    item = items.get((path.stem, gid))
                    if item is not None and item.kind == "autograded":
                        msg = failure_message(cell)
                        if msg:
                            item.failures[msg] += 1
    return Analysis(list(items.values()), totals, max_total, scores, late)


def write_scores(analysis: Analysis, found: dict[str, Standing], dest: Path) -> Path:
    """The per-student, per-question CSV: one row per student, one column per question.

    A question column holds the score, ``unmarked`` for a written answer not marked yet, or is
    empty when the student has no current grade (``status`` and ``reason`` say why).
    """
    columns = [question_label(i.grade_id) for i in analysis.items]
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "status", "reason", "total", *columns])
        for student, st in sorted(found.items()):
            row = analysis.scores.get(student) if st.current else None
            cells = []
            for item in analysis.items:
                value = (row or {}).get(item.grade_id, "") if row is not None else ""
                cells.append("unmarked" if value is None else ("" if value == "" else f"{value:g}"))
            total = f"{sum(v for v in row.values() if v is not None):g}" if row else ""
            writer.writerow([student, st.status, st.reason, total, *cells])
    return dest


def write_items(items: list[Item], dest: Path) -> Path:
    """Write the item analysis CSV."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=ITEM_COLUMNS)
        writer.writeheader()
        writer.writerows(i.row() for i in items)
    return dest


def draw_figures(
    assignment: str, items: list[Item], totals: list[float], max_total: float, folder: Path
) -> list[Path]:
    """Score histogram and per-question pass-rate bar chart, through course.plots."""
    import pandas as pd

    from course import plots

    paths = []
    if totals:
        # One bar per whole score (scores are whole or half points), the axis ending at the
        # maximum: a bin never merges two different scores.
        top = max(max_total, max(totals), 1.0)
        step = 1.0 if top <= 60 else float(round(top / 30))
        edges = [i * step - step / 2 for i in range(int(top // step) + 2)]
        chart = plots.histogram(
            totals,
            bins=edges,
            title=f"{assignment}: total scores",
            xlabel=f"score (out of {max_total:g})",
            ylabel="submissions",
            alt=f"Histogram of the total scores of {len(totals)} submissions of {assignment}.",
        )
        chart.ax.set_xlim(edges[0], edges[-1])
        paths.append(chart.save(folder / "scores.png"))
    rated = [i for i in items if i.scores]
    if rated:
        rates = pd.Series(
            {
                question_label(i.grade_id): 100
                * sum(s >= i.max_points for s in i.scores)
                / len(i.scores)
                for i in rated
            }
        )
        chart = plots.bar_chart(
            rates,
            title=f"{assignment}: share of full marks per question",
            xlabel="% of submissions with full marks",
            ylabel="question",
            horizontal=True,
            alt=(
                f"Bar chart of the share of submissions with full marks for each of the "
                f"{len(rated)} graded cells of {assignment}."
            ),
        )
        paths.append(chart.save(folder / "pass-rates.png"))
    return paths


def report(course: Course, assignment: str | None = None) -> ReportResult:
    """Write reports/grades.csv and, per assignment, items.csv, scores.csv and the figures."""
    result = ReportResult(export_grades(course, course.reports_dir / "grades.csv"))
    if assignment:
        names = [course.require_assignment(assignment)]
    else:
        with course.gradebook() as gb:
            names = sorted(a.name for a in gb.assignments if a.submissions)
    for name in names:
        found = standings(course, name)
        current = {s for s, st in found.items() if st.current}
        analysis = item_analysis(course, name, current)
        folder = course.assignment_reports(name)
        result.items[name] = write_items(analysis.items, folder / "items.csv")
        result.scores[name] = write_scores(analysis, found, folder / "scores.csv")
        result.figures[name] = draw_figures(
            name, analysis.items, analysis.totals, analysis.max_total, folder
        )
        result.totals[name] = analysis.totals
        result.standings[name] = found
        result.unmarked[name] = sum(i.unmarked for i in analysis.items)
        result.late[name] = analysis.late
    return result


def format_report(result: ReportResult, course: Course) -> str:
    """Where the report files are, and what is not a current grade yet."""
    lines = [f"grades (nbgrader export, with status): {result.grades_csv}"]
    for name, path in result.items.items():
        totals = result.totals.get(name, [])
        mean = sum(totals) / len(totals) if totals else 0.0
        lines.append(f"{name}: {len(totals)} graded submission(s), mean score {mean:.2f}")
        found = result.standings.get(name, {})
        for status in ("ungraded", "stale", "missing"):
            who = sorted(s for s, st in found.items() if st.status == status)
            if who:
                lines.append(f"  ! {status} ({len(who)}): {', '.join(who)}")
        for student, st in sorted(found.items()):
            if st.status in ("ungraded", "stale"):
                lines.append(f"      {student}: {st.reason}")
        if result.unmarked.get(name):
            lines.append(
                f"  ! {result.unmarked[name]} written answer(s) not marked yet: mark them in "
                "formgrader (pass rates leave them out until then)"
            )
        late = result.late.get(name, [])
        if late:
            lines.append(
                f"  late: {len(late)} submission(s) penalised, "
                + ", ".join(f"{s} -{p:g}" for s, p in late)
            )
        lines.append(f"  item analysis: {path}")
        lines.append(f"  per student and question: {result.scores[name]}")
        for fig in result.figures.get(name, []):
            lines.append(f"  figure: {fig}")
    return "\n".join(lines)
