"""cnn_utils.checks.check_conv1x1: a 1x1 convolution is tf.nn.conv2d with a 1x1 kernel and Keras's
Conv2D(filters, 1); the checker gives a right answer full marks and each usual mistake its diagnosis."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import conv2d
from cnn_utils.checks import DIAGNOSES, check_conv1x1
from cnn_utils.checks.engine import hidden_seed
from cnn_utils.checks.fields import _CONV1X1_CASES, _conv1x1_ref


def assert_diagnosed(result, diagnosis):
    assert not result.ok
    assert result.diagnosis == diagnosis, result.message
    assert DIAGNOSES[diagnosis] in result.message
    assert result.message.startswith("실패:")


# --- the reference the checker grades against is TensorFlow's 1x1 convolution ---------------

@pytest.mark.parametrize("n, h, w, c, k", _CONV1X1_CASES)
def test_reference_is_tf_conv2d_with_a_1x1_kernel(n, h, w, c, k):
    rng = np.random.default_rng(c * 31 + k)
    x = rng.standard_normal((n, h, w, c)).astype(np.float32)
    weights = rng.standard_normal((c, k)).astype(np.float32)
    b = rng.standard_normal(k).astype(np.float32)
    tf_out = tf.nn.conv2d(x, weights[np.newaxis, np.newaxis], 1, "VALID").numpy() + b
    np.testing.assert_allclose(_conv1x1_ref(x, weights, b), tf_out, rtol=1e-4, atol=1e-5)
    # the same as a matrix product at every pixel (a Dense layer applied at every position)
    np.testing.assert_allclose(x @ weights + b, tf_out, rtol=1e-4, atol=1e-5)


def test_keras_conv2d_with_kernel_size_1_is_dense_at_every_pixel():
    keras.utils.set_random_seed(7)
    x = np.random.default_rng(3).standard_normal((2, 5, 4, 6)).astype(np.float32)
    layer = keras.layers.Conv2D(3, 1, bias_initializer="random_normal")
    out = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (1, 1, 6, 3) and layer.count_params() == 6 * 3 + 3
    np.testing.assert_allclose(out, _conv1x1_ref(x, kernel[0, 0], bias), rtol=1e-4, atol=1e-5)
    dense = keras.layers.Dense(3)
    dense.build((None, 6))
    dense.set_weights([kernel[0, 0], bias])
    np.testing.assert_allclose(out, np.asarray(dense(x)), rtol=1e-4, atol=1e-5)


# --- right answers get full marks ------------------------------------------------------------

def einsum_conv1x1(x, w, b):
    return np.einsum("nhwc,ck->nhwk", x, w) + b


def reshape_conv1x1(x, w, b):
    n, h, width, c = x.shape
    return (x.reshape(-1, c) @ w + b).reshape(n, h, width, w.shape[1])


def loop_conv1x1(x, w, b):
    n, h, width, _ = x.shape
    out = np.zeros((n, h, width, w.shape[1]))
    for i in range(h):
        for j in range(width):
            out[:, i, j, :] = x[:, i, j, :] @ w + b
    return out


@pytest.mark.parametrize("fn", [einsum_conv1x1, reshape_conv1x1, loop_conv1x1,
                                lambda x, w, b: conv2d(x, w[None, None], 1, "VALID") + b])
def test_right_answers_get_full_marks(fn):
    result = check_conv1x1(fn)
    assert result.ok and result.score == 1.0, result.message
    assert result.total == len(_CONV1X1_CASES)
    assert "공개 사례 3개와 숨은 사례 5개" in result.message


def test_right_answer_passes_the_graders_secret_cases_too():
    with hidden_seed(12345):
        assert check_conv1x1(einsum_conv1x1).ok


def test_secret_seed_changes_the_hidden_cases_only():
    seen = []

    def spy(x, w, b):
        seen.append(x.copy())
        return einsum_conv1x1(x, w, b)

    check_conv1x1(spy)
    public = seen[:]
    seen.clear()
    with hidden_seed(999):
        check_conv1x1(spy)
    assert all(np.array_equal(a, b) for a, b in zip(public[:3], seen[:3]))
    assert not all(np.array_equal(a, b) for a, b in zip(public[3:], seen[3:]))


# --- each diagnosed mistake gets its diagnosis ---------------------------------------------------

def test_bias_left_out():
    assert_diagnosed(check_conv1x1(lambda x, w, b: np.einsum("nhwc,ck->nhwk", x, w)), "bias_missing")


def test_channels_averaged_instead_of_summed():
    result = check_conv1x1(lambda x, w, b: np.einsum("nhwc,ck->nhwk", x, w) / x.shape[-1] + b)
    assert_diagnosed(result, "conv1x1_mean")


def test_matrix_product_not_reshaped():
    result = check_conv1x1(lambda x, w, b: x.reshape(-1, x.shape[-1]) @ w + b)
    assert_diagnosed(result, "conv1x1_not_reshaped")


def test_scaffold_is_not_implemented_and_scores_zero():
    def conv1x1(x, w, b):
        raise NotImplementedError("conv1x1을 작성하세요.")

    result = check_conv1x1(conv1x1)
    assert_diagnosed(result, "not_implemented")
    assert result.score == 0.0


def test_other_mistakes_are_reported_not_raised():
    assert_diagnosed(check_conv1x1(lambda x, w, b: None), "returned_none")
    assert_diagnosed(check_conv1x1(lambda x, w, b: x @ w.T + b), "exception")
    assert check_conv1x1(lambda x, w, b: x @ (w + 1) + b).diagnosis == "wrong_value"

    def in_place(x, w, b):
        x *= 1.0
        x += 0.5
        return x @ w + b

    assert_diagnosed(check_conv1x1(in_place), "input_modified")


# --- bad arguments ------------------------------------------------------------------------------

def test_answer_that_is_not_a_function():
    assert check_conv1x1(...).diagnosis == "no_answer"
    assert check_conv1x1(np.zeros(3)).diagnosis == "not_callable"


@pytest.mark.parametrize("timeout", [0, -1, "5", None, True])
def test_bad_timeout_is_a_clear_error(timeout):
    with pytest.raises(ValueError, match="positive number of seconds; received"):
        check_conv1x1(einsum_conv1x1, timeout=timeout)
