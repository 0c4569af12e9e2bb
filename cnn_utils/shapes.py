"""Sizes and counts of a convolution layer, one spatial axis at a time.

Used in chapters 1, 3, 5, 6, 7 and 8.

The book's formulas: output size ``floor((W - F + 2P) / S) + 1`` and parameter count
``K * F^2 * D + K``, with TensorFlow's rule for how much "SAME" pads.
"""

import math

from ._validation import positive_int


def same_padding(input_size, kernel_size, stride=1):
    """Padding that TensorFlow's "SAME" adds along one axis.

    SAME makes the output ``ceil(W / S)`` long. When the padding that needs is odd, TensorFlow puts
    the extra pixel at the end (bottom or right), not at the start.

    Args:
        input_size: int, the input length W along the axis.
        kernel_size: int, the filter length F along the axis.
        stride: int, the step S.

    Returns:
        Tuple `(before, after)` of ints.

    Example:
        >>> same_padding(3, 2)  # a 2x2 filter on a 3x3 image: one pixel, at the bottom/right
        (0, 1)
        >>> same_padding(28, 3, 2)
        (0, 1)
    """
    op = "same_padding"
    input_size = positive_int(input_size, "input_size", op)
    kernel_size = positive_int(kernel_size, "kernel_size", op)
    stride = positive_int(stride, "stride", op)
    out = -(-input_size // stride)  # ceil(W / S)
    total = max((out - 1) * stride + kernel_size - input_size, 0)
    return total // 2, total - total // 2  # TF puts the odd pixel at the bottom/right


def padding_amounts(input_size, kernel_size, stride, padding):
    """Padding `(before, after)` along one axis for any way of giving `padding`.

    Args:
        input_size: int, the input length W.
        kernel_size: int, the filter length F.
        stride: int, the step S.
        padding: "VALID" (no padding), "SAME" (TensorFlow's rule), an int P (P on both sides) or a
            pair `(before, after)`.

    Returns:
        Tuple `(before, after)` of ints.

    Example:
        >>> padding_amounts(5, 3, 2, "SAME"), padding_amounts(5, 3, 2, 1)
        ((1, 1), (1, 1))
    """
    op = "padding_amounts"
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        return same_padding(input_size, kernel_size, stride)
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return (positive_int(padding[0], "padding[0]", op, minimum=0),
                positive_int(padding[1], "padding[1]", op, minimum=0))
    if isinstance(padding, str):
        raise ValueError(
            f"{op} expects `padding` to be \"VALID\", \"SAME\", an int or a (before, after) pair; "
            f"received {padding!r}. Strings are written in capitals, as tf.nn takes them."
        )
    p = positive_int(padding, "padding", op, minimum=0)
    return p, p


def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    """Output length of a convolution or pooling along one axis.

    ``floor((W - F + P_before + P_after) / S) + 1``, which for P pixels on both sides is the book's
    ``(W - F + 2P) / S + 1``, rounded down when the filter does not fit a whole number of times.

    Args:
        input_size: int, the input length W.
        kernel_size: int, the filter length F.
        stride: int, the step S.
        padding: as in `padding_amounts`: "VALID", "SAME", an int P or a `(before, after)` pair.

    Returns:
        int, the output length.

    Raises:
        ValueError: if the filter does not fit into the padded input even once.

    Example:
        >>> conv_output_size(5, 3, stride=2, padding=1)  # the CS231n demo: (5 - 3 + 2) / 2 + 1
        3
        >>> conv_output_size(28, 3, stride=2, padding="SAME")
        14
    """
    op = "conv_output_size"
    input_size = positive_int(input_size, "input_size", op)
    kernel_size = positive_int(kernel_size, "kernel_size", op)
    stride = positive_int(stride, "stride", op)
    before, after = padding_amounts(input_size, kernel_size, stride, padding)
    padded = input_size + before + after
    if padded < kernel_size:
        raise ValueError(
            f"{op}: a filter of size {kernel_size} does not fit into an input of size {input_size} "
            f"padded to {padded}; the output would be empty. Use a smaller filter, more padding "
            f"or padding=\"SAME\"."
        )
    return math.floor((padded - kernel_size) / stride) + 1


def conv_param_count(kernel_size, in_channels, filters, use_bias=True):
    """Number of trainable parameters of a 2-D convolution layer.

    ``K * F^2 * D + K``: K filters of F x F x D weights, plus one bias per filter.

    Args:
        kernel_size: int F for an F x F filter, or a pair `(FH, FW)`.
        in_channels: int D, the channels of the input.
        filters: int K, the number of filters (output channels).
        use_bias: bool, whether each filter has a bias (Keras's `use_bias`).

    Returns:
        int.

    Example:
        >>> conv_param_count(5, in_channels=3, filters=3)  # 3 * (5 * 5) * 3 + 3
        228
    """
    op = "conv_param_count"
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(
                f"{op} expects `kernel_size` to be an int or a pair (FH, FW); received "
                f"{kernel_size!r}. Use e.g. kernel_size=3 or kernel_size=(3, 3)."
            )
        fh = positive_int(kernel_size[0], "kernel_size[0]", op)
        fw = positive_int(kernel_size[1], "kernel_size[1]", op)
    else:
        fh = fw = positive_int(kernel_size, "kernel_size", op)
    d = positive_int(in_channels, "in_channels", op)
    k = positive_int(filters, "filters", op)
    return k * fh * fw * d + (k if use_bias else 0)
