"""Probes from inside submissions: what a grading kernel can reach in the bubblewrap sandbox.

One class, graded once with ``kosovo-course grade --jobs 2`` (module-scoped fixture): two honest
students and one probe per student. Each probe runs at the top of the first solution cell and
prints one ``PROBE <name> <result>`` line into its own autograded notebook; the rest of that
notebook is the answer key, so a blocked probe still scores full marks. The bombs (memory,
file size, processes) hit the sandbox's limits, which the test course lowers for speed, and are
flagged ``limit``. The honest students are graded exactly as stock ``nbgrader autograde``
grades them.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest
from grading_fixtures import ASSIGNMENT, cli, nbgrader, released_course

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
]

SLEEP_MARK = "987654.321"  # `sleep 987654.321`: a process a probe leaves behind
FIRST = "count_words"  # the first solution cell of the fixture's ps1

# Every file the kernel can see, but the system and Python folders (too many to walk in time).
WALK = (
    "import os, sys\n"
    "def visible():\n"
    "    skip = ('/proc', '/sys', '/dev', '/usr', '/etc', sys.prefix, sys.base_prefix)\n"
    "    for top, dirs, files in os.walk('/'):\n"
    "        dirs[:] = [d for d in dirs if not os.path.join(top, d).startswith(skip)]\n"
    "        yield from (os.path.join(top, f) for f in files)\n"
)
# name -> code prepended to the first solution cell. {root} is the real course folder,
# {port} a loopback server's port, {home} the grader's home folder.
PROBES = {
    "answer-key": (
        "import glob, os\n"
        "hits = [p for p in glob.glob('{root}/**/*.ipynb', recursive=True)]\n"
        "up = os.path.abspath('../../..')\n"
        "hits += [p for p in glob.glob(up + '/**/*.ipynb', recursive=True)\n"
        "         if not p.startswith(os.getcwd())]\n"
        "print('PROBE answer-key', 'reached' if hits else 'blocked', hits[:3])\n"
    ),
    "classmate": (
        "import glob\n"
        "hits = glob.glob('{root}/submitted/*/*/*.ipynb')\n"
        "print('PROBE classmate', 'reached' if hits else 'blocked')\n"
    ),
    "gradebook": WALK
    + (
        "import glob\n"
        "hits = [p for p in visible() if p.endswith('.db')]\n"
        "hits += glob.glob('{root}/*.db')\n"
        "print('PROBE gradebook', 'reached' if hits else 'blocked', hits[:3])\n"
    ),
    "connection-file": WALK
    + (
        "from ipykernel.connect import get_connection_file\n"
        "mine = os.path.realpath(get_connection_file())\n"
        "found = []\n"
        "for p in visible():\n"
        "    if not p.endswith('.json') or os.path.realpath(p) == mine:\n"
        "        continue\n"
        "    try:\n"
        "        if 'shell_port' in open(p).read(): found.append(p)\n"
        "    except OSError:\n"
        "        pass\n"
        "print('PROBE connection-file', 'reached' if found else 'blocked', found[:3])\n"
    ),
    "loopback": (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', {port}), timeout=3).close()\n"
        "    print('PROBE loopback reached')\n"
        "except OSError as e:\n"
        "    print('PROBE loopback blocked', e)\n"
    ),
    "home": (
        "import os\n"
        "try:\n"
        "    names = sorted(os.listdir('{home}'))\n"
        "except OSError:\n"
        "    names = []\n"
        "print('PROBE home', json.dumps(names) if names else 'blocked')\n"
    ),
    "leftover-process": (
        "import subprocess\n"
        "subprocess.Popen(['sleep', '" + SLEEP_MARK + "'], start_new_session=True)\n"
        "print('PROBE leftover-process started')\n"
    ),
    "exfiltration": WALK
    + (
        "import base64\n"
        "for p in visible():\n"
        "    if not p.endswith('.ipynb') or p.startswith(os.getcwd()):\n"
        "        continue\n"
        "    try:\n"
        "        print('LEAK', base64.b64encode(open(p, 'rb').read()).decode())\n"
        "    except OSError:\n"
        "        pass\n"
        "print('PROBE exfiltration done')\n"
    ),
    "memory-bomb": (
        "try:\n    hog = bytearray(8 * 1024 ** 3)\nfinally:\n    print('PROBE memory-bomb ran')\n"
    ),
    "disk-bomb": (
        "print('PROBE disk-bomb ran')\n"
        "with open('big.bin', 'wb') as fh:\n"
        "    for _ in range(300):\n"
        "        fh.write(b'x' * (1 << 20))\n"
    ),
    "process-bomb": (
        "import subprocess\n"
        "print('PROBE process-bomb ran')\n"
        "kids = [subprocess.Popen(['sleep', '60']) for _ in range(500)]\n"
    ),
}
# Probes that must end in a sandbox limit (the cell errors: that test scores 0).
BOMBS = {
    "memory-bomb": "memory limit",
    "disk-bomb": "file size limit",
    "process-bomb": "process limit",
}


def _json_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _with_probe(nb: dict, code: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == FIRST:
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = "import json\n" + code + src
            return nb
    raise KeyError(FIRST)


class _Server:
    """A TCP server on 127.0.0.1 (a free port) counting the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def _submit(root: Path, student: str, nb: dict) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2022-08-25 10:00:00.000000 UTC")
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def _sleepers() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if SLEEP_MARK in cmd:
                pids.append(int(proc.name))
    return pids


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The probe class graded once, with lowered limits; and a stock-graded copy of it."""
    from course.grading.synth import filled

    root = released_course(tmp_path_factory.mktemp("sandbox") / "course")
    config = root / "nbgrader_config.py"
    config.write_text(
        config.read_text()
        + '\n# tests: small limits, so the bombs end fast\nc.Sandbox.file_size_limit = "50M"\n'
        + "c.Sandbox.max_processes = 64\n"
        + "c.Execute.timeout = 60  # the probes walk the whole visible file system\n"
    )
    source = _json_of(root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    blank = _json_of(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    key = filled(source, blank, None)
    server = _Server()
    home = os.path.expanduser("~")
    students = {"honest-key": key, "honest-blank": blank}
    for name, code in PROBES.items():
        code = code.replace("{root}", str(root)).replace("{port}", str(server.port))
        students[f"probe-{name}"] = _with_probe(key, code.replace("{home}", home))
    for student, nb in students.items():
        _submit(root, student, nb)
    stock = shutil.copytree(root, root.parent / "stock")
    try:
        proc = cli("grade", ASSIGNMENT, "--jobs", "2", "--no-progress", cwd=root, check=False)
    finally:
        server.close()
    nbgrader("autograde", ASSIGNMENT, "--student", "honest-key", cwd=stock)
    nbgrader("autograde", ASSIGNMENT, "--student", "honest-blank", cwd=stock)
    return {"root": root, "stock": stock, "proc": proc, "server": server, "source": source}


def _outputs(root: Path, student: str) -> str:
    nb = _json_of(root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    text = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text.append("".join(out.get("text", "")) + str(out.get("evalue", "")))
    return "\n".join(text)


def _probe_line(root: Path, name: str) -> str:
    found = re.search(rf"^PROBE {name} (.*)$", _outputs(root, f"probe-{name}"), re.M)
    assert found, _outputs(root, f"probe-{name}")
    return found.group(1)


def _flags(root: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    with open(root / "reports" / ASSIGNMENT / "flags.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["student_id"], []).append(row)
    return out


def _scores(root: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def test_every_probe_student_is_graded(probed):
    proc = probed["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    scores = _scores(probed["root"])
    assert set(scores) == {"honest-key", "honest-blank", *[f"probe-{n}" for n in PROBES]}


@pytest.mark.parametrize(
    "name", ["answer-key", "classmate", "gradebook", "connection-file", "loopback"]
)
def test_the_kernel_cannot_reach(probed, name):
    assert _probe_line(probed["root"], name).startswith("blocked")


def test_the_loopback_server_saw_no_connection(probed):
    assert probed["server"].accepted == 0


def test_the_home_folder_shows_only_what_the_sandbox_binds(probed):
    line = _probe_line(probed["root"], "home")
    real = set(os.listdir(os.path.expanduser("~")))
    seen = set() if line == "blocked" else set(json.loads(line))
    assert not seen or seen < real  # at most the folders a bound path passes through
    assert not {".bashrc", ".profile", ".ssh", ".jupyter"} & seen


def test_no_process_outlives_its_kernel(probed):
    assert _probe_line(probed["root"], "leftover-process") == "started"
    assert _sleepers() == []


def test_encoded_exfiltration_carries_no_solution(probed):
    root = probed["root"]
    assert _probe_line(root, "exfiltration") == "done"
    solutions = [
        "".join(c["source"])
        for c in probed["source"]["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]
    for blob in re.findall(r"^LEAK (\S+)$", _outputs(root, "probe-exfiltration"), re.M):
        text = base64.b64decode(blob).decode("utf-8", "replace")
        assert "BEGIN SOLUTION" not in text
        assert not any(s.strip() and s.strip() in text for s in solutions)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_bomb_hits_its_limit_and_is_flagged_in_its_cell(probed, name):
    root = probed["root"]
    assert _probe_line(root, name) == "ran"
    rows = _flags(root).get(f"probe-{name}", [])
    limits = [r for r in rows if r["kind"] == "limit"]
    assert limits, rows
    assert limits[0]["detail"].startswith(BOMBS[name])
    assert f"in cell {FIRST}" in limits[0]["detail"]
    assert "Sandbox." in limits[0]["detail"]
    # Graded as far as it got: the rest of the notebook ran (the other tests pass).
    assert _scores(root)[f"probe-{name}"] > 0


def test_the_disk_bomb_stopped_at_the_file_size_limit(probed):
    big = probed["root"] / "autograded" / "probe-disk-bomb" / ASSIGNMENT / "big.bin"
    assert big.stat().st_size <= 50 * 1024 * 1024


def test_blocked_probes_score_full_marks_and_raise_no_flag(probed):
    scores = _scores(probed["root"])
    flags = _flags(probed["root"])
    for name in set(PROBES) - set(BOMBS):
        assert scores[f"probe-{name}"] == scores["honest-key"], name
        assert {r["kind"] for r in flags.get(f"probe-{name}", [])} <= {"suspicious-code"}, name


def test_honest_classmates_are_graded_as_stock_nbgrader_grades_them(probed):
    from grading_fixtures import dump_gradebook

    ours, stock = dump_gradebook(probed["root"]), dump_gradebook(probed["stock"])

    def honest(dump: dict) -> dict:
        return {k: v for k, v in dump.items() if "honest" in json.dumps(k)}

    assert honest(ours) == honest(stock)
    assert _scores(probed["root"])["honest-key"] > _scores(probed["root"])["honest-blank"]


def test_grading_refuses_without_bubblewrap_and_says_what_to_do(tmp_path):
    root = released_course(tmp_path / "no-bwrap")
    config = root / "nbgrader_config.py"
    config.write_text(config.read_text() + '\nc.Sandbox.bwrap = "no-such-bwrap"\n')
    before = (root / "gradebook.db").read_bytes()
    proc = cli("grade", ASSIGNMENT, "--no-progress", cwd=root, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "apt-get install bubblewrap" in lines[0] and "--no-sandbox" in lines[0]
    assert (root / "gradebook.db").read_bytes() == before


def test_a_bad_limit_is_a_one_line_error_naming_the_setting(tmp_path):
    root = released_course(tmp_path / "bad-limit")
    proc = cli("grade", ASSIGNMENT, "--memory-limit", "lots", cwd=root, check=False)
    assert proc.returncode == 2
    assert "Sandbox.memory_limit" in proc.stderr and "lots" in proc.stderr


def test_no_sandbox_says_what_is_unprotected(tmp_path):
    root = released_course(tmp_path / "unprotected")
    proc = cli("grade", ASSIGNMENT, "--no-sandbox", "--no-progress", cwd=root, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--no-sandbox: student code runs with your rights" in proc.stderr
    assert "answer key" in proc.stderr and "network" in proc.stderr
