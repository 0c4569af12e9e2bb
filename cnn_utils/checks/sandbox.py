"""Calling the student's function safely: a time limit, swallowed output, fresh and watched inputs.

Used in chapters 3 to 7 by the function checkers (`cnn_utils.checks.engine`).

A function that hangs is run in a daemon thread with a time limit: that works the same inside a
Jupyter kernel (Colab or local, any OS) as in a script, and needs no signals or subprocesses. A
pure-Python loop is stopped by an asynchronous exception; a thread stuck in C code is left behind.
"""

import contextlib
import ctypes
import io
import os
import threading
import traceback
import warnings

import numpy as np


DEFAULT_TIMEOUT = 5.0          # seconds one call of the student's function may take
_HERE = os.path.dirname(os.path.abspath(__file__))   # frames from here are the checker's, not the student's


class _CheckTimeout(BaseException):
    """Raised inside a worker thread that ran out of time (a BaseException: `except Exception`
    in the student's code does not swallow it)."""


def _interrupt(thread):
    try:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                   ctypes.py_object(_CheckTimeout))
    except Exception:  # not CPython: the thread is left to finish on its own
        pass


def _call(fn, args, kwargs=None, timeout=DEFAULT_TIMEOUT):
    """Calls fn(*args, **kwargs) in a daemon thread; returns (status, value).

    status is "ok" (value: the result), "error" (value: the exception) or "timeout". The call's
    printed output is swallowed, numpy's floating-point warnings are silenced.
    """
    box = {}

    def target():
        try:
            with np.errstate(all="ignore"):
                box["value"] = fn(*args, **(kwargs or {}))
        except _CheckTimeout:
            box["timeout"] = True
        except BaseException as error:  # the student's code may raise anything, even SystemExit
            box["error"] = error

    sink = io.StringIO()
    thread = threading.Thread(target=target, name="cnn_utils-check", daemon=True)
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        thread.start()
        try:
            thread.join(timeout)
        except KeyboardInterrupt:  # the user stopped the cell: stop the worker too
            _interrupt(thread)
            raise
        if thread.is_alive():
            _interrupt(thread)
            thread.join(0.2)
            return "timeout", None
    if "error" in box:
        return "error", box["error"]
    if "timeout" in box:
        return "timeout", None
    return "ok", box.get("value")


def _error_text(error):
    """One line for an exception: type, message, and the student's line that raised it."""
    text = f"{type(error).__name__}: {error}".strip()
    if len(text) > 300:
        text = text[:300] + " ..."
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if os.path.dirname(os.path.abspath(f.filename)) != _HERE]
    if frames:
        frame = frames[-1]
        where = f"{frame.lineno}번째 줄"
        if frame.line:
            where += f": {frame.line.strip()}"
        text += f" ({where})"
    return text


def _snapshot(args):
    return [(i, np.array(a, copy=True)) for i, a in enumerate(args) if isinstance(a, np.ndarray)]


def _modified(snapshot, args):
    for i, copy in snapshot:
        current = args[i]
        if not isinstance(current, np.ndarray) or current.shape != copy.shape or \
                not np.array_equal(current, copy, equal_nan=True):
            return i
    return None


def _fresh(args):
    """A new copy of every array argument, so one case's in-place change cannot leak into the next."""
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
