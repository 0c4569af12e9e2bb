"""The sandbox that every student submission runs in: bubblewrap, a fresh uid, limits, and a clean end.

Used by `course_tools.kernel` (and so by ``python3 tasks.py grade``); no chapter uses it.

One `Sandbox` per submission. Its `command` wraps a command line in ``bwrap`` with:

- its own namespaces (``--unshare-all``: user, pid, net, ipc, uts, cgroup): no network (only a
  loopback of its own), ``/proc`` shows only its own processes, its own hostname;
- a read-only view of the system (``/usr`` and the few ``/etc`` files the dynamic loader, fonts and
  Python need), the Python installation that runs the kernel (``sys.prefix``, ``sys.base_prefix``),
  the ``cnn_utils`` package folder only (not the checkout: the book's solutions stay hidden; the
  shipped CIFAR-10 models are in it), the offline data files (``CNN_UTILS_MNIST_PATH``,
  ``CNN_UTILS_CIFAR10_PATH`` and CIFAR-10's decoded cache) and whatever the caller names in
  ``readonly``;
- ``workdir`` as the only writable place, bound at the same path (so ZeroMQ ipc sockets and files
  in it work between inside and outside); a private ``/tmp`` (tmpfs), a minimal ``/dev``;
- ``--clearenv`` and a minimal environment instead of the instructor's (`minimal_env` plus the
  caller's ``env``);
- ``--new-session`` (no TIOCSTI into the grader's terminal), ``--die-with-parent``,
  ``--cap-drop ALL``.

**The uid.** When the grader runs as root (CI), bwrap makes the mounts and namespaces as root
(no user namespace: a uid mapped in a namespace root creates is still root outside) and runs the
command through ``setpriv`` as the submission's own unprivileged real uid/gid (``uid``, e.g.
61000 + n; no supplementary groups, no capabilities, empty bounding set, no_new_privs): files only root can read stay unreadable,
``RLIMIT_NPROC`` counts that uid's processes only (a fork bomb stops without touching the grader
or other submissions) and a submission cannot signal another one's processes (different uids). The
caller makes ``workdir`` owned by that uid (`Sandbox.prepare` does it). When the grader runs as an
ordinary user, no uid can be changed: every submission runs under that user's uid (``uid`` is
ignored), the namespaces still hide the other submissions, the network and the other processes,
but ``RLIMIT_NPROC`` then counts all of that user's processes, so it is set higher (see
`Limits.for_shared_uid`).

**Limits** (``setrlimit`` in the child, inherited by everything inside; `DEFAULT_LIMITS`):
memory is limited with ``RLIMIT_DATA`` (private writable memory: heap and anonymous mappings),
not ``RLIMIT_AS``: TensorFlow reserves several GB of address space it never touches, so an address
space limit that stops a runaway array also stops ``import tensorflow``. Also ``RLIMIT_NPROC``,
``RLIMIT_CPU`` (SIGXCPU, then SIGKILL at the hard limit), ``RLIMIT_FSIZE`` (a larger write fails
with EFBIG) and ``RLIMIT_NOFILE``; ``RLIMIT_CORE`` is 0.

**The end.** `kill_all` kills bwrap's processes (found by this sandbox's marker in their command
line); its pid namespace's init dies with them and the kernel then kills every process inside,
a detached, double-forked, ``setsid`` child that ignores SIGTERM included. As root it also kills
every process left with the submission's uid.

Where bubblewrap cannot run (macOS, Windows, no ``bwrap``, namespaces forbidden), `check_available`
raises `SandboxUnavailable` with a Korean message naming the fix; the grader then refuses untrusted
notebooks unless ``--unsafe-no-sandbox`` is given (`unsafe_command`: no isolation, minimal env).
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Sequence

GiB = 1024 ** 3
MiB = 1024 ** 2


class SandboxUnavailable(RuntimeError):
    """No sandbox here; the message (Korean) says why and how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (``setrlimit``, soft = hard except for CPU time)."""

    memory_bytes: int      # RLIMIT_DATA: private writable memory (RLIMIT_AS stops TensorFlow's import)
    processes: int         # RLIMIT_NPROC: processes and threads of the sandbox's uid
    cpu_seconds: int       # RLIMIT_CPU: SIGXCPU at this, SIGKILL 5 s later
    file_bytes: int        # RLIMIT_FSIZE: the largest file it can write
    open_files: int        # RLIMIT_NOFILE

    def __post_init__(self):
        for name in ("memory_bytes", "processes", "cpu_seconds", "file_bytes", "open_files"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive int, got {value!r}; "
                                 f"pass e.g. Limits({name}=...) with a number above 0.")

    def for_shared_uid(self):
        """The limits when every sandbox shares the grader's own uid (grader not root):
        RLIMIT_NPROC counts all of that user's processes, so it leaves room for them."""
        return replace(self, processes=self.processes + 4096)


