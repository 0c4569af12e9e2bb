"""cnn_utils.checks.training (chapter 8): the key passes, each usual mistake gets its diagnosis, the
scaffold scores 0, and the reference is Keras's BatchNormalization."""

import keras
import numpy as np
import pytest

from cnn_utils.checks import (DIAGNOSES, check_batchnorm_forward, check_best_epoch, check_bn_param_counts,
                              check_example_param_count)
from cnn_utils.checks.training import _batchnorm
from cnn_utils.models import keras_example_cnn, mnist_cnn


def batchnorm_forward(x, gamma, beta, moving_mean, moving_var, training, eps=1e-3):
    """The chapter's key."""
    if training:
        axes = tuple(range(x.ndim - 1))
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    else:
        mean, var = moving_mean, moving_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def scaffold(x, gamma, beta, moving_mean, moving_var, training, eps=1e-3):
    raise NotImplementedError("batchnorm_forward를 작성하세요")


def assert_diagnosed(result, diagnosis):
    assert not result.ok and result.score < 1
    assert result.diagnosis == diagnosis, result.message
    assert DIAGNOSES.get(diagnosis, diagnosis) in result.message or result.message.startswith("실패:")


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 5, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_the_reference_is_keras_batch_normalization(shape, training):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32) * 2 + 1
    c = shape[-1]
    gamma, beta = rng.uniform(0.5, 2, c), rng.normal(size=c)
    moving_mean, moving_var = rng.normal(size=c), rng.uniform(0.5, 2, c)
    layer = keras.layers.BatchNormalization(momentum=0.9)    # epsilon 1e-3, as the exercise's default
    layer.build(x.shape)
    layer.set_weights([w.astype(np.float32) for w in (gamma, beta, moving_mean, moving_var)])
    expected = np.asarray(layer(x, training=training))
    ours = _batchnorm(x.astype(np.float64), gamma, beta, moving_mean, moving_var, training, 1e-3)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)


def test_the_key_passes_with_full_marks_and_the_scaffold_scores_zero():
    result = check_batchnorm_forward(batchnorm_forward)
    assert result.ok and result.score == 1.0, result.message
    blank = check_batchnorm_forward(scaffold)
    assert blank.score == 0 and blank.diagnosis == "not_implemented"
    assert check_batchnorm_forward(Ellipsis).score == 0


def _variant(**switches):
    def fn(x, gamma, beta, moving_mean, moving_var, training, eps=1e-3):
        return _batchnorm(x, gamma, beta, moving_mean, moving_var, training, eps, **switches)
    return fn


@pytest.mark.parametrize("fn, diagnosis", [
    (_variant(axes=(0,)), "bn_wrong_axis"),                                  # per position
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, t, eps, axes=(x.ndim - 1,)),
     "bn_wrong_axis"),                                                       # per sample
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, t, eps, axes=tuple(range(x.ndim))),
     "bn_wrong_axis"),                                                       # one mean for everything
    (_variant(ddof=1), "bn_unbiased_variance"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, True, eps),
     "bn_batch_stats_at_inference"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, False, eps),
     "bn_moving_stats_in_training"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, t, 0.0), "bn_eps_missing"),
    (_variant(eps_inside=False), "bn_eps_outside"),
    (_variant(sqrt=False), "bn_no_sqrt"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, g, b, mm, mv, t, 1e-3), "bn_eps_fixed"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, 1.0, 0.0, mm, mv, t, eps), "bn_gamma_beta"),
    (lambda x, g, b, mm, mv, t, eps=1e-3: _batchnorm(x, b, g, mm, mv, t, eps), "bn_gamma_beta"),
])
def test_each_usual_batchnorm_mistake_gets_its_diagnosis(fn, diagnosis):
    result = check_batchnorm_forward(fn)
    assert_diagnosed(result, diagnosis)
    assert DIAGNOSES[diagnosis] in result.message


def test_a_batchnorm_that_modifies_its_input_or_returns_nothing_is_reported():
    def in_place(x, gamma, beta, moving_mean, moving_var, training, eps=1e-3):
        x -= x.mean(axis=tuple(range(x.ndim - 1)))
        return batchnorm_forward(x, gamma, beta, moving_mean, moving_var, training, eps)

    assert check_batchnorm_forward(in_place).diagnosis == "input_modified"
    assert check_batchnorm_forward(lambda *args: None).diagnosis == "returned_none"


def test_parameter_count_answers():
    assert check_example_param_count(keras_example_cnn().count_params()).ok
    bn2 = mnist_cnn().get_layer("bn2")
    trainable = sum(int(np.prod(w.shape)) for w in bn2.trainable_weights)
    assert check_bn_param_counts((trainable, bn2.count_params() - trainable)).ok
    assert check_example_param_count(...).diagnosis == "no_answer"
    assert check_bn_param_counts(...).score == 0
    assert check_example_param_count(34_720).diagnosis == "bias_missing"
    assert check_example_param_count(22_346).diagnosis == "kernel_not_squared"
    assert check_example_param_count(16_970).diagnosis == "in_channels_ignored"
    assert "7×7×64" in check_example_param_count(320 + 18_496 + 7 * 7 * 640 + 10).message
    assert "11 // 2" in check_example_param_count(320 + 18_496 + 6 * 6 * 640 + 10).message
    assert "편향 10개" in check_example_param_count(34_816).message
    assert "학습되지 않는 파라미터" in check_bn_param_counts((256, 0)).message
    assert "Non-trainable" in check_bn_param_counts((128, 0)).message
    assert "64개" in check_bn_param_counts((64, 64)).message
    assert not check_bn_param_counts((128, 127)).ok


CURVES = {"loss": [0.35, 0.12, 0.08, 0.06, 0.045, 0.035, 0.027, 0.02],
          "accuracy": [0.9, 0.965, 0.975, 0.981, 0.986, 0.989, 0.992, 0.994],
          "val_loss": [0.11, 0.07, 0.055, 0.048, 0.046, 0.05, 0.056, 0.063],
          "val_accuracy": [0.966, 0.978, 0.983, 0.985, 0.986, 0.987, 0.986, 0.985]}


def test_best_epoch_answers():
    assert check_best_epoch(5, CURVES).ok
    assert check_best_epoch(np.int64(5), CURVES).ok
    assert check_best_epoch(..., CURVES).diagnosis == "no_answer"
    assert "0부터" in check_best_epoch(4, CURVES).message
    assert "학습 손실" in check_best_epoch(8, CURVES).message
    assert "검증 정확도" in check_best_epoch(6, CURVES).message
    assert not check_best_epoch(2, CURVES).ok
