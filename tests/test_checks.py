"""cnn_utils.checks: the reference passes, every known mistake gets its diagnosis, nothing crashes."""

import threading
import time

import numpy as np
import pytest

from cnn_utils import avg_pool2d, conv2d, conv_param_count, max_pool2d, same_padding
from cnn_utils.checks import (CHECK_METADATA_KEY, DIAGNOSES, CheckResult, check_all, check_answer,
                              check_answers, check_avg_pool2d, check_conv2d, check_conv2d_single,
                              check_conv_output_size, check_conv_param_count, check_max_pool2d,
                              check_padding_amounts, check_shape, check_softmax,
                              param_count_mistakes)


def assert_diagnosed(result, diagnosis):
    assert not result.ok
    assert result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message
    assert result.message.startswith("실패:")
    assert "처음 틀린 사례" in result.message


# ---------------------------------------------------------------------------------------------
# Reference solutions and student-style solutions pass
# ---------------------------------------------------------------------------------------------

def loop_conv2d(input, filters, strides, padding):
    """A student's conv2d: np.pad with TensorFlow's SAME amounts, then loops."""
    n, h, w, c = input.shape
    kh, kw, _, k = filters.shape
    if padding == "SAME":
        (t, b), (l, r) = same_padding(h, kh, strides), same_padding(w, kw, strides)
    else:
        t = b = l = r = 0
    x = np.pad(input, ((0, 0), (t, b), (l, r), (0, 0)))
    oh, ow = (h + t + b - kh) // strides + 1, (w + l + r - kw) // strides + 1
    out = np.zeros((n, oh, ow, k))
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * strides:i * strides + kh, j * strides:j * strides + kw, :]
            out[:, i, j, :] = np.tensordot(window, filters, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_reference_and_loop_solutions_pass():
    for result in [check_conv2d(conv2d), check_conv2d(loop_conv2d),
                   check_conv2d(lambda x, w, s: conv2d(x, w, s, "VALID"), padding=False),
                   check_conv2d(lambda x, w, b, s, p: np.maximum(conv2d(x, w, s, p) + b, 0), bias=True,
                                activation="relu"),
                   check_conv2d_single(lambda img, k: conv2d(img[None, :, :, None], k[:, :, None, None], 1,
                                                             "VALID")[0, :, :, 0]),
                   check_conv_output_size(lambda w, f, s, p: (w - f + 2 * p) // s + 1),
                   check_padding_amounts(same_padding),
                   check_conv_param_count(conv_param_count),
                   check_max_pool2d(max_pool2d), check_avg_pool2d(avg_pool2d),
                   check_softmax(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum())]:
        assert result.ok, result.message
        assert result.score == 1.0
        assert result.message.startswith("통과:")
        assert "숨은 사례" in result.message


def test_result_display_carries_the_score_for_the_grader():
    result = check_conv_output_size(lambda w, f, s, p: -(-(w - f + 2 * p) // s) + 1)
    data, metadata = result._repr_mimebundle_()
    assert data["text/plain"] == result.message == repr(result)
    record = metadata[CHECK_METADATA_KEY]
    assert record["diagnosis"] == "ceil_output_size"
    assert 0 < record["score"] < 1
    assert record["passed"] < record["total"] == 12


def test_hidden_cases_are_the_same_every_run():
    assert check_conv2d(lambda x, w, s, p: conv2d(x, w[::-1, ::-1], s, p)).message == \
        check_conv2d(lambda x, w, s, p: conv2d(x, w[::-1, ::-1], s, p)).message


# ---------------------------------------------------------------------------------------------
# Every known mistake, made by a mutated solution, is recognised
# ---------------------------------------------------------------------------------------------

def test_flipped_kernel():
    assert_diagnosed(check_conv2d(lambda x, w, s, p: conv2d(x, w[::-1, ::-1], s, p)), "flipped_kernel")
    flipped_single = lambda img, k: conv2d(img[None, :, :, None], k[::-1, ::-1, None, None], 1, "VALID")[0, :, :, 0]
    assert_diagnosed(check_conv2d_single(flipped_single), "flipped_kernel")


def test_symmetric_same_padding():
    def symmetric(x, w, s, p):  # PyTorch-style F // 2 on every side
        if p == "SAME":
            return conv2d(x, w, s, [[0, 0], [w.shape[0] // 2] * 2, [w.shape[1] // 2] * 2, [0, 0]])
        return conv2d(x, w, s, p)

    def extra_on_top(x, w, s, p):  # the odd pixel at the top/left
        if p == "SAME":
            ph, pw = same_padding(x.shape[1], w.shape[0], s), same_padding(x.shape[2], w.shape[1], s)
            return conv2d(x, w, s, [[0, 0], ph[::-1], pw[::-1], [0, 0]])
        return conv2d(x, w, s, p)

    assert_diagnosed(check_conv2d(symmetric), "symmetric_same")
    assert_diagnosed(check_conv2d(extra_on_top), "symmetric_same")
    assert_diagnosed(check_padding_amounts(lambda n, k, s: same_padding(n, k, s)[::-1]), "symmetric_same")
    assert_diagnosed(check_padding_amounts(lambda n, k, s: (k // 2, k // 2)), "symmetric_same")

    def max_pool_extra_on_top(x, k, s, p):
        if p == "SAME":
            ph, pw = same_padding(x.shape[1], k, s)[::-1], same_padding(x.shape[2], k, s)[::-1]
            x = np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=-np.inf)
        return max_pool2d(x, k, s, "VALID")

    assert_diagnosed(check_max_pool2d(max_pool_extra_on_top), "symmetric_same")


def test_input_channels_not_summed():
    assert_diagnosed(check_conv2d(lambda x, w, s, p: conv2d(x[..., :1], w[:, :, :1], s, p)),
                     "channels_not_summed")
    assert_diagnosed(check_conv2d(lambda x, w, s, p: conv2d(x, w, s, p) / x.shape[3]), "channels_not_summed")

    def per_channel(x, w, s, p):  # (N, OH, OW, K, C): the channel sum never done
        return np.stack([conv2d(x[..., c:c + 1], w[:, :, c:c + 1], s, p) for c in range(x.shape[3])], -1)

    assert_diagnosed(check_conv2d(per_channel), "channels_not_summed")


def test_output_size_off_by_one():
    assert_diagnosed(check_conv_output_size(lambda w, f, s, p: -(-(w - f + 2 * p) // s) + 1), "ceil_output_size")
    assert_diagnosed(check_conv_output_size(lambda w, f, s, p: (w - f + 2 * p) // s), "missing_plus_one")
    assert_diagnosed(check_conv_output_size(lambda w, f, s, p: (w - f + 2 * p) / s + 1), "float_output_size")
    assert_diagnosed(check_conv_output_size(lambda w, f, s, p: (w - f + p) // s + 1), "padding_not_doubled")

    def ceil_conv(x, w, s):  # ceil output: an extra window padded with zeros at the bottom/right
        h, wd = x.shape[1:3]
        oh, ow = -(-(h - w.shape[0]) // s) + 1, -(-(wd - w.shape[1]) // s) + 1
        extra_h, extra_w = (oh - 1) * s + w.shape[0] - h, (ow - 1) * s + w.shape[1] - wd
        return conv2d(x, w, s, [[0, 0], [0, extra_h], [0, extra_w], [0, 0]])

    assert_diagnosed(check_conv2d(ceil_conv, padding=False), "ceil_output_size")
    assert_diagnosed(check_conv2d_single(lambda img, k: conv2d(img[None, :, :, None], k[:, :, None, None], 1,
                                                               "VALID")[0, :-1, :-1, 0]), "missing_plus_one")

    def ceil_pool(x, k, s, p):
        if p == "VALID":
            h, w = x.shape[1:3]
            extra_h, extra_w = (-(-(h - k) // s)) * s + k - h, (-(-(w - k) // s)) * s + k - w
            x = np.pad(x, ((0, 0), (0, extra_h), (0, extra_w), (0, 0)), constant_values=-np.inf)
        return max_pool2d(x, k, s, p)

    assert_diagnosed(check_max_pool2d(ceil_pool), "ceil_output_size")


def test_bias_missing_or_added_wrongly():
    relu = dict(bias=True, activation="relu")
    assert_diagnosed(check_conv2d(lambda x, w, b, s, p: np.maximum(conv2d(x, w, s, p), 0), **relu), "bias_missing")
    assert_diagnosed(check_conv2d(lambda x, w, b, s, p: np.maximum(conv2d(x, w, s, p) + x.shape[3] * b, 0), **relu),
                     "bias_wrong")
    assert_diagnosed(check_conv2d(lambda x, w, b, s, p: np.maximum(conv2d(x, w, s, p), 0) + b, **relu), "bias_wrong")
    assert_diagnosed(check_conv2d(lambda x, w, b, s, p: conv2d(x, w, s, p) + b, **relu), "relu_missing")
    assert_diagnosed(check_conv2d(lambda x, w, b, s, p: conv2d(x, w, s, p), bias=True), "bias_missing")
    assert_diagnosed(check_conv_param_count(lambda f, d, k, use_bias=True: k * f * f * d), "bias_missing")
    assert_diagnosed(check_conv_param_count(lambda f, d, k, use_bias=True: k * f * f * d + k), "bias_wrong")
    assert_diagnosed(check_conv_param_count(lambda f, d, k, use_bias=True: k * f * f * d + use_bias), "bias_wrong")


def _pads_with_zeros_then(pool):
    """A pooling that pads SAME borders with zeros itself, then pools VALID (a common mistake)."""
    def pooled(x, k, s, p):
        if p == "SAME":
            ph, pw = same_padding(x.shape[1], k, s), same_padding(x.shape[2], k, s)
            x = np.pad(x, ((0, 0), ph, pw, (0, 0)))
        return pool(x, k, s, "VALID")

    return pooled


def test_pooling_that_pads_with_zeros():
    assert_diagnosed(check_avg_pool2d(_pads_with_zeros_then(avg_pool2d)), "avg_counts_padding")
    assert_diagnosed(check_max_pool2d(_pads_with_zeros_then(max_pool2d)), "max_pool_zero_padding")


def test_missing_batch_or_channel_axis():
    assert_diagnosed(check_conv2d(lambda x, w, s, p: conv2d(x, w, s, p)[0]), "missing_batch_axis")
    assert_diagnosed(check_conv2d(lambda x, w, s, p: conv2d(x, w, s, p)[..., 0]), "missing_channel_axis")
    assert_diagnosed(check_max_pool2d(lambda x, k, s, p: max_pool2d(x, k, s, p)[..., 0]), "missing_channel_axis")
    assert_diagnosed(check_avg_pool2d(lambda x, k, s, p: avg_pool2d(x, k, s, p)[0]), "missing_batch_axis")


def test_input_modified_in_place():
    def pads_in_place(x, w, s, p):
        x -= x.mean()          # "normalises" the caller's array
        return conv2d(x + x.mean(), w, s, p)

    assert_diagnosed(check_conv2d(pads_in_place), "input_modified")
    assert "바뀐 인자: input" in check_conv2d(pads_in_place).message

    def pool_in_place(x, k, s, p):
        np.maximum(x, 0, out=x)
        return max_pool2d(x, k, s, p)

    assert_diagnosed(check_max_pool2d(pool_in_place), "input_modified")


def test_softmax_mistakes():
    assert_diagnosed(check_softmax(lambda z: np.exp(z) / np.exp(z).sum()), "softmax_overflow")
    assert_diagnosed(check_softmax(lambda z: np.exp(z - z.max())), "softmax_not_normalized")


def test_failure_report_shows_shapes_expected_and_received():
    message = check_conv2d(lambda x, w, s, p: conv2d(x, w[::-1, ::-1], s, p)).message
    assert "공개 사례 1" in message
    assert "input 모양 (1, 4, 4, 1), filters 모양 (2, 2, 1, 1), strides=1, padding=\"VALID\"" in message
    assert "기대 44.0, 받음 26.0" in message
    assert "기대한 값[0, :, :, 0]" in message and "받은 값[0, :, :, 0]" in message


# ---------------------------------------------------------------------------------------------
# A bad function never crashes a checker
# ---------------------------------------------------------------------------------------------

def test_exceptions_wrong_types_nan_and_wrong_shapes_are_reported():
    def raises(x, w, s, p):
        raise ValueError("operands could not be broadcast")

    result = check_conv2d(raises)
    assert result.diagnosis == "exception" and result.score == 0
    assert "ValueError: operands could not be broadcast" in result.message
    assert "raise ValueError" in result.message          # the student's own line

    assert check_conv2d(lambda x, w, s, p: None).diagnosis == "returned_none"
    assert check_conv2d(lambda x, w, s, p: "a string").diagnosis == "wrong_type"
    assert check_conv2d(lambda x, w, s, p: [[1, 2], [3]]).diagnosis == "wrong_type"
    assert check_conv2d(lambda x, w, s, p: conv2d(x, w, s, p) * np.nan).diagnosis == "not_finite"
    assert check_conv2d(lambda x, w, s, p: np.zeros((2, 3, 4, 5, 6))).diagnosis == "wrong_shape"
    assert check_conv2d(lambda x, w, s, p: conv2d(x, w, s, p) + 1).diagnosis == "wrong_value"
    assert check_conv_output_size(lambda w, f, s, p: "3").diagnosis == "wrong_type"
    assert check_padding_amounts(lambda n, k, s: 1).diagnosis == "wrong_type"


def test_not_written_not_callable_and_system_exit():
    def scaffold(x, w, s, p):
        raise NotImplementedError("conv2d를 작성하세요.")

    assert check_conv2d(scaffold).diagnosis == "not_implemented"
    assert check_conv2d(...).diagnosis == "no_answer"
    assert check_conv2d(np.zeros(3)).diagnosis == "not_callable"
    assert check_conv2d(lambda x, w, s, p: exec("raise SystemExit(1)")).diagnosis == "exception"
    assert check_conv2d(lambda x: x).diagnosis == "exception"           # wrong number of parameters


def test_a_function_that_hangs_is_stopped_and_scored():
    def hangs(x, w, s, p):
        while True:
            try:
                while True:
                    pass
            except Exception:      # even code that swallows exceptions is stopped
                pass

    before = threading.active_count()
    started = time.monotonic()
    result = check_conv2d(hangs, timeout=0.3)
    assert time.monotonic() - started < 3
    assert result.diagnosis == "timeout" and result.score == 0
    assert "0.3초 안에 끝나지 않아" in result.message
    time.sleep(0.2)
    assert threading.active_count() <= before   # the worker thread was stopped

    def slow_after_some(x, w, s, p):
        if x.shape[0] == 3:
            time.sleep(60)
        return conv2d(x, w, s, p)

    result = check_conv2d(slow_after_some, timeout=0.3)
    assert result.diagnosis == "timeout" and 0 < result.score < 1


def test_the_students_printing_is_swallowed(capsys):
    def noisy(x, w, s, p):
        print("debugging", x.shape)
        return conv2d(x, w, s, p)

    assert check_conv2d(noisy).ok
    assert "debugging" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Answers in variables
# ---------------------------------------------------------------------------------------------

def test_check_answer_compares_numbers_shapes_strings_and_arrays():
    assert check_answer(614656, 614656, "p").ok
    assert check_answer(0.3643, 0.36434, "r", rtol=1e-3).ok
    assert check_answer((None, 4, 4, 16), (4, 4, 16), "shape").ok        # Keras's batch axis allowed
    assert check_answer([1, 13, 13, 5], (1, 13, 13, 5), "shape").ok
    assert check_answer(" A ", "a", "mask").ok
    assert check_answer([[1, 2], [3, 4]], np.array([[1.0, 2.0], [3.0, 4.0]]), "window").ok
    assert not check_answer(np.array([[1, 2]]), np.array([[1.0, 2.0], [3.0, 4.0]]), "window").ok
    assert check_answer(3, 2, "x", accept=[3]).ok
    assert not check_answer("3", 3, "x").ok
    assert not check_answer(True, 1, "x").ok


def test_check_answer_never_reveals_the_expected_value_and_diagnoses():
    result = check_answer(18432, 18496, "n_params", mistakes=param_count_mistakes(3, 32, 64))
    assert result.diagnosis == "bias_missing" and DIAGNOSES["bias_missing"] in result.message
    assert "18496" not in result.message and "18,496" not in result.message
    custom = check_answer(36.4, 0.364, "r", mistakes=[("percent_not_fraction", 36.4)])
    assert custom.diagnosis == "percent_not_fraction"
    free_text = check_answer(3, 2, "col", mistakes=[("입력의 열 번호입니다.", 3)])
    assert "입력의 열 번호입니다." in free_text.message
    assert check_answer(..., 2, "col").diagnosis == "no_answer"


def test_check_answers_and_check_all_score_partially():
    result = check_answers({"a": (1, 2), "b": ...}, {"a": (1, 2), "b": 3, "c": 4}, "shapes")
    assert (result.passed, result.total) == (1, 3)
    assert 'shapes["b"]: 아직 답을 쓰지 않았습니다' in result.message
    assert 'shapes["c"]: 키가 없습니다.' in result.message
    assert check_answers(..., {"a": 1}, "d").diagnosis == "no_answer"
    assert check_answers([1], {"a": 1}, "d").diagnosis == "wrong_type"
    combined = check_all(check_answer(1, 1, "x"), result)
    assert combined.score == pytest.approx((1 + 1 / 3) / 2)
    assert not combined.ok and combined.diagnosis == "no_answer"
    assert check_all(check_answer(1, 1, "x"), check_answer(2, 2, "y")).ok


def test_check_shape_diagnoses_the_usual_shape_mistakes():
    want = (1, 13, 13, 5)
    assert check_shape((1, 13, 13, 5), want, "s").ok and check_shape([1, 13, 13, 5], want, "s").ok
    assert check_shape((None, 4, 4, 16), (4, 4, 16), "s").ok
    for got, diagnosis in [((1, 14, 14, 5), "ceil_output_size"), ((1, 12, 12, 5), "missing_plus_one"),
                           ((13, 13, 5), "missing_batch_axis"), ((1, 13, 13), "missing_channel_axis"),
                           ((1, 5, 13, 13), "axis_order"), ((1, 13, 13, 3), "wrong_channels"),
                           ((1, 13, 14, 5), "off_by_one"), ((2, 20, 20, 5), "wrong_value"), (..., "no_answer")]:
        result = check_shape(got, want, "s")
        assert result.diagnosis == diagnosis, (got, result.message)
        assert "13, 13, 5)" not in result.message.split("받은 값")[0]   # the answer is never shown
    custom = check_shape((16, 5, 5, 1), (5, 5, 1, 16), "kernel", mistakes=[("필터 수가 마지막입니다.", (16, 5, 5, 1))])
    assert "필터 수가 마지막입니다." in custom.message


def test_result_truthiness_and_repr():
    ok = CheckResult("f", 2, 2, "통과: f")
    assert ok and ok.score == 1 and repr(ok) == "통과: f"
    assert not CheckResult("f", 0, 0, "실패: f")


# ---------------------------------------------------------------------------------------------
# The checkers' own switches: a typo is an error, not a silently different check
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["ReLU", "Relu", "rleu", "sigmoid", "", 1])
def test_check_conv2d_rejects_an_activation_it_does_not_know(activation):
    with pytest.raises(ValueError, match=r'`activation` to be None or "relu"; received'):
        check_conv2d(conv2d, activation=activation)


@pytest.mark.parametrize("switch", ["padding", "bias"])
@pytest.mark.parametrize("value", ["SAME", "VALID", 1, None])
def test_check_conv2d_padding_and_bias_are_bools(switch, value):
    with pytest.raises(TypeError, match=rf"`{switch}` to be True or False; received"):
        check_conv2d(conv2d, **{switch: value})


# ---------------------------------------------------------------------------------------------
# The engine compares a result of several arrays part by part (chapter 9's backward passes will
# return (dx, dW, db)); a made-up checker, not a public one
# ---------------------------------------------------------------------------------------------

def _check_total_and_largest(fn):
    """fn(x) -> (x.sum(axis=0), x.max(axis=1)); averaging instead of summing is the known mistake."""
    from cnn_utils.checks.engine import _Case, _run_cases

    cases = []
    for index, x in enumerate([np.arange(6.0).reshape(2, 3), np.array([[3.0, -1.0], [2.0, 5.0], [0.0, 1.0]])]):
        cases.append(_Case((x,), (x.sum(axis=0), x.max(axis=1)), f"x 모양 {x.shape}",
                           mistakes=[("grad_not_summed_over_batch", (x.mean(axis=0), None))],
                           hidden=index > 0, kind="arrays", parts=("total", "largest")))
    return _run_cases("total_and_largest", fn, cases, 1.0, ["x"])


def test_the_engine_compares_a_tuple_of_arrays_part_by_part():
    assert _check_total_and_largest(lambda x: (x.sum(axis=0), x.max(axis=1))).ok
    assert _check_total_and_largest(lambda x: [x.sum(axis=0), x.max(axis=1)]).ok
    averaged = _check_total_and_largest(lambda x: (x.mean(axis=0), x.max(axis=1)))
    assert_diagnosed(averaged, "grad_not_summed_over_batch")
    assert "틀린 결과: total" in averaged.message
    wrong_second = _check_total_and_largest(lambda x: (x.sum(axis=0), x.min(axis=1)))
    assert_diagnosed(wrong_second, "wrong_value")
    assert "틀린 결과: largest" in wrong_second.message and "틀린 결과: total" not in wrong_second.message
    assert _check_total_and_largest(lambda x: (x.sum(axis=0), x.max(axis=1)[None])).diagnosis == "wrong_shape"
    for only_one in [lambda x: x.sum(axis=0), lambda x: (x.sum(axis=0),)]:
        result = _check_total_and_largest(only_one)
        assert result.diagnosis == "wrong_type" and "(total, largest) 배열 2개의 튜플" in result.message
    assert _check_total_and_largest(lambda x: None).diagnosis == "returned_none"
    assert _check_total_and_largest(lambda x: (x.sum(axis=0), None)).diagnosis == "returned_none"
