"""A grading worker: ``python -m course.grading.worker --result-fd N``, or forked (executors.py).

It reads one JSON set-up line on stdin, then one line per student to grade, grades each with a
grading unit (unit.py) and answers with the unit's result as one JSON line on the result file
descriptor. The answers go to a dedicated pipe, not stdout: kernels inherit the worker's
stdout and stderr (and, unsandboxed, student code could print a forged answer there).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from course.grading import engine
from course.grading.unit import Worker


def main(argv: list[str] | None = None) -> int:
    """Serve grading requests until stdin closes."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.worker")
    parser.add_argument("--result-fd", type=int, required=True)
    args = parser.parse_args(argv)
    engine.ensure_scripts_on_path()
    answers = os.fdopen(args.result_fd, "w", encoding="utf-8", buffering=1)
    # Import nbgrader (~2 s) before the set-up arrives: it overlaps the coordinator's start.
    import nbgrader.api  # noqa: F401
    import nbgrader.converters  # noqa: F401

    return serve(sys.stdin, answers)


def serve(requests: TextIO, answers: TextIO) -> int:
    """Read the set-up line, answer "ready", then grade one student per request line."""
    first = requests.readline()
    if not first.strip():
        return 0  # the coordinator needed no worker after all
    worker = Worker(json.loads(first))
    answers.write(json.dumps({"ready": os.getpid()}) + "\n")
    answers.flush()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        result = worker.grade(request["student"], request.get("digest"))
        answers.write(json.dumps(result.to_json()) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
