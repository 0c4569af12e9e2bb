"""Checkers a student calls from a notebook on their own function or answer, with feedback in Korean.

Used in chapters 1 to 12: every check cell imports from here (``from cnn_utils.checks import
check_conv2d``), whichever module below defines the checker.

Each function checker runs the student's function on visible cases (the ones a reader could write
down) and on seeded hidden cases, against the package's reference implementation. It never raises
because of the student's code: exceptions, wrong types, NaN, wrong shapes, a modified input and a
function that never returns are all reported and scored. It returns a `CheckResult`, whose display
in Jupyter is the Korean report: either that every case passes, or the first failing case with the
input shapes, the expected and the received values and, when the mistake is a known one, a
diagnosis (a flipped kernel, symmetric SAME padding, unsummed channels, ceil instead of floor, a
missing or misplaced bias, average pooling that counts padded zeros, a missing batch or channel
axis, an input modified in place, ...).

The grader (`course_tools`) reads the score from the display's metadata (key `cnn_utils_check`),
so a check cell needs nothing but the call:

    >>> from cnn_utils import conv2d
    >>> check_conv2d(conv2d)
    통과: conv2d - 공개 사례 3개와 숨은 사례 10개를 모두 맞혔습니다.

The modules:

    result      `CheckResult`, `CHECK_METADATA_KEY` and `DIAGNOSES`, the Korean texts of the diagnoses
    sandbox     calling the student's function: a time limit, swallowed output, input snapshots
    formatting  numbers, arrays and arguments as the reports show them
    engine      the one case engine: a case, running the cases, comparing the results, the report
    ops         the function checkers (convolution, sizes, padding, parameter counts, pooling,
                softmax) and the mistake generators for `check_answer`
    training    chapter 8's checkers: batch normalisation, `summary()`'s counts, learning curves
    backprop    chapter 9's backward-pass checkers: a naive convolution backward, max-pool backward
    evaluation  chapter 10's checkers: a confusion matrix, precision and recall, CIFAR-10's counts
    explain     chapter 12's checkers: a saliency map, Grad-CAM's weighting, an occlusion map,
                the transfer model's trainable parameters
    normalization  chapter 11's batch normalisation from scratch: training-mode forward, backward
    fields      chapter 5's receptive-field and 1x1-convolution checkers and mistake generators
    variants    chapter 11's depthwise and transposed convolution checkers, and the mistakes in
                separable parameter counts, dilated kernel sizes and transposed sizes
    answers     answers stored in variables: `check_answer`, `check_shape`, `check_answers`, `check_all`
"""

from .answers import check_all, check_answer, check_answers, check_shape
from .backprop import check_conv_backward, check_maxpool_backward
from .evaluation import check_cifar_counts, check_confusion_matrix, check_precision_recall
from .explain import (check_grad_cam_weights, check_occlusion, check_saliency,
                      check_transfer_counts)
from .fields import check_conv1x1, receptive_field_mistakes, stacked_param_mistakes
from .normalization import check_batchnorm_backward, check_batchnorm_train_forward
from .ops import (check_avg_pool2d, check_conv2d, check_conv2d_single, check_conv_output_size,
                  check_conv_param_count, check_max_pool2d, check_padding_amounts, check_softmax,
                  output_size_mistakes, param_count_mistakes)
from .result import CHECK_METADATA_KEY, DIAGNOSES, CheckResult
from .sandbox import DEFAULT_TIMEOUT
from .training import (check_batchnorm_forward, check_best_epoch, check_bn_param_counts,
                       check_example_param_count)
from .variants import (check_conv_transpose, check_depthwise_conv2d, dilation_mistakes,
                       separable_param_mistakes, transpose_size_mistakes)

__all__ = [
    "CHECK_METADATA_KEY",
    "CheckResult",
    "DEFAULT_TIMEOUT",
    "DIAGNOSES",
    "check_all",
    "check_answer",
    "check_answers",
    "check_avg_pool2d",
    "check_batchnorm_backward",
    "check_batchnorm_forward",
    "check_batchnorm_train_forward",
    "check_best_epoch",
    "check_bn_param_counts",
    "check_cifar_counts",
    "check_conv1x1",
    "check_conv2d",
    "check_conv_backward",
    "check_conv2d_single",
    "check_confusion_matrix",
    "check_conv_output_size",
    "check_conv_param_count",
    "check_conv_transpose",
    "check_depthwise_conv2d",
    "check_example_param_count",
    "check_grad_cam_weights",
    "check_max_pool2d",
    "check_maxpool_backward",
    "check_occlusion",
    "check_padding_amounts",
    "check_precision_recall",
    "check_saliency",
    "check_shape",
    "check_softmax",
    "check_transfer_counts",
    "dilation_mistakes",
    "output_size_mistakes",
    "param_count_mistakes",
    "receptive_field_mistakes",
    "separable_param_mistakes",
    "stacked_param_mistakes",
    "transpose_size_mistakes",
]
