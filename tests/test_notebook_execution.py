"""The answer key works: every source notebook runs top to bottom with every check passing."""

from __future__ import annotations

import pytest

from course_helpers import assignments, errors, graded_cells

ASSIGNMENTS = assignments()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_passes_every_check(executed_sources, assignment):
    nb = executed_sources[assignment]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not errors(cell), f"{cell.id} failed: {errors(cell)}"
    tests = graded_cells(nb)
    assert tests, "an assignment has autograded test cells"
    for cell in tests:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "✓ Question" in printed, f"{cell.id}: no self-check verdict printed"
        # Every ✓ says what it checked, and nothing about grading that self-study lacks.
        assert "Checked:" in printed or "passed the self-check" in printed, printed
        assert "more checks run when your work is graded" not in printed
        assert "All tests passed" not in printed
