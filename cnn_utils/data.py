"""The book's data: MNIST (the same arrays from Keras or from a local file), a sample photo, and the
MNIST example chapters 5 and 6 share.

Chapters 2, 3, 5, 7, 8 and 9 use `load_mnist` (all but 2 and 5 with `to_conv_input`), chapters
2 and 4 `load_sample_image`, chapters 5 and 6 the `mnist_demo_*` example, which convolve the first training digit with five random
3x3 filters from one fixed seed (chapter 5 with stride 2 and "SAME" padding into five 14 x 14
feature maps; chapter 6 pools those same maps to 7 x 7), so both chapters show the same pictures.
"""

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
    source, keras_data = keras_or_file(path, MNIST_ENV_VAR, "load_mnist", "MNIST", "an mnist.npz file")
    if keras_data is not None:
        return keras_data
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


def keras_or_file(path, variable, function, dataset, file):
    """Where a loader's data come from: `path`, else the file `variable` names, else Keras.

    Shared by `load_mnist` and `cnn_utils.cifar.load_cifar10`.

    Returns:
        `(file path, None)` when a file is named (it must exist), else `(None, arrays)` with the
        arrays of `tf.keras.datasets.<dataset>.load_data()`, which downloads them once.
    """
    source = path if path is not None else os.environ.get(variable)
    if source is None:
        try:
            import tensorflow as tf
        except ImportError as exc:
            raise ImportError(
                f"{function} needs TensorFlow to download {dataset}, and it is not installed. "
                f"Install it (pip install tensorflow), or set {variable} to the path of {file}."
            ) from exc
        return None, getattr(tf.keras.datasets, dataset.lower().replace("-", "")).load_data()
    source = os.fspath(source)
    if not os.path.isfile(source):
        where = "`path`" if path is not None else f"the environment variable {variable}"
        raise FileNotFoundError(
            f"{function}: {where} names {source!r}, which is not a file. Point it at {file}, "
            f"or unset {variable} to download {dataset} with Keras."
        )
    return source, None


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


def to_conv_input(images):
    """Turns grayscale uint8 images (N, H, W), as `load_mnist` returns them, into Conv2D input.

    Adds the channel axis of Keras's default layout, channels_last, and scales the pixel values
    0..255 to 0..1: the same as ``images.reshape(-1, H, W, 1).astype("float32") / 255``. The input
    is not modified.

    Args:
        images: uint8 array of shape (N, H, W), e.g. MNIST's x_train of shape (60000, 28, 28).

    Returns:
        float32 array of shape (N, H, W, 1) with values in [0, 1].

    Raises:
        TypeError: if `images` is not uint8 (already scaled, or not pixel values at all).
        ValueError: if `images` is not 3-D (N, H, W).

    Example:
        >>> x = to_conv_input(np.array([[[0, 255], [51, 102]]], dtype=np.uint8))
        >>> x.shape, x.dtype
        ((1, 2, 2, 1), dtype('float32'))
        >>> x[0, :, :, 0]
        array([[0. , 1. ],
               [0.2, 0.4]], dtype=float32)
    """
    op = "to_conv_input"
    array = np.asarray(images)
    if array.dtype != np.uint8:
        raise TypeError(
            f"{op} expects uint8 pixel values 0..255 of shape (N, H, W); received dtype "
            f"{array.dtype}. Pass the arrays load_mnist returns; if the images are already scaled "
            f"to [0, 1], add the channel axis only: images[..., np.newaxis]."
        )
    if array.ndim != 3:
        if array.ndim == 2:
            fix = "For a single image add the batch axis first: images[np.newaxis]."
        elif array.ndim == 4 and array.shape[-1] == 1:
            fix = "It already has a channel axis; pass images[..., 0], or just scale it: images / 255."
        else:
            fix = "Pass a stack of grayscale images such as MNIST's x_train."
        raise ValueError(
            f"{op} expects images of rank 3 (N, H, W); received shape {array.shape} "
            f"(rank {array.ndim}). {fix}"
        )
    return (array.astype(np.float32) / np.float32(255.0))[..., np.newaxis]


# The MNIST example of chapters 5 and 6.

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
