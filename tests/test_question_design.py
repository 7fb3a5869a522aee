"""Questions must be answered by reading: the notebook must not show the answer just before."""

from __future__ import annotations

import nbformat

from course_helpers import source_notebook

GIVEAWAYS = ("named_in_article", "quoted_in_article", "article_spelling")


def test_who_is_named_and_quoted_is_not_shown_before_questions_1_8_and_1_9():
    """01 once displayed `people` with these columns right above 1.8 and 1.9."""
    cells = nbformat.read(source_notebook("01-sourcing"), as_version=4).cells
    last = next(i for i, c in enumerate(cells) if c.source.startswith('check("1.9"'))
    for cell in cells[:last]:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("solution"):
            continue  # the answer key's cells are removed from the release
        shown = cell.source.strip().splitlines()[-1] if cell.source.strip() else ""
        if "people" in shown:
            assert ".drop(columns=" in shown and all(g in shown for g in GIVEAWAYS), shown
        for line in cell.source.splitlines():
            if ".drop(columns=" not in line:
                assert not any(g in line for g in GIVEAWAYS), line
    after = "".join(c.source for c in cells[last:last + 3])
    assert all(g in after for g in GIVEAWAYS[:2]), "show the held-back columns after 1.9"
