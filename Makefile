# Two commands do everything (see README): `make lab` for students, `make test` for maintainers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv lab test demo lint clean

# Rebuild the environment when pyproject.toml changes or the venv is missing or broken.
$(STAMP): pyproject.toml
	@if ! $(BIN)/python -c "import sys" >/dev/null 2>&1; then $(PYTHON) -m venv --clear $(VENV); fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

## Students and self-study: build the student workspace (never overwriting work) and open JupyterLab.
lab: venv
	$(BIN)/kosovo-course lab

## Maintainers and CI: the same set-up, then lint and the whole test suite.
# Two workers (tests/conftest.py groups the tests that share state onto one), in a random order
# (pytest-randomly prints the seed), and the 15 slowest tests at the end. Override for a quick
# or reproducible run: make test PYTEST_ARGS="-p no:randomly -m 'not nbgrader and not browser'"
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=15
test: venv
	$(BIN)/kosovo-course lab --prepare-only
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Instructors: release, synthesise a class, grade in parallel, feedback and report, in a temp dir.
demo: venv
	$(BIN)/kosovo-course demo

lint: venv
	$(BIN)/ruff check .

## Remove nbgrader's working folders and the venv (never the student workspace).
clean:
	rm -rf release submitted autograded feedback reports gradebook.db $(VENV)
