"""A CNN from scratch in numpy: layers with forward and backward passes, a loss, optimisers.

Every layer has `forward(x)` (caching what its backward pass needs), `backward(dout)` (returning
the gradient with respect to its input and filling `grads`), and dicts `params` and `grads` with
the same keys. Shapes follow the rest of the package: images (N, H, W, C), filters (KH, KW, C, K).
"""

import math

import numpy as np

from ._validation import padding_spec, spatial_pair
from .ops import _cols, _pads_and_output, _windows, col2im


class Conv2D:
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
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.strides = spatial_pair(strides, "strides", "Conv2D", "tf.nn.conv2d")
        padding_spec(padding, "Conv2D", allow_explicit=True)   # check it now, not mid-training
        self.padding = padding

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


class ReLU:
    """``max(x, 0)``; its gradient passes where the input was positive."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class MaxPool2D:
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
        self.params, self.grads = {}, {}
        self.ksize = spatial_pair(ksize, "ksize", "MaxPool2D", "tf.nn.max_pool2d")
        self.strides = spatial_pair(strides if strides is not None else ksize, "strides", "MaxPool2D",
                                    "tf.nn.max_pool2d")
        self.padding = padding_spec(padding, "MaxPool2D", allow_explicit=False)
        self.fast = self.ksize == self.strides and self.padding == "VALID"

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


class Flatten:
    """(N, H, W, C) -> (N, H*W*C), in NHWC order as Keras's Flatten."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.x_shape)


class Dense:
    """Fully connected layer ``x @ W + b`` with W of shape (D, M) and b of shape (M,)."""

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"Dense expects W of shape (D, M) and b of shape (M,); received {W.shape} and "
                f"{b.shape}. Give one bias per output: b = np.zeros(W.shape[1])."
            )
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
    """Layers applied in order; `backward` runs them in reverse."""

    def __init__(self, layers):
        self.layers = list(layers)

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


class SGD:
    """Stochastic gradient descent with momentum: ``v = m v - lr g; p += v``.

    `lr` is a number, or a schedule: a function of the number of steps taken so far that returns
    the learning rate (as a Keras `LearningRateSchedule`), e.g. `one_cycle`.
    """

    def __init__(self, parameters, lr=0.01, momentum=0.9):
        self.parameters, self.lr, self.momentum = parameters, lr, momentum
        self.velocity = [np.zeros_like(p) for p, _ in parameters]
        self.t = 0

    def step(self):
        lr = float(self.lr(self.t) if callable(self.lr) else self.lr)
        self.t += 1
        for (p, g), v in zip(self.parameters, self.velocity):
            v *= self.momentum
            v -= lr * g
            p += v


class Adam:
    """Adam (Kingma and Ba, 2015), with bias-corrected moment estimates, as `keras.optimizers.Adam`.

    `lr` is a number or a schedule, as for `SGD`.
    """

    def __init__(self, parameters, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
        self.parameters, self.lr, self.beta1, self.beta2, self.eps = parameters, lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p, _ in parameters]
        self.v = [np.zeros_like(p) for p, _ in parameters]
        self.t = 0

    def step(self):
        base = self.lr(self.t) if callable(self.lr) else self.lr     # the rate for this step
        self.t += 1
        # A Python float: a numpy float64 scalar would turn float32 arithmetic into float64.
        lr = float(base * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t))
        for (p, g), m, v in zip(self.parameters, self.m, self.v):
            tmp = np.multiply(g, 1 - self.beta1)      # every step in place: no temporary arrays
            m *= self.beta1                            # but this one
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.beta2
            v *= self.beta2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr
            p -= tmp


def one_cycle(total_steps, peak_lr, warmup_fraction=0.2):
    """Learning rate that rises linearly to `peak_lr`, then falls along a cosine to almost zero.

    The same schedule as `cnn_utils.keras_mnist.one_cycle` (Keras's `CosineDecay` with warm-up,
    from `peak_lr / 10`, down to 1% of `peak_lr`), as a plain function for `SGD` and `Adam`.

    Args:
        total_steps: int, the number of optimiser steps of the whole training.
        peak_lr: float, the largest learning rate.
        warmup_fraction: float in (0, 1), the share of steps spent rising.

    Returns:
        A function ``schedule(step) -> float``.

    Example:
        >>> schedule = one_cycle(100, 1e-2)
        >>> [round(schedule(step), 5) for step in (0, 10, 20, 100)]
        [0.001, 0.0055, 0.01, 0.0001]
    """
    if not isinstance(total_steps, (int, np.integer)) or total_steps < 2:
        raise ValueError(f"one_cycle expects total_steps, an int >= 2; received {total_steps!r}. "
                         f"Give the number of mini-batches of the whole training: epochs * batches.")
    if not 0 < warmup_fraction < 1:
        raise ValueError(f"one_cycle expects 0 < warmup_fraction < 1; received {warmup_fraction!r}.")
    warmup = max(1, int(total_steps * warmup_fraction))
    decay = total_steps - warmup
    start, alpha = peak_lr / 10, 0.01

    def schedule(step):
        if step < warmup:
            return start + (peak_lr - start) * step / warmup
        done = min(step - warmup, decay) / decay
        return peak_lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * done)) + alpha)

    return schedule


