"""Checkers of chapter 8's exercises: batch normalisation, parameter counts, reading learning curves.

Used in chapter 8: `check_batchnorm_forward` (a numpy batch-normalisation forward pass, in training
mode with the batch's statistics and in inference mode with the moving ones, as Keras's
`BatchNormalization` computes them), `check_example_param_count` and `check_bn_param_counts`
(`model.summary()`'s numbers) and `check_best_epoch` (the epoch a learning curve says to stop at).

The diagnoses of the batch-normalisation mistakes are added to `DIAGNOSES` here, beside the checker
that uses them.
"""

import numpy as np

from ..shapes import conv_param_count
from .answers import check_answer
from .engine import _SEED, _Case, _name, _run_cases
from .formatting import _describe_with_values
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT

DIAGNOSES.update({
    "bn_wrong_axis": "평균과 분산을 다른 축으로 구했습니다. 배치 정규화는 채널(마지막 축)마다 하나의 평균과 "
                     "분산을 씁니다: 마지막 축을 뺀 모든 축(N, H, W)에 걸쳐 x.mean(axis=(0, 1, 2))처럼 "
                     "구하세요(2차원 (N, C) 입력이면 axis=0).",
    "bn_eps_missing": "분산에 eps를 더하지 않았습니다. 분산이 0에 가까운 채널에서 0으로 나누지 않도록 "
                      "np.sqrt(var + eps)로 나눕니다.",
    "bn_eps_outside": "eps를 제곱근 밖에서 더했습니다. Keras는 np.sqrt(var + eps)로 나눕니다.",
    "bn_eps_fixed": "인자로 받은 eps 대신 정해진 값을 썼습니다. eps는 인자 그대로 쓰세요.",
    "bn_no_sqrt": "분산의 제곱근(표준편차)이 아니라 분산으로 나눴습니다: (x - mean) / np.sqrt(var + eps).",
    "bn_unbiased_variance": "분산을 n - 1로 나눴습니다(불편 분산, ddof=1). Keras의 배치 정규화는 값의 개수 n으로 "
                            "나눈 분산을 씁니다: np.var(x, axis=...)의 기본값(ddof=0).",
    "bn_batch_stats_at_inference": "추론(training=False)에서도 배치의 평균과 분산을 썼습니다. 추론에서는 학습 중에 "
                                   "모은 moving_mean과 moving_var로 정규화합니다. 그래야 이미지 하나의 예측이 "
                                   "함께 들어온 다른 이미지에 따라 바뀌지 않습니다.",
    "bn_moving_stats_in_training": "학습(training=True)에서 moving_mean과 moving_var를 썼습니다. 학습에서는 "
                                   "지금 들어온 배치의 평균과 분산으로 정규화합니다.",
    "bn_gamma_beta": "학습되는 크기 gamma와 이동 beta를 잘못 적용했습니다: 정규화한 값에 gamma를 곱하고 "
                     "beta를 더합니다(y = gamma * x_hat + beta).",
})


def _batchnorm(x, gamma, beta, moving_mean, moving_var, training, eps, axes=None, ddof=0,
               sqrt=True, eps_inside=True):
    """The reference (and, with other switches, the mistakes): statistics over every axis but the last."""
    axes = tuple(range(x.ndim - 1)) if axes is None else axes
    if training:
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, ddof=ddof, keepdims=True)
    else:
        mean, var = moving_mean, moving_var
    if sqrt and eps_inside:
        scale = np.sqrt(var + eps)
    elif sqrt:
        scale = np.sqrt(var) + eps
    else:
        scale = var + eps
    with np.errstate(all="ignore"):
        return gamma * (x - mean) / scale + beta


def _bn_mistakes(x, gamma, beta, mm, mv, training, eps):
    args = (x, gamma, beta, mm, mv)
    mistakes = []
    if training:
        last = x.ndim - 1
        for axes in {(0,), (last,), tuple(range(x.ndim)), tuple(range(1, x.ndim))} - {tuple(range(last))}:
            mistakes.append(("bn_wrong_axis", _batchnorm(*args, True, eps, axes=axes)))
        mistakes.append(("bn_unbiased_variance", _batchnorm(*args, True, eps, ddof=1)))
        mistakes.append(("bn_moving_stats_in_training", _batchnorm(*args, False, eps)))
    else:
        mistakes.append(("bn_batch_stats_at_inference", _batchnorm(*args, True, eps)))
        mistakes.append(("bn_batch_stats_at_inference", _batchnorm(*args, True, eps, ddof=1)))
    mistakes.append(("bn_eps_missing", _batchnorm(*args, training, 0.0)))
    mistakes.append(("bn_eps_outside", _batchnorm(*args, training, eps, eps_inside=False)))
    mistakes.append(("bn_no_sqrt", _batchnorm(*args, training, eps, sqrt=False)))
    for fixed in (1e-3, 1e-5):
        if fixed != eps:
            mistakes.append(("bn_eps_fixed", _batchnorm(*args, training, fixed)))
    plain = _batchnorm(x, 1.0, 0.0, mm, mv, training, eps)
    mistakes += [("bn_gamma_beta", plain), ("bn_gamma_beta", gamma * plain),
                 ("bn_gamma_beta", plain + beta), ("bn_gamma_beta", beta * plain + gamma)]
    return [(d, v) for d, v in mistakes if np.all(np.isfinite(v))] + \
        [(d, v) for d, v in mistakes if not np.all(np.isfinite(v))]


