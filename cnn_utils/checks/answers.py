"""Checkers of answers stored in variables: `check_answer`, `check_shape`, `check_answers`, `check_all`.

Used in chapters 1 to 9 and 11. The expected value is never shown; a known mistake (a list of
(diagnosis, wrong value), e.g. `param_count_mistakes`) gets its diagnosis.
"""

import math
import numbers

import numpy as np

from .engine import _as_numeric, _close
from .formatting import _fmt_value, _indent, _shorten
from .result import DIAGNOSES, CheckResult


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
        >>> from cnn_utils.checks import param_count_mistakes
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
