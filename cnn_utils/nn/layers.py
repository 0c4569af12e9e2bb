"""A CNN from scratch in numpy: layers with forward and backward passes, and a loss (chapter 9).

Every layer is a `Layer`: `forward(x)` (caching what its backward pass needs), `backward(dout)`
(returning the gradient with respect to its input and filling `grads`), and dicts `params` and
`grads` with the same keys. Shapes follow the rest of the package: images (N, H, W, C), filters
(KH, KW, C, K). Tests prove every forward and backward pass equal to TensorFlow's.

Contracts every layer keeps: `forward` and `backward` take any array-like (nested lists too, read
with np.asarray as the ops do) and raise a clear error for a wrong rank or shape; weights must be
float arrays (they are trained in place); a layer's output is a new array, never a buffer its
backward pass reads, so changing the output in place cannot corrupt the gradients. The one view
is `Flatten`'s output, a reshape of its input as numpy's reshape gives it (its backward reads
only the shape). Layers keep a reference to their input where the backward pass needs it (Dense),
as a tape does: change the input in place only after `backward`.
"""

import numpy as np

from .._validation import as_numeric_array, check_rank4, padding_spec, pool_padding_spec, spatial_pair
from ..ops import _ADD_AXES, _cols, _lowest, _windows, col2im
from ..shapes import conv_geometry


