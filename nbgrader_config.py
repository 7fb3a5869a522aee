"""nbgrader configuration for the Kosovo–Serbia course.

The course directory is the folder nbgrader runs in (the repository root, or the folder passed to
``kosovo-course --course-dir``); nbgrader's working folders are created beside this file.
"""

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "kosovo-serbia"
# Source notebooks live in notebooks/<assignment>/<assignment>.ipynb.
c.CourseDirectory.source_directory = "notebooks"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# The scaffold line above a solution stays (`answer_1_1 = ...`); checks fail on the `...`
# placeholder with a teaching message, so no `raise NotImplementedError()` is needed.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A cell that runs longer than this is stopped and scored as failed; the rest of the notebook runs.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# Restore any test cell a student deleted or edited, so a missing cell scores zero visibly.
c.OverwriteCells.add_missing_cells = True
# ipykernel 7 logs a start-up warning about TCP transport on stderr; if it ever reaches a test
# cell's output, nbgrader scores that cell zero. Kernels used for grading log errors only.
c.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
