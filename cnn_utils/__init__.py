"""cnn_utils: the numpy implementations, data loading and pictures behind the book "CNN 구현".

Every op mirrors its `tf.nn` counterpart (NHWC layout, TensorFlow's SAME padding), so a reader can
move between this package and TensorFlow without translation.
"""

from .data import MNIST_ENV_VAR, load_mnist, load_sample_image
from .ops import avg_pool2d, conv2d, conv2d_naive, im2col, max_pool2d, min_pool2d
from .notebook import show_source, source
from .plotting import show_conv_steps, show_feature_maps, show_image_values, show_kernels
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
    "im2col",
    "load_mnist",
    "load_sample_image",
    "max_pool2d",
    "min_pool2d",
    "padding_amounts",
    "same_padding",
    "show_conv_steps",
    "show_feature_maps",
    "show_image_values",
    "show_kernels",
    "show_source",
    "source",
]
