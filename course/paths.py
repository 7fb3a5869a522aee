"""Where the course's data files live, for an editable checkout and for an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def datasets_dir() -> Path:
    """Return the folder holding the course datasets (override with ``KOSOVO_COURSE_DATA``)."""
    override = os.environ.get("KOSOVO_COURSE_DATA")
    candidates = [Path(override)] if override else []
    # Editable installs and checkouts keep the data beside the package; wheels carry a copy inside.
    candidates += [_PACKAGE.parent / "datasets", _PACKAGE / "_datasets"]
    for candidate in candidates:
        if (candidate / "datapackage.json").is_file() or (candidate / "article.txt").is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"Course datasets not found (looked in: {tried}). Install the course with "
        "`pip install -e .` from the repository root, or set KOSOVO_COURSE_DATA to the "
        "folder that holds datapackage.json."
    )


def dataset_path(name: str) -> Path:
    """Return the path of one data file, with a clear error naming it when it is missing."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a file name string, got {type(name).__name__}")
    if not name:
        raise ValueError("name must not be empty")
    path = datasets_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Data file {path} is missing. Restore it with `git checkout -- datasets/{name}` "
            "or reinstall the course."
        )
    return path
