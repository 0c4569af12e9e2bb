"""Checkers a student calls from a notebook on their own function or answer, with feedback in Korean.

Each function checker runs the student's function on visible cases (the ones a reader could write
down) and on seeded hidden cases, against the package's reference implementation. It never raises
because of the student's code: exceptions, wrong types, NaN, wrong shapes, a modified input and a
function that never returns are all reported and scored. It returns a `CheckResult`, whose display
in Jupyter is the Korean report: either that every case passes, or the first failing case with the
input shapes, the expected and the received values and, when the mistake is a known one, a
diagnosis (a flipped kernel, symmetric SAME padding, unsummed channels, ceil instead of floor, a
missing or misplaced bias, average pooling that counts padded zeros, a missing batch or channel
axis, an input modified in place, ...).

The grader (`course_tools`) reads the score from the display's metadata (key `cnn_utils_check`),
so a check cell needs nothing but the call:

    >>> from cnn_utils import conv2d
    >>> check_conv2d(conv2d)
    통과: conv2d - 공개 사례 3개와 숨은 사례 10개를 모두 맞혔습니다.

A function that hangs is run in a daemon thread with a time limit: that works the same inside a
Jupyter kernel (Colab or local, any OS) as in a script, and needs no signals or subprocesses. A
pure-Python loop is stopped by an asynchronous exception; a thread stuck in C code is left behind.
"""

import contextlib
import ctypes
import io
import math
import numbers
import threading
import traceback
import warnings

import numpy as np

from ..ops import avg_pool2d, conv2d, max_pool2d
from ..shapes import conv_param_count, same_padding

__all__ = [
    "CHECK_METADATA_KEY",
    "CheckResult",
    "DIAGNOSES",
    "check_all",
    "check_answer",
    "check_answers",
    "check_avg_pool2d",
    "check_conv2d",
    "check_conv2d_single",
    "check_conv_output_size",
    "check_conv_param_count",
    "check_max_pool2d",
    "check_padding_amounts",
    "check_shape",
    "check_softmax",
    "output_size_mistakes",
    "param_count_mistakes",
]

CHECK_METADATA_KEY = "cnn_utils_check"
DEFAULT_TIMEOUT = 5.0          # seconds one call of the student's function may take
_SEED = 20260                  # the hidden cases are the same on every machine and every run

# What each known mistake means, and how to fix it (the diagnosis printed under a failing case).
DIAGNOSES = {
    "not_implemented": "아직 작성하지 않았습니다: 함수가 NotImplementedError를 냈습니다. "
                       "`raise NotImplementedError` 줄을 지우고 풀이를 쓰세요.",
    "no_answer": "아직 답을 쓰지 않았습니다: 값이 `...` 그대로입니다.",
    "not_callable": "`def`(클래스는 `class`)로 정의한 이름을 괄호 없이 넘기세요.",
    "timeout": "함수가 제한 시간 안에 끝나지 않았습니다. 끝나지 않는 반복문(while의 조건, 반복 변수의 "
               "증가)이나 너무 큰 계산이 없는지 확인하세요.",
    "exception": "함수를 실행하다 오류가 났습니다.",
    "returned_none": "함수가 None을 돌려주었습니다. 마지막에 `return 결과`를 빠뜨렸나요?",
    "wrong_type": "결과의 자료형이 기대와 다릅니다.",
    "not_finite": "결과에 NaN(숫자가 아님)이나 무한대가 있습니다. 0으로 나누거나, 큰 수의 exp가 넘치거나, "
                  "초기화하지 않은 배열(np.empty)을 쓰지 않았는지 확인하세요.",
    "wrong_shape": "결과의 모양이 기대와 다릅니다.",
    "wrong_value": "값이 기대와 다릅니다.",
    "flipped_kernel": "필터를 위아래·좌우로 뒤집어 곱했습니다(수학의 합성곱). 딥러닝의 합성곱은 필터를 "
                      "뒤집지 않는 교차 상관(cross-correlation)입니다: "
                      "out[i, j] = sum(x[i*S + u, j*S + v] * k[u, v]).",
    "symmetric_same": "SAME 패딩을 TensorFlow와 다르게 나눴습니다. 필요한 패딩의 합이 홀수이면 TensorFlow는 "
                      "남는 한 칸을 아래쪽(오른쪽)에 붙입니다: before = total // 2, after = total - before "
                      "(total = max((ceil(W / S) - 1) * S + F - W, 0)).",
    "same_ignores_stride": "SAME 패딩의 양을 스트라이드 없이 F - 1로 계산했습니다. 출력이 ceil(W / S)가 "
                           "되도록 total = max((ceil(W / S) - 1) * S + F - W, 0)을 쓰세요.",
    "negative_padding": "패딩이 음수입니다. 필요한 패딩의 합이 0보다 작으면 0으로 하세요: max(..., 0).",
    "channels_not_summed": "입력 채널을 모두 더하지 않았습니다. 출력값 하나는 창과 필터를 원소별로 곱해 "
                           "세로, 가로, 채널(KH, KW, C) 모두에 걸쳐 더한 값입니다.",
    "ceil_output_size": "출력 크기를 올림(ceil)으로 계산해 하나가 큽니다. 공식은 내림(floor)입니다: "
                        "(W - F + 2P) // S + 1. 입력을 벗어나는 마지막 창은 만들지 않습니다.",
    "missing_plus_one": "출력 크기가 하나 작습니다: (W - F + 2P) // S 에 1을 더하지 않았습니다. 첫 창의 "
                        "자리도 하나로 세어야 합니다.",
    "off_by_one": "출력 크기가 하나 다릅니다. 출력 크기는 floor((W - F + 2P) / S) + 1 입니다.",
    "float_output_size": "출력 크기가 정수(int)가 아닙니다. / 대신 정수 나눗셈 //를 쓰세요.",
    "padding_not_doubled": "패딩을 한쪽만 셌습니다. 패딩은 양쪽에 붙으므로 2P를 더합니다: (W - F + 2P) // S + 1.",
    "padding_ignored": "패딩 P를 공식에 넣지 않았습니다: (W - F + 2P) // S + 1.",
    "bias_missing": "편향(bias)을 더하지 않았습니다. 필터 k의 모든 출력값에 b[k]를 한 번 더하세요.",
    "bias_wrong": "편향을 잘못 더했습니다. 편향은 필터(출력 채널)마다 하나이며, 창의 곱을 모두 더한 뒤 "
                  "출력값마다 정확히 한 번 더합니다: out[..., k] = sum(...) + b[k].",
    "relu_missing": "ReLU를 적용하지 않았습니다: 합성곱과 편향 뒤에 np.maximum(..., 0)을 적용하세요.",
    "avg_counts_padding": "평균 풀링에서 패딩의 0까지 세어 창 크기(KH * KW)로 나눴습니다. TensorFlow의 SAME "
                          "평균 풀링은 창 안의 진짜 픽셀 수로만 나눕니다.",
    "max_pool_zero_padding": "최대 풀링의 SAME 패딩을 0으로 채웠습니다. 창의 값이 모두 음수이면 0이 뽑힙니다. "
                             "패딩은 절대 뽑히지 않게 -inf로 채우세요.",
    "missing_batch_axis": "배치(이미지 수) 축이 빠졌습니다. 결과는 (N, OH, OW, K)처럼 맨 앞에 이미지 수 축을 "
                          "두고, 이미지마다 계산합니다.",
    "missing_channel_axis": "채널 축이 빠졌습니다. 결과는 마지막 축에 채널(필터)을 두는 (N, OH, OW, K) 모양입니다. "
                            "채널이 하나여도 축은 남깁니다.",
    "input_modified": "입력 배열을 제자리에서(in place) 바꿨습니다. 함수는 입력을 읽기만 해야 합니다. 바꿔야 "
                      "하면 복사본(x.copy()나 np.pad의 결과)에서 하세요.",
    "softmax_overflow": "큰 점수에서 exp가 넘쳐 inf/NaN이 나왔습니다. 점수에서 최댓값을 먼저 빼고 exp를 "
                        "계산하세요: np.exp(z - z.max()).",
    "softmax_not_normalized": "확률의 합이 1이 아닙니다. exp의 결과를 그 합으로 나누세요.",
    "wrong_channels": "채널(마지막 축)의 수가 다릅니다. 합성곱의 출력 채널 수는 입력 채널 수가 아니라 필터 수 K이고, "
                      "풀링은 채널 수를 바꾸지 않습니다.",
    "axis_order": "축의 순서가 다릅니다. 값은 맞지만 자리가 바뀌었습니다: NHWC (N, H, W, C), 필터 (KH, KW, C, K), "
                  "channels_first (N, C, H, W) 중 무엇을 묻는지 확인하세요.",
    "percent_not_fraction": "비율(0~1)이 아니라 퍼센트(%)로 썼습니다. 100으로 나누세요.",
    "kernel_not_squared": "필터 크기를 제곱하지 않았습니다. F x F 필터의 가중치는 F * F * D개입니다.",
    "in_channels_ignored": "입력 채널 수 D를 곱하지 않았습니다. 필터 하나는 F x F x D 모양입니다.",
    # for the backward-pass checkers chapter 9 is to get (a naive conv_backward, max-pool backward)
    "grad_not_accumulated": "겹치는 창의 기울기를 더하지 않고 덮어썼습니다. 한 입력 픽셀이 여러 창에 들어가면 "
                            "그 창들의 기울기를 모두 더해야 합니다(+=).",
    "grad_not_summed_over_batch": "가중치의 기울기를 배치에 걸쳐 더하지 않았습니다(평균을 냈거나 첫 이미지만 "
                                  "썼습니다). dW와 db는 모든 이미지, 모든 위치의 기여를 더한 값입니다.",
    "grad_wrong": "기울기가 수치 미분과 다릅니다.",
    "maxpool_grad_all": "최대 풀링의 기울기를 창의 모든 칸에 보냈습니다. 기울기는 최댓값이 있던 칸 하나로만 "
                        "갑니다.",
}


