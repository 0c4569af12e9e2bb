"""cnn_utils: the numpy implementations, data loading and pictures behind the book "CNN 구현".

Every op mirrors its `tf.nn` counterpart (NHWC layout, TensorFlow's SAME padding), so a reader can
move between this package and TensorFlow without translation.
"""

from .data import MNIST_ENV_VAR, load_mnist
from .ops import avg_pool2d, conv2d, conv2d_naive, max_pool2d, min_pool2d
from .plotting import show_feature_maps, show_image_values, show_kernels
from .shapes import conv_output_size, conv_param_count, padding_amounts, same_padding
from .timing import best_time

__version__ = "0.1.0"

__all__ = [
    "MNIST_ENV_VAR",
    "avg_pool2d",
    "best_time",
    "conv2d",
    "conv2d_naive",
    "conv_output_size",
    "conv_param_count",
    "load_mnist",
    "max_pool2d",
    "min_pool2d",
    "padding_amounts",
    "same_padding",
    "show_feature_maps",
    "show_image_values",
    "show_kernels",
]
