"""Short messages in notebooks: a figure waiting for an answer and a crash, in a real kernel."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.display import FigureNeedsAnswer, figure_input


def _unanswered(paragraphs):
    raise NotImplementedError()


def test_figure_input_passes_a_finished_answer_through():
    assert figure_input(len, [1, 2, 3], question="1.5") == 3


@pytest.mark.parametrize(("fn", "expect"), [
    (_unanswered, "which raised NotImplementedError: finish Question 1.5"),
    (lambda paragraphs: None, "returned None: did you forget `return`?"),
    (..., "not a function yet"),
])
def test_figure_input_says_which_question_to_finish(fn, expect):
    with pytest.raises(FigureNeedsAnswer, match="Question 1.5") as info:
        figure_input(fn, ["text"], question="1.5")
    assert expect in str(info.value)


def test_figure_input_rejects_a_bad_question():
    with pytest.raises(TypeError, match="question"):
        figure_input(len, [], question=1.5)


def test_in_a_kernel_both_are_one_line_and_a_crash_shows_the_students_line(tmp_path):
    """The released notebook's state: an unanswered function (nbgrader's scaffold), a figure cell
    under it, and a function with a typo checked by the self-check."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=[
        new_code_cell("from course.checks import check\n"
                      "from course.display import figure_input\n"
                      "def words_per_paragraph(paragraphs):\n"
                      "    # YOUR CODE HERE\n"
                      "    raise NotImplementedError()"),
        new_code_cell("counts = figure_input(words_per_paragraph, ['a b'], question='1.5')\n"
                      "len(counts)"),
        new_code_cell("def events_in_year(events, year):\n"
                      "    mask = events['date'].dt.year == yeer\n"
                      "    return events[mask]"),
        new_code_cell("check('3.10', events_in_year)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    figure = nb.cells[1].outputs
    assert [o.output_type for o in figure] == ["error"]
    assert figure[0].ename == "FigureNeedsAnswer" and len(figure[0].traceback) == 1
    assert "finish Question 1.5" in figure[0].traceback[0]
    crash = nb.cells[3].outputs
    assert [o.output_type for o in crash] == ["error"] and len(crash[0].traceback) == 1
    shown = crash[0].traceback[0]
    assert "NameError: name 'yeer' is not defined" in shown
    assert "in your code, line 2: mask = events['date'].dt.year == yeer" in shown
    assert "context.py" not in shown and "site-packages" not in shown