class CheckResult:
    """What a check found: a score and the Korean report.

    Displayed in Jupyter as its report, with the machine-readable result in the display's metadata
    under `CHECK_METADATA_KEY`, which is what the grader reads.

    Attributes:
        name: what was checked (the function's or variable's name).
        passed: number of cases (or answers) that were right.
        total: number of cases (or answers).
        message: the Korean report.
        diagnosis: key of `DIAGNOSES` for the first failure, or None.
    """

    def __init__(self, name, passed, total, message, diagnosis=None, score=None):
        self.name, self.passed, self.total = name, int(passed), int(total)
        self.message, self.diagnosis = message, diagnosis
        self._score = score

    @property
    def score(self):
        """Fraction of the cases that passed (for a combined result: the mean score), in [0, 1]."""
        if self._score is not None:
            return float(self._score)
        return self.passed / self.total if self.total else 0.0

    @property
    def ok(self):
        """True when every case passed."""
        return self.total > 0 and self.passed == self.total

    def to_dict(self):
        return {"name": self.name, "passed": self.passed, "total": self.total,
                "score": round(self.score, 6), "diagnosis": self.diagnosis, "message": self.message}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.message}, {CHECK_METADATA_KEY: self.to_dict()}

    def __repr__(self):
        return self.message

    def __bool__(self):
        return self.ok


# ---------------------------------------------------------------------------------------------
# Calling the student's code safely
# ---------------------------------------------------------------------------------------------

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
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__]
    if frames:
        frame = frames[-1]
        where = f"{frame.lineno}번째 줄"
        if frame.line:
            where += f": {frame.line.strip()}"
        text += f" ({where})"
    return text


# ---------------------------------------------------------------------------------------------
# Showing values
# ---------------------------------------------------------------------------------------------

def _fmt_number(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (numbers.Integral, np.integer)):
        return str(int(v))
    if isinstance(v, (numbers.Real, np.floating)):
        v = float(v)
        if math.isfinite(v) and v == round(v) and abs(v) < 1e15:
            return f"{v:.1f}"
        return f"{v:.6g}"
    return repr(v)


def _fmt_array(a, limit=64):
    """An array as numpy prints it, rounded to 4 decimals, -0.0 shown as 0.0."""
    a = np.asarray(a)
    if a.dtype.kind in "fc":
        a = np.round(a.astype(np.float64), 4) + 0.0
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=100, threshold=limit)


def _slice_text(a, index, layout):
    """The 2-D slice of a 4-D array holding `index`: [n, :, :, k] for images, [:, :, c, k] for filters."""
    if layout == "filters":
        return f"[:, :, {index[2]}, {index[3]}]", a[:, :, index[2], index[3]]
    return f"[{index[0]}, :, :, {index[3]}]", a[index[0], :, :, index[3]]


def _fmt_input(key, value, limit=25):
    """An argument: its shape, and its values when it is small (a 4-D one slice by slice)."""
    if value.ndim == 4:
        layout = "filters" if key in ("filters", "W", "kernel") else "images"
        slices = []
        for a in range(value.shape[0] if layout == "images" else value.shape[2]):
            for b in range(value.shape[3]):
                index = (a, 0, 0, b) if layout == "images" else (0, 0, a, b)
                label, part = _slice_text(value, index, layout)
                slices.append(f"{key}{label} =\n" + _indent(_fmt_array(part)))
        return slices if len(slices) <= 2 and value.shape[1] * value.shape[2] <= limit else []
    if value.size <= limit:
        return [f"{key} =\n" + _indent(_fmt_array(value))]
    return []


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in str(text).splitlines())