# (shape, training, eps): the first three can be followed by hand.
_BN_CASES = [((4, 3), True, 1e-3), ((4, 3), False, 1e-3), ((2, 3, 3, 2), True, 1e-3),
             ((3, 2, 2, 2), False, 1e-3), ((5, 4), True, 0.1), ((2, 4, 4, 3), True, 1e-5),
             ((4, 3, 3, 3), False, 0.05), ((1, 3, 3, 2), True, 1e-3), ((6, 2), False, 1e-5),
             ((3, 5, 4, 4), True, 1e-3)]


def check_batchnorm_forward(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(x, gamma, beta, moving_mean, moving_var, training, eps)``, batch normalisation.

    As Keras's `BatchNormalization`: in training mode (`training` True) each channel (the last axis)
    is normalised with the mean and the variance (divided by n, not n - 1) of its values over all
    the other axes; in inference mode with `moving_mean` and `moving_var`; then
    ``gamma * (x - mean) / sqrt(var + eps) + beta``. Inputs are (N, C) or (N, H, W, C); one channel
    of the hidden cases has a tiny variance, so a missing eps shows.

    Args:
        fn: the student's function, returning an array of the shape of `x`.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Example:
        >>> def unbiased(x, gamma, beta, mm, mv, training, eps):
        ...     axes = tuple(range(x.ndim - 1))
        ...     mean, var = (x.mean(axes), x.var(axes, ddof=1)) if training else (mm, mv)
        ...     return gamma * (x - mean) / np.sqrt(var + eps) + beta
        >>> check_batchnorm_forward(unbiased).diagnosis
        'bn_unbiased_variance'
    """
    rng = np.random.default_rng(_SEED + 8)
    cases = []
    for index, (shape, training, eps) in enumerate(_BN_CASES):
        c = shape[-1]
        if index < 3:     # small integers, by hand
            x = rng.integers(-4, 5, size=shape).astype(np.float64)
            gamma, beta = np.arange(1.0, c + 1), np.arange(c) * 0.5
        else:
            x = rng.normal(size=shape) * rng.uniform(0.5, 3, size=c) + rng.normal(size=c)
            x[..., 0] *= 0.02        # a channel of tiny variance: eps matters
            gamma, beta = rng.uniform(0.5, 2, size=c), rng.normal(size=c)
        mm = x.mean(axis=tuple(range(x.ndim - 1))) + rng.uniform(0.3, 1, size=c)
        mv = x.var(axis=tuple(range(x.ndim - 1))) * rng.uniform(1.5, 3, size=c) + 0.01
        if index < 3:
            mm, mv = np.round(mm, 1), np.round(mv, 1) + 0.5
        args = (x, gamma, beta, mm, mv, training, eps)
        expected = _batchnorm(*args)
        describe = _describe_with_values([("x", x), ("gamma", gamma), ("beta", beta), ("moving_mean", mm),
                                          ("moving_var", mv), ("training", training), ("eps", eps)])
        cases.append(_Case(args, expected, describe, _bn_mistakes(*args), hidden=index >= 3))
    return _run_cases(_name(fn, "batchnorm_forward"), fn, cases, timeout,
                      ["x", "gamma", "beta", "moving_mean", "moving_var", "training", "eps"])


def _example_layers(flat_side=5, bias=True, kernel_area=9, in_channels=32, dense_bias=True):
    """keras_example_cnn's parameter count, or what a known mistake makes of it."""
    conv1 = kernel_area * 1 * 32 + 32 * bias
    conv2 = kernel_area * in_channels * 64 + 64 * bias
    dense = flat_side * flat_side * 64 * 10 + 10 * (bias and dense_bias)
    return conv1 + conv2 + dense


def check_example_param_count(example_total):
    """Checks the total parameter count of `keras_example_cnn()` worked out by the formulas.

    conv1 (32 3x3x1 filters with biases), conv2 (64 3x3x32 with biases), then a 5x5x64 flattened
    map into Dense 10 with biases: 34,826. Known mistakes: no biases, the filter size not squared,
    the input channels not multiplied, a 7x7 (SAME-padding) or 6x6 (rounded up) flattened map,
    the dense layer's biases left out.

    Example:
        >>> check_example_param_count(34720).diagnosis
        'bias_missing'
    """
    mistakes = [("bias_missing", _example_layers(bias=False)),
                ("kernel_not_squared", _example_layers(kernel_area=3)),
                ("in_channels_ignored", _example_layers(in_channels=1)),
                ("평탄화 크기를 7×7×64로 셌습니다. 패딩 없는(VALID) 3×3 합성곱은 가로세로를 2씩 줄입니다: "
                 "28 → 26 → (풀링) 13 → 11 → (풀링) 5.", _example_layers(flat_side=7)),
                ("평탄화 크기를 6×6×64로 셌습니다. 2×2 풀링은 11을 내림해 5로 만듭니다(11 // 2).",
                 _example_layers(flat_side=6)),
                ("Dense 층의 편향 10개를 빠뜨렸습니다: 출력 뉴런마다 편향이 하나입니다.",
                 _example_layers(dense_bias=False))]
    expected = (conv_param_count(3, in_channels=1, filters=32) + conv_param_count(3, in_channels=32, filters=64)
                + 5 * 5 * 64 * 10 + 10)
    return check_answer(example_total, expected, name="example_total", mistakes=mistakes,
                        hint="층마다 합성곱 K·F²·D + K, 완전 연결 층 입력 수 × 출력 수 + 출력 수를 더하세요.")


def check_bn_param_counts(bn_counts, channels=64):
    """Checks (trainable, non-trainable) parameter counts of a BN layer over `channels` channels.

    gamma and beta are trained, the moving mean and variance are not: (2C, 2C).

    Example:
        >>> check_bn_param_counts((128, 128)).ok
        True
    """
    c = channels
    mistakes = [("이동 평균과 이동 분산은 기울기로 학습하지 않습니다. 배치의 통계를 따라 갱신될 뿐이라 "
                 "학습되지 않는 파라미터입니다.", (4 * c, 0)),
                ("이동 평균과 이동 분산을 빠뜨렸습니다. 학습되지는 않지만 모델과 함께 저장되는 값이며, "
                 "summary()는 이것을 Non-trainable params로 셉니다.", (2 * c, 0)),
                ("bn2는 conv2의 출력 채널 64개를 정규화합니다(bn1의 32개가 아님).", (c, c))]
    return check_answer(bn_counts, (2 * c, 2 * c), name="bn_counts", mistakes=mistakes,
                        hint="채널마다 gamma와 beta(학습됨), 이동 평균과 이동 분산(학습되지 않음)이 있습니다.")


def check_best_epoch(best_epoch, curves):
    """Checks the epoch (counted from 1) of the lowest validation loss in `curves`.

    Args:
        best_epoch: the student's answer, an int.
        curves: dict of per-epoch lists "loss", "val_loss" and optionally "accuracy",
            "val_accuracy", as Keras's `History.history`.

    Example:
        >>> check_best_epoch(3, {"loss": [0.5, 0.3, 0.2, 0.1], "val_loss": [0.6, 0.4, 0.35, 0.5]}).ok
        True
    """
    val_loss = np.asarray(curves["val_loss"], dtype=float)
    best = int(np.argmin(val_loss)) + 1
    mistakes = [("에포크를 0부터 셌습니다. Keras의 로그처럼 첫 에포크를 1로 세세요.", best - 1),
                ("학습 손실이 가장 낮은 에포크를 골랐습니다. 학습 손실은 학습 데이터를 외울수록 계속 줄어듭니다. "
                 "멈출 때는 검증 손실을 봅니다.", int(np.argmin(curves["loss"])) + 1),
                ("마지막 에포크를 골랐습니다. 검증 손실이 다시 오르기 시작했다면 그 뒤의 학습은 과대적합입니다.",
                 len(val_loss))]
    if "accuracy" in curves:
        mistakes.append(("학습 정확도가 가장 높은 에포크를 골랐습니다. 검증 손실을 보세요.",
                         int(np.argmax(curves["accuracy"])) + 1))
    if "val_accuracy" in curves:
        mistakes.append(("검증 정확도가 가장 높은 에포크를 골랐습니다. 이 문제는 검증 손실이 가장 낮은 "
                         "에포크를 묻습니다.", int(np.argmax(curves["val_accuracy"])) + 1))
    return check_answer(best_epoch, best, name="best_epoch", mistakes=mistakes,
                        hint="history['val_loss']에서 가장 작은 값의 위치(np.argmin)에 1을 더하세요.")
