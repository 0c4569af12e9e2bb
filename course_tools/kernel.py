"""The student's kernel: started in the sandbox, talked to over ZeroMQ ipc, its cells timed and capped.

Used by the grader (`course_tools.grade`); no chapter uses it.

One `StudentKernel` per submission. Its kernel runs inside `course_tools.sandbox.Sandbox` (no
network, its own uid, only its own work folder writable) and talks to the grader through unix
sockets in that folder (ipc transport), so it needs no network and sees no other kernel. A cell
that does not finish in time is interrupted (an ``interrupt_request`` message: it also reaches a
kernel inside the sandbox); a kernel that ignores the interrupt is killed with every process it
started (`Sandbox.kill_all`), and `restart` starts a new one. A cell's stored output is capped at
`OUTPUT_LIMIT` bytes, with a note.
"""

import os
import shutil
import sys
import time
from pathlib import Path

import nbformat

from . import plaindata

OUTPUT_LIMIT = 1024 * 1024          # bytes of output kept per cell
INTERRUPT_GRACE = 3.0               # seconds a kernel gets to stop after an interrupt

# Executed before the submission's first cell: figures are neither drawn nor kept (they do not
# count for grading and drawing them is most of a chapter's run time), and the plain-data helpers
# the grader uses to read answers and call functions.
PREAMBLE = """\
import warnings
warnings.filterwarnings("ignore", message=".*non-interactive.*")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as _course_plt
_course_plt.show = lambda *args, _close=_course_plt.close, **kwargs: _close("all")
del _course_plt
""" + plaindata.ENCODER_SOURCE + '''

def __course_call(name, inbox, outbox):
    import numpy as _np
    arrays, outcome = {}, {}
    try:
        args, kwargs = __course_load(inbox)
        with _np.errstate(all="ignore"):
            outcome["value"] = globals()[name](*args, **kwargs)
    except BaseException as error:
        outcome["error"] = (type(error).__name__, str(error)[:300])
        args = ()
    outcome["args"] = tuple(args)
    __course_save(outbox, outcome)


def __course_load(path):
    import json as _json
    import numpy as _np
    with _np.load(path + ".npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    with open(path + ".json", encoding="utf-8") as handle:
        tree = _json.load(handle)

    def build(node):
        t, v = node["t"], node.get("v")
        if t == "nd":
            return arrays[node["k"]].copy()
        if t in ("tuple", "list"):
            items = [build(x) for x in v]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            return {build(k): build(x) for k, x in v}
        return {"none": None, "ellipsis": Ellipsis}.get(t) if t in ("none", "ellipsis") else \\
            {"int": int, "float": float, "str": str, "bool": bool}[t](v)
    return build(tree)
'''


class KernelFailed(RuntimeError):
    """The kernel could not be started."""


def _kernel_env(workdir, single_thread):
    """A minimal environment: never the instructor's (no tokens, no home folder)."""
    import tasks     # the checkout's tasks.py: the tests' settings (TensorFlow's log level, MNIST)

    full = tasks.test_environment()
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
           "HOME": str(workdir), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": str(Path(workdir) / ".mpl"), "IPYTHONDIR": str(Path(workdir) / ".ipython"),
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(Path(workdir) / "tmp")}
    for name in ("TF_CPP_MIN_LOG_LEVEL", "CNN_UTILS_MNIST_PATH", "CNN_UTILS_RECORD_FIGURE_TEXT",
                 "KERAS_BACKEND", "CNN_UTILS_OFFLINE"):     # offline: chapter 12 downloads no ImageNet weights
        if name in full:
            env[name] = full[name]
    if single_thread:   # one core per kernel: the kernels of parallel workers do not fight for cores
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env[name] = "1"
    return env