def _fmt_value(v):
    if isinstance(v, np.ndarray):
        return f"(모양 {v.shape})\n" + _indent(_fmt_array(v))
    if isinstance(v, (tuple, list)) and all(isinstance(x, (numbers.Number, np.number)) for x in v):
        return "(" + ", ".join(_fmt_number(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, (numbers.Number, np.number)):
        return _fmt_number(v)
    return repr(v)


# ---------------------------------------------------------------------------------------------
# Cases and comparison
# ---------------------------------------------------------------------------------------------

class _Case:
    """One call of the student's function: arguments, the reference result and what known mistakes
    would return for these arguments (`mistakes`: list of (diagnosis, value))."""

    def __init__(self, args, expected, describe, mistakes=(), hidden=False, shape_hints=(),
                 kind="array", kwargs=None):
        self.args, self.kwargs, self.expected, self.describe = args, kwargs or {}, expected, describe
        self.mistakes, self.hidden, self.shape_hints, self.kind = list(mistakes), hidden, \
            list(shape_hints), kind


def _close(a, b, rtol=1e-4, atol=1e-6):
    """Whether two arrays have the same shape and values (NaN never equals anything)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if not (np.issubdtype(a.dtype, np.number) and np.issubdtype(b.dtype, np.number)):
        return False
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size and np.all(np.isfinite(b)) else 1.0
    with np.errstate(all="ignore"):
        return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol,
                                atol=atol * scale))


def _as_numeric(value):
    """The result as a numeric array, or (None, reason)."""
    if value is None:
        return None, "returned_none"
    try:
        array = np.asarray(value)
    except Exception:  # ragged lists and the like
        return None, "wrong_type"
    if array.dtype == object or np.issubdtype(array.dtype, np.complexfloating) or not (
            np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        return None, "wrong_type"
    return array, None


def _first_difference(received, expected):
    diff = ~np.isclose(received.astype(np.float64), expected.astype(np.float64), rtol=1e-4, atol=1e-6)
    index = tuple(int(i) for i in np.argwhere(diff)[0])
    return index, received[index], expected[index]


def _compare_array(received, case):
    """None when right, else (diagnosis, lines of detail)."""
    expected = case.expected
    array, problem = _as_numeric(received)
    if problem:
        kind = type(received).__name__
        return problem, [f"받은 값: {kind} {_shorten(repr(received))}"]
    for diagnosis, value in case.mistakes:
        if value is not None and not _close(value, expected) and _close(array, value):
            return diagnosis, _difference_lines(array, expected)
    if array.shape == expected.shape and _close(array, expected):
        return None
    if array.size and np.issubdtype(array.dtype, np.number) and not np.all(np.isfinite(array)):
        return "not_finite", _difference_lines(array, expected)
    if array.shape != expected.shape:
        return _shape_diagnosis(array.shape, expected.shape, case), _difference_lines(array, expected)
    return "wrong_value", _difference_lines(array, expected)


def _difference_lines(array, expected):
    """Where and how the received array differs from the expected one."""
    if array.shape != expected.shape:
        return [f"기대한 모양 {expected.shape}, 받은 모양 {array.shape}"] + _expected_received(array, expected)
    index, got, want = _first_difference(array, expected)
    return [f"처음 다른 위치 {list(index)}: 기대 {_fmt_number(want)}, 받음 {_fmt_number(got)}"] + \
        _expected_received(array, expected, index)


def _expected_received(array, expected, index=None):
    """The expected and received values: whole when small, else the 2-D slice of the first difference."""
    if array.shape == expected.shape and array.ndim == 4 and index is not None:
        label, want = _slice_text(expected, index, "images")
        _, got = _slice_text(array, index, "images")
        return [f"기대한 값{label} =\n" + _indent(_fmt_array(want)),
                f"받은 값{label} =\n" + _indent(_fmt_array(got))]
    if expected.size > 36 or array.size > 36 or expected.ndim > 2 or array.ndim > 2:
        return []
    return [f"기대한 값 (모양 {expected.shape}) =\n" + _indent(_fmt_array(expected)),
            f"받은 값 (모양 {array.shape}) =\n" + _indent(_fmt_array(array))]


def _shorten(text, limit=200):
    return text if len(text) <= limit else text[:limit] + " ..."


def _shape_diagnosis(got, want, case):
    for diagnosis, shape in case.shape_hints:
        if tuple(got) == tuple(shape):
            return diagnosis
    got, want = tuple(got), tuple(want)
    if len(want) >= 3 and got == want[1:-1]:
        return "missing_batch_axis"  # both axes gone: the batch axis is the first thing to fix
    if len(got) == len(want) - 1:
        if got == want[1:]:
            return "missing_batch_axis"
        if got == want[:-1]:
            return "missing_channel_axis"
    if len(got) == len(want) and len(want) >= 3:
        spatial = [g - w for g, w in zip(got[1:3], want[1:3])] if len(want) == 4 else \
            [g - w for g, w in zip(got, want)]
        if got[0] == want[0] and got[-1] == want[-1] and set(spatial) <= {-1, 0, 1} and any(spatial):
            return "off_by_one"
    if len(got) == 2 and len(want) == 2 and all(abs(g - w) <= 1 for g, w in zip(got, want)):
        return "off_by_one"
    return "wrong_shape"


def _compare_int(received, case):
    expected = case.expected
    if received is None:
        return "returned_none", []
    if isinstance(received, np.ndarray) and received.ndim == 0:
        received = received.item()
    if isinstance(received, (bool, np.bool_)) or not isinstance(received, (numbers.Real, np.number)):
        return "wrong_type", [f"받은 값: {type(received).__name__} {_shorten(repr(received))} (정수가 필요합니다)"]
    for diagnosis, value in case.mistakes:
        if value is not None and value != expected and math.isclose(float(received), float(value),
                                                                     rel_tol=1e-9, abs_tol=1e-9):
            return diagnosis, [f"기대 {_fmt_number(expected)}, 받음 {_fmt_number(received)}"]
    if not isinstance(received, (numbers.Integral, np.integer)):
        if math.isfinite(float(received)) and float(received) == expected:
            return "float_output_size" if case.kind == "size" else "wrong_type", \
                [f"값은 맞지만 {type(received).__name__} {_fmt_number(received)}입니다(정수 int가 필요합니다)."]
        if case.kind == "size" and math.isfinite(float(received)) and float(received) != round(float(received)):
            return "float_output_size", [f"기대 {_fmt_number(expected)}, 받음 {_fmt_number(received)}"]
    if float(received) == expected:
        return None
    diagnosis = "wrong_value"
    if case.kind == "size" and abs(float(received) - expected) == 1:
        diagnosis = "off_by_one"
    return diagnosis, [f"기대 {_fmt_number(expected)}, 받음 {_fmt_number(received)}"]


def _compare_pair(received, case):
    expected = case.expected
    if received is None:
        return "returned_none", []
    try:
        values = tuple(np.asarray(received).ravel().tolist())
    except Exception:
        values = None
    if values is None or len(values) != 2 or not all(isinstance(v, (numbers.Real,)) and not
                                                     isinstance(v, bool) for v in values):
        return "wrong_type", [f"받은 값: {_shorten(repr(received))} ((앞, 뒤) 두 정수의 튜플이 필요합니다)"]
    for diagnosis, value in case.mistakes:
        if value is not None and tuple(value) != tuple(expected) and values == tuple(value):
            return diagnosis, [f"기대 {_fmt_value(expected)}, 받음 {_fmt_value(values)}"]
    if values == tuple(expected):
        if not all(isinstance(v, numbers.Integral) for v in values):
            return "wrong_type", [f"값은 맞지만 정수가 아닙니다: {_fmt_value(values)}. int로 돌려주세요."]
        return None
    if any(v < 0 for v in values):
        return "negative_padding", [f"기대 {_fmt_value(expected)}, 받음 {_fmt_value(values)}"]
    return "wrong_value", [f"기대 {_fmt_value(expected)}, 받음 {_fmt_value(values)}"]


_COMPARE = {"array": _compare_array, "int": _compare_int, "size": _compare_int, "pair": _compare_pair}


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


def _not_callable_result(name, fn):
    if fn is Ellipsis or fn is None:
        return CheckResult(name, 0, 1, f"실패: {name} - {DIAGNOSES['no_answer']}", "no_answer")
    return CheckResult(name, 0, 1, f"실패: {name} - 함수가 아닙니다(받은 것: {type(fn).__name__}). "
                       + DIAGNOSES["not_callable"], "not_callable")


def _run_cases(name, fn, cases, timeout, arg_names):
    """Runs every case and builds the report."""
    if not callable(fn):
        return _not_callable_result(name, fn)
    passed, first = 0, None
    for position, case in enumerate(cases):
        args = _fresh(case.args)
        snapshot = _snapshot(args)
        status, value = _call(fn, args, case.kwargs, timeout)
        if status == "timeout":
            failure = ("timeout", [f"{timeout:g}초 안에 끝나지 않아 멈췄습니다."])
        elif status == "error":
            diagnosis = "not_implemented" if isinstance(value, NotImplementedError) else "exception"
            failure = (diagnosis, [_error_text(value)])
        else:
            changed = _modified(snapshot, args)
            if changed is not None:
                failure = ("input_modified", [f"바뀐 인자: {arg_names[changed] if changed < len(arg_names) else changed}"])
            else:
                try:
                    failure = _COMPARE[case.kind](value, case)
                except Exception as error:  # a result so odd that comparing it fails
                    failure = ("wrong_type", [f"받은 값을 비교할 수 없습니다: {type(value).__name__} "
                                              f"({type(error).__name__})"])
        if failure is None:
            passed += 1
        elif first is None:
            first = (position, case, failure)
        if status == "timeout":  # the thread may still be running: stop here, the rest count as failed
            break
    total = len(cases)
    if first is None:
        visible = sum(not c.hidden for c in cases)
        return CheckResult(name, passed, total,
                           f"통과: {name} - 공개 사례 {visible}개와 숨은 사례 {total - visible}개를 모두 맞혔습니다.")
    position, case, (diagnosis, details) = first
    visible_index = sum(not c.hidden for c in cases[:position + 1])
    label = (f"숨은 사례 {position + 1 - visible_index}" if case.hidden else f"공개 사례 {visible_index}")
    lines = [f"실패: {name} - 사례 {total}개 중 {passed}개 통과 (점수 {passed / total:.2f})",
             f"처음 틀린 사례: {label}",
             f"  입력: {case.describe}"]
    lines += [_indent(d, "  ") for d in details]
    lines.append(f"  진단: {DIAGNOSES[diagnosis]}")
    return CheckResult(name, passed, total, "\n".join(lines), diagnosis)


def _describe(pairs):
    parts = []
    for key, value in pairs:
        if isinstance(value, np.ndarray):
            parts.append(f"{key} 모양 {value.shape}")
        elif isinstance(value, str):
            parts.append(f'{key}="{value}"')
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def _describe_with_values(pairs):
    """The shapes, and the values of the small arrays (so a failing case can be rerun by hand)."""
    lines = [_describe(pairs)]
    for key, value in pairs:
        if isinstance(value, np.ndarray):
            lines += _fmt_input(key, value)
    return "\n".join(lines[:1] + [_indent(line, "    ") for line in lines[1:]])


def _name(fn, default):
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else default


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------

# (N, H, W, C, KH, KW, K, stride, padding): each hidden case is there to expose a mistake.
_CONV_VISIBLE = [
    (1, 4, 4, 1, 2, 2, 1, 1, "VALID"),
    (1, 5, 5, 2, 3, 3, 1, 2, "VALID"),
    (2, 5, 5, 3, 2, 2, 2, 1, "SAME"),     # odd total padding: the extra pixel at the bottom/right
]
_CONV_HIDDEN = [
    (1, 6, 6, 1, 3, 3, 1, 1, "SAME"),
    (1, 7, 7, 1, 4, 4, 1, 2, "SAME"),
    (2, 6, 5, 2, 3, 2, 3, 2, "VALID"),    # (6 - 3) / 2 does not divide: floor
    (1, 8, 8, 3, 3, 3, 2, 3, "VALID"),
    (3, 5, 6, 2, 2, 3, 2, 1, "SAME"),
    (1, 9, 9, 1, 5, 5, 1, 2, "SAME"),
    (2, 7, 8, 3, 3, 4, 4, 3, "SAME"),
    (1, 4, 4, 4, 1, 1, 2, 1, "VALID"),    # 1x1 filters: only the channel sum
    (1, 6, 7, 2, 2, 2, 1, 2, "VALID"),
    (2, 9, 7, 1, 3, 3, 2, 2, "SAME"),
]


def _conv_arrays(config, rng, first):
    n, h, w, c, kh, kw, k = config[:7]
    if first:  # the first visible case can be followed by hand
        x = np.arange(1, n * h * w * c + 1, dtype=np.float64).reshape(n, h, w, c)
        f = np.arange(1, kh * kw * c * k + 1, dtype=np.float64).reshape(kh, kw, c, k)
    else:
        x = rng.integers(-3, 4, size=(n, h, w, c)).astype(np.float64)
        f = rng.integers(-2, 3, size=(kh, kw, c, k)).astype(np.float64)
        f[0, 0] += 3  # never symmetric: a flipped filter always shows
    return x, f


def _pad_variants(h, kh, s):
    """Ways students split SAME padding along one axis, other than TensorFlow's."""
    before, after = same_padding(h, kh, s)
    total = before + after
    return {(after, before), (total // 2, total // 2), (total - total // 2, total - total // 2),
            ((kh - 1) // 2, (kh - 1) // 2), (kh // 2, kh // 2)} - {(before, after)}


def _explicit(ph, pw):
    return [[0, 0], list(ph), list(pw), [0, 0]]


def _safe(fn, *args):
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except Exception:
        return None


def _conv_mistakes(x, f, s, padding, bias=None, activation=None):
    """What each known convolution mistake returns for these arguments."""
    act = (lambda v: np.maximum(v, 0)) if activation == "relu" else (lambda v: v)
    b = 0 if bias is None else bias

    def full(x_, f_, pad=padding):
        out = _safe(conv2d, x_, f_, s, pad)
        return None if out is None else act(out + b)

    mistakes = [("flipped_kernel", full(x, f[::-1, ::-1]))]
    if padding == "SAME":
        h_var = _pad_variants(x.shape[1], f.shape[0], s)
        w_var = _pad_variants(x.shape[2], f.shape[1], s)
        tf_h, tf_w = same_padding(x.shape[1], f.shape[0], s), same_padding(x.shape[2], f.shape[1], s)
        for ph in h_var | {tf_h}:
            for pw in w_var | {tf_w}:
                if (ph, pw) != (tf_h, tf_w):
                    mistakes.append(("symmetric_same", full(x, f, _explicit(ph, pw))))
    c = x.shape[3]
    if c > 1:
        mistakes.append(("channels_not_summed", full(x[..., :1], f[:, :, :1])))
        mistakes.append(("channels_not_summed", full(x[..., -1:], f[:, :, -1:])))
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None:
            mistakes.append(("channels_not_summed", act(plain / c + b)))
        per_channel = [_safe(conv2d, x[..., i:i + 1], f[:, :, i:i + 1], s, padding) for i in range(c)]
        if all(p is not None for p in per_channel):
            stacked = np.stack(per_channel, axis=-1)            # (N, OH, OW, K, C)
            mistakes.append(("channels_not_summed", stacked))
            mistakes.append(("channels_not_summed", np.swapaxes(stacked, -1, -2)))
    if bias is not None:
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None:
            kh, kw = f.shape[:2]
            mistakes += [("bias_missing", act(plain)),
                         ("bias_wrong", act(plain + c * bias)),
                         ("bias_wrong", act(plain + kh * kw * c * bias)),
                         ("bias_wrong", act(plain + 2 * bias)),
                         ("bias_wrong", act(plain - bias)),
                         ("bias_wrong", act(plain) + bias)]
            if activation == "relu":
                mistakes.append(("relu_missing", plain + bias))
    if activation == "relu":
        plain = _safe(conv2d, x, f, s, padding)
        if plain is not None and bias is None:
            mistakes.append(("relu_missing", plain))
    return mistakes


def _ceil_shape(n, h, w, kh, kw, k, s, padding):
    if padding == "SAME":
        return None
    return (n, -(-(h - kh) // s) + 1, -(-(w - kw) // s) + 1, k)


def check_conv2d(fn, padding=True, bias=False, activation=None, timeout=DEFAULT_TIMEOUT):
    """Checks a student's NHWC convolution against `cnn_utils.conv2d`.

    Args:
        fn: the student's function. Called as ``fn(input, filters, strides, padding)``; as
            ``fn(input, filters, strides)`` (only "VALID" cases) when `padding` is False; with the
            bias after the filters, ``fn(input, filters, bias, strides, padding)``, when `bias` is True.
            `strides` is an int, `padding` "VALID" or "SAME" (TensorFlow's rule).
        padding: whether `fn` takes a padding argument.
        bias: whether `fn` takes a bias of shape (K,) to add to every output of filter k.
        activation: None, or "relu" when `fn` applies ReLU after the bias.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> def flipped(x, w, s, p):
        ...     return conv2d(x, w[::-1, ::-1], s, p)
        >>> result = check_conv2d(flipped)
        >>> result.ok, result.diagnosis
        (False, 'flipped_kernel')
    """
    rng = np.random.default_rng(_SEED)
    cases = []
    for index, config in enumerate(_CONV_VISIBLE + _CONV_HIDDEN):
        n, h, w, c, kh, kw, k, s, pad = config
        if not padding:
            pad = "VALID"
        x, f = _conv_arrays(config, rng, first=index == 0)
        b = rng.integers(-2, 3, size=k).astype(np.float64) + 0.5 if bias else None
        expected = conv2d(x, f, s, pad) + (0 if b is None else b)
        if activation == "relu":
            expected = np.maximum(expected, 0)
        args = (x, f) + ((b,) if bias else ()) + (s,) + ((pad,) if padding else ())
        names = ["input", "filters"] + (["bias"] if bias else []) + ["strides"] + \
            (["padding"] if padding else [])
        ceil = _ceil_shape(n, h, w, kh, kw, k, s, pad)
        hints = [("ceil_output_size", ceil)] if ceil and ceil != expected.shape else []
        # one map per input channel: an extra axis of size C next to K
        hints += [("channels_not_summed", expected.shape + (c,)),
                  ("channels_not_summed", expected.shape[:3] + (c, k))]
        cases.append(_Case(args, expected, _describe_with_values(list(zip(names, args))),
                           _conv_mistakes(x, f, s, pad, b, activation),
                           hidden=index >= len(_CONV_VISIBLE), shape_hints=hints))
    return _run_cases(_name(fn, "conv2d"), fn, cases, timeout, names)


def _corr2d(img, k):
    oh, ow = img.shape[0] - k.shape[0] + 1, img.shape[1] - k.shape[1] + 1
    return conv2d(img[np.newaxis, :, :, np.newaxis], k[:, :, np.newaxis, np.newaxis], 1,
                  "VALID")[0, :, :, 0].reshape(oh, ow)


def check_conv2d_single(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a 2-D, one-channel convolution ``fn(img, k)`` (stride 1, no padding).

    Args:
        fn: the student's function: `img` of shape (H, W) and `k` of shape (KH, KW) in, the
            (H - KH + 1, W - KW + 1) cross-correlation out.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> def mine(img, k):
        ...     return conv2d(img[None, :, :, None], k[:, :, None, None], 1, "VALID")[0, :, :, 0]
        >>> check_conv2d_single(mine).ok
        True
    """
    rng = np.random.default_rng(_SEED + 1)
    shapes = [((4, 4), (2, 2)), ((5, 6), (3, 2)), ((6, 5), (2, 3)), ((3, 3), (3, 3)),
              ((7, 7), (3, 3)), ((8, 5), (4, 1)), ((5, 8), (1, 4)), ((6, 6), (4, 4)),
              ((9, 7), (2, 5)), ((4, 9), (3, 3))]
    cases = []
    for index, (ishape, kshape) in enumerate(shapes):
        if index == 0:
            img = np.arange(1, 17, dtype=np.float64).reshape(4, 4)
            k = np.array([[1.0, 2.0], [3.0, 4.0]])
        else:
            img = rng.integers(-3, 4, size=ishape).astype(np.float64)
            k = rng.integers(-2, 3, size=kshape).astype(np.float64)
            k[0, 0] += 3
        expected = _corr2d(img, k)
        mistakes = [("flipped_kernel", _corr2d(img, k[::-1, ::-1]))]
        hints = [("missing_plus_one", (ishape[0] - kshape[0], ishape[1] - kshape[1]))]
        cases.append(_Case((img, k), expected, _describe_with_values([("img", img), ("k", k)]),
                           mistakes, hidden=index >= 2, shape_hints=hints))
    return _run_cases(_name(fn, "conv2d_single"), fn, cases, timeout, ["img", "k"])


# ---------------------------------------------------------------------------------------------
# Sizes, padding, parameter counts
# ---------------------------------------------------------------------------------------------

_SIZE_CASES = [(5, 3, 1, 0), (32, 5, 1, 2), (7, 3, 2, 0), (8, 3, 3, 1), (28, 5, 2, 0), (6, 2, 2, 0),
               (10, 4, 3, 1), (227, 11, 4, 0), (13, 3, 1, 1), (5, 5, 1, 0), (9, 3, 4, 2), (28, 3, 2, 1)]


def output_size_mistakes(input_size, kernel_size, stride=1, padding=0):
    """What the known output-size mistakes give: a list of (diagnosis, value) for `check_answer`.

    Args:
        input_size, kernel_size, stride, padding: W, F, S and P (P pixels on every side).

    Returns:
        List of (diagnosis key, wrong value).

    Example:
        >>> output_size_mistakes(8, 3, 3, 1)[0]
        ('ceil_output_size', 4)
    """
    w, f, s, p = input_size, kernel_size, stride, padding
    return [("ceil_output_size", -(-(w - f + 2 * p) // s) + 1),
            ("missing_plus_one", (w - f + 2 * p) // s),
            ("padding_not_doubled", (w - f + p) // s + 1),
            ("padding_ignored", (w - f) // s + 1),
            ("float_output_size", (w - f + 2 * p) / s + 1)]


def check_conv_output_size(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input_size, kernel_size, stride, padding)``: floor((W - F + 2P) / S) + 1.

    Args:
        fn: the student's function; `padding` is an int P, added on every side.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_conv_output_size(lambda w, f, s, p: (w - f + 2 * p) // s + 1).ok
        True
        >>> check_conv_output_size(lambda w, f, s, p: -(-(w - f + 2 * p) // s) + 1).diagnosis
        'ceil_output_size'
    """
    cases = []
    for index, (w, f, s, p) in enumerate(_SIZE_CASES):
        expected = (w - f + 2 * p) // s + 1
        mistakes = [(d, v) for d, v in output_size_mistakes(w, f, s, p) if d != "float_output_size"]
        cases.append(_Case((w, f, s, p), expected,
                           _describe([("input_size", w), ("kernel_size", f), ("stride", s), ("padding", p)]),
                           mistakes, hidden=index >= 3, kind="size"))
    return _run_cases(_name(fn, "output_size"), fn, cases, timeout,
                      ["input_size", "kernel_size", "stride", "padding"])


_PAD_CASES = [(3, 2, 1), (7, 4, 2), (5, 3, 1), (28, 3, 2), (7, 3, 2), (28, 4, 3), (4, 3, 2), (6, 1, 1),
              (5, 2, 3), (9, 5, 2), (10, 6, 4), (5, 4, 3), (11, 4, 2), (8, 1, 3), (6, 2, 1)]


def check_padding_amounts(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input_size, kernel_size, stride)`` -> (before, after): TensorFlow's SAME padding.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_padding_amounts(same_padding).ok
        True
        >>> check_padding_amounts(lambda n, k, s: same_padding(n, k, s)[::-1]).diagnosis
        'symmetric_same'
    """
    cases = []
    for index, (n, k, s) in enumerate(_PAD_CASES):
        before, after = same_padding(n, k, s)
        total = before + after
        raw = (-(-n // s) - 1) * s + k - n
        mistakes = [("symmetric_same", v) for v in
                    [(after, before), (total // 2, total // 2), (total - total // 2,) * 2,
                     ((k - 1) // 2,) * 2, (k // 2,) * 2]]
        mistakes.append(("same_ignores_stride", ((k - 1) // 2, k - 1 - (k - 1) // 2)))
        if raw < 0:
            mistakes.append(("negative_padding", (raw // 2, raw - raw // 2)))
        cases.append(_Case((n, k, s), (before, after),
                           _describe([("input_size", n), ("kernel_size", k), ("stride", s)]),
                           mistakes, hidden=index >= 3, kind="pair"))
    return _run_cases(_name(fn, "same_padding"), fn, cases, timeout,
                      ["input_size", "kernel_size", "stride"])


def param_count_mistakes(kernel_size, in_channels, filters, use_bias=True):
    """What the known parameter-count mistakes give: a list of (diagnosis, value) for `check_answer`.

    Args:
        kernel_size: F (an F x F filter); in_channels: D; filters: K; use_bias: as in Keras.

    Returns:
        List of (diagnosis key, wrong value).

    Example:
        >>> param_count_mistakes(3, 32, 64)[0]
        ('bias_missing', 18432)
    """
    f, d, k = kernel_size, in_channels, filters
    b = k if use_bias else 0
    mistakes = [("bias_missing", k * f * f * d)] if use_bias else [("bias_wrong", k * f * f * d + k)]
    mistakes += [("bias_wrong", k * f * f * d + 1) if use_bias else ("bias_wrong", k * f * f * d + 1),
                 ("in_channels_ignored", k * f * f + b),
                 ("kernel_not_squared", k * f * d + b)]
    return mistakes


_PARAM_CASES = [(5, 3, 3, True), (3, 32, 64, True), (3, 32, 64, False), (11, 3, 96, True),
                (1, 16, 8, True), (5, 96, 256, True), (3, 1, 32, True), (2, 4, 6, False),
                (7, 3, 64, True), (3, 384, 384, True)]


def check_conv_param_count(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(kernel_size, in_channels, filters, use_bias)``: K * F^2 * D (+ K with biases).

    Args:
        fn: the student's function (called with four positional arguments).
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_conv_param_count(conv_param_count).ok
        True
        >>> check_conv_param_count(lambda f, d, k, use_bias=True: k * f * f * d).diagnosis
        'bias_missing'
    """
    cases = []
    for index, (f, d, k, use_bias) in enumerate(_PARAM_CASES):
        cases.append(_Case((f, d, k, use_bias), conv_param_count(f, d, k, use_bias),
                           _describe([("kernel_size", f), ("in_channels", d), ("filters", k),
                                      ("use_bias", use_bias)]),
                           param_count_mistakes(f, d, k, use_bias), hidden=index >= 3, kind="int"))
    return _run_cases(_name(fn, "param_count"), fn, cases, timeout,
                      ["kernel_size", "in_channels", "filters", "use_bias"])


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------

# (N, H, W, C, ksize, stride, padding, sign): sign -1 makes every value negative.
_POOL_VISIBLE = [(1, 4, 4, 1, 2, 2, "VALID", 0), (1, 4, 4, 1, 3, 2, "SAME", 0),
                 (2, 5, 5, 2, 2, 2, "SAME", 0)]
_POOL_HIDDEN = [(1, 6, 6, 1, 2, 2, "VALID", 0), (1, 7, 7, 3, 3, 2, "SAME", -1),
                (2, 5, 6, 2, 3, 3, "VALID", 0), (1, 6, 5, 1, 2, 1, "SAME", -1),
                (1, 8, 8, 2, 3, 2, "SAME", 0), (1, 5, 5, 1, 4, 2, "SAME", -1),
                (3, 4, 6, 2, 2, 1, "VALID", 0), (2, 7, 5, 1, 2, 3, "SAME", -1),
                (1, 9, 9, 1, 3, 3, "VALID", 0), (1, 6, 7, 2, 3, 3, "SAME", 0)]


def _pool_ref(x, k, s, pads, kind, fill=None, count_padding=False):
    """Pooling with explicit pads ((top, bottom), (left, right)), for the mistakes' results."""
    (pt, pb), (pl, pr) = pads
    n, h, w, c = x.shape
    oh, ow = (h + pt + pb - k) // s + 1, (w + pl + pr - k) // s + 1
    if oh < 1 or ow < 1:
        return None
    if fill is None:
        fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    real = np.pad(np.ones((h, w)), ((pt, pb), (pl, pr)))
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, i * s:i * s + k, j * s:j * s + k, :]
            if kind == "max":
                out[:, i, j, :] = window.max(axis=(1, 2))
            else:
                count = k * k if count_padding else real[i * s:i * s + k, j * s:j * s + k].sum()
                out[:, i, j, :] = window.sum(axis=(1, 2)) / count
    return out


def _pool_cases(kind, seed):
    rng = np.random.default_rng(seed)
    ref = max_pool2d if kind == "max" else avg_pool2d
    cases = []
    for index, (n, h, w, c, k, s, padding, sign) in enumerate(_POOL_VISIBLE + _POOL_HIDDEN):
        if index == 0:
            x = np.arange(1, 17, dtype=np.float64).reshape(1, 4, 4, 1)
        elif index == 1:  # the book's example (6장)
            x = np.array([[2, 0, 1, 3], [4, 2, 0, 1], [1, 3, 5, 2], [0, 2, 4, 6]],
                         dtype=np.float64).reshape(1, 4, 4, 1)
        else:
            x = rng.integers(-5, 6, size=(n, h, w, c)).astype(np.float64)
            if sign < 0:
                x = -np.abs(x) - 1
        expected = ref(x, k, s, padding)
        pads = ((0, 0), (0, 0)) if padding == "VALID" else (same_padding(h, k, s), same_padding(w, k, s))
        mistakes = []
        if padding == "SAME":
            for ph in _pad_variants(h, k, s) | {pads[0]}:
                for pw in _pad_variants(w, k, s) | {pads[1]}:
                    if (ph, pw) != pads:
                        mistakes.append(("symmetric_same", _pool_ref(x, k, s, (ph, pw), kind)))
            if kind == "max":
                mistakes.append(("max_pool_zero_padding", _pool_ref(x, k, s, pads, kind, fill=0.0)))
            else:
                mistakes.append(("avg_counts_padding", _pool_ref(x, k, s, pads, kind, count_padding=True)))
        oh_ceil, ow_ceil = -(-(h - k) // s) + 1, -(-(w - k) // s) + 1
        hints = [("ceil_output_size", (n, oh_ceil, ow_ceil, c))] if padding == "VALID" else []
        cases.append(_Case((x, k, s, padding), expected,
                           _describe_with_values([("input", x), ("ksize", k), ("strides", s),
                                                  ("padding", padding)]),
                           mistakes, hidden=index >= len(_POOL_VISIBLE), shape_hints=hints))
    return cases


def check_max_pool2d(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input, ksize, strides, padding)`` against `cnn_utils.max_pool2d`.

    Args:
        fn: the student's function; `input` (N, H, W, C), `ksize` and `strides` ints, `padding`
            "VALID" or "SAME".
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_max_pool2d(max_pool2d).ok
        True
    """
    return _run_cases(_name(fn, "max_pool2d"), fn, _pool_cases("max", _SEED + 2), timeout,
                      ["input", "ksize", "strides", "padding"])


def check_avg_pool2d(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(input, ksize, strides, padding)`` against `cnn_utils.avg_pool2d`.

    With "SAME", a border window is averaged over its real pixels only, as in TensorFlow.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_avg_pool2d(avg_pool2d).ok
        True
    """
    return _run_cases(_name(fn, "avg_pool2d"), fn, _pool_cases("avg", _SEED + 3), timeout,
                      ["input", "ksize", "strides", "padding"])


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------

def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def check_softmax(fn, timeout=DEFAULT_TIMEOUT):
    """Checks a numerically stable softmax ``fn(z)`` of a 1-D array of scores.

    Args:
        fn: the student's function.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> check_softmax(lambda z: np.exp(z) / np.exp(z).sum()).diagnosis
        'softmax_overflow'
    """
    rng = np.random.default_rng(_SEED + 4)
    vectors = [np.array([2.0, 1.0, 0.1]), np.array([1000.0, 999.0, 998.1]), np.zeros(4),
               np.array([-1000.0, -1001.0]), np.array([3.0]), rng.normal(size=5) * 3,
               rng.normal(size=10) * 50 + 800, np.array([710.0, 0.0, -710.0])]
    cases = []
    for index, z in enumerate(vectors):
        with np.errstate(all="ignore"):
            naive = np.exp(z) / np.exp(z).sum()
            mistakes = [("softmax_not_normalized", np.exp(z - z.max())), ("softmax_not_normalized", np.exp(z))]
        if not np.all(np.isfinite(naive)):
            mistakes.append(("softmax_overflow", naive))
        cases.append(_Case((z,), _softmax(z), _describe_with_values([("z", z)]), mistakes,
                           hidden=index >= 2))
    result = _run_cases(_name(fn, "softmax"), fn, cases, timeout, ["z"])
    if result.diagnosis == "not_finite":  # NaN/inf from exp overflow is the known mistake
        result.diagnosis = "softmax_overflow"
        result.message = result.message.replace(DIAGNOSES["not_finite"], DIAGNOSES["softmax_overflow"])
    return result


# ---------------------------------------------------------------------------------------------
# Answers stored in variables
# ---------------------------------------------------------------------------------------------

def _normalise(value):
    """Tuples, lists, TensorShapes and 0-d arrays as plain Python values for comparison."""
    if hasattr(value, "as_list") and callable(value.as_list):  # tf.TensorShape
        value = tuple(value.as_list())
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, tuple):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _equal_answer(received, expected, rtol, atol):
    """Whether an answer equals the expected value; never raises, whatever the student stored."""
    try:
        return bool(_equal_answer_unsafe(received, expected, rtol, atol))
    except Exception:
        return False


def _equal_answer_unsafe(received, expected, rtol, atol):
    received, expected_n = _normalise(received), _normalise(expected)
    if isinstance(expected_n, str):
        return isinstance(received, str) and received.strip().lower() == expected_n.strip().lower()
    if isinstance(expected_n, bool) or isinstance(received, bool):
        return received is expected_n or received == expected_n and type(received) is type(expected_n)
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        array, problem = _as_numeric(received)
        return problem is None and _close(array, expected, rtol=rtol, atol=atol)
    if isinstance(expected_n, tuple):
        if isinstance(received, tuple) and len(received) == len(expected_n) + 1 and received[0] is None:
            received = received[1:]   # a shape written with Keras's batch axis None
        return isinstance(received, tuple) and len(received) == len(expected_n) and all(
            _equal_answer(r, e, rtol, atol) for r, e in zip(received, expected_n))
    if isinstance(expected_n, numbers.Real):
        if isinstance(received, np.ndarray) or not isinstance(received, numbers.Real):
            return False
        return math.isclose(float(received), float(expected_n), rel_tol=rtol, abs_tol=atol)
    return received == expected_n


def _answer(name, received, expected, mistakes=(), rtol=1e-6, atol=1e-9, hint=None):
    """(passed, diagnosis, line) for one answer; the expected value is never shown."""
    if received is Ellipsis:
        return False, "no_answer", f"{name}: {DIAGNOSES['no_answer']}"
    if _equal_answer(received, expected, rtol, atol):
        return True, None, f"{name}: 맞습니다."
    try:
        shown = _shorten(_fmt_value(_normalise(received)) if not isinstance(received, np.ndarray)
                         else f"모양 {received.shape}의 배열", 120)
    except Exception:
        shown = type(received).__name__
    line = f"{name}: 틀렸습니다(받은 값 {shown})."
    for diagnosis, wrong in mistakes:
        if _equal_answer(received, wrong, rtol, atol) and not _equal_answer(wrong, expected, rtol, atol):
            text = DIAGNOSES.get(diagnosis, diagnosis)
            return False, diagnosis if diagnosis in DIAGNOSES else "wrong_value", f"{line} 진단: {text}"
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        array, problem = _as_numeric(received)
        if problem is None and array.shape != expected.shape:
            return False, "wrong_shape", f"{line} 모양이 다릅니다: 기대 {expected.shape}, 받음 {array.shape}."
    if hint:
        line += f" 힌트: {hint}"
    return False, "wrong_value", line


def check_answer(received, expected, name="answer", mistakes=(), rtol=1e-6, atol=1e-9, hint=None,
                 accept=()):
    """Checks one answer stored in a variable, without revealing the expected value.

    Numbers compare with a tolerance, strings without case and surrounding spaces, shapes as
    tuples (a leading None batch axis is allowed), arrays by shape and values.

    Args:
        received: the student's value (`...` means not answered yet).
        expected: the right value.
        name: the variable's name, for the report.
        mistakes: (diagnosis, wrong value) pairs: what a known mistake gives, with its diagnosis,
            either a key of `DIAGNOSES` or a Korean sentence (see `param_count_mistakes`).
        rtol, atol: tolerances for numbers and arrays.
        hint: a Korean sentence shown when the answer is wrong and no known mistake matches.
        accept: other values that are right too (when a question has several right answers).

    Returns:
        A `CheckResult` with one case.

    Example:
        >>> check_answer(18432, 18496, name="params", mistakes=param_count_mistakes(3, 32, 64)).diagnosis
        'bias_missing'
    """
    for other in accept:
        if received is not Ellipsis and _equal_answer(received, other, rtol, atol):
            expected = other
    ok, diagnosis, line = _answer(name, received, expected, mistakes, rtol, atol, hint)
    return CheckResult(name, int(ok), 1, ("통과: " if ok else "실패: ") + line, diagnosis)


def _shape_mistake(received, expected):
    """The diagnosis of a wrong shape answer, or None."""
    try:
        got = tuple(int(v) for v in _normalise(received))
    except (TypeError, ValueError):
        return None
    want = tuple(int(v) for v in expected)
    if got == want[1:]:
        return "missing_batch_axis"
    if got == want[:-1]:
        return "missing_channel_axis"
    if len(got) == len(want) and sorted(got) == sorted(want):
        return "axis_order"
    if len(got) == len(want) == 4 and got[0] == want[0]:
        spatial = {g - w for g, w in zip(got[1:3], want[1:3])}
        if got[3] == want[3] and spatial == {1}:
            return "ceil_output_size"
        if got[3] == want[3] and spatial == {-1}:
            return "missing_plus_one"
        if got[3] == want[3] and spatial <= {-1, 0, 1}:
            return "off_by_one"
        if got[1:3] == want[1:3]:
            return "wrong_channels"
    return None


def check_shape(received, expected, name="shape", mistakes=()):
    """Checks a shape answer (a tuple), diagnosing the usual shape mistakes without a list of them.

    A leading None (Keras's batch axis) is allowed. Recognised: a missing batch or channel axis,
    the axes in another order, an output size one too large (ceil) or too small (no + 1), and the
    wrong number of channels.

    Args:
        received: the student's tuple (`...` means not answered yet).
        expected: the right shape, e.g. ``conv2d(...).shape``.
        name: the variable's name, for the report.
        mistakes: more (diagnosis, wrong shape) pairs, as in `check_answer`.

    Returns:
        A `CheckResult` with one case.

    Example:
        >>> check_shape((1, 14, 14, 5), (1, 13, 13, 5), "shape_1").diagnosis
        'ceil_output_size'
    """
    expected = tuple(int(v) for v in expected)
    derived = []
    if received is not Ellipsis and not _equal_answer(received, expected, 0, 0):
        diagnosis = _shape_mistake(received, expected)
        if diagnosis:
            derived.append((diagnosis, _normalise(received)))
    return check_answer(received, expected, name, mistakes=list(mistakes) + derived)


def check_answers(received, expected, name="answers", mistakes=None, rtol=1e-6, atol=1e-9):
    """Checks a dict of answers (e.g. one shape per layer) key by key.

    Args:
        received: the student's dict (`...` means not answered yet).
        expected: dict of the right values, with the same keys.
        name: the variable's name, for the report.
        mistakes: optional dict key -> list of (diagnosis, wrong value).
        rtol, atol: tolerances.

    Returns:
        A `CheckResult` with one case per key.

    Example:
        >>> check_answers({"a": 1, "b": 3}, {"a": 1, "b": 2}, name="sizes").message
        '실패: sizes - 2개 중 1개 맞음\\n  sizes["b"]: 틀렸습니다(받은 값 3).'
    """
    total = len(expected)
    if received is Ellipsis:
        return CheckResult(name, 0, total, f"실패: {name} - {DIAGNOSES['no_answer']}", "no_answer")
    if not isinstance(received, dict):
        return CheckResult(name, 0, total, f"실패: {name} - 딕셔너리(dict)가 필요합니다(받은 것: "
                           f"{type(received).__name__}).", "wrong_type")
    passed, lines, diagnosis = 0, [], None
    for key, want in expected.items():
        label = f'{name}["{key}"]' if isinstance(key, str) else f"{name}[{key!r}]"
        if key not in received:
            lines.append(f"{label}: 키가 없습니다.")
            diagnosis = diagnosis or "no_answer"
            continue
        ok, d, line = _answer(label, received[key], want, (mistakes or {}).get(key, ()), rtol, atol)
        passed += ok
        if not ok:
            lines.append(line)
            diagnosis = diagnosis or d
    if passed == total:
        return CheckResult(name, passed, total, f"통과: {name} - {total}개 모두 맞습니다.")
    return CheckResult(name, passed, total, "\n".join([f"실패: {name} - {total}개 중 {passed}개 맞음"]
                                                      + ["  " + line for line in lines]), diagnosis)


def check_all(*results, name=None):
    """Combines several results (one exercise, several answers) into one `CheckResult`.

    Args:
        *results: `CheckResult`s.
        name: the combined name (default: the names joined with ", ").

    Returns:
        A `CheckResult` whose score is the mean of the results' scores.

    Example:
        >>> print(check_all(check_answer(2, 2, "a"), check_answer(3, 4, "b")))
        실패: a, b - 2개 중 1개 맞음
          통과: a: 맞습니다.
          실패: b: 틀렸습니다(받은 값 3).
    """
    name = name or ", ".join(r.name for r in results)
    total = len(results)
    fully = sum(r.ok for r in results)
    score = sum(r.score for r in results) / total if total else 0.0
    if total and fully == total:
        return CheckResult(name, fully, total, f"통과: {name} - {total}개 모두 맞습니다.")
    diagnosis = next((r.diagnosis for r in results if not r.ok), None)
    lines = [f"실패: {name} - {total}개 중 {fully}개 맞음"] + [_indent(r.message, "  ") for r in results]
    return CheckResult(name, fully, total, "\n".join(lines), diagnosis, score=score)
