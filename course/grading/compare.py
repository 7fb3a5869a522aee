"""Compare two graded copies of a course: gradebook fields and autograded notebooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from course.grading.solutions import multiline_text


def gradebook_dump(db: Path | str, assignment: str | None = None) -> dict[str, Any]:
    """Every autograde-relevant gradebook field, keyed by names, not row ids.

    ``db`` is a SQLite file or a database URL (``postgresql+psycopg://...``).
    """
    from course.grading.gradebook import open_gradebook
    from course.grading.results import dump

    with open_gradebook(db if isinstance(db, str) else f"sqlite:///{db}") as gb:
        return dump(gb, assignment)


def autograded_cells(autograded: Path, assignment: str) -> dict[str, Any]:
    """Per autograded notebook and cell: type, source, outputs and nbgrader metadata.

    Execution timestamps and counts differ between any two runs and are left out, and
    consecutive stream outputs are joined (:func:`joined_streams`).
    """
    out: dict[str, Any] = {}
    for path in sorted(autograded.glob(f"*/{assignment}/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = []
        for cell in nb["cells"]:
            outputs = [
                {k: v for k, v in o.items() if k not in ("execution_count", "metadata")}
                for o in joined_streams(cell.get("outputs", []))
            ]
            cells.append(
                [
                    cell["cell_type"],
                    cell["source"],
                    outputs,
                    cell.get("metadata", {}).get("nbgrader"),
                ]
            )
        out[str(path.relative_to(autograded))] = cells
    return out


def joined_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A cell's outputs with each run of stream outputs of one name joined into one.

    ipykernel sends what a cell prints when its flush timer fires, so the same printed text can
    reach the notebook as one stream output or as two (``"...right."`` and ``"\\n"``), in
    stock nbgrader as in ours; a reader sees the same text either way.
    """
    joined: list[dict[str, Any]] = []
    for output in outputs:
        if output.get("output_type") != "stream":
            joined.append(dict(output))
            continue
        text = multiline_text(output.get("text", ""))
        last = joined[-1] if joined else None
        if last and last.get("output_type") == "stream" and last.get("name") == output.get("name"):
            last["text"] += text
        else:
            joined.append({**output, "text": text})
    return joined


def differences(a: Any, b: Any, path: str = "", limit: int = 10) -> list[str]:
    """Up to ``limit`` paths where two JSON-like values differ."""
    found: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                walk(x.get(key, "<missing>"), y.get(key, "<missing>"), f"{where}/{key}")
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                walk(p, q, f"{where}[{i}]")
        elif x != y:
            found.append(f"{where}: {x!r} != {y!r}"[:300])

    walk(a, b, path)
    return found
