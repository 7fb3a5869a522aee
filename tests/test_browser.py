"""The course in a real JupyterLab, driven by headless Chromium as a student and an instructor.

Each server is a real `jupyter lab` from this venv on 127.0.0.1 with a random token. The student
workspace is built by the course's own `kosovo-course lab --prepare-only` from a fresh nbgrader
release in a scratch copy of the course, so the repository's workspace/, release/ and gradebook
are never touched. See docs/guide/browser-tests.md.

Without Chromium or playwright these tests skip with one line; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_MS,
    UI_MS,
    LabServer,
    browser_unavailable,
    cell_with_source,
    dismiss_dialogs,
    in_ci,
    open_notebook,
    prepare_workspace,
    replace_line,
    run_all_from_menu,
    screenshot,
    show,
    wait_kernel_idle,
)

from course.grading import synth
from course.grading.lab import NOTIFICATION_PLUGIN, overrides_path
from course_helpers import make_course_copy, source_notebook

# On a machine without a browser: one line in the summary, and nothing is built. In CI the
# `browser_ready` fixture turns the same reason into a failure of every browser test instead.
if browser_unavailable() is not None and not in_ci():
    pytest.skip(browser_unavailable(), allow_module_level=True)

ASSIGNMENT = "01-sourcing"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
CHECK_PASSED = re.compile(r"✓ Question (\d+\.\d+) \(`?\w+`?\): (?:right|passed|the form is right)")
QUESTIONS = [f"1.{n}" for n in range(1, 11)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Skip (on a user's machine) or fail (in CI) at once when there is no browser to drive."""
    reason = browser_unavailable()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(browser_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=UI_MS
        )
        yield browser
        browser.close()


@dataclass
class Course:
    """A scratch course directory, its student workspace and the JupyterLab settings folder."""

    root: Path
    workspace: Path
    settings: Path
    prepare_output: str


@pytest.fixture(scope="session")
def scratch_course(browser_ready, tmp_path_factory) -> Course:
    """A released course and a student workspace, built with `kosovo-course lab --prepare-only`.

    The workspace also gets a few extra notebooks a student might have: the assignment finished
    (the source's solutions typed into the release), a blank and a finished copy to validate, and
    a scratch notebook with the keyword-in-context explorer.
    """
    base = tmp_path_factory.mktemp("browser")
    root = make_course_copy(base / "course", [ASSIGNMENT])
    workspace = base / "workspace"
    settings = base / "lab-settings"
    output = prepare_workspace(root, workspace, settings / "overrides.json")

    release = json.loads((workspace / NOTEBOOK).read_text(encoding="utf-8"))
    source = json.loads(source_notebook(ASSIGNMENT).read_text(encoding="utf-8"))
    finished = synth.filled(source, release, None)
    for rel, nb in {
        f"finished/{ASSIGNMENT}.ipynb": finished,
        "validate/finished.ipynb": finished,
        "validate/blank.ipynb": release,
    }.items():
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_text(json.dumps(nb, indent=1), encoding="utf-8")

    scratch = nbformat.v4.new_notebook()
    scratch.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                      "language": "python"}
    scratch.cells = [nbformat.v4.new_code_cell(
        "from course.data import load_article\n"
        "from course.widgets import kwic_explorer\n"
        "kwic_explorer(load_article().body)"
    )]
    (workspace / "scratch").mkdir()
    nbformat.write(scratch, workspace / "scratch" / "kwic.ipynb")
    return Course(root=root, workspace=workspace, settings=settings, prepare_output=output)


@pytest.fixture(scope="module")
def student_lab(scratch_course, tmp_path_factory):
    """JupyterLab on the student workspace, with the settings `kosovo-course lab` wrote."""
    home = tmp_path_factory.mktemp("student-jupyter")
    with LabServer(root=scratch_course.workspace, home=home,
                   app_settings_dir=scratch_course.settings) as server:
        yield server


@pytest.fixture(scope="module")
def instructor_lab(scratch_course, tmp_path_factory):
    """JupyterLab on the course directory (its cwd too: formgrader reads nbgrader_config.py)."""
    home = tmp_path_factory.mktemp("instructor-jupyter")
    with LabServer(root=scratch_course.root, home=home, cwd=scratch_course.root,
                   app_settings_dir=scratch_course.settings) as server:
        yield server


@pytest.fixture
def page(chromium, request):
    """A fresh browser tab per test; on failure its last state is saved as a screenshot."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(UI_MS)
    tab = context.new_page()
    failed_before = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failed_before:
        screenshot(tab, f"FAILED-{request.node.name}")
    context.close()


@pytest.fixture
def student(page, student_lab):
    """The tab and the student server; the test's kernels are shut down afterwards."""
    yield page, student_lab
    student_lab.shutdown_sessions()


# --------------------------------------------------------------------------- helpers


def outputs(cell) -> str:
    """The text of a cell's outputs (textContent: off-screen cells have no innerText)."""
    return "\n".join(cell.locator(".jp-OutputArea-output").all_text_contents())


