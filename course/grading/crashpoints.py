"""Named points in the coordinator's per-student writes where a test can SIGKILL it.

Fault injection for the crash-safety tests (tests/test_crash_safety.py): they set
``KOSOVO_GRADE_KILL_AT=<point>`` or ``<point>:N`` and the coordinator kills itself, with no
chance to clean up, the N-th time (default 1) it reaches that point; a rerun must then leave
the gradebook consistent and complete. Harmless in production: the variable is never set, and
an unset variable costs one environment lookup per call.
"""

from __future__ import annotations

import os
import signal

ENV = "KOSOVO_GRADE_KILL_AT"

# The points, in the order the coordinator reaches them for one merged student:
#   folder-copied       merge.replace_folder: the new autograded folder is copied beside the
#                       old one under a hidden name (.<assignment>.new-<tag>)
#   folder-swapped-out  merge.replace_folder: the old folder is renamed aside
#                       (.<assignment>.old-<tag>), the new one not yet renamed into place
#   folder-merged       merge.merge_student: the folder is in place, the gradebook not written
#   gradebook-written   merge.merge_student: the gradebook transaction has committed
#   flags-written       flags.write_flags: the new flags.csv is a temp file, not yet renamed
#   state-written       state.save_state: the student's record is a temp file, not yet renamed
POINTS = (
    "folder-copied",
    "folder-swapped-out",
    "folder-merged",
    "gradebook-written",
    "flags-written",
    "state-written",
)

_seen: dict[str, int] = {}


def reached(point: str) -> None:
    """SIGKILL this process if ``KOSOVO_GRADE_KILL_AT`` names ``point`` (at its N-th reach)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _seen[point] = _seen.get(point, 0) + 1
    if _seen[point] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
