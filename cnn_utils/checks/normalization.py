"""Checkers of chapter 11's batch normalisation from scratch: the training-mode forward and backward.

Used in chapter 11: `check_batchnorm_train_forward` (``batchnorm_forward(x, gamma, beta, eps)``
for x of shape (N, H, W, C), training mode) and `check_batchnorm_backward`
(``batchnorm_backward(dout, x, gamma, eps)`` returning ``(dx, dgamma, dbeta)``). Chapter 8's
`check_batchnorm_forward` (in `training`) checks a forward pass with both modes and moving
statistics; this one takes only what training mode needs. The references are plain numpy: the
forward pass of `training` and the backward pass of `cnn_utils.nn.BatchNorm`, which the tests prove
equal to Keras's layer and `tf.GradientTape`.

Each known mistake is detected by computing what it gives for the case: for the forward pass the
statistics over other axes (per pixel over the batch only, per image, ...), the unbiased variance,
eps forgotten, outside the square root or fixed, the variance instead of the standard deviation,
gamma and beta swapped or left out; for the backward pass dx with the mean and the variance held
constant (``dout * gamma / std`` only), without the variance's term or without the mean's, without
gamma, with the unbiased variance, and dgamma or dbeta not summed over all of N, H and W, averaged,
or dgamma taken with x instead of the normalised x.
"""

import numpy as np

from ..nn.normalization import BatchNorm
from .backprop import _check_timeout
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe_with_values
from .result import DIAGNOSES
from .sandbox import DEFAULT_TIMEOUT
from .training import _batchnorm

DIAGNOSES.update({
    "bn_gamma_beta_swapped": "gamma와 beta를 바꿔 썼습니다. 정규화한 값에 크기 gamma를 곱하고 이동 beta를 "
                             "더합니다: y = gamma * x_hat + beta.",
    "bn_grad_stats_constant": "dx에서 평균과 분산을 상수로 보았습니다(dout * gamma / std만 계산). 모든 x가 배치의 "
                              "평균과 분산을 움직이므로 두 항을 빼야 합니다: dx = gamma / std * (dout - "
                              "dout의 채널 평균 - x_hat * (dout * x_hat)의 채널 평균).",
    "bn_grad_no_variance_term": "dx에서 분산을 거쳐 가는 항을 빠뜨렸습니다. 평균의 항(dout의 채널 평균)만 빼면 "
                                "분산을 상수로 본 것입니다. x_hat * (dout * x_hat)의 채널 평균도 빼세요.",
    "bn_grad_no_mean_term": "dx에서 평균을 거쳐 가는 항을 빠뜨렸습니다. dout의 채널 평균(dbeta / m)도 빼세요: "
                            "dx = gamma / std * (dout - (dbeta + x_hat * dgamma) / m).",
    "bn_grad_gamma_missing": "dx에 gamma를 곱하지 않았습니다. y = gamma * x_hat + beta이므로 x_hat으로 가는 "
                             "기울기는 dout * gamma입니다.",
    "bn_grad_unbiased_variance": "분산을 n - 1로 나눴습니다(ddof=1). 순전파와 같이 값의 개수 m으로 나눈 분산을 "
                                 "쓰세요: np.var(x, axis=(0, 1, 2)).",
    "bn_param_grad_not_summed": "dgamma나 dbeta를 N, H, W 모두에 걸쳐 더하지 않았습니다. gamma[c]와 beta[c]는 "
                                "채널 c의 모든 값(모든 이미지, 모든 위치)에 쓰이므로 sum(axis=(0, 1, 2))이고 "
                                "모양은 (C,)입니다(평균이 아니라 합).",
    "bn_param_grads_swapped": "dgamma와 dbeta의 자리를 바꿔 돌려주었습니다. (dx, dgamma, dbeta) 순서이고, "
                              "dbeta = dout의 합, dgamma = (dout * x_hat)의 합입니다.",
    "bn_dgamma_uses_x": "dgamma를 x로 계산했습니다. y = gamma * x_hat + beta이므로 dgamma = (dout * x_hat)의 "
                        "합입니다. x_hat = (x - mean) / sqrt(var + eps).",
})

_AXES = (0, 1, 2)


def _forward(x, gamma, beta, eps, **switches):
    return _batchnorm(x, gamma, beta, None, None, True, eps, **switches)


