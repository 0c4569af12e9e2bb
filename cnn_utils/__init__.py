"""cnn_utils: the numpy implementations, data loading and pictures behind the book "CNN 구현".

Every op mirrors its `tf.nn` counterpart (NHWC layout, TensorFlow's SAME padding), so a reader can
move between this package and TensorFlow without translation. Chapters import what they use from
the package itself (``from cnn_utils import conv2d``); the names come from these modules:

    ops, shapes       convolution and pooling in numpy as `tf.nn` computes them; the output-size
                      and padding arithmetic every op, layer, picture and checker shares
    conv_variants     depthwise, separable, dilated and transposed convolutions as `tf.nn` computes them
    nn/               a CNN from scratch: layers with backward passes (batch normalisation too),
                      optimisers, `fit`, gradient checking (``from cnn_utils.nn import ...``)
    models/           Keras models: the classic CNNs, chapter 8's MNIST CNNs with `fit_mnist`, the
                      CIFAR-10 ResNet and its training, chapter 11's deep plain and residual stacks,
                      chapter 12's transfer learning (``from cnn_utils.models import ...``)
    viz/              every picture: figures, the convolution animation, diagrams, Korean fonts
    checks/           the exercises' checkers, with feedback in Korean (``from cnn_utils.checks
                      import ...`` in the check cells)
    data              MNIST, the sample photo, and the MNIST example of chapters 5 and 6
    cifar, evaluation CIFAR-10; the confusion matrix and what it says per class
    explain           what a trained CNN looks at: saliency, occlusion, Grad-CAM, feature maps
    filters           the hand-made edge filters
    ilsvrc            the ILSVRC results the book cites, with their sources
    cpu_path          which CPU kernels TensorFlow runs
    notebook, timing  showing the package's source in a chapter; timing

Chapters and the modules they use (`tests/test_package_map.py` keeps this table equal to the chapters'
imports; each module's docstring names its chapters too):

    01_ilsvrc              checks.answers, checks.ops, ilsvrc, models.classic, notebook, shapes, viz.ilsvrc, viz.models
    02_edge_filters        checks.answers, data, filters, ops, viz.plotting
    03_cnn_overview        checks.answers, checks.ops, data, filters, ops, shapes, viz.architecture, viz.plotting
    04_convolution         checks.answers, checks.ops, data, filters, notebook, ops, timing, viz.diagrams, viz.plotting
    05_padding_stride      checks.answers, checks.fields, checks.ops, data, notebook, ops, shapes, viz.animation, viz.plotting, viz.receptive_field
    06_pooling             checks.answers, checks.ops, data, ops, shapes, viz.architecture, viz.plotting, viz.pooling
    07_conv2d_layer        checks.answers, checks.fields, checks.ops, cpu_path, data, notebook, ops, shapes, viz.plotting
    08_mnist_keras         checks.answers, checks.training, data, models.keras_mnist, notebook, shapes, viz.plotting, viz.training
    09_cnn_from_scratch    checks.answers, checks.backprop, data, nn.gradcheck, nn.layers, nn.networks, nn.optim, nn.train, notebook, ops, shapes, timing, viz.plotting
    10_cifar10             checks.evaluation, cifar, evaluation, models.cifar_subset, models.cifar_training, models.keras_mnist, notebook, viz.cifar, viz.plotting
    11_modern_cnn          checks.answers, checks.fields, checks.normalization, checks.variants, conv_variants, models.cifar, models.cifar_training, models.gradient_flow, nn.layers, nn.normalization, notebook, ops, shapes, viz.architecture, viz.blocks
    12_what_cnns_see       checks.explain, cifar, explain, models.cifar, models.cifar_training, models.transfer, notebook, viz.explain
"""

from .conv_variants import conv2d_transpose, depthwise_conv2d, dilate_filters, separable_conv2d
from .cpu_path import ConvOutcome, channels_first_conv_outcome, onednn_enabled
from .cifar import CIFAR10_CLASSES, CIFAR10_CLASSES_KO, CIFAR10_ENV_VAR, load_cifar10
from .evaluation import confusion_matrix, most_confused, per_class_accuracy, precision_recall
from .explain import (cover_pixels, feature_maps, first_layer_filters, grad_cam, linear_probabilities,
                      occlusion_sensitivity, saliency_map, score_model, two_layer_scores)
from .data import (MNIST_DEMO_SEED, MNIST_ENV_VAR, load_mnist, load_sample_image,
                   mnist_demo_feature_maps, mnist_demo_filters, mnist_demo_image, to_conv_input)
