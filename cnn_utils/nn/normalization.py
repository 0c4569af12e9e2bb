"""Batch normalisation from scratch: forward and backward, training and inference modes.

Used in chapter 11.

`BatchNorm` is a `Layer` of `cnn_utils.nn` (the contracts of `cnn_utils.nn.layers` hold: any
array-like input, a new output array, clear errors) that computes what `keras.layers.
BatchNormalization` (axis=-1) computes; the tests prove it equal to Keras's layer and to
`tf.GradientTape`. Statistics are taken per channel (the last axis) over every other axis: (N,) for
(N, C) input, (N, H, W) for (N, H, W, C) input.

The backward pass in training mode, derived. Per channel, with m values x_i, the batch mean
``mu = mean(x)``, the biased variance ``var = mean((x - mu)^2)`` (divided by m, as Keras does),
``s = sqrt(var + eps)``, ``xhat_i = (x_i - mu) / s`` and ``y_i = gamma * xhat_i + beta``. Let
``g_i = dL/dy_i``. Then ``dL/dbeta = sum(g)`` and ``dL/dgamma = sum(g * xhat)``. Every x_j moves
every xhat_i, through mu and through s: ``dmu/dx_j = 1/m`` and ``ds/dx_j = (x_j - mu) / (m s)``
(the mean's own change adds ``-2/m * sum(x_i - mu) = 0`` to dvar), so

    dxhat_i/dx_j = (delta_ij - 1/m - xhat_i * xhat_j / m) / s

and, summing ``gamma * g_i * dxhat_i/dx_j`` over i,

    dx_j = gamma / s * (g_j - mean(g) - xhat_j * mean(g * xhat))
         = gamma / s * (g_j - (dbeta + xhat_j * dgamma) / m).

The two subtracted terms are what the mean and the variance take away: the gradient cannot move
the channel's mean or its spread, so dx sums to zero over each channel and is orthogonal to xhat.
In inference mode the moving statistics are constants and the layer is the affine map
``y = gamma / sqrt(moving_variance + eps) * (x - moving_mean) + beta``: ``dx = gamma / s * g``.
"""

import numbers

import numpy as np

from .._validation import as_numeric_array
from .layers import Layer, _check_dout, _float_params


def _momentum(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"BatchNorm expects `momentum` to be a number in [0, 1], as "
                        f"keras.layers.BatchNormalization takes it; received {value!r}. Use e.g. 0.99.")
    if not 0 <= value <= 1:
        raise ValueError(f"BatchNorm expects `momentum` in [0, 1] (the share of the old moving "
                         f"statistics kept at each step); received {value!r}. Use e.g. 0.99 or 0.9.")
    return float(value)


def _epsilon(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"BatchNorm expects `epsilon` to be a positive number (it keeps "
                         f"sqrt(var + epsilon) away from 0); received {value!r}. Use e.g. 1e-3.")
    return float(value)