def wait_for_output(cell, pattern: str, timeout: int = KERNEL_MS) -> None:
    cell.locator(".jp-OutputArea-output", has_text=re.compile(pattern)).first.wait_for(
        state="attached", timeout=timeout
    )


def assert_no_news_prompt(page, server: LabServer) -> None:
    """The settings JupyterLab serves say "never fetch news", and no toast or bell shows any."""
    schema = server.api(f"lab/api/settings/{NOTIFICATION_PLUGIN}")["schema"]["properties"]
    assert schema["fetchNews"]["default"] == "false"
    assert schema["checkForUpdates"]["default"] is False
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert not toasts, f"unexpected notification toasts: {toasts}"
    bell = page.locator("#jp-main-statusbar .jp-Notification-Status").inner_text().strip()
    assert bell == "0", f"the notification bell counts {bell!r}"


# --------------------------------------------------------------------------- the tests


def test_overrides_go_where_jupyterlab_reads_them():
    """`kosovo-course lab` writes overrides.json into the folder JupyterLab reads by default."""
    from jupyterlab.commands import get_app_dir

    assert overrides_path() == Path(get_app_dir()) / "settings" / "overrides.json"


@pytest.mark.browser
@pytest.mark.nbgrader  # scratch_course runs `kosovo-course lab`, which releases with nbgrader
def test_student_answers_and_sees_self_checks(student, scratch_course):
    """A student types three answers, runs everything, and reads ✓ lines and a red CheckFailed.

    Run All stops at the first failing cell (JupyterLab sends stop_on_error), so the first blank
    question after the answered ones, 1.4, is the one whose message she sees.
    """
    page, server = student
    assert f"new   {NOTEBOOK}" in scratch_course.prepare_output
    panel = open_notebook(page, server, NOTEBOOK)
    assert page.locator(".jp-NotebookPanel-toolbar", has_text="Python 3").count() == 1

    # Type three answers into CodeMirror, as a student would (brackets auto-close as she types).
    answers = {
        "1.1": "answer_1_1 = article.text.splitlines()[0]",
        "1.2": "answer_1_2 = article.caption",
        "1.3": "answer_1_3 = len(article.paragraphs)",
    }
    for question, line in answers.items():
        var = f"answer_{question.replace('.', '_')}"
        cell = cell_with_source(panel, f"{var} = ...")
        replace_line(page, cell, f"{var} = ...", line)
        assert cell.locator(".cm-content").inner_text() == f"{line}\n# YOUR CODE HERE"

    run_all_from_menu(page)
    checks = {q: cell_with_source(panel, f'check("{q}", answer_{q.replace(".", "_")})')
              for q in ("1.1", "1.2", "1.3", "1.4")}
    wait_for_output(checks["1.4"], "CheckFailed")
    wait_kernel_idle(page)

    for question in answers:
        text = outputs(checks[question])
        assert f"✓ Question {question} (`answer_{question.replace('.', '_')}`): right. " \
               "Checked: the value" in text, text
        assert "CheckFailed" not in text
    failed = checks["1.4"]
    assert failed.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ).count() == 1
    assert re.search(r"CheckFailed: `answer_1_4` still holds the placeholder", outputs(failed))

    show(checks["1.4"], block="end")  # the ✓ of 1.3 above, the red message of 1.4 below
    screenshot(page, "1-student-self-checks")
    assert_no_news_prompt(page, server)


@pytest.mark.browser
@pytest.mark.nbgrader  # scratch_course runs `kosovo-course lab`, which releases with nbgrader
def test_kwic_explorer_follows_typing(student):
    """The keyword-in-context explorer renders and its table follows what is typed."""
    page, server = student
    panel = open_notebook(page, server, "scratch/kwic.ipynb")
    run_all_from_menu(page)
    explorer = panel.locator(".kwic-explorer")
    explorer.wait_for(state="visible", timeout=KERNEL_MS)
    summary = explorer.locator(".kwic-summary")
    results = explorer.locator(".kwic-results")
    results.locator("mark").first.wait_for(state="visible")
    before_summary, before_results = summary.inner_text(), results.inner_text()
    assert re.fullmatch(r"\d+ match(es)? in \d+ paragraphs?", before_summary), before_summary
    assert {m.lower() for m in results.locator("mark").all_inner_texts()} == {"escalation"}

    keyword = explorer.locator("input[type='text']")
    keyword.click()
    keyword.press("Control+a")
    keyword.press_sequentially("Kurti", delay=60)  # continuous_update: the table follows keys
    results.locator("mark", has_text=re.compile("^Kurti$", re.I)).first.wait_for(state="visible")
    after_summary, after_results = summary.inner_text(), results.inner_text()
    assert after_results != before_results and after_summary != before_summary
    assert {m.lower() for m in results.locator("mark").all_inner_texts()} == {"kurti"}
    assert "Kurti" in after_results
    assert re.fullmatch(r"\d+ match(es)? in \d+ paragraphs?", after_summary), after_summary

    # A place the article never names: the explorer says so and the table empties.
    keyword.press("Control+a")
    keyword.press_sequentially("Mitrovica", delay=30)
    page.wait_for_function(
        "el => el.textContent.trim() === '0 matches in 0 paragraphs'", arg=summary.element_handle()
    )
    assert results.locator("mark").count() == 0
    keyword.press("Control+a")
    keyword.press_sequentially("Kurti", delay=30)
    results.locator("mark").first.wait_for(state="visible")
    show(explorer)
    screenshot(page, "2-kwic-explorer")


