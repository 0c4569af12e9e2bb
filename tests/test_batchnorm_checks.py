"""cnn_utils.checks.normalization (chapter 11): the key gets full marks, each usual mistake (written
here as a student would write it) gets its diagnosis, the scaffold scores 0, the reference is
Keras's and `tf.GradientTape`'s, and the hidden cases follow the grader's seed."""

import numpy as np
import pytest
import tensorflow as tf

from cnn_utils.checks import check_batchnorm_backward, check_batchnorm_train_forward
from cnn_utils.checks.engine import hidden_seed
from cnn_utils.checks.normalization import _backward, _bn_cases
from tests.test_backprop_checks import assert_diagnosed

AXES = (0, 1, 2)


def batchnorm_forward(x, gamma, beta, eps, axes=AXES, ddof=0, eps_mode="inside", swap=False):
    """The key (defaults) and, with a switch, a student's mistake."""
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, ddof=ddof, keepdims=True)
    std = {"inside": lambda: np.sqrt(var + eps), "outside": lambda: np.sqrt(var) + eps,
           "missing": lambda: np.sqrt(var), "no_sqrt": lambda: var + eps}[eps_mode]()
    xhat = (x - mean) / std
    return beta * xhat + gamma if swap else gamma * xhat + beta


def batchnorm_backward(dout, x, gamma, eps, mode="key", ddof=0, sums=AXES, dgamma_of="xhat",
                       mean_params=False):
    """The key (defaults) and, with a switch, a student's mistake."""
    m = x.size // x.shape[-1]
    std = np.sqrt(x.var(axis=AXES, ddof=ddof) + eps)
    xhat = (x - x.mean(axis=AXES)) / std
    dxhat = dout * gamma
    if mode == "key":
        dx = (dxhat - dxhat.mean(axis=AXES) - xhat * (dxhat * xhat).mean(axis=AXES)) / std
    elif mode == "constant":
        dx = dxhat / std
    elif mode == "no_variance":
        dx = (dxhat - dxhat.mean(axis=AXES)) / std
    elif mode == "no_gamma":
        dx = (dout - dout.mean(axis=AXES) - xhat * (dout * xhat).mean(axis=AXES)) / std
    dgamma = (dout * (xhat if dgamma_of == "xhat" else x)).sum(axis=sums)
    dbeta = dout.sum(axis=sums)
    if mean_params:
        dgamma, dbeta = dgamma / m, dbeta / m
    return dx, dgamma, dbeta


def test_the_keys_get_full_marks():
    for check, key in ((check_batchnorm_train_forward, batchnorm_forward),
                       (check_batchnorm_backward, batchnorm_backward)):
        result = check(key)
        assert result.ok and result.score == 1, result.message
        assert "공개 사례 3개와 숨은 사례 7개" in result.message


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(axes=(0,)), "bn_wrong_axis"),            # per pixel: over the batch axis only
    (dict(axes=(1, 2)), "bn_wrong_axis"),          # per image
    (dict(axes=(0, 1, 2, 3)), "bn_wrong_axis"),
    (dict(ddof=1), "bn_unbiased_variance"),
    (dict(eps_mode="outside"), "bn_eps_outside"),
    (dict(eps_mode="missing"), "bn_eps_missing"),
    (dict(eps_mode="no_sqrt"), "bn_no_sqrt"),
    (dict(swap=True), "bn_gamma_beta_swapped"),
])
def test_forward_mistakes_are_diagnosed(switches, diagnosis):
    assert_diagnosed(check_batchnorm_train_forward(
        lambda x, gamma, beta, eps: batchnorm_forward(x, gamma, beta, eps, **switches)), diagnosis)


@pytest.mark.parametrize("switches, diagnosis", [
    (dict(mode="constant"), "bn_grad_stats_constant"),
    (dict(mode="no_variance"), "bn_grad_no_variance_term"),
    (dict(mode="no_gamma"), "bn_grad_gamma_missing"),
    (dict(ddof=1), "bn_grad_unbiased_variance"),
    (dict(sums=(0,)), "bn_param_grad_not_summed"),
    (dict(sums=(1, 2)), "bn_param_grad_not_summed"),
    (dict(mean_params=True), "bn_param_grad_not_summed"),
    (dict(dgamma_of="x"), "bn_dgamma_uses_x"),
])
def test_backward_mistakes_are_diagnosed(switches, diagnosis):
    assert_diagnosed(check_batchnorm_backward(
        lambda dout, x, gamma, eps: batchnorm_backward(dout, x, gamma, eps, **switches)), diagnosis)


def test_swapped_parameter_gradients_and_the_scaffold():
    def swapped(dout, x, gamma, eps):
        dx, dgamma, dbeta = batchnorm_backward(dout, x, gamma, eps)
        return dx, dbeta, dgamma
    assert_diagnosed(check_batchnorm_backward(swapped), "bn_param_grads_swapped")

    def scaffold(dout, x, gamma, eps):
        raise NotImplementedError
    for check in (check_batchnorm_train_forward, check_batchnorm_backward):
        result = check(scaffold)
        assert result.score == 0 and result.diagnosis == "not_implemented"


def test_the_reference_is_gradient_tape_on_keras():
    """Every case's (dx, dgamma, dbeta), float64, from keras.layers.BatchNormalization's tape."""
    import keras

    def build(x, gamma, beta, dout, eps, hidden):
        layer = keras.layers.BatchNormalization(epsilon=eps, dtype="float64")
        layer.build(x.shape)
        layer.gamma.assign(gamma)
        tx = tf.Variable(x)
        with tf.GradientTape() as tape:
            objective = tf.reduce_sum(layer(tx, training=True) * dout)
        expected = [g.numpy() for g in tape.gradient(objective, [tx, layer.gamma, layer.beta])]
        for ours, theirs in zip(_backward(dout, x, gamma, eps), expected):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
        return True

    assert all(_bn_cases(111, build))


def test_hidden_cases_follow_the_graders_seed():
    def shapes(seed):
        with hidden_seed(seed):
            return [x.sum() for x in _bn_cases(111, lambda x, *rest: x)]
    public, secret = shapes(None), shapes(12345)
    assert public[:3] == secret[:3] and public[3:] != secret[3:]
    with hidden_seed(12345):
        assert check_batchnorm_backward(batchnorm_backward).ok
        assert check_batchnorm_train_forward(batchnorm_forward).ok


def test_bad_timeout_raises():
    with pytest.raises(TypeError, match="positive number of seconds; received -1"):
        check_batchnorm_backward(batchnorm_backward, timeout=-1)
    with pytest.raises(TypeError, match="received 'fast'"):
        check_batchnorm_train_forward(batchnorm_forward, timeout="fast")
