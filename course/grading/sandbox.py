"""The bubblewrap sandbox every grading kernel runs in, and the settings that shape it.

A grading kernel is started by jupyter_client as usual, through a kernel manager of ours
(:class:`SandboxKernelManager`, set as ``Execute.kernel_manager_class``, a public nbclient
setting) whose kernel command is the normal ``python -m ipykernel_launcher -f FILE`` wrapped in
``bwrap`` (https://github.com/containers/bubblewrap, the sandbox Flatpak uses), ``setpriv`` and
``prlimit`` (both util-linux). Inside, the kernel sees only:

- its own working folder (the student's autograded folder in a scratch course), read-write;
- the Python environment and the student library (``course`` without its grading package, and
  the datasets), read-only; ``/usr`` read-only; a private, empty ``/tmp`` and ``$HOME=/tmp``;
- its own connection file and ZeroMQ sockets (``transport="ipc"``) in a folder of its own.

It has its own network namespace (no network at all, not even loopback servers of the host),
its own PID namespace (when the kernel ends, everything it started is killed), an unprivileged
uid (as root: a uid of its own outside too, so process limits count only its processes), and
the limits below (RLIMIT_AS, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CPU). Nothing else of the machine
exists for it: not the course directory, the answer key, other students, the gradebook, the
user's home or other kernels.

Settings, in ``nbgrader_config.py`` (or as ``grade`` flags)::

    c.Sandbox.memory_limit = "2G"        # --memory-limit
    c.Sandbox.max_processes = 256        # --max-processes
    c.Sandbox.file_size_limit = "1G"     # --file-size-limit
    c.Sandbox.cpu_time_limit = 600       # --cpu-time-limit (seconds of CPU per kernel)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Int, Unicode, default
from traitlets.config import Configurable

# Environment variables a kernel gets (everything else of the grader's environment is dropped).
# NBGRADER_EXECUTION is nbgrader's own signal to notebooks that they are being graded
# (nbgrader sets it around execution; widgets and upstream's test_grade_with_validating_envvar
# rely on it).
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "PYTHONHASHSEED", "KOSOVO_COURSE_DATA",
            "NBGRADER_EXECUTION")
# The uid a kernel runs as, outside its namespaces, when grading runs as root: one per worker
# process, so that one kernel's processes never count against another's limit.
ROOT_UID_BASE = 200_000


class SandboxError(RuntimeError):
    """The sandbox cannot run here; the message says what to do."""


def parse_size(value: str | int, setting: str) -> int:
    """Bytes from ``2G``, ``512M``, ``100K`` or a plain number of bytes.

    Raises ValueError naming ``setting`` when the text is not a size.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError(f"{setting} must be positive, got {value}")
        return value
    text = str(value).strip().upper().removesuffix("B")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        size = int(float(number) * factor)
    except ValueError:
        raise ValueError(f"{setting} must be a size such as 2G or 512M, got {value!r}") from None
    if size <= 0:
        raise ValueError(f"{setting} must be positive, got {value!r}")
    return size