def _float_params(op, **arrays):
    """The parameters as arrays; raises unless they are float (an int array cannot be trained)."""
    arrays = {name: np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if not np.issubdtype(value.dtype, np.floating):
            raise TypeError(
                f"{op} expects float parameters (they are updated in place by the optimiser, and "
                f"an integer array would truncate every step); received {name} of dtype "
                f"{value.dtype}. Convert it first, e.g. {name}.astype(np.float32)."
            )
    return arrays.values()


def _check_dout(layer, dout, expected):
    """`dout` as an array of the shape the forward pass returned; raises otherwise."""
    op = type(layer).__name__
    if expected is None:
        raise RuntimeError(f"{op}.backward needs the forward pass first: call {op}.forward(x).")
    dout = as_numeric_array(dout, "dout", f"{op}.backward")
    if dout.shape != expected:
        raise ValueError(
            f"{op}.backward expects `dout` of the forward output's shape {expected}; received "
            f"shape {dout.shape}. Pass the gradient of the loss with respect to this layer's output."
        )
    return dout


class Layer:
    """What every layer has: `params` and `grads` (dicts with the same keys), `forward`, `backward`.

    A subclass sets its parameters in `__init__` (calling ``super().__init__()`` first) and lists
    the settings `__repr__` shows in `_config()`.

    Example:
        >>> Dense(np.zeros((3, 2)), np.zeros(2))
        Dense(W=(3, 2), b=(2,))
    """

    has_training_mode = False   # True: forward(x, training) (BatchNorm), and Sequential passes it

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
        if 0 in W.shape:
            raise ValueError(f"Conv2D expects non-empty W (every axis >= 1), as tf.nn.conv2d does; "
                             f"received shape {W.shape}.")
        W, b = _float_params("Conv2D", W=W, b=b)
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.strides = spatial_pair(strides, "strides", "Conv2D", "tf.nn.conv2d")
        self._spec = padding_spec(padding, "Conv2D")   # check it now, not mid-training
        self.padding = padding
        self.out_shape = None

    def _config(self):
        return (("strides", self.strides), ("padding", self.padding))

    def forward(self, x):
        W, b = self.params["W"], self.params["b"]
        kh, kw, c, k = W.shape
        x = as_numeric_array(x, "input", "Conv2D")
        if x.ndim != 4 or x.shape[3] != c or 0 in x.shape[1:3]:
            fix = (f"Its channels must match W.shape[2] = {c}." if x.ndim == 4 and x.shape[3] != c
                   else "H and W must be >= 1." if x.ndim == 4 else _ADD_AXES)
            raise ValueError(f"Conv2D expects input (N, H, W, {c}); received shape {x.shape}. {fix}")
        pads, out_hw = conv_geometry(x.shape[1:3], (kh, kw), self.strides, self._spec, op="Conv2D")
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
        self.x_shape, self.out_shape = x.shape, (n, *out_hw, k)
        out = self.cols_t.T @ np.vstack([W.reshape(taps, k), b])             # (N*OH*OW, K), new
        return out.reshape(self.out_shape)

    def backward(self, dout, input_grad=True):
        """Fills `grads`; returns d(loss)/d(input), or None when `input_grad` is False.

        The first layer of a network has no use for the gradient of the image: skipping it saves
        the largest part of the backward pass.
        """
        W = self.params["W"]
        k = W.shape[3]
        d = _check_dout(self, dout, self.out_shape).reshape(-1, k)        # (N*OH*OW, K)
        g = self.cols_t @ d                 # every window times its gradient; the ones row: sum(d)
        self.grads["W"][...] = g[:-1].reshape(W.shape)
        self.grads["b"][...] = g[-1]
        if not input_grad:
            return None
        dcols = d @ W.reshape(-1, k).T                            # (N*OH*OW, KH*KW*C)
        return col2im(dcols, self.x_shape, W.shape[:2], self.strides, self._spec)


class ReLU(Layer):
    """``max(x, 0)``; its gradient passes where the input was positive."""

    def __init__(self):
        super().__init__()
        self.mask = None

    def forward(self, x):
        x = as_numeric_array(x, "input", "ReLU")
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return _check_dout(self, dout, None if self.mask is None else self.mask.shape) * self.mask


class MaxPool2D(Layer):
    """Max pooling with the gradient routed as TensorFlow routes it.

    The forward pass is `max_pool2d`'s: padded cells never count, a NaN is ignored, and a window
    of nothing but -inf or NaN gives ``np.finfo(dtype).min``. The gradient goes where TensorFlow's
    MaxPoolGrad sends it: scanning the window's real cells in row-major order, the first cell is
    taken and then replaced only by a strictly larger value. So ties go to the first maximum, and
    a window whose first cell is NaN sends its gradient to that NaN (TensorFlow's forward and
    backward differ there; this layer keeps both).

    Non-overlapping windows (ksize == strides, "VALID") take a fast path: a reshape splits each
    axis into (window, position in the window), so the KH*KW positions are strided views of the
    input, compared one after another, with no copy of the windows. Any other configuration
    gathers the windows (im2col) and scatters the gradient back with `col2im`. Both paths find
    the same winners.

    Args:
        ksize: int or pair, the window size.
        strides: int or pair (default: `ksize`).
        padding: as `max_pool2d` takes it: "VALID", "SAME", an int P or explicit pairs.
    """

    def __init__(self, ksize=2, strides=None, padding="VALID"):
        super().__init__()
        self.ksize = spatial_pair(ksize, "ksize", "MaxPool2D", "tf.nn.max_pool2d")
        self.strides = spatial_pair(strides if strides is not None else ksize, "strides", "MaxPool2D",
                                    "tf.nn.max_pool2d")
        self.padding = pool_padding_spec("MaxPool2D", "tf.nn.max_pool2d", padding, self.ksize)
        self.fast = self.ksize == self.strides and self.padding == "VALID"
        self.out_shape = None

    def _config(self):
        return (("ksize", self.ksize), ("strides", self.strides), ("padding", self.padding))

    def forward(self, x):
        op = "MaxPool2D"
        x = as_numeric_array(x, "input", op)
        check_rank4(x, "input", op, "(N, H, W, C)", _ADD_AXES)
        if 0 in x.shape[1:]:
            raise ValueError(f"{op} expects non-empty input (H, W, C >= 1); received shape {x.shape}.")
        (kh, kw), (n, c) = self.ksize, (x.shape[0], x.shape[3])
        pads, (oh, ow) = conv_geometry(x.shape[1:3], self.ksize, self.strides, self.padding, op=op)
        low = _lowest(x.dtype)
        self.x_shape, self.out_shape = x.shape, (n, oh, ow, c)
        if self.fast and not (np.issubdtype(x.dtype, np.floating) and np.isnan(x).any()):
            # Without NaN, TensorFlow's winner is the first cell holding the window's maximum: the
            # maximum of the KH*KW strided views is all the forward pass needs, and the backward
            # pass finds the first cell equal to it.
            self.xr = x[:, :oh * kh, :ow * kw].reshape(n, oh, kh, ow, kw, c)   # a view
            self.top = self.xr[:, :, 0, :, 0, :]
            for u in range(kh):
                for v in range(kw):
                    self.top = np.maximum(self.top, self.xr[:, :, u, :, v, :])   # a new array
            self.arg = None
            return np.fmax(self.top, low)        # a new array: self.top stays the backward's own
        self.xr = self.top = None
        if self.fast:
            xr = x[:, :oh * kh, :ow * kw].reshape(n, oh, kh, ow, kw, c)   # a view
            cells = [xr[:, :, u, :, v, :] for u in range(kh) for v in range(kw)]
            real = [None] * len(cells)                                    # no padding
        else:
            pad_width = ((0, 0), pads[0], pads[1], (0, 0))
            windows = _cols(np.pad(x, pad_width, constant_values=low), self.ksize, self.strides,
                            (oh, ow)).reshape(n, oh, ow, kh * kw, c)
            inside = np.pad(np.ones((1, *x.shape[1:3], 1), bool), pad_width)
            inside = _cols(inside, self.ksize, self.strides, (oh, ow)).reshape(1, oh, ow, kh * kw, 1)
            cells = [windows[:, :, :, p, :] for p in range(kh * kw)]
            real = [inside[:, :, :, p, :] for p in range(kh * kw)]
        shape = (n, oh, ow, c)
        self.arg = np.zeros(shape, np.int8 if kh * kw < 128 else np.intp)
        if self.fast:
            best = cells[0].copy()               # every cell is real: the first one starts
        else:
            self.arg[...] = -1
            best = np.zeros(shape, x.dtype)
        for p, (cell, inside) in enumerate(zip(cells, real)):
            if self.fast and p == 0:
                continue
            # TensorFlow's MaxPoolGrad: the first real cell, then any strictly larger one.
            take = cell > best
            if inside is not None:
                take = (take | (self.arg < 0)) & inside
            np.copyto(best, cell, where=take)
            np.copyto(self.arg, p, where=take)
        # The forward value is max_pool2d's. `best` is it, except where a window's first cell is NaN
        # (nothing is larger than NaN): there the NaN-skipping maximum of the window. At least `low`.
        out = best
        if np.issubdtype(x.dtype, np.floating):
            first_nan = np.isnan(out)
            if first_nan.any():
                out = np.where(first_nan, np.fmax.reduce(np.stack(cells), axis=0), out)
        np.fmax(out, low, out=out)
        return out                               # a new array: the backward pass reads self.arg

    def backward(self, dout):
        dout = _check_dout(self, dout, self.out_shape)
        n, h, w, c = self.x_shape
        (kh, kw), (oh, ow) = self.ksize, dout.shape[1:3]
        if self.fast:
            covered = (oh * kh, ow * kw) == (h, w)      # no leftover rows/columns to zero
            dx = np.empty(self.x_shape, dout.dtype) if covered else np.zeros(self.x_shape, dout.dtype)
            dxr = dx[:, :oh * kh, :ow * kw].reshape(n, oh, kh, ow, kw, c)   # a view into dx
            if self.arg is not None:                    # the input had NaN: winners were recorded
                for p, (u, v) in enumerate(np.ndindex(kh, kw)):
                    np.multiply(self.arg == p, dout, out=dxr[:, :, u, :, v, :])
                return dx
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
    """(N, H, W, C) -> (N, H*W*C), in NHWC order as Keras's Flatten.

    The output is a reshape of the input, a view as numpy's reshape gives it (no copy): writing
    into it writes into the input. The backward pass reads only the input's shape, so it cannot
    be corrupted that way.
    """

    def __init__(self):
        super().__init__()
        self.x_shape = None

    def forward(self, x):
        x = as_numeric_array(x, "input", "Flatten")
        if x.ndim < 1:
            raise ValueError(f"Flatten expects input with a batch axis (N, ...); received a scalar, "
                             f"shape {x.shape}. Give it a batch of examples.")
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        expected = None if self.x_shape is None else (self.x_shape[0], int(np.prod(self.x_shape[1:])))
        return _check_dout(self, dout, expected).reshape(self.x_shape)


class Dense(Layer):
    """Fully connected layer ``x @ W + b`` with W of shape (D, M) and b of shape (M,)."""

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"Dense expects W of shape (D, M) and b of shape (M,); received {W.shape} and "
                f"{b.shape}. Give one bias per output: b = np.zeros(W.shape[1])."
            )
        W, b = _float_params("Dense", W=W, b=b)
        super().__init__()
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.x = None

    def forward(self, x):
        x = as_numeric_array(x, "input", "Dense")
        if x.ndim != 2 or x.shape[1] != self.params["W"].shape[0]:
            raise ValueError(
                f"Dense expects input (N, {self.params['W'].shape[0]}); received shape {x.shape}. "
                f"Put a Flatten layer before it."
            )
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        expected = None if self.x is None else (self.x.shape[0], self.params["W"].shape[1])
        dout = _check_dout(self, dout, expected)
        self.grads["W"][...] = self.x.T @ dout
        self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"].T


