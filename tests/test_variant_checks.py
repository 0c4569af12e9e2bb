"""cnn_utils.checks.variants (chapter 11): the key (naive loops, as the chapter's solution) gets full
marks, each usual mistake (written here as a student would write it) gets its diagnosis, the hidden
cases follow the grader's seed, the references are TensorFlow's, and the answer-mistake helpers give
what the mistakes give."""

import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import (conv2d_transpose, conv_param_count, depthwise_separable_param_count,
                       dilated_kernel_size)
from cnn_utils.checks import (DIAGNOSES, check_answer, check_conv_transpose, check_depthwise_conv2d,
                              dilation_mistakes, separable_param_mistakes, transpose_size_mistakes)
from cnn_utils.checks.engine import hidden_seed
from cnn_utils.checks.variants import (_DEPTHWISE_HIDDEN, _DEPTHWISE_VISIBLE, _TRANSPOSE_HIDDEN,
                                       _TRANSPOSE_VISIBLE, _depthwise_ref, _transpose_ref)


def assert_diagnosed(result, diagnosis):
    assert not result.ok and result.score < 1, result.message
    assert result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message
    assert result.message.startswith("실패:")


# ---------------------------------------------------------------------------------------------
# depthwise_conv: the key and the mistakes
# ---------------------------------------------------------------------------------------------

def depthwise_conv(x, w, flip=False, sum_channels=None, keep_plus_one=True, layout="NHWC"):
    """The key (every switch at its default) and, with a switch, a student's mistake."""
    n, h, width, c = x.shape
    kh, kw = w.shape[:2]
    kernel = w[::-1, ::-1] if flip else w
    oh, ow = (h - kh + 1, width - kw + 1) if keep_plus_one else (h - kh, width - kw)
    out = np.zeros((n, oh, ow, 1 if sum_channels == "one_map" else c))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                window = x[b, i:i + kh, j:j + kw, :]                  # (KH, KW, C)
                if sum_channels == "one_map":                         # an ordinary 1-filter conv
                    out[b, i, j, 0] = np.sum(window * kernel)
                    continue
                for ch in range(c):
                    if sum_channels == "total":                       # every channel gets the total
                        out[b, i, j, ch] = np.sum(window * kernel)
                    elif sum_channels == "every_channel":             # kernel ch on all channels
                        out[b, i, j, ch] = np.sum(window * kernel[:, :, ch:ch + 1])
                    else:
                        out[b, i, j, ch] = np.sum(window[:, :, ch] * kernel[:, :, ch])
    return out.transpose(0, 3, 1, 2) if layout == "NCHW" else out


def test_the_depthwise_key_gets_full_marks():
    result = check_depthwise_conv2d(depthwise_conv)
    assert result.ok, result.message
    total = len(_DEPTHWISE_VISIBLE) + len(_DEPTHWISE_HIDDEN)
    assert result.message == (f"통과: depthwise_conv - 공개 사례 {len(_DEPTHWISE_VISIBLE)}개와 숨은 "
                              f"사례 {total - len(_DEPTHWISE_VISIBLE)}개를 모두 맞혔습니다.")


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(flip=True), "flipped_kernel"),
    (dict(sum_channels="total"), "depthwise_channels_summed"),
    (dict(sum_channels="every_channel"), "depthwise_channels_summed"),
    (dict(sum_channels="one_map"), "depthwise_channels_summed"),
    (dict(keep_plus_one=False), "missing_plus_one"),
    (dict(layout="NCHW"), "axis_order"),
])
def test_each_depthwise_mistake_gets_its_diagnosis(switches, diagnosis):
    assert_diagnosed(check_depthwise_conv2d(lambda x, w: depthwise_conv(x, w, **switches)), diagnosis)


@pytest.mark.parametrize("fn, diagnosis", [
    (lambda x, w: depthwise_conv(x, w)[..., 0], "missing_channel_axis"),
    (lambda x, w: np.zeros(x.shape), "depthwise_output_size"),
    (lambda x, w: None, "returned_none"),
    (lambda x, w: exec("raise NotImplementedError"), "not_implemented"),
])
def test_depthwise_shapes_and_non_answers(fn, diagnosis):
    assert_diagnosed(check_depthwise_conv2d(fn), diagnosis)


