"""A CNN from scratch in numpy: layers with forward and backward passes, and a loss (chapter 9).

Every layer is a `Layer`: `forward(x)` (caching what its backward pass needs), `backward(dout)`
(returning the gradient with respect to its input and filling `grads`), and dicts `params` and
`grads` with the same keys. Shapes follow the rest of the package: images (N, H, W, C), filters
(KH, KW, C, K). Tests prove every forward and backward pass equal to TensorFlow's.
"""

import numpy as np

from .._validation import padding_spec, spatial_pair
from ..ops import _cols, _pads_and_output, _windows, col2im


class Layer:
    """What every layer has: `params` and `grads` (dicts with the same keys), `forward`, `backward`.

    A subclass sets its parameters in `__init__` (calling ``super().__init__()`` first) and lists
    the settings `__repr__` shows in `_config()`.

    Example:
        >>> Dense(np.zeros((3, 2)), np.zeros(2))
        Dense(W=(3, 2), b=(2,))
    """

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x).")

    def backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout).")

    def _config(self):
        """The settings besides the parameters, as (name, value) pairs, for `__repr__`."""
        return ()

    def __repr__(self):
        shapes = [f"{name}={tuple(value.shape)}" for name, value in self.params.items()]
        settings = [f"{name}={value!r}" for name, value in self._config()]
        return f"{type(self).__name__}({', '.join(shapes + settings)})"


class Conv2D(Layer):
    """Convolution plus bias: ``conv2d(x, W, strides, padding) + b``, by im2col and one product.

    Args:
        W: filters of shape (KH, KW, C, K).
        b: biases of shape (K,).
        strides: int or pair, as in `conv2d`.
        padding: "VALID", "SAME" or explicit pairs, as in `conv2d`.

    Example:
        >>> layer = Conv2D(np.ones((2, 2, 1, 1)), np.zeros(1))
        >>> layer.forward(np.arange(1., 10.).reshape(1, 3, 3, 1))[0, :, :, 0]
        array([[12., 16.],
               [24., 28.]])
    """

    def __init__(self, W, b, strides=1, padding="VALID"):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 4 or b.shape != (W.shape[3],):
            raise ValueError(
                f"Conv2D expects W of shape (KH, KW, C, K) and b of shape (K,); received "
                f"{W.shape} and {b.shape}. Give one bias per filter: b = np.zeros(W.shape[3])."
            )
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.strides = spatial_pair(strides, "strides", "Conv2D", "tf.nn.conv2d")
        padding_spec(padding, "Conv2D", allow_explicit=True)   # check it now, not mid-training
        self.padding = padding

    def _config(self):
        return (("strides", self.strides), ("padding", self.padding))

    def forward(self, x):
        W, b = self.params["W"], self.params["b"]
        kh, kw, c, k = W.shape
        if x.ndim != 4 or x.shape[3] != c:
            raise ValueError(f"Conv2D expects input (N, H, W, {c}); received shape {x.shape}.")
        pads, out_hw = _pads_and_output("Conv2D", x.shape[1:3], (kh, kw), self.strides,
                                        padding_spec(self.padding, "Conv2D", allow_explicit=True))
        x = x.astype(W.dtype, copy=False)
        xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0))) if any(pads[0] + pads[1]) else x
        n, taps = x.shape[0], kh * kw * c
        # im2col's transpose, (KH*KW*C + 1, N*OH*OW): one row per filter tap, so the copy reads
        # whole image rows at a time, plus a last row of ones that multiplies the bias: the bias
        # is a weight on an input that is always 1, and the one product adds it for free.
        shape = (taps + 1, n * out_hw[0] * out_hw[1])
        if getattr(self, "cols_t", None) is None or self.cols_t.shape != shape \
                or self.cols_t.dtype != W.dtype:
            self.cols_t = np.empty(shape, W.dtype)   # kept for the next batch of the same size
            self.cols_t[taps] = 1
        windows = _windows(xp, (kh, kw), self.strides, out_hw)               # (N, OH, OW, C, KH, KW)
        np.copyto(self.cols_t[:taps].reshape(kh, kw, c, n, *out_hw), windows.transpose(4, 5, 3, 0, 1, 2))
        self.x_shape = x.shape
        out = self.cols_t.T @ np.vstack([W.reshape(taps, k), b])             # (N*OH*OW, K)
        return out.reshape(n, *out_hw, k)

    def backward(self, dout, input_grad=True):
        """Fills `grads`; returns d(loss)/d(input), or None when `input_grad` is False.

        The first layer of a network has no use for the gradient of the image: skipping it saves
        the largest part of the backward pass.
        """
        W = self.params["W"]
        k = W.shape[3]
        d = dout.reshape(-1, k)                                   # (N*OH*OW, K)
        g = self.cols_t @ d                 # every window times its gradient; the ones row: sum(d)
        self.grads["W"][...] = g[:-1].reshape(W.shape)
        self.grads["b"][...] = g[-1]
        if not input_grad:
            return None
        dcols = d @ W.reshape(-1, k).T                            # (N*OH*OW, KH*KW*C)
        return col2im(dcols, self.x_shape, W.shape[:2], self.strides, self.padding)


