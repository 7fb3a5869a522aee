"""Which submissions are already graded: one small record per merged student

Re-exported from store.py, where the code lives.

Contract (kept at this import path for report.py and feedback.py): see
:func:`course.grading.store.load_state` and the store module docstring.
"""

from course.grading.store import (  # noqa: F401
    STATE_DIR,
    StudentState,
    clear_state,
    load_state,
    save_state,
    state_dir,
    sweep_state,
)

__all__ = [
    "STATE_DIR",
    "StudentState",
    "state_dir",
    "load_state",
    "save_state",
    "sweep_state",
    "clear_state",
]
