"""cnn_utils: the numpy implementations, data loading and pictures behind the book "CNN 구현".

Every op mirrors its `tf.nn` counterpart (NHWC layout, TensorFlow's SAME padding), so a reader can
move between this package and TensorFlow without translation.
"""

from .animation import ConvStep, animate_conv, conv_trace
from .architecture import LayerRow, LayerTable, layer_table, show_shape_flow, side_by_side
from .cpu_path import ConvOutcome, channels_first_conv_outcome, onednn_enabled
from .data import MNIST_ENV_VAR, load_mnist, load_sample_image, to_conv_input
from .demo import (MNIST_DEMO_SEED, mnist_demo_feature_maps, mnist_demo_filters,
                   mnist_demo_image)
from .diagrams import draw_conv_volume, draw_im2col
from .filters import HORIZONTAL_EDGE_MASK, SOBEL_X, SOBEL_Y, VERTICAL_EDGE_MASK, stack_kernels
from .fonts import KOREAN_FONT_FAMILY, korean_font_path, use_korean_font  # Hangul in figures
from .history import (HUMAN_TOP5_ERROR, HUMAN_TOP5_SOURCE, ILSVRC_DATASET, ILSVRC_RESULTS,
                      SUPERVISION_2012, SUPERVISION_2012_SOURCE, SupervisionEntry, ilsvrc_winners,
                      plot_depth, plot_top5_errors)
from .legibility import _record_on_import
from .models import ALEXNET_LAYERS, alexnet, draw_alexnet_two_gpu, draw_lenet5, lenet5
from .ops import avg_pool2d, col2im, conv2d, conv2d_naive, im2col, max_pool2d, min_pool2d
from .notebook import show_source, source
from .plotting import (plot_learning_curves, show_conv_steps, show_feature_maps, show_image_values,
                       show_kernels)
from .pool_plots import pool_windows, show_pooling
from .shapes import conv_output_size, conv_param_count, padding_amounts, same_padding
from .timing import best_time, time_to_accuracy

__version__ = "0.2.0"

_record_on_import()  # only under tasks.py execute and the tests (cnn_utils/legibility.py)

__all__ = [
    "ALEXNET_LAYERS",
    "ConvOutcome",
    "ConvStep",
    "HORIZONTAL_EDGE_MASK",
    "HUMAN_TOP5_ERROR",
    "HUMAN_TOP5_SOURCE",
    "ILSVRC_DATASET",
    "ILSVRC_RESULTS",
    "KOREAN_FONT_FAMILY",
    "LayerRow",
    "LayerTable",
    "MNIST_DEMO_SEED",
    "MNIST_ENV_VAR",
    "SOBEL_X",
    "SOBEL_Y",
    "SUPERVISION_2012",
    "SUPERVISION_2012_SOURCE",
    "SupervisionEntry",
    "VERTICAL_EDGE_MASK",
    "alexnet",
    "animate_conv",
    "avg_pool2d",
    "best_time",
    "channels_first_conv_outcome",
    "col2im",
    "conv2d",
    "conv2d_naive",
    "conv_output_size",
    "conv_param_count",
    "conv_trace",
    "draw_alexnet_two_gpu",
    "draw_conv_volume",
    "draw_im2col",
    "draw_lenet5",
    "ilsvrc_winners",
    "im2col",
    "korean_font_path",
    "layer_table",
    "lenet5",
    "load_mnist",
    "load_sample_image",
    "max_pool2d",
    "min_pool2d",
    "mnist_demo_feature_maps",
    "mnist_demo_filters",
    "mnist_demo_image",
    "onednn_enabled",
    "padding_amounts",
    "plot_depth",
    "plot_learning_curves",
    "plot_top5_errors",
    "pool_windows",
    "same_padding",
    "show_conv_steps",
    "show_feature_maps",
    "show_image_values",
    "show_kernels",
    "show_pooling",
    "show_shape_flow",
    "show_source",
    "side_by_side",
    "source",
    "stack_kernels",
    "time_to_accuracy",
    "to_conv_input",
    "use_korean_font",
]
