"""Which sandbox limit a submission reached, read from the errors in its autograded notebooks.

A limit hit is an ordinary error in the cell that hit it (Python raises MemoryError when the
address-space limit refuses memory, OSError "File too large" past the file-size limit, and
BlockingIOError when a new process would pass the process limit); the rest of the notebook runs
and is graded as far as it got. Each becomes one ``limit`` flag naming the limit, its value,
the cell and the setting that changes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from course.grading.flags import Flag
from course.grading.sandbox import Limits, human_size


def _what(ename: str, evalue: str, limits: Limits) -> str | None:
    if ename == "MemoryError":
        return f"memory limit {human_size(limits.memory)} reached (Sandbox.memory_limit)"
    if "File too large" in evalue or "[Errno 27]" in evalue:
        return f"file size limit {human_size(limits.file_size)} reached (Sandbox.file_size_limit)"
    if ename == "BlockingIOError" or "Resource temporarily unavailable" in evalue:
        return f"process limit {limits.processes} reached (Sandbox.max_processes)"
    return None


def limit_flags(folder: Path, student: str, limits: Limits) -> list[Flag]:
    """One ``limit`` flag per cell of the autograded notebooks in ``folder`` that hit a limit."""
    flags = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for index, cell in enumerate(nb.get("cells", []), start=1):
            for out in cell.get("outputs", []) or []:
                if out.get("output_type") != "error":
                    continue
                what = _what(str(out.get("ename", "")), str(out.get("evalue", "")), limits)
                if what is None:
                    continue
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                where = f"cell {gid}" if gid else f"cell {index}"
                limit, _, setting = what.partition(" (")
                flags.append(Flag(student, path.stem, "limit", f"{limit} in {where} ({setting}"))
                break
    return flags