def he_normal(shape, fan_in, rng, dtype=np.float32):
    """Weights drawn from N(0, 2 / fan_in): keeps activations' scale through ReLU layers."""
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def simple_convnet(rng, filters=30, kernel_size=5, hidden=100, num_classes=10, dtype=np.float32):
    """The network of "밑바닥부터 시작하는 딥러닝" chapter 7, for 28x28x1 images.

    conv (30 filters 5x5, stride 1, VALID) - ReLU - 2x2 max pool - dense 100 - ReLU - dense 10,
    built as conv - max pool - ReLU: ReLU is monotonic, so ``relu(max(a, b)) == max(relu(a),
    relu(b))`` and the two orders give the same outputs and gradients, but ReLU then runs on a
    four times smaller array and the pooling sees no ties between ReLU's zeros.

    Args:
        rng: a `np.random.Generator` for the initial weights (He initialisation, zero biases).
        filters, kernel_size, hidden, num_classes: the layer sizes.
        dtype: the parameters' dtype.

    Returns:
        A `Sequential`.

    Example:
        >>> net = simple_convnet(np.random.default_rng(0))
        >>> [type(layer).__name__ for layer in net.layers]
        ['Conv2D', 'MaxPool2D', 'ReLU', 'Flatten', 'Dense', 'ReLU', 'Dense']
        >>> net.forward(np.zeros((2, 28, 28, 1), np.float32)).shape
        (2, 10)
    """
    conv_out = 28 - kernel_size + 1
    flat = (conv_out // 2) ** 2 * filters
    return Sequential([
        Conv2D(he_normal((kernel_size, kernel_size, 1, filters), kernel_size ** 2, rng, dtype),
               np.zeros(filters, dtype)),
        MaxPool2D(2),
        ReLU(),
        Flatten(),
        Dense(he_normal((flat, hidden), flat, rng, dtype), np.zeros(hidden, dtype)),
        ReLU(),
        Dense(he_normal((hidden, num_classes), hidden, rng, dtype), np.zeros(num_classes, dtype)),
    ])


def random_shift(images, rng, max_shift=2, fill=0.0):
    """Moves every image by its own random whole-pixel offset in [-max_shift, max_shift].

    A digit moved by a pixel or two is still the same digit: training on such copies teaches the
    network to ignore small shifts (data augmentation), at almost no cost.

    Args:
        images: array of shape (N, H, W, C).
        rng: a `np.random.Generator`.
        max_shift: int >= 0, the largest shift in pixels along each axis.
        fill: the value of the pixels that come in from outside (the background).

    Returns:
        A new array of the same shape and dtype.

    Example:
        >>> x = np.zeros((1, 3, 3, 1)); x[0, 1, 1, 0] = 1
        >>> int(random_shift(x, np.random.default_rng(0), 1).sum())  # the pixel moved, not lost
        1
    """
    n, h, w, _ = images.shape
    m = max_shift
    padded = np.pad(images, ((0, 0), (m, m), (m, m), (0, 0)), constant_values=fill)
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n))
    # Every (H, W) window of the padded image, as a view: window (dy, dx) is the image moved by
    # (m - dy, m - dx). Picking one window per image copies N images, nothing more.
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))  # (N, 2m+1, 2m+1, C, H, W)
    return np.ascontiguousarray(windows[np.arange(n), dy, dx].transpose(0, 2, 3, 1))


def train_epoch(model, loss, optimizer, x, y, batch_size, rng, augment=None):
    """One pass over (x, y) in shuffled mini-batches; returns the mean training loss.

    Args:
        model: a `Sequential`.
        loss: a `SoftmaxCrossEntropy`.
        optimizer: an `SGD` or `Adam` over `model.parameters()`.
        x, y: training images (N, H, W, C) and integer labels (N,).
        batch_size: int.
        rng: a `np.random.Generator` for the order (and the augmentation).
        augment: optional function `(images, rng) -> images` applied to every mini-batch,
            e.g. `random_shift`.
    """
    order = rng.permutation(len(x))
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        images = x[batch] if augment is None else augment(x[batch], rng)
        total += float(loss.forward(model.forward(images), y[batch])) * len(batch)
        model.backward(loss.backward())
        optimizer.step()
    return total / len(x)


def accuracy(model, x, y, batch_size=1000):
    """Fraction of `x` whose largest logit is the label `y`."""
    correct = 0
    for start in range(0, len(x), batch_size):
        correct += int((model.forward(x[start:start + batch_size]).argmax(axis=1)
                        == y[start:start + batch_size]).sum())
    return correct / len(x)
