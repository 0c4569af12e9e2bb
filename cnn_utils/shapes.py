"""Sizes and counts of a convolution layer, one spatial axis at a time.

Used in chapters 1, 3, 5, 6, 7, 8, 9 and 11.

The book's formulas: output size ``floor((W - F + 2P) / S) + 1`` and parameter count
``K * F^2 * D + K``, with TensorFlow's rule for how much "SAME" pads; and the receptive field of a
stack of layers (`receptive_field`, chapter 5), ``R_l = R_{l-1} + (F_l - 1) * J_{l-1}``,
``J_l = J_{l-1} * S_l``. Chapter 11's variants: the dilated kernel's size ``F + (F - 1)(D - 1)``,
the depthwise and depthwise separable layers' parameter counts, and the output size of a
transposed convolution as Keras's `Conv2DTranspose` computes it.

`conv_geometry` is the one home of that arithmetic: every op (`conv2d`, the pools, `im2col`),
every `nn` layer and every picture gets its padding and output size from it (or, one axis at a
time, from `padding_amounts` and `conv_output_size`, which share its one-axis rule).
"""

from collections import namedtuple

from ._validation import padding_spec, positive_int, spatial_pair

ConvGeometry = namedtuple("ConvGeometry", ["pads", "output"])
ConvGeometry.__doc__ = """The geometry of a 2-D convolution or pooling: `pads` ((top, bottom), (left, right)), `output` (OH, OW)."""


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


def _axis_pads(op, size, kernel, stride, padding, dilation=1):
    """(before, after) along one axis; `padding` is "VALID", "SAME" or an already checked pair."""
    if padding == "VALID":
        return 0, 0
    if padding == "SAME":
        return same_padding(size, (kernel - 1) * dilation + 1, stride)
    return padding


def _axis_output(op, size, kernel, stride, pads, dilation=1, axis=None):
    """Output length along one axis: floor((W - F + P_before + P_after) / S) + 1, F dilated."""
    effective = (kernel - 1) * dilation + 1
    padded = size + pads[0] + pads[1]
    if padded < effective:
        dilated = f" (kernel {kernel} dilated by {dilation})" if dilation > 1 else ""
        raise ValueError(
            f"{op}: the window is larger than the input{f' along the {axis}' if axis else ''}: "
            f"window {effective}{dilated}, input {size} padded to {padded}, so the output would "
            f"be empty. Use a smaller window, padding=\"SAME\" or more explicit padding."
        )
    return (padded - effective) // stride + 1  # floor((W - F + 2P) / S) + 1


def conv_geometry(input_hw, kernel_hw, strides=1, padding="VALID", dilations=1, *, op="conv_geometry"):
    """Padding and output size of a 2-D convolution or pooling, as `tf.nn` computes them.

    The book's ``floor((W - F + 2P) / S) + 1`` along height and width, with TensorFlow's rule for
    "SAME" (the odd pixel at the bottom/right) and a dilated kernel of effective size
    ``(F - 1) * D + 1``.

    Args:
        input_hw: pair (H, W).
        kernel_hw: int or pair (KH, KW): the filter or pooling window.
        strides: int, or a sequence of 1, 2 or 4 ints as `tf.nn.conv2d` takes them.
        padding: "VALID", "SAME", an int P (P pixels on every side), TensorFlow's explicit
            [[0, 0], [top, bottom], [left, right], [0, 0]], or ((top, bottom), (left, right)).
        dilations: int, or a sequence of 1, 2 or 4 ints: the gap between filter taps.
        op: the name error messages give (the op that asked).

    Returns:
        `ConvGeometry(pads=((top, bottom), (left, right)), output=(OH, OW))`.

    Raises:
        ValueError: if the window does not fit into the padded input even once.

    Example:
        >>> conv_geometry((28, 28), 3, strides=2, padding="SAME")
        ConvGeometry(pads=((0, 1), (0, 1)), output=(14, 14))
        >>> conv_geometry((5, 5), (3, 3), 2, 1).output  # the CS231n demo: (5 - 3 + 2) / 2 + 1
        (3, 3)
    """
    if not isinstance(input_hw, (tuple, list)) or len(input_hw) != 2:
        raise ValueError(
            f"{op} expects `input_hw` to be a pair (H, W); received {input_hw!r}. "
            f"Pass e.g. image.shape[1:3] for an (N, H, W, C) input."
        )
    hw = tuple(positive_int(n, f"input_hw[{i}]", op) for i, n in enumerate(input_hw))
    k_hw = spatial_pair(kernel_hw, "kernel_hw", op, "tf.nn.conv2d")
    s_hw = spatial_pair(strides, "strides", op, "tf.nn.conv2d")
    d_hw = spatial_pair(dilations, "dilations", op, "tf.nn.conv2d")
    spec = padding_spec(padding, op)
    pads = tuple(_axis_pads(op, n, k, s, spec if isinstance(spec, str) else spec[i], d)
                 for i, (n, k, s, d) in enumerate(zip(hw, k_hw, s_hw, d_hw)))
    output = tuple(_axis_output(op, n, k, s, p, d, axis)
                   for axis, n, k, s, p, d in zip(("height", "width"), hw, k_hw, s_hw, pads, d_hw))
    return ConvGeometry(pads, output)