def test_the_depthwise_reference_is_tf():
    rng = np.random.default_rng(4)
    for n, h, w, c, kh, kw in _DEPTHWISE_VISIBLE + _DEPTHWISE_HIDDEN:
        x, k = rng.standard_normal((n, h, w, c)), rng.standard_normal((kh, kw, c))
        theirs = tf.nn.depthwise_conv2d(x, k[..., None], [1, 1, 1, 1], "VALID").numpy()
        np.testing.assert_allclose(_depthwise_ref(x, k), theirs, atol=1e-10)
        np.testing.assert_allclose(depthwise_conv(x, k), theirs, atol=1e-10)


# ---------------------------------------------------------------------------------------------
# conv_transpose: the key and the mistakes
# ---------------------------------------------------------------------------------------------

def conv_transpose(x, w, stride, assign=False, place=None, flip=False, swap=False, size="right"):
    """The key (every switch at its default) and, with a switch, a student's mistake."""
    n, h, width, cin = x.shape
    kh, kw, cout, _ = w.shape
    kernel = w[::-1, ::-1] if flip else w
    if swap:                                       # w read as (KH, KW, C_in, C_out)
        kernel, cout = kernel.transpose(0, 1, 3, 2), cin
    step = stride if place is None else place
    oh, ow = {"right": ((h - 1) * step + kh, (width - 1) * step + kw),
              "same": (h * stride, width * stride)}[size]
    out = np.zeros((n, oh, ow, cout))
    for b in range(n):
        for i in range(h):
            for j in range(width):
                for ci in range(cin):
                    stamp = x[b, i, j, ci] * kernel[:, :, :, ci]       # (KH, KW, C_out)
                    target = out[b, i * step:i * step + kh, j * step:j * step + kw, :]
                    if assign:
                        target[...] = stamp[:target.shape[0], :target.shape[1]]
                    else:
                        target += stamp[:target.shape[0], :target.shape[1]]
    return out


def test_the_transpose_key_gets_full_marks():
    result = check_conv_transpose(conv_transpose)
    assert result.ok, result.message
    assert result.message.startswith("통과: conv_transpose")


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(assign=True), "transpose_not_accumulated"),
    (dict(place=1), "transpose_stride_ignored"),
    (dict(flip=True), "transpose_kernel_flipped"),
    (dict(swap=True), "transpose_channels_swapped"),
    (dict(size="same"), "transpose_output_size"),
])
def test_each_transpose_mistake_gets_its_diagnosis(switches, diagnosis):
    assert_diagnosed(check_conv_transpose(lambda x, w, s: conv_transpose(x, w, s, **switches)), diagnosis)


def test_a_stride_ignored_inside_a_right_sized_output_is_diagnosed_too():
    def placed_at_stride_1(x, w, s):
        out = np.zeros(_transpose_ref(x, w, s).shape)
        small = conv_transpose(x, w, 1)
        out[:, :small.shape[1], :small.shape[2]] = small
        return out
    assert_diagnosed(check_conv_transpose(placed_at_stride_1), "transpose_stride_ignored")


def test_the_transpose_reference_is_tf_and_the_gradient_of_conv2d():
    rng = np.random.default_rng(5)
    for n, h, w, cin, kh, kw, cout, s in _TRANSPOSE_VISIBLE + _TRANSPOSE_HIDDEN:
        x, k = rng.standard_normal((n, h, w, cin)), rng.standard_normal((kh, kw, cout, cin))
        shape = (n, (h - 1) * s + kh, (w - 1) * s + kw, cout)
        theirs = tf.nn.conv2d_transpose(x, k, shape, s, "VALID").numpy()
        np.testing.assert_allclose(_transpose_ref(x, k, s), theirs, atol=1e-10)
        np.testing.assert_allclose(conv_transpose(x, k, s), theirs, atol=1e-10)
        y = tf.Variable(np.zeros(shape))
        with tf.GradientTape() as tape:
            objective = tf.reduce_sum(tf.nn.conv2d(y, k, s, "VALID") * x)
        np.testing.assert_allclose(tape.gradient(objective, y).numpy(), theirs, atol=1e-10)


def test_the_visible_transpose_case_is_the_hand_example():
    seen = []
    check_conv_transpose(lambda x, w, s: seen.append((x.copy(), w.copy(), s)) or conv_transpose(x, w, s))
    x, w, s = seen[0]
    assert s == 1 and x[0, :, :, 0].tolist() == [[1, 2], [3, 4]]
    assert conv2d_transpose(x, w, (1, 3, 3, 1), 1, "VALID")[0, :, :, 0].tolist() == \
        [[1, 12, 20], [103, 1234, 2040], [300, 3400, 4000]]


