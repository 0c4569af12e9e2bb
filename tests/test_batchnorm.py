"""`cnn_utils.nn.BatchNorm`: by hand, against keras.layers.BatchNormalization and tf.GradientTape,
against numerical gradients, its invariances (Hypothesis), and its errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils.nn import (BatchNorm, Conv2D, Dense, Flatten, ReLU, Sequential, SoftmaxCrossEntropy,
                          accuracy, gradient_check, numerical_gradient)


def rel_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-300)


# ------------------------------------------------------------------------------------------------
# By hand
# ------------------------------------------------------------------------------------------------

def test_four_numbers_in_one_channel_by_hand():
    # x = 1, 2, 3, 6: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, s = sqrt(3.5 + 0.5) = 2
    layer = BatchNorm(np.array([2.0]), np.array([1.0]), momentum=0.5, epsilon=0.5)
    out = layer.forward([[1.0], [2.0], [3.0], [6.0]])
    np.testing.assert_allclose(out.ravel(), 2 * np.array([-2, -1, 0, 3]) / 2 + 1)   # -1, 0, 1, 4
    np.testing.assert_allclose(layer.moving_mean, [0.5 * 0 + 0.5 * 3])
    np.testing.assert_allclose(layer.moving_variance, [0.5 * 1 + 0.5 * 3.5])
    # dout = (1, 0, 0, 0); xhat = (-1, -0.5, 0, 1.5); dbeta = 1, dgamma = -1, m = 4
    # dx = gamma / s * (g - (dbeta + xhat * dgamma) / m) = (g - (1 - xhat) / 4)
    dx = layer.backward([[1.0], [0.0], [0.0], [0.0]])
    np.testing.assert_allclose(dx.ravel(), [1 - 2 / 4, -1.5 / 4, -1 / 4, 0.5 / 4])
    np.testing.assert_allclose(layer.grads["beta"], [1.0])
    np.testing.assert_allclose(layer.grads["gamma"], [-1.0])
    # inference: the moving statistics (1.5, 2.25), s = sqrt(2.75); an affine map
    out = layer.forward([[1.5], [3.0]], training=False)
    np.testing.assert_allclose(out.ravel(), 2 * np.array([0.0, 1.5]) / np.sqrt(2.75) + 1)
    np.testing.assert_allclose(layer.backward([[1.0], [1.0]]).ravel(), [2 / np.sqrt(2.75)] * 2)
    np.testing.assert_allclose(layer.moving_mean, [1.5])        # unchanged by inference


# ------------------------------------------------------------------------------------------------
# Against Keras and tf.GradientTape
# ------------------------------------------------------------------------------------------------

SHAPES = [(6, 3), (4, 5, 5, 2), (2, 3, 4, 4)]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    x = (rng.standard_normal(shape) * rng.uniform(0.5, 3, c) + rng.normal(size=c)).astype(dtype)
    return rng, x, rng.uniform(0.5, 2, c).astype(dtype), rng.normal(size=c).astype(dtype)


def _keras_bn(gamma, beta, momentum, epsilon, shape, dtype):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=dtype)
    layer.build(shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("momentum, epsilon", [(0.99, 1e-3), (0.9, 0.1), (0.5, 1e-5)])
def test_forward_and_moving_statistics_match_keras(shape, dtype, tol, momentum, epsilon):
    rng, x, gamma, beta = _data(shape, dtype)
    ours = BatchNorm(gamma.copy(), beta.copy(), momentum, epsilon)
    theirs = _keras_bn(gamma, beta, momentum, epsilon, shape, dtype)
    for step in range(4):                   # several training steps, each on a new batch
        batch = (x + rng.normal(size=shape[-1]) * step).astype(dtype)
        out = ours.forward(batch, training=True)
        assert out.dtype == dtype
        assert rel_error(out, theirs(batch, training=True).numpy()) < tol
        assert rel_error(ours.moving_mean, theirs.moving_mean.numpy()) < tol
        assert rel_error(ours.moving_variance, theirs.moving_variance.numpy()) < tol
    test = (x[:2] * 1.5).astype(dtype)
    assert rel_error(ours.forward(test, training=False), theirs(test, training=False).numpy()) < tol


def test_keras_moving_variance_is_the_biased_one():
    """What the layer mirrors: Keras's moving variance moves towards var(x) divided by m, not m - 1."""
    x = np.array([[1.0], [2.0], [3.0], [6.0]])
    theirs = _keras_bn(np.ones(1), np.zeros(1), 0.0, 1e-3, x.shape, "float64")
    theirs(x, training=True)
    np.testing.assert_allclose(theirs.moving_variance.numpy(), [3.5])
    ours = BatchNorm(np.ones(1), np.zeros(1), momentum=0.0)
    ours.forward(x)
    np.testing.assert_allclose(ours.moving_variance, [3.5])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_gradient_tape(shape, training):
    rng, x, gamma, beta = _data(shape, np.float64, seed=1)
    mm, mv = rng.normal(size=shape[-1]), rng.uniform(0.5, 2, shape[-1])
    ours = BatchNorm(gamma.copy(), beta.copy(), 0.9, 1e-3, mm, mv)
    theirs = _keras_bn(gamma, beta, 0.9, 1e-3, shape, "float64")
    theirs.moving_mean.assign(mm)
    theirs.moving_variance.assign(mv)
    dout = rng.standard_normal(shape)
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        objective = tf.reduce_sum(theirs(tx, training=training) * dout)
    dx, dgamma, dbeta = tape.gradient(objective, [tx, theirs.gamma, theirs.beta])
    ours.forward(x, training=training)
    assert rel_error(ours.backward(dout), dx.numpy()) < 1e-10
    assert rel_error(ours.grads["gamma"], dgamma.numpy()) < 1e-10
    assert rel_error(ours.grads["beta"], dbeta.numpy()) < 1e-10


