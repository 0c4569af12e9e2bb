"""Every picture of the book: figures, animations and diagrams, with Korean text.

- `fonts`: the Korean font every figure uses (registered by ``import cnn_utils``);
- `legibility`: records each figure's smallest text for the tests (only under
  ``CNN_UTILS_RECORD_FIGURE_TEXT=1``);
- `ilsvrc`, `models`: chapter 1's charts and drawings of LeNet-5 and AlexNet;
- `plotting`: feature maps, kernels, pixel values, convolution steps, learning curves;
- `animation`: the sliding-window convolution animation and its trace;
- `architecture`: layer tables and the shape flow of a model;
- `pooling`: pooling windows and the pooling comparison;
- `diagrams`: the 3-D volume view of a convolution and im2col;
- `receptive_field`: the receptive field growing through a stack of layers;
- `cifar`: CIFAR-10's classes and channels, augmented images, the overfitting comparison and the
  confusion matrix (chapter 10);
- `blocks`: chapter 11's gradient norms per layer and dilated kernels;
- `explain`: chapter 12's first-layer filters, feature maps through the blocks, saliency,
  occlusion and Grad-CAM maps over the images, and the transfer-learning comparison.
"""

from .animation import ConvStep, animate_conv, conv_trace
from .architecture import LayerRow, LayerTable, layer_table, show_shape_flow, side_by_side
from .blocks import plot_gradient_norms, show_dilated_kernel
from .cifar import (plot_confusion_matrix, plot_gap_comparison, show_augmented, show_channels,
                    show_class_grid)
from .diagrams import draw_conv_volume, draw_im2col
from .explain import (plot_transfer_comparison, show_explanations, show_first_layer_filters,
                      show_layer_maps)
from .fonts import KOREAN_FONT_FAMILY, korean_font_path, use_korean_font
from .ilsvrc import plot_depth, plot_top5_errors
from .models import draw_alexnet_two_gpu, draw_lenet5
from .plotting import (plot_learning_curves, show_conv_steps, show_feature_maps, show_image_values,
                       show_kernels)
from .pooling import pool_windows, show_pooling
from .receptive_field import show_receptive_field
from .training import plot_step_losses

__all__ = ["plot_confusion_matrix", "plot_gap_comparison", "show_augmented", "show_channels",
           "show_class_grid", "ConvStep", "KOREAN_FONT_FAMILY", "LayerRow", "LayerTable",
           "animate_conv", "conv_trace", "draw_alexnet_two_gpu", "draw_conv_volume", "draw_im2col",
           "draw_lenet5", "korean_font_path", "layer_table", "plot_depth", "plot_gradient_norms",
           "plot_learning_curves", "plot_step_losses", "plot_transfer_comparison",
           "plot_top5_errors", "pool_windows", "show_conv_steps", "show_dilated_kernel",
           "show_explanations", "show_feature_maps", "show_first_layer_filters",
           "show_image_values", "show_kernels", "show_layer_maps", "show_pooling",
           "show_receptive_field", "show_shape_flow", "side_by_side", "use_korean_font"]
