"""Mark locked code cells in the student release, visibly and in a way grading keeps.

nbgrader's ``LockCells`` already makes locked and test cells read-only in JupyterLab
(``editable: false``), but nothing on screen says so: a student who tries to type sees nothing
happen, and one who copies a test cell elsewhere does not know it is graded. The release step
here adds one comment line on top of each locked code cell. It runs inside GenerateAssignment,
before nbgrader computes checksums and saves the cells to the gradebook, so the gradebook holds
the marked source too: at grading nbgrader restores exactly what the student was given and does
not report the line as a change.
"""

from __future__ import annotations

import copy
from typing import Any

LOCKED_NOTE = "# 🔒 Locked: a check that runs again at grading. Run it; edits here are not kept."
SETUP_NOTE = "# 🔒 Locked: set-up the notebook needs. Run it; edits here are not kept."


def _preprocessor_class() -> type:
    """The nbgrader preprocessor, built on first use so that importing this module stays light."""
    from nbgrader import utils
    from nbgrader.preprocessors import NbGraderPreprocessor

    class MarkLockedCells(NbGraderPreprocessor):
        """Put a one-line 🔒 note on top of every locked code cell (tests and set-up)."""

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            if cell.cell_type != "code" or utils.is_solution(cell):
                return cell, resources
            if utils.is_grade(cell):
                note = LOCKED_NOTE
            elif utils.is_locked(cell):
                note = SETUP_NOTE
            else:
                return cell, resources
            if not cell.source.startswith("# 🔒"):
                cell.source = f"{note}\n{cell.source}"
            return cell, resources

    return MarkLockedCells


def release_config(config: Any) -> Any:
    """The course config with :class:`MarkLockedCells` in GenerateAssignment, after LockCells."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ComputeChecksums

    cfg = copy.deepcopy(config)
    configured = cfg.GenerateAssignment.get("preprocessors")
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    steps = list(configured) if configured else list(default)
    # Before the first checksum: the gradebook must store the source the student receives.
    steps.insert(steps.index(ComputeChecksums), _preprocessor_class())
    cfg.GenerateAssignment.preprocessors = steps
    return cfg