class StudentKernel:
    """A kernel for one submission. `sandboxed` False runs it without the sandbox (--unsafe-no-sandbox)."""

    def __init__(self, workdir, *, sandboxed=True, uid=None, single_thread=True, startup_timeout=120):
        self.workdir = Path(workdir)
        self.sandboxed, self.uid, self.startup_timeout = sandboxed, uid, startup_timeout
        self.env = _kernel_env(self.workdir, single_thread)
        self.km = self.kc = self.sandbox = None
        self.generation = 0
        self.broken = False     # a call of the student's function hung or killed the kernel

    # -- life -------------------------------------------------------------------------------
    def start(self):
        from jupyter_client import KernelManager

        self.generation += 1
        for sub in ("tmp", ".mpl", ".ipython", "io"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
            self._give(self.workdir / sub)
        give = self._give
        if self.sandboxed:
            from . import sandbox as sb
            self.sandbox = sb.Sandbox(self.workdir, uid=self.uid, env=self.env)
            wrap, popen = self.sandbox.command, self.sandbox.popen_kwargs()
        else:
            wrap, popen = _unsafe_wrapper(self.workdir, self.env), {}

        class Manager(KernelManager):
            def write_connection_file(self, **kwargs):   # the sandbox's uid must read it
                result = super().write_connection_file(**kwargs)
                give(self.connection_file)
                return result

            def format_kernel_cmd(self, extra_arguments=None):
                return wrap([sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                             "--HistoryManager.enabled=False"])

        name = f"k{self.generation}"
        self.km = Manager(transport="ipc", ip=str(self.workdir / name),
                          connection_file=str(self.workdir / f"{name}.json"))
        kwargs = dict(popen)
        kwargs.setdefault("env", self.env)
        kwargs.setdefault("cwd", str(self.workdir))
        try:
            self.km.start_kernel(**kwargs)
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=self.startup_timeout)
        except Exception as error:
            self.stop()
            raise KernelFailed(f"커널을 시작하지 못했습니다: {type(error).__name__}: {str(error)[:200]}") from None
        status, outputs = self.run(PREAMBLE, 60, store_history=False)
        if status != "ok":
            raise KernelFailed(f"채점 준비 코드가 실행되지 않았습니다({status}).")

    def _give(self, path):
        """Hands a file or folder of the work folder to the sandbox's uid (when the grader is root)."""
        if self.sandboxed and self.uid is not None and os.geteuid() == 0:
            try:
                os.chown(path, self.uid, self.uid)
            except OSError:
                pass

    def stop(self):
        """Stops the kernel and every process its sandbox started (a detached child too)."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
        if self.sandbox is not None:
            self.sandbox.kill_all()
        self.km = self.kc = self.sandbox = None

    def restart(self):
        self.stop()
        self.broken = False
        self.start()

    def alive(self):
        try:
            return self.km is not None and self.km.is_alive()
        except Exception:
            return False

    def interrupt(self):
        """Asks the kernel to raise KeyboardInterrupt (a message: it reaches a sandboxed kernel too)."""
        try:
            self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        except Exception:
            pass

    # -- running code -----------------------------------------------------------------------
    def run(self, code, timeout, store_history=True, grace=INTERRUPT_GRACE):
        """Runs `code`; returns (status, outputs).

        status: "ok", "error", "timeout" (interrupted in time), "hung" (ignored the interrupt; the
        caller restarts the kernel) or "dead". outputs: nbformat outputs, at most OUTPUT_LIMIT bytes.
        """
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False)
        outputs, size, capped = [], 0, False
        reply, idle, interrupted = None, False, False
        deadline = time.monotonic() + timeout
        last_check = time.monotonic()
        while reply is None or not idle:
            now = time.monotonic()
            if now > deadline:
                if interrupted:
                    return "hung", outputs
                self.interrupt()
                interrupted, deadline = True, now + grace
            if now - last_check > 1:
                last_check = now
                if not self.alive():
                    return "dead", outputs
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
            except Exception:   # queue.Empty
                msg = None
            if msg is not None and msg.get("parent_header", {}).get("msg_id") == msg_id:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif kind in ("stream", "display_data", "execute_result", "error") and not capped:
                    output = _output(kind, content)
                    size += _size(output)
                    if size > OUTPUT_LIMIT:
                        capped = True
                        outputs.append(nbformat.v4.new_output(
                            "stream", name="stderr",
                            text=f"\n[채점기: 이 셀의 출력이 {OUTPUT_LIMIT // 1024} KB를 넘어 나머지는 저장하지 않았습니다.]\n"))
                    else:
                        outputs.append(output)
            while reply is None:
                try:
                    candidate = self.kc.get_shell_msg(timeout=0)
                except Exception:
                    break
                if candidate.get("parent_header", {}).get("msg_id") == msg_id:
                    reply = candidate
        status = reply["content"].get("status", "error")
        if interrupted:
            return "timeout", outputs
        return ("ok" if status == "ok" else "error"), outputs

    def fetch(self, names, timeout=30):
        """The values of `names` in the kernel as plain data: {name: value}, a missing name left out.

        Raises plaindata.PlainDataError when the kernel does not write them (or writes garbage)."""
        box = self.workdir / "io" / "values"
        plaindata.remove(box)
        wanted = ", ".join(repr(n) for n in names)
        code = (f"__course_save({str(box)!r}, {{__n: globals()[__n] for __n in ({wanted},) "
                f"if __n in globals()}})")
        status, outputs = self.run(code, timeout, store_history=False)
        if status != "ok":
            raise plaindata.PlainDataError(_why(status, outputs))
        values = plaindata.load(box)
        if not isinstance(values, dict):
            raise plaindata.PlainDataError("답을 읽지 못했습니다.")
        return {k: v for k, v in values.items() if k in names}

    def call(self, name, args, kwargs, timeout, grace=INTERRUPT_GRACE):
        """Calls the student's function `name` in the kernel on plain-data arguments.

        Returns ("ok", value, args after the call), ("error", (ename, evalue), None) or
        (status, None, None) with status "timeout", "hung" or "dead"."""
        inbox, outbox = self.workdir / "io" / "in", self.workdir / "io" / "out"
        plaindata.remove(outbox)
        plaindata.save(inbox, (tuple(args), dict(kwargs)))
        status, outputs = self.run(f"__course_call({name!r}, {str(inbox)!r}, {str(outbox)!r})", timeout,
                                   store_history=False, grace=grace)
        if status != "ok":
            return status, _why(status, outputs), None
        outcome = plaindata.load(outbox)
        if not isinstance(outcome, dict):
            raise plaindata.PlainDataError("함수의 결과를 읽지 못했습니다.")
        if "error" in outcome:
            error = outcome["error"]
            return "error", tuple(error) if isinstance(error, (tuple, list)) and len(error) == 2 else \
                ("Error", str(error)), None
        return "ok", outcome.get("value"), outcome.get("args")


def _unsafe_wrapper(workdir, env):
    """The kernel's command line without the sandbox (--unsafe-no-sandbox): the sandbox module's
    limits where it provides them, else the plain command."""
    try:
        from .sandbox import unsafe_command
    except ImportError:
        return lambda argv: list(argv)
    return lambda argv: unsafe_command(argv, str(workdir), env)


def _why(status, outputs):
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {str(output.get('evalue'))[:200]}"
    return {"timeout": "시간 제한을 넘었습니다.", "hung": "커널이 중단 요청에 응답하지 않았습니다.",
            "dead": "커널이 멈췄습니다."}.get(status, status)


def _output(kind, content):
    if kind == "stream":
        return nbformat.v4.new_output("stream", name=content.get("name", "stdout"), text=content.get("text", ""))
    if kind == "error":
        return nbformat.v4.new_output("error", ename=content.get("ename", ""), evalue=content.get("evalue", ""),
                                      traceback=list(content.get("traceback", []))[:50])
    output = nbformat.v4.new_output(kind, data=content.get("data", {}), metadata=content.get("metadata", {}))
    if kind == "execute_result":
        output["execution_count"] = content.get("execution_count")
    return output


def _size(output):
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return len(output.get("evalue", "")) + sum(len(t) for t in output.get("traceback", []))
    return sum(len(str(v)) for v in output.get("data", {}).values())


def clean(workdir):
    shutil.rmtree(workdir, ignore_errors=True)
