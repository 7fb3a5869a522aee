"""No test asserts on wall-clock time: a busy or slow machine must not fail a correct test.

Speed is measured in benchmarks/ and reported in docs/benchmarks.md. A clock may still be read in
tests/ for a deadline that stops a wait (a safety net that raises TimeoutError), never to decide
whether a test passes. Hypothesis's per-example deadline and its too_slow health check are
clocks too: tests/conftest.py switches both off for every test.

The check parses every Python file under tests/ and follows clock readings through assignments
(``started = perf_counter()``; ``elapsed = perf_counter() - started``; ``ms = elapsed * 1000``),
through tuple targets, attributes and ``:=``, and through functions of tests/ that return one. It
then reports any ``assert``, ``self.assert*``/``assert_*`` call, or ``pytest.fail`` / ``raise
AssertionError`` under an ``if``, that uses such a value, and any ``settings(deadline=...)`` that
is not None.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest

TESTS = Path(__file__).resolve().parent

# Functions and methods that read a clock, by their last name (time.perf_counter, perf_counter,
# datetime.now, loop.time...). "time" and "today" also catch dt.time() and date.today(): an
# assertion on the current time of day or date fails by the calendar or the time zone too.
CLOCKS = frozenset({
    "time", "time_ns", "perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns",
    "process_time", "process_time_ns", "thread_time", "thread_time_ns", "clock_gettime",
    "clock_gettime_ns", "now", "utcnow", "today", "default_timer", "timeit", "getrusage",
})


@dataclass(frozen=True)
class Finding:
    """One place where a test's outcome depends on a clock."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _key(node: ast.AST) -> str | None:
    """A name for an assignment target or a use: ``x``, ``self.started``, ``run.t0``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _key(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        found: list[ast.AST] = []
        for target in node.targets:
            unpacked = isinstance(target, ast.Tuple | ast.List)
            found += list(ast.walk(target)) if unpacked else [target]
        return found
    if isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
        return [node.target]
    return []


class _Scope:
    """Clock readings in one function (nested functions included) or in a module's top level."""

    def __init__(self, nodes: list[ast.AST], clock_functions: set[str]) -> None:
        self.nodes = nodes
        self.clock_functions = clock_functions
        self.tainted: set[str] = set()
        changed = True
        while changed:  # until no assignment taints a new name
            changed = False
            for node in nodes:
                if not isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                    continue
                if node.value is None or not self.clocked(node.value):
                    continue
                for target in _targets(node):
                    key = _key(target)
                    if key and key not in self.tainted:
                        self.tainted.add(key)
                        changed = True

    def clocked(self, expr: ast.AST) -> bool:
        """True if expr reads a clock or uses a value derived from one."""
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else None)
                if name in CLOCKS or name in self.clock_functions:
                    return True
                if isinstance(func, ast.Attribute) and _key(func.value) == "timeit":
                    return True
            elif isinstance(node, ast.Name | ast.Attribute) and _key(node) in self.tainted:
                return True
        return False


def _scopes(tree: ast.Module) -> list[tuple[str, list[ast.AST]]]:
    """(function name, its nodes) for each top-level function and class method, and the module."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    inner = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    scopes = [(f.name, list(ast.walk(f))) for f in functions if id(f) not in inner]
    in_functions = {id(n) for _, nodes in scopes for n in nodes}
    scopes.append(("<module>", [n for n in ast.walk(tree) if id(n) not in in_functions]))
    return scopes


def _clock_functions(trees: list[ast.Module]) -> set[str]:
    """Names of functions in tests/ that return a clock reading (or something derived)."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for name, nodes in _scopes(tree):
                if name in found or name == "<module>":
                    continue
                scope = _Scope(nodes, found)
                if any(isinstance(n, ast.Return) and n.value is not None and scope.clocked(n.value)
                       for n in nodes):
                    found.add(name)
                    changed = True
    return found


def _fails_test(statement: ast.stmt) -> bool:
    """pytest.fail(...) or raise AssertionError(...): a failed test, not a stopped wait."""
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and _key(node.func) in {"pytest.fail", "fail"}:
            return True
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _key(exc) == "AssertionError":
                return True
    return False


def _verdict(node: ast.AST, scope: _Scope) -> str | None:
    """What is wrong with node, if a clock decides whether the test passes."""
    if isinstance(node, ast.Assert) and scope.clocked(node.test):
        return "assert on a clock"
    if isinstance(node, ast.Call):
        name = _key(node.func) or ""
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if name.rpartition(".")[2].startswith("assert") and any(map(scope.clocked, arguments)):
            return "assert call on a clock"
        if name in {"settings", "hypothesis.settings"} and any(
                k.arg == "deadline" and not (isinstance(k.value, ast.Constant)
                                             and k.value.value is None)
                for k in node.keywords):
            return "hypothesis deadline (an assertion on each example's time)"
    if (isinstance(node, ast.If | ast.While) and scope.clocked(node.test)
            and any(_fails_test(s) for s in node.body)):
        return "fails the test by a clock"
    return None


def timed_assertions(sources: dict[str, str]) -> list[Finding]:
    """Every place in sources (path -> Python source) where a test's verdict reads a clock."""
    trees = {path: ast.parse(source, filename=path) for path, source in sources.items()}
    clock_functions = _clock_functions(list(trees.values()))
    findings: list[Finding] = []
    for path, tree in trees.items():
        for name, nodes in _scopes(tree):
            scope = _Scope(nodes, clock_functions)
            for node in nodes:
                if what := _verdict(node, scope):
                    findings.append(Finding(path, node.lineno, f"{what} in {name}"))
    return findings