def _axis_padding(padding, op):
    """Per-axis `padding`: "VALID", "SAME", or (before, after) from an int P or a pair."""
    if padding in ("VALID", "SAME"):
        return padding
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
    input_size = positive_int(input_size, "input_size", op)
    kernel_size = positive_int(kernel_size, "kernel_size", op)
    stride = positive_int(stride, "stride", op)
    return _axis_pads(op, input_size, kernel_size, stride, _axis_padding(padding, op))


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
    pads = _axis_pads(op, input_size, kernel_size, stride, _axis_padding(padding, op))
    return _axis_output(op, input_size, kernel_size, stride, pads)


def _kernel_pair(kernel_size, op):
    """(FH, FW) from an int F or a pair, raising on anything else."""
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(
                f"{op} expects `kernel_size` to be an int or a pair (FH, FW); received "
                f"{kernel_size!r}. Use e.g. kernel_size=3 or kernel_size=(3, 3)."
            )
        return (positive_int(kernel_size[0], "kernel_size[0]", op),
                positive_int(kernel_size[1], "kernel_size[1]", op))
    f = positive_int(kernel_size, "kernel_size", op)
    return f, f


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
    fh, fw = _kernel_pair(kernel_size, op)
    d = positive_int(in_channels, "in_channels", op)
    k = positive_int(filters, "filters", op)
    return k * fh * fw * d + (k if use_bias else 0)


def _field_layers(layers, op):
    """The (kernel, stride) pairs of `layers` as ints, raising on anything else."""
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(
            f"{op} expects `layers` to be a list of (kernel_size, stride) pairs; received "
            f"{layers!r} of type {type(layers).__name__}. Pass e.g. [(3, 1), (3, 1)] for two 3x3 "
            f"convolutions with stride 1."
        )
    pairs = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise ValueError(
                f"{op} expects every layer to be a (kernel_size, stride) pair; layer {index} is "
                f"{layer!r}. Write a 3x3 convolution with stride 1 as (3, 1) and a 2x2 pooling "
                f"with stride 2 as (2, 2)."
            )
        pairs.append((positive_int(layer[0], f"layers[{index}][0] (kernel_size)", op),
                      positive_int(layer[1], f"layers[{index}][1] (stride)", op)))
    return pairs