# Chapter kernels (TensorFlow, Keras, a small model trained) peak near 1.2 GB of private memory;
# 4 GiB leaves room and still stops a runaway allocation. TensorFlow starts ~100 threads, each an
# RLIMIT_NPROC unit. See the module docstring and the report in the commit for the measurements.
DEFAULT_LIMITS = Limits(memory_bytes=4 * GiB, processes=512, cpu_seconds=900,
                        file_bytes=64 * MiB, open_files=1024)


def _bwrap():
    return shutil.which("bwrap")


def check_available() -> None:
    """Raises `SandboxUnavailable` (Korean, with the fix) when no sandbox can be made here."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(
            f"이 운영체제({sys.platform})에는 샌드박스(bubblewrap)가 없습니다. 리눅스에서 채점하거나, "
            "믿을 수 있는 노트북만 채점한다면 --unsafe-no-sandbox를 주세요.")
    bwrap = _bwrap()
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap(bwrap)이 설치되어 있지 않습니다. `sudo apt install bubblewrap`으로 설치하거나, "
            "믿을 수 있는 노트북만 채점한다면 --unsafe-no-sandbox를 주세요.")
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent",
             "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap을 실행하지 못했습니다: {error}") from None
    if result.returncode != 0:
        raise SandboxUnavailable(
            "bubblewrap이 이름공간(namespace)을 만들지 못했습니다: "
            f"{result.stderr.strip()[:300]} — 사용자 이름공간을 허용하거나"
            "(예: `sysctl -w kernel.unprivileged_userns_clone=1`, 컨테이너라면 --privileged), "
            "믿을 수 있는 노트북만 채점한다면 --unsafe-no-sandbox를 주세요.")


def minimal_env(workdir) -> dict:
    """The environment a submission gets instead of the instructor's (the caller's `env` adds to it)."""
    workdir = str(workdir)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
           "HOME": workdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": str(Path(workdir) / ".mpl"), "TF_CPP_MIN_LOG_LEVEL": "2",
           "TMPDIR": "/tmp", "USER": "student", "LOGNAME": "student"}
    for variable, value in _data_paths().items():
        env[variable] = str(value)
    return env


def _data_paths() -> dict:
    """The offline data a chapter loads, by environment variable: MNIST, CIFAR-10 and the folder of
    CIFAR-10's decoded cache (the instructor's, read-only inside the sandbox: a second decode of
    the archive would cost each submission half a minute)."""
    paths = {}
    for variable in ("CNN_UTILS_MNIST_PATH", "CNN_UTILS_CIFAR10_PATH"):
        if os.environ.get(variable):
            paths[variable] = Path(os.environ[variable])
    if "CNN_UTILS_CIFAR10_PATH" in paths:
        cache = os.environ.get("CNN_UTILS_CACHE_DIR") or Path.home() / ".cache" / "cnn_utils"
        paths["CNN_UTILS_CACHE_DIR"] = Path(cache)
    return paths


def package_dir(name="cnn_utils") -> Path | None:
    """The folder a package is imported from (an editable install resolves to the checkout's folder)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


# /etc entries the loader, Python, matplotlib's fonts and getpwuid need; nothing else of /etc.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "nsswitch.conf",
       "alternatives", "mime.types")


def _default_readonly() -> list[Path]:
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent]
    pkg = package_dir()
    if pkg is not None:
        paths.append(pkg)
    paths += [path for path in _data_paths().values() if path.exists()]
    return paths


