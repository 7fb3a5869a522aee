"""``kosovo-course feedback``: nbgrader's feedback HTML without hidden tests or solutions."""

from __future__ import annotations

import pytest
from grading_fixtures import ASSIGNMENT, cli, copy_of, graded_template, nbgrader

from course.grading.solutions import html_text

pytestmark = pytest.mark.nbgrader

HIDDEN = 'assert count_words(" Mitrovica bridge ") == 2'


@pytest.fixture(scope="module")
def feedback_course(tmp_path_factory: pytest.TempPathFactory):
    root, _ = graded_template()
    ours = copy_of(root, tmp_path_factory.mktemp("fb") / "ours")
    stock = copy_of(root, ours.parent / "stock")
    return ours, cli("feedback", ASSIGNMENT, cwd=ours), stock


def test_feedback_is_written_for_every_autograded_student(feedback_course):
    root, proc, _ = feedback_course
    autograded = {p.parent.parent.name for p in (root / "autograded").glob(f"*/{ASSIGNMENT}/*")}
    html = {p.parent.parent.name for p in (root / "feedback").glob(f"*/{ASSIGNMENT}/*.html")}
    assert html == autograded and html
    assert "no hidden tests or solutions" in proc.stdout


def test_stock_feedback_shows_hidden_tests_and_ours_does_not(feedback_course):
    root, _, stock = feedback_course
    nbgrader("generate_feedback", ASSIGNMENT, cwd=stock)
    blank_stock = html_text((stock / "feedback" / "s003" / ASSIGNMENT / "ps1.html").read_text())
    assert HIDDEN in blank_stock  # nbgrader #917: why this command exists
    model_answer = "return [i * i for i in range(n)]"
    for path in (root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"):
        text = html_text(path.read_text())
        assert "Mitrovica" not in text, path
        own = root / "submitted" / path.parent.parent.name / ASSIGNMENT / "ps1.ipynb"
        # The model answer shows only where the student typed it themselves.
        assert (model_answer in text) == (model_answer in own.read_text()), path


def test_scores_and_failure_messages_stay_in_the_feedback(feedback_course):
    root, _, _ = feedback_course
    text = html_text((root / "feedback" / "s003" / ASSIGNMENT / "ps1.html").read_text())
    assert "Score: 0.0 / 2.0" in text
    assert "AssertionError: an empty text has no words" in text


def test_a_leaking_feedback_file_is_removed_and_reported(feedback_course, tmp_path):
    from course.grading.coursedir import Course
    from course.grading.feedback import check_feedback
    from course.grading.solutions import notebook_secrets

    root, _, _ = feedback_course
    course = Course.open(root)
    secrets = notebook_secrets(root / "notebooks" / ASSIGNMENT)
    page = tmp_path / "ps1.html"
    page.write_text(
        f"<pre>{HIDDEN}, &quot;hidden: extra spaces are not words&quot;</pre>"
        "<pre>return len(text.split())</pre>"
    )
    found = check_feedback(course, ASSIGNMENT, page, "s003", secrets)
    assert any("hidden-test" in f for f in found)
    assert any("solution" in f for f in found)  # s003 (blank) never wrote the model answer
    assert not any(
        "solution" in f for f in check_feedback(course, ASSIGNMENT, page, "s001", secrets)
    )  # s001 wrote it