class BatchNorm(Layer):
    """Batch normalisation over the last axis, as ``keras.layers.BatchNormalization(axis=-1)``.

    Training mode (``forward(x, training=True)``) normalises each channel with the batch's mean and
    biased variance and updates the moving statistics as Keras does:
    ``moving = moving * momentum + batch * (1 - momentum)``, the biased variance there too.
    Inference mode (``training=False``) normalises with the moving statistics and changes nothing.
    `backward` differentiates the mode of the last forward pass (see the module docstring).

    Args:
        gamma, beta: float arrays of shape (C,), the learned scale and shift (Keras starts them at
            ones and zeros).
        momentum: number in [0, 1], as Keras's (default 0.99).
        epsilon: positive number added to the variance under the square root (default 1e-3).
        moving_mean, moving_variance: optional initial moving statistics, shape (C,); default zeros
            and ones, as Keras's.

    Attributes:
        moving_mean, moving_variance: arrays of shape (C,), gamma's dtype; not in `params` (no
            optimiser trains them).

    Example:
        >>> layer = BatchNorm(np.ones(1), np.zeros(1))
        >>> layer.forward(np.array([[1.], [2.], [3.], [6.]])).ravel().round(3)  # mean 3, var 3.5
        array([-1.069, -0.534,  0.   ,  1.603])
        >>> layer.moving_mean, layer.moving_variance   # 0.99 * (0, 1) + 0.01 * (3, 3.5)
        (array([0.03]), array([1.025]))
        >>> layer.backward(np.array([[1.], [0.], [0.], [0.]])).ravel().round(3)
        array([ 0.248, -0.21 , -0.134,  0.095])
    """

    has_training_mode = True

    def __init__(self, gamma, beta, momentum=0.99, epsilon=1e-3, moving_mean=None, moving_variance=None):
        gamma, beta = np.asarray(gamma), np.asarray(beta)
        if gamma.ndim != 1 or beta.shape != gamma.shape or gamma.size == 0:
            raise ValueError(f"BatchNorm expects gamma and beta of the same shape (C,), one value per "
                             f"channel; received {gamma.shape} and {beta.shape}. Start with "
                             f"gamma = np.ones(C) and beta = np.zeros(C).")
        gamma, beta = _float_params("BatchNorm", gamma=gamma, beta=beta)
        super().__init__()
        self.params = {"gamma": gamma, "beta": beta}
        self.grads = {"gamma": np.zeros_like(gamma), "beta": np.zeros_like(beta)}
        self.momentum, self.epsilon = _momentum(momentum), _epsilon(epsilon)
        c = gamma.shape[0]
        moving = {}
        for name, value, default in (("moving_mean", moving_mean, 0.0),
                                     ("moving_variance", moving_variance, 1.0)):
            value = np.full(c, default) if value is None else np.asarray(value)
            if value.shape != (c,):
                raise ValueError(f"BatchNorm expects {name} of shape ({c},), one value per channel; "
                                 f"received shape {value.shape}.")
            moving[name] = value.astype(gamma.dtype)
        self.moving_mean, self.moving_variance = moving["moving_mean"], moving["moving_variance"]
        self.out_shape = None

    def _config(self):
        return (("momentum", self.momentum), ("epsilon", self.epsilon))

    def forward(self, x, training=True):
        gamma, beta = self.params["gamma"], self.params["beta"]
        c = gamma.shape[0]
        if not isinstance(training, (bool, np.bool_)):
            raise TypeError(f"BatchNorm.forward expects `training` to be True or False; received "
                            f"{training!r}.")
        x = as_numeric_array(x, "input", "BatchNorm")
        if x.ndim not in (2, 4) or x.shape[-1] != c or x.size == 0:
            wrong_channels = x.ndim in (2, 4) and x.shape[-1] != c
            fix = (f"Its last axis must hold the {c} channels of gamma." if wrong_channels
                   else "Every axis must be >= 1." if x.ndim in (2, 4)
                   else "Give a batch: x[np.newaxis] for one example.")
            raise ValueError(f"BatchNorm expects input (N, {c}) or (N, H, W, {c}); received shape "
                             f"{x.shape}. {fix}")
        x = x.astype(gamma.dtype, copy=False)
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = x.mean(axis=axes)
            var = ((x - mean) ** 2).mean(axis=axes)          # biased: divided by m, as Keras
            m = self.momentum
            self.moving_mean = (self.moving_mean * m + mean * (1 - m)).astype(gamma.dtype)
            self.moving_variance = (self.moving_variance * m + var * (1 - m)).astype(gamma.dtype)
        else:
            mean, var = self.moving_mean, self.moving_variance
        self.inv_std = (1 / np.sqrt(var + self.epsilon)).astype(gamma.dtype)
        self.xhat = (x - mean) * self.inv_std
        self.training, self.out_shape = bool(training), x.shape
        return gamma * self.xhat + beta

    def backward(self, dout):
        dout = _check_dout(self, dout, self.out_shape)
        axes = tuple(range(dout.ndim - 1))
        gamma = self.params["gamma"]
        dbeta = dout.sum(axis=axes)
        dgamma = (dout * self.xhat).sum(axis=axes)
        self.grads["beta"][...] = dbeta
        self.grads["gamma"][...] = dgamma
        scale = gamma * self.inv_std
        if not self.training:
            return scale * dout
        m = dout.size // dout.shape[-1]
        return scale * (dout - (dbeta + self.xhat * dgamma) / m)
