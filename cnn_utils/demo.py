"""The MNIST example chapters 5 and 6 share: the first training digit and five random 3x3 filters.

Chapter 5 convolves the digit with stride 2 and "SAME" padding into five 14 x 14 feature maps,
chapter 6 pools those same maps to 7 x 7. Both get them from here, computed from one fixed seed, so
the two chapters show the same pictures.
"""

import numpy as np

MNIST_DEMO_SEED = 2026
"""Seed of the five random filters (`np.random.default_rng(MNIST_DEMO_SEED)`)."""


def mnist_demo_image(path=None):
    """The first MNIST training image as a batch of one: shape (1, 28, 28, 1), float32, 0..1.

    Args:
        path: optional ``mnist.npz`` file, passed on to `load_mnist`.

    Returns:
        float32 array of shape (1, 28, 28, 1): the pixel values 0..255 divided by 255, as
        `to_conv_input` makes them (the digit is a handwritten 5).

    Example:
        >>> image = mnist_demo_image()
        >>> image.shape, image.dtype, float(image.max())
        ((1, 28, 28, 1), dtype('float32'), 1.0)
    """
    from .data import load_mnist, to_conv_input

    (x_train, _), _ = load_mnist(path)
    return to_conv_input(x_train[:1])


def mnist_demo_filters(seed=MNIST_DEMO_SEED):
    """Five random 3x3 filters, the numpy twin of ``tf.random.normal([3, 3, 1, 5], stddev=0.01)``.

    Args:
        seed: int, seed of `np.random.default_rng`.

    Returns:
        float32 array of shape (3, 3, 1, 5), drawn from a normal distribution with mean 0 and
        standard deviation 0.01.

    Example:
        >>> mnist_demo_filters().shape
        (3, 3, 1, 5)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"mnist_demo_filters expects an integer `seed`; received {seed!r} of type "
            f"{type(seed).__name__}. Use e.g. seed=MNIST_DEMO_SEED."
        )
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 0.01, size=(3, 3, 1, 5)).astype(np.float32)


def mnist_demo_feature_maps(seed=MNIST_DEMO_SEED, path=None):
    """The five feature maps of chapter 5: the first MNIST digit, stride 2, "SAME" padding.

    ``conv2d(mnist_demo_image(), mnist_demo_filters(seed), strides=[1, 2, 2, 1], padding="SAME")``,
    which equals `tf.nn.conv2d` with the same arguments.

    Args:
        seed: int, seed of the filters (see `mnist_demo_filters`).
        path: optional ``mnist.npz`` file, passed on to `load_mnist`.

    Returns:
        float32 array of shape (1, 14, 14, 5).

    Example:
        >>> maps = mnist_demo_feature_maps()
        >>> maps.shape, maps.dtype
        ((1, 14, 14, 5), dtype('float32'))
    """
    from .ops import conv2d

    return conv2d(mnist_demo_image(path), mnist_demo_filters(seed), strides=[1, 2, 2, 1],
                  padding="SAME")
