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