# ---------------------------------------------------------------------------------------------
# Hidden cases and bad arguments
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("checker, key, visible", [
    (check_depthwise_conv2d, depthwise_conv, len(_DEPTHWISE_VISIBLE)),
    (check_conv_transpose, conv_transpose, len(_TRANSPOSE_VISIBLE)),
])
def test_the_grader_seed_changes_the_hidden_cases_only(checker, key, visible):
    seen = []

    def spy(*args):
        seen.append(args[0].copy())
        return key(*args)

    assert checker(spy).ok
    public = seen[:]
    seen.clear()
    with hidden_seed(4321):
        assert checker(spy).ok
    assert all(np.array_equal(a, b) for a, b in zip(public[:visible], seen[:visible]))
    assert not all(np.array_equal(a, b) for a, b in zip(public[visible:], seen[visible:]))
    with hidden_seed(4321):
        assert check_conv_transpose(lambda x, w, s: conv_transpose(x, w, s, flip=True)).diagnosis == \
            "transpose_kernel_flipped"


@pytest.mark.parametrize("checker", [check_depthwise_conv2d, check_conv_transpose])
def test_checkers_refuse_a_bad_timeout_and_report_a_non_function(checker):
    with pytest.raises(TypeError, match="positive number of seconds"):
        checker(depthwise_conv, timeout=0)
    assert checker(...).diagnosis == "no_answer"
    assert checker(3).diagnosis == "not_callable"


def test_a_function_that_never_returns_is_stopped():
    def forever(x, w):
        while True:
            pass
    result = check_depthwise_conv2d(forever, timeout=0.5)
    assert result.diagnosis == "timeout" and result.score == 0


# ---------------------------------------------------------------------------------------------
# The answer-mistake helpers
# ---------------------------------------------------------------------------------------------

def test_separable_param_mistakes():
    assert depthwise_separable_param_count(3, 32, 64) == 2400
    mistakes = dict((value, d) for d, value in separable_param_mistakes(3, 32, 64))
    assert mistakes[288 + 64] == "separable_pointwise_missing"       # the 1x1 part forgotten
    assert mistakes[32 * 64 + 64] == "separable_depthwise_missing"
    assert mistakes[2400 + 32] == "separable_bias_twice"             # a bias on the depthwise maps too
    assert mistakes[conv_param_count(3, 32, 64)] == "separable_as_ordinary"
    assert mistakes[2400 - 64] == "bias_missing"
    assert 2400 not in mistakes and len(mistakes) == len(separable_param_mistakes(3, 32, 64))
    assert all(d in DIAGNOSES for d in mistakes.values())
    result = check_answer(288 + 64, 2400, name="separable", mistakes=separable_param_mistakes(3, 32, 64))
    assert_diagnosed(result, "separable_pointwise_missing")
    assert check_answer(2400, 2400, mistakes=separable_param_mistakes(3, 32, 64)).ok


@pytest.mark.parametrize("k, d", [(3, 2), (3, 1), (5, 3), (2, 4), (1, 3)])
def test_dilation_mistakes(k, d):
    right = dilated_kernel_size(k, d)
    mistakes = dilation_mistakes(k, d)
    values = [v for _, v in mistakes]
    assert right not in values and len(set(values)) == len(values)
    assert all(diagnosis in DIAGNOSES for diagnosis, _ in mistakes)
    if (k, d) == (3, 2):
        assert_diagnosed(check_answer(6, 5, mistakes=mistakes), "dilation_multiplied")


def test_transpose_size_mistakes():
    assert transpose_size_mistakes(4, 3, 2) == [("transpose_forward_formula", 1), ("transpose_size_same", 8),
                                                ("transpose_size_extra_stride", 11)]
    assert transpose_size_mistakes(2, 3, 1) == [("transpose_size_same", 2), ("transpose_size_extra_stride", 5)]
    with pytest.raises(ValueError, match="stride"):
        transpose_size_mistakes(4, 3, 0)
    with pytest.raises(TypeError, match="kernel_size"):
        separable_param_mistakes(3.5, 4, 4)