def test_numerical_gradients_of_a_network_with_batchnorm():
    rng = np.random.default_rng(2)
    conv = Conv2D(rng.standard_normal((3, 3, 2, 3)) * 0.5, rng.standard_normal(3))
    first = BatchNorm(rng.uniform(0.5, 2, 2), rng.standard_normal(2), momentum=0.9)
    dense = Dense(rng.standard_normal((3 * 3 * 3, 4)) * 0.3, np.zeros(4))
    model = Sequential([first, conv, ReLU(), Flatten(), dense])
    x, y = rng.standard_normal((4, 5, 5, 2)) * 2 + 1, rng.integers(0, 4, size=4)
    worst, checked = gradient_check(model, SoftmaxCrossEntropy(), x, y, rng, entries=4)
    assert checked == 4 * 6 and worst < 1e-6
    # A bias just before BN has no effect (BN subtracts the channel's mean): its gradient is 0,
    # which is why a convolution followed by BN is built without one.
    bn = BatchNorm(rng.uniform(0.5, 2, 3), rng.standard_normal(3))
    model = Sequential([conv, bn, ReLU(), Flatten(), dense])
    loss = SoftmaxCrossEntropy()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    assert np.abs(conv.grads["b"]).max() < 1e-12 < np.abs(conv.grads["W"]).max()
    # and dx itself, entry by entry, in training mode (every x moves the batch statistics)
    layer = BatchNorm(np.array([1.5, 0.7]), np.array([0.1, -0.2]))
    xs, g = rng.standard_normal((3, 2, 2, 2)), rng.standard_normal((3, 2, 2, 2))
    layer.forward(xs)
    dx = layer.backward(g)
    for index in [(0, 0, 0, 0), (1, 1, 0, 1), (2, 1, 1, 0)]:
        numerical = numerical_gradient(lambda: float((layer.forward(xs) * g).sum()), xs, index)
        assert abs(numerical - dx[index]) < 1e-6 * max(1, abs(dx[index]))


def test_sequential_passes_training_and_accuracy_uses_inference():
    rng = np.random.default_rng(3)
    bn = BatchNorm(np.ones(4), np.zeros(4), momentum=0.5)
    model = Sequential([Flatten(), bn, Dense(rng.standard_normal((4, 3)), np.zeros(3))])
    x = rng.standard_normal((6, 2, 2, 1)) * 3 + 1
    model.forward(x)                                    # training by default, as chapter 9's calls
    moving = bn.moving_mean.copy()
    assert not np.allclose(moving, 0)
    accuracy(model, x, np.zeros(6, int))                # inference: the moving statistics, untouched
    np.testing.assert_array_equal(bn.moving_mean, moving)
    assert not bn.training
    expected = (x.reshape(6, 4) - bn.moving_mean) / np.sqrt(bn.moving_variance + 1e-3)
    np.testing.assert_allclose(model.forward(x, training=False), expected @ model.layers[2].params["W"])


def test_sequential_still_takes_layers_of_ones_own():
    class Double:                         # no `Layer` base class, no `has_training_mode`
        def forward(self, x):
            return 2 * x

    np.testing.assert_array_equal(Sequential([Double()]).forward(np.ones(2), training=False), [2, 2])


