"""The one case engine of the function checkers: a case, running the cases, comparing, the report.

Used in chapters 3 to 7 (`check_softmax`, `check_conv2d`, the size and pooling checkers).

A checker builds `_Case`s (arguments, the reference result, what each known mistake would return)
and hands them to `_run_cases`, which calls the student's function on each (`sandbox`), compares the
result by the case's `kind` and reports the first failing case with its diagnosis.
"""

import contextlib
import math
import numbers

import numpy as np

from .formatting import _fmt_array, _fmt_number, _fmt_value, _indent, _shorten, _slice_text
from .result import DIAGNOSES, CheckResult
from .sandbox import _call, _error_text, _fresh, _modified, _snapshot

_SEED = 20260                  # the hidden cases are the same on every machine and every run
_secret_seed = [None]          # set by the grader (`hidden_seed`): hidden cases no one has seen


@contextlib.contextmanager
def hidden_seed(seed):
    """Within the block, the function checkers draw their hidden cases from `seed` (an int) instead
    of continuing the public cases' generator; None keeps the public hidden cases. The grader
    (`course_tools.trusted`) passes a seed from the instructor's secret, so that the hidden cases it
    grades with are not the ones in this source. The visible cases never change."""
    previous, _secret_seed[0] = _secret_seed[0], seed
    try:
        yield
    finally:
        _secret_seed[0] = previous


def _hidden_rng(rng, salt=0):
    """The generator of a checker's hidden cases: `rng` itself (the default, the same cases on every
    machine) or, inside `hidden_seed(seed)`, a generator drawn from that seed."""
    if _secret_seed[0] is None:
        return rng
    return np.random.default_rng([int(_secret_seed[0]), salt])


class _Case:
    """One call of the student's function: arguments, the reference result and what known mistakes
    would return for these arguments (`mistakes`: list of (diagnosis, value)).

    `kind` says how the result is compared: "array", "int", "size" (an int output size), "pair"
    (two ints) or "arrays", a tuple of arrays such as (dx, dW, db) named by `parts`; there each
    mistake's value and each shape hint's shape is a tuple too, with None for a part it leaves right.
    """

    def __init__(self, args, expected, describe, mistakes=(), hidden=False, shape_hints=(),
                 kind="array", kwargs=None, parts=None):
        self.args, self.kwargs, self.expected, self.describe = args, kwargs or {}, expected, describe
        self.mistakes, self.hidden, self.shape_hints, self.kind = list(mistakes), hidden, \
            list(shape_hints), kind
        self.parts = tuple(parts) if parts else tuple(f"결과[{i}]" for i in range(len(expected))) \
            if kind == "arrays" else ()
        if kind not in _COMPARE:
            raise ValueError(f"_Case expects `kind` to be one of {sorted(_COMPARE)}; received {kind!r}.")


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


def _compare_arrays(received, case):
    """A tuple of arrays, part by part: None when right, else the first wrong part's diagnosis and
    lines of detail, the first line naming the part."""
    if received is None:
        return "returned_none", []
    if not isinstance(received, (tuple, list)) or len(received) != len(case.expected):
        return "wrong_type", [f"받은 값: {type(received).__name__} {_shorten(repr(received))} "
                              f"(({', '.join(case.parts)}) 배열 {len(case.parts)}개의 튜플이 필요합니다)"]
    for i, (got, want) in enumerate(zip(received, case.expected)):
        part = _Case(case.args, np.asarray(want), case.describe,
                     [(d, v[i]) for d, v in case.mistakes if v[i] is not None],
                     shape_hints=[(d, shape[i]) for d, shape in case.shape_hints if shape[i] is not None])
        failure = _compare_array(got, part)
        if failure is not None:
            diagnosis, details = failure
            return diagnosis, [f"틀린 결과: {case.parts[i]}"] + details
    return None


_COMPARE = {"array": _compare_array, "int": _compare_int, "size": _compare_int, "pair": _compare_pair,
            "arrays": _compare_arrays}


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


def _name(fn, default):
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else default
