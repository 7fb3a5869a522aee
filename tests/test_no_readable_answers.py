"""No answer a student can read: not in what they are given, nor in the feedback they get back.

What is scanned (everything a student receives):

* the release notebooks, made by real ``nbgrader generate_assignment`` in a scratch course;
* the installed ``course`` package source, ``course/**/*.py`` (``course/checks`` and
  ``course/grading`` included: an installed package can be read);
* ``docs/student-guide.md``;
* ``datasets/`` (see below for why only some rules apply there);
* feedback HTML made by real ``nbgrader autograde`` + ``generate_feedback`` for two students:
  ``key`` hands in the *source* notebook (the answer key), so every check passes and shows its
  passing output; ``blank`` hands in the release notebook with every graded cell deleted, so
  nbgrader restores them (``add_missing_cells``) and every check fails. nbgrader's own feedback
  shows hidden tests (nbgrader #917), so the feedback scanned for answers is the output of
  ``kosovo-course feedback``, which redacts them; the raw nbgrader output is kept to show that.

The solution values come from executing the source notebooks: the ``key`` submission carries
one extra cell, appended at the end, that writes a ``repr`` of every registered answer variable
(``course.checks.REGISTRY``) to a file. So the values are what nbgrader computes from the
answer key itself. Callables and charts are skipped (their code is covered by the solution-line
checks); a Series becomes a dict; a DataFrame becomes its text columns, each matched only as a
collection literal, leaving out columns the release notebook itself spells out (5.5 hands the
students the claims they judge: the claims are given, the verdicts are the answer).

How a value is matched, without false alarms from text that merely mentions the same thing:

* ``assign``: the variable next to the value: ``answer_1_6 = "B"``, ``answer_1_6 == "B"``,
  ``"answer_1_6": "B"`` (strings as a quoted Python/JSON literal, numbers as a whole number);
* ``qid``: the question id next to the value: ``"1.6": "B"``, ``check("1.6", "B")``;
* ``compare``: in a check module, inside the code registered for that question (from its
  ``@question``/``@hidden``/``choice_question`` to the next one), a comparison or ``return``
  with the value: ``== "B"``, ``in ("B",)``, ``== 11``;
* ``prose``: "the answer to 1.6 is B" style sentences in prose;
* ``collection``: any list/tuple/set/dict literal in the text equal to a collection answer,
  in any order (``ast.literal_eval`` of every bracketed literal);
* ``verbatim``: a string answer (or one sentence of it) of three words and 16+ characters that
  is *not* in the primary data (``article.txt`` and the cells of the CSV tables), found
  anywhere: a model claim or model briefing text has no reason to be anywhere a student reads.

Values that a student legitimately reads in the data (the headline in ``article.txt``, names in
``people.csv``) are therefore a leak only where they stand *as an answer*. The datasets get the
contextual rules (a variable name or question id has no business there) and ``verbatim``, which
there can only fire in the descriptive files (``article.json``, ``datapackage.json``,
``README.md``): a count the data itself states (``"11 body paragraphs"``) is data, not a leak.

``test_scanner_*`` prove the scanner catches planted leaks in each form and ignores look-alikes.

One more rule, for multiple choice: no option's explanation (in ``course/checks``, readable)
may open with a verdict ("Yes.", "Right."), which marks the right letter without any value.

``KNOWN_LEAKS`` and ``KNOWN_VERDICTS`` list accepted exceptions; both are empty. The first scan
found two leaks (the student guide's multiple-choice example was 1.6's answer, and five right
options opened with "Yes."/"Right."); both were fixed.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import math
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.text import sentences
from course_helpers import BIN, ROOT, assignments, make_course_copy, nbgrader, source_notebook

ASSIGNMENTS = assignments()
DATASETS = ROOT / "datasets"
PRIMARY_DATA = ["article.txt", "countries.csv", "eu_recognition.csv", "events.csv",
                "glossary.csv", "people.csv"]
STUDENT_GUIDE = ROOT / "docs" / "student-guide.md"
MIN_VERBATIM = 16  # shorter strings ("¶9", "serbia") turn up by chance; they need context
DUMP_CELL_ID = "zz-answer-dump"

# (where, qid, rule) of leaks that are known and accepted; empty, and it should stay so.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}
# Multiple-choice options (question + letter) allowed to open with a verdict; empty likewise.
KNOWN_VERDICTS: set[str] = set()


# ============================================================================ the scanner


@dataclass(frozen=True)
class Answer:
    """One autograded question's solution value, reduced to plain data."""

    qid: str
    variable: str
    value: Any
    verbatim: bool = True  # also look for the bare text (not for a table's column of labels)