def gradient_support(layers, size=32):
    """The receptive field measured by TensorFlow: where the centre output's gradient is nonzero.

    Stacks `tf.nn.conv2d` (an all-ones kernel) and `tf.nn.avg_pool2d` layers, VALID, on an
    all-ones `size` x `size` image and counts the input pixels that the gradient of the centre
    output value reaches. Chapter 5 prints it beside `receptive_field`.

    Args:
        layers: list of `(kind, kernel_size, stride)` with kind "conv" or "pool".
        size: the image's side.

    Returns:
        `(rows, cols, pixels)` of the nonzero gradient.

    Example:
        >>> gradient_support([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)])
        (8, 8, 64)
    """
    import numpy as np
    import tensorflow as tf

    kinds = [layer[0] if isinstance(layer, (tuple, list)) and len(layer) == 3 else None
             for layer in layers]
    if any(kind not in ("conv", "pool") for kind in kinds):
        raise ValueError(
            f"gradient_support expects `layers` to be (kind, kernel_size, stride) triples with kind "
            f"'conv' or 'pool'; received {layers!r}. Pass e.g. [('conv', 3, 1), ('pool', 2, 2)]."
        )
    pairs = _field_layers([layer[1:] for layer in layers], "gradient_support")
    x = tf.ones((1, positive_int(size, "size", "gradient_support"), size, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for kind, (k, s) in zip(kinds, pairs):
            if kind == "conv":
                y = tf.nn.conv2d(y, tf.ones((k, k, 1, 1)), strides=s, padding="VALID")
            else:
                y = tf.nn.avg_pool2d(y, ksize=k, strides=s, padding="VALID")
        centre = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
    rows, cols = np.nonzero(tape.gradient(centre, x)[0, :, :, 0].numpy())
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1), len(rows)


def receptive_field_trace(layers):
    """Receptive field and jump after each layer of a stack, starting with the input itself.

    A layer's output value depends on an R x R square of the input, its receptive field, and
    neighbouring output values are J input pixels apart, its jump. A layer with an F x F window
    and stride S (a convolution or a pooling; padding changes neither) grows the field by
    ``(F - 1) * J`` and multiplies the jump by ``S``:

        ``R_l = R_{l-1} + (F_l - 1) * J_{l-1}``,   ``J_l = J_{l-1} * S_l``,   ``R_0 = J_0 = 1``.

    Args:
        layers: list of `(kernel_size, stride)` pairs of ints, first layer first.

    Returns:
        List of `(field, jump)` pairs of ints, one more than `layers`: the input `(1, 1)` first.

    Raises:
        TypeError, ValueError: if `layers` is not a list of pairs of positive ints.

    Example:
        >>> receptive_field_trace([(3, 1), (3, 1), (3, 1)])  # three 3x3 convolutions
        [(1, 1), (3, 1), (5, 1), (7, 1)]
        >>> receptive_field_trace([(3, 1), (2, 2), (3, 1)])  # a 2x2 pooling between them
        [(1, 1), (3, 1), (4, 2), (8, 2)]
    """
    field, jump = 1, 1
    trace = [(field, jump)]
    for kernel, stride in _field_layers(layers, "receptive_field_trace"):
        field, jump = field + (kernel - 1) * jump, jump * stride
        trace.append((field, jump))
    return trace


def receptive_field(layers):
    """Receptive field and jump of the last layer of a stack (see `receptive_field_trace`).

    Args:
        layers: list of `(kernel_size, stride)` pairs of ints, first layer first.

    Returns:
        Tuple `(field, jump)` of ints: one output value sees a field x field square of the input,
        and neighbouring output values are jump input pixels apart.

    Example:
        >>> receptive_field([(3, 1), (3, 1)])  # two 3x3 convolutions see as far as one 5x5
        (5, 1)
        >>> receptive_field([(5, 1)])
        (5, 1)
        >>> receptive_field([(3, 2), (3, 1), (3, 1)])  # stride 2 first: the field grows faster
        (11, 2)
    """
    return tuple(receptive_field_trace(layers)[-1])


def _use_bias(use_bias, op):
    if not isinstance(use_bias, bool):
        raise TypeError(f"{op} expects `use_bias` to be True or False, as Keras takes it; received "
                        f"{use_bias!r} of type {type(use_bias).__name__}.")
    return use_bias


def dilated_kernel_size(kernel_size, dilation):
    """How many input pixels a kernel of F taps dilated by D spans along one axis: F + (F - 1)(D - 1).

    Dilation puts D - 1 skipped pixels between neighbouring taps; there are F - 1 gaps. The kernel
    keeps its F weights (and its parameter count) but sees as far as an ordinary kernel of this size:
    it takes that size's place in the output size and in "SAME"'s padding.

    Args:
        kernel_size: int F, the taps along the axis.
        dilation: int D >= 1 (Keras's `dilation_rate`, `tf.nn.conv2d`'s `dilations`); 1 is no gap.

    Returns:
        int.

    Raises:
        TypeError, ValueError: if an argument is not a positive int.

    Example:
        >>> dilated_kernel_size(3, 2)  # 3 taps, one skipped pixel in each of the 2 gaps
        5
        >>> dilated_kernel_size(3, 4), dilated_kernel_size(3, 1)
        (9, 3)
    """
    op = "dilated_kernel_size"
    f = positive_int(kernel_size, "kernel_size", op)
    d = positive_int(dilation, "dilation", op)
    return f + (f - 1) * (d - 1)


def depthwise_param_count(kernel_size, in_channels, depth_multiplier=1, use_bias=True):
    """Trainable parameters of a depthwise convolution, as `keras.layers.DepthwiseConv2D` counts them.

    Each of the C input channels has its own M filters of F x F (one channel deep), and each of the
    C * M output channels a bias: ``F^2 * C * M + C * M``. An ordinary convolution with C * M
    filters would have ``F^2 * C * (C * M)`` weights: the depthwise one does not mix channels.

    Args:
        kernel_size: int F, or a pair (FH, FW).
        in_channels: int C.
        depth_multiplier: int M, the filters per input channel (Keras's `depth_multiplier`).
        use_bias: bool, as Keras's `use_bias`.

    Returns:
        int.

    Example:
        >>> depthwise_param_count(3, 32)  # 3 * 3 * 32 + 32
        320
    """
    op = "depthwise_param_count"
    fh, fw = _kernel_pair(kernel_size, op)
    c = positive_int(in_channels, "in_channels", op)
    m = positive_int(depth_multiplier, "depth_multiplier", op)
    return fh * fw * c * m + (c * m if _use_bias(use_bias, op) else 0)


def depthwise_separable_param_count(kernel_size, in_channels, filters, depth_multiplier=1,
                                    use_bias=True):
    """Trainable parameters of a depthwise separable convolution (`keras.layers.SeparableConv2D`).

    A depthwise convolution (F x F per channel, M per channel, no bias) followed by a 1x1
    convolution from C * M to K channels with K biases: ``F^2 * C * M + C * M * K + K``, against
    ``F^2 * C * K + K`` for an ordinary convolution (`conv_param_count`).

    Args:
        kernel_size: int F, or a pair (FH, FW).
        in_channels: int C.
        filters: int K, the output channels.
        depth_multiplier: int M (Keras's `depth_multiplier`).
        use_bias: bool, as Keras's `use_bias` (the pointwise part's K biases).

    Returns:
        int.

    Example:
        >>> depthwise_separable_param_count(3, 32, 64)  # 288 + 2048 + 64
        2400
        >>> conv_param_count(3, 32, 64)  # the ordinary convolution
        18496
    """
    op = "depthwise_separable_param_count"
    fh, fw = _kernel_pair(kernel_size, op)
    c = positive_int(in_channels, "in_channels", op)
    k = positive_int(filters, "filters", op)
    m = positive_int(depth_multiplier, "depth_multiplier", op)
    return fh * fw * c * m + c * m * k + (k if _use_bias(use_bias, op) else 0)


def conv_transpose_output_size(input_size, kernel_size, stride=1, padding="VALID", output_padding=None,
                               dilation=1):
    """Output length of a transposed convolution along one axis, as `keras.layers.Conv2DTranspose` makes it.

    Without `output_padding`, "VALID" gives ``W * S + max(F - S, 0)`` (``(W - 1) * S + F`` when
    F >= S: each of the W input pixels places the F-long kernel, S apart) and "SAME" gives ``W * S``,
    the inverse of SAME's ``ceil(W / S)``. Several lengths go to the same W under a strided
    convolution; `output_padding` (0 <= P_out < S) picks one: ``(W - 1) * S + F - 2 * pad + P_out``
    with pad 0 for "VALID" and ``F // 2`` for "SAME". F is the dilated size (`dilated_kernel_size`).

    Args:
        input_size: int W.
        kernel_size: int F.
        stride: int S.
        padding: "VALID" or "SAME" (Keras's lower-case "valid" and "same" too).
        output_padding: None or an int smaller than `stride`.
        dilation: int D.

    Returns:
        int.

    Raises:
        TypeError, ValueError: for arguments that are not positive ints, an unknown padding, an
            `output_padding` not smaller than `stride`, or a stride and a dilation both above 1.

    Example:
        >>> conv_transpose_output_size(5, 3, 2), conv_transpose_output_size(5, 3, 2, "SAME")
        (11, 10)
        >>> conv_transpose_output_size(5, 3, 2, "SAME", output_padding=0)
        9
    """
    op = "conv_transpose_output_size"
    w = positive_int(input_size, "input_size", op)
    s = positive_int(stride, "stride", op)
    f = dilated_kernel_size(positive_int(kernel_size, "kernel_size", op),
                            positive_int(dilation, "dilation", op))
    if not isinstance(padding, str) or padding.upper() not in ("VALID", "SAME"):
        raise ValueError(f'{op} expects `padding` to be "VALID" or "SAME" (or Keras\'s "valid", '
                         f'"same"); received {padding!r}. Explicit amounts are not a Keras padding.')
    if s > 1 and dilation > 1:
        raise ValueError(f"{op} takes a stride above 1 or a dilation above 1, not both, as Keras's "
                         f"Conv2DTranspose requires; received stride={s}, dilation={dilation}. Use "
                         f"stride=1 with the dilation, or dilation=1.")
    same = padding.upper() == "SAME"
    if output_padding is None:
        return w * s if same else w * s + max(f - s, 0)
    p_out = positive_int(output_padding, "output_padding", op, minimum=0)
    if p_out >= s:
        raise ValueError(f"{op} expects `output_padding` to be smaller than `stride`, as Keras "
                         f"requires; received output_padding={p_out}, stride={s}. Use 0 to {s - 1}, "
                         f"or None.")
    return (w - 1) * s + f - 2 * (f // 2 if same else 0) + p_out