class ReLU(Layer):
    """``max(x, 0)``; its gradient passes where the input was positive."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class MaxPool2D(Layer):
    """Max pooling with the gradient routed to each window's (first) largest input, as TensorFlow does.

    Non-overlapping windows (ksize == strides, "VALID") take a fast path: a reshape splits each
    axis into (window, position in the window), so the KH*KW positions are strided views of the
    input, compared one after another, with no copy of the windows. Any other configuration
    gathers the windows (im2col) and scatters the gradient back with `col2im`.

    Args:
        ksize: int or pair, the window size.
        strides: int or pair (default: `ksize`).
        padding: "VALID" or "SAME".
    """

    def __init__(self, ksize=2, strides=None, padding="VALID"):
        super().__init__()
        self.ksize = spatial_pair(ksize, "ksize", "MaxPool2D", "tf.nn.max_pool2d")
        self.strides = spatial_pair(strides if strides is not None else ksize, "strides", "MaxPool2D",
                                    "tf.nn.max_pool2d")
        self.padding = padding_spec(padding, "MaxPool2D", allow_explicit=False)
        self.fast = self.ksize == self.strides and self.padding == "VALID"

    def _config(self):
        return (("ksize", self.ksize), ("strides", self.strides), ("padding", self.padding))

    def forward(self, x):
        self.x_shape = x.shape
        (kh, kw), (sh, sw) = self.ksize, self.strides
        pads, (oh, ow) = _pads_and_output("MaxPool2D", x.shape[1:3], self.ksize, self.strides,
                                          self.padding)
        n, c = x.shape[0], x.shape[3]
        if self.fast:
            self.xr = x[:, :oh * kh, :ow * kw].reshape(n, oh, kh, ow, kw, c)  # a view
            self.top = self.xr[:, :, 0, :, 0, :]
            for u in range(kh):
                for v in range(kw):
                    self.top = np.maximum(self.top, self.xr[:, :, u, :, v, :])
            return self.top
        fill = -np.inf if np.issubdtype(x.dtype, np.floating) else np.iinfo(x.dtype).min
        xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=fill)
        windows = _cols(xp, self.ksize, self.strides, (oh, ow)).reshape(n, oh, ow, kh * kw, c)
        self.arg = windows.argmax(axis=3)                                  # (N, OH, OW, C)
        return np.take_along_axis(windows, self.arg[:, :, :, np.newaxis], axis=3)[:, :, :, 0]

    def backward(self, dout):
        n, h, w, c = self.x_shape
        (kh, kw), (oh, ow) = self.ksize, dout.shape[1:3]
        if self.fast:
            covered = (oh * kh, ow * kw) == (h, w)      # no leftover rows/columns to zero
            dx = np.empty(self.x_shape, dout.dtype) if covered else np.zeros(self.x_shape, dout.dtype)
            dxr = dx[:, :oh * kh, :ow * kw].reshape(n, oh, kh, ow, kw, c)   # a view into dx
            taken = None
            for u in range(kh):          # window positions in row-major order: the first position
                for v in range(kw):      # holding the maximum receives the gradient (ties too)
                    hit = self.xr[:, :, u, :, v, :] == self.top
                    if taken is None:
                        taken = hit
                    else:
                        hit &= ~taken
                        taken |= hit
                    np.multiply(hit, dout, out=dxr[:, :, u, :, v, :])
            return dx
        # One-hot of the winner in every window, scaled by that window's gradient.
        grad = (self.arg[:, :, :, np.newaxis, :] == np.arange(kh * kw)[:, np.newaxis]) \
            * dout[:, :, :, np.newaxis, :]                                   # (N, OH, OW, KH*KW, C)
        return col2im(grad.reshape(n * oh * ow, kh * kw * c), self.x_shape, self.ksize,
                      self.strides, self.padding)


class Flatten(Layer):
    """(N, H, W, C) -> (N, H*W*C), in NHWC order as Keras's Flatten."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.x_shape)


class Dense(Layer):
    """Fully connected layer ``x @ W + b`` with W of shape (D, M) and b of shape (M,)."""

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"Dense expects W of shape (D, M) and b of shape (M,); received {W.shape} and "
                f"{b.shape}. Give one bias per output: b = np.zeros(W.shape[1])."
            )
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.params["W"].shape[0]:
            raise ValueError(
                f"Dense expects input (N, {self.params['W'].shape[0]}); received shape {x.shape}. "
                f"Put a Flatten layer before it."
            )
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        self.grads["W"][...] = self.x.T @ dout
        self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"].T


class SoftmaxCrossEntropy:
    """Softmax over the last axis and the mean cross-entropy with integer labels.

    Example:
        >>> loss = SoftmaxCrossEntropy()
        >>> round(float(loss.forward(np.zeros((1, 10)), np.array([3]))), 4)  # log(10)
        2.3026
    """

    def forward(self, logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)   # no overflow in exp
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs, self.labels = np.exp(log_probs), np.asarray(labels)
        return -log_probs[np.arange(len(logits)), self.labels].mean()

    def backward(self):
        grad = self.probs.copy()
        grad[np.arange(len(grad)), self.labels] -= 1
        return grad / len(grad)


class Sequential:
    """Layers applied in order; `backward` runs them in reverse.

    Example:
        >>> Sequential([Flatten(), Dense(np.zeros((4, 2)), np.zeros(2))])
        Sequential([
            Flatten(),
            Dense(W=(4, 2), b=(2,)),
        ])
    """

    def __init__(self, layers):
        self.layers = list(layers)

    def __repr__(self):
        return "Sequential([\n" + "".join(f"    {layer!r},\n" for layer in self.layers) + "])"

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        """Back-propagates `dout` through every layer, filling their `grads`."""
        for layer in reversed(self.layers[1:]):
            dout = layer.backward(dout)
        first = self.layers[0]
        if isinstance(first, Conv2D):       # the image's own gradient is never needed
            return first.backward(dout, input_grad=False)
        return first.backward(dout)

    def parameters(self):
        """Pairs (parameter, gradient), each an array updated in place."""
        return [(layer.params[k], layer.grads[k]) for layer in self.layers for k in layer.params]
