"""The ways in stay true: pyproject and environment.yml agree, the two README commands exist, and
`import course` stays light."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml
from packaging.requirements import Requirement

from course_helpers import ROOT


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _normalised(spec: str) -> tuple[str, str]:
    requirement = Requirement(spec)
    name = re.sub(r"[-_.]+", "-", requirement.name).lower()
    return name, ",".join(sorted(str(s) for s in requirement.specifier))


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_specs = dict(_normalised(d) for d in conda if not d.startswith(("python", "pip")))
    assert dict(_normalised(d) for d in wanted) == conda_specs
    assert "conda-forge" in env["channels"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "the package itself comes from pip: -e ."
    python = next(d for d in conda if d.startswith("python"))
    assert python.replace(" ", "") == f"python{project['requires-python']}"


def test_readme_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    scripts = _pyproject()["project"]["scripts"]
    assert scripts["kosovo-course"] == "course.grading.cli:main"


def test_import_course_is_light():
    code = (
        "import sys, course, course.data, course.text, course.timeline, course.briefing\n"
        "import course.checks\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_student_facing_modules_never_import_grading_code():
    for name in ("data", "text", "timeline", "plots", "widgets", "paths", "briefing"):
        source = (ROOT / "course" / f"{name}.py").read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+course\.(checks|grading)", source, re.M), name
