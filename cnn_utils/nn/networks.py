"""Networks built from the numpy layers of `cnn_utils.nn`, and their initialisation (chapter 9)."""

import numpy as np

from .layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential


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