def _forward_mistakes(x, gamma, beta, eps):
    mistakes = [("bn_wrong_axis", _forward(x, gamma, beta, eps, axes=axes))
                for axes in [(0,), (1, 2), (1, 2, 3), (3,), (0, 1, 2, 3), (0, 3)]]
    mistakes += [("bn_unbiased_variance", _forward(x, gamma, beta, eps, ddof=1)),
                 ("bn_eps_missing", _forward(x, gamma, beta, 0.0)),
                 ("bn_eps_outside", _forward(x, gamma, beta, eps, eps_inside=False)),
                 ("bn_no_sqrt", _forward(x, gamma, beta, eps, sqrt=False))]
    mistakes += [("bn_eps_fixed", _forward(x, gamma, beta, fixed)) for fixed in (1e-3, 1e-5) if fixed != eps]
    plain = _forward(x, 1.0, 0.0, eps)
    mistakes += [("bn_gamma_beta_swapped", beta * plain + gamma), ("bn_gamma_beta", plain),
                 ("bn_gamma_beta", gamma * plain), ("bn_gamma_beta", plain + beta)]
    finite = [(d, v) for d, v in mistakes if np.all(np.isfinite(v))]
    return finite + [(d, v) for d, v in mistakes if not np.all(np.isfinite(v))]


def _backward(dout, x, gamma, eps, mean_term=True, var_term=True, use_gamma=True, ddof=0):
    """(dx, dgamma, dbeta) in training mode; the switches give the mistakes of dx."""
    if (mean_term, var_term, use_gamma, ddof) == (True, True, True, 0):
        layer = BatchNorm(np.asarray(gamma, np.float64), np.zeros(x.shape[-1]), epsilon=eps)
        layer.forward(x)
        return layer.backward(dout), layer.grads["gamma"].copy(), layer.grads["beta"].copy()
    m = dout.size // dout.shape[-1]
    inv_std = 1 / np.sqrt(x.var(axis=_AXES, ddof=ddof) + eps)
    xhat = (x - x.mean(axis=_AXES)) * inv_std
    dbeta, dgamma = dout.sum(axis=_AXES), (dout * xhat).sum(axis=_AXES)
    inner = dout - (dbeta * mean_term + xhat * dgamma * var_term) / m
    return (gamma if use_gamma else 1.0) * inv_std * inner, dgamma, dbeta


def _backward_mistakes(dout, x, gamma, eps):
    m = dout.size // dout.shape[-1]
    _, dgamma, dbeta = _backward(dout, x, gamma, eps)
    wrong_dx = [("bn_grad_stats_constant", dict(mean_term=False, var_term=False)),
                ("bn_grad_no_variance_term", dict(var_term=False)),
                ("bn_grad_no_mean_term", dict(mean_term=False)),
                ("bn_grad_gamma_missing", dict(use_gamma=False)),
                ("bn_grad_unbiased_variance", dict(ddof=1))]
    mistakes = [(d, (_backward(dout, x, gamma, eps, **switches)[0], None, None)) for d, switches in wrong_dx]
    mistakes.append(("bn_grad_unbiased_variance", (None, _backward(dout, x, gamma, eps, ddof=1)[1], None)))
    xhat = (x - x.mean(axis=_AXES)) / np.sqrt(x.var(axis=_AXES) + eps)
    mistakes += [("bn_param_grad_not_summed", (None, dgamma / m, dbeta / m)),        # averaged
                 ("bn_param_grad_not_summed", (None, (dout[0] * xhat[0]).sum(axis=(0, 1)),
                                               dout[0].sum(axis=(0, 1)))),            # one image
                 ("bn_dgamma_uses_x", (None, (dout * x).sum(axis=_AXES), None)),
                 ("bn_param_grads_swapped", (None, dbeta, dgamma))]
    return mistakes


# (N, H, W, C, eps): the first visible cases can be followed by hand; each hidden one is there to
# expose a mistake (one channel of tiny variance makes eps matter, N = 1 leaves only H and W).
_BN_VISIBLE = [(2, 1, 2, 1, 1e-3), (2, 2, 2, 2, 1e-3), (3, 3, 3, 2, 0.1)]
_BN_HIDDEN = [(4, 2, 2, 3, 1e-5), (2, 4, 3, 2, 1e-3), (1, 3, 4, 3, 1e-3), (5, 1, 1, 4, 0.05),
              (2, 3, 3, 5, 1e-3), (3, 2, 5, 2, 0.01), (6, 2, 2, 1, 1e-4)]