def human_size(size: int) -> str:
    """``2 GB`` for 2 GiB: the size as the limit's messages show it."""
    for unit, factor in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor and size % (factor // 1024 or 1) == 0:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


class Sandbox(Configurable):
    """Limits of a grading kernel's sandbox (``c.Sandbox.*`` in nbgrader_config.py)."""

    enabled = Bool(
        True,
        config=True,
        help="Run every grading kernel in a bubblewrap sandbox. `grade --no-sandbox` turns it "
        "off (then student code runs with the grader's rights).",
    )
    memory_limit = Unicode(
        "2G", config=True, help="Address space of a kernel and each process it starts (2G, 512M)."
    )
    max_processes = Int(256, config=True, help="Processes and threads a kernel may run at once.")
    file_size_limit = Unicode("1G", config=True, help="Largest file a kernel may write (2G, 512M).")
    cpu_time_limit = Int(
        600,
        config=True,
        help="Seconds of CPU time one kernel may use over the whole notebook; nbgrader's "
        "Execute.timeout still limits each cell's wall-clock time.",
    )
    bwrap = Unicode("bwrap", config=True, help="The bubblewrap executable.")

    @default("bwrap")
    def _bwrap_default(self) -> str:
        return "bwrap"

    def limits(self) -> Limits:
        """The limits as numbers; ValueError naming the setting when one is not valid."""
        for name in ("max_processes", "cpu_time_limit"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Sandbox.{name} must be positive, got {getattr(self, name)}")
        return Limits(
            parse_size(self.memory_limit, "Sandbox.memory_limit"),
            self.max_processes,
            parse_size(self.file_size_limit, "Sandbox.file_size_limit"),
            self.cpu_time_limit,
        )


@dataclass(frozen=True)
class Limits:
    """A kernel's limits: bytes of memory, processes, bytes per file, seconds of CPU."""

    memory: int
    processes: int
    file_size: int
    cpu_seconds: int

    def describe(self) -> str:
        """One line for the summary and the guide."""
        return (
            f"memory {human_size(self.memory)}, {self.processes} processes, files up to "
            f"{human_size(self.file_size)}, {self.cpu_seconds} s of CPU per kernel"
        )


def find_tools(bwrap: str = "bwrap") -> dict[str, str]:
    """Paths of bwrap, setpriv and prlimit; SandboxError with what to do if one is missing."""
    if not sys.platform.startswith("linux"):
        raise SandboxError(
            f"the grading sandbox needs Linux (this is {sys.platform}); grade on a Linux "
            "machine, or pass --no-sandbox to run student code with your own rights"
        )
    tools = {}
    needed = ((bwrap, "bubblewrap"), ("setpriv", "util-linux"), ("prlimit", "util-linux"))
    for name, package in needed:
        path = shutil.which(name)
        if path is None:
            raise SandboxError(
                f"{name} is not installed, so student code cannot be sandboxed: install it "
                f"(Debian/Ubuntu: apt-get install {package}) or pass --no-sandbox"
            )
        tools[Path(name).name] = path
    return tools


def readonly_roots(extra: list[Path]) -> list[Path]:
    """What a kernel reads: /usr, /etc, the Python installation, its environment, ``extra``."""
    roots = [Path("/usr"), Path("/etc"), Path(sys.base_prefix), Path(sys.prefix)]
    roots += [p for p in extra]
    out: list[Path] = []
    for path in roots:
        path = Path(os.path.realpath(path))
        if path.is_dir() and not any(path == o or o in path.parents for o in out):
            out = [o for o in out if path not in o.parents] + [path]
    return out


def _parents(paths: list[Path]) -> list[Path]:
    """Every ancestor of ``paths`` (not /), shallowest first, to create as traversable dirs."""
    seen: dict[Path, None] = {}
    for path in paths:
        for parent in reversed(path.parents):
            if parent != Path("/"):
                seen[parent] = None
    return list(seen)


def bwrap_command(
    kernel_cmd: list[str],
    *,
    workdir: Path,
    runtime: Path,
    readonly: list[Path],
    limits: Limits,
    env: dict[str, str],
    tools: dict[str, str],
    uid: int | None,
) -> list[str]:
    """The full command line: bwrap [namespaces, binds, env] setpriv? prlimit [limits] kernel.

    ``workdir`` (bound read-write, the kernel's cwd) and ``runtime`` (its connection file and
    sockets) must exist. ``uid`` is the uid to drop to when the grader runs as root (bwrap then
    makes no user namespace); None when it does not (bwrap maps the user into a new one).
    """
    cmd = [tools["bwrap"], "--die-with-parent", "--new-session"]
    if uid is None:
        cmd += ["--unshare-all", "--uid", str(os.getuid()), "--gid", str(os.getgid())]
    else:
        cmd += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        cmd += ["--unshare-cgroup-try"]
    cmd += ["--clearenv"]
    for key, value in sorted(env.items()):
        cmd += ["--setenv", key, value]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), str(target)]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    binds = [*readonly, workdir, runtime]
    # Parents of the bound folders (/root, /work ...) would otherwise be made 0700 by bwrap.
    for parent in _parents(binds):
        if parent != Path("/tmp") and not any(parent == r or r in parent.parents for r in readonly):
            cmd += ["--perms", "0755", "--dir", str(parent)]
    for path in readonly:
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += ["--bind", str(workdir), str(workdir), "--bind", str(runtime), str(runtime)]
    cmd += ["--chdir", str(workdir), "--"]
    if uid is not None:
        cmd += [tools["setpriv"], f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    cmd += [
        tools["prlimit"],
        f"--as={limits.memory}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_size}",
        f"--cpu={limits.cpu_seconds}",
        "--",
    ]
    return cmd + kernel_cmd


def kernel_env(student_lib: Path | None) -> dict[str, str]:
    """A kernel's environment: the few variables it needs, $HOME in its private /tmp."""
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    env.update(
        HOME="/tmp",
        IPYTHONDIR="/tmp/.ipython",
        MPLCONFIGDIR="/tmp/.matplotlib",
        PYTHONDONTWRITEBYTECODE="1",
        OPENBLAS_NUM_THREADS="1",  # each BLAS thread reserves address space: stay in the limit
        # The kernel's parent in the sandbox's PID namespace is bwrap's init, pid 1: ipykernel
        # then does not poll for its parent (--die-with-parent ends it), nor print its
        # `ipython kernel` banner to the worker's stdout (the terminal, with --scheduler local:N).
        JPY_PARENT_PID="1",
    )
    if student_lib is not None:
        env["PYTHONPATH"] = str(student_lib)
        env["KOSOVO_COURSE_DATA"] = str(student_lib / "datasets")
    return env


class SandboxKernelManager(AsyncKernelManager):
    """A jupyter_client kernel manager whose kernels start inside the bubblewrap sandbox.

    Set by the grading unit as ``Execute.kernel_manager_class`` (an nbclient setting), so
    nbgrader's Execute preprocessor starts every kernel through it; the kernel's working folder
    is the ``cwd`` nbclient passes to ``start_kernel`` (the autograded folder). Uses the ipc
    transport: the sockets live beside the connection file, in a folder bound into the sandbox.
    """

    # Set by the unit before grading (class attributes: nbclient makes the instance).
    student_lib: Path | None = None
    runtime_parent: Path | None = None

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @property
    def kernel_spec(self) -> Any:  # type: ignore[override]
        """The kernel spec, interrupted by message: a signal would stop bwrap, not the cell."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        self._sandbox_cwd = Path(kw.get("cwd") or os.getcwd()).resolve()
        parent = self.runtime_parent or Path(tempfile.gettempdir())
        self._runtime = Path(tempfile.mkdtemp(prefix="kernel-", dir=parent))
        self.connection_file = str(self._runtime / "kernel.json")
        self.ip = str(self._runtime / "kernel-ipc")
        self._uid = ROOT_UID_BASE + os.getpid() % 100_000 if os.geteuid() == 0 else None
        if self._uid is not None:
            os.chown(self._runtime, self._uid, self._uid)
            _chown_tree(self._sandbox_cwd, self._uid)
            _traversable(self._sandbox_cwd)
            _traversable(self._runtime)
        kw["env"] = kernel_env(self.student_lib)
        return await super()._async_pre_start_kernel(**kw)

    def write_connection_file(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Write the connection file, readable by the kernel's own uid only."""
        super().write_connection_file(**kwargs)
        uid = getattr(self, "_uid", None)
        if uid is not None:
            os.chown(self.connection_file, uid, uid)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel spec's command, wrapped in bwrap, setpriv and prlimit."""
        cmd = super().format_kernel_cmd(extra_arguments)
        sandbox = Sandbox(config=self.config)
        readonly = [self.student_lib] if self.student_lib is not None else []
        return bwrap_command(
            cmd,
            workdir=self._sandbox_cwd,
            runtime=self._runtime,
            readonly=readonly_roots(readonly),
            limits=sandbox.limits(),
            env=kernel_env(self.student_lib),
            tools=find_tools(sandbox.bwrap),
            uid=self._uid,
        )

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        runtime = getattr(self, "_runtime", None)
        if runtime is not None and not restart:
            shutil.rmtree(runtime, ignore_errors=True)


def _chown_tree(folder: Path, uid: int) -> None:
    """Give the kernel's uid the working folder nbgrader filled for it."""
    os.chown(folder, uid, uid)
    for path in folder.rglob("*"):
        os.lchown(path, uid, uid)


def _traversable(folder: Path) -> None:
    """Let another uid pass through (not list) the scratch folders above ``folder``.

    Only bwrap needs this, to bind ``folder``; inside the sandbox nothing above it exists.
    """
    tmp = Path(tempfile.gettempdir()).resolve()
    for parent in folder.parents:
        if parent == tmp or parent == Path("/"):
            break
        mode = parent.stat().st_mode & 0o777
        if mode & 0o001 == 0:
            os.chmod(parent, mode | 0o001)


def check_sandbox(course: Any, settings: dict[str, dict[str, Any]]) -> Limits:
    """Refuse to grade (CourseError, one line saying what to do) when the sandbox cannot run.

    Checks the settings (``course``'s config with ``settings`` on top), that bwrap, setpriv
    and prlimit exist, and that bwrap can make its namespaces here (a container or a kernel
    without user namespaces may refuse).
    """
    import subprocess

    from traitlets.config import Config

    from course.grading.coursedir import CourseError

    cfg = Config(course.config)
    for section, values in settings.items():
        for key, value in values.items():
            cfg[section][key] = value
    sandbox = Sandbox(config=cfg)
    try:
        limits = sandbox.limits()
        tools = find_tools(sandbox.bwrap)
    except (ValueError, SandboxError) as exc:
        raise CourseError(str(exc)) from None
    root = os.geteuid() == 0
    probe = [tools["bwrap"], "--ro-bind", "/", "/", "--die-with-parent", "--unshare-pid"]
    probe += ["--unshare-net"] if root else ["--unshare-all"]
    probe += ["--proc", "/proc", "--dev", "/dev", "--", "true"]
    done = subprocess.run(probe, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise CourseError(
            f"bubblewrap cannot create a sandbox on this machine ({why}); enable unprivileged "
            "user namespaces (sysctl kernel.unprivileged_userns_clone=1, or run grading as "
            "root), or pass --no-sandbox to run student code with your own rights"
        )
    return limits