# ------------------------------------------------------------------------------ the real tests


def test_no_test_asserts_on_wall_clock_time() -> None:
    sources = {str(p.relative_to(TESTS.parent)): p.read_text(encoding="utf-8")
               for p in sorted(TESTS.rglob("*.py"))}
    assert len(sources) > 30  # the whole of tests/ was read, not an empty folder
    findings = timed_assertions(sources)
    assert not findings, "measure speed in benchmarks/, not in a test:\n" + "\n".join(
        map(str, findings))


def test_hypothesis_has_no_deadline_and_no_speed_health_check() -> None:
    # tests/conftest.py loads this profile; a slow example on a busy machine is not a failure.
    assert hypothesis.settings.default.deadline is None
    assert hypothesis.HealthCheck.too_slow in hypothesis.settings.default.suppress_health_check


# ------------------------------------------------------- the check itself, on small snippets

TIMED = {
    "the-old-test_text": """
        import time
        def test_fast(text):
            started = time.perf_counter()
            f(text)
            assert time.perf_counter() - started < 3.0
        """,
    "elapsed-variable": """
        import time
        def test_fast():
            t0 = time.monotonic()
            f()
            elapsed = time.monotonic() - t0
            assert elapsed < 3
        """,
    "derived-twice": """
        from time import perf_counter
        def test_fast():
            t0 = perf_counter()
            f()
            seconds = perf_counter() - t0
            ms = seconds * 1000
            assert ms <= 500, "too slow"
        """,
    "bool-op-and-not": """
        import time
        def test_fast():
            t0 = time.time()
            f()
            too_slow = time.time() - t0 > 2
            assert ok and not too_slow
        """,
    "tuple-target-and-attribute": """
        import time
        class TestSpeed:
            def setup_method(self):
                self.t0, other = time.perf_counter(), 1
            def test_fast(self):
                self.t0, other = time.perf_counter(), 1
                f()
                self.assertLess(time.perf_counter() - self.t0, 2)
        """,
    "walrus": """
        import time
        def test_fast():
            assert (d := time.perf_counter_ns()) - d < 10**9
        """,
    "helper-returning-elapsed": """
        import time
        def timed(f):
            start = time.perf_counter()
            f()
            return time.perf_counter() - start
        def test_fast():
            assert timed(f) < 1.0
        """,
    "if-then-fail": """
        import time, pytest
        def test_fast():
            start = time.monotonic()
            f()
            if time.monotonic() - start > 5:
                pytest.fail("too slow")
        """,
    "raise-assertion-error": """
        import time
        def test_fast():
            start = time.monotonic()
            f()
            if time.monotonic() - start > 5:
                raise AssertionError("too slow")
        """,
    "timeit": """
        import timeit
        def test_fast():
            assert timeit.timeit(f, number=10) < 1
        """,
    "hypothesis-deadline": """
        from hypothesis import settings
        @settings(deadline=500)
        def test_fast(x):
            pass
        """,
    "module-level": """
        import time
        START = time.perf_counter()
        f()
        assert time.perf_counter() - START < 1
        """,
}

UNTIMED = {
    "deadline-as-safety-net": """
        import time
        def test_waits(proc):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.02)
            assert proc.poll() == 0
        """,
    "deadline-raises-timeout": """
        import time
        def wait(page):
            deadline = time.monotonic() + 60
            while True:
                if ready(page):
                    return page
                if time.monotonic() > deadline:
                    raise TimeoutError("page never became ready")
        """,
    "printed-not-asserted": """
        import time
        def test_runs():
            started = time.perf_counter()
            result = f()
            print(f"took {time.perf_counter() - started:.2f} s")
            assert result == 3
        """,
    "same-name-in-another-function": """
        import time
        def helper():
            elapsed = time.monotonic()
            return None
        def test_other():
            elapsed = count()
            assert elapsed < 3
        """,
    "hypothesis-no-deadline": """
        from hypothesis import settings
        @settings(deadline=None, max_examples=10)
        def test_ok(x):
            pass
        """,
    "work-count": """
        def test_linear():
            measured = growth(f, make, 100)
            assert measured.is_linear(), measured
        """,
}


@pytest.mark.parametrize("source", TIMED.values(), ids=TIMED.keys())
def test_a_timed_assertion_is_found(source: str) -> None:
    findings = timed_assertions({"snippet.py": textwrap.dedent(source)})
    assert findings, "this timed assertion went unnoticed"


@pytest.mark.parametrize("source", UNTIMED.values(), ids=UNTIMED.keys())
def test_a_clock_that_decides_nothing_is_allowed(source: str) -> None:
    assert timed_assertions({"snippet.py": textwrap.dedent(source)}) == []


def test_a_helper_in_another_file_is_followed() -> None:
    helper = ("import time\n"
              "def stopwatch(f):\n    t = time.time()\n    f()\n    return time.time() - t\n")
    test = "from helpers import stopwatch\ndef test_fast():\n    assert stopwatch(f) < 2\n"
    findings = timed_assertions({"helpers.py": helper, "test_x.py": test})
    assert [f.path for f in findings] == ["test_x.py"]