from .filters import HORIZONTAL_EDGE_MASK, SOBEL_X, SOBEL_Y, VERTICAL_EDGE_MASK, stack_kernels
from .ilsvrc import (HUMAN_TOP5_ERROR, HUMAN_TOP5_SOURCE, ILSVRC_DATASET, ILSVRC_RESULTS,
                     SUPERVISION_2012, SUPERVISION_2012_SOURCE, SupervisionEntry, ilsvrc_winners)
from .models.classic import ALEXNET_LAYERS, alexnet, lenet5
from .notebook import show_source, source
from .ops import avg_pool2d, col2im, conv2d, conv2d_naive, im2col, max_pool2d, min_pool2d
from .ops import combine_kernels, global_avg_pool2d
from .shapes import (ConvGeometry, conv_geometry, conv_output_size, conv_param_count, padding_amounts,
                     same_padding)
from .shapes import gradient_support, receptive_field, receptive_field_trace
from .shapes import (conv_transpose_output_size, depthwise_param_count, depthwise_separable_param_count,
                     dilated_kernel_size)
from .timing import best_time, time_to_accuracy
from .viz.animation import ConvStep, animate_conv, conv_trace
from .viz.architecture import LayerRow, LayerTable, layer_table, show_shape_flow, side_by_side
from .viz.blocks import plot_gradient_norms, show_dilated_kernel
from .viz.cifar import (plot_confusion_matrix, plot_gap_comparison, show_augmented, show_channels,
                        show_class_grid)
from .viz.diagrams import draw_conv_volume, draw_im2col
from .viz.explain import (plot_transfer_comparison, show_explanations, show_first_layer_filters,
                          show_layer_maps)
from .viz.fonts import KOREAN_FONT_FAMILY, korean_font_path, use_korean_font  # Hangul in figures
from .viz.ilsvrc import plot_depth, plot_top5_errors
from .viz.legibility import _record_on_import
from .viz.models import draw_alexnet_two_gpu, draw_lenet5
from .viz.plotting import (plot_learning_curves, show_conv_steps, show_feature_maps,
                           show_image_values, show_kernels)
from .viz.pooling import pool_windows, show_pooling
from .viz.receptive_field import show_receptive_field
from .viz.training import plot_step_losses

__version__ = "0.6.0"

_record_on_import()  # only under tasks.py execute and the tests (cnn_utils/viz/legibility.py)

__all__ = [
    "ALEXNET_LAYERS",
    "CIFAR10_CLASSES",
    "CIFAR10_CLASSES_KO",
    "CIFAR10_ENV_VAR",
    "ConvGeometry",
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
    "combine_kernels",
    "confusion_matrix",
    "conv2d",
    "conv2d_naive",
    "conv2d_transpose",
    "conv_geometry",
    "conv_output_size",
    "conv_param_count",
    "conv_trace",
    "conv_transpose_output_size",
    "cover_pixels",
    "depthwise_conv2d",
    "depthwise_param_count",
    "depthwise_separable_param_count",
    "dilate_filters",
    "dilated_kernel_size",
    "draw_alexnet_two_gpu",
    "draw_conv_volume",
    "draw_im2col",
    "draw_lenet5",
    "feature_maps",
    "first_layer_filters",
    "global_avg_pool2d",
    "grad_cam",
    "gradient_support",
    "ilsvrc_winners",
    "im2col",
    "korean_font_path",
    "layer_table",
    "lenet5",
    "linear_probabilities",
    "load_cifar10",
    "load_mnist",
    "load_sample_image",
    "max_pool2d",
    "min_pool2d",
    "mnist_demo_feature_maps",
    "mnist_demo_filters",
    "mnist_demo_image",
    "most_confused",
    "occlusion_sensitivity",
    "onednn_enabled",
    "padding_amounts",
    "per_class_accuracy",
    "plot_confusion_matrix",
    "plot_depth",
    "plot_gap_comparison",
    "plot_gradient_norms",
    "plot_learning_curves",
    "plot_step_losses",
    "plot_top5_errors",
    "plot_transfer_comparison",
    "pool_windows",
    "precision_recall",
    "receptive_field",
    "receptive_field_trace",
    "saliency_map",
    "same_padding",
    "score_model",
    "separable_conv2d",
    "show_augmented",
    "show_channels",
    "show_class_grid",
    "show_conv_steps",
    "show_dilated_kernel",
    "show_explanations",
    "show_feature_maps",
    "show_first_layer_filters",
    "show_image_values",
    "show_kernels",
    "show_layer_maps",
    "show_pooling",
    "show_receptive_field",
    "show_shape_flow",
    "show_source",
    "side_by_side",
    "source",
    "stack_kernels",
    "time_to_accuracy",
    "to_conv_input",
    "two_layer_scores",
    "use_korean_font",
]