@dataclass(frozen=True)
class Leak:
    where: str
    qid: str
    rule: str
    snippet: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.where, self.qid, self.rule)


def norm(text: str) -> str:
    """NFC, every run of whitespace one space: what a reader sees, not how it was wrapped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _flex(literal: str) -> str:
    """A regex for a literal text in which any run of whitespace may be wrapped differently."""
    return r"\s+".join(re.escape(part) for part in literal.split())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def literal_regex(value: Any) -> str | None:
    """How a scalar value is written in code or JSON: a quoted string or a bare number."""
    if isinstance(value, str):
        forms = {repr(value), json.dumps(value), json.dumps(value, ensure_ascii=False),
                 "'" + value.replace("'", "\\'") + "'", '"' + value.replace('"', '\\"') + '"'}
        return "(?:" + "|".join(_flex(f) for f in sorted(forms, key=len, reverse=True)) + ")"
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            if not math.isfinite(value):
                return None
            # The exact repr, or rounded to 2-4 decimals as a person would write it.
            forms = {repr(value)} | {f"{value:.{d}f}" for d in (2, 3, 4)}
        else:
            forms = {str(int(value))}
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return rf"(?<![\w.])(?:{alternatives})(?![\w]|\.\d)"
    return None


def bare_regex(value: Any) -> str | None:
    """How a scalar value is written in prose: quoted, in backticks or bold, or bare."""
    if isinstance(value, str):
        return r"[*_`\"'“‘]*" + _flex(value) + r"(?![\w])"
    return literal_regex(value)


def _qid_regex(qid: str) -> str:
    return rf"(?<![\d.]){re.escape(qid)}(?![\d])"


def canon(value: Any) -> Any:
    """Order-free, hashable form of a value: a leaked list is a leak in any order."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((norm(str(k)), canon(v)) for k, v in value.items()),
                                     key=repr)))
    if isinstance(value, list | tuple | set | frozenset):
        return ("coll", tuple(sorted((canon(v) for v in value), key=repr)))
    if isinstance(value, str):
        return norm(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_BRACKETS = {"]": "[", ")": "(", "}": "{"}


def collection_literals(text: str, max_len: int = 20_000) -> Iterator[tuple[str, Any]]:
    """Every bracketed list/tuple/set/dict literal in a text, as (source, value); one pass."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "[({":
            stack.append(i)
        elif ch in _BRACKETS:
            if not stack or text[stack[-1]] != _BRACKETS[ch]:
                stack.clear()  # unbalanced: start afresh rather than pair the wrong brackets
                continue
            start = stack.pop()
            if i - start > max_len:
                continue
            if ch == ")" and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # a call's arguments, f(2, 6), not a tuple
            chunk = text[start : i + 1]
            if not re.search(r"[\"'\d]", chunk):
                continue
            try:
                value = ast.literal_eval(chunk)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, list | tuple | set | frozenset | dict) and value:
                yield chunk, value


def _atoms(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _atoms(k)
            yield from _atoms(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _atoms(v)


def verbatim_pieces(answer: Answer, primary: str) -> list[str]:
    """Long strings of an answer (and their sentences) that the primary data does not hold."""
    pieces = []
    for atom in _atoms(answer.value):
        candidates = [atom] + (sentences(atom) if len(atom) > 80 else [])
        for piece in candidates:
            piece = norm(piece)
            # A phrase of three words or more; one token ("recognition:Spain") needs context.
            if (len(piece) >= MIN_VERBATIM and len(piece.split()) >= 3
                    and piece.casefold() not in primary):
                pieces.append(piece)
    return pieces


def check_segments(text: str, qids: Iterable[str]) -> dict[str, list[str]]:
    """The code of a check module registered for each question: from each registration of a
    question (@question, @hidden, choice_question) to the next registration."""
    wanted = set(qids)
    marks = [
        (m.start(), m.group(1))
        for m in re.finditer(r"(?:@question|@hidden|choice_question)\(\s*[\"']([\d.]+)[\"']",
                             text)
    ]
    segments: dict[str, list[str]] = {}
    for n, (start, qid) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(text)
        if qid in wanted:
            segments.setdefault(qid, []).append(text[start:end])
    return segments


def _snippet(text: str, m: re.Match[str]) -> str:
    return norm(text[max(0, m.start() - 30) : m.end() + 30])[:200]


def scan(
    text: str,
    answers: list[Answer],
    where: str,
    *,
    primary: str,
    check_module: bool = False,
    contextual_only: bool = False,
) -> list[Leak]:
    """Every place in ``text`` where an answer stands as an answer (see the module docstring)."""
    leaks: list[Leak] = []
    flat = norm(text)
    folded = flat.casefold()
    segments = check_segments(text, [a.qid for a in answers]) if check_module else {}
    literals = None
    for a in answers:
        lit, bare = literal_regex(a.value), bare_regex(a.value)
        var, qid = re.escape(a.variable), _qid_regex(a.qid)
        rules: list[tuple[str, str, str]] = []
        if lit is not None:
            annotation = r"(?:\s*:\s*[\w\[\]., |]+?)?"
            rules += [
                ("assign", text, rf"\b{var}\b[\"']?{annotation}\s*(?:==|=|:)\s*{lit}"),
                ("assign", text, rf"{lit}\s*==\s*\b{var}\b"),
                ("qid", text, rf"[\"']{qid}[\"']\s*[:,]\s*{lit}"),
            ]
            cmp = rf"(?:==|!=|<=|>=|\bin\b\s*[\[({{]?|\bis\b|\breturn\b)\s*{lit}|{lit}\s*(?:==|!=)"
            rules += [("compare", seg, cmp) for seg in segments.get(a.qid, [])]
        if bare is not None:
            said = r"\b(?:answer|solution)s?\b"
            rules += [
                ("prose", flat, rf"(?i:{said}\s+(?:to|for|of)\s+(?:question\s+)?){qid}"
                                rf"\s*(?i:is|was|:|=)\s*{bare}"),
                ("prose", flat, rf"(?:{qid}|\b{var}\b)[^.\n]{{0,60}}?(?i:{said}\s*(?:is|was|:|=))"
                                rf"\s*{bare}"),
            ]
        for rule, haystack, pattern in rules:
            for m in re.finditer(pattern, haystack):
                leaks.append(Leak(where, a.qid, rule, _snippet(haystack, m)))
        if isinstance(a.value, list | tuple | set | frozenset | dict):
            if literals is None:
                literals = [(src, canon(v)) for src, v in collection_literals(text)]
            want = canon(a.value)
            leaks += [Leak(where, a.qid, "collection", norm(src)[:200])
                      for src, got in literals if got == want]
        if a.verbatim and not contextual_only:
            for piece in verbatim_pieces(a, primary):
                if piece.casefold() in folded:
                    leaks.append(Leak(where, a.qid, "verbatim", piece[:200]))
    return sorted(set(leaks), key=lambda leak: (leak.where, leak.qid, leak.rule, leak.snippet))


def primary_text() -> str:
    """The primary data, folded, to tell a value a student may read there from a model answer.
    Tables are read cell by cell: a CSV file writes a quote inside a cell as two."""
    parts = []
    for name in PRIMARY_DATA:
        with open(DATASETS / name, encoding="utf-8", newline="") as handle:
            if name.endswith(".csv"):
                parts += [cell for row in csv.reader(handle) for cell in row]
            else:
                parts.append(handle.read())
    return norm("\n".join(parts)).casefold()


# ============================================================================ text of things


_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r'id="cell-id=([^"]+)"')


def html_text(page: str) -> str:
    """The visible text of an HTML page: code split into <span>s per token is rejoined."""
    return html.unescape(_TAG.sub("", _STYLE.sub(" ", page)))


def html_without_cells(page: str, drop: set[str]) -> str:
    """The page without the code cells whose ids are in ``drop`` (a student's own cells)."""
    marks = list(_CELL.finditer(page))
    if not marks:
        return page
    kept = [page[: marks[0].start()]]
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(page)
        if m.group(1) not in drop:
            kept.append(page[m.start() : end])
    return "".join(kept)


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """Sources and text outputs of every cell of a notebook."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for v in out.get("data", {}).values())
            parts.extend(out.get("traceback", []))
    return "\n\n".join(parts)


def _meta(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def _between(lines: list[str], begin: str, end: str) -> Iterator[str]:
    inside = False
    for line in lines:
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            yield line


def secret_lines(nb: nbformat.NotebookNode) -> dict[str, set[str]]:
    """Lines of a source notebook a student must not see: solution code, model answers and
    rubrics, hidden tests. Short lines and lines also in the public part are left out."""
    solution: set[str] = set()
    hidden: set[str] = set()
    public: set[str] = set()
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if _meta(cell).get("solution"):
            if any("BEGIN SOLUTION" in line for line in lines):
                found = set(_between(lines, "BEGIN SOLUTION", "END SOLUTION"))
            else:
                found = set(lines)  # nbgrader replaces the whole cell
            solution |= {norm(x) for x in found}
            public |= {norm(x) for x in lines if x not in found and "SOLUTION" not in x}
        else:
            found = set(_between(lines, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            hidden |= {norm(x) for x in found}
            public |= {norm(x) for x in lines if x not in found}
    keep = {x for x in solution | hidden if len(x) >= 12 and x not in public}
    return {"solution": solution & keep, "hidden": hidden & keep}


# ============================================================================ the course run

# Appended to the key submission: writes every answer variable, reduced to plain data, to a
# file. It prints nothing, so its cell shows no value in the feedback.
DUMP = '''\
import numbers as _n, pandas as _pd, pathlib as _pl
def _plain(v):
    if v is None or isinstance(v, bool | str): return v
    if isinstance(v, _n.Integral): return int(v)
    if isinstance(v, _n.Real): return float(v) if float(v) == float(v) else {{"skip": "nan"}}
    if isinstance(v, list | tuple): return type(v)(_plain(x) for x in v)
    if isinstance(v, set | frozenset): return {{_plain(x) for x in v}}
    if isinstance(v, dict | _pd.Series): return {{str(k): _plain(x) for k, x in v.items()}}
    if isinstance(v, _pd.DataFrame):
        text = [c for c in v.columns if v[c].map(lambda x: isinstance(x, str)).all()]
        if not text: return {{"skip": "DataFrame"}}
        return {{"frame": {{str(c): list(v[c]) for c in text}}}}
    return {{"skip": type(v).__name__}}
_pl.Path({path!r}).write_text(repr({{_k: _plain(globals().get(_k, ...)) if _k in globals()
    else {{"skip": "missing"}} for _k in {names!r}}}), encoding="utf-8")
'''


def _variables(assignment: str) -> list[tuple[str, str]]:
    from course.checks import REGISTRY, questions

    number = str(int(assignment.split("-", 1)[0]))
    return [(q, REGISTRY[q].variable) for q in questions(number)]


@dataclass
class CourseRun:
    root: Path
    answers: dict[str, list[Answer]]  # assignment -> answers
    skipped: dict[str, str]  # qid -> why its value is not scanned
    primary: str

    def release(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "release" / assignment / f"{assignment}.ipynb", 4)

    def feedback(self, kind: str, student: str, assignment: str) -> str:
        folder = "feedback" if kind == "ours" else "feedback-raw"
        return (self.root / folder / student / assignment / f"{assignment}.html").read_text(
            encoding="utf-8")

    def all_answers(self) -> list[Answer]:
        return [a for assignment in ASSIGNMENTS for a in self.answers[assignment]]


def _blank_submission(release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The release notebook with every graded cell deleted: nbgrader must restore them."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    nb.cells = [c for c in nb.cells if not _meta(c).get("grade")]
    return nb


def _key_submission(assignment: str, dump_to: Path) -> nbformat.NotebookNode:
    """The answer key, written answers blanked (they are not autograded), plus the dump cell."""
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _meta(cell).get("solution"):
            cell.source = "YOUR ANSWER HERE"
    names = [variable for _, variable in _variables(assignment)]
    cell = nbformat.v4.new_code_cell(DUMP.format(path=str(dump_to), names=names))
    cell.id = DUMP_CELL_ID
    nb.cells.append(cell)
    return nb


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> CourseRun:
    """A scratch course: released, two students autograded, raw and redacted feedback."""
    root = make_course_copy(tmp_path_factory.mktemp("leaks") / "course")
    dumps = root.parent / "dumps"
    dumps.mkdir()
    nbgrader(root, "generate_assignment", "*", "--force")
    for assignment in ASSIGNMENTS:
        release = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", 4)
        for student, nb in [
            ("key", _key_submission(assignment, dumps / f"{assignment}.txt")),
            ("blank", _blank_submission(release)),
        ]:
            folder = root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    nbgrader(root, "autograde", "*", "--force")
    nbgrader(root, "generate_feedback", "*", "--force")
    shutil.move(root / "feedback", root / "feedback-raw")
    # One process per assignment, run side by side: each writes only its own folders.
    procs = {a: subprocess.Popen([str(BIN / "kosovo-course"), "feedback", a], cwd=root,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for a in ASSIGNMENTS}
    for assignment, proc in procs.items():
        out = proc.communicate(timeout=300)[0]
        assert proc.returncode == 0, f"kosovo-course feedback {assignment}:\n{out}"

    primary = primary_text()
    answers: dict[str, list[Answer]] = {}
    skipped: dict[str, str] = {}
    for assignment in ASSIGNMENTS:
        values = ast.literal_eval((dumps / f"{assignment}.txt").read_text(encoding="utf-8"))
        answers[assignment] = []
        given = [canon(v) for _, v in collection_literals(notebook_text(
            nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", 4)))]
        for qid, variable in _variables(assignment):
            value = values[variable]
            if isinstance(value, dict) and set(value) == {"skip"}:
                skipped[qid] = value["skip"]
            elif isinstance(value, dict) and set(value) == {"frame"}:
                # A table is matched column by column, leaving out the columns the release
                # notebook itself spells out (5.5 hands students the claims to judge).
                columns = [c for c in value["frame"].values() if canon(c) not in given]
                answers[assignment] += [Answer(qid, variable, c, verbatim=False)
                                        for c in columns]
                if not columns:
                    skipped[qid] = "DataFrame"
            else:
                answers[assignment].append(Answer(qid, variable, value))
    return CourseRun(root, answers, skipped, primary)


def _unexpected(leaks: list[Leak]) -> list[Leak]:
    return [leak for leak in leaks if leak.key not in KNOWN_LEAKS]


def _report(leaks: list[Leak]) -> str:
    return "answers readable by students:\n" + "\n".join(
        f"  {leak.where}: question {leak.qid} ({leak.rule}): {leak.snippet}" for leak in leaks)


# ============================================================================ scanner self-tests

PRIMARY_FOR_TESTS = norm("NATO Forces 'Ready' If Kosovo-Serbia Tensions Boil Over\n"
                         "Jens Stoltenberg said KFOR stands ready.").casefold()
PLANTED = [
    Answer("1.6", "answer_1_6", "B"),
    Answer("1.3", "answer_1_3", 11),
    Answer("1.1", "answer_1_1", "NATO Forces 'Ready' If Kosovo-Serbia Tensions Boil Over"),
    Answer("4.12", "answer_4_12", {"Albania", "Montenegro", "Kosovo"}),
    Answer("2.7", "answer_2_7", 0.34705882352941175),
    Answer("6.2", "answer_6_2", "events:energy-roadmap"),
    Answer("6.8", "answer_6_8", "Beneath the tension lies a dispute about status. The talks of "
                                "18 August ended without agreement, and the barricades stayed."),
]


def planted_scan(text: str, **kwargs: Any) -> set[tuple[str, str]]:
    return {(leak.qid, leak.rule) for leak in scan(text, PLANTED, "planted",
                                                   primary=PRIMARY_FOR_TESTS, **kwargs)}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('answer_1_6 = "B"\n', ("1.6", "assign")),
        ("answer_1_6: str = 'B'", ("1.6", "assign")),
        ('EXPECTED = {"1.6": "B", "1.7": "A"}', ("1.6", "qid")),
        ('check("1.6", "B")', ("1.6", "qid")),
        ('{\n    "answer_1_3": 11\n}', ("1.3", "assign")),
        ("if answer_1_3 == 11:", ("1.3", "assign")),
        ('answer_1_1 = "NATO Forces \'Ready\' If Kosovo-Serbia Tensions Boil Over"',
         ("1.1", "assign")),
        ("answer_4_12 = {'Kosovo', 'Albania', 'Montenegro'}", ("4.12", "collection")),
        ('["Montenegro", "Kosovo", "Albania"]', ("4.12", "collection")),
        ("share = 0.347  # answer_2_7 = 0.347", ("2.7", "assign")),
        ("The answer to question 1.6 is **B**.", ("1.6", "prose")),
        ("For 1.3, the answer is 11.", ("1.3", "prose")),
        ('Cite it: answer_6_2 = "events:energy-roadmap"', ("6.2", "assign")),
        ("Example: The talks of 18 August ended without agreement, and the barricades\n stayed.",
         ("6.8", "verbatim")),
    ],
)
def test_scanner_catches_planted_leaks(text: str, found: tuple[str, str]) -> None:
    assert found in planted_scan(text)


def test_scanner_catches_a_planted_check_module_leak() -> None:
    # The brief's example: a check module that keeps the answer in plain text.
    module = '''
from course.checks.core import choice_question, question

answer_1_6 = "B"

@question("1.3", "answer_1_3")
def paragraph_count(value):
    if value != 11:
        fail("answer_1_3", "not yet")

@question("1.6", "answer_1_6")
def publisher(value):
    return value.strip().upper() in ("B",)
'''
    assert planted_scan(module, check_module=True) >= {
        ("1.6", "assign"), ("1.3", "compare"), ("1.6", "compare")}


@pytest.mark.parametrize(
    "text",
    [
        # The data itself, and mentions that are not answers.
        "NATO Forces 'Ready' If Kosovo-Serbia Tensions Boil Over\n\nJens Stoltenberg ...",
        'OPTIONS = {"A": "x", "B": "y", "C": "z"}',
        'answer_1_6 = ...\n### BEGIN SOLUTION\nanswer_1_6 = article.x\n### END SOLUTION',
        "Multiple choice: store one letter such as 'A' or 'B' in answer_1_6.",
        "The article has 11 body paragraphs and Question 1.3 asks for them.",
        "figsize=(11, 4); range(2, 6); answer_1_3 = len(paragraphs)",
        '["Montenegro", "Kosovo"]  # two of three is not the answer',
        "answer_1_30 = 'B'; answer_1_60 = 'B'; '1.60': 'B'; answer_1_3 = 110",
        'digest("1.6", letter)',
        "Cite events as 'events:<id>', e.g. events:brdo-summit or 'events:energy-roadmap'.",
        "Beneath the tension lies",
    ],
)
def test_scanner_ignores_look_alikes(text: str) -> None:
    assert planted_scan(text, check_module=True) == set()


def test_collection_literals_skip_calls_and_find_nested_literals() -> None:
    found = [v for _, v in collection_literals('f(1, 2); x = [("a", "¶3"), ("b", "¶4")]')]
    assert [("a", "¶3"), ("b", "¶4")] in found and ("a", "¶3") in found
    assert (1, 2) not in found


def test_html_text_rejoins_highlighted_code_and_drops_own_cells() -> None:
    page = ('<style>.x{}</style><div id="cell-id=a1-6"><span class="n">answer_1_6</span> '
            '<span class="o">=</span> <span class="s2">&quot;B&quot;</span></div>'
            '<div id="cell-id=t1-6">check(&quot;1.6&quot;, answer_1_6)</div>')
    assert 'answer_1_6 = "B"' in html_text(page)
    kept = html_text(html_without_cells(page, {"a1-6"}))
    assert "answer_1_6 =" not in kept and 'check("1.6", answer_1_6)' in kept


def test_secret_lines_of_a_source_cell() -> None:
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell(
        "answer_2_3 = ...\n### BEGIN SOLUTION\nanswer_2_3 = len(kwic(text, 'said'))\n"
        "### END SOLUTION")
    solution.metadata["nbgrader"] = {"solution": True, "grade": False}
    tests = nbformat.v4.new_code_cell(
        'check("2.3", answer_2_3)\n### BEGIN HIDDEN TESTS\ncheck_hidden("2.3", answer_2_3)\n'
        "### END HIDDEN TESTS")
    tests.metadata["nbgrader"] = {"solution": False, "grade": True}
    nb.cells = [solution, tests]
    assert secret_lines(nb) == {"solution": {"answer_2_3 = len(kwic(text, 'said'))"},
                                "hidden": {'check_hidden("2.3", answer_2_3)'}}


# ============================================================================ the real course


@pytest.mark.nbgrader
def test_every_autograded_question_has_a_value_or_a_reason(run: CourseRun) -> None:
    from course.checks import questions

    got = {a.qid for a in run.all_answers()} | set(run.skipped)
    assert got == set(questions())
    # Only functions and figures are skipped; their code is covered by the solution-line test.
    kinds = set(run.skipped.values())
    assert kinds <= {"function", "Chart", "Briefing", "DataFrame"}, run.skipped
    assert not any(a.value is Ellipsis for a in run.all_answers())
    assert len(run.all_answers()) >= 45


@pytest.mark.nbgrader
def test_the_scanner_finds_the_answers_in_the_answer_key(run: CourseRun) -> None:
    # Positive control on real data: the source notebooks *are* the answers, so the scanner must
    # find every multiple-choice letter there (each is typed as `answer_N_M = "X"`).
    found: set[str] = set()
    for assignment in ASSIGNMENTS:
        text = notebook_text(nbformat.read(source_notebook(assignment), as_version=4))
        found |= {leak.qid for leak in scan(text, run.answers[assignment], assignment,
                                            primary=run.primary)}
    from course.checks import REGISTRY

    choices = {q for q, question in REGISTRY.items() if question.options}
    assert choices <= found, sorted(choices - found)
    assert {"6.7", "6.8"} <= found  # model claims and briefing text: verbatim


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_notebook_holds_no_solution(run: CourseRun, assignment: str) -> None:
    release = run.release(assignment)
    text = notebook_text(release)
    for marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "Model answer", "Rubric (",
                   "check_hidden("):
        assert marker not in text, f"{marker!r} in the release of {assignment}"
    flat = norm(text)
    secrets = secret_lines(nbformat.read(source_notebook(assignment), as_version=4))
    assert secrets["solution"], "the source notebook should have solution lines to look for"
    shown = sorted(line for kind in secrets.values() for line in kind if line in flat)
    assert not shown, f"solution/hidden-test lines in the release of {assignment}: {shown}"
    leaks = scan(text, run.answers[assignment], f"release/{assignment}", primary=run.primary)
    assert not _unexpected(leaks), _report(leaks)


@pytest.mark.nbgrader
def test_the_course_package_source_holds_no_answer(run: CourseRun) -> None:
    leaks = []
    files = sorted((ROOT / "course").rglob("*.py"))
    assert any(p.parent.name == "checks" for p in files)
    for path in files:
        where = str(path.relative_to(ROOT))
        leaks += scan(path.read_text(encoding="utf-8"), run.all_answers(), where,
                      primary=run.primary, check_module=path.parent.name == "checks")
    assert not _unexpected(leaks), _report(leaks)


@pytest.mark.nbgrader
def test_the_student_guide_holds_no_answer(run: CourseRun) -> None:
    leaks = scan(STUDENT_GUIDE.read_text(encoding="utf-8"), run.all_answers(),
                 "docs/student-guide.md", primary=run.primary)
    assert not _unexpected(leaks), _report(leaks)


@pytest.mark.nbgrader
def test_the_datasets_hold_no_answer_that_is_not_data(run: CourseRun) -> None:
    leaks = []
    for path in sorted(DATASETS.iterdir()):
        if path.is_file():
            leaks += scan(path.read_text(encoding="utf-8"), run.all_answers(),
                          f"datasets/{path.name}", primary=run.primary,
                          # A list of names in a table is data; as a literal it would be odd.
                          contextual_only=path.name in PRIMARY_DATA)
    assert not _unexpected(leaks), _report(leaks)


@pytest.mark.nbgrader
def test_raw_nbgrader_feedback_shows_hidden_tests(run: CourseRun) -> None:
    # nbgrader #917, on this course: why `kosovo-course feedback` exists. Also shows that the
    # HTML-to-text step rejoins highlighted code, so the clean results below mean something.
    leaking = [a for a in ASSIGNMENTS
               if "check_hidden(" in html_text(run.feedback("raw", "blank", a))]
    with_hidden = [a for a in ASSIGNMENTS
                   if "BEGIN HIDDEN TESTS" in source_notebook(a).read_text(encoding="utf-8")]
    assert leaking == with_hidden and leaking


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_of_a_blank_submission_shows_no_solution(run: CourseRun, assignment: str
                                                          ) -> None:
    text = html_text(run.feedback("ours", "blank", assignment))
    assert "check_hidden(" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "Model answer" not in text and "Rubric (" not in text
    # nbgrader restored the deleted graded cells, and they ran: every check shows a failure.
    assert "CheckFailed" in text
    flat = norm(text)
    secrets = secret_lines(nbformat.read(source_notebook(assignment), as_version=4))
    shown = sorted(line for kind in secrets.values() for line in kind if line in flat)
    assert not shown, f"solution/hidden-test lines in blank feedback for {assignment}: {shown}"
    leaks = scan(text, run.answers[assignment], f"feedback/blank/{assignment}",
                 primary=run.primary)
    assert not _unexpected(leaks), _report(leaks)


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_of_the_answer_key_shows_no_answer_beyond_the_students_own(
    run: CourseRun, assignment: str
) -> None:
    page = run.feedback("ours", "key", assignment)
    graded = nbformat.read(run.root / "autograded" / "key" / assignment / f"{assignment}.ipynb",
                           4)
    # Cells the student may edit show the student's own code and values (a later cell prints
    # their claims): what is scanned is what the course put there, locked cells and tests.
    course_cells = {c.id for c in graded.cells
                    if (_meta(c).get("grade") or _meta(c).get("locked"))
                    and not _meta(c).get("solution")}
    own = {c.id for c in graded.cells if c.id not in course_cells}
    assert own >= {DUMP_CELL_ID} and len(course_cells) > 10
    text = html_text(html_without_cells(page, own))
    assert "check_hidden(" not in text and "BEGIN HIDDEN TESTS" not in text
    hidden = secret_lines(nbformat.read(source_notebook(assignment), as_version=4))["hidden"]
    assert not [line for line in hidden if line in norm(text)]
    # Every check passed, and its passing output is in the page that was scanned.
    assert "✓ Question" in text and "CheckFailed" not in text
    leaks = scan(text, run.answers[assignment], f"feedback/key/{assignment}",
                 primary=run.primary)
    assert not _unexpected(leaks), _report(leaks)


def test_check_modules_do_not_mark_the_right_option() -> None:
    # Every option's explanation is in course/checks/*.py, which students can read: one that
    # opens with a verdict ("Yes.", "Right.") gives the letter away to anyone who opens the file.
    from course.checks import REGISTRY, questions

    questions()  # registers every assignment's checks
    verdict = re.compile(r"(?i)^\W*(yes|no|right|wrong|correct|incorrect|exactly|true|false"
                         r"|not quite|indeed|well done)\b")
    marked = sorted(f"{q}{letter}: {text[:40]!r}" for q, question in REGISTRY.items()
                    for letter, text in question.options.items() if verdict.match(text))
    assert not [m for m in marked if m.split(":")[0] not in KNOWN_VERDICTS], marked