@pytest.mark.browser
@pytest.mark.nbgrader  # scratch_course runs `kosovo-course lab`, which releases with nbgrader
def test_finished_notebook_runs_clean_and_draws_its_figure(student):
    """A finished notebook runs top to bottom with ten ✓ lines and shows its figure as a PNG."""
    page, server = student
    panel = open_notebook(page, server, f"finished/{ASSIGNMENT}.ipynb")
    run_all_from_menu(page)
    last_check = cell_with_source(panel, 'check("1.10", answer_1_10)')
    wait_for_output(last_check, "✓ Question 1.10")
    wait_kernel_idle(page)

    text = "\n".join(panel.locator(".jp-OutputArea-output").all_text_contents())
    assert sorted(CHECK_PASSED.findall(text), key=lambda q: int(q.split(".")[1])) == QUESTIONS
    assert "CheckFailed" not in text and "Traceback" not in text

    figure_cell = cell_with_source(
        panel,
        "from course.display import figure_input  # one line of advice until Question 1.5 is done",
    )
    image = figure_cell.locator(".jp-OutputArea-output img")
    image.wait_for(state="visible")
    assert image.count() == 1
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    size = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] > 300 and size[2] > 200, size
    # JupyterLab ignores `alt` in image/png output metadata; the course's HTML <img> carries it.
    assert image.get_attribute("alt") == (
        "Bar chart of the number of word tokens in each of the article's body paragraphs."
    )
    show(image)
    screenshot(page, "3-figure")


def validate(page, panel) -> str:
    """Click nbgrader's Validate toolbar button; return the results dialog's text, then close it."""
    button = panel.locator(".jp-Toolbar-item jp-button", has_text="Validate")
    button.click()
    dialog = page.locator(".jp-Dialog", has=page.locator("#validation-message"))
    dialog.wait_for(state="visible", timeout=KERNEL_MS)
    assert dialog.locator(".jp-Dialog-header").inner_text().strip() == "Validation Results"
    return dialog.locator("#validation-message").inner_text()


@pytest.mark.browser
@pytest.mark.nbgrader  # scratch_course runs `kosovo-course lab`, which releases with nbgrader
def test_validate_button_passes_finished_and_fails_blank(student):
    """nbgrader's Validate button: success on a finished notebook, every failure on a blank one."""
    page, server = student
    panel = open_notebook(page, server, "validate/finished.ipynb")
    message = validate(page, panel)
    assert message.strip() == "Success! Your notebook passes all the tests."
    assert page.locator("#validation-message.validation-success").count() == 1
    screenshot(page, "4a-validate-finished")
    dismiss_dialogs(page)

    panel = open_notebook(page, server, "validate/blank.ipynb")
    message = validate(page, panel)
    assert page.locator("#validation-message.validation-failed").count() == 1
    # Every check cell fails with the course's teaching message, and both written answers are
    # flagged as empty: 10 + 2 failures.
    assert message.count("The following cell failed:") == len(QUESTIONS) + 2, message[:3000]
    for question in QUESTIONS:
        var = f"answer_{question.replace('.', '_')}"
        assert f'check("{question}", {var})' in message or question == "1.5"
    assert message.count("still holds the placeholder `...`") == len(QUESTIONS) - 1
    assert 'check("1.5", words_per_paragraph)' in message
    assert message.count("You did not provide a response.") == 2
    screenshot(page, "4b-validate-blank")
    dismiss_dialogs(page)


@pytest.mark.browser
@pytest.mark.nbgrader  # scratch_course runs `kosovo-course lab`, which releases with nbgrader
def test_formgrader_lists_the_assignment(page, instructor_lab):
    """The instructor's formgrader, served from the course directory, lists the assignment."""
    page.goto(instructor_lab.url("formgrader"), wait_until="domcontentloaded")
    row = page.locator("tr", has=page.locator("td a", has_text=re.compile(f"^{ASSIGNMENT}$")))
    row.first.wait_for(state="visible")
    assert row.count() == 1
    assert page.get_by_role("heading", name="Manage Assignments").count() >= 1
    # Generated (the student version exists, so there is a preview link), not yet released to an
    # exchange, no submissions.
    assert row.locator("td", has_text=re.compile("^draft$")).count() == 1
    assert row.locator("a .glyphicon-search").count() == 1
    screenshot(page, "5-formgrader")