class SoftmaxCrossEntropy:
    """Softmax over the last axis and the mean cross-entropy with integer labels.

    Labels are class indices, one per example, as `tf.nn.sparse_softmax_cross_entropy_with_logits`
    takes them: integers in [0, classes). One-hot labels, float labels, labels out of range or of
    another length than the logits raise.

    Example:
        >>> loss = SoftmaxCrossEntropy()
        >>> round(float(loss.forward(np.zeros((1, 10)), np.array([3]))), 4)  # log(10)
        2.3026
    """

    def forward(self, logits, labels):
        op = "SoftmaxCrossEntropy"
        logits = as_numeric_array(logits, "logits", op)
        if logits.ndim != 2 or 0 in logits.shape:
            raise ValueError(f"{op} expects `logits` of shape (N, classes); received shape "
                             f"{logits.shape}. Pass the last Dense layer's output.")
        labels = np.asarray(labels)
        n, classes = logits.shape
        if labels.ndim == 2 and labels.shape == logits.shape:
            raise ValueError(
                f"{op} expects integer labels of shape (N,), one class index per example, as "
                f"tf.nn.sparse_softmax_cross_entropy_with_logits takes them; received labels of "
                f"shape {labels.shape}, the logits' shape (one-hot?). Pass labels.argmax(axis=1)."
            )
        if labels.ndim != 1:
            raise ValueError(f"{op} expects labels of shape (N,) = ({n},); received shape "
                             f"{labels.shape}. Give one class index per example.")
        if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"{op} expects integer labels (class indices), as "
                f"tf.nn.sparse_softmax_cross_entropy_with_logits does; received dtype "
                f"{labels.dtype}. Convert whole-number labels with labels.astype(int)."
            )
        if len(labels) != n:
            raise ValueError(f"{op} expects one label per row of the logits, {n}; received "
                             f"{len(labels)} labels. Pass the labels of the same batch.")
        bad = (labels < 0) | (labels >= classes)
        if bad.any():
            raise ValueError(
                f"{op} expects labels in [0, {classes}) for {classes} classes; received the label "
                f"value {labels[bad][0]} (at index {int(np.argmax(bad))}). Check the labels, or "
                f"give the last layer as many outputs as there are classes."
            )
        shifted = logits - logits.max(axis=1, keepdims=True)   # no overflow in exp
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs, self.labels = np.exp(log_probs), labels
        return -log_probs[np.arange(n), labels].mean()

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

    def forward(self, x, training=True):
        """The layers in order; `training` goes to the layers that have modes (`BatchNorm`)."""
        for layer in self.layers:   # getattr: a layer of one's own need not subclass `Layer`
            modes = getattr(layer, "has_training_mode", False)
            x = layer.forward(x, training) if modes else layer.forward(x)
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
