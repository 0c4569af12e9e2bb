"""Values as plain data between the student's kernel and the trusted grader: JSON plus an npz file.

Used by the grader (`course_tools.grade`, `course_tools.trusted`); no chapter uses it.

A value crosses the boundary as two files, ``NAME.json`` (the structure) and ``NAME.npz`` (the
arrays, read with ``allow_pickle=False``). Numbers, strings, None, ``...``, booleans, numpy arrays
of numbers or booleans, and tuples, lists and dicts of them cross; a function becomes a marker (the
trusted side calls it through `trusted.StudentFunction`); anything else becomes a marker naming its
type, so the check reports a wrong type. The same encoder runs on both sides: `ENCODER_SOURCE` is
executed in the student's kernel by the grading preamble (a student can replace it there, which only
changes what their own answer looks like), `decode` runs in the grader and trusts nothing it reads.
"""

import io
import json
import os
import stat
from pathlib import Path

import numpy as np

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_NPZ_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 20
MAX_ITEMS = 100_000

# Runs in the student's kernel (and in the grader for the arguments of a call): defines
# __course_encode(value, arrays) and __course_save(path, value).
ENCODER_SOURCE = r'''
def __course_encode(value, arrays, depth=0):
    import numpy as _np
    if depth > 20:
        return {"t": "bad", "type": "너무 깊은 구조"}
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, (bool, _np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, _np.integer)):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, (float, _np.floating)):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, _np.ndarray):
        if value.dtype == object or not (_np.issubdtype(value.dtype, _np.number) or value.dtype == bool):
            return {"t": "bad", "type": "ndarray(" + str(value.dtype) + ")"}
        key = "a" + str(len(arrays))
        arrays[key] = value
        return {"t": "nd", "k": key}
    if isinstance(value, (tuple, list)):
        return {"t": type(value).__name__, "v": [__course_encode(v, arrays, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[__course_encode(k, arrays, depth + 1), __course_encode(v, arrays, depth + 1)]
                                   for k, v in value.items()]}
    if type(value).__name__ == "TensorShape" and hasattr(value, "as_list"):
        return __course_encode(tuple(value.as_list()), arrays, depth + 1)
    if callable(value):
        return {"t": "fn"}
    if hasattr(value, "numpy") and callable(value.numpy):   # a TensorFlow tensor
        try:
            return __course_encode(_np.asarray(value.numpy()), arrays, depth + 1)
        except Exception:
            pass
    return {"t": "bad", "type": type(value).__name__}


def __course_save(path, value):
    import json as _json
    import numpy as _np
    arrays = {}
    tree = __course_encode(value, arrays)
    _np.savez(path + ".npz", **arrays)
    with open(path + ".json", "w", encoding="utf-8") as handle:
        _json.dump(tree, handle)
'''


class PlainDataError(ValueError):
    """What the student's side wrote is not plain data (or not there)."""


class Opaque:
    """A value that could not cross as plain data: a check compares it and reports a wrong type."""

    def __init__(self, type_name):
        self.type_name = str(type_name)[:80]

    def __repr__(self):
        return f"<{self.type_name}: 채점기로 옮길 수 없는 값>"


FUNCTION = object()   # the marker of a student function


_namespace = {}
exec(compile(ENCODER_SOURCE, "<course_tools.plaindata>", "exec"), _namespace)   # noqa: S102 (our code)


def save(path, value):
    """Writes `value` as PATH.json and PATH.npz (the grader's side of a call's arguments)."""
    _namespace["__course_save"](str(path), value)


def _read_regular(path, limit):
    """The bytes of a regular file (never through a symlink), at most `limit` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise PlainDataError(f"값을 받지 못했습니다({type(error).__name__}).") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PlainDataError("값 파일이 일반 파일이 아닙니다.")
        if info.st_size > limit:
            raise PlainDataError(f"값이 너무 큽니다({info.st_size} 바이트, 한도 {limit}).")
        return handle.read(limit + 1)


def load(path):
    """The value written by `__course_save(PATH, value)`; raises `PlainDataError` on anything else."""
    path = str(path)
    try:
        tree = json.loads(_read_regular(path + ".json", MAX_JSON_BYTES).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise PlainDataError("값 파일이 올바른 JSON이 아닙니다.") from None
    raw = _read_regular(path + ".npz", MAX_NPZ_BYTES)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as error:
        raise PlainDataError(f"배열 파일을 읽을 수 없습니다({type(error).__name__}).") from None
    count = [0]
    return _decode(tree, arrays, 0, count)


def _decode(node, arrays, depth, count):
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_ITEMS or not isinstance(node, dict):
        raise PlainDataError("값의 구조가 너무 크거나 올바르지 않습니다.")
    kind, value = node.get("t"), node.get("v")
    if kind == "none":
        return None
    if kind == "ellipsis":
        return Ellipsis
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, str) and len(value) <= 400:
        return int(value)
    if kind == "float" and isinstance(value, str) and len(value) <= 40:
        try:
            return float(value)
        except ValueError:
            raise PlainDataError("실수 값이 올바르지 않습니다.") from None
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "nd" and node.get("k") in arrays:
        array = arrays[node["k"]]
        if array.dtype == object:
            raise PlainDataError("객체 배열은 받을 수 없습니다.")
        return array
    if kind in ("tuple", "list") and isinstance(value, list):
        items = [_decode(v, arrays, depth + 1, count) for v in value]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict" and isinstance(value, list):
        out = {}
        for pair in value:
            if not isinstance(pair, list) or len(pair) != 2:
                raise PlainDataError("딕셔너리의 구조가 올바르지 않습니다.")
            key = _decode(pair[0], arrays, depth + 1, count)
            if not isinstance(key, (str, int, float, bool, tuple, type(None))):
                raise PlainDataError("딕셔너리의 키가 올바르지 않습니다.")
            out[key] = _decode(pair[1], arrays, depth + 1, count)
        return out
    if kind == "fn":
        return FUNCTION
    if kind == "bad":
        return Opaque(node.get("type", "?"))
    raise PlainDataError(f"알 수 없는 값의 종류: {str(kind)[:20]!r}")


def remove(path):
    for suffix in (".json", ".npz"):
        Path(str(path) + suffix).unlink(missing_ok=True)