class Sandbox:
    """One submission's sandbox: a private work folder, a fresh unprivileged uid, its own namespaces.

    `workdir` is the only writable place; `uid` is the submission's own uid (used when the grader
    is root, ignored otherwise); `readonly` adds paths bound read-only at the same place; `env` is
    added to `minimal_env`. Run with ``subprocess.Popen(sb.command(argv), **sb.popen_kwargs())``,
    and call `kill_all` at the end.
    """

    def __init__(self, workdir: Path, *, uid: int | None, limits: Limits = DEFAULT_LIMITS,
                 readonly: Sequence[Path] = (), env: Mapping[str, str] | None = None):
        if os.geteuid() == 0 and (not isinstance(uid, int) or isinstance(uid, bool)
                                  or not 1000 <= uid < 2 ** 31):
            raise ValueError(f"uid must be an int from 1000 (an unprivileged uid, e.g. 61000 + n), "
                             f"got {uid!r}.")
        if not isinstance(limits, Limits):
            raise TypeError(f"limits must be a Limits, got {type(limits).__name__}; use Limits(...).")
        self.workdir = Path(workdir).resolve()
        if not self.workdir.is_dir():
            raise ValueError(f"workdir {str(workdir)!r} is not a folder; create it first.")
        self.root = os.geteuid() == 0
        self.uid = uid if self.root else os.getuid()
        self.gid = uid if self.root else os.getgid()
        self.limits = limits if self.root else limits.for_shared_uid()
        self.readonly = [Path(p) for p in readonly]
        self.env = minimal_env(self.workdir)
        self.env.update(env or {})
        self._fds: list[int] = []   # descriptors of the read-only paths, passed to bwrap
        self.marker = f"cnnsb-{secrets.token_hex(6)}"   # in bwrap's command line: found by kill_all

    def prepare(self):
        """Gives `workdir` (and everything in it) to the sandbox's uid when the grader is root."""
        if self.root:
            for path in [self.workdir, *self.workdir.rglob("*")]:
                os.lchown(path, self.uid, self.gid)

    # -- the command line ---------------------------------------------------------------------
    def _binds(self) -> list[str]:
        args = ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            top = Path("/") / name
            if top.is_symlink():
                args += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                args += ["--ro-bind", str(top), str(top)]
        for name in ETC:
            if (Path("/etc") / name).exists():
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        seen = set()
        for path in [*_default_readonly(), *self.readonly]:
            for p in {Path(os.path.abspath(path)), Path(path).resolve()}:
                if p.exists() and p not in seen and p != Path("/") and not self._covered(p):
                    seen.add(p)
                    args += ["--ro-bind", str(p), str(p)]
        args += ["--bind", str(self.workdir), str(self.workdir)]
        # bwrap gives the folders it creates on the way the mode of the host's (e.g. /root 0700):
        # create them first, traversable, so the sandbox's uid reaches what is bound
        parents = {Path("/etc")}
        for i, arg in enumerate(args):
            if arg in ("--ro-bind", "--bind"):
                parents.update(Path(args[i + 2]).parents)
        parents.discard(Path("/"))
        dirs = []
        for parent in sorted(parents, key=lambda p: len(p.parts)):
            dirs += ["--perms", "0755", "--dir", str(parent)]
        return dirs + args

    def _covered(self, path: Path) -> bool:
        return path == self.workdir or Path("/usr") in path.parents or path == Path("/usr")

    def command(self, argv: Sequence[str]) -> list[str]:
        """The full command line that runs `argv` inside the sandbox (``bwrap ... -- argv``)."""
        bwrap = _bwrap()
        if bwrap is None:
            check_available()
        self.close_fds()
        if self.root:   # bwrap mounts as root, then setpriv drops to the submission's uid for good
            cmd = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                   "--unshare-cgroup-try"]
            argv = [shutil.which("setpriv") or "/usr/bin/setpriv", "--reuid", str(self.uid),
                    "--regid", str(self.gid), "--clear-groups", "--inh-caps=-all",
                    "--bounding-set=-all", "--no-new-privs", "--", *argv]
        else:           # an ordinary user: bwrap's user namespace, the user's own uid
            cmd = [bwrap, "--unshare-all", "--cap-drop", "ALL",
                   "--uid", str(self.uid), "--gid", str(self.gid)]
        cmd += ["--die-with-parent", "--new-session", "--hostname", self.marker,
               "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777", "--dir", "/var/tmp",
               *self._binds(), "--chdir", str(self.workdir), "--clearenv"]
        for key, value in self.env.items():
            cmd += ["--setenv", key, str(value)]
        return cmd + ["--", *[str(a) for a in argv]]

    def popen_kwargs(self) -> dict:
        """Keyword arguments for `subprocess.Popen`/`run` of `command(...)`: the uid drop and the
        limits (``preexec_fn``) and a new session."""
        limits = self.limits

        def preexec():
            os.umask(0o022)   # the folders bwrap creates for the binds must be traversable
            hard_cpu = limits.cpu_seconds + 5
            for which, soft, hard in (
                    (resource.RLIMIT_DATA, limits.memory_bytes, limits.memory_bytes),
                    (resource.RLIMIT_CPU, limits.cpu_seconds, hard_cpu),
                    (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
                    (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
                    (resource.RLIMIT_CORE, 0, 0)):
                resource.setrlimit(which, (soft, hard))
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

        return {"preexec_fn": preexec, "start_new_session": True, "pass_fds": tuple(self._fds),
                "cwd": str(self.workdir), "env": {"PATH": "/usr/bin:/bin"}}

    def close_fds(self):
        """Closes the descriptors of the read-only paths (after the sandbox started, or at the end)."""
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    # -- the end ------------------------------------------------------------------------------
    def _bwrap_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if self.marker.encode() in cmdline and Path(cmdline[0].decode(errors="replace")).name == "bwrap":
                    pids.append(int(entry.name))
        return pids

    def _uid_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if entry.stat().st_uid == self.uid:
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    def kill_all(self, timeout: float = 10.0) -> None:
        """Kills every process this sandbox started; returns when they are gone."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self._bwrap_pids() + (self._uid_pids() if self.root and self.uid != 0 else [])
            if not pids:
                self.close_fds()
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for pid in pids:   # reap our own children so they do not linger as zombies
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"샌드박스의 프로세스가 끝나지 않습니다: {pids[:10]}")
            time.sleep(0.05)


UID_RANGE = range(61000, 65000)     # the uids sandboxes run as when the grader is root
UID_LOCKS = Path("/run/lock/cnn-book-sandbox-uids")


@contextlib.contextmanager
def claimed_uid(lock_dir: Path | None = None):
    """Yields a sandbox uid that no other sandbox on this machine uses while the block runs.

    Each uid of `UID_RANGE` has a lock file; the first one whose exclusive `flock` succeeds is
    this sandbox's until the block ends (the lock also ends when the process dies). So two
    submissions, two workers or two grading runs at the same time never share a uid, and
    `Sandbox.kill_all`, which also kills every process left with the sandbox's uid, only ever
    kills its own. Yields None when the grader is not root (every sandbox then runs as the
    grader's own uid: see `Sandbox`).
    """
    if os.geteuid() != 0:
        yield None
        return
    import fcntl   # Linux: the only system with a sandbox

    folder = Path(lock_dir or UID_LOCKS)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    start = secrets.randbelow(len(UID_RANGE))
    for offset in range(len(UID_RANGE)):
        uid = UID_RANGE[(start + offset) % len(UID_RANGE)]
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield uid
        finally:
            os.close(fd)        # closing the file releases the lock
        return
    raise SandboxUnavailable(f"샌드박스에 줄 uid가 남지 않았습니다({UID_RANGE.start}~{UID_RANGE.stop - 1}가 "
                             f"모두 쓰이는 중). 동시에 채점하는 수를 줄이세요.")


def unsafe_command(argv: Sequence[str], workdir, env: Mapping[str, str] | None = None) -> list[str]:
    """The --unsafe-no-sandbox command line: no isolation at all, but a minimal environment
    (``env -i``) instead of the instructor's."""
    full = minimal_env(workdir)
    full.update(env or {})
    return ["env", "-i", *[f"{k}={v}" for k, v in full.items()], *[str(a) for a in argv]]
