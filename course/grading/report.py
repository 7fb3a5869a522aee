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

ITEM_COLUMNS = (
    "notebook",
    "grade_id",
    "kind",
    "max_points",
    "mean_score",
    "share_passing",
    "n",
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

    def row(self) -> dict[str, Any]:
        """The CSV row of this item (no student identifiers: counts only)."""
        n = len(self.scores)
        mean = sum(self.scores) / n if n else None
        passing = sum(1 for s in self.scores if s >= self.max_points) / n if n else None
        common = "; ".join(f"{msg} ({count})" for msg, count in self.failures.most_common(3))
        return {
            "notebook": self.notebook,
            "grade_id": self.grade_id,
            "kind": self.kind,
            "max_points": f"{self.max_points:g}",
            "mean_score": "" if mean is None else f"{mean:.3f}",
            "share_passing": "" if passing is None else f"{passing:.3f}",
            "n": n,
            "common_failures": common,
        }


@dataclass
class ReportResult:
    """The files report wrote."""

    grades_csv: Path
    items: dict[str, Path] = field(default_factory=dict)
    figures: dict[str, list[Path]] = field(default_factory=dict)
    totals: dict[str, list[float]] = field(default_factory=dict)


def export_grades(course: Course, dest: Path) -> Path:
    """Write nbgrader's own CSV export (what ``nbgrader export`` writes) to ``dest``."""
    from nbgrader.plugins import CsvExportPlugin

    from course.grading.engine import quiet_nbgrader

    dest.parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin(config=course.config)
    plugin.to = str(dest)
    with quiet_nbgrader(), course.gradebook() as gb:
        plugin.export(gb)
    return dest


def failure_message(cell: dict[str, Any]) -> str:
    """How a test cell failed, as a student would read it: the first line of the error."""
    line = first_error_line(cell)
    if line.startswith("AssertionError") and line.strip() == "AssertionError":
        return "AssertionError (no message)"
    return line


def item_analysis(course: Course, assignment: str) -> tuple[list[Item], list[float], float]:
    """Per graded cell: scores and failure messages; plus each submission's total and the max."""
    from nbgrader.api import MissingEntry

    items: dict[tuple[str, str], Item] = {}
    totals: list[float] = []
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
            totals.append(float(sub.score))
            for nb in sub.notebooks:
                for grade in nb.grades:
                    item = items.get((nb.name, grade.name))
                    if item is not None and item.kind == "manual" and grade.needs_manual_grade:
                        continue  # not marked yet: its 0 is not a score
                    if item is not None and grade.score is not None:
                        item.scores.append(float(grade.score))
            student = sub.student.id
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
    return list(items.values()), totals, max_total


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
        top = max(max_total, max(totals), 1.0)
        step = max(1.0, round(top / 10))
        edges = [i * step for i in range(int(top // step) + 2)]
        chart = plots.histogram(
            totals,
            bins=edges,
            title=f"{assignment}: total scores",
            xlabel=f"score (out of {max_total:g})",
            ylabel="submissions",
            alt=f"Histogram of the total scores of {len(totals)} submissions of {assignment}.",
        )
        paths.append(chart.save(folder / "scores.png"))
    rated = [i for i in items if i.scores]
    if rated:
        rates = pd.Series(
            {
                i.grade_id: 100 * sum(s >= i.max_points for s in i.scores) / len(i.scores)
                for i in rated
            }
        )
        chart = plots.bar_chart(
            rates,
            title=f"{assignment}: share of full marks per question",
            xlabel="% of submissions with full marks",
            ylabel="question (grade id)",
            horizontal=True,
            alt=(
                f"Bar chart of the share of submissions with full marks for each of the "
                f"{len(rated)} graded cells of {assignment}."
            ),
        )
        paths.append(chart.save(folder / "pass-rates.png"))
    return paths


def report(course: Course, assignment: str | None = None) -> ReportResult:
    """Write reports/grades.csv and, per assignment, items.csv and the figures."""
    result = ReportResult(export_grades(course, course.reports_dir / "grades.csv"))
    if assignment:
        names = [course.require_assignment(assignment)]
    else:
        with course.gradebook() as gb:
            names = sorted(a.name for a in gb.assignments if a.submissions)
    for name in names:
        items, totals, max_total = item_analysis(course, name)
        folder = course.assignment_reports(name)
        result.items[name] = write_items(items, folder / "items.csv")
        result.figures[name] = draw_figures(name, items, totals, max_total, folder)
        result.totals[name] = totals
    return result


def format_report(result: ReportResult, course: Course) -> str:
    """Where the report files are."""
    lines = [f"grades (nbgrader export): {result.grades_csv}"]
    for name, path in result.items.items():
        totals = result.totals.get(name, [])
        mean = sum(totals) / len(totals) if totals else 0.0
        lines.append(f"{name}: {len(totals)} submission(s), mean score {mean:.2f}")
        lines.append(f"  item analysis: {path}")
        for fig in result.figures.get(name, []):
            lines.append(f"  figure: {fig}")
    return "\n".join(lines)
