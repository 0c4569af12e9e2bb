"""MNIST, the same arrays whether they come from Keras or from a local file."""

import os

import numpy as np

MNIST_ENV_VAR = "CNN_UTILS_MNIST_PATH"
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist(path=None):
    """Loads MNIST as `tf.keras.datasets.mnist.load_data()` returns it.

    Where the arrays come from, in order:

    1. `path`, if given: an ``.npz`` file with the keys x_train, y_train, x_test, y_test;
    2. the file named by the environment variable ``CNN_UTILS_MNIST_PATH`` (the tests and CI set
       it, so nothing is downloaded there);
    3. otherwise Keras, which downloads the data once into ``~/.keras/datasets``.

    Args:
        path: optional path of an ``.npz`` file.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: uint8 arrays of shapes (60000, 28, 28), (60000,),
        (10000, 28, 28) and (10000,).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()
        >>> x_train.shape, x_train.dtype, y_train[:5]
        ((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9], dtype=uint8))
    """
    source = path if path is not None else os.environ.get(MNIST_ENV_VAR)
    if source is None:
        try:
            import tensorflow as tf
        except ImportError as exc:
            raise ImportError(
                "load_mnist needs TensorFlow to download MNIST, and it is not installed. Install it "
                f"(pip install tensorflow), or set {MNIST_ENV_VAR} to the path of an mnist.npz file."
            ) from exc
        return tf.keras.datasets.mnist.load_data()
    source = os.fspath(source)
    if not os.path.isfile(source):
        where = "`path`" if path is not None else f"the environment variable {MNIST_ENV_VAR}"
        raise FileNotFoundError(
            f"load_mnist: {where} names {source!r}, which is not a file. Point it at an "
            f"mnist.npz file, or unset {MNIST_ENV_VAR} to download MNIST with Keras."
        )
    with np.load(source) as data:
        missing = [key for key in _KEYS if key not in data.files]
        if missing:
            raise ValueError(
                f"load_mnist expects {source!r} to hold the arrays {list(_KEYS)}; it lacks "
                f"{missing} (it has {data.files}). Save it with np.savez(path, x_train=..., "
                f"y_train=..., x_test=..., y_test=...)."
            )
        x_train, y_train, x_test, y_test = (data[key] for key in _KEYS)
    return (x_train, y_train), (x_test, y_test)


def load_sample_image(downsample=1, grayscale=False):
    """A colour photograph that ships with matplotlib: Grace Hopper, 600 x 512 pixels.

    Nothing is downloaded: the file is part of every matplotlib installation.

    Args:
        downsample: int >= 1; averages each `downsample` x `downsample` block into one pixel
            (4 gives 150 x 128), which keeps examples fast.
        grayscale: if True, returns the luminance 0.299 R + 0.587 G + 0.114 B.

    Returns:
        float32 array with values in [0, 1], of shape (H, W, 3), or (H, W) when `grayscale`.

    Example:
        >>> load_sample_image(downsample=4).shape
        (150, 128, 3)
    """
    from matplotlib import cbook
    from matplotlib import pyplot as plt

    from ._validation import positive_int

    step = positive_int(downsample, "downsample", "load_sample_image")
    image = plt.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    image = image.astype(np.float32) / 255.0
    h, w = image.shape[0] // step * step, image.shape[1] // step * step
    image = image[:h, :w].reshape(h // step, step, w // step, step, 3).mean(axis=(1, 3))
    if grayscale:
        image = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return image.astype(np.float32)
