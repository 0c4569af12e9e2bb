"""cnn_utils.ops.global_avg_pool2d: the mean of each feature map, as Keras and TensorFlow compute it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnn_utils import avg_pool2d, global_avg_pool2d

from .conftest import tolerance


def test_lecture_sized_hand_example():
    # channel 0 holds 0..3, channel 1 holds 10, 20, 30, 40
    x = np.stack([np.arange(4.).reshape(2, 2), 10 * np.arange(1., 5.).reshape(2, 2)], axis=-1)[None]
    np.testing.assert_array_equal(global_avg_pool2d(x), [[1.5, 25.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 5, 5, 3), (3, 7, 4, 16), (1, 13, 1, 2),
                                   (4, 28, 28, 8)])
def test_matches_tf_reduce_mean_and_keras(dtype, shape):
    x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype)
    ours = global_avg_pool2d(x)
    assert ours.shape == (shape[0], shape[3]) and ours.dtype == np.dtype(dtype)
    tol = tolerance(dtype)
    np.testing.assert_allclose(ours, tf.reduce_mean(x, axis=[1, 2]).numpy(), rtol=tol, atol=tol)
    layer = keras.layers.GlobalAveragePooling2D(dtype=dtype)
    np.testing.assert_allclose(ours, np.asarray(layer(x)), rtol=tol, atol=tol)
    assert layer.count_params() == 0


def test_keepdims_matches_keras():
    x = np.random.default_rng(1).standard_normal((2, 6, 5, 4)).astype(np.float32)
    ours = global_avg_pool2d(x, keepdims=True)
    keras_out = np.asarray(keras.layers.GlobalAveragePooling2D(keepdims=True)(x))
    assert ours.shape == keras_out.shape == (2, 1, 1, 4)
    np.testing.assert_allclose(ours, keras_out, rtol=1e-5, atol=1e-6)


def test_equals_average_pooling_with_the_whole_map_as_window():
    x = np.random.default_rng(2).standard_normal((3, 5, 7, 2))
    np.testing.assert_allclose(global_avg_pool2d(x), avg_pool2d(x, (5, 7), 1, "VALID")[:, 0, 0, :])


def test_integer_input_gives_float64_and_input_is_untouched():
    x = np.arange(2 * 3 * 3 * 2).reshape(2, 3, 3, 2)
    before = x.copy()
    out = global_avg_pool2d(x)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, x.mean(axis=(1, 2)))
    np.testing.assert_array_equal(x, before)


def test_any_map_size_gives_one_value_per_channel():
    for size in (1, 7, 28):
        assert global_avg_pool2d(np.ones((1, size, size, 5))).shape == (1, 5)


@pytest.mark.parametrize("shape", [(4, 4, 3), (1, 4, 4, 3, 1), (4,)])
def test_wrong_rank_says_what_to_do(shape):
    with pytest.raises(ValueError, match=r"rank 4 \(N, H, W, C\).*received shape"):
        global_avg_pool2d(np.zeros(shape))


@pytest.mark.parametrize("shape", [(1, 0, 3, 2), (1, 3, 0, 2)])
def test_empty_map_is_an_error(shape):
    with pytest.raises(ValueError, match=r"non-empty feature map .*received shape"):
        global_avg_pool2d(np.zeros(shape))


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="real numbers"):
        global_avg_pool2d(np.zeros((1, 2, 2, 1), dtype=bool))
    with pytest.raises(ValueError, match="NHWC"):
        global_avg_pool2d(np.zeros((1, 2, 2, 1)), data_format="NCHW")
    with pytest.raises(TypeError, match="keepdims.*True or False"):
        global_avg_pool2d(np.zeros((1, 2, 2, 1)), keepdims="yes")