# ------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------

def _batch(seed, shape):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    return rng, rng.standard_normal(shape) * rng.uniform(0.5, 4, c) + rng.normal(size=c) * 3


shapes = st.sampled_from([(8, 3), (5, 2), (3, 4, 4, 2), (2, 3, 5, 3)])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes)
def test_training_output_has_mean_beta_and_std_gamma(seed, shape):
    rng, x = _batch(seed, shape)
    gamma, beta = rng.uniform(0.5, 3, shape[-1]), rng.normal(size=shape[-1])
    out = BatchNorm(gamma, beta, epsilon=1e-8).forward(x)
    axes = tuple(range(x.ndim - 1))
    np.testing.assert_allclose(out.mean(axis=axes), beta, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=axes), gamma, rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes)
def test_training_output_ignores_a_shift_and_a_positive_scale_per_channel(seed, shape):
    rng, x = _batch(seed, shape)
    gamma, beta = rng.uniform(0.5, 3, shape[-1]), rng.normal(size=shape[-1])
    shift, scale = rng.normal(size=shape[-1]) * 10, rng.uniform(0.2, 5, shape[-1])
    base = BatchNorm(gamma, beta, epsilon=1e-10).forward(x)
    np.testing.assert_allclose(BatchNorm(gamma, beta, epsilon=1e-10).forward(x + shift), base, atol=1e-7)
    np.testing.assert_allclose(BatchNorm(gamma, beta, epsilon=1e-10).forward(x * scale), base, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes)
def test_dx_sums_to_zero_per_channel_and_is_orthogonal_to_xhat(seed, shape):
    rng, x = _batch(seed, shape)
    # orthogonal to xhat only as epsilon -> 0: mean(xhat^2) = var / (var + epsilon)
    layer = BatchNorm(rng.uniform(0.5, 3, shape[-1]), rng.normal(size=shape[-1]), epsilon=1e-12)
    layer.forward(x)
    dout = rng.standard_normal(shape)
    dx = layer.backward(dout)
    axes = tuple(range(x.ndim - 1))
    scale = np.abs(dout).sum()
    np.testing.assert_allclose(dx.sum(axis=axes), 0, atol=1e-10 * scale)
    np.testing.assert_allclose((dx * layer.xhat).sum(axis=axes), 0, atol=1e-8 * scale)


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------

def test_errors_say_what_was_received():
    layer = BatchNorm(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(N, 3\) or \(N, H, W, 3\); received shape \(2, 4, 3\)"):
        layer.forward(np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match=r"received shape \(2, 4\). Its last axis must hold the 3"):
        layer.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="received shape \\(0, 3\\)"):
        layer.forward(np.zeros((0, 3)))
    with pytest.raises(RuntimeError, match="forward pass first"):
        BatchNorm(np.ones(3), np.zeros(3)).backward(np.zeros((2, 3)))
    layer.forward(np.ones((2, 3)) * [[1], [2]])
    with pytest.raises(ValueError, match=r"shape \(2, 3\); received shape \(3, 3\)"):
        layer.backward(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="`training` to be True or False; received 'train'"):
        layer.forward(np.zeros((2, 3)), training="train")
    for momentum in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"`momentum` in \\[0, 1\\].*received {momentum}"):
            BatchNorm(np.ones(3), np.zeros(3), momentum=momentum)
    with pytest.raises(TypeError, match="momentum"):
        BatchNorm(np.ones(3), np.zeros(3), momentum=True)
    with pytest.raises(ValueError, match=r"`epsilon` to be a positive number.*received 0\."):
        BatchNorm(np.ones(3), np.zeros(3), epsilon=0)
    with pytest.raises(ValueError, match=r"received \(3,\) and \(2,\)"):
        BatchNorm(np.ones(3), np.zeros(2))
    with pytest.raises(TypeError, match="float parameters"):
        BatchNorm(np.ones(3, int), np.zeros(3))
    with pytest.raises(ValueError, match=r"moving_variance of shape \(3,\)"):
        BatchNorm(np.ones(3), np.zeros(3), moving_variance=np.ones(2))


def test_repr_and_parameters():
    layer = BatchNorm(np.ones(2, np.float32), np.zeros(2, np.float32), momentum=0.9)
    assert repr(layer) == "BatchNorm(gamma=(2,), beta=(2,), momentum=0.9, epsilon=0.001)"
    assert [p.shape for p, _ in Sequential([layer]).parameters()] == [(2,), (2,)]
    assert layer.moving_mean.dtype == np.float32