def _bn_cases(salt, build):
    """The cases of both checkers: x, gamma, beta, dout drawn as for `salt`, handed to `build`."""
    rng = np.random.default_rng(_SEED + salt)
    cases = []
    for index, (n, h, w, c, eps) in enumerate(_BN_VISIBLE + _BN_HIDDEN):
        hidden = index >= len(_BN_VISIBLE)
        if index == len(_BN_VISIBLE):
            rng = _hidden_rng(rng, salt)
        shape = (n, h, w, c)
        if index == 0:          # four numbers, one channel: mean 3, variance 3.5
            x = np.array([1.0, 2.0, 3.0, 6.0]).reshape(shape)
            gamma, beta = np.array([2.0]), np.array([0.5])
            dout = np.array([1.0, 0.0, 0.0, 2.0]).reshape(shape)
        elif index < len(_BN_VISIBLE):
            x = rng.integers(-4, 5, size=shape).astype(np.float64)
            x[0, 0, 0] += 5     # no channel is constant
            gamma, beta = np.arange(1.0, c + 1), np.arange(c) * 0.5 + 0.5
            dout = rng.integers(-2, 3, size=shape).astype(np.float64)
        else:
            x = rng.normal(size=shape) * rng.uniform(0.5, 3, size=c) + rng.normal(size=c)
            x[..., 0] *= 0.02   # a channel of tiny variance: eps matters
            gamma, beta = rng.uniform(0.5, 2, size=c), rng.normal(size=c)
            dout = rng.normal(size=shape)
        cases.append(build(x, gamma, beta, dout, eps, hidden))
    return cases


def check_batchnorm_train_forward(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(x, gamma, beta, eps)``: batch normalisation of x (N, H, W, C) in training mode.

    Each channel c is normalised with the mean and the biased variance (divided by m = N*H*W, as
    Keras) of its N*H*W values: ``gamma * (x - mean) / sqrt(var + eps) + beta``, of x's shape.

    Args:
        fn: the student's function; `gamma` and `beta` have shape (C,), `eps` is a float.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> def per_pixel(x, gamma, beta, eps):
        ...     return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
        >>> check_batchnorm_train_forward(per_pixel).diagnosis
        'bn_wrong_axis'
    """
    _check_timeout(timeout, "check_batchnorm_train_forward")
    names = ["x", "gamma", "beta", "eps"]

    def build(x, gamma, beta, dout, eps, hidden):
        args = (x, gamma, beta, eps)
        return _Case(args, _forward(*args), _describe_with_values(list(zip(names, args))),
                     _forward_mistakes(*args), hidden=hidden)

    return _run_cases(_name(fn, "batchnorm_forward"), fn, _bn_cases(110, build), timeout, names)


def check_batchnorm_backward(fn, timeout=DEFAULT_TIMEOUT):
    """Checks ``fn(dout, x, gamma, eps)``: the training-mode backward pass of batch normalisation.

    It returns ``(dx, dgamma, dbeta)`` of shapes x's, (C,) and (C,), the gradients of the loss
    with respect to x, gamma and beta given `dout`, the gradient with respect to the output
    ``gamma * (x - mean) / sqrt(var + eps) + beta`` (batch statistics over N, H, W, biased
    variance). The reference is `cnn_utils.nn.BatchNorm`'s backward pass:
    ``dx = gamma / sqrt(var + eps) * (dout - (dbeta + x_hat * dgamma) / m)``.

    Args:
        fn: the student's function; x and dout of shape (N, H, W, C), gamma (C,), eps a float.
        timeout: seconds one call may take.

    Returns:
        A `CheckResult`.

    Raises:
        TypeError: if `timeout` is not a positive number.

    Example:
        >>> def constant_stats(dout, x, gamma, eps):
        ...     std = np.sqrt(x.var(axis=(0, 1, 2)) + eps)
        ...     xhat = (x - x.mean(axis=(0, 1, 2))) / std
        ...     return dout * gamma / std, (dout * xhat).sum((0, 1, 2)), dout.sum((0, 1, 2))
        >>> check_batchnorm_backward(constant_stats).diagnosis
        'bn_grad_stats_constant'
    """
    _check_timeout(timeout, "check_batchnorm_backward")
    names = ["dout", "x", "gamma", "eps"]

    def build(x, gamma, beta, dout, eps, hidden):
        n, h, w, c = x.shape
        args = (dout, x, gamma, eps)
        hints = [("bn_param_grad_not_summed", (None, shape, shape))
                 for shape in [(h, w, c), (n, c), (n, h, w, c), (), (1, 1, 1, c)] if shape != (c,)]
        return _Case(args, _backward(*args), _describe_with_values(list(zip(names, args))),
                     _backward_mistakes(*args), hidden=hidden, shape_hints=hints, kind="arrays",
                     parts=("dx", "dgamma", "dbeta"))

    return _run_cases(_name(fn, "batchnorm_backward"), fn, _bn_cases(111, build), timeout, names)
